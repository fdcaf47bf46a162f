//go:build !windows

package keystore

import (
	"io/fs"
	"os"

	"github.com/secrun/secrun/internal/fileperm"
)

// checkOwnerMode refuses a store file or directory that group or others can access, as ssh
// does with keys, or that belongs to another user (fileperm.Private). perm_windows.go checks
// the DACL instead.
func checkOwnerMode(path string, fi fs.FileInfo) error {
	if p := fileperm.Private.Problem(fi); p != "" {
		return &PermError{Path: path, Mode: fi.Mode(), Problem: p}
	}
	return nil
}

// MkdirPrivate creates dir, and any missing parents, mode 0700.
func MkdirPrivate(dir string) error { return os.MkdirAll(dir, 0o700) }

// openFile opens path as os.OpenFile does, creating it mode 0600.
func openFile(path string, flag int) (*os.File, error) { return fileperm.Open(path, flag, 0o600) }

// createPrivateTemp creates a temp file as os.CreateTemp does: mode 0600.
func createPrivateTemp(dir, pattern string) (*os.File, error) { return os.CreateTemp(dir, pattern) }
