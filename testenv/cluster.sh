# testenv/cluster.sh: a simulated three-node cluster on this machine for
# integration/cluster_linux_test.go, following ../shared/recipes.md. Sourced by test.sh.
#
# Nodes head, n1, n2 and n3 each have their own network namespace (a veth on a bridge that has
# no address, no default route: traffic stays between these namespaces), hostname, /tmp,
# /dev/shm and /run/user; homes, binaries and users are shared, as NFS and LDAP share them on
# a real cluster. head runs slurmctld and is the login node; n1..n3 run one slurmd each. munge
# listens on a private socket and slurm.conf is bind-mounted at /etc/slurm in the nodes, so
# this cluster and testenv/slurm.sh's single-node SLURM never see each other. In $c/bin:
#   nodeexec NODE CMD...  runs CMD in a node as the caller (setuid: group $cluster_user only)
#   rsh HOST CMD...       the "ssh" for Open MPI and hydra: the remote side gets a fresh
#                         login environment, nothing of the caller's
#   probe SPEC...         prints PROBE{host=... rank=... NAME=ok|wrong|unset ...} per rank
#   epilog                the SLURM Epilog: runs each executable in $c/epilog.d
# Before exporting anything it checks, without secrun, that the simulation is faithful: nodes
# are separate, an exported variable does not reach remote Open MPI ranks and -x carries it,
# hydra passes everything by default, srun --export=NONE passes nothing. Exports
# SECRUN_TEST_CLUSTER (the cluster's directory) and SECRUN_TEST_CLUSTER_USER (a non-root user
# whose home is shared) when it is up. Everything it starts is stopped at exit, by pid or by
# namespace, and everything it created is removed.

cluster_user=secrun-cl
cluster_nodes=(head n1 n2 n3)
cluster_net=10.213.77
_cluster=

