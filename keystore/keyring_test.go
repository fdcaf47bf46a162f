package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// These unit tests run the keyring store's own logic (index, splitting, repair) on
// go-keyring's in-memory mock. The tests against a real Secret Service are the keyring_*
// scripts in integration/testdata/script.

// newMockKeyring returns a keyring store on go-keyring's mock, with its index in a fresh dir.
func newMockKeyring(t *testing.T, partSize int) *Keyring {
	t.Helper()
	gokeyring.MockInit()
	return &Keyring{
		index:    index{dir: filepath.Join(t.TempDir(), "secrun")},
		backend:  &goKeyring{name: "mock", service: Service},
		PartSize: partSize,
		service:  Service,
		now:      time.Now,
	}
}

// mockItems returns the names of the mock keyring's items among names.
func mockItems(names ...string) []string {
	var found []string
	for _, n := range names {
		if _, err := gokeyring.Get(Service, n); err == nil {
			found = append(found, n)
		}
	}
	return found
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		in   string
		size int
		want []string
	}{
		{"", 4, []string{""}},
		{"abcd", 4, []string{"abcd"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"abcü", 4, []string{"abc", "ü"}},                           // never inside a character
		{"üüü", 3, []string{"ü", "ü", "ü"}},                         // 2-byte characters in 3-byte parts
		{"€€", 2, []string{"\xe2\x82", "\xac", "\xe2\x82", "\xac"}}, // a part smaller than a character cuts bytes
	}
	for _, tt := range tests {
		got := splitText(tt.in, tt.size)
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitText(%q, %d) = %q, want %q", tt.in, tt.size, got, tt.want)
		}
		if strings.Join(got, "") != tt.in {
			t.Errorf("splitText(%q, %d) loses bytes", tt.in, tt.size)
		}
	}
}

func TestEncodeValue(t *testing.T) {
	tests := []struct {
		in       []byte
		text     string
		encoding string
	}{
		{[]byte("plain text"), "plain text", ""},
		{[]byte("über"), "über", ""},
		{[]byte{0xff, 0xfe}, "//4=", "base64"},
		{[]byte("nul\x00inside"), "bnVsAGluc2lkZQ==", "base64"},
	}
	for _, tt := range tests {
		text, enc := encodeValue(tt.in)
		if text != tt.text || enc != tt.encoding {
			t.Errorf("encodeValue(%q) = %q, %q; want %q, %q", tt.in, text, enc, tt.text, tt.encoding)
		}
	}
}

func TestParsePartName(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		gen, part int
		ok        bool
	}{
		{"API#3.2", "API", 3, 2, true},
		{"a/b.c#1.10", "a/b.c", 1, 10, true},
		{"API", "", 0, 0, false},
		{"API#x.1", "", 0, 0, false},
		{"bad key#1.1", "", 0, 0, false},
	}
	for _, tt := range tests {
		key, gen, part, ok := parsePartName(tt.name)
		if ok != tt.ok || ok && (key != tt.key || gen != tt.gen || part != tt.part) {
			t.Errorf("parsePartName(%q) = %q %d %d %v", tt.name, key, gen, part, ok)
		}
	}
}

func TestKeyringRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		partSize int
		items    int
	}{
		{"short", "s3cr3t", 16, 1},
		{"exactly one part", "0123456789abcdef", 16, 1},
		{"split", strings.Repeat("x", 40), 16, 3},
		{"split utf-8", strings.Repeat("ü", 20), 15, 3},
		{"binary", "\xff\x00\x01\x02", 16, 1},
		{"binary split", strings.Repeat("\xff", 30), 16, 3}, // 40 base64 characters
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newMockKeyring(t, tt.partSize)
			if err := set(k, "K", []byte(tt.value), false); err != nil {
				t.Fatal(err)
			}
			got, err := get(k, "K")
			if err != nil || string(got) != tt.value {
				t.Fatalf("Get = %q, %v; want %q", got, err, tt.value)
			}
			entries, _ := k.index.load()
			if len(entries) != 1 || entries[0].Parts != tt.items || entries[0].Size != len(tt.value) {
				t.Fatalf("index = %+v, want %d parts of a %d-byte value", entries, tt.items, len(tt.value))
			}
			values, err := fetch(k, []string{"K", "OTHER"})
			if err != nil || string(values["K"]) != tt.value || len(values) != 1 {
				t.Fatalf("Fetch = %q, %v", values, err)
			}
			if err := del(k, "K"); err != nil {
				t.Fatal(err)
			}
			if left := mockItems("K", partName("K", 1, 1), partName("K", 1, 2), partName("K", 1, 3)); len(left) > 0 {
				t.Fatalf("items left after Delete: %q", left)
			}
			if _, err := get(k, "K"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after Delete: %v", err)
			}
		})
	}
}

func TestKeyringIndexHoldsNoValue(t *testing.T) {
	k := newMockKeyring(t, 8)
	mustSet(t, k, "K", "index-s3cr3t-value")
	data := readFile(t, k.IndexPath())
	if strings.Contains(string(data), "s3cr3t") {
		t.Fatalf("the index holds the value: %s", data)
	}
	for _, p := range []string{k.IndexPath(), filepath.Dir(k.IndexPath())} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", p, fi.Mode())
		}
	}
}

func TestKeyringOverwriteReplacesParts(t *testing.T) {
	k := newMockKeyring(t, 8)
	steps := []struct {
		value string
		items []string // the item names after the step
	}{
		{"0123456789abcdefghij", []string{"K#1.1", "K#1.2", "K#1.3"}},
		{"0123456789", []string{"K#2.1", "K#2.2"}},
		{"short", []string{"K"}},
		{"0123456789abcdefghij", []string{"K#1.1", "K#1.2", "K#1.3"}},
	}
	all := []string{"K", "K#1.1", "K#1.2", "K#1.3", "K#2.1", "K#2.2"}
	for i, s := range steps {
		if err := set(k, "K", []byte(s.value), i > 0); err != nil {
			t.Fatal(err)
		}
		if got := mockItems(all...); !slices.Equal(got, s.items) {
			t.Errorf("step %d: items %q, want %q", i, got, s.items)
		}
		if v, err := get(k, "K"); err != nil || string(v) != s.value {
			t.Errorf("step %d: Get = %q, %v", i, v, err)
		}
	}
	if err := set(k, "K", []byte("x"), false); !errors.Is(err, ErrExists) {
		t.Errorf("Set without overwrite: %v, want ErrExists", err)
	}
}

// failing is a backend that fails its nth store call.
type failing struct {
	backend
	n int
}

func (f *failing) store(name, label string, value []byte) error {
	if f.n--; f.n == 0 {
		return errors.New("refused")
	}
	return f.backend.store(name, label, value)
}

func TestKeyringFailedWriteKeepsOldValue(t *testing.T) {
	k := newMockKeyring(t, 8)
	mustSet(t, k, "K", "old-value-in-3-parts")
	k.backend = &failing{backend: k.backend, n: 2} // the second part of the new value fails
	err := set(k, "K", []byte("new-value-in-3-parts"), true)
	var ke *KeyringError
	if !errors.As(err, &ke) || strings.Contains(err.Error(), "value-in") {
		t.Fatalf("Set = %v, want a KeyringError that holds no value", err)
	}
	if v, err := get(k, "K"); err != nil || string(v) != "old-value-in-3-parts" {
		t.Fatalf("after a failed write Get = %q, %v", v, err)
	}
	if left := mockItems("K#2.1", "K#2.2"); len(left) > 0 {
		t.Errorf("the failed write left %q", left)
	}
}

