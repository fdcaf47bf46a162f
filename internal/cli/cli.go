// Package cli holds secrun's command-line grammar (kong), one file per command group, and Main,
// the one place where errors become messages and exit codes. It holds no file formats and no
// store logic: definitions live in envdef, the stores in keystore, what a child gets in
// internal/deliver, other tools' secrets files in internal/importer, the audit log in
// internal/audit, and process handling in launcher. What it keeps is the command line's own
// work: reading flags, choosing the executable that a run's words name, and saying what to type.
package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// Exit statuses of secrun's own failures, as env(1) uses them.
const (
	exitFailure = 125 // secrun itself failed: bad flags, bad definition, missing secret
)

var (
	versionText = "secrun dev"
	// manSource and manDate go into the manual page's footer.
	manSource, manDate = "secrun dev", ""
	// build names a release build for the definitions cache (envdef.Cache); "" for a
	// development build, including one from a tree with changes not committed (the go
	// command marks its version +dirty), which another such build of the same commit could
	// share the name with.
	build = ""
)

// SetVersion records the version that --version prints; main calls it with linker-set values.
func SetVersion(version, commit, date string) {
	if version != "dev" && !strings.HasSuffix(version, "+dirty") {
		build = version + " " + commit + " " + date
	}
	versionText = "secrun " + version
	manSource, manDate = versionText, date
	if len(manDate) > 10 {
		manDate = manDate[:10] // the day of an RFC 3339 time
	}
	if commit != "" {
		versionText += " (" + commit
		if date != "" {
			versionText += ", " + date
		}
		versionText += ")"
	}
}

// root is the whole grammar.
type root struct {
	globals

	Run     runCmd     `cmd:"" help:"Run a command with an environment's secrets (the default: 'secrun -e ENV -- CMD')."`
	Secrets secretsCmd `cmd:"" help:"Store, read, list and delete secrets."`
	Env     envCmd     `cmd:"" help:"List and inspect environment definitions."`
	Cleanup cleanupCmd `cmd:"" help:"Remove the secret files that killed secruns left on this node (for a batch system's epilog)."`

	Completion completionCmd `cmd:"" help:"Print a completion script for bash, zsh or fish."`
	Complete   completeCmd   `cmd:"" name:"__complete" hidden:"" help:"What the completion scripts call at each Tab."`
	Man        manCmd        `cmd:"" name:"__man" hidden:"" help:"Print the manual page secrun.1 (roff)."`
}

const description = `Run a command with the secrets that an environment definition names, in its environment only.

Examples:
  secrun secrets set API_TOKEN             # prompts without echo (or reads stdin)
  secrun -e my_env -- ./solver in.dat      # run with my_env's secrets
  srun secrun -e my_env -- ./solver        # one secrun per rank under SLURM
  secrun env show my_env                   # what my_env delivers, and what is missing

Exit status: the command's own; 125 when secrun fails; 126 when the command cannot run; 127 when it is not found.`

// Main parses args, runs the command and returns the process exit status. It is the one place
// where secrun turns errors into messages.
func Main(args []string) (code int) {
	// Before any command reads a value (a run, get, set, list --values, env check, move,
	// import, the completion helper that lists keys): no core dump, not dumpable.
	launcher.Harden()
	keystore.LockNotify = func(msg string) { fmt.Fprintf(os.Stderr, "secrun: %s\n", msg) }
	args = shebangArgs(args)
	if quick, ok := quickRun(args); ok {
		quick.stdout, quick.stderr, quick.dirs = os.Stdout, os.Stderr, dirs.FromEnv()
		return finish(quick.Run.Run(&quick.globals))
	}
	var cli root
	cli.stdout, cli.stderr, cli.dirs = os.Stdout, os.Stderr, dirs.FromEnv()
	exited := errors.New("exit")
	parser, err := newParser(&cli, kong.Writers(cli.stdout, cli.stderr), kong.Exit(func(c int) { code = c; panic(exited) }))
	if err != nil {
		return report(os.Stderr, fmt.Errorf("internal error: %w", err))
	}
	defer func() {
		if r := recover(); r != nil && r != exited {
			panic(r)
		}
	}()
	if len(args) == 0 {
		return report(os.Stderr, &usageError{msg: "nothing to run",
			hint: "usage: secrun -e ENV -- COMMAND [ARGS...]; secrun --help lists every command"})
	}
	args = withRun(parser.Model.Node, args)
	ctx, err := parser.Parse(args)
	if err != nil {
		return report(os.Stderr, parseError(err))
	}
	return finish(ctx.Run(&cli.globals))
}