cluster_up() {
  need_pkgs iproute2 openmpi-bin mpich slurm-wlm munge gcc libc6-dev ||
    { unavailable cluster "cannot install iproute2, openmpi-bin, mpich, slurm-wlm, munge and gcc"; return; }
  if [ "$(id -u)" != 0 ]; then unavailable cluster "network and mount namespaces need root"; return; fi
  if ip netns list 2>/dev/null | grep -q '^secrun-' || ip link show secrun-br0 >/dev/null 2>&1; then
    unavailable cluster "namespaces secrun-* or the bridge secrun-br0 exist already (another test run?)"; return
  fi
  local c n i src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/cluster" && pwd)
  # Not under /tmp: the nodes mount their own /tmp.
  c=$(mktemp -d /var/tmp/secrun-cluster.XXXXXX) || { unavailable cluster "mktemp failed"; return; }
  _cluster=$c
  on_exit cluster_down
  chmod 755 "$c"
  mkdir -p "$c"/{bin,nodes,etc,state,run,log,home,munge,munge-run}

  # the test user and the setuid node-entry helper, runnable by root and that user's group only
  id "$cluster_user" >/dev/null 2>&1 || useradd --no-create-home --home-dir "$c/home/$cluster_user" --shell /bin/sh "$cluster_user"
  usermod --home "$c/home/$cluster_user" "$cluster_user" >/dev/null 2>&1
  mkdir -p "$c/home/$cluster_user" && chown "$cluster_user:" "$c/home/$cluster_user" && chmod 700 "$c/home/$cluster_user"
  gcc -O2 -Wall -DCLUSTER="\"$c\"" -o "$c/bin/nodeexec" "$src/nodeexec.c" ||
    { unavailable cluster "cannot build nodeexec"; return; }
  chown "root:$(id -gn "$cluster_user")" "$c/bin/nodeexec" && chmod 4750 "$c/bin/nodeexec"
  install -m 755 "$src/rsh" "$src/probe" "$src/node-init.sh" "$c/bin/"
  # the epilog runs what a test puts in epilog.d (the tests install contrib's epilog there)
  mkdir -p "$c/epilog.d" && chmod 755 "$c/epilog.d"
  printf '#!/bin/sh\nfor f in %s/epilog.d/*; do [ -x "$f" ] && "$f"; done\nexit 0\n' "$c" > "$c/bin/epilog"
  chmod 755 "$c/bin/epilog"

  # network: a bridge without an address, one veth per node, no default route, no IPv6
  ip link add secrun-br0 type bridge || { unavailable cluster "cannot create a bridge"; return; }
  sysctl -qw net.ipv6.conf.secrun-br0.disable_ipv6=1 2>/dev/null || true
  ip link set secrun-br0 up
  printf '127.0.0.1 localhost\n' > "$c/hosts"
  i=10
  for n in "${cluster_nodes[@]}"; do
    ip netns add "secrun-$n" &&
      ip link add "secrun-v$n" type veth peer name eth0 netns "secrun-$n" &&
      { sysctl -qw "net.ipv6.conf.secrun-v$n.disable_ipv6=1" 2>/dev/null || true; } &&
      ip link set "secrun-v$n" master secrun-br0 up &&
      nsenter --net="/run/netns/secrun-$n" sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
        ip link set lo up && ip addr add $cluster_net.$i/24 dev eth0 && ip link set eth0 up" ||
      { unavailable cluster "cannot set up the network of node $n"; return; }
    printf '%s %s\n' "$cluster_net.$i" "$n" >> "$c/hosts"
    i=$((i + 1))
  done
  cluster_conf "$c"

  # one holder per node: it keeps the node's UTS and mount namespaces (node-init.sh)
  for n in "${cluster_nodes[@]}"; do
    unshare --uts --mount --propagation private nsenter --net="/run/netns/secrun-$n" \
      "$c/bin/node-init.sh" "$n" "$c" </dev/null >"$c/log/holder-$n.log" 2>&1 &
    echo $! > "$c/nodes/$n.pid"
    disown $! # killed at the end without a job notice
  done
  for n in "${cluster_nodes[@]}"; do
    for i in $(seq 100); do [ -e "$c/nodes/$n.ready" ] && break; sleep 0.05; done
    [ -e "$c/nodes/$n.ready" ] || { unavailable cluster "node $n did not start (log: $c/log/holder-$n.log)"; return; }
  done

  # munge on a private socket, in the root namespace (nodes reach it through the shared path)
  chown munge:munge "$c/munge" "$c/munge-run" && chmod 700 "$c/munge" && chmod 755 "$c/munge-run"
  runuser -u munge -- /usr/sbin/mungekey --create --keyfile="$c/munge/munge.key" &&
    runuser -u munge -- /usr/sbin/munged --socket="$c/munge-run/munge.socket" --key-file="$c/munge/munge.key" \
      --pid-file="$c/munge-run/munged.pid" --log-file="$c/munge/munged.log" --seed-file="$c/munge/seed" ||
    { unavailable cluster "munged did not start (log: $c/munge/munged.log)"; return; }

  local x="$c/bin/nodeexec"
  SLURM_CONF=/etc/slurm/slurm.conf "$x" head slurmctld -i ||
    { unavailable cluster "slurmctld did not start (log: $c/log/slurmctld.log)"; return; }
  for n in "${cluster_nodes[@]:1}"; do
    SLURM_CONF=/etc/slurm/slurm.conf "$x" "$n" slurmd -N "$n" ||
      { unavailable cluster "slurmd did not start on $n (log: $c/log/slurmd-$n.log)"; return; }
  done
  for i in $(seq 150); do
    [ "$(SLURM_CONF=/etc/slurm/slurm.conf "$x" head sinfo -h -o '%D %t' 2>/dev/null)" = "3 idle" ] && break
    sleep 0.2
  done
  [ "$(SLURM_CONF=/etc/slurm/slurm.conf "$x" head sinfo -h -o '%D %t' 2>/dev/null)" = "3 idle" ] ||
    { unavailable cluster "the three nodes did not become idle (logs in $c/log)"; return; }

  local why
  if ! why=$(cluster_controls "$c"); then unavailable cluster "the simulation is not faithful: $why"; return; fi
  export SECRUN_TEST_CLUSTER=$c SECRUN_TEST_CLUSTER_USER=$cluster_user
  echo "cluster up in $c: head (slurmctld, login), n1 n2 n3 (slurmd); controls passed; user $cluster_user"
}

# cluster_conf C writes slurm.conf for the cluster in C/etc.
cluster_conf() {
  local c=$1
  { slurm_conf_common; cat <<CONF
ClusterName=secruncl
SlurmctldHost=head($cluster_net.10)
AuthInfo=socket=$c/munge-run/munge.socket
StateSaveLocation=$c/state
SlurmdSpoolDir=/tmp/slurmd
SlurmctldPidFile=$c/run/slurmctld.pid
SlurmdPidFile=$c/run/slurmd-%n.pid
SlurmctldLogFile=$c/log/slurmctld.log
SlurmdLogFile=$c/log/slurmd-%n.log
KillWait=5
Epilog=$c/bin/epilog
NodeName=n1 NodeAddr=$cluster_net.11 NodeHostname=n1 CPUs=2 State=UNKNOWN
NodeName=n2 NodeAddr=$cluster_net.12 NodeHostname=n2 CPUs=2 State=UNKNOWN
NodeName=n3 NodeAddr=$cluster_net.13 NodeHostname=n3 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
CONF
  } > "$c/etc/slurm.conf"
}

