//go:build unix

package handoff

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Exec replaces this process with the full program, given args (os.Args, with the program
// name first) and this process's environment. It returns only on failure.
func Exec(args []string) error {
	full, err := Path()
	if err != nil {
		return err
	}
	err = unix.Exec(full, args, os.Environ())
	return fmt.Errorf("cannot run %s: %w", full, err)
}

// Path returns the full program's path: FullName in the directory of the running
// executable, after symbolic links (so that a link to secrun in /usr/local/bin finds the
// secrun-full installed beside the real file).
func Path() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("cannot find secrun's own executable, and %s beside it: %w", FullName, err)
	}
	return filepath.Join(filepath.Dir(exe), FullName), nil
}
