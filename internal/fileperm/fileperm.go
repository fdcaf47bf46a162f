// Package fileperm holds secrun's rules for the files it trusts: who may own a file or a
// directory above it and who may write to them, and how to read such a file without blocking
// on a named pipe or reading without end. The store's files are held to Private; definition
// and settings files, which choose what runs and with which secrets, to NoWrites. It knows
// nothing of what the files hold, and imports nothing of secrun.
package fileperm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Rule says who may own a file or directory and which mode bits must be clear.
type Rule struct {
	// Mask holds the mode bits that must be clear: 0o077 (no access for group or others)
	// or 0o022 (no writes by group or others).
	Mask fs.FileMode
	// RootOK allows files owned by root as well as by the user who runs secrun.
	RootOK bool
}

var (
	// Private is the store's rule, as ssh's for keys: owned by the user, closed to group
	// and others.
	Private = Rule{Mask: 0o077}
	// NoWrites is the rule for files that decide what secrun runs: owned by the user or
	// root, writable by no one else.
	NoWrites = Rule{Mask: 0o022, RootOK: true}
)

// Trust widens NoWrites for shared layouts, by name.
type Trust struct {
	// Groups are group names whose members may write definition files and the directories
	// above them: a file or directory whose group is one of these may be writable by that
	// group and owned by any user.
	Groups []string
	// Settings marks config.toml, which names the trusted groups and is never widened by
	// them: its hints do not offer trusted_groups.
	Settings bool
}

// Problem returns what breaks r for a file or directory with fi (its Stat), or "". On
// Windows, where access is governed by ACLs rather than mode bits, it returns "".
func (r Rule) Problem(fi fs.FileInfo) string { return r.problem(fi, nil) }

// Error is a file that secrun refuses to read: its own mode or owner, a directory above it,
// its kind or its size.
type Error struct {
	Path    string // the file that was to be read
	At      string // the file or directory at fault: Path or a directory above it
	Problem string
	Fix     string // what to do, a command line where there is one
	Err     error  // ErrTooLarge for a file over the size limit, else nil
}

func (e *Error) Error() string {
	if e.At != e.Path {
		return fmt.Sprintf("directory %s: %s", e.At, e.Problem)
	}
	return e.Problem
}

// Hint says how to fix it.
func (e *Error) Hint() string { return e.Fix }

// ErrTooLarge is wrapped by the Error for a file over the size limit.
var ErrTooLarge = errors.New("file too large")

// ReadTrusted reads the file at path after checking it as NoWrites (widened by t) requires:
// it must be a regular file of at most limit bytes, and it and every directory above it, up
// to the root, must pass NoWrites; a directory that others can write to passes when it has
// the sticky bit and is owned by the user or root, as /tmp. A symbolic link is followed, and
// the directories above both the link and the file it leads to are checked. The file is
// opened without blocking (a named pipe does not hang) and checked on the open descriptor.
// Problems are *Error values; a missing file gives an error that wraps fs.ErrNotExist.
func ReadTrusted(path string, limit int64, t Trust) ([]byte, error) {
	data, _, err := ReadTrustedInfo(path, limit, t)
	return data, err
}

// ReadTrustedInfo is ReadTrusted that also returns the file's fstat, taken before the read.
func ReadTrustedInfo(path string, limit int64, t Trust) ([]byte, fs.FileInfo, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if err := checkInfo(path, fi, limit, t, false); err != nil {
		return nil, nil, err
	}
	data, err := ReadOpen(f, fi.Size(), limit)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, tooLarge(path, limit)
	}
	return data, fi, nil
}

// CheckTrusted applies ReadTrusted's checks to the file at path without opening it, and
// returns its stat: what a cache of the file's content needs to know that a read would be
// allowed and whether the file is the one it read before.
func CheckTrusted(path string, limit int64, t Trust) (fs.FileInfo, error) {
	// For a clean absolute path (definition files are named so) whose last component is not
	// a symbolic link, the lstat is the stat, and the walk need not look at the file again:
	// one system call fewer on every launch, on a home directory that may be remote.
	if filepath.IsAbs(path) && filepath.Clean(path) == path {
		fi, err := os.Lstat(path)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return fi, checkInfo(path, fi, limit, t, true)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return fi, checkInfo(path, fi, limit, t, false)
}

// checkInfo is the rule of ReadTrusted for a file whose stat is fi; noLink says that fi is
// the lstat of path, which is clean and absolute.
func checkInfo(path string, fi fs.FileInfo, limit int64, t Trust, noLink bool) error {
	if !fi.Mode().IsRegular() {
		return &Error{Path: path, At: path, Problem: "it is not a regular file (" + kind(fi.Mode()) + ")",
			Fix: "name a regular file"}
	}
	if err := checkTree(path, fi, t, noLink); err != nil {
		return err
	}
	if fi.Size() > limit {
		return tooLarge(path, limit)
	}
	return nil
}

func tooLarge(path string, limit int64) error {
	return &Error{Path: path, At: path, Problem: fmt.Sprintf("it is larger than the limit of %d KiB", limit>>10),
		Fix: "split it into several files", Err: ErrTooLarge}
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// kind names a file type that is not a regular file.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// Quote quotes a path for a command line the user may paste.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
