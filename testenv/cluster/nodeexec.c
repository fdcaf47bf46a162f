// nodeexec NODE COMMAND [ARGS...] runs COMMAND inside node NODE of the simulated cluster
// (testenv/cluster.sh): in the network, hostname and mount namespaces of the node's holder
// process, as the caller's real user, with the caller's environment and, when it exists on the
// node, the caller's working directory (else /). cluster.sh builds it setuid root, executable
// by root and the cluster's test group only, because entering a namespace needs root; it drops
// to the real uid and gid before running anything, and removes it when the cluster goes down.
// CLUSTER, the cluster's directory, is fixed at build time: only holders that cluster.sh
// recorded there can be entered.
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLUSTER
#error "build with -DCLUSTER='\"/path/of/the/cluster\"'"
#endif

static void die(const char *what, const char *arg) {
  fprintf(stderr, "nodeexec: %s %s: %s\n", what, arg, strerror(errno));
  exit(126);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: nodeexec NODE COMMAND [ARGS...]\n");
    return 2;
  }
  const char *node = argv[1];
  for (const char *p = node; *p; p++)
    if (!isalnum((unsigned char)*p) || p - node > 16) {
      fprintf(stderr, "nodeexec: bad node name %s\n", node);
      return 2;
    }
  char path[PATH_MAX], want[128], buf[256];
  snprintf(path, sizeof path, "%s/nodes/%s.pid", CLUSTER, node);
  FILE *f = fopen(path, "r");
  int pid = 0;
  if (!f) die("cannot open", path);
  if (fscanf(f, "%d", &pid) != 1 || pid <= 1) {
    fprintf(stderr, "nodeexec: no pid in %s\n", path);
    return 126;
  }
  fclose(f);
  // The holder runs as "secrun-node-NODE@CLUSTER": a reused pid is never entered.
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  snprintf(want, sizeof want, "secrun-node-%s@%s", node, CLUSTER);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (n < 0) die("cannot read", path);
  buf[n] = 0;
  close(fd);
  if (strcmp(buf, want) != 0) {
    fprintf(stderr, "nodeexec: pid %d is not the holder of node %s (is the cluster up?)\n", pid, node);
    return 126;
  }
  const char *kinds[] = {"net", "uts", "mnt"};
  int fds[3];
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, kinds[i]);
    if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) die("cannot open", path);
  }
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
  for (int i = 0; i < 3; i++) {
    if (setns(fds[i], 0) != 0) die("cannot enter the namespace", kinds[i]);
    close(fds[i]);
  }
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (uid != 0 || geteuid() != 0) {
    struct passwd *pw = getpwuid(uid);
    if (!pw) die("no passwd entry for uid", "");
    if (initgroups(pw->pw_name, gid) != 0) die("initgroups", pw->pw_name);
    if (setresgid(gid, gid, gid) != 0) die("setresgid", pw->pw_name);
    if (setresuid(uid, uid, uid) != 0) die("setresuid", pw->pw_name);
    if (setuid(0) == 0) {
      fprintf(stderr, "nodeexec: could regain root after dropping it\n");
      return 126;
    }
  }
  if (chdir(cwd) != 0 && chdir("/") != 0) die("chdir", "/");
  execvp(argv[2], argv + 2);
  die("cannot run", argv[2]);
}
