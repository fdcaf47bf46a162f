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

// platformKeep adds nothing to CleanKeep.
var platformKeep []string

// SetupSupported returns nil: setup lines run with /bin/sh.
func SetupSupported() error { return nil }

func isExecutable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

// Run starts the child. Without files it replaces secrun with the child (execve): signals,
// exit status and the process tree are the child's own, and Run returns only when the exec
// fails. With files or a Mask, it writes the files to a private directory, runs the child under supervision
// (see supervise), removes the directory and returns an *ExitError with the child's status.
func Run(c Child) error {
	argv := c.Argv
	if len(c.Setup) > 0 {
		argv = setupArgv(c.Setup, argv)
	}
	path, err := LookPath(argv[0], searchPath(c.Env))
	if err != nil {
		return err
	}
	if len(c.Files) > 0 || c.Mask != nil {
		var d *PrivateDir
		env := c.Env
		if len(c.Files) > 0 {
			if d, env, err = withFiles(c); err != nil {
				return err
			}
		}
		return supervise(path, argv, env, d, c.Mask)
	}
	RemoveStale()
	childLimits()
	err = unix.Exec(path, argv, c.Env)
	noCore()
	if errors.Is(err, unix.ENOENT) {
		// The file exists (LookPath saw it), so its interpreter is what is missing.
		return &CannotRunError{Path: path, Err: errors.New("its interpreter (#! line) was not found")}
	}
	return &CannotRunError{Path: path, Err: err}
}
