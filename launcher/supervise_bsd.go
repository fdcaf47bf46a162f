//go:build unix && !linux

package launcher

import "syscall"

// childAttr is empty: only Linux has a parent-death signal.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// defaultAction reports whether the Go runtime, with s reset, lets s kill the process: it
// does so for SIGHUP, SIGINT and SIGTERM. For the others Raise starts a shell to die of s.
func defaultAction(s syscall.Signal) bool {
	return s == syscall.SIGHUP || s == syscall.SIGINT || s == syscall.SIGTERM
}
