package envdef

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/secrun/secrun/internal/names"
	"mvdan.cc/sh/v3/syntax"
)

// The placeholders an instance's command may hold, as hpcFlow substitutes them: <<num_cores>>
// and <<args>> in Command.get_command_line (hpcflow/hpcflow, hpcflow/sdk/core/commands.py),
// and the script variables that hpcFlow's actions set for a script's command
// (hpcflow/sdk/core/actions.py: script_name, script_name_no_ext, script_dir, script_path).
const (
	CoresPlaceholder   = "<<num_cores>>"
	ArgsPlaceholder    = "<<args>>"
	scriptName         = "<<script_name>>"
	scriptNameNoExt    = "<<script_name_no_ext>>"
	scriptDir          = "<<script_dir>>"
	scriptPath         = "<<script_path>>"
	placeholderExample = "script.py"
)

// checkShell checks the value of a shell key: a program name or path, one word.
func checkShell(v string) error {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("shell %+q is not a program name or path (one word, such as bash, zsh or /bin/sh)", v)
	}
	return nil
}

// scriptPlaceholders take their value from the first word after the label.
var scriptPlaceholders = []string{scriptName, scriptNameNoExt, scriptDir, scriptPath}

// Resolved is an instance's command made ready for one run: either a plain word list, run with
// no shell in between, or shell text, run by the environment's shell after its setup lines.
type Resolved struct {
	Argv   []string // the program and its arguments, when the command is a plain word list
	Script string   // the shell text, when it is not; "" when Argv is set
}

// Resolve substitutes the placeholders of in's command for a run on cores cores with the user's
// words (those after the label), and tells a plain word list from shell text:
//
//   - <<num_cores>> becomes the core count;
//   - when the command holds a script placeholder, the first word is the script: <<script_path>>
//     is its absolute path, <<script_dir>> the directory, <<script_name>> the file name and
//     <<script_name_no_ext>> the file name without its extension;
//   - <<args>> becomes the remaining words, each quoted for the shell; when the command ends in
//     <<args>> and there are none, the trailing blanks go too, as hpcFlow does; when the command
//     has no <<args>>, the words are appended to it;
//   - with no words, <<script_name>> is removed, as hpcFlow removes it; the other script
//     placeholders then are an error.
//
// The result is parsed as bash: one simple command of literal words (quotes allowed, no
// variables, globs, operators, redirections or assignments) is a word list; anything else is
// shell text, whose last command, when it is a simple command of a program, gets an exec so
// that the program takes the shell's place.
func (in *Instance) Resolve(cores int, words []string) (*Resolved, error) {
	cmd := strings.ReplaceAll(in.Command, CoresPlaceholder, strconv.Itoa(cores))
	if hasScriptPlaceholder(cmd) {
		if len(words) == 0 {
			for _, p := range scriptPlaceholders[1:] {
				if strings.Contains(cmd, p) {
					return nil, fmt.Errorf("the command uses %s: give the script after the label (LABEL path/to/%s ...)", p, placeholderExample)
				}
			}
			cmd = strings.ReplaceAll(cmd, scriptName, "")
		} else {
			cmd = substituteScript(cmd, words[0])
			words = words[1:]
		}
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = ShellQuote(w)
	}
	args := strings.Join(quoted, " ")
	switch {
	case strings.Contains(cmd, ArgsPlaceholder):
		endsInArgs := strings.HasSuffix(cmd, ArgsPlaceholder)
		cmd = strings.ReplaceAll(cmd, ArgsPlaceholder, args)
		if endsInArgs && args == "" {
			cmd = strings.TrimRight(cmd, " \t\n")
		}
	case args != "":
		cmd = strings.TrimRight(cmd, " \t\n") + " " + args
	}
	f, err := parseShell(cmd)
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) == 0 {
		return nil, fmt.Errorf("the command is empty")
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

// hasScriptPlaceholder reports whether cmd holds any script placeholder.
func hasScriptPlaceholder(cmd string) bool {
	for _, p := range scriptPlaceholders {
		if strings.Contains(cmd, p) {
			return true
		}
	}
	return false
}

// substituteScript fills the script placeholders of cmd from the script's path, each value
// quoted for the shell.
func substituteScript(cmd, script string) string {
	abs, err := filepath.Abs(script)
	if err != nil {
		abs = script
	}
	name := filepath.Base(abs)
	return strings.NewReplacer(
		scriptPath, ShellQuote(abs),
		scriptDir, ShellQuote(filepath.Dir(abs)),
		scriptNameNoExt, ShellQuote(strings.TrimSuffix(name, filepath.Ext(name))),
		scriptName, ShellQuote(name),
	).Replace(cmd)
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

// ShellQuote quotes s as one word for any POSIX shell: unchanged when it holds only characters
// no shell treats specially, else in single quotes (which keep every byte, newlines included).
// mvdan.cc/sh's syntax.Quote cannot quote non-printable characters for POSIX shells, which a
// shell key may choose, so this simplest quoting serves every shell.
func ShellQuote(s string) string {
	name, _, assign := strings.Cut(s, "=")
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" &&
		!(assign && names.ValidVar(name)) { // NAME=value would be an assignment as a first word
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CallEdit changes the words of one simple command: at index At, Del words are removed and
// Insert (literal words, quoted when written back) put in their place.
type CallEdit struct {
	At, Del int
	Insert  []string
}

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
