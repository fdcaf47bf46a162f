//go:build linux

package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// holdLock takes the store's write lock in the test process, as a hung writer would, and
// returns the function that releases it.
func holdLock(t *testing.T, dir string) func() {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "secrets.lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	release := func() { f.Close() }
	t.Cleanup(release)
	return release
}

// secrunTimed runs secrun and fails the test, rather than hang, when it takes over limit.
func secrunTimed(t *testing.T, env []string, limit time.Duration, stdin string, args ...string) (string, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, secrunBinary(t), args...)
	cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("secrun %s still waiting after %s: stderr %q", strings.Join(args, " "), limit, stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stderr.String(), code, took
}

// TestStoreLockHeld: a writer that finds the store's lock held says after about a second who
// holds it, and gives up with 125 after SECRUN_LOCK_TIMEOUT; once the lock is released in
// time it goes on.
func TestStoreLockHeld(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	env := storeEnv(dir)
	if _, e, err := secrunIn(t, env, "lock-s3cr3t", "secrets", "set", "A"); err != nil {
		t.Fatalf("set: %v: %s", err, e)
	}
	release := holdLock(t, dir)
	holder := fmt.Sprintf("held by pid %d (%s)", os.Getpid(), procComm(os.Getpid()))

	e, code, took := secrunTimed(t, append(env, "SECRUN_LOCK_TIMEOUT=3"), 20*time.Second, "v", "secrets", "set", "B")
	if code != 125 || took < 3*time.Second || !strings.Contains(e, "waiting for the lock of the secret store ("+filepath.Join(dir, "secrets.lock")+"), "+holder) ||
		!strings.Contains(e, "error: the lock of the secret store ("+filepath.Join(dir, "secrets.lock")+") is "+holder+"; gave up after 3s") || !strings.Contains(e, "SECRUN_LOCK_TIMEOUT") {
		t.Errorf("set with the lock held: status %d after %s, stderr %q", code, took.Round(time.Millisecond), e)
	}
	if strings.Contains(e, "lock-s3cr3t") {
		t.Error("a value in stderr")
	}
	// every writer gives up, at once with a timeout of 0
	for _, args := range [][]string{
		{"secrets", "delete", "A"},
		{"secrets", "delete-all", "--yes"},
		{"secrets", "import", "--from", "json", "-"},
	} {
		e, code, _ := secrunTimed(t, append(env, "SECRUN_LOCK_TIMEOUT=0"), 20*time.Second, `{"C": "c-value"}`, args...)
		if code != 125 || !strings.Contains(e, "the lock of the secret store (") || !strings.Contains(e, holder) {
			t.Errorf("%s with the lock held: status %d, stderr %q", strings.Join(args, " "), code, e)
		}
	}
	if e, code, _ := secrunTimed(t, append(env, "SECRUN_LOCK_TIMEOUT=soon"), 20*time.Second, "v", "secrets", "set", "B"); code != 125 ||
		!strings.Contains(e, `SECRUN_LOCK_TIMEOUT="soon" is not a duration`) {
		t.Errorf("a bad SECRUN_LOCK_TIMEOUT: status %d, stderr %q", code, e)
	}
	// released after 1.5 s: the default limit waits, says so once, and the write lands
	time.AfterFunc(1500*time.Millisecond, release)
	e, code, _ = secrunTimed(t, env, 20*time.Second, "b-value", "secrets", "set", "B")
	if code != 0 || strings.Count(e, "waiting for the lock") != 1 || !strings.Contains(e, "giving up after 30s") {
		t.Errorf("set with the lock released in time: status %d, stderr %q", code, e)
	}
	if got, e, err := secrunIn(t, env, "", "secrets", "get", "B"); err != nil || got != "b-value" {
		t.Errorf("get B = %q, %v: %s", got, err, e)
	}
}

func procComm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}
