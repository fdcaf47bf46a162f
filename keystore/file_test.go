package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// newStore returns a file store in a fresh directory that does not exist yet.
func newStore(t *testing.T) *File {
	t.Helper()
	return NewFile(filepath.Join(t.TempDir(), "secrun"))
}

func mustSet(t *testing.T, s Store, key, value string) {
	t.Helper()
	if err := s.Set(key, []byte(value), false); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFileNameAndLocation(t *testing.T) {
	s := NewFile(filepath.Join("x", "y"))
	if s.Name() != "file" {
		t.Errorf("Name() = %q, want file", s.Name())
	}
	if want := filepath.Join("x", "y", "secrets.json"); s.Location() != want {
		t.Errorf("Location() = %q, want %q", s.Location(), want)
	}
}

func TestEmptyStore(t *testing.T) {
	s := newStore(t)
	list, err := s.List()
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("List() = %#v, %v; want an empty slice", list, err)
	}
	values, err := s.Fetch([]string{"A", "B"})
	if err != nil || values == nil || len(values) != 0 {
		t.Errorf("Fetch() = %#v, %v; want an empty map", values, err)
	}
	if _, err := s.Get("A"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get() error = %v, want ErrNotFound", err)
	}
	if err := s.Delete("A"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete() error = %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteAll(); n != 0 || err != nil {
		t.Errorf("DeleteAll() = %d, %v; want 0, nil", n, err)
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading and deleting created the store directory (stat: %v)", err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := newStore(t)
	secrets := map[string]string{
		"API_TOKEN":    "tok-123",
		"db-password":  "hunter2",
		"team/prod/db": "postgres://u:p@h/db",
		"EMPTY":        "",
	}
	for k, v := range secrets {
		mustSet(t, s, k, v)
	}

	for k, v := range secrets {
		got, err := s.Get(k)
		if err != nil || string(got) != v || got == nil {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}

	values, err := s.Fetch([]string{"API_TOKEN", "EMPTY", "MISSING", "not a valid key"})
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 2 || string(values["API_TOKEN"]) != "tok-123" || values["EMPTY"] == nil {
		t.Errorf("Fetch() = %q; want API_TOKEN and EMPTY only", values)
	}

	// A second handle on the same directory sees the same store.
	list, err := NewFile(s.dir).List()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range list {
		keys = append(keys, e.Key)
		if string(e.Value) != secrets[e.Key] || e.Created.IsZero() || !e.Updated.Equal(e.Created) {
			t.Errorf("List() entry %+v does not match what was set", e)
		}
	}
	if want := []string{"API_TOKEN", "EMPTY", "db-password", "team/prod/db"}; !slices.Equal(keys, want) {
		t.Errorf("List() keys = %q, want %q", keys, want)
	}
}

func TestFileFormat(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "b", "second")
	mustSet(t, s, "a", "first")

	var doc struct {
		Format  string
		Version int
		Secrets []struct {
			Key, Value, Created, Updated string
		}
	}
	if err := json.Unmarshal(readFile(t, s.Location()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != "secrun-store" || doc.Version != 1 || len(doc.Secrets) != 2 {
		t.Fatalf("store file = %+v", doc)
	}
	for i, want := range []struct{ key, value string }{{"a", "first"}, {"b", "second"}} {
		e := doc.Secrets[i]
		if e.Key != want.key || e.Value != base64.StdEncoding.EncodeToString([]byte(want.value)) {
			t.Errorf("secrets[%d] = %+v, want key %q with base64 value", i, e, want.key)
		}
		for _, ts := range []string{e.Created, e.Updated} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("secrets[%d] time: %v", i, err)
			}
		}
	}
}

func TestBinaryValue(t *testing.T) {
	s := newStore(t)
	value := make([]byte, 256)
	for i := range value {
		value[i] = byte(i)
	}
	if err := s.Set("BLOB", value, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("BLOB")
	if err != nil || !bytes.Equal(got, value) {
		t.Errorf("Get() = %v, %v; want all 256 byte values", got, err)
	}
	if values, err := s.Fetch([]string{"BLOB"}); err != nil || !bytes.Equal(values["BLOB"], value) {
		t.Errorf("Fetch() = %v, %v; want all 256 byte values", values, err)
	}
}

func TestNilValueReadsBackEmpty(t *testing.T) {
	s := newStore(t)
	if err := s.Set("K", nil, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("K"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Get() = %#v, %v; want an empty non-nil value", got, err)
	}
}

func TestOverwrite(t *testing.T) {
	s := newStore(t)
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }
	mustSet(t, s, "K", "old")

	clock = clock.Add(time.Hour)
	err := s.Set("K", []byte("new"), false)
	var ke *KeyError
	if !errors.Is(err, ErrExists) || !errors.As(err, &ke) || ke.Key != "K" {
		t.Fatalf("Set() without overwrite = %v, want a *KeyError wrapping ErrExists", err)
	}
	if err.Error() != `secret "K" already exists` {
		t.Errorf("error = %q", err)
	}
	if got, _ := s.Get("K"); string(got) != "old" {
		t.Errorf("value after refused Set = %q, want old", got)
	}

	if err := s.Set("K", []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("List() = %v, %v", list, err)
	}
	e := list[0]
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if string(e.Value) != "new" || !e.Created.Equal(created) || !e.Updated.Equal(clock) {
		t.Errorf("after overwrite: %+v; want value new, created %v, updated %v", e, created, clock)
	}
}

func TestDelete(t *testing.T) {
	s := newStore(t)
	for _, k := range []string{"A", "B", "C"} {
		mustSet(t, s, k, "v-"+k)
	}
	if err := s.Delete("B"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("B"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get() of a deleted key: %v, want ErrNotFound", err)
	}
	err := s.Delete("B")
	var ke *KeyError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ke) || ke.Key != "B" || err.Error() != `secret "B" not found` {
		t.Errorf("Delete() of a missing key = %v, want a *KeyError wrapping ErrNotFound", err)
	}
	if got, err := s.Get("C"); err != nil || string(got) != "v-C" {
		t.Errorf("Get(C) = %q, %v after deleting B", got, err)
	}

	n, err := s.DeleteAll()
	if n != 2 || err != nil {
		t.Errorf("DeleteAll() = %d, %v; want 2, nil", n, err)
	}
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Errorf("List() after DeleteAll = %v, %v", list, err)
	}
	if n, err := s.DeleteAll(); n != 0 || err != nil {
		t.Errorf("second DeleteAll() = %d, %v; want 0, nil", n, err)
	}
}

func TestInvalidKeysRejected(t *testing.T) {
	s := newStore(t)
	for name, op := range map[string]func() error{
		"Set":    func() error { return s.Set("a=b", []byte("v"), false) },
		"Get":    func() error { _, err := s.Get("a=b"); return err },
		"Delete": func() error { return s.Delete("a=b") },
	} {
		if err := op(); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s with an invalid key: %v, want ErrInvalidKey", name, err)
		}
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an invalid key created the store directory (stat: %v)", err)
	}
}

// writeStore puts raw content in place as the store file of a fresh store.
func writeStore(t *testing.T, content []byte) *File {
	t.Helper()
	s := newStore(t)
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Location(), content, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCorruptStore(t *testing.T) {
	const secret = "s3cr3t-value"
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))

	valid := newStore(t)
	mustSet(t, valid, "A", secret)
	mustSet(t, valid, "B", secret+secret)
	whole := readFile(t, valid.Location())

	doc := func(secrets string) string {
		return `{"format":"secrun-store","version":1,"secrets":[` + secrets + `]}`
	}
	tests := []struct {
		name, content, want string
	}{
		{"truncated", string(whole[:len(whole)/2]), "truncated JSON"},
		{"truncated in a value", string(whole[:bytes.Index(whole, []byte(b64))+5]), "truncated JSON"},
		{"empty file", "", "truncated JSON"},
		{"invalid JSON", `{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"` + b64 + `"` + secret + `}]}`, "invalid JSON at byte"},
		{"not an object", `["` + b64 + `"]`, "cannot unmarshal"},
		{"wrong format", `{"format":"other","version":1,"secrets":[]}`, `format is "other", not "secrun-store"`},
		{"no format", `{"secrets":[]}`, `format is ""`},
		{"unknown version", `{"format":"secrun-store","version":3,"secrets":[]}`, "unknown version 3"},
		{"invalid key", doc(`{"key":"a b","value":"` + b64 + `"}`), `invalid key "a b": contains a space`},
		{"duplicate key", doc(`{"key":"A","value":"` + b64 + `"},{"key":"A","value":""}`), `key "A" appears twice`},
		{"bad kind", doc(`{"key":"A","kind":"blob","value":""}`), `unknown kind "blob"`},
		{"bad project", doc(`{"key":"A","project":"a b","value":""}`), `invalid project name "a b"`},
		{"bad base64", doc(`{"key":"A","value":"!!` + secret + `"}`), "illegal base64"},
		{"bad time", doc(`{"key":"A","value":"","created":"yesterday-s3cr3t"}`), "a field holds an invalid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := writeStore(t, []byte(tc.content))
			check := func(op string, err error) {
				t.Helper()
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Fatalf("%s: error %v, want a *CorruptError", op, err)
				}
				msg := err.Error()
				if ce.Path != s.Location() || !strings.Contains(msg, s.Location()) || !strings.Contains(msg, tc.want) {
					t.Errorf("%s: error %q, want the path and %q", op, msg, tc.want)
				}
				if strings.Contains(msg, "s3cr3t") {
					t.Errorf("%s: error %q quotes the file's content", op, msg)
				}
				if strings.Contains(msg, secret) || strings.Contains(msg, b64) || strings.Contains(msg, "s3cr") {
					t.Errorf("%s: error %q holds the secret value", op, msg)
				}
				if errors.Is(err, ErrInvalidKey) {
					t.Errorf("%s: a corrupt store matches ErrInvalidKey", op)
				}
				if h := ce.Hint(); !strings.Contains(h, "backup") || !strings.Contains(h, s.Location()) {
					t.Errorf("%s: hint %q", op, h)
				}
			}
			_, err := s.List()
			check("List", err)
			_, err = s.Fetch([]string{"A"})
			check("Fetch", err)
			_, err = s.Get("A")
			check("Get", err)
			check("Set", s.Set("NEW", []byte("v"), true))
			check("Delete", s.Delete("A"))
			_, err = s.DeleteAll()
			check("DeleteAll", err)
			if got := readFile(t, s.Location()); string(got) != tc.content {
				t.Errorf("a write changed the corrupt store:\n%q\nwant\n%q", got, tc.content)
			}
		})
	}
}

