//go:build unix

package keystore

import (
	"os"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive flock on f if it is free, and reports whether it did. Locks
// taken through separate open() calls exclude each other even within one process.
func tryLock(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case unix.EWOULDBLOCK:
			return false, nil
		case unix.EINTR:
			continue
		}
		return false, err
	}
}

// unlockFile releases the lock taken by tryLock.
func unlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
