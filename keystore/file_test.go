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
	"reflect"
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
	if err := set(s, key, []byte(value), false); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

// set stores an unscoped string secret, as 'secrets set KEY' does.
func set(s Store, key string, value []byte, overwrite bool) error {
	_, err := s.Put(Entry{Key: key, Value: value}, overwrite)
	return err
}

// get returns the value of the unscoped secret key.
func get(s Store, key string) ([]byte, error) {
	e, err := s.Get(key, Scope{})
	return e.Value, err
}

// del deletes the unscoped secret key.
func del(s Store, key string) error {
	_, err := s.Delete(key, Scope{})
	return err
}

// fetch returns the unscoped values of keys, as a run of an unscoped environment reads them.
func fetch(s Store, keys []string) (map[string][]byte, error) {
	found, err := s.Fetch(keys, Scope{})
	if err != nil {
		return nil, err
	}
	values := make(map[string][]byte, len(found))
	for k, e := range found {
		values[k] = e.Value
	}
	return values, nil
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFileDescribe(t *testing.T) {
	d := NewFile(filepath.Join("x", "y")).Describe()
	want := Description{Name: "file", Reads: []Place{{Name: "file", Location: filepath.Join("x", "y", "secrets.json")}}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Describe() = %+v, want %+v", d, want)
	}
}

func TestEmptyStore(t *testing.T) {
	s := newStore(t)
	list, err := s.List()
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("List() = %#v, %v; want an empty slice", list, err)
	}
	values, err := fetch(s, []string{"A", "B"})
	if err != nil || values == nil || len(values) != 0 {
		t.Errorf("Fetch() = %#v, %v; want an empty map", values, err)
	}
	if _, err := get(s, "A"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get() error = %v, want ErrNotFound", err)
	}
	if err := del(s, "A"); !errors.Is(err, ErrNotFound) {
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
		got, err := get(s, k)
		if err != nil || string(got) != v || got == nil {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}

	values, err := fetch(s, []string{"API_TOKEN", "EMPTY", "MISSING", "not a valid key"})
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
	if err := json.Unmarshal(readFile(t, s.path()), &doc); err != nil {
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
	if err := set(s, "BLOB", value, false); err != nil {
		t.Fatal(err)
	}
	got, err := get(s, "BLOB")
	if err != nil || !bytes.Equal(got, value) {
		t.Errorf("Get() = %v, %v; want all 256 byte values", got, err)
	}
	if values, err := fetch(s, []string{"BLOB"}); err != nil || !bytes.Equal(values["BLOB"], value) {
		t.Errorf("Fetch() = %v, %v; want all 256 byte values", values, err)
	}
}

func TestNilValueReadsBackEmpty(t *testing.T) {
	s := newStore(t)
	if err := set(s, "K", nil, false); err != nil {
		t.Fatal(err)
	}
	if got, err := get(s, "K"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Get() = %#v, %v; want an empty non-nil value", got, err)
	}
}

func TestOverwrite(t *testing.T) {
	s := newStore(t)
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return clock }
	mustSet(t, s, "K", "old")

	clock = clock.Add(time.Hour)
	err := set(s, "K", []byte("new"), false)
	var ke *KeyError
	if !errors.Is(err, ErrExists) || !errors.As(err, &ke) || ke.Key != "K" {
		t.Fatalf("Set() without overwrite = %v, want a *KeyError wrapping ErrExists", err)
	}
	if err.Error() != `secret "K" already exists` {
		t.Errorf("error = %q", err)
	}
	if got, _ := get(s, "K"); string(got) != "old" {
		t.Errorf("value after refused Set = %q, want old", got)
	}

	if err := set(s, "K", []byte("new"), true); err != nil {
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
	if err := del(s, "B"); err != nil {
		t.Fatal(err)
	}
	if _, err := get(s, "B"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get() of a deleted key: %v, want ErrNotFound", err)
	}
	err := del(s, "B")
	var ke *KeyError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ke) || ke.Key != "B" || err.Error() != `secret "B" not found` {
		t.Errorf("Delete() of a missing key = %v, want a *KeyError wrapping ErrNotFound", err)
	}
	if got, err := get(s, "C"); err != nil || string(got) != "v-C" {
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
		"Set":    func() error { return set(s, "a=b", []byte("v"), false) },
		"Get":    func() error { _, err := get(s, "a=b"); return err },
		"Delete": func() error { return del(s, "a=b") },
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
	if err := os.WriteFile(s.path(), content, 0o600); err != nil {
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
	whole := readFile(t, valid.path())

	doc := func(secrets string) string {
		return `{"format":"secrun-store","version":1,"secrets":[` + secrets + `]}`
	}
	tests := []struct {
		name, content, want string
		fetchOK             bool // a run's read (Fetch) does not look at it
	}{
		{"truncated", string(whole[:len(whole)/2]), "truncated JSON", false},
		{"truncated in a value", string(whole[:bytes.Index(whole, []byte(b64))+5]), "truncated JSON", false},
		{"empty file", "", "truncated JSON", false},
		{"invalid JSON", `{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"` + b64 + `"` + secret + `}]}`, "invalid JSON at byte", false},
		{"not an object", `["` + b64 + `"]`, "cannot unmarshal", false},
		{"wrong format", `{"format":"other","version":1,"secrets":[]}`, `format is "other", not "secrun-store"`, false},
		{"no format", `{"secrets":[]}`, `format is ""`, false},
		{"unknown version", `{"format":"secrun-store","version":3,"secrets":[]}`, "unknown version 3", false},
		{"invalid key", doc(`{"key":"a b","value":"` + b64 + `"}`), `invalid key "a b": contains a space`, false},
		{"duplicate key", doc(`{"key":"A","value":"` + b64 + `"},{"key":"A","value":""}`), `key "A" appears twice`, false},
		{"bad kind", doc(`{"key":"A","kind":"blob","value":""}`), `unknown kind "blob"`, false},
		{"bad project", doc(`{"key":"A","project":"a b","value":""}`), `invalid project name "a b"`, false},
		{"bad base64", doc(`{"key":"A","value":"!!` + secret + `"}`), "illegal base64", false},
		{"bad time", doc(`{"key":"A","value":"","created":"yesterday-s3cr3t"}`), "a field holds an invalid value", true},
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
				if ce.Path != s.path() || !strings.Contains(msg, s.path()) || !strings.Contains(msg, tc.want) {
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
				if h := ce.Hint(); !strings.Contains(h, "backup") || !strings.Contains(h, s.path()) {
					t.Errorf("%s: hint %q", op, h)
				}
			}
			_, err := s.List()
			check("List", err)
			if _, err = fetch(s, []string{"A"}); !tc.fetchOK {
				check("Fetch", err)
			} else if err != nil {
				t.Errorf("Fetch: %v; a run reads no times", err)
			}
			_, err = get(s, "A")
			check("Get", err)
			check("Set", set(s, "NEW", []byte("v"), true))
			check("Delete", del(s, "A"))
			_, err = s.DeleteAll()
			check("DeleteAll", err)
			if got := readFile(t, s.path()); string(got) != tc.content {
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
			before := readFile(t, s.path())

			s.createTemp = tc.createTemp
			for op, err := range map[string]error{
				"Set":    set(s, "B", []byte("new"), false),
				"Delete": del(s, "A"),
			} {
				if err == nil || !strings.Contains(err.Error(), s.path()) {
					t.Errorf("%s: error %v, want one naming %s", op, err, s.path())
				}
			}
			if _, err := s.DeleteAll(); err == nil {
				t.Error("DeleteAll: no error")
			}
			if got := readFile(t, s.path()); !bytes.Equal(got, before) {
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
	if err := set(s, "A", []byte("v"), false); !errors.Is(err, diskFull) {
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
			errs <- set(NewFile(dir), fmt.Sprintf("KEY_%02d", i), []byte(fmt.Sprint(i)), false)
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
	go func() { done <- set(NewFile(s.dir), "A", []byte("new"), true) }()

	if got, err := get(s, "A"); err != nil || string(got) != "old" {
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
	if got, err := get(s, "A"); err != nil || string(got) != "new" {
		t.Errorf("Get() = %q, %v; want new", got, err)
	}
}

func BenchmarkFetch10(b *testing.B) {
	s := NewFile(filepath.Join(b.TempDir(), "secrun"))
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if err := set(s, keys[i], bytes.Repeat([]byte("x"), 40), false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		found, err := s.Fetch(keys, Scope{})
		if err != nil || len(found) != len(keys) {
			b.Fatal(found, err)
		}
	}
}

// BenchmarkAutoFetch10 is a run's read under the default store: auto, with no secret in the
// keyring index, over a file store of 10 secrets.
func BenchmarkAutoFetch10(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "secrun")
	s := NewAuto(dir, nil)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if err := set(s.file, keys[i], bytes.Repeat([]byte("x"), 40), false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		found, err := s.Fetch(keys, Scope{})
		if err != nil || len(found) != len(keys) {
			b.Fatal(found, err)
		}
	}
}

// BenchmarkAutoFetchScoped10 is the same read for an environment with a project: every
// scope of each key, resolved to the most specific.
func BenchmarkAutoFetchScoped10(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "secrun")
	s := NewAuto(dir, nil)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("SECRET_%d", i)
		if _, err := s.file.Put(Entry{Key: keys[i], Scope: Scope{Project: "p"}, Value: bytes.Repeat([]byte("x"), 40)}, false); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		found, err := s.Fetch(keys, Scope{Project: "p"})
		if err != nil || len(found) != len(keys) {
			b.Fatal(found, err)
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
		if _, err := s.Put(Entry{Key: key, Scope: Scope{project, domain}, Kind: kind, Value: []byte(value)}, false); err != nil {
			t.Fatal(err)
		}
	}
	put("K", "climate", "", "climate", KindString)
	put("K", "climate", "prod", "climate-prod", KindFile)
	put("OTHER", "", "prod", "other", KindString)

	// an unscoped read sees only unscoped secrets
	if v, err := get(s, "K"); err != nil || string(v) != "plain" {
		t.Errorf("Get = %q, %v", v, err)
	}
	values, err := fetch(s, []string{"K", "OTHER"})
	if err != nil || len(values) != 1 || string(values["K"]) != "plain" {
		t.Errorf("Fetch = %q, %v; want only the unscoped K", values, err)
	}
	// the scoped ones are exact
	e, err := s.Get("K", Scope{"climate", "prod"})
	if err != nil || string(e.Value) != "climate-prod" || e.Kind != KindFile {
		t.Errorf("Get = %+v, %v", e, err)
	}
	if _, err := s.Get("K", Scope{"", "prod"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get in an absent scope: %v", err)
	}
	if _, err := s.Put(Entry{Key: "K", Scope: Scope{Project: "climate"}, Value: []byte("x")}, false); !errors.Is(err, ErrExists) {
		t.Errorf("Put over an existing scoped entry: %v", err)
	}
	if _, err := s.Put(Entry{Key: "K", Scope: Scope{Project: "bad name"}, Value: []byte("x")}, false); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Put with a bad project: %v", err)
	}
	// Fetch resolves each key to its most specific entry for the scope asked
	for _, tt := range []struct {
		scope Scope
		want  map[string]string
	}{
		{Scope{"climate", "prod"}, map[string]string{"K": "climate-prod", "OTHER": "other"}},
		{Scope{"climate", ""}, map[string]string{"K": "climate"}},
		{Scope{"ocean", "prod"}, map[string]string{"K": "plain", "OTHER": "other"}},
		{Scope{"ocean", "test"}, map[string]string{"K": "plain"}},
	} {
		found, err := s.Fetch([]string{"K", "OTHER", "MISSING"}, tt.scope)
		got := map[string]string{}
		for k, e := range found {
			if e.Key != k || e.Store != "file" {
				t.Errorf("Fetch in %s: entry %+v under %q", tt.scope, e, k)
			}
			got[k] = string(e.Value)
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Fetch in %s = %v, %v; want %v", tt.scope, got, err, tt.want)
		}
	}
	list, _ := s.List()
	if len(list) != 4 {
		t.Errorf("List has %d entries, want 4", len(list))
	}
	// a store with a scoped entry is version 2; without one it is version 1 again
	var doc fileDoc
	json.Unmarshal(readFile(t, s.path()), &doc)
	if doc.Version != scopedVersion {
		t.Errorf("version = %d, want %d", doc.Version, scopedVersion)
	}
	for _, sc := range []Scope{{"climate", ""}, {"climate", "prod"}, {"", "prod"}} {
		key := "K"
		if sc.Project == "" {
			key = "OTHER"
		}
		if _, err := s.Delete(key, sc); err != nil {
			t.Fatal(err)
		}
	}
	json.Unmarshal(readFile(t, s.path()), &doc)
	if doc.Version != formatVersion {
		t.Errorf("version = %d after removing the scoped entries, want %d", doc.Version, formatVersion)
	}
}
