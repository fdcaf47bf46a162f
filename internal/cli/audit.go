package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/secrun/secrun/config"
	"github.com/secrun/secrun/keystore"
)

// auditJobVars are the batch systems' job identifiers that an audit line records.
var auditJobVars = []string{"SLURM_JOB_ID", "PBS_JOBID", "JOB_ID"}

// auditLine is one run in the audit log. It holds names only: never a value, and of the
// command only its program.
type auditLine struct {
	Time       string            `json:"time"`
	Host       string            `json:"host"`
	User       string            `json:"user"`
	UID        int               `json:"uid"`
	PID        int               `json:"pid"`
	Env        string            `json:"env"`
	EnvFile    string            `json:"env_file"`
	Executable string            `json:"executable,omitempty"`
	Program    string            `json:"program"`
	Keys       []readKey         `json:"keys"`
	Jobs       map[string]string `json:"jobs,omitempty"`
	Task       *auditTask        `json:"task,omitempty"`     // this rank or task (audit_task.go)
	Launcher   *auditLaunch      `json:"launcher,omitempty"` // the launcher it forwarded to
}

// audit appends one line for this run to the audit log when config.toml has audit = true.
// A log that cannot be written, or that secrun refuses (see appendLine), stops the run: the
// user asked for an audit, and one that silently misses runs would be worse than none.
func (g *globals) audit(envName, envFile, label, program string, keys []readKey, launch *auditLaunch) error {
	c, err := g.config()
	if err != nil || !c.Audit {
		return err
	}
	path, err := config.AuditPath(g.dirs)
	if err != nil {
		return err
	}
	l := auditLine{
		Time: time.Now().UTC().Format(time.RFC3339Nano), UID: os.Getuid(), PID: os.Getpid(),
		Env: envName, EnvFile: envFile, Executable: label, Program: program, Keys: keys,
		Task: currentTask(), Launcher: launch,
	}
	if l.Keys == nil {
		l.Keys = []readKey{}
	}
	l.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		l.User = u.Username
	} else {
		l.User = os.Getenv("USER")
	}
	for _, v := range auditJobVars {
		if id := os.Getenv(v); id != "" {
			if l.Jobs == nil {
				l.Jobs = map[string]string{}
			}
			l.Jobs[v] = id
		}
	}
	data, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	if err := appendLine(path, data); err != nil {
		return &auditError{path: path, err: err}
	}
	g.verbosef("audit: a line for this run in %s", path)
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
// writer that appended meanwhile.)
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
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// auditError is an audit log that cannot be written, or that secrun refuses.
type auditError struct {
	path string
	err  error
}

func (e *auditError) Error() string {
	if errors.As(e.err, new(*keystore.PermError)) {
		return fmt.Sprintf("%v; the command did not run", e.err)
	}
	return fmt.Sprintf("cannot write the audit log %s: %v; the command did not run", e.path, e.err)
}
func (e *auditError) Unwrap() error { return e.err }
func (e *auditError) Hint() string {
	var h interface{ Hint() string }
	if errors.As(e.err, &h) {
		return h.Hint() + "\nor set audit = false in config.toml"
	}
	return "fix the directory (or XDG_STATE_HOME), or set audit = false in config.toml"
}
