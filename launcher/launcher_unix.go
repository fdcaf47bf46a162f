//go:build unix

package launcher

import (
	"errors"
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

var notDirErr = syscall.ENOTDIR

const defaultPath = "/usr/bin:/bin"

func envName(name string) string { return name }

func candidates(path string) []string { return []string{path} }

func isExecutable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

// Run replaces secrun with the child (execve): signals, exit status and the process tree are
// the child's own. It returns only when the exec fails.
func Run(c Child) error {
	argv := c.Argv
	if len(c.Setup) > 0 {
		argv = setupArgv(c.Setup, argv)
	}
	path, err := LookPath(argv[0], searchPath(c.Env))
	if err != nil {
		return err
	}
	err = unix.Exec(path, argv, c.Env)
	if errors.Is(err, unix.ENOENT) {
		// The file exists (LookPath saw it), so its interpreter is what is missing.
		return &CannotRunError{Path: path, Err: errors.New("its interpreter (#! line) was not found")}
	}
	return &CannotRunError{Path: path, Err: err}
}
