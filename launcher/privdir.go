package launcher

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/names"
)

// The private directory holds a run's secret files: <base>/secrun-<uid>/<pid>-<random>/, the
// directory mode 0700 and each file 0400. base is the first usable one of $XDG_RUNTIME_DIR,
// /dev/shm and the temp directory (node-local and, for the first two, in memory), never one
// inside $HOME on Unix, which is often on a shared filesystem (see sharedHome). The run
// directory is locked for as long as its secrun runs, so that a later secrun can tell a
// directory whose owner was killed (unlocked, and no process with its pid) from a live one,
// and remove it.

// PrivateDir is a private directory created for one run.
type PrivateDir struct {
	Path   string
	lock   *os.File // the open, locked directory; nil once removed
	parent string   // a fallback parent made for this run alone, removed with it; "" for none
}

// privateBases lists the candidate base directories, best first: $XDG_RUNTIME_DIR
// (places.Runtime), /dev/shm (where the OS has one), then the temp directory. A base inside
// sharedHome(places) is left out.
func privateBases(places dirs.Dirs) []string {
	var bases []string
	if places.Runtime != "" {
		bases = append(bases, places.Runtime)
	}
	if shmDir != "" {
		bases = append(bases, shmDir)
	}
	bases = append(bases, os.TempDir())
	home := sharedHome(places)
	out := bases[:0]
	for _, b := range bases {
		if !within(b, home) {
			out = append(out, filepath.Clean(b))
		}
	}
	return out
}

// within reports whether path is dir or inside it (dir "" is nowhere).
func within(path, dir string) bool {
	if dir == "" || !filepath.IsAbs(dir) {
		return false
	}
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// parentName is the per-user directory under a base.
func parentName() string { return "secrun-" + userTag() }

// NewPrivateDir creates and locks a fresh private directory in the first base of
// privateBases(places) where that works. It first removes directories left behind by secruns
// that were killed. When a base's secrun-<uid> is not ours (any local user can create it first in a shared /dev/shm or /tmp),
// it warns and uses a fresh parent of a random name in that base instead, which nobody can
// have created before: a planted directory must not make every file delivery fail.
func NewPrivateDir(places dirs.Dirs) (*PrivateDir, error) {
	RemoveStale(places)
	var problems []string
	for _, base := range privateBases(places) {
		d, err := newDirIn(filepath.Join(base, parentName()))
		var pe *PrivateDirError
		if errors.As(err, &pe) {
			if d, err = newFallbackDir(base); err == nil {
				fmt.Fprintf(os.Stderr, "secrun: warning: %v; using %s instead (%s)\n", pe, d.parent, pe.Fix)
				return d, nil
			}
		}
		if err == nil {
			return d, nil
		}
		problems = append(problems, err.Error())
	}
	if len(problems) == 0 {
		problems = append(problems, "every candidate base directory is inside "+sharedHome(places))
	}
	return nil, &PrivateDirError{Msg: "cannot create a private directory for the secret files: " + strings.Join(problems, "; "),
		Fix: "set XDG_RUNTIME_DIR or " + tempVar + " to a node-local directory that you can write"}
}

// newFallbackDir creates a parent secrun-<uid>-<random> in base, which must not exist yet,
// and the run directory in it. Remove removes both.
func newFallbackDir(base string) (*PrivateDir, error) {
	for range 10 {
		name, err := randomName(parentName() + "-")
		if err != nil {
			return nil, err
		}
		parent := filepath.Join(base, name)
		err = os.Mkdir(parent, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", parent, err)
		}
		d, err := newDirIn(parent)
		if err != nil {
			os.Remove(parent)
			return nil, err
		}
		d.parent = parent
		return d, nil
	}
	return nil, fmt.Errorf("create a private directory in %s: too many name collisions", base)
}

// randomName is prefix followed by 12 random hex digits.
func randomName(prefix string) (string, error) {
	var rnd [6]byte
	if err := readRandom(rnd[:]); err != nil {
		return "", fmt.Errorf("private directory: %w", err)
	}
	return prefix + hex.EncodeToString(rnd[:]), nil
}

// newDirIn creates the run directory <pid>-<random> under parent, creating parent (or
// checking an existing one) first.
func newDirIn(parent string) (*PrivateDir, error) {
	if err := ensureParent(parent); err != nil {
		return nil, err
	}
	for range 10 {
		name, err := randomName(strconv.Itoa(os.Getpid()) + "-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(parent, name)
		err = os.Mkdir(path, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		d := &PrivateDir{Path: path}
		if err := d.lockDir(); err != nil {
			os.Remove(path)
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("create a private directory in %s: too many name collisions", parent)
}

// WriteFiles writes each file into the directory with mode 0400, refusing a name that is not
// one plain path element and a file that already exists.
func (d *PrivateDir) WriteFiles(files []File) error {
	for _, f := range files {
		if err := CheckFileName(f.Name); err != nil {
			return err
		}
		if err := writeExclusive(filepath.Join(d.Path, f.Name), f.Data); err != nil {
			return fmt.Errorf("write secret file %s: %w", filepath.Join(d.Path, f.Name), err)
		}
	}
	return nil
}

// Remove deletes the directory and everything in it, then releases its lock. It is safe to
// call twice.
func (d *PrivateDir) Remove() error {
	if d == nil || d.lock == nil {
		return nil
	}
	err := removeTree(d.Path)
	d.lock.Close()
	d.lock = nil
	if d.parent != "" && err == nil {
		err = os.Remove(d.parent)
	}
	if err != nil {
		return fmt.Errorf("remove private directory %s: %w", d.Path, err)
	}
	return nil
}

// CheckFileName returns an error unless name is one path element that stays inside a
// directory (names.ValidFile says which).
func CheckFileName(name string) error {
	if !names.ValidFile(name) {
		return &PrivateDirError{Msg: fmt.Sprintf("refusing secret file name %+q: it must be one plain path element", name),
			Fix: "use a name without '/', '\\', ':' or control characters, other than . and .."}
	}
	return nil
}

// PrivateDirError is a problem with the private directory that the user must fix.
type PrivateDirError struct{ Msg, Fix string }

func (e *PrivateDirError) Error() string { return e.Msg }

// Hint says what to do.
func (e *PrivateDirError) Hint() string { return e.Fix }

// withFiles creates the private directory, writes c's files and returns the child's
// environment with DirVar and each file's variable set.
func withFiles(c Child) (*PrivateDir, []string, error) {
	d, err := NewPrivateDir(c.Dirs)
	if err != nil {
		return nil, nil, err
	}
	if err := d.WriteFiles(c.Files); err != nil {
		d.Remove()
		return nil, nil, err
	}
	env := c.Env
	if c.DirVar != "" {
		env = setenv(env, c.DirVar, d.Path)
	}
	for _, f := range c.Files {
		if f.Var != "" {
			env = setenv(env, f.Var, filepath.Join(d.Path, f.Name))
		}
	}
	return d, env, nil
}
