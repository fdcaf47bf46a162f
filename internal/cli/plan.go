package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/deliver"
	"github.com/secrun/secrun/launcher"
)

// maxDepth is how many secruns may run inside one another before secrun assumes a loop
// (a script whose #! line leads back to itself) and stops.
const maxDepth = 8

// schedulerCores are the variables that give a job's core count, in the order they are read:
// first the count hpcFlow and MatFlow set for the command they run, then the scheduler's.
var schedulerCores = []string{"HPCFLOW_RUN_NUM_CORES", "MATFLOW_RUN_NUM_CORES", "SLURM_NTASKS", "SLURM_NPROCS", "PBS_NP", "NCPUS", "NSLOTS"}

// plan is what a run will do once the command word has been resolved.
type plan struct {
	argv   []string // the program and its arguments; nil when script is set
	script string   // shell text from an executable's instance, run by the environment's shell
	cores  int
	label  string // the executable label that was run, or ""
}

// coreCount returns the core count for instance selection: the -n flag (0 when not given; the
// "cores" mapper refuses a count below 1), else the first variable of schedulerCores that
// holds a positive integer, else 1.
func coreCount(g *globals, flag int) int {
	if flag > 0 {
		return flag
	}
	for _, name := range schedulerCores {
		v, ok := os.LookupEnv(name)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			g.verbosef("ignoring %s=%q: not a positive integer", name, v)
			continue
		}
		g.verbosef("%d cores, from %s", n, name)
		return n
	}
	return 1
}

// resolve turns the command words into the argv to run: the first word names an executable
// of env when it is one of its labels (or when -x names one), and then the chosen instance's
// command comes first and the remaining words are appended.
func resolve(g *globals, env *envdef.Env, r *runCmd, words []string) (*plan, error) {
	p := &plan{argv: words, cores: coreCount(g, r.NumCores)}
	if r.ParallelMode != "" && !slices.Contains(envdef.ParallelModes, r.ParallelMode) {
		return nil, &usageError{msg: fmt.Sprintf("--parallel-mode %q is not a parallel mode", r.ParallelMode),
			hint: "use one of " + strings.Join(envdef.ParallelModes, ", ")}
	}
	label, args := r.Executable, words
	if label == "" {
		if len(words) == 0 || env.Executable(words[0]) == nil {
			return p, nil
		}
		label, args = words[0], words[1:]
	}
	x := env.Executable(label)
	if x == nil {
		return nil, &noLabelError{env: env, label: label}
	}
	in, err := x.Select(env, p.cores, r.ParallelMode)
	if err != nil {
		return nil, err
	}
	cmd, err := in.Resolve(p.cores, args)
	if err != nil {
		return nil, fmt.Errorf("%s: environment %q: executable %q: %w", where(env.File, in.Line), env.Name, label, err)
	}
	g.verbosef("executable %q: instance at %s for %d cores", label, where(env.File, in.Line), p.cores)
	p.argv, p.script, p.label = cmd.Argv, cmd.Script, label
	return p, nil
}

// noLabelError is -x naming a label that the environment does not define.
type noLabelError struct {
	env   *envdef.Env
	label string
}

func (e *noLabelError) Error() string {
	return fmt.Sprintf("environment %q has no executable %q", e.env.Name, e.label)
}

func (e *noLabelError) Hint() string {
	var labels []string
	for _, x := range e.env.Executables {
		labels = append(labels, x.Label)
	}
	if len(labels) == 0 {
		return fmt.Sprintf("it defines no executables; add [[env.executables]] at %s", where(e.env.File, e.env.Line))
	}
	return "its executables: " + strings.Join(labels, ", ")
}

