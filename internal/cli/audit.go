package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/secrun/secrun/config"
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
// The line is written with a single write(2) to a file opened with O_APPEND, so lines of
// concurrent ranks never interleave on a local filesystem. A log that cannot be written stops
// the run: an audit that silently misses runs would be worse than none.
func (g *globals) audit(envName, envFile, label, program string, keys []readKey, launch *auditLaunch) error {
	c, err := g.config()
	if err != nil || !c.Audit {
		return err
	}
	path, err := config.AuditPath()
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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &auditError{path: path, err: err}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return &auditError{path: path, err: err}
	}
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &auditError{path: path, err: err}
	}
	g.verbosef("audit: a line for this run in %s", path)
	return nil
}

// auditError is an audit log that cannot be written.
type auditError struct {
	path string
	err  error
}

func (e *auditError) Error() string {
	return fmt.Sprintf("cannot write the audit log %s: %v; the command did not run", e.path, e.err)
}
func (e *auditError) Unwrap() error { return e.err }
func (e *auditError) Hint() string {
	return "fix the directory (or XDG_STATE_HOME), or set audit = false in config.toml"
}
