package envdef

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secrun/secrun/internal/names"
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
	if in.Plain && utf8.ValidString(cmd) { // the parser refuses what is not UTF-8
		argv, err := SplitWords(cmd)
		if err == nil && len(argv) == 0 {
			err = errEmptyCommand
		}
		if err != nil {
			return nil, err
		}
		return &Resolved{Argv: argv}, nil
	}
	return classify(cmd)
}

// errEmptyCommand is a command with no words once its placeholders are filled.
var errEmptyCommand = errors.New("the command is empty")

// placeholders are every placeholder Resolve fills.
var placeholders = append([]string{CoresPlaceholder, ArgsPlaceholder}, scriptPlaceholders...)

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
