//go:build unix

package envdef

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"
)

// TestCacheFields fails when a field is added to the definitions' types: encodeEnvs and
// decodeEnvs must then learn it, or a cached environment would lose it.
func TestCacheFields(t *testing.T) {
	for _, c := range []struct {
		v any
		n int
	}{{Env{}, 13}, {Secret{}, 8}, {Executable{}, 3}, {Instance{}, 4}, {Cores{}, 3}} {
		if got := reflect.TypeOf(c.v).NumField(); got != c.n {
			t.Errorf("%T has %d fields, not %d: update encodeEnvs, decodeEnvs and this test", c.v, got, c.n)
		}
	}
}

// TestCacheRoundTrip encodes and decodes the environments of every definition file in the
// integration scripts that parses, and expects them back as parsed.
func TestCacheRoundTrip(t *testing.T) {
	scripts, err := filepath.Glob("../integration/testdata/script/*.txtar")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	n := 0
	for _, s := range scripts {
		ar, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".toml") && !IsYAML(f.Name) {
				continue
			}
			envs, err := ParseFile(f.Name, f.Data)
			if err != nil || len(envs) == 0 {
				continue
			}
			data := string(encodeEnvs(envs))
			got, others, ok := decodeEnvs(data, f.Name, "")
			if !ok || others != nil || !reflect.DeepEqual(got, envs) {
				t.Errorf("%s: %s: the cache gives back %+v, not %+v", filepath.Base(s), f.Name, got, envs)
			}
			// For one name: its environments, and the others' names, in order.
			name := envs[len(envs)-1].Name
			var want []*Env
			var wantOthers []string
			for _, e := range envs {
				if e.Name == name {
					want = append(want, e)
				} else {
					wantOthers = append(wantOthers, e.Name)
				}
			}
			got, others, ok = decodeEnvs(data, f.Name, name)
			if !ok || !reflect.DeepEqual(got, want) || !slices.Equal(others, wantOthers) {
				t.Errorf("%s: %s: for %q the cache gives back %+v and %q, not %+v and %q", filepath.Base(s), f.Name, name, got, others, want, wantOthers)
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d files parsed", n)
	}
	if _, _, ok := decodeEnvs("\x02\x03a", "f", ""); ok {
		t.Error("a truncated cache decoded")
	}
}

// cacheDirs returns a directory for a test's definition files (0755, as the checks want) and
// a cache directory in it, with racyWindow off until the test ends.
func cacheDirs(t *testing.T) (dir, cache string) {
	t.Helper()
	old := racyWindow
	racyWindow = 0
	t.Cleanup(func() { racyWindow = old })
	dir = t.TempDir()
	os.Chmod(dir, 0o755)
	return dir, filepath.Join(dir, "cache")
}