// storeFiles lists the names in the store directory.
func storeFiles(t *testing.T, s *File) []string {
	t.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFailedWriteKeepsStore(t *testing.T) {
	diskFull := errors.New("no space left on device")
	tests := []struct {
		name       string
		createTemp func(dir, pattern string) (*os.File, error)
	}{
		{"temp file not created", func(string, string) (*os.File, error) { return nil, diskFull }},
		{"temp file not writable", func(dir, pattern string) (*os.File, error) {
			// A real temp file, opened read-only, so that the write fails after creation.
			f, err := os.CreateTemp(dir, pattern)
			if err != nil {
				return nil, err
			}
			f.Close()
			return os.Open(f.Name())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			mustSet(t, s, "A", "old")
			before := readFile(t, s.Location())

			s.createTemp = tc.createTemp
			for op, err := range map[string]error{
				"Set":    s.Set("B", []byte("new"), false),
				"Delete": s.Delete("A"),
			} {
				if err == nil || !strings.Contains(err.Error(), s.Location()) {
					t.Errorf("%s: error %v, want one naming %s", op, err, s.Location())
				}
			}
			if _, err := s.DeleteAll(); err == nil {
				t.Error("DeleteAll: no error")
			}
			if got := readFile(t, s.Location()); !bytes.Equal(got, before) {
				t.Errorf("store changed by a failed write:\n%s", got)
			}
			if names := storeFiles(t, s); !slices.Equal(names, []string{"secrets.json", "secrets.lock"}) {
				t.Errorf("store directory holds %q; a temp file was left behind", names)
			}
		})
	}
}

func TestFailedWriteWrapsError(t *testing.T) {
	s := newStore(t)
	diskFull := errors.New("no space left on device")
	s.createTemp = func(string, string) (*os.File, error) { return nil, diskFull }
	if err := s.Set("A", []byte("v"), false); !errors.Is(err, diskFull) {
		t.Errorf("Set() = %v, want it to wrap %v", err, diskFull)
	}
}

func TestConcurrentWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrun")
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			// A handle of its own, as a separate process would have.
			errs <- NewFile(dir).Set(fmt.Sprintf("KEY_%02d", i), []byte(fmt.Sprint(i)), false)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	list, err := NewFile(dir).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != n {
		t.Fatalf("List() holds %d secrets after %d concurrent Sets; writes were lost", len(list), n)
	}
	for i, e := range list {
		if e.Key != fmt.Sprintf("KEY_%02d", i) || string(e.Value) != fmt.Sprint(i) {
			t.Errorf("entry %d = %s=%q", i, e.Key, e.Value)
		}
	}
}

