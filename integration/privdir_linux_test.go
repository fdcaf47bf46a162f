package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// planter is a second local user, made for tests that need another user's files.
const planter = "secrun-planter"

// asPlanter creates the planter user (as root) and returns a function that runs a command as it.
func asPlanter(t *testing.T) func(args ...string) {
	t.Helper()
	localUser(t, planter)
	return func(args ...string) {
		t.Helper()
		if out, err := exec.Command("runuser", append([]string{"-u", planter, "--"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("as %s: %s: %v\n%s", planter, strings.Join(args, " "), err, out)
		}
	}
}

// Another user who plants secrun-<uid> in a shared base (a directory, a file or a symlink of
// theirs) does not stop file delivery: secrun warns and uses a fresh directory of its own.
func TestPlantedPrivateParent(t *testing.T) {
	as := asPlanter(t)
	shared, err := os.MkdirTemp("", "secrun-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o1777); err != nil {
		t.Fatal(err)
	}
	parent := filepath.Join(shared, "secrun-"+strconv.Itoa(os.Getuid()))
	s := newSandbox(t)
	s.env = append(s.env, "XDG_RUNTIME_DIR="+shared)
	for what, plant := range map[string][]string{
		"a directory": {"mkdir", "-m", "0777", parent},
		"a file":      {"touch", parent},
		"a symlink":   {"ln", "-s", "/tmp", parent},
	} {
		t.Run(what, func(t *testing.T) {
			as(plant...)
			defer os.RemoveAll(parent)
			c := s.cmd("-e", "e", "--", "sh", "-c", `cat "$tls_FILE"; echo; echo "$SECRUN_SECRETS_DIR"`)
			var stderr strings.Builder
			c.Stderr = &stderr
			out, err := c.Output()
			if err != nil {
				t.Fatalf("secrun with %s planted: %v\n%s", what, err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 2 || lines[0] != fileSecret {
				t.Fatalf("output %q, want the secret file's content and the directory", out)
			}
			dir := lines[1]
			if !strings.HasPrefix(dir, parent+"-") {
				t.Errorf("private directory %s, want a fresh %s-*", dir, parent)
			}
			if !gone(dir) || !gone(filepath.Dir(dir)) {
				t.Errorf("private directory %s (or its parent) is still there", dir)
			}
			if !strings.Contains(stderr.String(), "secrun: warning: refusing to use "+parent) {
				t.Errorf("no warning about %s: %q", parent, stderr.String())
			}
			if strings.Contains(stderr.String(), fileSecret) {
				t.Errorf("stderr holds the secret value")
			}
		})
	}
}
