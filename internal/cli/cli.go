//go:build !lean

package cli

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/launcher"
)

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
	args, quick := start(args)
	if quick != nil {
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

// coresMapper decodes -n/--num-cores with count, in place of kong's int mapper, which reads
// a leading 0 as octal and 0x as hexadecimal.
var coresMapper = kong.MapperFunc(func(ctx *kong.DecodeContext, target reflect.Value) error {
	var s string
	if err := ctx.Scan.PopValueInto("count", &s); err != nil {
		return err
	}
	n, ok := count(s)
	if _, err := strconv.ParseInt(s, 10, 0); err == nil && !ok {
		return fmt.Errorf("%s is not a core count: give 1 or more, or leave -n out to use the scheduler's count", s)
	}
	if !ok {
		return fmt.Errorf("expected a decimal core count but got %q", s)
	}
	target.SetInt(int64(n))
	return nil
})

// BeforeReset prints the version and exits, as kong.VersionFlag does.
func (versionFlag) BeforeReset(app *kong.Kong, vars kong.Vars) error {
	fmt.Fprintln(app.Stdout, vars["version"])
	app.Exit(0)
	return nil
}

// definitionsBinary names the program whose identity keys a development build's
// definitions cache: "", the running one.
func definitionsBinary() string { return "" }
