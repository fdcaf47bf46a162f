package yamlnode

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestResolve: plain scalars take the tags go.yaml.in/yaml/v3 gave them; quoted and block
// scalars are strings; the text is kept as written.
func TestResolve(t *testing.T) {
	tests := []struct{ text, tag, value string }{
		{"a: ~", "!!null", "~"},
		{"a: null", "!!null", "null"},
		{"a:", "!!null", ""},
		{"a: true", "!!bool", "true"},
		{"a: yes", "!!str", "yes"},
		{"a: 0042", "!!int", "0042"},
		{"a: 1_000", "!!int", "1_000"},
		{"a: 0x1F", "!!int", "0x1F"},
		{"a: 0o17", "!!int", "0o17"},
		{"a: -0b101", "!!int", "-0b101"},
		{"a: 18446744073709551615", "!!int", "18446744073709551615"},
		{"a: 1.20", "!!float", "1.20"},
		{"a: 1e3", "!!float", "1e3"},
		{"a: .inf", "!!float", ".inf"},
		{"a: 3.0231.321+1", "!!str", "3.0231.321+1"},
		{"a: 2001-12-14", "!!timestamp", "2001-12-14"},
		{"a: '12'", "!!str", "12"},
		{"a: \"1\\t2\"", "!!str", "1\t2"},
		{"a: !!str 12", "!!str", "12"},
		{"a: !!int '12'", "!!int", "12"},
		{"a: !custom 12", "!custom", "12"},
		{"a: x\ty", "!!str", "x\ty"},
		{"a: x \t y\n  z\tw", "!!str", "x \t y z\tw"},
		{"a: x\n\n  y", "!!str", "x\ny"},
		{"a: x\n  -\n  y", "!!str", "x - y"},
		{"a: |\n  x\ty\n", "!!str", "x\ty\n"},
		{"a: |-\n  x  \n", "!!str", "x  "},
		{"a: >\n  x\n  y\n", "!!str", "x y\n"},
		{"a: <<", "!!merge", "<<"},
		{"a: '<<'", "!!str", "<<"},
	}
	for _, tt := range tests {
		top, err := Parse([]byte(tt.text), 10)
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		if v := top.Content[1]; v.Kind != Scalar || v.Tag != tt.tag || v.Value != tt.value {
			t.Errorf("%q: %v %q %q, want a scalar %q %q", tt.text, v.Kind, v.Tag, v.Value, tt.tag, tt.value)
		}
	}
	if top, err := Parse([]byte("{\"n\":1}"), 10); err != nil || top.Content[0].Value != "n" || top.Content[1].Value != "1" {
		t.Errorf("{\"n\":1} = %+v, %v; want n: 1", top, err)
	}
	if top, err := Parse([]byte("\ufeffa: b"), 10); err != nil || top.Content[0].Value != "a" {
		t.Errorf("after a byte order mark: %+v, %v; want the key a", top, err)
	}
	if top, err := Parse([]byte("{a<<: b}"), 10); err != nil || top.Content[0].Value != "a<<" || top.Content[0].Tag != "!!str" {
		t.Errorf("key a<< = %+v, %v; want the string a<<", top, err)
	}
	for text, want := range map[string]any{"0042": int64(34), "-0b101": int64(-5), "1_000": int64(1000), "18446744073709551615": nil} {
		i, ok := (&Node{Value: text}).Int()
		if want == nil && ok || want != nil && (!ok || i != want.(int64)) {
			t.Errorf("Int(%s) = %d, %v; want %v", text, i, ok, want)
		}
	}
	if f, ok := (&Node{Value: "3"}).Float(); !ok || f != 3 {
		t.Errorf("Float(3) = %v, %v", f, ok)
	}
	if f, ok := (&Node{Value: "-.Inf"}).Float(); !ok || !math.IsInf(f, -1) {
		t.Errorf("Float(-.Inf) = %v, %v", f, ok)
	}
	if _, ok := (&Node{Value: "yes"}).Bool(); ok {
		t.Errorf("Bool(yes) is a boolean")
	}
}