func TestKeyringCheckRepairsMissingItems(t *testing.T) {
	k := newMockKeyring(t, 8)
	mustSet(t, k, "WHOLE", "ok")
	mustSet(t, k, "GONE", "gone")
	mustSet(t, k, "PARTIAL", "0123456789abcdefgh")
	gokeyring.Delete(Service, "GONE")
	gokeyring.Delete(Service, "PARTIAL#1.2")

	if _, err := fetch(k, []string{"GONE"}); !errors.Is(err, ErrItemMissing) {
		t.Errorf("Fetch of a missing item: %v", err)
	}
	list, err := k.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if (e.Problem != "") != (e.Key != "WHOLE") {
			t.Errorf("List: %s has problem %q", e.Key, e.Problem)
		}
	}
	findings, err := k.Check(false)
	if err != nil || len(findings) != 2 {
		t.Fatalf("Check = %+v, %v", findings, err)
	}
	if keys, _ := k.Keys(); len(keys) != 3 {
		t.Fatalf("Check without repair changed the index: %q", keys)
	}
	findings, err = k.Check(true)
	if err != nil || len(findings) != 2 || !findings[0].Repaired || !findings[1].Repaired {
		t.Fatalf("Check(repair) = %+v, %v", findings, err)
	}
	if keys, _ := k.Keys(); !slices.Equal(keys, []string{"WHOLE"}) {
		t.Errorf("index after repair: %q", keys)
	}
	if left := mockItems("PARTIAL#1.1", "PARTIAL#1.3"); len(left) > 0 {
		t.Errorf("repair left parts %q", left)
	}
	if findings, err := k.Check(false); err != nil || len(findings) != 0 {
		t.Errorf("Check after repair = %+v, %v", findings, err)
	}
}

func TestIndexRefusedWhenOpen(t *testing.T) {
	k := newMockKeyring(t, 8)
	mustSet(t, k, "K", "v")
	if err := os.Chmod(k.IndexPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	var pe *PermError
	if _, err := get(k, "K"); !errors.As(err, &pe) {
		t.Errorf("Get with a 0644 index: %v, want a PermError", err)
	}
	if err := set(k, "K2", []byte("v"), false); !errors.As(err, &pe) {
		t.Errorf("Set with a 0644 index: %v, want a PermError", err)
	}
}

func TestIndexCorrupt(t *testing.T) {
	for _, content := range []string{"{", `{"format":"other","version":1}`, `{"format":"secrun-keyring-index","version":1,"secrets":[{"key":"a b","parts":1}]}`} {
		k := newMockKeyring(t, 8)
		os.MkdirAll(k.index.dir, 0o700)
		os.WriteFile(k.IndexPath(), []byte(content), 0o600)
		var ce *CorruptError
		if _, err := k.Keys(); !errors.As(err, &ce) {
			t.Errorf("%s: Keys = %v, want a CorruptError", content, err)
		}
		if err := set(k, "K", []byte("v"), false); !errors.As(err, &ce) {
			t.Errorf("%s: Set = %v, want a CorruptError", content, err)
		}
		if data := readFile(t, k.IndexPath()); string(data) != content {
			t.Errorf("a corrupt index was replaced")
		}
	}
}

// counting is a backend that counts open calls and can be unavailable.
type counting struct {
	backend
	opens int
	down  bool
}

func (c *counting) open() error {
	c.opens++
	if c.down {
		return &UnavailableError{Backend: "test", Reason: "down"}
	}
	return c.backend.open()
}

func newMockAuto(t *testing.T) (*Auto, *counting) {
	k := newMockKeyring(t, 64)
	c := &counting{backend: k.backend}
	k.backend = c
	return &Auto{file: NewFile(k.index.dir), keyring: k, verbosef: func(string, ...any) {}}, c
}

func TestAutoFileOnlyRunMakesNoKeyringCall(t *testing.T) {
	a, c := newMockAuto(t)
	mustSet(t, a.file, "F", "file")
	mustSet(t, a.keyring, "R", "ring")
	c.opens = 0
	values, err := fetch(a, []string{"F", "MISSING"})
	if err != nil || string(values["F"]) != "file" || len(values) != 1 {
		t.Fatalf("Fetch = %q, %v", values, err)
	}
	if c.opens != 0 {
		t.Errorf("a fetch of file-store keys opened the keyring %d times", c.opens)
	}
	found, err := a.Fetch([]string{"F", "R"}, Scope{})
	if err != nil || string(found["F"].Value) != "file" || string(found["R"].Value) != "ring" {
		t.Fatalf("Fetch = %+v, %v", found, err)
	}
	if found["F"].Store != "file" || found["R"].Store != "keyring" {
		t.Errorf("stores %q %q", found["F"].Store, found["R"].Store)
	}
}

func TestAutoWritesAndFallsBack(t *testing.T) {
	tests := []struct {
		name string
		down bool
		want string
	}{
		{"keyring answers", false, "keyring"},
		{"keyring down", true, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, c := newMockAuto(t)
			c.down = tt.down
			var said []string
			a.verbosef = func(f string, args ...any) { said = append(said, f) }
			if where, err := a.Put(Entry{Key: "K", Value: []byte("v")}, false); err != nil || where != tt.want {
				t.Errorf("new key went to %q (%v), want %q", where, err, tt.want)
			}
			if tt.down && len(said) == 0 {
				t.Error("the fallback was not reported to Verbosef")
			}
			if err := set(a, "K", []byte("w"), false); !errors.Is(err, ErrExists) {
				t.Errorf("second Set: %v, want ErrExists", err)
			}
			if v, err := get(a, "K"); err != nil || string(v) != "v" {
				t.Errorf("Get = %q, %v", v, err)
			}
		})
	}
}

