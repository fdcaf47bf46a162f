package tomldepth

import (
	"strings"
	"testing"
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
