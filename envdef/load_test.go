package envdef

import (
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"

	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// write creates dir/name with content and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func envNames(envs []*Env) []string {
	var out []string
	for _, e := range envs {
		out = append(out, e.Name)
	}
	return out
}

func TestLoadOverrides(t *testing.T) {
	dir := t.TempDir()
	site := write(t, dir, "site.toml", "[[env]]\nname = \"shared\"\nsetup = [\"site\"]\n\n[[env]]\nname = \"site_only\"\n")
	user := write(t, dir, "user.toml", "# user\n[[env]]\nname = \"shared\"\nsetup = [\"user\"]\n")
	missing := filepath.Join(dir, "missing.toml")
	extra := write(t, dir, "extra.toml", "\n\n[[env]]\nname = \"shared\"\nsetup = [\"extra\"]\n[[env]]\nname = \"b_extra\"\n")

	s, err := Load([]string{site, missing, user}, []string{extra}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Files(), []string{site, user, extra}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files() = %q, want %q", got, want)
	}
	if got, want := envNames(s.Envs()), []string{"b_extra", "shared", "site_only"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Envs() = %q, want %q", got, want)
	}
	e, err := s.Lookup("shared")
	if err != nil {
		t.Fatal(err)
	}
	if e.File != extra || e.Line != 3 || !reflect.DeepEqual(e.Setup, []string{"extra"}) {
		t.Errorf("shared = %s:%d %q, want the definition at %s:3", e.File, e.Line, e.Setup, extra)
	}
	if want := []string{site + ":1", user + ":2"}; !reflect.DeepEqual(e.Overrides, want) {
		t.Errorf("Overrides = %q, want %q", e.Overrides, want)
	}
	if e, _ := s.Lookup("site_only"); e == nil || len(e.Overrides) != 0 {
		t.Errorf("site_only = %+v, want it with no overrides", e)
	}
}

func TestLoadDefaultsThenExplicit(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.toml", "[[env]]\nname = \"e\"\nsetup = [\"a\"]\n")
	b := write(t, dir, "b.toml", "[[env]]\nname = \"e\"\nsetup = [\"b\"]\n")
	// explicit files are read after every default, whatever the order of arguments
	s, err := Load([]string{b}, []string{a}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Lookup("e"); e.File != a {
		t.Errorf("e from %s, want %s", e.File, a)
	}
}

func TestLoadFileNamedTwice(t *testing.T) {
	a := write(t, t.TempDir(), "a.toml", "[[env]]\nname = \"e\"\n")
	s, err := Load([]string{a}, []string{a, filepath.Join(filepath.Dir(a), ".", "a.toml")}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Lookup("e"); len(e.Overrides) != 0 || len(s.Files()) != 1 {
		t.Errorf("files %q, overrides %q; want one file read once", s.Files(), e.Overrides)
	}
}

func TestLoadMissingExplicit(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(nil, []string{missing}, fileperm.Trust{})
	if err == nil {
		t.Fatal("Load succeeded, want an error for the missing explicit file")
	}
	if !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q does not name %s or wrap fs.ErrNotExist", err, missing)
	}
	var de *DefError
	if !errors.As(err, &de) || de.File != missing {
		t.Errorf("error %q is not a *DefError for %s (the command line words its hint)", err, missing)
	}
}

func TestLoadNothing(t *testing.T) {
	s, err := Load([]string{filepath.Join(t.TempDir(), "none.toml")}, nil, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Envs()) != 0 || len(s.Files()) != 0 {
		t.Errorf("Envs %v, Files %v; want none", s.Envs(), s.Files())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.toml", "[[env]]\nname = \"e\"\n")
	bad := write(t, dir, "bad.toml", "[[env]]\nname = \"e\"\nbogus = 1\n")
	_, err := Load([]string{good, bad}, nil, fileperm.Trust{})
	if want := bad + `:3: environment "e": unknown key "bogus"`; err == nil || err.Error() != want {
		t.Errorf("bad default: error = %v, want %s", err, want)
	}
	// A default that exists but cannot be read as a file is an error, not skipped.
	_, err = Load([]string{dir}, nil, fileperm.Trust{})
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("directory as default: error = %v, want one naming %s", err, dir)
	}
}

func TestLookupNotFound(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.toml", "[[env]]\nname = \"zeta\"\n[[env]]\nname = \"alpha\"\n")
	empty := write(t, dir, "empty.toml", "# none yet\n")
	tests := []struct {
		files []string
		known []string
		hint  string
	}{
		{[]string{a}, []string{"alpha", "zeta"}, "defined environments: alpha, zeta"},
		{[]string{empty}, nil, "no environments are defined in " + empty + "; add an [[env]] table"},
		{nil, nil, "no definition files were found; create " + filepath.Join(dir, "cfg", "secrun", "envs.toml")},
	}
	for _, tt := range tests {
		s, err := Load(tt.files, nil, fileperm.Trust{})
		if err != nil {
			t.Fatal(err)
		}
		s.UserFile = UserFile(dirs.Dirs{Config: filepath.Join(dir, "cfg", "secrun")})
		_, err = s.Lookup("x")
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("Lookup error = %v, want *NotFoundError", err)
		}
		if got := err.Error(); got != `environment "x" is not defined` {
			t.Errorf("Error() = %q", got)
		}
		if nf.Name != "x" || !reflect.DeepEqual(nf.Known, tt.known) {
			t.Errorf("NotFoundError = %+v, want known %q", nf, tt.known)
		}
		if got := nf.Hint(); got != tt.hint {
			t.Errorf("Hint() = %q\nwant      %q", got, tt.hint)
		}
	}
}