// finish reports err and returns the exit status for it. A supervised child that was killed
// by a signal makes secrun die of the same signal here, so that its caller sees that death.
func finish(err error) int {
	code := report(os.Stderr, err)
	var child *launcher.ExitError
	if errors.As(err, &child) && child.Signal != nil {
		launcher.Raise(child.Signal) // returns only if it could not
	}
	return code
}

// newParser builds the kong parser for the whole grammar.
func newParser(cli *root, options ...kong.Option) (*kong.Kong, error) {
	return kong.New(cli, append([]kong.Option{
		kong.Name("secrun"),
		kong.Description(description),
		kong.Vars{"version": versionText, "maxsize": defaultMaxSize, "cleankeep": strings.Join(launcher.CleanKeep, ", ")},
		kong.NamedMapper("cores", coresMapper),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true, WrapUpperBound: 100}),
	}, options...)...)
}

// withRun puts the word "run" in front of args when they are a run without the word
// ('secrun -e E -- cmd'). The decision is made here, on secrun's own flags, rather than by
// kong's default command, so that a program after "--" that is named like a subcommand
// ('secrun -e E -- env') is run, not parsed.
func withRun(app *kong.Node, args []string) []string {
	var runNode *kong.Node
	commands := map[string]bool{}
	for _, c := range app.Children {
		commands[c.Name] = true
		for _, a := range c.Aliases {
			commands[a] = true
		}
		if c.Name == "run" {
			runNode = c
		}
	}
	long, short := map[string]*kong.Flag{}, map[rune]*kong.Flag{}
	runOnly := map[*kong.Flag]bool{}
	for _, n := range []*kong.Node{app, runNode} {
		for _, f := range n.Flags {
			long[f.Name] = f
			if f.Short != 0 {
				short[f.Short] = f
			}
			runOnly[f] = n == runNode
		}
	}
	takesValue := func(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }
	for i := 0; i < len(args); i++ {
		a := args[i]
		var f *kong.Flag
		inline := false
		switch {
		case a == "--":
			return append([]string{"run"}, args...)
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			f, inline = long[name], hasValue
		case strings.HasPrefix(a, "-") && len(a) > 1:
			f, inline = short[rune(a[1])], len(a) > 2
		default:
			if commands[a] || len(closest(a, slices.Collect(maps.Keys(commands)), 1)) > 0 {
				return args // a subcommand, or a mistyped one that kong will name
			}
			return append([]string{"run"}, args...)
		}
		if f == nil {
			continue // an unknown flag: kong reports it wherever it lands
		}
		if runOnly[f] {
			return append([]string{"run"}, args...)
		}
		if takesValue(f) && !inline {
			i++
		}
	}
	return args
}

// usageError is a mistake in how secrun was called.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Hint() string  { return e.hint }

// parseError turns a kong parse error into a usage error that points at the right help.
func parseError(err error) error {
	help := "secrun --help"
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil && strings.HasPrefix(pe.Context.Command(), "secrets set") {
		// kong quotes the word it could not take, and here that word may be a secret value.
		return &usageError{msg: "cannot parse the arguments of 'secrets set' (not shown: they may hold a value)",
			hint: "give the value on stdin or at the prompt; on the command line quote a value with spaces,\n" +
				"and put one that starts with - after --: secrun secrets set KEY -- -value"}
	}
	if errors.As(err, &pe) && pe.Context != nil {
		if path := pe.Context.Command(); path != "" {
			words := []string{"secrun"}
			for _, w := range strings.Fields(path) {
				if !strings.HasPrefix(w, "<") {
					words = append(words, w)
				}
			}
			help = strings.Join(words, " ") + " --help"
		}
	}
	return &usageError{msg: err.Error(), hint: "see '" + help + "'"}
}

// report prints err (if any) with its hints and returns the exit status it stands for.
// A child's own exit status passes through silently.
func report(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var coded interface{ ExitCode() int }
	code := exitFailure
	if errors.As(err, &coded) {
		code = coded.ExitCode()
	}
	var child *launcher.ExitError
	if errors.As(err, &child) {
		return code // the child's own status needs no message
	}
	fmt.Fprintf(w, "secrun: error: %v\n", err)
	for _, line := range strings.Split(hintOf(err), "\n") {
		if line != "" {
			fmt.Fprintf(w, "secrun: hint: %s\n", line)
		}
	}
	return code
}

// where formats a file position for messages.
func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}