// forward adds the flags that carry the named variables to remote ranks when p's argv starts an
// MPI launcher or srun, or when its shell text runs one (mpirun -n $NSLOTS ...), unless
// --no-forward. It returns the launcher's environment (for hydra, launcher.HydraLast comes last
// in it), and the launcher's flavour and words: p's argv, or for shell text the first launcher
// in it, with the words that are not literal as written ($NSLOTS); nil for shell text without
// a launcher.
func forward(g *globals, r *runCmd, p *plan, vars []launcher.Var, env []string) ([]string, launcher.Flavour, []string) {
	launch := p.argv
	if r.NoForward {
		return env, launcher.NoLauncher, launch
	}
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name
	}
	cache := ""
	if g.dirs.Cache != "" {
		cache = filepath.Join(g.dirs.Cache, "launchers")
	}
	f := &launcher.Forwarder{Env: env, Cache: cache, Debug: g.verbosef}
	fl := launcher.NoLauncher
	fwd := func(argv []string) []string {
		out, this := f.Forward(argv, names)
		switch {
		case this == launcher.NoLauncher:
			return out
		case !slices.Equal(out, argv):
			g.verbosef("%s launcher: forwarding %s", this, strings.Join(names, ", "))
		default:
			g.verbosef("%s launcher: it passes the whole environment already", this)
		}
		if fl == launcher.NoLauncher {
			fl, launch = this, out
		}
		return out
	}
	if p.script == "" {
		p.argv = fwd(p.argv)
	} else {
		// In shell text, each simple command that starts a launcher gets the same edit; a word
		// that is not literal ($NSLOTS) is passed to Forward as its text, which it never needs
		// to read.
		script, err := envdef.EditCalls(p.script, func(words []string) (envdef.CallEdit, bool) {
			return diffEdit(words, fwd(words))
		})
		if err == nil {
			p.script = script
		}
	}
	if v, ok := f.SlurmExport(fl, names); ok {
		g.verbosef("SLURM_EXPORT_ENV=%s for the command (the job's setting would keep the secrets from srun's tasks or an MPI launcher's daemons)", v)
		env = launcher.Environ(env, false, []launcher.Var{{Name: "SLURM_EXPORT_ENV", Value: v}})
	}
	if fl == launcher.Hydra {
		env = append(env, launcher.HydraLast)
	}
	return env, fl, launch
}

// diffEdit describes how out differs from in as one replacement: the common prefix (never the
// program word) and suffix are kept, and the words between them replaced.
func diffEdit(in, out []string) (envdef.CallEdit, bool) {
	if slices.Equal(in, out) {
		return envdef.CallEdit{}, false
	}
	pre := 1
	for pre < len(in) && pre < len(out) && in[pre] == out[pre] {
		pre++
	}
	suf := 0
	for suf < len(in)-pre && suf < len(out)-pre && in[len(in)-1-suf] == out[len(out)-1-suf] {
		suf++
	}
	return envdef.CallEdit{At: pre, Del: len(in) - pre - suf, Insert: out[pre : len(out)-suf]}, true
}

// filesOnOneNode refuses to hand a launcher (fl) the paths of secret files: they exist only on
// this node, and ranks or tasks on other nodes would get a path to nothing. One secrun per
// rank writes the files on each rank's own node.
func filesOnOneNode(env *envdef.Env, d *deliver.Plan, fl launcher.Flavour, program string) error {
	if fl == launcher.NoLauncher || len(d.Files) == 0 {
		return nil
	}
	what := "its bundle"
	for _, s := range env.Secrets {
		if s.File != "" {
			what = fmt.Sprintf("secret %q", s.Key)
			break
		}
	}
	launch := program + " ... secrun -e " + env.Name + " -- PROGRAM"
	if fl == launcher.Srun {
		launch = "srun ... secrun -e " + env.Name + " -- PROGRAM"
	}
	return &usageError{
		msg: fmt.Sprintf("environment %q delivers %s as a file, which exists only on this node: ranks or tasks that %s starts on other nodes would not find it",
			env.Name, what, program),
		hint: fmt.Sprintf("run one secrun per rank, each writing the file on its own node: %s\n"+
			"when every rank runs on this node, --no-forward runs the command as given", launch),
	}
}

// depth reads and checks SECRUN_DEPTH, the count of secruns this one runs inside, and returns
// the value for the child.
func depth() (int, error) {
	n, _ := strconv.Atoi(os.Getenv("SECRUN_DEPTH"))
	if n >= maxDepth {
		return 0, &usageError{
			msg:  fmt.Sprintf("secrun is running inside %d other secruns (SECRUN_DEPTH=%d); stopping a loop", n, n),
			hint: "a script's #! line probably leads back to secrun itself: make the command after -- a real interpreter such as python3"}
	}
	return n + 1, nil
}

// shebangArgs undoes what Linux does to '#!/path/to/secrun -e ENV -- python3': the kernel
// passes everything after the interpreter path as one argument, followed by the script's path.
// A first argument that starts with '-' and holds a blank, with more arguments after it, is
// split with shell quoting rules, as 'env -S' would.
func shebangArgs(args []string) []string {
	if len(args) < 2 || !strings.HasPrefix(args[0], "-") || !strings.ContainsAny(args[0], " \t") {
		return args
	}
	words, err := envdef.SplitWords(args[0])
	if err != nil {
		return args // kong reports the odd argument
	}
	return append(words, args[1:]...)
}
