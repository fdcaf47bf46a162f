//go:build windows

package launcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

const defaultPath = `C:\Windows\System32;C:\Windows`

// platformKeep are the variables that Windows programs need to start and find their files
// (without SYSTEMROOT, for one, Winsock cannot load): a clean environment keeps them.
var platformKeep = []string{
	"SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "COMSPEC", "PATHEXT", "TEMP", "TMP",
	"USERPROFILE", "USERNAME", "USERDOMAIN", "HOMEDRIVE", "HOMEPATH", "APPDATA", "LOCALAPPDATA",
	"PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432", "COMMONPROGRAMFILES",
	"COMPUTERNAME", "OS", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS",
}

// pathExts returns the PATHEXT extensions in lower case.
func pathExts() []string {
	if os.Getenv("PATHEXT") == "" {
		return []string{".com", ".exe", ".bat", ".cmd"}
	}
	var exts []string
	for _, e := range strings.Split(strings.ToLower(os.Getenv("PATHEXT")), ";") {
		if e != "" {
			exts = append(exts, e)
		}
	}
	return exts
}

// candidates returns the files that path may name: path itself when it ends in one of the
// PATHEXT extensions, else path with each of them added (after path itself, when it has an
// extension of another kind, as in solver.v2).
func candidates(path string) []string {
	exts := pathExts()
	ext := strings.ToLower(filepath.Ext(path))
	if slices.Contains(exts, ext) {
		return []string{path}
	}
	var out []string
	if ext != "" {
		out = append(out, path)
	}
	for _, e := range exts {
		out = append(out, path+e)
	}
	return out
}

func isExecutable(fs.FileInfo) bool { return true }

// SetupSupported returns why setup lines and shell-text commands cannot run: they are bash
// (or /bin/sh) text.
func SetupSupported() error {
	return &UnsupportedError{Msg: "setup lines and shell-text commands are bash commands, which secrun does not run on Windows",
		Fix: "use an environment without setup lines here, or run the setup in the command itself, as in: cmd /c \"setup.bat && program\""}
}

// UnsupportedError is a request that secrun cannot carry out on this platform.
type UnsupportedError struct{ Msg, Fix string }

func (e *UnsupportedError) Error() string { return e.Msg }

// Hint says what to do instead.
func (e *UnsupportedError) Hint() string { return e.Fix }

// Run starts the child, waits for it and returns an *ExitError with its status: Windows has no
// exec. Ctrl-C reaches the child through the console; secrun ignores it while it waits. Files
// are written to a private directory first and removed after the child ends. With a Mask, the
// child's output goes through it. A batch file runs through cmd.exe with arguments that it
// cannot expand (see batchCommand).
func Run(c Child) error {
	if len(c.Setup) > 0 || c.Script != "" {
		err := SetupSupported().(*UnsupportedError)
		return &UnsupportedError{Msg: err.Msg + "; the command did not run", Fix: err.Fix}
	}
	path, err := LookPath(c.Argv[0], ownPath())
	if err != nil {
		return err
	}
	cmd := exec.Command(path, c.Argv[1:]...)
	if isBatch(path) {
		if cmd, err = batchCommand(path, c.Argv[1:]); err != nil {
			return err
		}
	}
	env := c.Env
	if len(c.Files) > 0 {
		d, withEnv, err := withFiles(c)
		if err != nil {
			return err
		}
		defer func() {
			if err := d.Remove(); err != nil {
				fmt.Fprintf(os.Stderr, "secrun: warning: %v\n", err)
			}
		}()
		env = withEnv
	}
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

// batchPlain are the characters that a batch file's argument may hold without quotes.
const batchPlain = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/\+@~#$`

func isBatch(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".bat" || ext == ".cmd"
}

// batchCommand runs a batch file the way Windows would, through cmd.exe, but with a command
// line of secrun's own: cmd.exe does not parse arguments as other programs do, and it expands
// %NAME% (and, with delayed expansion, !NAME!) anywhere in them, even in quotes, so an
// argument could pull any variable, a secret's among them, into the command. An argument with
// %, !, a double quote or a line break is refused; every other one that holds more than
// letters, digits and -_.:/\+@~#$ is put in double quotes, inside which & | < > ^ ( ) and the
// separators space , ; = are plain characters. /d skips AutoRun commands and /v:off turns
// delayed expansion off for the line.
func batchCommand(path string, args []string) (*exec.Cmd, error) {
	line := `"` + path + `"`
	for i, a := range append([]string{path}, args...) {
		if j := strings.IndexAny(a, "%!\"\r\n\x00"); j >= 0 {
			what := fmt.Sprintf("argument %d", i)
			if i == 0 {
				what = "its path"
			}
			return nil, &UnsupportedError{
				Msg: fmt.Sprintf("refusing to run batch file %s: %s holds %+q, which cmd.exe would expand or split on", path, what, a[j:j+1]),
				Fix: "cmd.exe cannot be given % ! \" or line breaks safely: pass such a value in an environment variable, or run a program (.exe) instead of a batch file"}
		}
		switch {
		case i == 0:
		case a == "" || strings.Trim(a, batchPlain) != "":
			line += ` "` + a + `"`
		default:
			line += " " + a
		}
	}
	comspec := filepath.Join(os.Getenv("SYSTEMROOT"), "System32", "cmd.exe")
	if os.Getenv("SYSTEMROOT") == "" {
		comspec = `C:\Windows\System32\cmd.exe`
	}
	cmd := exec.Command(comspec)
	// The outer quotes are the ones that /c strips.
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /d /e:on /v:off /c "` + line + `"`}
	return cmd, nil
}
