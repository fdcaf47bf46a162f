# testenv/lib.sh: helpers shared by the service scripts that test.sh sources.
# Each service script installs its Debian packages when they are missing, starts its service
# in the background, exports the variables the Go tests look for, and registers its teardown
# with on_exit. Without root (or apt), a missing package is a failure under CI=true and a
# skip, with a message, elsewhere.

_apt_updated=
_exit_hooks=()

# on_exit CMD registers a shell command to run when test.sh exits, last registered first.
on_exit() { _exit_hooks=("$1" "${_exit_hooks[@]}"); }
run_exit_hooks() { local h; for h in "${_exit_hooks[@]}"; do eval "$h" || true; done; }

# need_pkgs PKG... installs the packages that are not installed yet. It returns 1, after
# saying why, when they cannot be installed here.
need_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "testenv: missing packages ${missing[*]} and not root with apt-get to install them" >&2
    return 1
  fi
  if [ -z "$_apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null || return 1
    _apt_updated=1
  fi
  echo "testenv: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
}

# unavailable NAME WHY fails the run under CI=true and otherwise lets the tests skip.
unavailable() {
  echo "testenv: $1 unavailable: $2" >&2
  if [ "${CI:-}" = true ]; then echo "testenv: CI=true, so a missing $1 fails the run" >&2; exit 1; fi
}

# slurm_conf_common prints the slurm.conf settings that the single-node SLURM (slurm.sh) and
# the simulated cluster (cluster.sh) share: no systemd, no cgroups, no accounting, a scheduler
# that starts jobs at once, and MinJobAge=5 (at 6 or more, `sbatch --wait` returned 0 for a job
# it could no longer find).
slurm_conf_common() {
  cat <<'CONF'
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
CONF
}
