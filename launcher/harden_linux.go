//go:build linux

package launcher

import "golang.org/x/sys/unix"

// nonDumpable marks secrun non-dumpable: no core dump, no ptrace attach and no /proc/PID/mem
// or environ reads by other processes of the same user. execve of the child resets it.
func nonDumpable() { unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
