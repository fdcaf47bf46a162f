#!/usr/bin/env bash
# demo.sh builds secrun and runs its main job on the file store in a throwaway HOME:
# store a secret, define an environment, run a command that gets the secret, and show
# that nothing else sees it. Everything it creates is removed at the end.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/bin/secrun" .
export PATH="$work/bin:$PATH" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset SECRUN_DATA_DIR SECRUN_ENVS
export SECRUN_STORE=file # never the keyring of the desktop the demo runs on
mkdir -p "$XDG_CONFIG_HOME/secrun"

say() { printf '\n$ %s\n' "$*"; }

say 'printf %s "demo-token-0123456789" | secrun secrets set API_TOKEN'
printf %s "demo-token-0123456789" | secrun secrets set API_TOKEN
say 'printf %s "hunter2" | secrun secrets set db-password'
printf %s "hunter2" | secrun secrets set db-password

cat > "$XDG_CONFIG_HOME/secrun/envs.toml" <<'TOML'
[[env]]
name = "demo"
setup = ["export GREETING=hello"]
secrets = ["API_TOKEN", { key = "db-password", as_env_var = "DB_PASS" }]

[[env.executables]]
label = "solver"
  [[env.executables.instances]]
  command = "sh -c 'echo \"serial solver on $1, token of ${#API_TOKEN} characters\"' solver"
  num_cores = 1
  [[env.executables.instances]]
  command = "sh -c 'echo \"<<num_cores>>-core solver on $1, token of ${#API_TOKEN} characters\"' solver"
  num_cores = { start = 2, stop = 64 }
  parallel_mode = "distributed"
TOML
say "cat \$XDG_CONFIG_HOME/secrun/envs.toml"
cat "$XDG_CONFIG_HOME/secrun/envs.toml"

say 'secrun secrets list'
secrun secrets list
say 'secrun env show demo'
secrun env show demo
say "secrun -e demo -- sh -c 'echo \"\$GREETING from \$SECRUN_ENV: API_TOKEN has \${#API_TOKEN} characters, DB_PASS \${#DB_PASS}\"'"
secrun -e demo -- sh -c 'echo "$GREETING from $SECRUN_ENV: API_TOKEN has ${#API_TOKEN} characters, DB_PASS ${#DB_PASS}"'
say "sh -c 'echo \"without secrun: API_TOKEN=\${API_TOKEN:-unset}\"'"
sh -c 'echo "without secrun: API_TOKEN=${API_TOKEN:-unset}"'
say 'ls -l $XDG_DATA_HOME/secrun'
ls -l "$XDG_DATA_HOME/secrun"
say 'secrun -e demo -- solver in.dat            # an executable label: the instance for 1 core'
secrun -e demo -- solver in.dat
say 'secrun -e demo -n 16 -- solver in.dat      # the instance for 16 cores'
secrun -e demo -n 16 -- solver in.dat
say 'secrun env show demo -n 16 | tail -4'
secrun env show demo -n 16 | tail -4
say 'secrun -e demo -- sh -c "exit 7"; echo "exit status $?"'
set +e; secrun -e demo -- sh -c "exit 7"; echo "exit status $?"; set -e
