//go:build unix

package handoff

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPath: secrun-full is looked for beside the running executable's real file, whatever
// link or argv[0] it was started by.
func TestPath(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		t.Fatal(err)
	}
	got, err := Path()
	if want := filepath.Join(filepath.Dir(exe), FullName); err != nil || got != want {
		t.Fatalf("Path() = %q, %v; want %q", got, err, want)
	}
}
