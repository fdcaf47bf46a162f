#!/usr/bin/env bash
# bench/shell.sh times secrun's two ways of starting a command side by side with hyperfine:
# the direct path (a plain word list, exec'd with no shell: 'secrun -e E -- /bin/true' and an
# executable whose instance command is a word list) and the shell path (setup lines, or an
# instance command that is shell text, run by bash, which then execs the program). A bare
# 'bash -c "exec /bin/true"' is timed in the same rounds: bash's own start-up, which the shell
# path adds. As bench/launch.sh does, the commands are timed in short rounds in an order that
# rotates, and the table shows the median over the rounds of each round's median.
# ROUNDS (default 10) and RUNS (hyperfine runs per command and round, default 30) tune it.
# Nothing here is asserted: it reports.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-10} runs=${RUNS:-30}
command -v hyperfine >/dev/null || { echo "bench/shell.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v bash >/dev/null || { echo "bench/shell.sh needs bash" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CGO_ENABLED=0
go build -trimpath -ldflags='-s -w' -o "$work/secrun" .
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset SECRUN_DATA_DIR SECRUN_ENVS SECRUN_STORE SECRUN_KEYRING_SERVICE DBUS_SESSION_BUS_ADDRESS SECRUN_ENV_SOURCES
mkdir -p "$XDG_CONFIG_HOME/secrun"
for i in $(seq 10); do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | "$work/secrun" secrets set "BENCH_$i" 2>/dev/null
done
keys=$(printf '"BENCH_%d", ' $(seq 10))
cat > "$XDG_CONFIG_HOME/secrun/envs.toml" <<TOML
[[env]]
name = "direct"
secrets = [${keys%, }]
[[env.executables]]
label = "words"
  [[env.executables.instances]]
  command = "/bin/true -x"

[[env]]
name = "shell"
setup = ["export A=1"]
secrets = [${keys%, }]
[[env.executables]]
label = "text"
  [[env.executables.instances]]
  command = "/bin/true \$A"
TOML

names=("direct: -- /bin/true" "direct: word-list label" "shell: setup, -- /bin/true" "shell: setup + shell text" "bash -c 'exec /bin/true'")
cmds=("$work/secrun -e direct -- /bin/true" "$work/secrun -e direct -- words" "$work/secrun -e shell -- /bin/true"
  "$work/secrun -e shell -- text" "bash -c 'exec /bin/true'")
n=${#cmds[@]}
declare -A med
for r in $(seq "$rounds"); do
  order=()
  for i in $(seq 0 $((n - 1))); do order+=($(((i + r) % n))); done
  args=()
  for i in "${order[@]}"; do args+=("${cmds[$i]}"); done
  hyperfine -N -w 5 -r "$runs" --export-json "$work/r.json" "${args[@]}" >/dev/null 2>&1
  for j in "${!order[@]}"; do
    m=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median']*1000)" "$work/r.json" "$j")
    med[${order[$j]}]="${med[${order[$j]}]:-} $m"
  done
done
printf '%-30s %s\n' "command (median of $rounds round medians)" "ms"
for i in $(seq 0 $((n - 1))); do
  printf '%-30s %.2f\n' "${names[$i]}" "$(printf '%s\n' ${med[$i]} | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
done