func TestAutoReadsKeyringFirst(t *testing.T) {
	a, _ := newMockAuto(t)
	mustSet(t, a.file, "K", "file")
	mustSet(t, a.keyring, "K", "ring")
	if v, _ := get(a, "K"); string(v) != "ring" {
		t.Errorf("Get = %q, want the keyring's value", v)
	}
	list, err := a.List()
	if err != nil || len(list) != 2 || list[0].Store != "keyring" || list[1].Problem == "" {
		t.Errorf("List = %+v, %v", list, err)
	}
	if from, err := a.Delete("K", Scope{}); err != nil || from != "keyring and file" {
		t.Errorf("Delete = %v, from %q", err, from)
	}
}

func TestMoveKeepsSourceOnFailure(t *testing.T) {
	a, c := newMockAuto(t)
	mustSet(t, a.file, "K", "v")
	c.down = true
	if err := Move("K", a.file, a.keyring, false); err == nil {
		t.Fatal("Move to an unavailable keyring succeeded")
	}
	if v, err := get(a.file, "K"); err != nil || string(v) != "v" {
		t.Fatalf("source after a failed move: %q, %v", v, err)
	}
	c.down = false
	if err := Move("K", a.file, a.keyring, false); err != nil {
		t.Fatal(err)
	}
	if _, err := get(a.file, "K"); !errors.Is(err, ErrNotFound) {
		t.Errorf("source after a move: %v", err)
	}
	if v, err := get(a.keyring, "K"); err != nil || string(v) != "v" {
		t.Errorf("destination after a move: %q, %v", v, err)
	}
}

func TestKeyringKeepsKind(t *testing.T) {
	k := newMockKeyring(t, 16)
	bin := []byte("\x00\xffbinary file bytes, more than one part\n")
	if _, err := k.Put(Entry{Key: "F", Kind: KindFile, Value: bin}, false); err != nil {
		t.Fatal(err)
	}
	e, err := k.Get("F", Scope{})
	if err != nil || e.Kind != KindFile || !slices.Equal(e.Value, bin) || e.Store != "keyring" {
		t.Fatalf("Get = %+v, %v", e, err)
	}
	list, err := k.List()
	if err != nil || len(list) != 1 || list[0].Kind != KindFile {
		t.Fatalf("List = %+v, %v", list, err)
	}
	// a plain Set over it makes it a string secret again, as the file store does
	if err := set(k, "F", []byte("text"), true); err != nil {
		t.Fatal(err)
	}
	if e, _ := k.Get("F", Scope{}); e.Kind != KindString {
		t.Errorf("kind after Set = %q", e.Kind)
	}
}

