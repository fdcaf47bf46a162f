package envdef

import (
	"reflect"
	"testing"
)

func TestScanLinesHeaders(t *testing.T) {
	ix := scanLines([]byte(`[[env]]   # first
name = "a"
  [[ env . executables ]]
  [[env.executables.instances]]
[env.specifiers]
x = """
[[env]]
"""
[[env]]
["quoted".key]
`))
	want := []string{"[[env]]", "", "[[env.executables]]", "[[env.executables.instances]]", "[env.specifiers]",
		"", "", "", "[[env]]", `["quoted".key]`, ""}
	if !reflect.DeepEqual(ix.header, want) {
		t.Errorf("headers = %q\nwant      %q", ix.header, want)
	}
	if ix.lines[6] != "" {
		t.Errorf("line 7 inside a multi-line string = %q, want it blanked", ix.lines[6])
	}
}

func TestChildren(t *testing.T) {
	ix := scanLines([]byte("[[env]]\na = 1\n[[env]]\n\n[[env]]\n"))
	got := ix.children(ix.whole(), "[[env]]", 3)
	want := []span{{1, 3}, {3, 5}, {5, 7}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("children = %v, want %v", got, want)
	}
	// A count that does not match gives the parent's header line to each.
	got = ix.children(span{3, 5}, "[[env.executables]]", 2)
	if want := []span{{3, 3}, {3, 3}}; !reflect.DeepEqual(got, want) {
		t.Errorf("children fallback = %v, want %v", got, want)
	}
	if got := ix.children(ix.whole(), "[[env]]", 0); len(got) != 0 {
		t.Errorf("children(0) = %v, want none", got)
	}
}

func TestKeyLine(t *testing.T) {
	ix := scanLines([]byte(`[[env]]
name = "a"
namespace = 1
"quoted" = 2
num_cores.start = 1
  spaced   =3
[[env.executables]]
label = "x"
`))
	env := ix.children(ix.whole(), "[[env]]", 1)[0]
	body := ix.body(env)
	if body != (span{1, 7}) {
		t.Errorf("body = %v, want {1 7}", body)
	}
	tests := []struct {
		key  string
		want int
	}{
		{"name", 2}, {"namespace", 3}, {"quoted", 4}, {"num_cores", 5}, {"spaced", 6},
		{"label", 1}, // outside the body: falls back to the header
		{"missing", 1}, {"", 1},
	}
	for _, tt := range tests {
		if got := ix.keyLine(body, tt.key); got != tt.want {
			t.Errorf("keyLine(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
	if got := ix.stringLine(env, 2, "x"); got != 8 {
		t.Errorf(`stringLine("x") = %d, want 8`, got)
	}
	if got := ix.stringLine(env, 2, "nope"); got != 2 {
		t.Errorf(`stringLine("nope") = %d, want 2`, got)
	}
}

// TestLookupsOutOfRange checks that spans past the end of the file or upside
// down answer with their start instead of panicking.
func TestLookupsOutOfRange(t *testing.T) {
	ix := scanLines([]byte("a = 1\n"))
	for _, sp := range []span{{0, 0}, {5, 100}, {100, 5}, {-3, 2}, {1, 1}} {
		ix.keyLine(sp, "a")
		ix.stringLine(sp, sp.start, "a")
		ix.body(sp)
		ix.children(sp, "[[env]]", 2)
	}
}
