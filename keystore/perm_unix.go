//go:build unix

package keystore

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwnerMode refuses a store file or directory that group or others can access, as ssh
// does with keys, or that belongs to another user.
func checkOwnerMode(path string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o077 != 0 {
		return &PermError{Path: path, Mode: fi.Mode(),
			Problem: fmt.Sprintf("mode %04o gives group or others access", fi.Mode().Perm())}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &PermError{Path: path, Mode: fi.Mode(),
			Problem: fmt.Sprintf("it is owned by uid %d, but secrun runs as uid %d", st.Uid, os.Geteuid())}
	}
	return nil
}

// MkdirPrivate creates dir, and any missing parents, mode 0700.
func MkdirPrivate(dir string) error { return os.MkdirAll(dir, 0o700) }

// createPrivateTemp creates a temp file as os.CreateTemp does: mode 0600.
func createPrivateTemp(dir, pattern string) (*os.File, error) { return os.CreateTemp(dir, pattern) }
