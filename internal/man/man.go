// Package man writes a manual page in roff (the man(7) macros) from a kong application model:
// the synopsis, the global options and every visible command with its arguments, flags and
// detailed help. It knows nothing of secrun's own commands; sections that are not in the model
// (environment, files, exit status) come from the caller as plain text.
package man

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kong"
)

// Page describes the page around the model.
type Page struct {
	Name     string    // the program, e.g. "secrun"
	Section  string    // "1"
	Date     string    // shown in the footer; may be empty
	Source   string    // e.g. "secrun 1.2.0"
	Manual   string    // e.g. "User Commands"
	Short    string    // the NAME line's description
	Synopsis []string  // extra synopsis lines (the model's commands follow them)
	Sections []Section // after COMMANDS, in order
}

// Section is a titled block of text. Its body follows the same rules as a command's detailed
// help: paragraphs separated by blank lines, and lines that start with a blank kept as typed.
type Section struct {
	Title string
	Body  string
}

// Write renders the page for app to w.
func Write(w io.Writer, app *kong.Application, p Page) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s %s %s %s %s\n", quote(strings.ToUpper(p.Name)), p.Section, quote(p.Date), quote(p.Source), quote(p.Manual))
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", escape(p.Name), escape(p.Short))

	b.WriteString(".SH SYNOPSIS\n.nf\n")
	for _, s := range p.Synopsis {
		b.WriteString(literal(s) + "\n")
	}
	for _, n := range commands(app.Node) {
		if n.Leaf() {
			b.WriteString(literal(p.Name+" "+usage(n)) + "\n")
		}
	}
	b.WriteString(".fi\n")

	b.WriteString(".SH DESCRIPTION\n")
	text(&b, app.Help)
	if app.Detail != "" {
		text(&b, app.Detail)
	}

	b.WriteString(".SH OPTIONS\nThese options are accepted before or after any command.\n")
	flags(&b, app.Flags)

	b.WriteString(".SH COMMANDS\n")
	for _, n := range commands(app.Node) {
		fmt.Fprintf(&b, ".SS %s\n", quote(p.Name+" "+heading(n)))
		if len(n.Aliases) > 0 {
			fmt.Fprintf(&b, ".PP\nAlso: %s.\n", escape(strings.Join(n.Aliases, ", ")))
		}
		text(&b, n.Help)
		if n.Detail != "" {
			text(&b, n.Detail)
		}
		for _, a := range n.Positional {
			name := a.Tag.PlaceHolder
			if name == "" {
				name = strings.ToUpper(a.Name)
			}
			fmt.Fprintf(&b, ".TP\n\\fI%s\\fR\n%s\n", escape(name), escape(a.Help))
		}
		flags(&b, n.Flags)
	}
	for _, s := range p.Sections {
		fmt.Fprintf(&b, ".SH %s\n", quote(strings.ToUpper(s.Title)))
		text(&b, s.Body)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// commands lists the visible commands, depth first: each group before its subcommands.
func commands(n *kong.Node) []*kong.Node {
	var out []*kong.Node
	for _, c := range n.Children {
		if !c.Hidden {
			out = append(out, c)
			out = append(out, commands(c)...)
		}
	}
	return out
}

// path is a command's words from the top, without aliases.
func path(n *kong.Node) string {
	var words []string
	for ; n != nil && n.Type != kong.ApplicationNode; n = n.Parent {
		words = append([]string{n.Name}, words...)
	}
	return strings.Join(words, " ")
}

// args is a command's arguments in the usual synopsis form.
func args(n *kong.Node) string {
	var parts []string
	for _, a := range n.Positional {
		s := a.Tag.PlaceHolder
		if s == "" {
			s = strings.ToUpper(a.Name)
			if a.IsCumulative() {
				s += "..."
			}
		}
		if a.Tag.Optional || !a.Required {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// usage is a command's path, flags and arguments in the usual synopsis form.
func usage(n *kong.Node) string {
	if !n.Leaf() {
		return path(n) + " COMMAND"
	}
	parts := []string{path(n)}
	for _, f := range n.Flags {
		if f.Hidden {
			continue
		}
		s := "--" + f.Name
		if f.Short != 0 {
			s = "-" + string(f.Short)
		}
		if !f.IsBool() {
			s += " " + f.FormatPlaceHolder()
		}
		if !f.Required {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	if a := args(n); a != "" {
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// heading is a command's path and arguments.
func heading(n *kong.Node) string {
	if !n.Leaf() {
		return path(n) + " COMMAND"
	}
	return strings.TrimSpace(path(n) + " " + args(n))
}

// flags writes a tagged paragraph for each visible flag.
func flags(b *strings.Builder, fs []*kong.Flag) {
	for _, f := range fs {
		if f.Hidden {
			continue
		}
		name := "\\fB\\-\\-" + escape(f.Name) + "\\fR"
		if f.Short != 0 {
			name = "\\fB\\-" + escape(string(f.Short)) + "\\fR, " + name
		}
		if !f.IsBool() {
			name += " \\fI" + escape(f.FormatPlaceHolder()) + "\\fR"
		}
		help := f.Help
		if f.HasDefault && f.Default != "" {
			help += " Default: " + f.Default + "."
		}
		fmt.Fprintf(b, ".TP\n%s\n%s\n", name, escape(help))
	}
}

// text writes help text: paragraphs of prose (lines joined), and lines that start with a
// blank kept as typed (examples). A line that ends in ':' before such lines is a subheading.
func text(b *strings.Builder, s string) {
	var prose []string
	inLiteral := false
	flush := func() {
		if len(prose) > 0 {
			b.WriteString(".PP\n" + escape(strings.Join(prose, " ")) + "\n")
			prose = nil
		}
	}
	for _, line := range strings.Split(strings.Trim(s, "\n"), "\n") {
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		switch {
		case indented && strings.TrimSpace(line) != "":
			if !inLiteral {
				flush()
				b.WriteString(".RS 4\n.nf\n")
				inLiteral = true
			}
			b.WriteString(literal(strings.TrimPrefix(strings.TrimPrefix(line, "  "), "\t")) + "\n")
			continue
		case inLiteral:
			b.WriteString(".fi\n.RE\n")
			inLiteral = false
		}
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		prose = append(prose, strings.TrimSpace(line))
	}
	if inLiteral {
		b.WriteString(".fi\n.RE\n")
	}
	flush()
}

// escape makes s safe as roff text: backslashes and hyphens are escaped, and a line cannot
// start with a control character.
func escape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	s = strings.ReplaceAll(s, "\n", " ")
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// literal escapes one line of a no-fill block.
func literal(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// quote makes s one macro argument.
func quote(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"`
}