# cluster_controls C checks, without secrun, what makes the cluster a test of anything; it
# prints what is wrong and fails. The launchers run as the non-root user on the login node.
cluster_controls() {
  local c=$1 n out sum
  sum=$(printf %s control-value | sha256sum | cut -d' ' -f1)
  cluster_as_user() {
    runuser -u "$cluster_user" -- env -i PATH=/usr/bin:/bin HOME="$c/home/$cluster_user" USER="$cluster_user" \
      SLURM_CONF=/etc/slurm/slurm.conf CTRL=control-value "$c/bin/nodeexec" "$@" 2>&1
  }
  cluster_records() { grep -o 'PROBE{[^}]*}' | sort; }
  cluster_want() { # want WHAT VALUE: one record per node n1..n3 with CTRL=VALUE
    local w="PROBE{host=n1 rank=0 CTRL=$2}"$'\n'"PROBE{host=n2 rank=1 CTRL=$2}"$'\n'"PROBE{host=n3 rank=2 CTRL=$2}"
    [ "$(cluster_records <<<"$out")" = "$w" ] || { echo "$1: want CTRL=$2 on n1, n2, n3 (ranks 0-2), got: $out"; return 1; }
  }
  for n in "${cluster_nodes[@]}"; do
    [ "$(cluster_as_user "$n" hostname)" = "$n" ] || { echo "node $n has hostname $(cluster_as_user "$n" hostname)"; return 1; }
  done
  cluster_as_user n1 sh -c 'echo x > /dev/shm/secrun-cluster-control' || { echo "cannot write /dev/shm on n1"; return 1; }
  for n in head n2; do
    if cluster_as_user "$n" test -e /dev/shm/secrun-cluster-control; then echo "/dev/shm of n1 is seen on $n"; return 1; fi
  done
  [ ! -e /dev/shm/secrun-cluster-control ] || { echo "/dev/shm of n1 is the machine's"; return 1; }
  cluster_as_user n1 rm /dev/shm/secrun-cluster-control
  [ -z "$(ip -o addr show dev secrun-br0)" ] || { echo "the bridge has an address"; return 1; }
  for n in "${cluster_nodes[@]}"; do
    if "$c/bin/nodeexec" "$n" ip route | grep -q '^default'; then echo "node $n has a default route"; return 1; fi
  done
  local ompi="mpirun.openmpi --mca plm_rsh_agent $c/bin/rsh --host n1,n2,n3 -np 3"
  out=$(cluster_as_user head $ompi "$c/bin/probe" "CTRL=$sum"); cluster_want "Open MPI without -x" unset || return 1
  out=$(cluster_as_user head $ompi -x CTRL "$c/bin/probe" "CTRL=$sum"); cluster_want "Open MPI with -x CTRL" ok || return 1
  out=$(cluster_as_user head mpiexec.hydra -launcher rsh -launcher-exec "$c/bin/rsh" -hosts n1,n2,n3 -n 3 "$c/bin/probe" "CTRL=$sum")
  cluster_want "hydra by default" ok || return 1
  out=$(cluster_as_user head srun -N 3 -n 3 --export=NONE "$c/bin/probe" "CTRL=$sum"); cluster_want "srun --export=NONE" unset || return 1
  out=$(cluster_as_user head srun -N 3 -n 3 "$c/bin/probe" "CTRL=$sum"); cluster_want "srun" ok || return 1
}

# cluster_down stops everything cluster_up started and removes what it created.
cluster_down() {
  local c=$_cluster n f p pid ino want inos=()
  [ -n "$c" ] || return 0
  _cluster=
  rm -f "$c/bin/nodeexec" # setuid: first
  # slurm daemons by pid file, checked against the binary (Debian's are symlinks to *-wlm)
  for f in "$c"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    case $f in */slurmctld.pid) want=$(readlink -f /usr/sbin/slurmctld) ;; *) want=$(readlink -f /usr/sbin/slurmd) ;; esac
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$want" ] && kill "$pid" 2>/dev/null
  done
  # then whatever still runs in a node (job leftovers, holders), found by network namespace
  for n in "${cluster_nodes[@]}"; do
    ino=$(stat -L -c %i "/run/netns/secrun-$n" 2>/dev/null) && inos+=("net:[$ino]")
  done
  cluster_in_nodes() {
    local p ns
    for p in /proc/[0-9]*; do
      ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
      case " ${inos[*]} " in *" $ns "*) grep -q '^State:.*Z' "$p/status" 2>/dev/null || echo "${p#/proc/}" ;; esac
    done
  }
  if [ ${#inos[@]} -gt 0 ]; then
    sleep 0.3
    for i in 1 2 3 4 5 6 7 8 9 10; do
      p=$(cluster_in_nodes)
      [ -z "$p" ] && break
      kill -KILL $p 2>/dev/null
      sleep 0.2
    done
    [ -z "$(cluster_in_nodes)" ] || echo "testenv: cluster: processes still in the nodes: $(cluster_in_nodes)" >&2
  fi
  pid=$(cat "$c/munge-run/munged.pid" 2>/dev/null) &&
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/munged ] && kill "$pid" 2>/dev/null
  for n in "${cluster_nodes[@]}"; do
    [ -e "/run/netns/secrun-$n" ] && ip netns del "secrun-$n"
  done
  ip link del secrun-br0 2>/dev/null
  userdel "$cluster_user" 2>/dev/null
  for i in $(seq 20); do [ -e "$c/munge-run/munge.socket" ] || break; sleep 0.1; done
  rm -rf "$c"
  return 0
}

cluster_up
