package envdef

import (
	"reflect"
	"regexp"
	"strings"
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

// headerRE is the specification of header: the regular expression the scanner used to
// compile at every start.
var headerRE = regexp.MustCompile(`^(\[\[?)\s*([A-Za-z0-9_.\-"' ]+?)\s*\]\]?\s*(#.*)?$`)

// headerByRE is what header returns, computed with headerRE.
func headerByRE(l string) string {
	m := headerRE.FindStringSubmatch(l)
	if m == nil {
		return ""
	}
	return m[1] + strings.ReplaceAll(m[2], " ", "") + strings.Repeat("]", len(m[1]))
}

var headerSeeds = []string{
	"[[env]]", "[env]", "[[env]", "[env]]", "[[env]]]", "[ [env]]", "[[ env . executables ]]",
	"[[env.executables.instances]] # x", "[env.specifiers]#", `["quoted".key]`, "[a\tb]", "[\ta\t]",
	"[ ]", "[\t \t]", "[\t\t]", "[]", "[[]]", "[a] x", "[a]\t# c", "[a#b]", "[[a]] ]", "[é]", "[a]#\xff",
	"", "[", "[[", "name = 1", "x [a]", "[a-b_c.d'e\"]", "[a] \f", "[[a b]]",
}

func TestHeaderMatchesRegexp(t *testing.T) {
	for _, l := range headerSeeds {
		if got, want := header(l), headerByRE(l); got != want {
			t.Errorf("header(%q) = %q, want %q", l, got, want)
		}
	}
}

func FuzzHeader(f *testing.F) {
	for _, l := range headerSeeds {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, l string) {
		if strings.Contains(l, "\n") {
			return // header sees one line at a time
		}
		if got, want := header(l), headerByRE(l); got != want {
			t.Errorf("header(%q) = %q, want %q", l, got, want)
		}
	})
}

// TestStringAt: each search starts where the last match ended, so a key that also
// appears earlier on the line (here as a variable name) is found in its own place.
func TestStringAt(t *testing.T) {
	ix := scanLines([]byte(`secrets = [{ as_env_var = "B", key = "A" }, 'B',
  "C", "B"]`))
	sp := ix.whole()
	a := ix.stringAt(sp, place{line: 1}, "A")
	b := ix.stringAt(sp, a, "B")
	c := ix.stringAt(sp, b, "C")
	b2 := ix.stringAt(sp, c, "B")
	if want := (place{1, 40}); a != want {
		t.Errorf("A at %v, want %v", a, want)
	}
	if want := (place{1, 47}); b != want {
		t.Errorf("B at %v, want %v", b, want)
	}
	if c.line != 2 || b2.line != 2 || b2.col <= c.col {
		t.Errorf("C at %v and then B at %v, want both on line 2, in that order", c, b2)
	}
	if got := ix.stringAt(sp, b2, "A"); got != b2 {
		t.Errorf("A after the end at %v, want the start %v", got, b2)
	}
}