// TestLoadCached checks that a cached file loads as Load reads it, and that the cache gives
// way to every change: content (even with the old mtime put back), a mode that the rule
// refuses, a corrupt or non-private cache file, a file changed too recently to cache.
func TestLoadCached(t *testing.T) {
	dir, cache := cacheDirs(t)
	file := write(t, dir, "defs/envs.toml", "[[env]]\nname = \"a\"\nsecrets = [\"K1\", \"K2\"]\n")
	load := func() (*Set, error) {
		return LoadCached([]string{file}, nil, fileperm.Trust{}, Cache{Dir: cache}, "", nil)
	}
	secrets := func(s *Set) string {
		e, err := s.Lookup("a")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, s := range e.Secrets {
			keys = append(keys, s.Key)
		}
		return strings.Join(keys, ",")
	}
	hit := func() bool { _, _, ok := openCache(Cache{Dir: cache}).lookup(file, fileperm.Trust{}, ""); return ok }

	want, err := Load([]string{file}, nil, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		got, err := load()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("load %d: %+v, %v; want %+v", i, got, err, want)
		}
	}
	if !hit() {
		t.Fatal("the file is not in the cache")
	}
	if fi, err := os.Stat(filepath.Join(cache, cacheName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v, %v; want mode 0600", fi, err)
	}

	// Same size, old mtime put back: ctime still tells.
	fi, _ := os.Stat(file)
	if err := os.WriteFile(file, []byte("[[env]]\nname = \"a\"\nsecrets = [\"K3\", \"K4\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(file, fi.ModTime(), fi.ModTime())
	if got, err := load(); err != nil || secrets(got) != "K3,K4" {
		t.Fatalf("after a change: %v, %v; want K3,K4", got, err)
	}

	// chmod changes ctime only, and the rule is applied to fresh stats either way.
	for _, p := range []string{file, filepath.Dir(file)} {
		os.Chmod(p, 0o757) // writable by others (a group write may be the private group's)
		_, errLoad := Load([]string{file}, nil, fileperm.Trust{})
		_, err := load()
		if err == nil || errLoad == nil || err.Error() != errLoad.Error() {
			t.Errorf("%s writable by others: %v; want %v", p, err, errLoad)
		}
		os.Chmod(p, 0o755)
		if p == file {
			os.Chmod(p, 0o644)
		}
	}
	if _, err := load(); err != nil {
		t.Fatal(err)
	}

	// A corrupt cache is ignored and rewritten.
	if err := os.WriteFile(filepath.Join(cache, cacheName), []byte(cacheMagic+"\xff\xff"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := load(); err != nil || secrets(got) != "K3,K4" {
		t.Fatalf("with a corrupt cache: %v, %v", got, err)
	}
	if !hit() {
		t.Error("the corrupt cache was not rewritten")
	}

	// A cache that group or others can read, or in such a directory, is not read.
	for _, p := range []string{filepath.Join(cache, cacheName), cache} {
		mode := os.FileMode(0o600)
		if p == cache {
			mode = 0o700
		}
		os.Chmod(p, mode|0o044)
		if hit() {
			t.Errorf("a cache read with %s open to others", p)
		}
		os.Chmod(p, mode)
	}

	// A file changed within racyWindow is not cached.
	racyWindow = time.Hour
	os.Remove(filepath.Join(cache, cacheName))
	if _, err := load(); err != nil {
		t.Fatal(err)
	}
	if hit() {
		t.Error("a file changed a moment ago was cached")
	}
}

// TestLoadCachedNamed: loaded for one name, a set holds that name's environments (overrides
// across files kept) whether the files come from the cache or not, and knows the other
// names; check stops a file it refuses, which is then not cached.
func TestLoadCachedNamed(t *testing.T) {
	dir, cache := cacheDirs(t)
	site := write(t, dir, "site/envs.toml", "[[env]]\nname = \"a\"\nsecrets = [\"K1\"]\n\n[[env]]\nname = \"b\"\nsecrets = [\"K2\"]\n")
	user := write(t, dir, "user/envs.toml", "[[env]]\nname = \"a\"\nsecrets = [\"K3\"]\n\n[[env]]\nname = \"c\"\nsecrets = [\"K4\"]\n")
	files := []string{site, user}
	want, err := Load(files, nil, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	wantA, _ := want.Lookup("a")
	for i := range 2 { // parsed, then from the cache
		set, err := LoadCached(files, nil, fileperm.Trust{}, Cache{Dir: cache}, "a", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := set.Lookup("a"); err != nil || !reflect.DeepEqual(got, wantA) {
			t.Errorf("load %d: a = %+v, %v; want %+v", i, got, err, wantA)
		}
		if envs := set.Envs(); len(envs) != 1 {
			t.Errorf("load %d: %d environments, want a alone", i, len(envs))
		}
		_, err = set.Lookup("d")
		if nf, ok := err.(*NotFoundError); !ok || !slices.Equal(nf.Known, []string{"a", "b", "c"}) {
			t.Errorf("load %d: Lookup(d) = %v; want a NotFoundError that knows a, b and c", i, err)
		}
	}
	refuse := func(e *Env) error {
		if e.Name == "c" {
			return fmt.Errorf("%s: c is refused", e.File)
		}
		return nil
	}
	os.RemoveAll(cache)
	for i := range 2 {
		if _, err := LoadCached(files, nil, fileperm.Trust{}, Cache{Dir: cache}, "a", refuse); err == nil || !strings.Contains(err.Error(), "c is refused") {
			t.Errorf("load %d with a check that refuses c: %v", i, err)
		}
	}
	if _, _, ok := openCache(Cache{Dir: cache}).lookup(user, fileperm.Trust{}, ""); ok {
		t.Error("a file that the check refused was cached")
	}
	if _, _, ok := openCache(Cache{Dir: cache}).lookup(site, fileperm.Trust{}, ""); !ok {
		t.Error("the file that the check took was not cached")
	}
}

// TestCacheBuild: a cache is read only by the build that wrote it: the same release build
// (as on every node of a cluster that shares a home), or the same binary file.
func TestCacheBuild(t *testing.T) {
	dir, cache := cacheDirs(t)
	file := write(t, dir, "defs/envs.toml", "[[env]]\nname = \"a\"\nsecrets = [\"K1\"]\n")
	fill := func(c Cache) {
		t.Helper()
		os.RemoveAll(cache)
		if _, err := LoadCached([]string{file}, nil, fileperm.Trust{}, c, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	hit := func(c Cache) bool { _, _, ok := openCache(c).lookup(file, fileperm.Trust{}, ""); return ok }
	v1, v2, dev := Cache{Dir: cache, Build: "1.0.0 abc 2026-12-01"}, Cache{Dir: cache, Build: "1.0.1 def 2026-12-02"}, Cache{Dir: cache}
	fill(v1)
	if !hit(v1) || hit(v2) || hit(dev) {
		t.Errorf("written by release 1.0.0: read by 1.0.0 %v, 1.0.1 %v, this binary %v; want only 1.0.0", hit(v1), hit(v2), hit(dev))
	}
	fill(dev)
	if !hit(dev) || hit(v1) {
		t.Errorf("written by this binary: read by it %v, by release 1.0.0 %v; want only this binary", hit(dev), hit(v1))
	}
}

// FuzzCacheInt: cacheReader.int reads a varint exactly as binary.Varint does, overlong and
// truncated forms included.
func FuzzCacheInt(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 63, -64, 64, 1 << 40, math.MaxInt64, math.MinInt64} {
		f.Add(binary.AppendVarint(nil, v))
	}
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		want, n := binary.Varint(data)
		r := &cacheReader{b: string(data)}
		got := r.int()
		switch {
		case n <= 0 && r.ok():
			t.Fatalf("% x: read %d, binary.Varint refuses it (%d)", data, got, n)
		case n > 0 && (!r.ok() || int64(got) != want || len(r.b) != len(data)-n):
			t.Fatalf("% x: read %d (ok %v, %d bytes left), binary.Varint reads %d from %d bytes", data, got, r.ok(), len(r.b), want, n)
		}
	})
}

// TestAppSourcesCached: the environment_sources lists of a config.yaml are cached by the
// file's identity and read back from the cache as parsed; a changed file is parsed again.
func TestAppSourcesCached(t *testing.T) {
	dir, cache := cacheDirs(t)
	conf := filepath.Join(dir, "hpcflow")
	os.Mkdir(conf, 0o755)
	for _, f := range []string{"a.yaml", "b.yaml"} {
		os.WriteFile(filepath.Join(conf, f), []byte("[]\n"), 0o644)
	}
	t.Setenv("HPCFLOW_CONFIG_DIR", conf)
	file := filepath.Join(conf, "config.yaml")
	write := func(src string) {
		t.Helper()
		text := "configs:\n  m:\n    config:\n      environment_sources: [" + src + "]\n"
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := Cache{Dir: cache, Build: "test"}
	hit := func() bool { _, ok := openCacheFile(c, sourcesCacheName).lookupData(file, fileperm.Trust{}); return ok }
	write("a.yaml")
	for i, want := range []bool{false, true} {
		if hit() != want {
			t.Fatalf("read %d: cached %v, want %v", i, !want, want)
		}
		got, _, err := AppSources("hpcflow", dirs.Dirs{Home: dir}, fileperm.Trust{}, c)
		if err != nil || !slices.Equal(got, []string{filepath.Join(conf, "a.yaml")}) {
			t.Fatalf("read %d: %q, %v", i, got, err)
		}
	}
	write("b.yaml, a.yaml") // a new size, mtime and ctime
	if hit() {
		t.Fatal("the cache holds the old lists for a changed config.yaml")
	}
	got, _, err := AppSources("hpcflow", dirs.Dirs{Home: dir}, fileperm.Trust{}, c)
	if want := []string{filepath.Join(conf, "b.yaml"), filepath.Join(conf, "a.yaml")}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("after the change: %q, %v, want %q", got, err, want)
	}
	if !hit() {
		t.Fatal("the changed config.yaml is not cached")
	}
	// A second app's config.yaml does not push the first one's out.
	mconf := filepath.Join(dir, "matflow")
	os.Mkdir(mconf, 0o755)
	os.WriteFile(filepath.Join(mconf, "config.yaml"), []byte("configs: {}\n"), 0o644)
	t.Setenv("MATFLOW_CONFIG_DIR", mconf)
	if _, _, err := AppSources("matflow", dirs.Dirs{Home: dir}, fileperm.Trust{}, c); err != nil {
		t.Fatal(err)
	}
	if !hit() {
		t.Fatal("reading matflow's config.yaml dropped hpcflow's from the cache")
	}
}
