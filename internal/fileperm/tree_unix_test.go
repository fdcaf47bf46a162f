//go:build unix

package fileperm

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReadTrustedDirs checks the walk over the directories above a definition file, with and
// without symbolic links on the way: a directory that others can write to is refused wherever
// it is, above the name given or above the real file that a linked directory leads to.
func TestReadTrustedDirs(t *testing.T) {
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	mk := func(dir string, mode os.FileMode) string {
		p := filepath.Join(root, dir)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(p string) string {
		if err := os.WriteFile(p, []byte("x = 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := mk("good", 0o755)
	open := mk("open", 0o777)
	inOpen := mk("open/sub", 0o755)
	write(filepath.Join(good, "f.toml"))
	write(filepath.Join(inOpen, "f.toml"))
	link := filepath.Join(good, "link") // good/link -> open/sub: the name's directories are fine, the target's are not
	if err := os.Symlink(inOpen, link); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(root, "back") // back -> good: a link to a good directory
	if err := os.Symlink(good, back); err != nil {
		t.Fatal(err)
	}
	fileLink := filepath.Join(good, "fl.toml") // good/fl.toml -> open/sub/f.toml: the file itself is a link
	if err := os.Symlink(filepath.Join(inOpen, "f.toml"), fileLink); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		at   string // the directory refused, "" when the read succeeds
	}{
		{filepath.Join(good, "f.toml"), ""},
		{filepath.Join(back, "f.toml"), ""},
		{filepath.Join(inOpen, "f.toml"), open},
		{filepath.Join(link, "f.toml"), open},
		{fileLink, open},
	} {
		// CheckTrusted (the definitions cache's check, which skips the open) must agree.
		_, errCheck := CheckTrusted(tc.path, 1<<20, Trust{})
		for what, err := range map[string]error{"ReadTrusted": second(ReadTrusted(tc.path, 1<<20, Trust{})), "CheckTrusted": errCheck} {
			var fe *Error
			switch {
			case tc.at == "" && err != nil:
				t.Errorf("%s(%s): %v", what, tc.path, err)
			case tc.at != "" && (!errors.As(err, &fe) || fe.At != tc.at):
				t.Errorf("%s(%s) = %v; want %s refused", what, tc.path, err, tc.at)
			}
		}
	}
}

func second[T any](_ T, err error) error { return err }
