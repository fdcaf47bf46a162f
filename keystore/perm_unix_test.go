//go:build unix

package keystore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secrun/secrun/internal/fileperm"
)

func TestCreatedModes(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "A", "v")
	for path, want := range map[string]os.FileMode{
		s.dir:                                0o700 | os.ModeDir,
		s.path():                             0o600,
		filepath.Join(s.dir, "secrets.lock"): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
	}
}

// checkRefused runs every store operation on s and checks that each is refused with a
// *PermError for path whose message holds want and whose hint is hint.
func checkRefused(t *testing.T, s *File, path, want, hint string) {
	t.Helper()
	_, listErr := s.List()
	_, fetchErr := fetch(s, []string{"A"})
	_, getErr := get(s, "A")
	_, delAllErr := s.DeleteAll()
	for op, err := range map[string]error{
		"List": listErr, "Fetch": fetchErr, "Get": getErr, "DeleteAll": delAllErr,
		"Set":    set(s, "B", []byte("v"), false),
		"Delete": del(s, "A"),
	} {
		var pe *PermError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a *PermError", op, err)
			continue
		}
		if pe.Path != path || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q, want %s and %q", op, err, path, want)
		}
		if pe.Hint() != hint {
			t.Errorf("%s: hint %q, want %q", op, pe.Hint(), hint)
		}
	}
}

func TestPermissionsRefused(t *testing.T) {
	t.Run("file 0644", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "A", "v")
		if err := os.Chmod(s.path(), 0o644); err != nil {
			t.Fatal(err)
		}
		before := readFile(t, s.path())
		checkRefused(t, s, s.path(), "refusing to use store file "+s.path()+": mode 0644 gives group or others access",
			"run: chmod 600 "+fileperm.Quote(s.path()))
		if got := readFile(t, s.path()); !bytes.Equal(got, before) {
			t.Error("the store changed")
		}
	})
	t.Run("file 0640", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "A", "v")
		os.Chmod(s.path(), 0o640)
		if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "mode 0640") {
			t.Errorf("List() = %v, want a refusal naming mode 0640", err)
		}
	})
	t.Run("dir 0755", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "A", "v")
		if err := os.Chmod(s.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		checkRefused(t, s, s.dir, "refusing to use store directory "+s.dir+": mode 0755 gives group or others access",
			"run: chmod 700 "+fileperm.Quote(s.dir))
	})
	t.Run("new store in dir 0755", func(t *testing.T) {
		s := newStore(t)
		if err := os.Mkdir(s.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var pe *PermError
		if err := set(s, "A", []byte("v"), false); !errors.As(err, &pe) || pe.Hint() != "run: chmod 700 "+fileperm.Quote(s.dir) {
			t.Errorf("Set() = %v, want a refusal to write into a 0755 directory", err)
		}
		if names := storeFiles(t, s); len(names) != 0 {
			t.Errorf("refused Set left %q behind", names)
		}
	})
	t.Run("lock file 0644", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "A", "v")
		lock := filepath.Join(s.dir, "secrets.lock")
		if err := os.Chmod(lock, 0o644); err != nil {
			t.Fatal(err)
		}
		var pe *PermError
		err := set(s, "B", []byte("v"), false)
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "refusing to use lock file "+lock+": mode 0644 gives group or others access") ||
			pe.Hint() != "run: chmod 600 "+fileperm.Quote(lock) {
			t.Errorf("Set() = %v, want a refusal of the lock file", err)
		}
	})
	t.Run("symlink", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "A", "v")
		real := filepath.Join(t.TempDir(), "elsewhere.json")
		if err := os.Rename(s.path(), real); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, s.path()); err != nil {
			t.Fatal(err)
		}
		checkRefused(t, s, s.path(), "it is a symbolic link",
			"put the store file itself at "+s.path()+", or set SECRUN_DATA_DIR to the directory that holds it")
	})
	t.Run("not a regular file", func(t *testing.T) {
		s := newStore(t)
		if err := os.MkdirAll(s.path(), 0o700); err != nil {
			t.Fatal(err)
		}
		var pe *PermError
		if _, err := s.List(); !errors.As(err, &pe) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("List() = %v, want a refusal of a directory as store file", err)
		}
	})
}

func TestOwnerRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing a file's owner needs root")
	}
	const other = 12345
	for _, which := range []string{"file", "dir"} {
		t.Run(which, func(t *testing.T) {
			s := newStore(t)
			mustSet(t, s, "A", "v")
			path := s.path()
			if which == "dir" {
				path = s.dir
			}
			if err := os.Lchown(path, other, -1); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, s, path, "it is owned by uid 12345, but secrun runs as uid 0",
				"the store must belong to the user who runs secrun; use SECRUN_DATA_DIR to point elsewhere")
		})
	}
}

func TestReadOnlyDirKeepsStore(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into a read-only directory; TestFailedWriteKeepsStore covers failed writes")
	}
	s := newStore(t)
	mustSet(t, s, "A", "old")
	before := readFile(t, s.path())
	if err := os.Chmod(s.dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(s.dir, 0o700)
	if err := set(s, "B", []byte("new"), false); err == nil || !strings.Contains(err.Error(), s.path()) {
		t.Errorf("Set() in a read-only directory = %v, want an error naming the store", err)
	}
	if got := readFile(t, s.path()); !bytes.Equal(got, before) {
		t.Error("the store changed")
	}
	if got, err := get(s, "A"); err != nil || string(got) != "old" {
		t.Errorf("Get() = %q, %v; want old", got, err)
	}
}
