// Package launcher turns a command, the variables to add to its environment and optional setup
// lines into the running child process: the child's environment, PATH lookup, the shell script
// for setup lines and shell text, exec (Unix) or start-and-wait (Windows), forwarding of the
// variables' names through MPI launchers and srun, the private directory for secret files
// (stale ones removed), masking of values in the child's output, and the supervised child
// (signal relay, re-raise); and Harden, which keeps secrun's own process from dumping core or
// being read. It knows no definition or store formats: it is handed names and values and never
// prints a value.
package launcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/names"
)

// Child is a command ready to run.
type Child struct {
	Argv  []string // program and arguments, exactly as the user gave them; nil when Script is set
	Setup []string // shell lines run by the shell before the program; empty for a direct exec
	// Script, when not "", is shell text run by the shell (after Setup) instead of Argv.
	Script string
	// Shell runs Setup and Script: a program name or path; "" for DefaultShell (see command).
	Shell string
	Env   []string // the complete environment of the child, NAME=VALUE
	// Files are written to a private directory before the child starts and removed when it
	// ends; with any, secrun stays as the child's supervisor instead of exec'ing it.
	Files []File
	// DirVar, when Files are given, names the variable that gets the private directory's path.
	DirVar string
	// Mask, when not nil, makes secrun stay as the child's supervisor and pass the child's
	// stdout and stderr through it (see Masker).
	Mask *Masker
	// Dirs place the private directory: in Dirs.Runtime when set, never inside Dirs.Home.
	Dirs dirs.Dirs
}

// File is one file for the private directory: Data is written to Name, and the variable
// Var (if not "") gets the file's full path.
type File struct {
	Name string
	Data []byte
	Var  string
}

// Var is one variable added to the child's environment.
type Var struct {
	Name  string
	Value string
}

// CleanKeep lists the inherited variables that a clean environment keeps: these, and on
// Windows those that its programs need to start at all (see platformKeep).
var CleanKeep = append([]string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM", "TMPDIR"}, platformKeep...)

// Environ builds a child environment: base (all of it, or only the CleanKeep names when clean),
// then vars in order, each replacing an inherited variable of the same name.
func Environ(base []string, clean bool, vars []Var) []string {
	drop := make(map[string]bool, len(vars))
	for _, v := range vars {
		drop[names.FoldVar(v.Name)] = true
	}
	var keep map[string]bool
	if clean {
		keep = make(map[string]bool, len(CleanKeep))
		for _, k := range CleanKeep {
			keep[names.FoldVar(k)] = true
		}
	}
	env := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if drop[names.FoldVar(name)] || (clean && !keep[names.FoldVar(name)]) {
			continue
		}
		env = append(env, kv)
	}
	for _, v := range vars {
		env = append(env, v.Name+"="+v.Value)
	}
	return env
}

// Getenv returns the value of name in env, the last one if it appears twice, and whether
// it is there at all.
func Getenv(env []string, name string) (string, bool) {
	val, found := "", false
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && names.SameVar(k, name) {
			val, found = v, true
		}
	}
	return val, found
}

// searchPath is the PATH to search in env: its own, or execvp's default when it has none
// (a job started with 'sbatch --export=NONE' has no PATH at all).
func searchPath(env []string) string {
	if path, ok := Getenv(env, "PATH"); ok {
		return path
	}
	return defaultPath
}

// ownPath is the PATH that the command is looked up in: secrun's own, as it inherited it (or
// execvp's default when it has none), never one that the child's environment got from a
// secret, which would choose the program.
func ownPath() string { return searchPath(os.Environ()) }

// NotFoundError reports a command that does not exist (exit status 127, as env(1)).
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("command %q not found", e.Name)
}

// Hint tells the user where secrun looked.
func (e *NotFoundError) Hint() string {
	if strings.ContainsRune(e.Name, filepath.Separator) || strings.Contains(e.Name, "/") {
		return "check the path; relative paths are taken from the current directory"
	}
	return "it is not in any directory of PATH; give its full path or fix PATH"
}

// ExitCode is 127.
func (e *NotFoundError) ExitCode() int { return 127 }

// CannotRunError reports a command that exists but cannot be executed (exit status 126).
type CannotRunError struct {
	Path string
	Err  error
}

func (e *CannotRunError) Error() string {
	return fmt.Sprintf("cannot run %s: %v", e.Path, e.Err)
}

func (e *CannotRunError) Unwrap() error { return e.Err }

// Hint suggests the usual fix.
func (e *CannotRunError) Hint() string {
	if errors.Is(e.Err, fs.ErrPermission) {
		return "make it executable (chmod +x " + e.Path + ") or run it through its interpreter"
	}
	return ""
}

// ExitCode is 126.
func (e *CannotRunError) ExitCode() int { return 126 }

// ExitError carries the exit status of a child that secrun waited for. When the child was
// killed by a signal, Signal is that signal and Code is 128 plus its number, the status a
// shell reports; the caller should then die of the same signal with Raise.
type ExitError struct {
	Code   int
	Signal os.Signal
}

func (e *ExitError) Error() string {
	if e.Signal != nil {
		return fmt.Sprintf("command killed by signal %v", e.Signal)
	}
	return fmt.Sprintf("command exited with status %d", e.Code)
}

// ExitCode is the child's status.
func (e *ExitError) ExitCode() int { return e.Code }

// LookPath finds the program to run for name using the PATH value path, the way execvp does:
// a name with a slash is used as it is (on Windows, with the PATHEXT extensions tried when
// it has none of them); otherwise each PATH entry is tried in order, an empty
// entry meaning the current directory. A file that exists but is not executable gives a
// *CannotRunError if nothing executable comes after it.
func LookPath(name, path string) (string, error) {
	if name == "" {
		return "", &NotFoundError{Name: name}
	}
	var cands []string
	if strings.ContainsAny(name, `/`+string(filepath.Separator)) {
		cands = candidates(name)
	} else {
		for _, dir := range filepath.SplitList(path) {
			if dir == "" {
				dir = "."
			}
			cands = append(cands, candidates(filepath.Join(dir, name))...)
		}
	}
	var denied error
	for _, cand := range cands {
		err := checkExecutable(cand)
		if err == nil {
			return cand, nil
		}
		var cr *CannotRunError
		if denied == nil && errors.As(err, &cr) {
			denied = err
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", &NotFoundError{Name: name}
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return &NotFoundError{Name: path}
	case err != nil:
		return &CannotRunError{Path: path, Err: err}
	case fi.IsDir():
		return &CannotRunError{Path: path, Err: errors.New("is a directory")}
	case !isExecutable(fi):
		return &CannotRunError{Path: path, Err: fs.ErrPermission}
	}
	return nil
}

// setenv returns env with name set to value, replacing any earlier entries of that name.
func setenv(env []string, name, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !names.SameVar(k, name) {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}
