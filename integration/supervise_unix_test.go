//go:build unix

package integration

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the built secrun binary, as a user or a scheduler would, and signal it.

const fileSecret = "tls-s3cr3t-0123456789"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// secrunBinary builds secrun once per test run.
func secrunBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "secrun-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "secrun")
		buildErr = buildSecrun(binPath)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// buildSecrun builds secrun into out, with flags for go build.
func buildSecrun(out string, flags ...string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, "github.com/secrun/secrun")
	if b, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return errors.New("go build " + filepath.Base(out) + ": " + err.Error() + "\n" + string(b))
	}
	return nil
}

// sandbox is a private HOME with a file secret and an environment "e" that delivers it as a
// file, so that every run is supervised.
type sandbox struct {
	t    *testing.T
	dir  string
	bin  string
	env  []string
	runD string // XDG_RUNTIME_DIR
}

func newSandbox(t *testing.T) *sandbox {
	s := &sandbox{t: t, dir: t.TempDir(), bin: secrunBinary(t)}
	home := filepath.Join(s.dir, "home")
	s.runD = filepath.Join(s.dir, "run")
	for _, d := range []string{filepath.Join(home, ".config", "secrun"), s.runD} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// XDG_CONFIG_HOME: the definitions are at their Linux path on macOS too
	s.env = isolatedEnv(home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_RUNTIME_DIR="+s.runD)
	defs := "[[env]]\nname = \"e\"\nsecrets = [{ key = \"tls\", file = true }]\n"
	if err := os.WriteFile(filepath.Join(home, ".config", "secrun", "envs.toml"), []byte(defs), 0o600); err != nil {
		t.Fatal(err)
	}
	set := s.cmd("secrets", "set", "tls")
	set.Stdin = strings.NewReader(fileSecret)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secrets set: %v\n%s", err, out)
	}
	return s
}

func (s *sandbox) cmd(args ...string) *exec.Cmd {
	c := exec.Command(s.bin, args...)
	c.Env, c.Dir = s.env, s.dir
	return c
}

// start runs secrun with a child shell script. The script runs after the child has written
// its private directory to dir.txt; start returns once the child has also run `ready`, which
// writes its pid to child.pid: first, unless script calls `ready;` itself (after its traps,
// so that no signal comes before them).
func (s *sandbox) start(script string) (*exec.Cmd, int, string) {
	s.t.Helper()
	prelude := `echo "$SECRUN_SECRETS_DIR" > dir.txt; test -r "$tls_FILE" || exit 99; ready() { echo $$ > pid.tmp; mv pid.tmp child.pid; }; `
	if !strings.Contains(script, "ready;") {
		script = "ready; " + script
	}
	c := s.cmd("-e", "e", "--", "sh", "-c", prelude+script)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		if strings.Contains(stderr.String(), fileSecret) {
			s.t.Errorf("secrun's stderr holds the secret value")
		}
	})
	pidFile := filepath.Join(s.dir, "child.pid")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(pidFile); err == nil {
			os.Remove(pidFile)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			dir, _ := os.ReadFile(filepath.Join(s.dir, "dir.txt"))
			return c, pid, strings.TrimSpace(string(dir))
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			s.t.Fatalf("the child did not start; stderr: %s", stderr.String())
		}
	}
}

func gone(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// waitStatus waits for c and returns its wait status.
func waitStatus(t *testing.T, c *exec.Cmd) syscall.WaitStatus {
	t.Helper()
	err := c.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return c.ProcessState.Sys().(syscall.WaitStatus)
}

func TestSupervisedSignalToSecrun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			s := newSandbox(t)
			c, _, dir := s.start("exec sleep 60")
			if gone(dir) {
				t.Fatalf("private directory %q does not exist while the child runs", dir)
			}
			if sig == syscall.SIGTERM {
				checkNoArgvLeak(t)
			}
			c.Process.Signal(sig)
			ws := waitStatus(t, c)
			if !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("secrun ended with %v (exit %d), want death by %v", ws, ws.ExitStatus(), sig)
			}
			if !gone(dir) {
				t.Errorf("private directory %s is still there", dir)
			}
			checkNoFileLeak(t, s.dir)
		})
	}
}

func TestSupervisedChildTrapsTerm(t *testing.T) {
	s := newSandbox(t)
	c, _, dir := s.start(`trap 'kill $!; exit 42' TERM; ready; sleep 60 & wait`)
	c.Process.Signal(syscall.SIGTERM)
	if ws := waitStatus(t, c); ws.Signaled() || ws.ExitStatus() != 42 {
		t.Errorf("secrun ended with %v, want exit 42", ws)
	}
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}

func TestSupervisedRelaysUSR1(t *testing.T) {
	s := newSandbox(t)
	c, _, _ := s.start(`trap 'echo got > usr1.txt; kill $!; exit 0' USR1; ready; sleep 60 & wait`)
	c.Process.Signal(syscall.SIGUSR1)
	if ws := waitStatus(t, c); ws.ExitStatus() != 0 {
		t.Errorf("secrun ended with %v, want exit 0", ws)
	}
	if data, _ := os.ReadFile(filepath.Join(s.dir, "usr1.txt")); string(data) != "got\n" {
		t.Errorf("the child did not get SIGUSR1 (usr1.txt: %q)", data)
	}
}