func TestWritersWaitReadersDoNot(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "A", "old")

	// Hold the write lock as another secrun process would.
	lock, err := os.OpenFile(filepath.Join(s.dir, "secrets.lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if ok, err := tryLock(lock); !ok || err != nil {
		t.Fatalf("tryLock() = %v, %v", ok, err)
	}

	done := make(chan error)
	go func() { done <- NewFile(s.dir).Set("A", []byte("new"), true) }()

	if got, err := s.Get("A"); err != nil || string(got) != "old" {
		t.Errorf("Get() while the lock is held = %q, %v; want old", got, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Set() finished while another writer held the lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}

	if err := unlockFile(lock); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Set() still waiting after the lock was released")
	}
	if got, err := s.Get("A"); err != nil || string(got) != "new" {
		t.Errorf("Get() = %q, %v; want new", got, err)
	}
}

func BenchmarkFetch10(b *testing.B) {
	s := NewFile(filepath.Join(b.TempDir(), "secrun"))
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if err := s.Set(keys[i], bytes.Repeat([]byte("x"), 40), false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		values, err := s.Fetch(keys)
		if err != nil || len(values) != len(keys) {
			b.Fatal(values, err)
		}
	}
}

// BenchmarkAutoFetch10 is a run's read under the default store: auto, with no secret in the
// keyring index, over a file store of 10 secrets.
func BenchmarkAutoFetch10(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "secrun")
	s := NewAuto(dir)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if err := s.File.Set(keys[i], bytes.Repeat([]byte("x"), 40), false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		values, err := s.Fetch(keys)
		if err != nil || len(values) != len(keys) {
			b.Fatal(values, err)
		}
	}
}

