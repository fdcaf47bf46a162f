//go:build (darwin || dragonfly || freebsd || netbsd || openbsd) && !lean

package cli

import "golang.org/x/sys/unix"

// The ioctls that read and set a terminal's attributes.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
