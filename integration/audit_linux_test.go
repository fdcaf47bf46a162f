//go:build linux

package integration

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAuditTornLine fills a small tmpfs so that an audit line is cut short (the log's last
// page has room for part of it, the filesystem for nothing more): that run fails, and the next
// run's line, once there is room again, is a whole line of its own.
func TestAuditTornLine(t *testing.T) {
	mnt := t.TempDir()
	mountOrFail(t, "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mnt)
	umount(t, mnt)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config", "secrun")
	os.MkdirAll(conf, 0o700)
	os.WriteFile(filepath.Join(conf, "config.toml"), []byte("audit = true\n"), 0o600)
	os.WriteFile(filepath.Join(conf, "envs.toml"), []byte("[[env]]\nname = \"e\"\nsecrets = [\"K\"]\n"), 0o600)
	env := append(storeEnv(filepath.Join(dir, "store")), "XDG_CONFIG_HOME="+filepath.Dir(conf), "XDG_STATE_HOME="+mnt)
	if _, e, err := secrunIn(t, env, "torn-s3cr3t", "secrets", "set", "K"); err != nil {
		t.Fatalf("set: %v: %s", err, e)
	}
	// An earlier line that leaves 40 bytes free in the log's first page.
	logDir := filepath.Join(mnt, "secrun")
	log := filepath.Join(logDir, "audit.jsonl")
	os.Mkdir(logDir, 0o700)
	const first = 4096 - 40
	earlier := `{"pad":"` + strings.Repeat("x", first-11) + "\"}\n"
	if err := os.WriteFile(log, []byte(earlier), 0o600); err != nil {
		t.Fatal(err)
	}
	filler, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for block := make([]byte, 4096); ; {
		if _, err := filler.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	filler.Close()

	_, e, err := secrunIn(t, env, "", "-e", "e", "--", "true")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(e, "no space left on device") {
		t.Fatalf("run on a full disk: %v, stderr %q: want 125 and ENOSPC", err, e)
	}
	if fi, err := os.Stat(log); err != nil || fi.Size() <= first {
		t.Fatalf("no partial line was written (size %v, %v): the test did not make a short write", fi.Size(), err)
	}

	os.Remove(filepath.Join(mnt, "filler"))
	if _, e, err := secrunIn(t, env, "", "-e", "e", "--", "true"); err != nil {
		t.Fatalf("run with room again: %v: %s", err, e)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var last struct{ Env string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Env != "e" {
		t.Errorf("the last line is not the last run's own: %v: %q", err, lines[len(lines)-1])
	}
	if lines[0]+"\n" != earlier {
		t.Error("the earlier line changed")
	}
}
