// Package audit holds secrun's audit log: the format of its lines (one JSON object a run,
// naming the environment, the program and the keys read with the store that gave each,
// never a value), what a line records of the process (user, host, batch job, rank and
// step), and the append, which gives the log the protections of secrun's own store. Whether
// a run is audited, and where the log is, config decides.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/secrun/secrun/keystore"
)

// jobVars are the batch systems' job identifiers that a line records.
var jobVars = []string{"SLURM_JOB_ID", "PBS_JOBID", "JOB_ID"}

// Line is one run in the audit log. It holds names only: never a value, and of the command
// only its program.
type Line struct {
	Time       string            `json:"time"`
	Host       string            `json:"host"`
	User       string            `json:"user"`
	UID        int               `json:"uid"`
	PID        int               `json:"pid"`
	Env        string            `json:"env"`
	EnvFile    string            `json:"env_file"`
	Executable string            `json:"executable,omitempty"`
	Program    string            `json:"program"`
	Keys       []Key             `json:"keys"`
	Jobs       map[string]string `json:"jobs,omitempty"`
	Task       *Task             `json:"task,omitempty"`     // this rank or task (task.go)
	Launcher   *Launch           `json:"launcher,omitempty"` // the launcher it forwarded to
}

// Key names a secret a run read and where it came from (never its value).
type Key struct {
	Key   string `json:"key"`
	Store string `json:"store"`
	Scope string `json:"scope,omitempty"`
}

// KeyOf is the Key of a secret read from store in scope, which a line gives for a scoped
// secret only.
func KeyOf(key, store string, scope keystore.Scope) Key {
	k := Key{Key: key, Store: store}
	if !scope.IsZero() {
		k.Scope = scope.String()
	}
	return k
}

// New is the line for a run of this process: envName defined at envFile, the executable label
// that was run ("" for none), the program, the keys read and the launcher it forwarded to
// (nil for none). The time, host, user, job and task are this process's.
func New(envName, envFile, label, program string, keys []Key, launch *Launch) Line {
	l := Line{
		Time: time.Now().UTC().Format(time.RFC3339Nano), UID: os.Getuid(), PID: os.Getpid(),
		Env: envName, EnvFile: envFile, Executable: label, Program: program, Keys: keys,
		Task: currentTask(), Launcher: launch,
	}
	if l.Keys == nil {
		l.Keys = []Key{}
	}
	l.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		l.User = u.Username
	} else {
		l.User = os.Getenv("USER")
	}
	for _, v := range jobVars {
		if id := os.Getenv(v); id != "" {
			if l.Jobs == nil {
				l.Jobs = map[string]string{}
			}
			l.Jobs[v] = id
		}
	}
	return l
}

// Append writes l as one line at the end of the audit log at path (see appendLine). A log
// that cannot be written, or that secrun refuses, gives an *Error.
func Append(path string, l Line) error {
	data, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	if err := appendLine(path, data); err != nil {
		return &Error{path: path, err: err}
	}
	return nil
}

// appendLine appends data and a newline to the audit log at path. The log and its directory
// get the store's protections, by the store's own code: the directory is created 0700 and
// must be the user's and closed to others; the log is opened without following a symlink or
// blocking on a FIFO, and must be a regular file with one link, the user's, mode 0600 or
// stricter. The line is written with a single write(2) to a file opened with O_APPEND, so
// lines of concurrent ranks never interleave on a local filesystem. A write cut short (a full
// disk) leaves a partial line: secrun then tries to end it with a newline, and a writer that
// finds the log not ending in one starts its line with one, so that a partial line never
// swallows the next run's line. (Truncating back instead could cut the line of a concurrent
// writer that appended meanwhile.) That look at the last byte, and the write, are made under
// an exclusive lock of the log (keystore.Lock): without it, a rank could look while another
// rank's line is half copied (a line across a page boundary is copied in two steps) and add
// a newline to a line that was whole, leaving an empty line. Where the filesystem takes no
// lock, the line is appended without one.
func appendLine(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := keystore.MkdirPrivate(dir); err != nil {
		return err
	}
	if err := keystore.CheckPrivateDir(dir, "audit log directory"); err != nil {
		return err
	}
	f, fi, err := keystore.OpenPrivate(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, "audit log")
	if err != nil {
		return err
	}
	unlock := func() {}
	if release, err := keystore.Lock(f, path, "audit log"); err == nil {
		unlock = release
		if fi, err = f.Stat(); err != nil { // its end now that no other secrun appends
			f.Close()
			return err
		}
	}
	line := append(data, '\n')
	if end := fi.Size(); end > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], end-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	n, err := f.Write(line)
	if err != nil && n > 0 {
		f.Write([]byte{'\n'}) // best effort: the disk may have no room for it either
	}
	unlock()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Error is an audit log that cannot be written, or that secrun refuses.
type Error struct {
	path string
	err  error
}

func (e *Error) Error() string {
	if errors.As(e.err, new(*keystore.PermError)) {
		return fmt.Sprintf("%v; the command did not run", e.err)
	}
	return fmt.Sprintf("cannot write the audit log %s: %v; the command did not run", e.path, e.err)
}
func (e *Error) Unwrap() error { return e.err }
func (e *Error) Hint() string {
	var h interface{ Hint() string }
	if errors.As(e.err, &h) {
		return h.Hint() + "\nor set audit = false in config.toml"
	}
	return "fix the directory (or XDG_STATE_HOME), or set audit = false in config.toml"
}
