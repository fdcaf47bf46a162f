package integration

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// storeEnv is a private file store in dir, for the store tests below.
func storeEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SECRUN_") {
			env = append(env, kv)
		}
	}
	return append(env, "SECRUN_DATA_DIR="+dir, "SECRUN_STORE=file", "HOME="+filepath.Dir(dir))
}

// secrunIn runs secrun with env and stdin and returns stdout, stderr and the error.
func secrunIn(t *testing.T, env []string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(secrunBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// fillStore writes n secrets of size bytes, so that every rewrite of the store takes a while.
func fillStore(t *testing.T, env []string, n, size int) {
	for i := range n {
		if _, e, err := secrunIn(t, env, strings.Repeat(string(rune('a'+i%26)), size), "secrets", "set", fmt.Sprintf("FILL_%03d", i)); err != nil {
			t.Fatalf("set FILL_%03d: %v: %s", i, err, e)
		}
	}
}

// TestStoreKilledWriters kills 'secrets set --overwrite' with SIGKILL at random moments, 40
// times: after each kill the store must read, and hold the old value or the new one, whole.
func TestStoreKilledWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	env := storeEnv(dir)
	fillStore(t, env, 20, 50_000) // a store of about 1.3 MB to rewrite
	value := func(i int) string { return fmt.Sprintf("value-%03d-", i) + strings.Repeat("x", 100_000) }
	start := time.Now()
	if _, e, err := secrunIn(t, env, value(0), "secrets", "set", "K"); err != nil {
		t.Fatalf("set K: %v: %s", err, e)
	}
	// kill moments spread over the whole run of a writer: start-up, read, write, rename
	span := time.Since(start) * 3 / 2
	current := value(0)
	r := rand.New(rand.NewPCG(7, 8))
	killed, landed := 0, 0
	for i := 1; i <= 40; i++ {
		cmd := exec.Command(secrunBinary(t), "secrets", "set", "--overwrite", "K")
		cmd.Env, cmd.Stdin = env, strings.NewReader(value(i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(r.Int64N(int64(span))))
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err != nil {
			killed++
		}
		got, e, err := secrunIn(t, env, "", "secrets", "get", "K")
		if err != nil {
			t.Fatalf("kill %d: the store does not read: %v: %s", i, err, e)
		}
		switch got {
		case current:
		case value(i):
			current = got
			landed++
		default:
			t.Fatalf("kill %d: K holds neither the old nor the new value (%d bytes)", i, len(got))
		}
		if _, e, err := secrunIn(t, env, "", "secrets", "get", "FILL_019"); err != nil {
			t.Fatalf("kill %d: another secret was lost: %v: %s", i, err, e)
		}
	}
	t.Logf("40 writers killed within %v of their start: %d died of the kill, %d new values landed", span, killed, landed)
	// the next writer removes temp files that killed writers left
	if _, e, err := secrunIn(t, env, "final", "secrets", "set", "--overwrite", "K"); err != nil {
		t.Fatalf("set after the kills: %v: %s", err, e)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(tmps) > 0 {
		t.Errorf("temp files left after a successful write: %q", tmps)
	}
}

// mountOrFail runs mount with args; without the privilege it fails under CI=true, else skips.
func mountOrFail(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("mount %s: %v: %s (the ENOSPC and read-only tests need root)", strings.Join(args, " "), err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func umount(t *testing.T, dir string) {
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

// storeSnapshot returns the store file's bytes.
func storeSnapshot(t *testing.T, dir string) []byte {
	data, err := os.ReadFile(filepath.Join(dir, "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStoreNoSpace fills a small tmpfs: a write that does not fit fails with a clear error
// and leaves the old store as it was, with no temp file.
func TestStoreNoSpace(t *testing.T) {
	mnt := t.TempDir()
	mountOrFail(t, "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", mnt)
	umount(t, mnt)
	dir := filepath.Join(mnt, "store")
	env := storeEnv(dir)
	if _, e, err := secrunIn(t, env, "old-s3cr3t-value", "secrets", "set", "OLD"); err != nil {
		t.Fatalf("set: %v: %s", err, e)
	}
	before := storeSnapshot(t, dir)
	// fill what is left
	f, _ := os.Create(filepath.Join(mnt, "filler"))
	f.Write(make([]byte, 1<<20))
	f.Close()
	_, e, err := secrunIn(t, env, strings.Repeat("n", 50_000), "secrets", "set", "NEW")
	if err == nil {
		t.Fatal("set on a full filesystem succeeded")
	}
	if code := err.(*exec.ExitError).ExitCode(); code != 125 || !strings.Contains(e, "no space left on device") ||
		!strings.Contains(e, filepath.Join(dir, "secrets.json")) {
		t.Errorf("status %d, stderr %q: want 125 and an error naming the store and ENOSPC", code, e)
	}
	if !bytes.Equal(storeSnapshot(t, dir), before) {
		t.Error("the store changed")
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(tmps) > 0 {
		t.Errorf("temp files left: %q", tmps)
	}
	if got, e, err := secrunIn(t, env, "", "secrets", "get", "OLD"); err != nil || got != "old-s3cr3t-value" {
		t.Errorf("get OLD after the failed write: %q, %v: %s", got, err, e)
	}
}

// TestStoreReadOnly: on a read-only filesystem reads work, and a write fails with a clear
// error and changes nothing.
func TestStoreReadOnly(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "store")
	env := storeEnv(dir)
	if _, e, err := secrunIn(t, env, "old-s3cr3t-value", "secrets", "set", "OLD"); err != nil {
		t.Fatalf("set: %v: %s", err, e)
	}
	before := storeSnapshot(t, dir)
	mountOrFail(t, "--bind", dir, dir)
	umount(t, dir)
	mountOrFail(t, "-o", "remount,ro,bind", dir)
	_, e, err := secrunIn(t, env, "new", "secrets", "set", "--overwrite", "OLD")
	if err == nil {
		t.Fatal("set on a read-only filesystem succeeded")
	}
	if code := err.(*exec.ExitError).ExitCode(); code != 125 || !strings.Contains(e, "read-only file system") || strings.Contains(e, "s3cr3t") {
		t.Errorf("status %d, stderr %q: want 125 and an error that says read-only", code, e)
	}
	if got, e, err := secrunIn(t, env, "", "secrets", "get", "OLD"); err != nil || got != "old-s3cr3t-value" {
		t.Errorf("get OLD: %q, %v: %s", got, err, e)
	}
	if !bytes.Equal(storeSnapshot(t, dir), before) {
		t.Error("the store changed")
	}
}

// TestStoreReadersAndWriters runs 200 readers while 20 writers each add their own key: every
// read succeeds with the right value, and every write lands.
func TestStoreReadersAndWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	env := storeEnv(dir)
	fillStore(t, env, 10, 10_000)
	if _, e, err := secrunIn(t, env, "stable-value", "secrets", "set", "STABLE"); err != nil {
		t.Fatalf("set: %v: %s", err, e)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 220)
	for i := range 220 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%11 == 0 { // 20 writers among the 200 readers
				w := i / 11
				if _, e, err := secrunIn(t, env, fmt.Sprintf("w-%02d", w), "secrets", "set", fmt.Sprintf("W_%02d", w)); err != nil {
					errs <- fmt.Errorf("writer %d: %v: %s", w, err, e)
				}
				return
			}
			if got, e, err := secrunIn(t, env, "", "secrets", "get", "STABLE"); err != nil || got != "stable-value" {
				errs <- fmt.Errorf("reader %d: %q, %v: %s", i, got, err, e)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range 20 {
		if got, e, err := secrunIn(t, env, "", "secrets", "get", fmt.Sprintf("W_%02d", w)); err != nil || got != fmt.Sprintf("w-%02d", w) {
			t.Errorf("W_%02d after the run: %q, %v: %s", w, got, err, e)
		}
	}
}
