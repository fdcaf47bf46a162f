package keystore

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"
)

// benchStore returns the bytes of a store file with n secrets of 50 bytes, as write makes it.
func benchStore(b *testing.B, n int) []byte {
	b.Helper()
	s := NewFile(b.TempDir())
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	s.now = func() time.Time { return now }
	entries := make([]fileEntry, n)
	for i := range entries {
		entries[i] = fileEntry{Key: fmt.Sprintf("BENCH_%d", i+1), Value: []byte(fmt.Sprintf("v%02d-%047x", i, i)), Created: now, Updated: now}
	}
	if err := s.write(entries); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(s.path())
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecode100 decodes a store of 100 secrets, as every launch does once.
func BenchmarkDecode100(b *testing.B) {
	data := benchStore(b, 100)
	for b.Loop() {
		if _, err := decode("secrets.json", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode100Want10 decodes the same store for a launch that needs 10 of its secrets.
func BenchmarkDecode100Want10(b *testing.B) {
	data := benchStore(b, 100)
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("BENCH_%d", i*10+1)
	}
	want := func(key string) bool { return slices.Contains(keys, key) }
	for b.Loop() {
		if _, err := decode("secrets.json", data, want); err != nil {
			b.Fatal(err)
		}
	}
}

// storeSeeds are store texts that parseStore takes, and some that it leaves to encoding/json.
var storeSeeds = []string{
	`{"format":"secrun-store","version":1,"secrets":[]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"czNjcjN0","created":"2026-01-02T03:04:05.000000006Z","updated":"2026-01-02T03:04:05Z"}]}`,
	" {\n\t\"secrets\" : [ { \"value\" : \"\" , \"key\" : \"a/b.c-d\" } ] ,\r\n \"version\" : 1 , \"format\" : \"secrun-store\" } \n",
	`{"format":"secrun-store","version":1}`,
	`{}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"czNjcjN0","created":"2026-01-02T03:04:05+01:00"}]}`,
	`{"format":"secrun-store","version":2,"secrets":[{"key":"A","project":"p","domain":"d.e","kind":"file","value":""}]}`,
	// Left to encoding/json:
	`{"format":"secrun-store","version":1,"secrets":null}`,
	`{"Format":"secrun-store","version":1,"secrets":[]}`,
	`{"format":"secrun-store","version":1,"version":2,"secrets":[]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","key":"B"}]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"\u0041","value":"czNj"}]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"!!"}]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","created":"yesterday"}]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":null}]}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"A","extra":true}]}`,
	`{"format":"secrun-store","version":2,"secrets":[{"key":"A","project":"p","project":"q"}]}`,
	`{"format":"secrun-store","version":2,"secrets":[{"key":"A","kind":null}]}`,
	`{"format":"secrun-store","version":2,"secrets":[{"key":"A","domain":7}]}`,
	`{"format":"secrun-store","version":01,"secrets":[]}`,
	`{"format":"secrun-store","version":1.0,"secrets":[]}`,
	`{"format":"secrun-store","version":-1,"secrets":[]}`,
	`{"format":"secrun-store","version":99999999999999999999,"secrets":[]}`,
	`{"format":"secrun-store","version":1,"secrets":[]} x`,
	`{"format":"secrun-store","version":1,"secrets":[],}`,
	`{"format":"secrun-store","version":1,"secrets":[{"key":"é"}]}`,
	`{"format":"secrun-store","version":1,"secrets":[`,
	"\ufeff{}", `[]`, ``, `null`,
}

// checkParseStore fails when parseStore takes data and reads it otherwise than encoding/json,
// or when, asked for some keys only, it does not give the same entries with the others'
// values and every time left out.
func checkParseStore(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := parseStore(data, nil)
	if !ok {
		return false
	}
	var want fileDoc
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("parseStore took %q, which encoding/json refuses: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseStore(%q) =\n%+v\nencoding/json gives\n%+v", data, got, want)
	}
	odd := func(key string) bool { return len(key)%2 == 1 }
	some, ok := parseStore(data, odd)
	for i := range want.Secrets {
		e := &want.Secrets[i]
		if !odd(e.Key) {
			e.Value = nil
		}
		e.Created, e.Updated = time.Time{}, time.Time{}
	}
	if !ok || !reflect.DeepEqual(some, want) {
		t.Fatalf("parseStore(%q, keys of odd length) = %v,\n%+v\nwant\n%+v", data, ok, some, want)
	}
	return true
}

// TestParseStoreWant: a launch reads the values of the secrets it needs only, and no times,
// so a bad value elsewhere does not stop it, nor a bad time anywhere; a bad value that it
// needs is an error, as before.
func TestParseStoreWant(t *testing.T) {
	data := []byte(`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"czNj"},` +
		`{"key":"B","value":"!!","created":"yesterday"}]}`)
	wantA := func(key string) bool { return key == "A" }
	entries, err := decode("secrets.json", data, wantA)
	if err != nil || len(entries) != 2 || string(entries[0].Value) != "s3c" || entries[1].Value != nil {
		t.Errorf("decode for A = %+v, %v; want A's value and B without one", entries, err)
	}
	if _, err := decode("secrets.json", data, func(key string) bool { return key == "B" }); err == nil {
		t.Error("decode for B took its bad value")
	}
	if _, err := decode("secrets.json", data, nil); err == nil {
		t.Error("decode of every entry took B's bad value")
	}
	badTime := []byte(`{"format":"secrun-store","version":1,"secrets":[{"key":"A","value":"czNj","updated":"yesterday"}]}`)
	if entries, err := decode("secrets.json", badTime, wantA); err != nil || string(entries[0].Value) != "s3c" {
		t.Errorf("decode for A with a bad time = %+v, %v; want its value (a run reads no times)", entries, err)
	}
	if _, err := decode("secrets.json", badTime, nil); err == nil {
		t.Error("decode of every entry took a bad time")
	}
	// The same key in other scopes, in any order, is no duplicate.
	for _, good := range []string{`{"key":"A"},{"key":"A","project":"p"},{"key":"A","project":"p","domain":"d"}`,
		`{"key":"A","project":"p"},{"key":"B"},{"key":"A"}`} {
		data := []byte(`{"format":"secrun-store","version":2,"secrets":[` + good + `]}`)
		if _, err := decode("secrets.json", data, wantA); err != nil {
			t.Errorf("decode of %s: %v", good, err)
		}
	}
	// Every entry's key, kind and scope are still checked, and duplicates found.
	for _, bad := range []string{
		`{"key":"A","value":"czNj"},{"key":"A"}`,                          // twice, in the order write keeps
		`{"key":"B"},{"key":"A","value":"czNj"},{"key":"B"}`,              // twice, in another order
		`{"key":"A","project":"p"},{"key":"A"},{"key":"A","project":"p"}`, // twice in one scope
		`{"key":"A"},{"key":"-x"}`, `{"key":"A"},{"key":"B","kind":"odd"}`,
	} {
		data := []byte(`{"format":"secrun-store","version":1,"secrets":[` + bad + `]}`)
		if _, err := decode("secrets.json", data, wantA); err == nil {
			t.Errorf("decode for A took %s", bad)
		}
	}
}

func TestParseStoreMatchesJSON(t *testing.T) {
	taken := 0
	for _, s := range storeSeeds {
		if checkParseStore(t, []byte(s)) {
			taken++
		}
	}
	if taken != 7 {
		t.Errorf("parseStore took %d of the seeds, want the first 7", taken)
	}
}

// TestParseStoreTakesWrittenStores: the file that write makes takes the fast path.
func TestParseStoreTakesWrittenStores(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "A", "s3cr3t")
	mustSet(t, s, "b/c.d-e", "\x00\xff binary \"quoted\" \\ é")
	if _, err := s.Put(Entry{Key: "A", Scope: Scope{Project: "p", Domain: "d"}, Kind: KindFile, Value: []byte("x")}, false); err != nil {
		t.Fatal(err)
	}
	if !checkParseStore(t, readFile(t, s.path())) {
		t.Errorf("parseStore refused a store that write made:\n%s", readFile(t, s.path()))
	}
}

func FuzzParseStore(f *testing.F) {
	for _, s := range storeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkParseStore(t, data) })
}
