//go:build linux

package launcher

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childAttr asks Linux to kill the child if secrun dies first (say, of SIGKILL), so that it
// does not outlive the private directory's owner.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// defaultAction sets s back to its default action, bypassing the Go runtime's handler. An
// all-zero kernel sigaction is SIG_DFL with no flags and an empty mask on every architecture,
// whatever the layout of the structure, so a zeroed buffer larger than any layout serves.
func defaultAction(s syscall.Signal) bool {
	var act [8]uint64
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	return errno == 0
}