// TestLines: every node has the line go.yaml.in/yaml/v3 gave it: a block mapping that of its
// first key, a node with an anchor or tag that of its first property.
func TestLines(t *testing.T) {
	top, err := Parse([]byte("# c\n- &a\n  k: v\n\n  l:\n    - x\n- {m: n,\n   o: p}\n- ? q\n  : r\n- *a\n"), 10)
	if err != nil {
		t.Fatal(err)
	}
	lines := func(n *Node) []int {
		var out []int
		for _, c := range n.Content {
			out = append(out, c.Line)
		}
		return out
	}
	crlf, err := Parse([]byte("# c\r\n- name: e\r\n  # d\r\n  setup: \"x\r\n  y\"\r\n  s: |\r\n    z\r\n\r\n"), 10)
	if err != nil || crlf.Line != 2 || crlf.Content[0].Content[2].Line != 4 || crlf.Content[0].Content[3].Value != "x y" ||
		crlf.Content[0].Content[4].Line != 6 || crlf.Content[0].Content[5].Value != "z\n" {
		t.Errorf("CRLF file: %v, %v; want the lines and values of the same file with LF", crlf, err)
	}
	multi, err := Parse([]byte("l: x\n -stan\n#\nm: 0\n 0\n"), 10)
	if err != nil {
		t.Fatal(err)
	}
	a, flow, explicit, alias := top.Content[0], top.Content[1], top.Content[2], top.Content[3]
	for _, tt := range []struct {
		name      string
		got, want []int
	}{
		{"top", []int{top.Line}, []int{2}},
		{"items", lines(top), []int{2, 7, 9, 11}},
		{"anchored mapping", lines(a), []int{3, 3, 5, 6}},
		{"flow mapping", lines(flow), []int{7, 7, 8, 8}},
		{"explicit key", lines(explicit), []int{9, 10}},
		{"over lines", lines(multi), []int{1, 1, 4, 4}},
	} {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: lines %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if alias.Kind != Alias || alias.Alias != a || alias.Value != "a" {
		t.Errorf("alias = %+v, want one naming the first item", alias)
	}
}

// TestErrors: malformed text is an error with its line, where the parser alone would take
// it; nesting is bounded before the parser is asked.
func TestErrors(t *testing.T) {
	tests := []struct {
		text string
		line int
		msg  string
	}{
		{"a: [b\n", 1, ""},
		{"a: *x\n", 1, "unknown anchor 'x' referenced"},
		{"- name: e\n  setup:\n  module load x\n", 3, "could not find expected ':'"},
		{"a: !foo\nb: 1\n", 2, "could not find expected ':'"},
		{"a:\nb\n", 2, "could not find expected ':'"},
		{"\n}\n", 2, "cannot start any token"},
		{"a: `b`\n", 1, ""},
		{"a: b\n\x01\n", 2, "control characters are not allowed"},
		{"a: \xff\n", 1, "invalid UTF-8"},
		{"? [a, b]\n: c\n", 2, ""},
		{"a: {n:1}\n", 1, "write a space after ':'"},
		{"- &0\n*0", 1, "an alias cannot have an anchor"},
		{"- &0 !t *0", 1, "an alias cannot have"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.text), 10)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != tt.line || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: %v, want a syntax error at line %d saying %q", tt.text, err, tt.line, tt.msg)
		}
	}
	for text, line := range map[string]int{
		"a:\n  b: [[[[[[[[[[x]]]]]]]]]]\n":   2, // exact: the first node too deep
		"a: " + strings.Repeat("[", 1<<20):   1, // refused on the tokens
		"x:\n" + strings.Repeat("- ", 1<<19): 2,
	} {
		_, err := Parse([]byte(text), 10)
		var de *DepthError
		if !errors.As(err, &de) || de.Line != line {
			t.Errorf("%.40q: %v, want a depth error at line %d", text, err, line)
		}
	}
	if n, err := Parse([]byte("a:\n  b: [[[[[[[x]]]]]]]\n"), 10); err != nil || n == nil {
		t.Errorf("10 levels: %v", err)
	}
	for _, text := range []string{"", "# only\n", "---\n"} {
		if n, err := Parse([]byte(text), 10); n != nil || err != nil {
			t.Errorf("%q = %+v, %v; want nothing", text, n, err)
		}
	}
}

// FuzzParse checks that Parse never panics nor loops, whatever the text: it gives a tree
// whose lines are in the text and whose aliases name nodes that are not aliases, or a
// *SyntaxError or *DepthError.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"- &a {k: v}\n- *a\n", "a: |\n  x\n", "? a\n: b\n", "a: [b, {c: d}]\n", "- &0\n*0", "a:\nb\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse([]byte(s), 32)
		if err != nil {
			var se *SyntaxError
			var de *DepthError
			if !errors.As(err, &se) && !errors.As(err, &de) {
				t.Fatalf("error %v (%T)", err, err)
			}
			return
		}
		lines := 1 // every kind of line break counts
		for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
			if r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 {
				lines++
			}
		}
		var walk func(n *Node, d int)
		walk = func(n *Node, d int) {
			if n.Line < 0 || n.Line > lines || d > 32 {
				t.Fatalf("node %+v at line %d, depth %d, of %d lines", n, n.Line, d, lines)
			}
			if n.Kind == Alias && (n.Alias == nil || n.Alias.Kind == Alias) {
				t.Fatalf("alias %+v", n)
			}
			for _, c := range n.Content {
				walk(c, d+1)
			}
		}
		if n != nil {
			walk(n, 1)
		}
	})
}
