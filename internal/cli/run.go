package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/audit"
	"github.com/secrun/secrun/internal/deliver"
	"github.com/secrun/secrun/internal/names"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// runCmd runs a program with an environment's secrets.
type runCmd struct {
	Env          string   `short:"e" placeholder:"NAME" predictor:"envs" help:"The environment definition whose secrets the command gets."`
	NumCores     int      `short:"n" type:"cores" placeholder:"N" help:"Core count for choosing an executable's instance (default: HPCFLOW_RUN_NUM_CORES, MATFLOW_RUN_NUM_CORES, SLURM_NTASKS, SLURM_NPROCS, PBS_NP, NCPUS, NSLOTS, else 1)."`
	Executable   string   `short:"x" placeholder:"LABEL" predictor:"labels" help:"Run this executable of the environment; the words after -- become its arguments."`
	ParallelMode string   `placeholder:"MODE" predictor:"modes" help:"Only choose instances with this parallel_mode: distributed, shared or hybrid."`
	Spec         []string `placeholder:"KEY=VALUE" sep:"none" help:"Pick among environments of the same name by their specifiers (repeatable)."`
	NoForward    bool     `help:"Do not add the flags that pass the secrets' names on to MPI ranks or srun tasks."`
	CleanEnv     bool     `help:"Start from an empty environment, keeping only ${cleankeep}."`
	Mask         bool     `help:"Replace every secret value (of 4 bytes or more) in the command's stdout and stderr with <concealed by secrun>; also mask = true in the environment."`
	Command      []string `arg:"" optional:"" passthrough:"partial" placeholder:"COMMAND [ARGS...]" help:"The program (or executable label) to run and its arguments, after --."`
}

// Help shows examples under 'secrun run --help'.
func (r *runCmd) Help() string {
	return `Examples:
  secrun -e my_env -- ./solver in.dat
  secrun run -e my_env --clean-env -- python3 job.py
  secrun -e my_env -n 64 -- my_executable in.dat   (an executable label: its instance for 64 cores)
  secrun -e lammps_env --spec version=1.2 -- lmp    (one of several lammps_env, by its specifiers)
  secrun -e my_env -- mpirun -np 8 ./solver        (secrets reach every rank: -x NAME is added)
  srun secrun -e my_env -- ./solver                (one secrun per task)
  #!/usr/bin/env -S secrun -e my_env -- python3     (first line of a script)

Everything after -- is the command, exactly as given: it is never parsed by secrun. When its first
word is an executable label of the environment, the chosen instance's command replaces it.`
}

// Run looks up exactly the secrets the environment names and replaces secrun with the command.
func (r *runCmd) Run(g *globals) error {
	argv := r.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if r.Env == "" {
		return &usageError{msg: "no environment given",
			hint: "add -e NAME before --; 'secrun env list' shows the defined environments"}
	}
	if len(argv) == 0 && r.Executable == "" {
		return &usageError{msg: "no command given", hint: "usage: secrun -e ENV -- COMMAND [ARGS...]"}
	}
	level, err := depth()
	if err != nil {
		return err
	}
	env, err := g.lookupEnv(r.Env, r.Spec)
	if err != nil {
		return err
	}
	p, err := resolve(g, env, r, argv)
	if err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	launcher.Harden() // from here on secrun's memory holds values
	plan, err := deliveryPlan(g, env, store)
	store.Close() // no keyring connection is handed to the command
	if err != nil {
		return err
	}
	g.committed() // nothing after this is left to secrun-full
	vars := append(plan.Vars, deliver.Own(env.Name, p.cores, p.label, level)...)
	childEnv := launcher.Environ(os.Environ(), r.CleanEnv, vars)
	fwd := append(vars, plan.PathVars()...)
	childEnv, fl, launch := forward(g, r, p, fwd, childEnv)
	program := shellOf(env)
	if p.script == "" {
		program = p.argv[0]
	}
	if len(launch) == 0 {
		launch = []string{program}
	}
	if err := filesOnOneNode(env, plan, fl, launch[0]); err != nil {
		return err
	}
	var mask *launcher.Masker
	if r.Mask || env.Mask {
		mask = maskFor(g, plan)
	}
	if err := g.audit(env.Name, where(env.File, env.Line), p.label, program, plan.Read, audit.LaunchOf(fl, launch, fwd)); err != nil {
		return err
	}
	if g.Verbose {
		if p.script != "" {
			g.verbosef("running with %s:\n%s", program, p.script)
		} else {
			g.verbosef("running: %s", quoteArgv(p.argv))
		}
	}
	return launcher.Run(launcher.Child{
		Argv:   p.argv,
		Script: p.script,
		Shell:  env.Shell,
		Setup:  env.Setup,
		Env:    childEnv,
		Files:  plan.Files,
		DirVar: plan.DirVar(),
		Mask:   mask,
		Dirs:   g.dirs,
	})
}

// shellOf names the shell that runs env's setup lines and shell-text commands.
func shellOf(env *envdef.Env) string {
	if env.Shell != "" {
		return env.Shell
	}
	return launcher.DefaultShell
}