func TestKeyringRefusesTooManyParts(t *testing.T) {
	k := newMockKeyring(t, 8)
	err := set(k, "K", []byte(strings.Repeat("x", 8*maxParts+1)), false)
	var big *TooLargeError
	if !errors.As(err, &big) || big.Parts != maxParts+1 {
		t.Fatalf("Set of %d parts: %v", maxParts+1, err)
	}
	if keys, _ := k.Keys(); len(keys) != 0 {
		t.Errorf("index after a refused Set: %q", keys)
	}
	if err := set(k, "K", []byte(strings.Repeat("x", 8*maxParts)), false); err != nil {
		t.Errorf("Set of %d parts: %v", maxParts, err)
	}
}

func TestAutoTooLargeGoesToFile(t *testing.T) {
	a, _ := newMockAuto(t)
	a.keyring.PartSize = 8
	where, err := a.Put(Entry{Key: "BIG", Kind: KindFile, Value: []byte(strings.Repeat("x", 8*maxParts+1))}, false)
	if err != nil {
		t.Fatal(err)
	}
	if where != "file" {
		t.Errorf("a value too large for the keyring went to %q", where)
	}
	if e, err := a.file.Get("BIG", Scope{}); err != nil || e.Kind != KindFile {
		t.Errorf("file store: %+v, %v", e, err)
	}
}

