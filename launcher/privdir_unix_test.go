//go:build unix

package launcher

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secrun/secrun/internal/dirs"
)

func TestCheckFileName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"cert.pem", true}, {"panda_secrets.json", true}, {".hidden", true}, {"a b", true}, {"é", true},
		{"", false}, {".", false}, {"..", false}, {"../x", false}, {"a/b", false}, {"/etc/passwd", false},
		{`a\b`, false}, {"a:b", false}, {"a\x00b", false}, {"a\nb", false}, {"\xff", false}, {"a\ufffdb", false},
		{string(make([]byte, 256)), false},
	}
	for _, tt := range tests {
		if err := CheckFileName(tt.name); (err == nil) != tt.ok {
			t.Errorf("CheckFileName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		path, dir string
		want      bool
	}{
		{"/home/u", "/home/u", true}, {"/home/u/tmp", "/home/u", true}, {"/home/u2", "/home/u", false},
		{"/tmp", "/home/u", false}, {"/tmp", "", false}, {"/home/u/../v", "/home/u", false},
	}
	for _, tt := range tests {
		if got := within(tt.path, tt.dir); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.path, tt.dir, got, tt.want)
		}
	}
}

func TestPrivateBases(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", filepath.Join(home, "tmp"))
	t.Setenv("XDG_RUNTIME_DIR", "relative/run")
	for _, b := range privateBases(dirs.FromEnv()) {
		if within(b, home) || !filepath.IsAbs(b) {
			t.Errorf("privateBases() offers %s, inside HOME or relative", b)
		}
	}
	run := t.TempDir()
	if got := privateBases(dirs.Dirs{Home: home, Runtime: run}); len(got) == 0 || got[0] != run {
		t.Errorf("privateBases() = %q, want %s first", got, run)
	}
}

func TestPrivateDirFiles(t *testing.T) {
	run := t.TempDir()
	at := dirs.Dirs{Runtime: run}
	d, err := NewPrivateDir(at)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Remove()
	if filepath.Dir(filepath.Dir(d.Path)) != run {
		t.Errorf("private directory %s is not under %s", d.Path, run)
	}
	if err := d.WriteFiles([]File{{Name: "a", Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]fs.FileMode{d.Path: fs.ModeDir | 0o700, filepath.Join(d.Path, "a"): 0o400} {
		if fi, err := os.Lstat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode(), err, mode)
		}
	}
	// O_EXCL: an existing name, or a planted symlink, is never written through
	os.Symlink(filepath.Join(run, "target"), filepath.Join(d.Path, "link"))
	for _, name := range []string{"a", "link", "../escape"} {
		if err := d.WriteFiles([]File{{Name: name, Data: []byte("y")}}); err == nil {
			t.Errorf("WriteFiles(%q) succeeded", name)
		}
	}
	if _, err := os.Lstat(filepath.Join(run, "target")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a write followed the symlink")
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(d.Path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove left %s", d.Path)
	}
}

func TestRemoveStale(t *testing.T) {
	run := t.TempDir()
	at := dirs.Dirs{Runtime: run}
	parent := filepath.Join(run, parentName())
	live, err := NewPrivateDir(at) // locked by this process
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	// a dead pid: the largest pid Linux allows is 4194304
	dead := filepath.Join(parent, "4194399-0a0b")
	// an unlocked directory whose pid is alive (its creator before it locked): kept
	young := filepath.Join(parent, strconv.Itoa(os.Getppid())+"-0c0d")
	other := filepath.Join(parent, "not-a-run-dir")
	for _, d := range []string{dead, young, other} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "f"), []byte("x"), 0o400)
	}
	RemoveStale(at)
	for d, kept := range map[string]bool{dead: false, young: true, other: true, live.Path: true} {
		if _, err := os.Lstat(d); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", d, err == nil, kept)
		}
	}
}

// A directory whose secrun has exited but is not reaped yet (a zombie, which kill(pid, 0)
// still finds) is stale: its lock is free and it will never use the directory again.
func TestRemoveStaleZombie(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	cmd := exec.Command("/bin/true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	for i := 0; i < 500 && !zombie(pid); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !zombie(pid) {
		t.Fatalf("pid %d did not become a zombie", pid)
	}
	run := t.TempDir()
	at := dirs.Dirs{Runtime: run}
	parent := filepath.Join(run, parentName())
	if err := os.MkdirAll(filepath.Join(parent, strconv.Itoa(pid)+"-0e0f"), 0o700); err != nil {
		t.Fatal(err)
	}
	RemoveStale(at)
	if _, err := os.Lstat(filepath.Join(parent, strconv.Itoa(pid)+"-0e0f")); err == nil {
		t.Errorf("the directory of zombie %d was kept", pid)
	}
}

// A secrun-<uid> that is not ours (planted by another user) gives a warning and a fresh
// parent of a random name, removed with the run directory; the stale sweep looks in those too.
func TestParentNotOurs(t *testing.T) {
	run := t.TempDir()
	at := dirs.Dirs{Runtime: run}
	parent := filepath.Join(run, parentName())
	planted := t.TempDir()
	if err := os.Symlink(planted, parent); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		d, err := NewPrivateDir(at)
		if err != nil {
			t.Fatalf("NewPrivateDir with %s: %v", what, err)
		}
		fallback := filepath.Dir(d.Path)
		if filepath.Dir(fallback) != run || !strings.HasPrefix(filepath.Base(fallback), parentName()+"-") {
			t.Errorf("with %s: private directory %s, want one in a fresh %s-* in %s", what, d.Path, parentName(), run)
		}
		if err := d.Remove(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(fallback); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("with %s: Remove left the fallback parent %s", what, fallback)
		}
	}
	check("a symlinked parent")
	if entries, _ := os.ReadDir(planted); len(entries) != 0 {
		t.Errorf("something was written through the planted symlink")
	}
	os.Remove(parent)
	os.WriteFile(parent, nil, 0o600)
	check("a file as the parent")
	if os.Getuid() == 0 {
		os.Remove(parent)
		os.Mkdir(parent, 0o700)
		os.Chown(parent, 65534, 65534)
		check("a parent owned by another user")
	}
	// a stale run directory in a fallback parent is swept
	fallback := filepath.Join(run, parentName()+"-0a0b0c0d0e0f")
	dead := filepath.Join(fallback, "4194399-0a0b")
	if err := os.MkdirAll(dead, 0o700); err != nil {
		t.Fatal(err)
	}
	RemoveStale(at)
	if _, err := os.Lstat(dead); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RemoveStale left %s", dead)
	}
}