// maskFor builds the Masker for a run's secrets: each value, each JSON member and each line of
// a multi-line value, in each form the bundle writes it (deliver.MaskForms), when it is at least
// launcher.MinMaskLen bytes. --verbose names the keys
// whose values are too short to mask.
func maskFor(g *globals, plan *deliver.Plan) *launcher.Masker {
	var values [][]byte
	for _, v := range plan.Values {
		values = append(values, deliver.MaskForms(v.Value)...)
		if len(launcher.MaskPatterns([][]byte{v.Value})) == 0 {
			g.verbosef("secret %q is shorter than %d bytes: its value is not masked", v.Key, launcher.MinMaskLen)
		}
	}
	patterns := launcher.MaskPatterns(values)
	g.verbosef("masking the command's output (%d patterns)", len(patterns))
	m := launcher.NewMasker(patterns)
	return m
}

// missingError lists every secret an environment needs that the store does not hold.
type missingError struct {
	env    *envdef.Env
	keys   []string
	stores keystore.Description // the store's, after the read
}

func (e *missingError) Error() string {
	noun := "secret"
	if len(e.keys) > 1 {
		noun = "secrets"
	}
	return fmt.Sprintf("environment %q needs %d %s that %s: %s", e.env.Name, len(e.keys), noun, storeLacks(e.stores), strings.Join(e.keys, ", "))
}

func (e *missingError) Hint() string {
	hint := fmt.Sprintf("store each with 'secrun secrets set KEY', or remove it from the definition at %s",
		where(e.env.File, e.env.Line))
	if e.stores.Trouble != nil {
		hint = fmt.Sprintf("the keyring index lists some of them, but %v\n", e.stores.Trouble) + hint
	}
	return hint
}

// lookupEnv loads every definition file and returns the named environment, picked among
// same-named ones by the --spec KEY=VALUE pairs in spec.
func (g *globals) lookupEnv(name string, spec []string) (*envdef.Env, error) {
	want, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	set, err := g.definitionsOf(name)
	if err != nil {
		return nil, err
	}
	env, err := set.Pick(name, want)
	return env, withSpecWords(err)
}

// parseSpec reads --spec KEY=VALUE pairs.
func parseSpec(spec []string) (map[string]string, error) {
	if len(spec) == 0 {
		return nil, nil
	}
	want := make(map[string]string, len(spec))
	for _, s := range spec {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, &usageError{msg: fmt.Sprintf("--spec %q is not KEY=VALUE", s),
				hint: "for example: --spec version=1.2 (repeat --spec for more specifiers)"}
		}
		if old, dup := want[k]; dup && old != v {
			return nil, &usageError{msg: fmt.Sprintf("--spec gives %s twice, as %q and %q", k, old, v), hint: "give each specifier once"}
		}
		want[k] = v
	}
	return want, nil
}

// definitions loads the standard definition files and the explicit ones.
func (g *globals) definitions() (*envdef.Set, error) { return g.definitionsOf("") }

// definitionsOf is definitions with only the environments called name ("" for all) in the
// set; a launch needs one. Every environment of every file read is checked with
// checkSecrets as its file is parsed (envdef.LoadCached), so one that breaks the store's
// rules stops every run, as one that does not parse does.
func (g *globals) definitionsOf(name string) (*envdef.Set, error) {
	c, err := g.config()
	if err != nil {
		return nil, err
	}
	files, err := g.envFiles()
	if err != nil {
		return nil, err
	}
	set, err := envdef.LoadCached(envdef.DefaultFiles(g.dirs), files, c.Trust, g.cacheSpec(), name, checkSecrets)
	if err != nil {
		return nil, err
	}
	set.UserFile = envdef.UserFile(g.dirs)
	g.verbosef("definitions read from: %s", strings.Join(set.Files(), ", "))
	return set, nil
}

// checkSecrets applies the rules that envdef leaves to the rest of secrun: keys must be
// valid store keys, and SECRUN_ variables belong to secrun.
func checkSecrets(env *envdef.Env) error {
	for _, s := range [...]struct{ what, name string }{{"project", env.Project}, {"domain", env.Domain}} {
		if s.name != "" {
			if err := keystore.ValidateScope(s.what, s.name); err != nil {
				return fmt.Errorf("%s: environment %q: %w", where(env.File, env.Line), env.Name, err)
			}
		}
	}
	for _, s := range env.Secrets {
		if err := keystore.ValidateKey(s.Key); err != nil {
			return fmt.Errorf("%s: environment %q: %w", where(env.File, s.Line), env.Name, err)
		}
		if names.IsReserved(s.Var) {
			return fmt.Errorf("%s: environment %q: secret %q: variable %s is reserved (secrun sets the SECRUN_ variables)",
				where(env.File, s.Line), env.Name, s.Key, s.Var)
		}
	}
	return nil
}

// quoteArgv formats argv so that a shell would split it back into the same words.
func quoteArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