func TestDefaultFiles(t *testing.T) {
	cfg, site := t.TempDir(), t.TempDir()
	d := filepath.Join(cfg, "secrun")
	write(t, d, "envs.d/b.toml", "")
	write(t, d, "envs.d/a.toml", "")
	write(t, d, "envs.d/.hidden.toml", "")
	write(t, d, "envs.d/notes.txt", "")
	write(t, d, "envs.d/dir.toml/x.toml", "")

	files := DefaultFiles(dirs.Dirs{Site: site, Config: d})
	var user []string
	for _, f := range files {
		if strings.HasPrefix(f, cfg) {
			user = append(user, f)
		}
	}
	want := []string{filepath.Join(d, "envs.toml"), filepath.Join(d, "envs.d", "a.toml"), filepath.Join(d, "envs.d", "b.toml")}
	if !reflect.DeepEqual(user, want) {
		t.Errorf("user files = %q, want %q", user, want)
	}
	if n := len(files); n < 4 || !reflect.DeepEqual(files[n-3:], want) {
		t.Errorf("DefaultFiles() = %q: user files must come last", files)
	}
	if files[0] != filepath.Join(site, "envs.toml") {
		t.Errorf("DefaultFiles()[0] = %q, want the site's envs.toml", files[0])
	}
	if runtime.GOOS != "windows" && DefaultFiles(dirs.FromEnv())[0] != "/etc/secrun/envs.toml" {
		t.Errorf("DefaultFiles()[0] = %q, want /etc/secrun/envs.toml", DefaultFiles(dirs.FromEnv())[0])
	}
}

// TestDefaultFilesListing: what one listing of each directory finds is what a stat of each
// name found: envs.yaml when it is a file or a link to one, not a directory of that name, and
// envs.d through a link; an absent directory gives its envs.toml alone.
func TestDefaultFilesListing(t *testing.T) {
	root := t.TempDir()
	d := filepath.Join(root, "secrun")
	write(t, d, "envs.yaml", "")
	write(t, root, "other/a.toml", "")
	if err := os.MkdirAll(filepath.Join(d, "envs.yml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "other"), filepath.Join(d, "envs.d")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	absent := filepath.Join(root, "absent")
	got := DefaultFiles(dirs.Dirs{Site: absent, Config: d})
	want := []string{filepath.Join(absent, "envs.toml"), filepath.Join(d, "envs.toml"), filepath.Join(d, "envs.yaml"),
		filepath.Join(d, "envs.d", "a.toml")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DefaultFiles() = %q, want %q", got, want)
	}
	os.Remove(filepath.Join(d, "envs.yaml"))
	if err := os.Symlink(filepath.Join(root, "other", "a.toml"), filepath.Join(d, "envs.yaml")); err != nil {
		t.Fatal(err)
	}
	if got := DefaultFiles(dirs.Dirs{Config: d}); !slices.Contains(got, filepath.Join(d, "envs.yaml")) {
		t.Errorf("DefaultFiles() = %q: a link to a file as envs.yaml is left out", got)
	}
	notDir := filepath.Join(root, "other", "a.toml") // a file where the directory should be
	if got := DefaultFiles(dirs.Dirs{Config: notDir}); !slices.Equal(got, []string{filepath.Join(notDir, "envs.toml")}) {
		t.Errorf("DefaultFiles() with a file as the directory = %q, want its envs.toml alone", got)
	}
}

func TestDefaultFilesIgnoresRelativeXDG(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "relative/dir")
	for _, f := range DefaultFiles(dirs.FromEnv()) {
		if strings.HasPrefix(f, "relative") {
			t.Errorf("DefaultFiles() has %q from a relative XDG_CONFIG_HOME", f)
		}
	}
}

func TestDefaultFilesWindows(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("windows only")
	}
	pd := t.TempDir()
	t.Setenv("ProgramData", pd)
	if files := DefaultFiles(dirs.FromEnv()); files[0] != filepath.Join(pd, "secrun", "envs.toml") {
		t.Errorf("DefaultFiles()[0] = %q, want the ProgramData file", files[0])
	}
}

func TestLoadAllCollects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.toml", "[[env]]\nname = \"bad\"\nx = 1\n[[env]]\nname = \"good\"\n")
	b := write("b.yaml", "- name: y1\n  nope: 1\n- name: y2\n")
	c := write("c.toml", "not toml [")
	l := LoadAll(nil, []string{a, b, c, filepath.Join(dir, "missing.toml")}, fileperm.Trust{})
	var got []string
	for _, e := range l.Set.Envs() {
		got = append(got, e.Name)
	}
	if !slices.Equal(got, []string{"good", "y2"}) || len(l.Errors) != 4 || len(l.Texts) != 3 {
		t.Errorf("LoadAll: envs %q, %d errors %v, %d texts", got, len(l.Errors), l.Errors, len(l.Texts))
	}
	for _, err := range l.Errors {
		if de, ok := err.(*DefError); !ok || de.File == "" {
			t.Errorf("error %v does not name its file", err)
		}
	}
	if _, err := Load(nil, []string{a, b}, fileperm.Trust{}); err == nil || !strings.Contains(err.Error(), `a.toml:3: environment "bad": unknown key "x"`) {
		t.Errorf("Load stops at the first error: %v", err)
	}
}
