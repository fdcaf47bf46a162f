#!/usr/bin/env bash
# bench/peers.sh times secrun against the fastest peer and the Go floor, alternately in one run:
#   secrun    secrun -e eN -- /bin/true: N secrets from the default (file) store, with a
#             definitions file of 111 secrets (environments e1, e10 and e100)
#   godotenv  godotenv v1.5.1 -f N.env /bin/true: the same N variables from a plaintext .env
#             file (no permission check, no lock); built from the module proxy in a throwaway
#             module, since `go install ...@v1.5.1` can stop at the proxy's version list
#   floor     bench/minimal STORE /bin/true: a Go program that reads one file and execs
# for N = 1, 10 and 100, all built as releases are (no cgo, -trimpath, -s -w). It prints the
# three medians and the ratios to the floor with quartiles, over rotating rounds (bench/lib.sh).
#
# Then, from `strace -f -c` of one launch each (10 secrets), the system calls per launch of
# secrun and of the floor, and the files a secrun launch opens or stats under HOME (on a
# cluster those are on a shared filesystem, once per rank). Nothing here is asserted.
# ROUNDS (default 20) and RUNS (hyperfine runs per command and round, default 30) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-20} runs=${RUNS:-30}

. bench/lib.sh
need_hyperfine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_secrun "$work/secrun"
build_baseline "$work/floor" ./bench/minimal
mkdir "$work/godotenv"
(
  cd "$work/godotenv"
  export GOWORK=off GOFLAGS=-mod=mod
  go mod init benchpeers >/dev/null 2>&1
  go get github.com/joho/godotenv@v1.5.1 >/dev/null 2>&1
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/godotenv.bin.link" github.com/joho/godotenv/cmd/godotenv && installed "$work/godotenv.bin"
)
bench_home
for n in 1 10 100; do
  # shellcheck disable=SC2086 # one NAME=VALUE word per line
  printf '%s\n' ${vars[$n]} > "$work/$n.env"
done

# The cache of parsed definitions takes a file only once it is 2 seconds old: fill it, as
# every launch after the first finds it.
sleep 2
"$work/secrun" -e e1 -- /bin/true
echo "$(nproc) cores; $rounds rounds of $runs runs; $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1 10 100; do
  time_rounds "$n" secrun "$work/secrun -e e$n -- /bin/true" \
    godotenv "$work/godotenv.bin -f $work/$n.env /bin/true" floor "$work/floor $store /bin/true"
done
awk "$round_stats"'
  END {
    printf "%-7s %9s %11s %8s  %-17s %-17s %-17s\n", "secrets", "secrun ms", "godotenv ms", "floor ms",
      "secrun/floor", "godotenv/floor", "secrun/godotenv"
    split("1 10 100", ns, " ")
    for (i = 1; i <= 3; i++) {
      n = ns[i]
      printf "%-7s %9.3f %11.3f %8.3f  %-17s %-17s %-17s\n", n, col(n, "secrun"), col(n, "godotenv"),
        col(n, "floor"), ratio(n, "secrun", "floor"), ratio(n, "godotenv", "floor"), ratio(n, "secrun", "godotenv")
    }
  }' "$work/medians.txt"

command -v strace >/dev/null || { echo "no strace: system-call counts skipped" >&2; exit 0; }
# calls CMD...: the total number of system calls of one run of CMD, up to its exec of /bin/true.
calls() { strace -f -c -o "$work/strace.txt" "$@" >/dev/null; awk '$NF == "total" { print $(NF-2) }' "$work/strace.txt"; }
echo
printf 'system calls per launch (10 secrets, strace -f -c; each count includes /bin/true'\''s own):\n'
printf '  secrun %s   floor %s   godotenv %s\n' "$(calls "$work/secrun" -e e10 -- /bin/true)" \
  "$(calls "$work/floor" "$store" /bin/true)" "$(calls "$work/godotenv.bin" -f "$work/10.env" /bin/true)"
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
strace -f -e trace=%file -o "$work/files.txt" "$work/secrun" -e e10 -- /bin/true
printf 'paths under HOME that one secrun launch opens or stats:\n'
grep -o "\"$HOME[^\"]*\"" "$work/files.txt" | sed "s|$HOME|~|" | sort | uniq -c | sed 's/^/  /'
