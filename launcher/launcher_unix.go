//go:build unix

package launcher

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

const defaultPath = "/usr/bin:/bin"

func candidates(path string) []string { return []string{path} }

// platformKeep adds nothing to CleanKeep.
var platformKeep []string

// SetupSupported returns nil: setup lines and shell text run with bash (or /bin/sh).
func SetupSupported() error { return nil }

func isExecutable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

// Run starts the child, looked up in secrun's own PATH (see ownPath). Without files it replaces secrun with the child (execve): signals,
// exit status and the process tree are the child's own, and Run returns only when the exec
// fails. With files or a Mask, it writes the files to a private directory, runs the child under supervision
// (see supervise), removes the directory and returns an *ExitError with the child's status.
func Run(c Child) error {
	path, argv, err := c.command()
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
	RemoveStale(c.Dirs)
	childLimits()
	err = unix.Exec(path, argv, c.Env)
	if errors.Is(err, unix.ENOEXEC) {
		var shArgv []string
		if shArgv, err = shScript(path, argv); err == nil {
			err = unix.Exec("/bin/sh", shArgv, c.Env)
		}
	}
	noCore()
	if errors.Is(err, unix.ENOENT) {
		// The file exists (LookPath saw it), so its interpreter is what is missing.
		return &CannotRunError{Path: path, Err: errors.New("its interpreter (#! line) was not found")}
	}
	return &CannotRunError{Path: path, Err: err}
}

// shScript returns the argv that runs path with /bin/sh, for a file the kernel refused with
// ENOEXEC (no #! line and no binary format it knows): execvp, and so env(1) and the shells,
// run such a file as a /bin/sh script. A file whose first line holds a NUL byte is taken for a
// binary of another system instead, as bash does, and gives an error (status 126).
func shScript(path string, argv []string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the system cannot run it and it cannot be read as a script: %w", err)
	}
	defer f.Close()
	head := make([]byte, 80)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the system cannot run it and it cannot be read as a script: %w", err)
	}
	head = head[:n]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, fmt.Errorf("%w: it is not a script (its first line holds a NUL byte), and not a program for this system", unix.ENOEXEC)
	}
	return append([]string{"/bin/sh", path}, argv[1:]...), nil
}
