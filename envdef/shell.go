//go:build !lean

package envdef

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// The bash parser (mvdan.cc/sh): which commands are plain word lists and which are shell
// text, the exec on a last command, and the edits that forwarding makes in shell text. The
// launcher build links none of it (shell_lean.go).

// plainTemplate reports whether command c is a plain word list whatever words and core
// count Resolve fills in: its first word is literal, every placeholder is a word of its own
// outside quotes, and with each placeholder as a literal word c is plain (plainWords), and,
// when c has no <<args>>, the words Resolve appends are such a word too (and c does not end
// in a backslash).
// Resolve puts digits or ShellQuote's words in those places, which are plain there and never
// a shell keyword, since the first word is not a placeholder.
func plainTemplate(c string) bool {
	const mark = "secrunPlaceholderWord"
	n := strings.Count(c, mark)
	t := c
	for _, p := range placeholders {
		n += strings.Count(t, p)
		t = strings.ReplaceAll(t, p, mark)
	}
	if !strings.Contains(c, ArgsPlaceholder) { // Resolve appends the words: as one more word
		if strings.HasSuffix(strings.TrimRight(c, " \t\n"), `\`) {
			return false
		}
		t, n = strings.TrimRight(t, " \t\n")+" "+mark, n+1
	}
	f, err := parseShell(t)
	if err != nil || !plainWords(f) {
		return false
	}
	args := f.Stmts[0].Cmd.(*syntax.CallExpr).Args
	marks := 0
	for i, w := range args {
		if len(w.Parts) == 1 && w.Lit() == mark {
			if i == 0 {
				return false
			}
			marks++
		}
	}
	return marks == n
}

// classify tells a plain word list from shell text in cmd, a command with its placeholders
// filled (see Resolve).
func classify(cmd string) (*Resolved, error) {
	f, err := parseShell(cmd)
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) == 0 {
		return nil, errEmptyCommand
	}
	if plainWords(f) {
		argv, err := SplitWords(cmd)
		if err != nil {
			return nil, err
		}
		return &Resolved{Argv: argv}, nil
	}
	return &Resolved{Script: execLast(cmd, f)}, nil
}

// ShellText reports whether in's command needs a shell: it is shell text, not a word list,
// with the placeholders filled with sample values.
func (in *Instance) ShellText() bool {
	var words []string
	if hasScriptPlaceholder(in.Command) {
		words = []string{placeholderExample}
	}
	r, err := in.Resolve(1, words)
	return err == nil && r.Script != ""
}

// checkCommand reports whether command c can be resolved at all: its placeholders filled with
// sample values, it must parse as shell text. Both readers call it, so that a broken command
// is an error when the file is read, not when it runs.
func checkCommand(c string) error {
	if strings.TrimSpace(c) == "" {
		return fmt.Errorf("command is empty")
	}
	in := Instance{Command: c}
	words := []string{placeholderExample}
	if !hasScriptPlaceholder(c) {
		words = nil
	}
	if _, err := in.Resolve(1, words); err != nil {
		return fmt.Errorf("command: %w", err)
	}
	return nil
}

// commandFix is the hint for a command that is not valid shell text.
const commandFix = "a command is bash text, as hpcFlow runs it: close every quote, and quote a literal $, ;, & or | ('a;b' or \\;)"

// parsers holds bash parsers for reuse: a parser is a large value, and every run checks the
// commands of every definition it reads.
var parsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true))
}}

// parseShell parses s as bash.
func parseShell(s string) (*syntax.File, error) {
	p := parsers.Get().(*syntax.Parser)
	defer parsers.Put(p)
	f, err := p.Parse(strings.NewReader(s), "")
	if err != nil {
		return nil, fmt.Errorf("not valid shell text: %w", err)
	}
	return f, nil
}

// plainWords reports whether f is one simple command of literal words: quotes and backslashes
// allowed, but no expansion of any kind, operator, redirection or assignment.
func plainWords(f *syntax.File) bool {
	if len(f.Stmts) != 1 {
		return false
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || st.Disown || st.Semicolon.IsValid() || len(st.Redirs) > 0 || len(call.Assigns) > 0 ||
		len(st.Comments) > 0 || len(f.Last) > 0 { // SplitWords knows no comments: a shell drops them
		return false
	}
	for _, w := range call.Args {
		for _, p := range w.Parts {
			switch p := p.(type) {
			case *syntax.Lit:
				if strings.ContainsAny(p.Value, "*?[{~") { // globs, braces and tildes expand
					return false
				}
			case *syntax.SglQuoted:
				if p.Dollar {
					return false
				}
			case *syntax.DblQuoted:
				if p.Dollar {
					return false
				}
				for _, q := range p.Parts {
					if _, ok := q.(*syntax.Lit); !ok {
						return false
					}
				}
			default:
				return false
			}
		}
	}
	return true
}

// execLast puts exec before the last command of script f (whose text is s) when that command is
// a simple command that runs a program: then the program replaces the shell, so that it gets
// the signals sent to secrun's pid and its exit status, or death by a signal, is the run's own.
// A builtin, a keyword or a function defined in the script would not survive exec, and a
// compound command cannot be exec'd; those leave the shell in place.
func execLast(s string, f *syntax.File) string {
	st := f.Stmts[len(f.Stmts)-1]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Background || st.Coprocess || st.Negated || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return s
	}
	name := call.Args[0].Lit()
	if name == "" || slices.Contains(shellBuiltins(), name) || syntax.IsKeyword(name) || definesFunc(f, name) {
		return s
	}
	at := call.Args[0].Pos().Offset()
	return s[:at] + "exec " + s[at:]
}

// definesFunc reports whether f declares a function called name.
func definesFunc(f *syntax.File, name string) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if fd, ok := n.(*syntax.FuncDecl); ok && fd.Name.Value == name {
			found = true
		}
		return !found
	})
	return found
}

// shellBuiltins are bash's builtin commands: exec would run a program of the same name, if there
// is one, instead of the builtin. Split on first use, as only shell text needs them.
var shellBuiltins = sync.OnceValue(func() []string {
	return strings.Fields(`. : [ alias bg bind break builtin caller cd command compgen complete
	compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help
	history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set
	shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait`)
})

// EditCalls rewrites shell text s: edit is called for every simple command in it with the
// command's words (a word that is not literal is given as its source text), and the edit it
// returns, if any, is applied. EditCalls is how a launcher named inside shell text (mpirun -n
// $NSLOTS ...) gets the options that a launcher given directly gets.
func EditCalls(s string, edit func(words []string) (CallEdit, bool)) (string, error) {
	f, err := parseShell(s)
	if err != nil {
		return s, err
	}
	type change struct {
		from, to int
		text     string
	}
	var changes []change
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		args := call.Args
		if len(args) > 1 && args[0].Lit() == "exec" { // as execLast writes it
			args = args[1:]
		}
		words := make([]string, len(args))
		raw := map[string]bool{} // the source text of the words that are not literal
		for i, w := range args {
			words[i] = wordText(s, w)
			if !plainWord(w) {
				raw[words[i]] = true
			}
		}
		e, ok := edit(words)
		if !ok || e.At < 1 || e.At > len(words) || e.Del < 0 || e.At+e.Del > len(words) {
			return true
		}
		ins := make([]string, len(e.Insert))
		for i, w := range e.Insert {
			if ins[i] = ShellQuote(w); raw[w] {
				ins[i] = w // a word of the command that the edit kept, such as $NP, stays as written
			}
		}
		c := change{from: int(args[e.At-1].End().Offset()), text: " " + strings.Join(ins, " ")}
		c.to = c.from
		if e.Del > 0 {
			c.to = int(args[e.At+e.Del-1].End().Offset())
		}
		changes = append(changes, c)
		return true
	})
	for i := len(changes) - 1; i >= 0; i-- { // Walk goes in text order; edit from the end
		c := changes[i]
		s = s[:c.from] + c.text + s[c.to:]
	}
	return s, nil
}

// wordText is w's literal value when it has one, else its source text in s.
func wordText(s string, w *syntax.Word) string {
	if lit := w.Lit(); lit != "" && !strings.ContainsAny(lit, `\`) {
		return lit
	}
	if words, err := SplitWords(s[w.Pos().Offset():w.End().Offset()]); err == nil && len(words) == 1 && plainWord(w) {
		return words[0]
	}
	return s[w.Pos().Offset():w.End().Offset()]
}

// plainWord reports whether w is literal text (quotes allowed, no expansion).
func plainWord(w *syntax.Word) bool {
	return plainWords(&syntax.File{Stmts: []*syntax.Stmt{{Cmd: &syntax.CallExpr{Args: []*syntax.Word{w}}}}})
}
