#!/usr/bin/env bash
# bench/launch.sh measures secrun's launch overhead with hyperfine, in one run, against two
# baselines: 'env VAR=... /bin/true' with the same variables, and a minimal Go program that
# reads one file and execs (bench/minimal). It prints the medians and their ratios for 1, 10
# and 100 secrets in the file store, and the supervised path (a file secret: private directory,
# fork, wait, cleanup) against the exec path. Then, on a private Secret Service (testenv/keyring.sh),
# 10 secrets in the keyring against the same 10 in the file store, and against bench/gokeyring,
# which fetches them with go-keyring's plain keyring.Get (one session per key). Nothing here is
# asserted: it reports. KEYRING=0 skips the keyring part.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
  else
    echo "bench/launch.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/secrun" .
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/minimal" ./bench/minimal
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/gokeyring" ./bench/gokeyring

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

median() { awk -F, -v name="$2" 'NR > 1 && $1 == name { printf "%.3f", $4 * 1000 }' "$1"; }

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

printf '%-8s %12s %12s %12s %14s %14s\n' secrets "secrun ms" "env ms" "minimal ms" "secrun/env" "secrun/minimal"
for n in 1 10 100; do
  hyperfine -N --style none --warmup 20 --runs "${RUNS:-300}" --export-csv "$work/n$n.csv" \
    -n secrun "$work/secrun -e e$n -- /bin/true" \
    -n env "env${vars[$n]} /bin/true" \
    -n minimal "$work/minimal $store /bin/true" >/dev/null
  s=$(median "$work/n$n.csv" secrun) e=$(median "$work/n$n.csv" env) m=$(median "$work/n$n.csv" minimal)
  printf '%-8s %12s %12s %12s %14s %14s\n' "$n" "$s" "$e" "$m" \
    "$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="$s" -v b="$m" 'BEGIN { printf "%.2f", a / b }')"
done

# The supervised path (a private directory, fork, wait, cleanup) against the exec path, same run.
export XDG_RUNTIME_DIR="$work/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
hyperfine -N --style none --warmup 20 --runs "${RUNS:-300}" --export-csv "$work/sup.csv" \
  -n exec "$work/secrun -e e10 -- /bin/true" \
  -n supervised "$work/secrun -e f10 -- /bin/true" >/dev/null
x=$(median "$work/sup.csv" exec) s=$(median "$work/sup.csv" supervised)
printf '\n%-12s %12s %14s %14s\n' "10 secrets" "exec ms" "supervised ms" "supervised/exec"
printf '%-12s %12s %14s %14s\n' "" "$x" "$s" "$(awk -v a="$s" -v b="$x" 'BEGIN { printf "%.2f", a / b }')"

[ "${KEYRING:-1}" = 0 ] && exit 0
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
hyperfine -N --style none --warmup 10 --runs "${RUNS:-300}" --export-csv "$work/k.csv" \
  -n keyring "$work/secrun -e k10 -- /bin/true" \
  -n file "$work/secrun -e e10 -- /bin/true" \
  -n gokeyring "$work/gokeyring secrun ${list#,} /bin/true" >/dev/null
k=$(median "$work/k.csv" keyring) f=$(median "$work/k.csv" file) g=$(median "$work/k.csv" gokeyring)
printf '%-34s %10s\n' "10 secrets, median of ${RUNS:-300} runs" ms
printf '%-34s %10s\n' "secrun, keyring (one connection)" "$k" "secrun, file store" "$f" \
  "go-keyring Get per key + exec" "$g"
printf 'keyring/file %.2f   go-keyring per key/secrun keyring %.2f\n' \
  "$(awk -v a="$k" -v b="$f" 'BEGIN { print a / b }')" "$(awk -v a="$g" -v b="$k" 'BEGIN { print a / b }')"