// BenchmarkAutoFetchScoped10 is the same read for an environment with a project: every
// scope of each key, resolved to the most specific.
func BenchmarkAutoFetchScoped10(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "secrun")
	s := NewAuto(dir)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if err := s.File.Put(Entry{Key: keys[i], Scope: Scope{Project: "p"}, Value: bytes.Repeat([]byte("x"), 40)}, false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		all, err := s.FetchScoped(keys)
		if err != nil || len(all) != len(keys) {
			b.Fatal(all, err)
		}
		for _, entries := range all {
			if _, ok := Resolve(entries, Scope{Project: "p"}); !ok {
				b.Fatal(entries)
			}
		}
	}
}

// TestStaleTempRemoved: a writer killed between creating its temp file and the rename leaves
// the temp file (which holds values); the next writer removes it under the lock.
func TestStaleTempRemoved(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "A", "one")
	stale := filepath.Join(s.dir, "secrets.json.tmp-123456")
	if err := os.WriteFile(stale, []byte("left by a killed writer"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "B", "two")
	if names := storeFiles(t, s); !slices.Equal(names, []string{"secrets.json", "secrets.lock"}) {
		t.Errorf("store directory holds %q after a write, want the stale temp file gone", names)
	}
}

func TestScopedEntries(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "K", "plain")
	put := func(key, project, domain, value string, kind Kind) {
		t.Helper()
		if err := s.Put(Entry{Key: key, Scope: Scope{project, domain}, Kind: kind, Value: []byte(value)}, false); err != nil {
			t.Fatal(err)
		}
	}
	put("K", "climate", "", "climate", KindString)
	put("K", "climate", "prod", "climate-prod", KindFile)
	put("OTHER", "", "prod", "other", KindString)

	// the Store methods see only unscoped secrets
	if v, err := s.Get("K"); err != nil || string(v) != "plain" {
		t.Errorf("Get = %q, %v", v, err)
	}
	values, err := s.Fetch([]string{"K", "OTHER"})
	if err != nil || len(values) != 1 || string(values["K"]) != "plain" {
		t.Errorf("Fetch = %q, %v; want only the unscoped K", values, err)
	}
	// the scoped ones are exact
	e, err := s.GetEntry("K", Scope{"climate", "prod"})
	if err != nil || string(e.Value) != "climate-prod" || e.Kind != KindFile {
		t.Errorf("GetEntry = %+v, %v", e, err)
	}
	if _, err := s.GetEntry("K", Scope{"", "prod"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetEntry in an absent scope: %v", err)
	}
	if err := s.Put(Entry{Key: "K", Scope: Scope{Project: "climate"}, Value: []byte("x")}, false); !errors.Is(err, ErrExists) {
		t.Errorf("Put over an existing scoped entry: %v", err)
	}
	if err := s.Put(Entry{Key: "K", Scope: Scope{Project: "bad name"}, Value: []byte("x")}, false); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Put with a bad project: %v", err)
	}
	found, err := s.FetchScoped([]string{"K"})
	if err != nil || len(found["K"]) != 3 || len(found) != 1 {
		t.Errorf("FetchScoped = %v, %v", found, err)
	}
	list, _ := s.List()
	if len(list) != 4 {
		t.Errorf("List has %d entries, want 4", len(list))
	}
	// a store with a scoped entry is version 2; without one it is version 1 again
	var doc fileDoc
	json.Unmarshal(readFile(t, s.Location()), &doc)
	if doc.Version != scopedVersion {
		t.Errorf("version = %d, want %d", doc.Version, scopedVersion)
	}
	for _, sc := range []Scope{{"climate", ""}, {"climate", "prod"}, {"", "prod"}} {
		key := "K"
		if sc.Project == "" {
			key = "OTHER"
		}
		if err := s.DeleteEntry(key, sc); err != nil {
			t.Fatal(err)
		}
	}
	json.Unmarshal(readFile(t, s.Location()), &doc)
	if doc.Version != formatVersion {
		t.Errorf("version = %d after removing the scoped entries, want %d", doc.Version, formatVersion)
	}
}