func TestAutoScopedSecretsLiveInTheFile(t *testing.T) {
	a, c := newMockAuto(t)
	mustSet(t, a, "K", "ring") // the keyring answers: unscoped goes there
	if _, err := a.Put(Entry{Key: "K", Scope: Scope{Project: "p"}, Value: []byte("scoped")}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Put(Entry{Key: "ONLY", Scope: Scope{Domain: "d"}, Value: []byte("dom")}, false); err != nil {
		t.Fatal(err)
	}
	if keys, _ := a.keyring.Keys(); !slices.Equal(keys, []string{"K"}) {
		t.Errorf("keyring index: %q", keys)
	}
	for _, tt := range []struct {
		key       string
		scope     Scope
		want      string
		wantStore string
	}{
		{"K", Scope{Project: "p"}, "scoped", "file"},
		{"K", Scope{Project: "q"}, "ring", "keyring"},
		{"K", Scope{}, "ring", "keyring"},
		{"ONLY", Scope{Project: "p", Domain: "d"}, "dom", "file"},
	} {
		found, err := a.Fetch([]string{"K", "ONLY"}, tt.scope)
		e, ok := found[tt.key]
		if err != nil || !ok || string(e.Value) != tt.want || e.Store != tt.wantStore {
			t.Errorf("Fetch(%s) in %v = %+v, %v, %v; want %q from %s", tt.key, tt.scope, e, ok, err, tt.want, tt.wantStore)
		}
	}
	if found, _ := a.Fetch([]string{"ONLY"}, Scope{}); len(found) != 0 {
		t.Errorf("an unscoped lookup found a scoped-only secret: %+v", found)
	}
	if e, err := a.Get("K", Scope{Project: "p"}); err != nil || string(e.Value) != "scoped" {
		t.Errorf("Get scoped = %+v, %v", e, err)
	}
	list, err := a.List()
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	for _, e := range list {
		if e.Problem != "" {
			t.Errorf("List marks %s %v: %s", e.Key, e.Scope, e.Problem)
		}
	}
	if _, err := a.Delete("K", Scope{Project: "p"}); err != nil {
		t.Fatal(err)
	}
	if v, err := get(a, "K"); err != nil || string(v) != "ring" {
		t.Errorf("after deleting the scoped entry: %q, %v", v, err)
	}
	// with the keyring down, the file store's scoped entries still resolve, and the reason
	// for the keyring's silence is kept
	c.down = true
	found, err := a.Fetch([]string{"K", "ONLY"}, Scope{Domain: "d"})
	if e, ok := found["ONLY"]; err != nil || !ok || string(e.Value) != "dom" {
		t.Errorf("keyring down: %+v, %v, %v", found, ok, err)
	}
	if e, ok := found["K"]; ok || a.Describe().Trouble == nil {
		t.Errorf("keyring down: K found (%+v) or no trouble kept (%v)", e, a.Describe().Trouble)
	}
}

func TestMoveCarriesKind(t *testing.T) {
	a, _ := newMockAuto(t)
	if _, err := a.file.Put(Entry{Key: "F", Kind: KindFile, Value: []byte("\x00pem")}, false); err != nil {
		t.Fatal(err)
	}
	if err := Move("F", a.file, a.keyring, false); err != nil {
		t.Fatal(err)
	}
	if e, err := a.keyring.Get("F", Scope{}); err != nil || e.Kind != KindFile || string(e.Value) != "\x00pem" {
		t.Fatalf("in the keyring: %+v, %v", e, err)
	}
	if err := Move("F", a.keyring, a.file, false); err != nil {
		t.Fatal(err)
	}
	if e, err := a.file.Get("F", Scope{}); err != nil || e.Kind != KindFile {
		t.Errorf("back in the file store: %+v, %v", e, err)
	}
}

// TestKeyringRefusesScopes: every operation on a scoped entry is refused with an error that
// matches errors.ErrUnsupported, before any keyring call.
func TestKeyringRefusesScopes(t *testing.T) {
	k := newMockKeyring(t, 64)
	c := &counting{backend: k.backend}
	k.backend = c
	sc := Scope{Project: "p"}
	_, getErr := k.Get("K", sc)
	_, putErr := k.Put(Entry{Key: "K", Scope: sc, Value: []byte("v")}, false)
	_, delErr := k.Delete("K", sc)
	_, fetchErr := k.Fetch([]string{"K"}, sc)
	for op, err := range map[string]error{"Get": getErr, "Put": putErr, "Delete": delErr, "Fetch": fetchErr} {
		var ue *UnsupportedError
		if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &ue) || err.Error() != "the keyring store keeps no scoped secrets" {
			t.Errorf("%s in a scope: %v, want the keyring's refusal of scopes", op, err)
		}
	}
	if c.opens != 0 {
		t.Errorf("refusals opened the keyring %d times", c.opens)
	}
}

// TestAutoDescribe: auto names the keyring among the stores it reads only while the index
// lists a secret, and keeps the keyring's trouble.
func TestAutoDescribe(t *testing.T) {
	a, c := newMockAuto(t)
	names := func() []string {
		var n []string
		for _, p := range a.Describe().Reads {
			n = append(n, p.Name)
		}
		return n
	}
	if d := a.Describe(); d.Name != "auto" || !slices.Equal(names(), []string{"file"}) || d.Trouble != nil {
		t.Errorf("empty index: %+v", d)
	}
	mustSet(t, a.keyring, "R", "ring")
	if got := names(); !slices.Equal(got, []string{"keyring", "file"}) {
		t.Errorf("index lists R: reads %q", got)
	}
	c.down = true
	if found, err := a.Fetch([]string{"R"}, Scope{}); err != nil || len(found) != 0 {
		t.Fatalf("keyring down: %+v, %v", found, err)
	}
	if d := a.Describe(); !errors.As(d.Trouble, new(*UnavailableError)) {
		t.Errorf("keyring down: trouble %v", d.Trouble)
	}
}
