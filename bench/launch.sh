#!/usr/bin/env bash
# bench/launch.sh measures secrun's launch overhead with hyperfine, against three baselines
# timed in the same run: 'env VAR=... /bin/true' with the same variables; bench/minimal, a
# Go program that reads one file and execs; and bench/withdeps, the same program plus the
# package initialisation of kong and BurntSushi/toml, which every secrun start pays. It does
# this for 1, 10 and 100 secrets in the file store, and then times the supervised path (10
# secrets, one delivered as a file) against the exec path. Nothing here is asserted: it reports.
#
# The machine may be shared, and its load changes from second to second. So the commands are
# timed in many short rounds: each round runs hyperfine on all four, in an order that rotates
# from round to round, and gives one median per command. The table shows the median over the
# rounds of those medians, and for each ratio the median of the per-round ratios with, in
# brackets, their lower and upper quartiles: the spread that the machine's load causes.
# ROUNDS (default 20) and RUNS (hyperfine runs per command and round, default 30) tune it.
#
# Then, on a private Secret Service (testenv/keyring.sh), 10 secrets in the keyring against the
# same 10 in the file store, and against bench/gokeyring, which fetches them with go-keyring's
# plain keyring.Get (one session per key). KEYRING=0 skips the keyring part.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-20} runs=${RUNS:-30}

if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 hyperfine >/dev/null
  else
    echo "bench/launch.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As .goreleaser.yaml builds releases: no cgo, -trimpath, -s -w and a stamped version.
export CGO_ENABLED=0
go build -trimpath -ldflags='-s -w -X main.version=0.0.0-bench -X main.commit=bench -X main.date=2000-01-01T00:00:00Z' -o "$work/secrun" .
go build -trimpath -ldflags='-s -w' -o "$work/minimal" ./bench/minimal
go build -trimpath -ldflags='-s -w' -o "$work/withdeps" ./bench/withdeps
go build -trimpath -ldflags='-s -w' -o "$work/gokeyring" ./bench/gokeyring

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset SECRUN_DATA_DIR SECRUN_ENVS SECRUN_STORE SECRUN_KEYRING_SERVICE SECRUN_KEYRING_PART_SIZE DBUS_SESSION_BUS_ADDRESS
mkdir -p "$XDG_CONFIG_HOME/secrun"
defs="$XDG_CONFIG_HOME/secrun/envs.toml"
: > "$defs"
for i in $(seq 100); do
  printf 'v%02d-%s' "$i" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$work/value$i"
  "$work/secrun" secrets set "BENCH_$i" < "$work/value$i" 2>/dev/null
done
store="$XDG_DATA_HOME/secrun/secrets.json"

declare -A vars
for n in 1 10 100; do
  keys="" vars[$n]=""
  for i in $(seq "$n"); do
    keys="$keys\"BENCH_$i\", "
    vars[$n]="${vars[$n]} BENCH_$i=$(cat "$work/value$i")"
  done
  printf '[[env]]\nname = "e%d"\nsecrets = [%s]\n\n' "$n" "${keys%, }" >> "$defs"
done
# the same 10 secrets with one delivered as a file: secrun supervises the child
keys=""
for i in $(seq 2 10); do keys="$keys\"BENCH_$i\", "; done
printf '[[env]]\nname = "f10"\nsecrets = [%s{ key = "BENCH_1", file = true }]\n\n' "$keys" >> "$defs"
export XDG_RUNTIME_DIR="$work/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"

echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of $runs runs"
# time_rounds N NAME CMD NAME CMD ...: ROUNDS hyperfine rounds of the named commands, in an order
# that rotates, each adding "N ROUND NAME MEDIAN_MS" lines to medians.txt.
time_rounds() {
  local n=$1 r k i; shift
  local -a names=() cmds=() args
  while [ $# -gt 0 ]; do names+=("$1") cmds+=("$2"); shift 2; done
  for r in $(seq "$rounds"); do
    args=()
    for k in "${!names[@]}"; do
      i=$(((k + r) % ${#names[@]}))
      args+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    hyperfine -N --style none --warmup 5 --runs "$runs" --export-csv "$work/round.csv" "${args[@]}" \
      >/dev/null 2>"$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
    awk -F, -v n="$n" -v r="$r" 'NR > 1 { printf "%s %s %s %.4f\n", n, r, $1, $4 * 1000 }' "$work/round.csv" >> "$work/medians.txt"
  done
}
for n in 1 10 100; do
  time_rounds "$n" secrun "$work/secrun -e e$n -- /bin/true" env "env${vars[$n]} /bin/true" \
    minimal "$work/minimal $store /bin/true" withdeps "$work/withdeps $store /bin/true"
done
# The supervised path (a private directory, fork, wait, cleanup) against the exec path.
time_rounds sup exec "$work/secrun -e e10 -- /bin/true" supervised "$work/secrun -e f10 -- /bin/true"

awk '
  { ms[$1, $2, $3] = $4; rounds[$2] = 1 }
  function med(a, k,   i, j, t) {  # median of a[1..k]; sorts a
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return k % 2 ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
  }
  function col(n, name,   r, k, a) { k = 0; for (r in rounds) a[++k] = ms[n, r, name]; return med(a, k) }
  function ratio(n, x, y,   r, k, a, m) {
    k = 0; for (r in rounds) a[++k] = ms[n, r, x] / ms[n, r, y]
    m = med(a, k)
    return sprintf("%.2f (%.2f-%.2f)", m, a[int((k-1)/4)+1], a[k-int((k-1)/4)])
  }
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
