//go:build windows

package launcher

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

var notDirErr = syscall.ENOTDIR

const defaultPath = `C:\Windows\System32;C:\Windows`

// envName folds case: Windows variable names are case-insensitive.
func envName(name string) string { return strings.ToUpper(name) }

// candidates adds the PATHEXT extensions to a name that has none.
func candidates(path string) []string {
	if filepath.Ext(path) != "" {
		return []string{path}
	}
	exts := strings.Split(strings.ToLower(os.Getenv("PATHEXT")), ";")
	if os.Getenv("PATHEXT") == "" {
		exts = []string{".com", ".exe", ".bat", ".cmd"}
	}
	out := make([]string, 0, len(exts))
	for _, e := range exts {
		if e != "" {
			out = append(out, path+e)
		}
	}
	return out
}

func isExecutable(fs.FileInfo) bool { return true }

// Run starts the child, waits for it and returns an *ExitError with its status: Windows has no
// exec. Ctrl-C reaches the child through the console; secrun ignores it while it waits. Files
// are written to a private directory first and removed after the child ends. With a Mask, the
// child's output goes through it.
func Run(c Child) error {
	if len(c.Setup) > 0 {
		return errors.New("setup lines need /bin/sh, which Windows does not have")
	}
	path, err := LookPath(c.Argv[0], ownPath())
	if err != nil {
		return err
	}
	env := c.Env
	if len(c.Files) > 0 {
		d, withEnv, err := withFiles(c)
		if err != nil {
			return err
		}
		defer d.Remove()
		env = withEnv
	}
	cmd := exec.Command(path, c.Argv[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	var filters []*Filter
	if c.Mask != nil {
		out, errOut := &Filter{M: c.Mask, W: os.Stdout}, &Filter{M: c.Mask, W: os.Stderr}
		cmd.Stdout, cmd.Stderr, filters = out, errOut, []*Filter{out, errOut}
	}
	signal.Ignore(os.Interrupt)
	err = cmd.Run()
	for _, f := range filters {
		f.Close() // Run waited for the copies; pass on what each held back
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return &ExitError{Code: ee.ExitCode()}
	case err != nil:
		return &CannotRunError{Path: path, Err: err}
	}
	return &ExitError{Code: 0}
}
