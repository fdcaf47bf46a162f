package audit

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// TestLine checks the JSON a line is written as: names only, keys as [] when none were read,
// a scope only for a scoped key, and the job, task and launcher of this process.
func TestLine(t *testing.T) {
	for _, v := range append(append([]string{"SLURM_STEP_ID", "SLURM_JOB_NODELIST"}, jobVars...), rankVars...) {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	tests := []struct {
		name   string
		env    map[string]string
		keys   []Key
		launch func() *Launch
		want   []string // parts of the line
		absent []string
	}{
		{name: "no keys", want: []string{`"env":"e"`, `"env_file":"envs.toml:3"`, `"program":"sh"`, `"keys":[]`},
			absent: []string{`"executable"`, `"jobs"`, `"task"`, `"launcher"`}},
		{name: "keys", keys: []Key{KeyOf("A", "file", keystore.Scope{}), KeyOf("B", "file", keystore.Scope{Project: "p"}), KeyOf("C", "keyring", keystore.Scope{})},
			want: []string{`"keys":[{"key":"A","store":"file"},{"key":"B","store":"file","scope":"p/*"},{"key":"C","store":"keyring"}]`}},
		{name: "job and task", env: map[string]string{"SLURM_JOB_ID": "42", "PBS_JOBID": "7.pbs", "SLURM_PROCID": "3", "OMPI_COMM_WORLD_RANK": "5", "SLURM_STEP_ID": "1"},
			want: []string{`"jobs":{"PBS_JOBID":"7.pbs","SLURM_JOB_ID":"42"}`, `"task":{"rank":"5","from":"OMPI_COMM_WORLD_RANK","step":"1"}`}},
		{name: "launcher", env: map[string]string{"SLURM_JOB_NODELIST": "n[1-3]"},
			launch: func() *Launch {
				return LaunchOf(launcher.OpenMPI, []string{"mpirun", "-x", "A", "./solver"}, []launcher.Var{{Name: "A", Value: "s3cr3t"}, {Name: "SECRUN_ENV"}})
			},
			want: []string{`"launcher":{"flavour":"openmpi","forwarded":["A","SECRUN_ENV"],"hosts":"n[1-3]"}`}},
		{name: "launcher with its own ranks", env: map[string]string{"SLURM_JOB_NODELIST": "n[1-3]"},
			launch: func() *Launch {
				return LaunchOf(launcher.OpenMPI, []string{"mpirun", "-np", "8", "./solver"}, nil)
			},
			want: []string{`"launcher":{"flavour":"openmpi","forwarded":null,"ranks":"8"}`}},
		{name: "no launcher", launch: func() *Launch { return LaunchOf(launcher.NoLauncher, []string{"./solver"}, nil) },
			absent: []string{`"launcher"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var launch *Launch
			if tt.launch != nil {
				launch = tt.launch()
			}
			data, err := json.Marshal(New("e", "envs.toml:3", "", "sh", tt.keys, launch))
			if err != nil {
				t.Fatal(err)
			}
			line := string(data)
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("line %s\nlacks %s", line, w)
				}
			}
			for _, a := range append(tt.absent, "s3cr3t") {
				if strings.Contains(line, a) {
					t.Errorf("line %s\nholds %s", line, a)
				}
			}
		})
	}
}

// TestAppend checks that lines are appended, one each, to a log made private, that a log
// left without its final newline (a write cut short) does not swallow the next line, and that
// a link in the log's place is refused.
func TestAppend(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the audit log's permission checks are Unix ones")
	}
	dir := filepath.Join(t.TempDir(), "state", "secrun")
	path := filepath.Join(dir, "audit.jsonl")
	l := New("e", "envs.toml", "", "sh", nil, nil)
	for range 2 {
		if err := Append(path, l); err != nil {
			t.Fatal(err)
		}
	}
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v, %v; want mode %v", p, fi.Mode(), err, want)
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"cut": `)
	f.Close()
	if err := Append(path, l); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 4 || lines[2] != `{"cut": ` {
		t.Fatalf("log:\n%s\nwant two lines, the cut one, and one more", data)
	}
	for _, i := range []int{0, 1, 3} {
		var got Line
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil || got.Env != "e" {
			t.Errorf("line %d %q: %v", i+1, lines[i], err)
		}
	}

	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	err = Append(link, l)
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "the command did not run") {
		t.Errorf("appending through a link: %v, want an *Error that stops the run", err)
	}
}

// TestAppendLocks: a line is appended under the log's lock, and its look at the log's end is
// made after the lock is taken, so a rank never reads the end while another rank writes.
func TestAppendLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrun", "audit.jsonl")
	l := New("e", "envs.toml", "", "sh", nil, nil)
	if err := Append(path, l); err != nil {
		t.Fatal(err)
	}
	f, _, err := keystore.OpenPrivate(path, os.O_RDWR|os.O_APPEND, "audit log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unlock, err := keystore.Lock(f, path, "audit log")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- Append(path, l) }()
	time.Sleep(200 * time.Millisecond)
	f.WriteString(`{"half": `) // what another rank's line looks like halfway, under the lock
	f.WriteString("1}\n")
	select {
	case err := <-done:
		t.Fatalf("Append returned (%v) while the log was locked", err)
	default:
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || lines[1] != `{"half": 1}` {
		t.Fatalf("log:\n%s\nwant a line, the other rank's, and one more, with no empty line", data)
	}
}
