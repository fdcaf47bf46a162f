package tomldepth

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func TestLine(t *testing.T) {
	deep := strings.Repeat("{a=", 5) + "1" + strings.Repeat("}", 5)
	for _, tt := range []struct {
		text string
		want int
	}{
		{"a = " + deep, 1},
		{"x = 1\n\ny = [\n" + strings.Repeat("[", 5), 4},
		{"a.b.c.d.e.f = 1", 1},
		{"a . b . c . d = 1", 0},
		{"[a.b.c.d.e]\n", 1},
		{"[[a]]\nb = 1.5\nc = {d = 2.5, e = [3.5]}", 0},
		{`s = "{{{{{{ a.b.c.d.e.f \" [[[[[["`, 0},
		{"s = '{{{{{{'", 0},
		{"s = \"\"\"\n{{{{{{\n\"\"\"\nt = '''\n[[[[[[\n'''\nu = " + deep, 7},
		{"# {{{{{{ a.b.c.d.e.f\nx = 1", 0},
		{"s = \"unclosed {{{{{{\nt = 1", 0},
	} {
		if got := Line([]byte(tt.text), 4); got != tt.want {
			t.Errorf("Line(%q, 4) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestItems(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"a = 1\nb = 2\n", 0},                // 2
		{"a = 1\nb = 2\nc = 3\n", 3},         // the third
		{"[[t]]\n[u]\n", 2},                  // [ and [, then [
		{"[t]\na.b = 1\n", 2},                // [, then = and .
		{"a = [1, {b = 2}]\n", 1},            // =, [, {, =
		{"x = 1.5\n", 0},                     // = and a float's dot
		{"s = \"= . [ {\"\n# = = =\n", 0},    // strings and comments do not count
		{"s = '''\n= [ {\n'''\nt = 1", 0},    // nor multi-line ones
		{"s = \"\"\"\n\"\"\"\nt = [1]\n", 3}, // the line after a multi-line string
	} {
		if got := Items([]byte(tt.text), 2); got != tt.want {
			t.Errorf("Items(%q, 2) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestDecode(t *testing.T) {
	doc, err := Decode([]byte("\ufeffi = 1\nf = 1.5\nb = true\ns = \"x\"\nodt = 1979-05-27T07:32:00Z\n" +
		"ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00\na = [1, \"x\"]\nt = {k = 1}\n[[at]]\n[[at]]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"i": "int64", "f": "float64", "b": "bool", "s": "string", "odt": "time.Time",
		"ldt": "toml.LocalDateTime", "ld": "toml.LocalDate", "lt": "toml.LocalTime", "a": "[]interface {}",
		"t": "map[string]interface {}", "at": "[]interface {}"}
	for k, typ := range want {
		if got := fmt.Sprintf("%T", doc[k]); got != typ {
			t.Errorf("%s is %s, want %s", k, got, typ)
		}
	}
	if tables := doc["at"].([]any); len(tables) != 2 || fmt.Sprintf("%T", tables[0]) != "map[string]interface {}" {
		t.Errorf("[[at]] gives %#v, want two tables", doc["at"])
	}
	for text, line := range map[string]int{
		"a = 1\n\na = 2\n":          3, // a key twice
		"[t]\n[t]\n":                2, // a table twice
		"a = \"\xff\"\n":            1, // invalid UTF-8
		"\n# \xff\n":                2, // even in a comment
		"a = 9223372036854775808\n": 1, // beyond int64
		"a = [\n1,\n":               2, // unterminated
		"[[t]]\n[t]\n":              2, // an array of tables, then a table
		"a.b = 1\n[a]\n":            2, // a table of dotted keys, then its header
		"\ufeff\ufeffa = 1\n":       1, // one byte order mark only
		"a = 1\r\nb = 2 c = 3\r\n":  2,
		"a = 1979-02-30\n":          1, // no such date
		"k = \"\\uD800\"\n":         1, // a surrogate
	} {
		doc, err := Decode([]byte(text))
		var de *toml.DecodeError
		if err == nil || err.Line != line || !errors.As(err, &de) || err.Msg == "" {
			t.Errorf("Decode(%q) = %v, %#v; want a syntax error on line %d that wraps a *toml.DecodeError", text, doc, err, line)
		}
	}
}

// BenchmarkDecodeWide decodes n sibling keys, tables and dotted keys, and one dotted key of n
// parts: go-toml's time grows with the square of the siblings (each new key is compared with
// those recorded before it), which Items bounds, and linearly with a key's parts.
func BenchmarkDecodeWide(b *testing.B) {
	shapes := map[string]func(i int) string{
		"headers": func(i int) string { return fmt.Sprintf("[t%d]\n", i) },
		"keys":    func(i int) string { return fmt.Sprintf("k%d = 1\n", i) },
		"dotted":  func(i int) string { return fmt.Sprintf("a.k%d = 1\n", i) },
		"envs":    func(i int) string { return fmt.Sprintf("[[env]]\nname = \"e%d\"\n", i) },
		"parts":   func(i int) string { return map[bool]string{true: "a", false: ".a"}[i == 0] },
	}
	for _, shape := range []string{"headers", "keys", "dotted", "envs", "parts"} {
		for _, n := range []int{2500, 5000, 10000} {
			var s strings.Builder
			for i := range n {
				s.WriteString(shapes[shape](i))
			}
			if shape == "parts" {
				s.WriteString(" = 1\n")
			}
			data := []byte(s.String())
			b.Run(fmt.Sprintf("%s/%d", shape, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := Decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
