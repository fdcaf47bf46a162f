package keystore

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/internal/names"
)

func TestValidateKey(t *testing.T) {
	valid := []string{
		"A", "API_TOKEN", "db-password", "tls.cert", "team/prod/db", "x-", "_", "9lives",
		"a/b-c_d.e", ".hidden", "a.b.c", strings.Repeat("k", names.MaxKey),
	}
	for _, key := range valid {
		if err := ValidateKey(key); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", key, err)
		}
	}

	invalid := []struct {
		name, key, want string
	}{
		{"empty", "", `invalid key "": it is empty`},
		{"too long", strings.Repeat("k", names.MaxKey+1), "it is 257 characters long (at most 256)"},
		{"space", "a b", `invalid key "a b": contains a space (allowed: letters, digits, _ - . /)`},
		{"equals", "A=B", `invalid key "A=B": contains "=" (allowed: letters, digits, _ - . /)`},
		{"dollar", "$HOME", `contains "$"`},
		{"NUL", "a\x00b", `invalid key "a\x00b": contains "\x00"`},
		{"newline", "a\nb", `contains "\n"`},
		{"escape sequence", "a\x1b[31m", `invalid key "a\x1b[31m": contains "\x1b"`},
		{"non-ASCII letter", "caf\u00e9", `invalid key "caf\u00e9": contains "\u00e9"`},
		{"lookalike letter", "API_T\u041eKEN", `contains "\u041e"`},
		{"bidi override", "a\u202eb", `contains "\u202e"`},
		{"invalid UTF-8", "a\xffb", `invalid key "a\xffb": contains "\xff"`},
		{"leading dash", "-e", `invalid key "-e": it starts with "-", which would be read as a flag`},
		{"dot dot", "..", `contains ".."`},
		{"dot dot segment", "a/../b", `contains ".."`},
		{"dot dot inside", "a..b", `contains ".."`},
		{"leading slash", "/etc", `it starts with "/"`},
		{"trailing slash", "a/", `it ends with "/"`},
		{"double slash", "a//b", `contains "//"`},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateKey(tc.key)
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ValidateKey(%q) = %v, want ErrInvalidKey", tc.key, err)
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tc.key {
				t.Fatalf("ValidateKey(%q) = %#v, want a *KeyError for the key", tc.key, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			for _, r := range msg {
				if r < ' ' || r > '~' {
					t.Errorf("error %q holds the raw character %q", msg, r)
				}
			}
		})
	}
}

func TestKeyErrorMessages(t *testing.T) {
	long := strings.Repeat("k", 1000)
	tests := []struct {
		err  *KeyError
		want string
	}{
		{&KeyError{Key: "API_TOKEN", Err: ErrExists}, `secret "API_TOKEN" already exists`},
		{&KeyError{Key: "X", Err: ErrNotFound}, `secret "X" not found`},
		{&KeyError{Key: "X", Err: errors.New("other")}, `secret "X": other`},
		{&KeyError{Key: long, Err: ErrNotFound}, `secret "` + long[:60] + `..." not found`},
		{&KeyError{Key: "X", Scope: Scope{Project: "p"}, Err: ErrNotFound}, `secret "X" (scope p/*) not found`},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, tc.err.Err) {
			t.Errorf("%v does not unwrap to %v", tc.err, tc.err.Err)
		}
	}
}

// TestDataDir: where the directory is, on each platform, is dirs' test (TestFind).
func TestDataDir(t *testing.T) {
	if got, err := DataDir(dirs.Dirs{Data: "/data/s"}); err != nil || got != "/data/s" {
		t.Errorf("DataDir() = %q, %v; want /data/s", got, err)
	}
	if got, err := DataDir(dirs.Dirs{}); err == nil || !strings.Contains(err.Error(), "; set SECRUN_DATA_DIR") {
		t.Errorf("DataDir() without a home = %q, %v; want an error saying to set SECRUN_DATA_DIR", got, err)
	}
}

func TestDataDirFromEnvironment(t *testing.T) {
	t.Setenv("SECRUN_DATA_DIR", "/somewhere/secrun")
	if got, err := DataDir(dirs.FromEnv()); err != nil || got != "/somewhere/secrun" {
		t.Errorf("DataDir() = %q, %v; want /somewhere/secrun", got, err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return
	}
	t.Setenv("SECRUN_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/xdg/data")
	if got, err := DataDir(dirs.FromEnv()); err != nil || got != "/xdg/data/secrun" {
		t.Errorf("DataDir() = %q, %v; want /xdg/data/secrun", got, err)
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"/home/u/.local/share/secrun/secrets.json":    "/home/u/.local/share/secrun/secrets.json",
		"/Users/u/Library/Application Support/secrun": "'/Users/u/Library/Application Support/secrun'",
		"/tmp/it's": `'/tmp/it'\''s'`,
		"/tmp/$(x)": "'/tmp/$(x)'",
		"":          "''",
	}
	for in, want := range tests {
		if got := fileperm.Quote(in); got != want {
			t.Errorf("fileperm.Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	all := []Entry{
		{Key: "K", Value: []byte("none")},
		{Key: "K", Scope: Scope{Domain: "prod"}, Value: []byte("any/prod")},
		{Key: "K", Scope: Scope{Project: "climate"}, Value: []byte("climate/any")},
		{Key: "K", Scope: Scope{Project: "climate", Domain: "prod"}, Value: []byte("climate/prod")},
		{Key: "K", Scope: Scope{Project: "other", Domain: "dev"}, Value: []byte("other/dev")},
	}
	tests := []struct {
		entries []Entry
		want    Scope
		value   string // "" for no match
	}{
		{all, Scope{"climate", "prod"}, "climate/prod"},
		{all, Scope{"climate", "dev"}, "climate/any"},
		{all, Scope{"ocean", "prod"}, "any/prod"},
		{all, Scope{"ocean", "dev"}, "none"},
		{all, Scope{"climate", ""}, "climate/any"},
		{all, Scope{"", "prod"}, "any/prod"},
		{all, Scope{}, "none"},
		{all, Scope{"other", "prod"}, "any/prod"},
		{all[1:], Scope{"ocean", "dev"}, ""},
		{all[4:], Scope{"other", ""}, ""},
		{nil, Scope{"climate", "prod"}, ""},
	}
	for _, tt := range tests {
		e, ok := Resolve(tt.entries, tt.want)
		if got := string(e.Value); ok != (tt.value != "") || got != tt.value {
			t.Errorf("Resolve(%d entries, %v) = %q, %v; want %q", len(tt.entries), tt.want, got, ok, tt.value)
		}
	}
}

func TestValidateScope(t *testing.T) {
	for name, ok := range map[string]bool{
		"climate": true, "prod-1.a_b": true, "": false, "-x": false, ".x": false, "a b": false,
		"a/b": false, strings.Repeat("p", 64): true, strings.Repeat("p", 65): false, "é": false,
	} {
		if err := ValidateScope("project", name); (err == nil) != ok {
			t.Errorf("ValidateScope(%q) = %v, want ok %v", name, err, ok)
		}
	}
}