// A shell that runs secrun sees the child's death by a signal as 128+N.
func TestSupervisedChildKilledSeenByShell(t *testing.T) {
	s := newSandbox(t)
	for sig, want := range map[string]string{"SEGV": "139", "KILL": "137", "TERM": "143", "USR1": "138", "QUIT": "131"} {
		c := exec.Command("sh", "-c", `"$0" -e e -- sh -c 'kill -`+sig+` $$' 2>/dev/null; echo $?`, s.bin)
		c.Env, c.Dir = s.env, s.dir
		out, err := c.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("child killed by SIG%s: the shell saw %s, want %s", sig, got, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(s.runD, "secrun-"+strconv.Itoa(os.Getuid())))
	if len(entries) != 0 {
		t.Errorf("%d private directories left behind", len(entries))
	}
	if _, err := os.Stat(filepath.Join(s.dir, "core")); err == nil {
		t.Errorf("a core file was written")
	}
}

// A secrun killed by SIGKILL cannot clean up; its child dies with it (Linux), and the next
// secrun of the user removes the directory it left.
func TestStaleDirectoryAfterSIGKILL(t *testing.T) {
	s := newSandbox(t)
	c, child, dir := s.start("exec sleep 60")
	c.Process.Signal(syscall.SIGKILL)
	if ws := waitStatus(t, c); ws.Signal() != syscall.SIGKILL {
		t.Fatalf("secrun ended with %v", ws)
	}
	if gone(dir) {
		t.Fatalf("private directory %s is gone after SIGKILL: the test proves nothing", dir)
	}
	if runtime.GOOS == "linux" {
		for deadline := time.Now().Add(10 * time.Second); alive(child); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				syscall.Kill(child, syscall.SIGKILL)
				t.Fatalf("the child %d outlived its SIGKILLed secrun", child)
			}
		}
	}
	// a live secrun's directory is kept while a stale one is removed
	live, _, liveDir := s.start("exec sleep 60")
	if !gone(dir) {
		t.Errorf("the next secrun did not remove the stale directory %s", dir)
	}
	if out, err := s.cmd("-e", "e", "--", "true").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if gone(liveDir) {
		t.Errorf("a later secrun removed the directory %s of a live one", liveDir)
	}
	live.Process.Signal(syscall.SIGTERM)
	waitStatus(t, live)
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// checkNoArgvLeak reads every process's argv while a secret is delivered.
func checkNoArgvLeak(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	if len(files) == 0 {
		t.Fatal("no /proc/*/cmdline to read")
	}
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && bytes.Contains(data, []byte(fileSecret)) {
			t.Errorf("%s holds the secret value", f)
		}
	}
}

// checkNoFileLeak looks for the secret value in every file under root, after the run.
func checkNoFileLeak(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte(fileSecret)) {
				t.Errorf("%s holds the secret value", path)
			}
		}
		return nil
	})
}

// A masked run whose output reader goes away (secrun ... | head -1) survives it: the child's
// stdout is closed, so the child sees a broken pipe as it would without secrun, its stderr is
// still copied, the private directory is removed and secrun exits with the child's status.
func TestMaskClosedOutput(t *testing.T) {
	for _, tt := range []struct {
		name, script string
		sig          syscall.Signal // the child's death, or 0
		code         int
	}{
		{"child dies of SIGPIPE", `while :; do echo line; done`, syscall.SIGPIPE, 0},
		{"child handles EPIPE", `trap '' PIPE; while echo line; do :; done 2>/dev/null; echo "stderr still copied" >&2; exit 7`, 0, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox(t)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			c := s.cmd("-e", "e", "--mask", "--", "sh", "-c", `echo "$SECRUN_SECRETS_DIR" > dir.txt; `+tt.script)
			var stderr bytes.Buffer
			c.Stdout, c.Stderr = w, &stderr
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			line := make([]byte, 5)
			if _, err := r.Read(line); err != nil || string(line) != "line\n" {
				t.Fatalf("first line %q, %v", line, err)
			}
			r.Close()
			done := make(chan syscall.WaitStatus, 1)
			go func() { done <- waitStatus(t, c) }()
			var ws syscall.WaitStatus
			select {
			case ws = <-done:
			case <-time.After(20 * time.Second):
				c.Process.Kill()
				t.Fatalf("secrun did not end after its output was closed; stderr: %s", stderr.String())
			}
			switch {
			case tt.sig != 0 && (!ws.Signaled() || ws.Signal() != tt.sig):
				t.Errorf("secrun ended with %v (exit %d), want death by %v; stderr: %s", ws, ws.ExitStatus(), tt.sig, stderr.String())
			case tt.sig == 0 && (ws.Signaled() || ws.ExitStatus() != tt.code):
				t.Errorf("secrun ended with %v (exit %d), want exit %d; stderr: %s", ws, ws.ExitStatus(), tt.code, stderr.String())
			case tt.sig == 0 && !strings.Contains(stderr.String(), "stderr still copied"):
				t.Errorf("the child's stderr was not copied after stdout closed: %q", stderr.String())
			}
			dir, _ := os.ReadFile(filepath.Join(s.dir, "dir.txt"))
			if d := strings.TrimSpace(string(dir)); d == "" || !gone(d) {
				t.Errorf("private directory %q is still there (or was never named)", d)
			}
		})
	}
}
