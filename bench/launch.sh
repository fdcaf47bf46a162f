#!/usr/bin/env bash
# bench/launch.sh measures secrun's launch overhead with hyperfine, against three baselines
# timed in the same run: 'env VAR=... /bin/true' with the same variables; bench/minimal, a
# Go program that reads one file and execs; and bench/withdeps, the same program plus the
# package initialisation of go-toml and the shell parser, which every lean secrun start pays. It does
# this for 1, 10 and 100 secrets in the file store, and then times the supervised path (10
# secrets, one delivered as a file) against the exec path. Nothing here is asserted: it reports.
#
# The timing method (rotating rounds, medians and quartiles) is in bench/lib.sh.
#
# Then, on a private Secret Service (testenv/keyring.sh), 10 secrets in the keyring against the
# same 10 in the file store, and against bench/gokeyring, which fetches them with go-keyring's
# plain keyring.Get (one session per key). KEYRING=0 skips the keyring part.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-20} runs=${RUNS:-30}

. bench/lib.sh
need_hyperfine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_secrun "$work/secrun"
build_baseline "$work/minimal" ./bench/minimal
build_baseline "$work/withdeps" ./bench/withdeps
build_baseline "$work/gokeyring" ./bench/gokeyring
bench_home
# the same 10 secrets with one delivered as a file: secrun supervises the child
keys=""
for i in $(seq 2 10); do keys="$keys\"BENCH_$i\", "; done
printf '[[env]]\nname = "f10"\nsecrets = [%s{ key = "BENCH_1", file = true }]\n\n' "$keys" >> "$defs"

echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of $runs runs"
for n in 1 10 100; do
  time_rounds "$n" secrun "$work/secrun -e e$n -- /bin/true" env "env${vars[$n]} /bin/true" \
    minimal "$work/minimal $store /bin/true" withdeps "$work/withdeps $store /bin/true"
done
# The supervised path (a private directory, fork, wait, cleanup) against the exec path.
time_rounds sup exec "$work/secrun -e e10 -- /bin/true" supervised "$work/secrun -e f10 -- /bin/true"

awk "$round_stats"'
  END {
    printf "%-7s %9s %7s %10s %11s  %-17s %-17s %-17s\n", "secrets", "secrun ms", "env ms", "minimal ms", "withdeps ms",
      "secrun/env", "secrun/minimal", "withdeps/minimal"
    split("1 10 100", ns, " ")
    for (i = 1; i <= 3; i++) {
      n = ns[i]
      printf "%-7s %9.3f %7.3f %10.3f %11.3f  %-17s %-17s %-17s\n", n, col(n, "secrun"), col(n, "env"),
        col(n, "minimal"), col(n, "withdeps"), ratio(n, "secrun", "env"), ratio(n, "secrun", "minimal"),
        ratio(n, "withdeps", "minimal")
    }
    printf "\n%-10s %7s %13s  %-17s\n", "10 secrets", "exec ms", "supervised ms", "supervised/exec"
    printf "%-10s %7.3f %13.3f  %-17s\n", "", col("sup", "exec"), col("sup", "supervised"), ratio("sup", "supervised", "exec")
  }' "$work/medians.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${KEYRING:-1}" = 0 ] && exit 0
median() { awk -F, -v name="$2" 'NR > 1 && $1 == name { printf "%.3f", $4 * 1000 }' "$1"; }
echo
. testenv/lib.sh
trap 'run_exit_hooks; rm -rf "$work"' EXIT
. testenv/keyring.sh >/dev/null
if [ -z "${SECRUN_TEST_DBUS:-}" ]; then echo "no Secret Service: keyring part skipped" >&2; exit 0; fi
export DBUS_SESSION_BUS_ADDRESS=$SECRUN_TEST_DBUS
keys="" list=""
for i in $(seq 10); do
  "$work/secrun" --store keyring secrets set "RING_$i" < "$work/value$i" 2>/dev/null
  keys="$keys\"RING_$i\", " list="$list,RING_$i"
done
printf '[[env]]\nname = "k10"\nsecrets = [%s]\n\n' "${keys%, }" >> "$defs"
"$work/secrun" -e k10 -- sh -c '[ "$RING_10" = "$(cat "$1")" ]' sh "$work/value10"
hyperfine -N --style none --warmup 10 --runs 300 --export-csv "$work/k.csv" \
  -n keyring "$work/secrun -e k10 -- /bin/true" \
  -n file "$work/secrun -e e10 -- /bin/true" \
  -n gokeyring "$work/gokeyring secrun ${list#,} /bin/true" >/dev/null
k=$(median "$work/k.csv" keyring) f=$(median "$work/k.csv" file) g=$(median "$work/k.csv" gokeyring)
printf '%-34s %10s\n' "10 secrets, median of 300 runs" ms
printf '%-34s %10s\n' "secrun, keyring (one connection)" "$k" "secrun, file store" "$f" \
  "go-keyring Get per key + exec" "$g"
printf 'keyring/file %.2f   go-keyring per key/secrun keyring %.2f\n' \
  "$(awk -v a="$k" -v b="$f" 'BEGIN { print a / b }')" "$(awk -v a="$g" -v b="$k" 'BEGIN { print a / b }')"
