#!/usr/bin/env bash
# bench/cluster.sh measures what secrun adds to a 3-node x 2-rank launch on the simulated
# cluster of testenv/cluster.sh (as root: it brings the cluster up and down), for Open MPI and
# hydra (over the cluster's rsh) and srun, as the cluster's non-root user on the login node:
#   LAUNCHER /bin/true                          the launcher alone
#   secrun -e E -- LAUNCHER /bin/true           pattern 1, 10 secrets as variables
#   LAUNCHER secrun -e E -- /bin/true           pattern 2, 10 secrets as variables
#   LAUNCHER secrun -e F -- /bin/true           pattern 2, 10 secrets and a file secret
# (pattern 1 with a file secret is refused, so it is not timed). The commands of a launcher
# alternate run by run (RUNS each, default 20, after 2 warm-up rounds), so that all see the
# same load. Nothing is asserted: it prints medians and ratios to the launcher alone.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/cluster.sh needs root (it starts the simulated cluster)" >&2; exit 1; }
. testenv/lib.sh
trap run_exit_hooks EXIT
. testenv/cluster.sh
[ -n "${SECRUN_TEST_CLUSTER:-}" ] || { echo "the cluster did not come up" >&2; exit 1; }
c=$SECRUN_TEST_CLUSTER u=$SECRUN_TEST_CLUSTER_USER home=$SECRUN_TEST_CLUSTER/home/$SECRUN_TEST_CLUSTER_USER
mkdir -p "$home/bin" "$home/.config/secrun"
. bench/lib.sh
build_secrun "$home/bin/secrun" # lean secrun, with secrun-full beside it, as releases install them
keys=""
for i in $(seq 10); do keys="$keys\"BENCH_$i\", "; done
printf '[[env]]\nname = "E"\nsecrets = [%s]\n[[env]]\nname = "F"\nsecrets = [%s{ key = "CERT", file = true }]\n' \
  "${keys%, }" "$keys" > "$home/.config/secrun/envs.toml"
chown -R "$u:" "$home"
as_user() { runuser -u "$u" -- env -i PATH="$home/bin:/usr/bin:/bin" HOME="$home" SLURM_CONF=/etc/slurm/slurm.conf "$c/bin/nodeexec" head "$@"; }
for i in $(seq 10); do head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | as_user secrun secrets set "BENCH_$i" 2>/dev/null; done
head -c 2000 /dev/urandom | base64 | as_user secrun secrets set CERT 2>/dev/null
sleep 2 # the cache of parsed definitions takes a file once it is 2 seconds old
as_user secrun -e E -- /bin/true

cat > "$home/bench-inner.sh" <<'INNER'
#!/bin/bash
# runs on the login node: alternate the commands given, one per argument; print medians (ms)
set -u
runs=${RUNS:-20}
declare -A t
n=$#
cmds=("$@")
for w in 1 2; do for cmd in "${cmds[@]}"; do timeout 60 sh -c "$cmd" >/dev/null 2>&1 </dev/null; done; done
for r in $(seq "$runs"); do
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s%N)
    timeout 60 sh -c "${cmds[i]}" >/dev/null 2>&1 </dev/null || { echo "failed: ${cmds[i]}" >&2; exit 1; }
    t1=$(date +%s%N)
    t[$i]="${t[$i]:-} $((t1 - t0))"
  done
done
for ((i = 0; i < n; i++)); do
  printf '%s\n' ${t[$i]} | sort -n | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f\n", m / 1e6 }'
done
INNER
chmod 755 "$home/bench-inner.sh"

rsh=$c/bin/rsh
declare -A launch=(
  [openmpi]="mpirun.openmpi --mca plm_rsh_agent $rsh --host n1:2,n2:2,n3:2 -np 6"
  [hydra]="mpiexec.hydra -launcher rsh -launcher-exec $rsh -hosts n1:2,n2:2,n3:2 -n 6"
  [srun]="srun -N 3 --ntasks-per-node=2"
)
echo "$(nproc) cores, 3 nodes x 2 ranks, load average $(cut -d' ' -f1-3 /proc/loadavg), ${RUNS:-20} runs each"
printf '%-8s %8s %18s %18s %18s\n' launcher "alone" "secrun -- L" "L secrun" "L secrun (file)"
for l in openmpi hydra srun; do
  L=${launch[$l]}
  mapfile -t m < <(as_user env RUNS="${RUNS:-20}" "$home/bench-inner.sh" "$L /bin/true" "secrun -e E -- $L /bin/true" \
    "$L $home/bin/secrun -e E -- /bin/true" "$L $home/bin/secrun -e F -- /bin/true")
  r() { awk -v a="${m[0]}" -v b="$1" 'BEGIN { printf "%.2f", b / a }'; }
  printf '%-8s %6s ms %9s ms %5s %9s ms %5s %9s ms %5s\n' "$l" "${m[0]}" "${m[1]}" "$(r "${m[1]}")" "${m[2]}" "$(r "${m[2]}")" "${m[3]}" "$(r "${m[3]}")"
done
