#!/usr/bin/env bash
# bench/handoff.sh times the lean build against the full program, alternately in one run,
# for an environment of 10 secrets (bench/lib.sh's store and definitions):
#   plain    secrun -e e10 -- /bin/true, which lean secrun runs itself, against
#            secrun-full with the same arguments
#   text     an executable whose command is shell text (run by bash), likewise
#   handoff  secrun -v -e e10 -- /bin/true, which lean secrun hands to secrun-full (as it
#            does a definition file not in the cache, a keyring secret and every other
#            command), against secrun-full with the same arguments
# Both binaries are built as releases are (bench/lib.sh). It prints the medians and the ratios
# lean/full, with quartiles, over rotating rounds. Nothing here is asserted. ROUNDS
# (default 10) and RUNS (default 30) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-10} runs=${RUNS:-30}

. bench/lib.sh
need_hyperfine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_secrun "$work/secrun"
bench_home
cat >> "$defs" <<'TOML'
[[env]]
name = "t"
secrets = ["BENCH_1"]
[[env.executables]]
label = "text"
[[env.executables.instances]]
command = "test -n \"$BENCH_1\" && /bin/true"
TOML
sleep 2 # the cache takes a file once it is 2 seconds old
"$work/secrun-full" -e t -- text
echo "$(nproc) cores; $rounds rounds of $runs runs; $(date -u +%Y-%m-%d)"
for c in "plain|-e e10 -- /bin/true" "text|-e t -- text" "handoff|-v -e e10 -- /bin/true"; do
  n=${c%%|*} args=${c#*|}
  time_rounds "$n" lean "$work/secrun $args" full "$work/secrun-full $args"
done
awk "$round_stats"'
  END {
    printf "%-8s %11s %7s  %s\n", "", "lean ms", "full ms", "lean/full"
    split("plain text handoff", ns, " ")
    for (i = 1; i <= 3; i++)
      printf "%-8s %11.3f %7.3f  %s\n", ns[i], col(ns[i], "lean"), col(ns[i], "full"), ratio(ns[i], "lean", "full")
  }' "$work/medians.txt"
