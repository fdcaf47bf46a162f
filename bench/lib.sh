# bench/lib.sh: what the launch benchmarks share. Sourced by bench/launch.sh and
# bench/peers.sh, after they set work (a scratch directory), rounds and runs.
#
# The machine may be shared, and its load changes from second to second. So the commands are
# timed in many short rounds: each round runs hyperfine on all of them, in an order that rotates
# from round to round, and gives one median per command. The tables show the median over the
# rounds of those medians, and for each ratio the median of the per-round ratios with, in
# brackets, their lower and upper quartiles: the spread that the machine's load causes.

need_hyperfine() {
  command -v hyperfine >/dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 hyperfine >/dev/null
  else
    echo "$0 needs hyperfine (apt-get install hyperfine)" >&2; exit 1
  fi
}

# build_secrun OUT builds secrun as .goreleaser.yaml builds releases: no cgo, -trimpath,
# -s -w and a stamped version; OUT is lean secrun (the lean build tag) and secrun-full, the
# full program it hands other work to, goes beside it.
build_secrun() {
  local ld='-s -w -X main.version=0.0.0-bench -X main.commit=bench -X main.date=2000-01-01T00:00:00Z'
  CGO_ENABLED=0 go build -trimpath -tags lean -ldflags="$ld" -o "$1.link" . && installed "$1"
  CGO_ENABLED=0 go build -trimpath -ldflags="$ld" -o "$(dirname "$1")/secrun-full.link" . &&
    installed "$(dirname "$1")/secrun-full"
}

# build_baseline OUT PKG builds one of bench/'s Go baselines the same way.
build_baseline() { CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$1.link" "$2" && installed "$1"; }

# installed OUT copies OUT.link, as the linker wrote it, to OUT, as an installer writes it.
# The linker writes its output through a memory map, and a binary left in the page cache
# that way started 0.1 to 0.4 ms slower here, run after run, than a copy of it.
installed() { cp "$1.link" "$1" && rm "$1.link"; }

# time_rounds N NAME CMD NAME CMD ...: $rounds hyperfine rounds of the named commands, in an
# order that rotates, each adding "N ROUND NAME MEDIAN_MS" lines to $work/medians.txt.
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

# The awk functions that summarise $work/medians.txt: col(n, name) is the median over the
# rounds, ratio(n, x, y) the median of the per-round ratios x/y with their quartiles.
# shellcheck disable=SC2034
round_stats='
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
  }'

# bench_home sets up a throwaway HOME under $work with 100 secrets BENCH_1..BENCH_100 in the
# default (file) store, $work/valueI holding each value, and a definitions file of 111 secrets:
# environments e1, e10 and e100 with the first 1, 10 and 100 of them. vars[N] holds the same
# N variables as NAME=VALUE words, and store the store's path.
bench_home() {
  export HOME="$work/home"
  export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_RUNTIME_DIR="$work/run"
  unset SECRUN_DATA_DIR SECRUN_ENVS SECRUN_STORE SECRUN_KEYRING_SERVICE SECRUN_KEYRING_PART_SIZE DBUS_SESSION_BUS_ADDRESS
  mkdir -p "$XDG_CONFIG_HOME/secrun"
  mkdir -m 700 "$XDG_RUNTIME_DIR"
  defs="$XDG_CONFIG_HOME/secrun/envs.toml"
  : > "$defs"
  local i n keys
  for i in $(seq 100); do
    printf 'v%02d-%s' "$i" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$work/value$i"
    "$work/secrun" secrets set "BENCH_$i" < "$work/value$i" 2>/dev/null
  done
  store="$XDG_DATA_HOME/secrun/secrets.json"
  declare -gA vars
  for n in 1 10 100; do
    keys="" vars[$n]=""
    for i in $(seq "$n"); do
      keys="$keys\"BENCH_$i\", "
      vars[$n]="${vars[$n]} BENCH_$i=$(cat "$work/value$i")"
    done
    printf '[[env]]\nname = "e%d"\nsecrets = [%s]\n\n' "$n" "${keys%, }" >> "$defs"
  done
}
