# testenv/slurm.sh: a single-node SLURM (munge, slurmctld, slurmd) for integration/slurm_test.go,
# following ../shared/recipes.md. Jobs run as a throwaway user, secrun-ci, whose home is a
# fresh directory, so that a job with --export=NONE finds its store through the user database
# and nothing of root's own files is touched. Sourced by test.sh; exports SLURM_CONF,
# SECRUN_TEST_SLURM=1, SECRUN_TEST_SLURM_USER and SECRUN_TEST_SLURM_HOME when it is up.
slurm_up() {
  need_pkgs slurm-wlm munge || { unavailable SLURM "cannot install slurm-wlm and munge"; return; }
  if [ "$(id -u)" != 0 ]; then unavailable SLURM "starting slurmctld and slurmd needs root"; return; fi
  # Only daemons in this network namespace count: testenv/cluster.sh runs its own in the
  # namespaces of its nodes.
  if pgrep --ns $$ --nslist net -x slurmctld >/dev/null || pgrep --ns $$ --nslist net -x slurmd >/dev/null; then
    unavailable SLURM "a slurmctld or slurmd is already running here (another test run?); stop it first"; return
  fi
  local s; s=$(mktemp -d /tmp/secrun-slurm.XXXXXX)
  chmod 755 "$s"
  mkdir -p "$s/state" "$s/spool"
  export SLURM_CONF=$s/slurm.conf
  mkdir -p /run/munge && chown munge:munge /run/munge
  if ! [ -S /run/munge/munge.socket.2 ] || ! munge -n </dev/null | unmunge >/dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || /usr/sbin/mungekey -c 2>/dev/null || true
    runuser -u munge -- /usr/sbin/munged || { unavailable SLURM "munged did not start"; return; }
    on_exit 'kill $(cat /run/munge/munged.pid 2>/dev/null) 2>/dev/null'
  fi
  { slurm_conf_common; cat <<CONF
ClusterName=ci
SlurmctldHost=localhost
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64
CONF
  } > "$SLURM_CONF"
  slurmctld -i || { unavailable SLURM "slurmctld did not start (log: $s/slurmctld.log)"; return; }
  on_exit "scontrol shutdown >/dev/null 2>&1; sleep 0.5; kill \$(cat $s/slurmctld.pid $s/slurmd.pid 2>/dev/null) 2>/dev/null; rm -rf $s"
  slurmd -N localhost || { unavailable SLURM "slurmd did not start (log: $s/slurmd.log)"; return; }
  local i
  for i in $(seq 100); do sinfo -h -o %t 2>/dev/null | grep -qx idle && break; sleep 0.2; done
  sinfo -h -o %t | grep -qx idle || { unavailable SLURM "the node did not become idle (logs in $s)"; return; }
  local user=secrun-ci home=$s/home
  id "$user" >/dev/null 2>&1 || useradd --no-create-home --home-dir "$home" --shell /bin/sh "$user"
  usermod --home "$home" "$user"
  mkdir -p "$home" && chown "$user:" "$home" && chmod 700 "$home"
  on_exit "userdel $user 2>/dev/null"
  export SECRUN_TEST_SLURM=1 SECRUN_TEST_SLURM_USER=$user SECRUN_TEST_SLURM_HOME=$home
  echo "SLURM $(sinfo -V | cut -d' ' -f2) up; jobs run as $user (home $home)"
}
slurm_up
