//go:build windows

package launcher

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secrun/secrun/internal/dirs"
)

// shmDir is empty: Windows has no in-memory filesystem, so the user's temp directory is used.
const shmDir = ""

// sharedHome is "": on Windows the temp directory is in %LOCALAPPDATA%, which a roaming
// profile never copies to a server, and HOME (which Git Bash, MSYS2 and Cygwin set to the
// user's profile, around it) says nothing about where files are kept.
func sharedHome(dirs.Dirs) string { return "" }

// tempVar is the variable that sets the temp directory.
const tempVar = "TEMP"

func userTag() string {
	if u := os.Getenv("USERNAME"); u != "" && CheckFileName(u) == nil {
		return u
	}
	return "user"
}

// ensureParent creates the parent directory; the ACLs of the user's temp directory keep it
// private.
func ensureParent(parent string) error {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	return nil
}

// lockDir marks the directory as open. Windows has no directory locks that a later secrun
// could test, so stale directories are not detected there (see RemoveStale).
func (d *PrivateDir) lockDir() error {
	f, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	d.lock = f
	return nil
}

// writeExclusive creates path, which must not exist, read-only, and writes data to it.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeTree clears the read-only attribute of each file, which would stop its removal, and
// removes the tree. When os.RemoveAll fails (it uses calls that not every Windows, or Wine,
// implements), each file and then the directory is removed one by one; the error is
// RemoveAll's if something is left.
func removeTree(path string) error {
	var files []string
	filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			os.Chmod(p, 0o600)
			files = append(files, p)
		}
		return nil
	})
	err := os.RemoveAll(path)
	if err == nil {
		return nil
	}
	for _, f := range files {
		os.Remove(f)
	}
	if os.Remove(path) == nil {
		return nil
	}
	return err
}

// RemoveStale does nothing on Windows: without a lock to test, a live directory cannot be
// told from one whose secrun was killed.
func RemoveStale(dirs.Dirs) {}

// Raise does nothing on Windows, which has no signals to die of; the caller exits with the
// status.
func Raise(os.Signal) {}
