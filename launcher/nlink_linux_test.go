package launcher

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNoSubdirs: on tmpfs, a directory whose link count is 2 is known to hold no
// subdirectory, and one with a subdirectory is not.
func TestNoSubdirs(t *testing.T) {
	var fs unix.Statfs_t
	if err := unix.Statfs("/dev/shm", &fs); err != nil || fs.Type != unix.TMPFS_MAGIC {
		t.Skip("/dev/shm is not a tmpfs here")
	}
	dir, err := os.MkdirTemp("/dev/shm", "secrun-nlink-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	check := func(want bool) {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Lstat(dir, &st); err != nil {
			t.Fatal(err)
		}
		if got := noSubdirs(dir, &st); got != want {
			t.Errorf("noSubdirs = %v with link count %d, want %v", got, st.Nlink, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	check(true)
	if err := os.Mkdir(filepath.Join(dir, "123-run"), 0o700); err != nil {
		t.Fatal(err)
	}
	check(false)
}
