#!/bin/bash
# node-init.sh NODE CLUSTER: the holder of one node of the simulated cluster (testenv/cluster.sh).
# It runs in the node's own network namespace and in a fresh UTS and mount namespace, sets the
# hostname, gives the node its own /tmp, /dev/shm and /run/user (node-local, as on a real
# cluster) and its hosts file and slurm.conf, says it is ready, and then just holds the
# namespaces until it is killed. Everything else (homes, binaries, users) is shared.
set -e
node=$1 cluster=$2
hostname "$node"
for d in /tmp /dev/shm /run/user; do mount -t tmpfs -o mode=1777,size=256m "tmpfs-$node" "$d"; done
chmod 755 /run/user
mount --bind "$cluster/hosts" /etc/hosts
mount --bind "$cluster/etc" /etc/slurm
: > "$cluster/nodes/$node.ready"
exec -a "secrun-node-$node@$cluster" sleep infinity
