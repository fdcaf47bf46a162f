#!/usr/bin/env bash
# bench/mask.sh measures output masking: a child writes 1 GiB of text holding values of 100
# secrets, once through 'cat' (the baseline) and once through 'secrun --mask', both to
# /dev/null, alternating, 3 runs each. It prints the median throughputs and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$tmp/secrun" .
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share
mkdir -p "$XDG_CONFIG_HOME/secrun"
# 100 secrets of 16 to 40 characters, as API tokens are
python3 - "$tmp" <<'PY'
import random, sys, os
tmp = sys.argv[1]
r = random.Random(1)
alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
secrets = ["".join(r.choice(alnum) for _ in range(r.randint(16, 40))) for _ in range(100)]
with open(os.path.join(tmp, "secrets.txt"), "w") as f:
    f.write("\n".join(secrets) + "\n")
words = "the job step wrote rank output iteration residual converged solver timestep value of to".split()
out = []
size = 0
while size < 64 << 20:
    line = " ".join(r.choice(words) for _ in range(12)) + " %d %.6f" % (r.randint(0, 10**6), r.random())
    if r.randint(0, 99) == 0:
        line += " token=" + r.choice(secrets)
    out.append(line)
    size += len(line) + 1
with open(os.path.join(tmp, "chunk.txt"), "w") as f:
    f.write("\n".join(out) + "\n")
with open(os.environ["XDG_CONFIG_HOME"] + "/secrun/envs.toml", "w") as f:
    f.write('[[env]]\nname = "bench"\nsecrets = [%s]\n' % ", ".join('"S%d"' % i for i in range(100)))
PY
i=0
while read -r s; do printf %s "$s" | "$tmp/secrun" secrets set --store file "S$i" 2>/dev/null; i=$((i+1)); done < "$tmp/secrets.txt"
chunk=$(stat -c %s "$tmp/chunk.txt")
reps=$(( (1 << 30) / chunk + 1 ))
gen="for i in \$(seq $reps); do cat '$tmp/chunk.txt'; done"
total=$((chunk * reps))
cat "$tmp/chunk.txt" > /dev/null # page cache

now() { date +%s.%N; }
declare -a tcat tmask
for run in 1 2 3; do
  t0=$(now); sh -c "$gen" | cat > /dev/null; t1=$(now)
  "$tmp/secrun" --store file --mask -e bench -- sh -c "$gen" > /dev/null; t2=$(now)
  tcat+=("$(echo "$t1 - $t0" | bc)"); tmask+=("$(echo "$t2 - $t1" | bc)")
done
# the masked output holds no value
leaks=$("$tmp/secrun" --store file --mask -e bench -- cat "$tmp/chunk.txt" | { grep -c -F -f "$tmp/secrets.txt" || true; })
[ "$leaks" = 0 ] || { echo "masked output holds a value on $leaks lines" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
mc=$(median "${tcat[@]}"); mm=$(median "${tmask[@]}")
mib=$((total >> 20))
printf 'stream: %d MiB, 100 secrets of 16-40 bytes, about 1 value per 100 lines\n' "$mib"
printf 'cat:           %6.2f s  %7.0f MiB/s  (runs: %s)\n' "$mc" "$(echo "$mib / $mc" | bc -l)" "${tcat[*]}"
printf 'secrun --mask: %6.2f s  %7.0f MiB/s  (runs: %s)\n' "$mm" "$(echo "$mib / $mm" | bc -l)" "${tmask[*]}"
printf 'throughput of secrun --mask / cat: %.2f\n' "$(echo "$mc / $mm" | bc -l)"
