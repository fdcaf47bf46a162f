#!/usr/bin/env bash
# bench/ranks.sh measures what secrun adds to a 64-rank launch, with hyperfine in one run:
#   mpirun.openmpi --oversubscribe -np 64 secrun -e E -- /bin/true   against the same without secrun
#   srun -O -n 64 secrun -e E -- /bin/true                           against the same without secrun
# with 10 secrets in the file store, which all 64 ranks read at once (reads take no lock).
# The srun pair runs only when a SLURM is up (SLURM_CONF set, as testenv/slurm.sh leaves it).
# Nothing is asserted: it prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench/ranks.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v mpirun.openmpi >/dev/null || { echo "bench/ranks.sh needs Open MPI (apt-get install openmpi-bin)" >&2; exit 1; }
ranks=${RANKS:-64}

work=$(mktemp -d /tmp/secrun-ranks.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/secrun" .
export SECRUN_DATA_DIR="$work/store" SECRUN_ENVS="$work/envs.toml"
keys=""
for i in $(seq 10); do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | "$work/secrun" secrets set "BENCH_$i" 2>/dev/null
  keys="$keys\"BENCH_$i\", "
done
printf '[[env]]\nname = "E"\nsecrets = [%s]\n' "${keys%, }" > "$SECRUN_ENVS"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

cmds=("mpirun.openmpi --oversubscribe -np $ranks /bin/true"
      "mpirun.openmpi --oversubscribe -np $ranks $work/secrun -e E -- /bin/true")
if [ -n "${SLURM_CONF:-}" ] && sinfo -h >/dev/null 2>&1; then
  cmds+=("srun -O -n $ranks /bin/true" "srun -O -n $ranks $work/secrun -e E -- /bin/true")
fi
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --export-csv "$work/r.csv" "${cmds[@]}" >/dev/null
median() { awk -F, -v name="$2" 'NR > 1 && $1 == name { printf "%.1f", $4 * 1000 }' "$1"; }
printf '%-8s %14s %14s %8s\n' launcher "alone ms" "with secrun ms" ratio
for ((i = 0; i < ${#cmds[@]}; i += 2)); do
  a=$(median "$work/r.csv" "${cmds[i]}") b=$(median "$work/r.csv" "${cmds[i+1]}")
  printf '%-8s %14s %14s %8s\n' "${cmds[i]%% *}" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
