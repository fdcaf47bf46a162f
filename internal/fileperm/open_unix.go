//go:build unix

package fileperm

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Open opens path as os.OpenFile does, with one difference: a file opened with O_NONBLOCK (so
// that a named pipe does not hang the open) is switched back to blocking before it becomes
// an *os.File. os.OpenFile would hand such a descriptor to Go's network poller, whose first
// use costs every launch four system calls (epoll_create1, eventfd2, two epoll_ctl) for
// files the poller refuses anyway: regular files cannot be polled.
func Open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, flag|syscall.O_CLOEXEC, uint32(perm.Perm()))
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if flag&syscall.O_NONBLOCK != 0 {
		// F_SETFL sets the status flags open took (O_APPEND stays), less O_NONBLOCK.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flag&^syscall.O_NONBLOCK); err != nil {
			syscall.Close(fd)
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
	}
	return os.NewFile(uintptr(fd), path), nil
}
