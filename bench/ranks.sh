#!/usr/bin/env bash
# bench/ranks.sh measures what secrun adds to a 64-rank launch, with hyperfine in one run:
#   mpirun.openmpi --oversubscribe -np 64 secrun -e E -- /bin/sleep 0.05   against the same without
#   (Open MPI 4.1's mpirun here sometimes never returns when 32 or more ranks of /bin/true exit at
#   once, with or without secrun; ranks that live 50 ms do not trigger it)
#   srun -O -n 64 secrun -e E -- /bin/true                           against the same without secrun
# with 10 secrets in the file store, which all 64 ranks read at once (reads take no lock).
# The srun pair runs only when a SLURM is up (SLURM_CONF set, as testenv/slurm.sh leaves it).
# The commands of a pair alternate run by run (RUNS each, default 30), so that both see the
# same load. (hyperfine is not used here: mpirun can fail to return under it.)
# Nothing is asserted: it prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mpirun.openmpi >/dev/null || { echo "bench/ranks.sh needs Open MPI (apt-get install openmpi-bin)" >&2; exit 1; }
ranks=${RANKS:-64}

work=$(mktemp -d /tmp/secrun-ranks.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
. bench/lib.sh
build_secrun "$work/secrun" # lean secrun, with secrun-full beside it, as releases install them
export SECRUN_DATA_DIR="$work/store" SECRUN_ENVS="$work/envs.toml"
keys=""
for i in $(seq 10); do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | "$work/secrun" secrets set "BENCH_$i" 2>/dev/null
  keys="$keys\"BENCH_$i\", "
done
printf '[[env]]\nname = "E"\nsecrets = [%s]\n' "${keys%, }" > "$SECRUN_ENVS"
sleep 2 # the cache of parsed definitions takes a file once it is 2 seconds old
"$work/secrun" -e E -- /bin/true
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

cmds=("mpirun.openmpi --oversubscribe -np $ranks /bin/sleep 0.05"
      "mpirun.openmpi --oversubscribe -np $ranks $work/secrun -e E -- /bin/sleep 0.05")
if [ -n "${SLURM_CONF:-}" ] && sinfo -h >/dev/null 2>&1; then
  cmds+=("srun -O -n $ranks /bin/true" "srun -O -n $ranks $work/secrun -e E -- /bin/true")
fi
# time_pair A B: alternate A and B RUNS times each; print "median_A median_B" in ms.
time_pair() {
  local i t0 t1 ta=() tb=()
  for i in $(seq 3); do timeout 60 $1 >/dev/null 2>&1 </dev/null; timeout 60 $2 >/dev/null 2>&1 </dev/null; done
  for i in $(seq "${RUNS:-30}"); do
    t0=$(date +%s%N); timeout 60 $1 >/dev/null 2>&1 </dev/null || { echo "failed or hung: $1" >&2; exit 1; }; t1=$(date +%s%N); ta+=($((t1 - t0)))
    t0=$(date +%s%N); timeout 60 $2 >/dev/null 2>&1 </dev/null || { echo "failed or hung: $2" >&2; exit 1; }; t1=$(date +%s%N); tb+=($((t1 - t0)))
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6 }'; }
  echo "$(med "${ta[@]}") $(med "${tb[@]}")"
}
echo "$(nproc) cores, $ranks ranks, load average $(cut -d' ' -f1-3 /proc/loadavg), ${RUNS:-30} runs each"
printf '%-8s %14s %14s %8s\n' launcher "alone ms" "with secrun ms" ratio
for ((i = 0; i < ${#cmds[@]}; i += 2)); do
  read -r a b < <(time_pair "${cmds[i]}" "${cmds[i+1]}")
  printf '%-8s %14s %14s %8s\n' "${cmds[i]%% *}" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
