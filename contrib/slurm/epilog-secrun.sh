#!/bin/sh
# epilog-secrun.sh: a SLURM Epilog that removes, on each node of a job that has ended, the
# secret files that secrun wrote for the job's user and could not remove itself because it
# was killed (SLURM sends SIGKILL to what is still running KillWait seconds after SIGTERM).
# Secret files of the user's other jobs that still run on the node are never touched.
#
# Install it on every node, for example as /etc/slurm/epilog.d/secrun.sh, and in slurm.conf:
#   Epilog=/etc/slurm/epilog.d/secrun.sh
# or call it from the site's existing epilog. It runs as root (slurmd runs the epilog so);
# secrun drops to the job's user before it removes anything. SECRUN names the secrun binary
# when it is not /usr/local/bin/secrun or on slurmd's PATH.
#
# It always exits 0: a failing epilog drains the node. A failure is logged on stderr, which
# slurmd writes to its log.
[ -n "${SLURM_JOB_UID:-}" ] || exit 0
secrun=${SECRUN:-$(command -v secrun || echo /usr/local/bin/secrun)}
"$secrun" cleanup --uid "$SLURM_JOB_UID" ||
  echo "epilog-secrun: '$secrun cleanup --uid $SLURM_JOB_UID' failed for job ${SLURM_JOB_ID:-?}" >&2
exit 0
