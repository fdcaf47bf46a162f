package man

import (
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"--flag", `\-\-flag`},
		{`a\b`, `a\eb`},
		{".starts with a dot", `\&.starts with a dot`},
		{"'quote", `\&'quote`},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"one\ntwo", ".PP\none two\n"},
		{"a\n\nb", ".PP\na\n.PP\nb\n"},
		{"Examples:\n  cmd -x\n  .dot\nafter", ".PP\nExamples:\n.RS 4\n.nf\ncmd \\-x\n\\&.dot\n.fi\n.RE\n.PP\nafter\n"},
		{"  only literal", ".RS 4\n.nf\nonly literal\n.fi\n.RE\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		text(&b, tt.in)
		if b.String() != tt.want {
			t.Errorf("text(%q) =\n%q\nwant\n%q", tt.in, b.String(), tt.want)
		}
	}
}

type testCLI struct {
	Verbose bool `short:"v" help:"Say more."`
	Get     struct {
		Key   string `arg:"" help:"The key."`
		Quiet bool   `help:"Say less."`
	} `cmd:"" help:"Get a thing."`
	Secret struct{} `cmd:"" hidden:"" help:"Hidden."`
}

func TestWrite(t *testing.T) {
	var cli testCLI
	k, err := kong.New(&cli, kong.Name("tool"), kong.Description("A tool.\n\nExamples:\n  tool get k"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Write(&b, k.Model, Page{Name: "tool", Section: "1", Short: "a tool",
		Sections: []Section{{Title: "Exit status", Body: "0 or 1."}}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		".TH \"TOOL\" 1 ", ".SH NAME\ntool \\- a tool\n", "tool get [\\-\\-quiet] KEY\n",
		".SS \"tool get KEY\"\n", "\\fB\\-v\\fR, \\fB\\-\\-verbose\\fR\nSay more.\n",
		".SH \"EXIT STATUS\"\n.PP\n0 or 1.\n", "tool get k\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret") {
		t.Errorf("page shows a hidden command:\n%s", out)
	}
}
