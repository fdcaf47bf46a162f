//go:build !lean

package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/deliver"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// envCmd groups the commands that inspect environment definitions.
type envCmd struct {
	List    envListCmd    `cmd:"" aliases:"ls" help:"List the defined environments and where each is defined."`
	Show    envShowCmd    `cmd:"" help:"Show an environment: setup, executables, and the variable each secret becomes."`
	Check   envCheckCmd   `cmd:"" help:"Check every definition: errors, credentials in setup lines or commands, stored values in the text, missing secrets."`
	Convert envConvertCmd `cmd:"" help:"Print an hpcFlow YAML environment file as secrun TOML."`
}

func (c *envCmd) Help() string {
	return "Examples:\n  secrun env list\n  secrun env show my_env\n  secrun env check\n  secrun --envs project.toml env list"
}

type envListCmd struct{}

func (c *envListCmd) Help() string {
	return "Definitions are read from /etc/secrun/envs.toml, /etc/secrun/envs.d/*.toml,\n" +
		"$XDG_CONFIG_HOME/secrun/envs.toml, $XDG_CONFIG_HOME/secrun/envs.d/*.toml, then each --envs FILE\n" +
		"and SECRUN_ENVS; a later file overrides an environment of the same name and specifiers.\n" +
		"hpcFlow YAML files (envs.yaml, envs.yml, envs.d/*.yaml, *.yml, --envs FILE.yaml) are read too.\n" +
		"Specifiers are shown in brackets after the name.\n\n" +
		"Examples:\n  secrun env list\n  secrun --envs ./job-envs.yaml env list"
}

func (c *envListCmd) Run(g *globals) error {
	set, err := g.definitions()
	if err != nil {
		return err
	}
	envs := set.Envs()
	if len(envs) == 0 {
		fmt.Fprintf(g.stderr, "secrun: no environments defined; searched %s\n", strings.Join(searched(g), ", "))
		return nil
	}
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSECRETS\tDEFINED AT")
	for _, e := range envs {
		at := where(e.File, e.Line)
		if len(e.Overrides) > 0 {
			at += " (overrides " + strings.Join(e.Overrides, ", ") + ")"
		}
		name := e.Name
		if spec := envdef.FormatSpecifiers(e.Specifiers); spec != "" {
			name += " [" + spec + "]"
		}
		fmt.Fprintf(w, "%s\t%d\t%s\n", name, len(e.Secrets), at)
	}
	return w.Flush()
}

// searched lists every place definitions are looked for.
func searched(g *globals) []string {
	files, _ := g.envFiles() // only the lean build's appSources fails
	return append(envdef.DefaultFiles(g.dirs), files...)
}

// lookupOrder lists the scopes a lookup in s tries, most specific first.
func lookupOrder(s keystore.Scope) string {
	var order []string
	for _, sc := range []keystore.Scope{s, {Project: s.Project}, {Domain: s.Domain}, {}} {
		if str := sc.String(); !slices.Contains(order, str) {
			order = append(order, str)
		}
	}
	return strings.Join(order, ", ")
}

type envShowCmd struct {
	Name         string   `arg:"" predictor:"envs" help:"The environment to show."`
	NumCores     int      `short:"n" type:"cores" placeholder:"N" help:"Show the instance each executable would run for N cores (default: as a run would choose)."`
	ParallelMode string   `placeholder:"MODE" predictor:"modes" help:"Only consider instances with this parallel_mode."`
	Spec         []string `placeholder:"KEY=VALUE" sep:"none" help:"Pick among environments of the same name by their specifiers (repeatable)."`
}

func (c *envShowCmd) Help() string {
	return "Shows no secret values: only whether the store holds each one, and for each executable the\n" +
		"instance a run would choose and the command line it would run.\n\n" +
		"Examples:\n  secrun env show my_env\n  secrun env show my_env -n 64\n  secrun env show lammps_env --spec version=1.2"
}

func (c *envShowCmd) Run(g *globals) error {
	e, err := g.lookupEnv(c.Name, c.Spec)
	if err != nil {
		return err
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	found, err := deliver.Fetch(e, store, g.verbosef)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "environment:\t%s\n", e.Name)
	fmt.Fprintf(w, "defined at:\t%s\n", where(e.File, e.Line))
	for _, o := range e.Overrides {
		fmt.Fprintf(w, "overrides:\t%s\n", o)
	}
	if len(e.Specifiers) > 0 {
		names := make([]string, 0, len(e.Specifiers))
		for k := range e.Specifiers {
			names = append(names, k)
		}
		sort.Strings(names)
		for i, k := range names {
			names[i] = k + "=" + e.Specifiers[k]
		}
		fmt.Fprintf(w, "specifiers:\t%s\n", strings.Join(names, " "))
	}
	if e.Project != "" || e.Domain != "" {
		fmt.Fprintf(w, "scope:\t%s (lookup order: %s)\n", deliver.Scope(e), lookupOrder(deliver.Scope(e)))
	}
	if e.Bundle != "" {
		fmt.Fprintf(w, "bundle:\t%s in $%s, path in $%s\n", e.Bundle, deliver.DirVar, deliver.BundleVar)
	}
	w.Flush()
	if len(e.Setup) > 0 {
		fmt.Fprintf(g.stdout, "setup (run by %s before the command):\n", shellOf(e))
		for _, l := range e.Setup {
			fmt.Fprintln(g.stdout, "  "+l)
		}
	}
	if len(e.Secrets) == 0 {
		fmt.Fprintln(g.stdout, "secrets: none")
	} else {
		d := store.Describe()
		fmt.Fprintf(g.stdout, "secrets, from %s:\n", storeDesc(d, true))
		w = tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  KEY\tVARIABLE\tSTORED\tSCOPE\tDELIVERY")
		for _, s := range e.Secrets {
			state, scope := "yes", "-"
			if entry, ok := found[s.Key]; ok {
				scope = entry.Scope.String()
				if entry.Store == "keyring" && d.Name != "keyring" {
					state = "yes (keyring)"
				}
			} else if state = "MISSING"; s.Optional {
				state = "no (optional)"
			}
			variable, how := s.Var, "variable"
			switch {
			case s.JSON:
				variable, how = memberNames(e, s, found), "json"
			case s.File != "":
				how = "file " + s.File
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", s.Key, variable, state, scope, how)
		}
		w.Flush()
	}
	if len(e.Executables) == 0 {
		return nil
	}
	// The variables a run would add, by name only, for the forwarding flags.
	vars := make([]launcher.Var, 0, len(e.Secrets)+len(deliver.OwnNames))
	for _, s := range e.Secrets {
		vars = append(vars, launcher.Var{Name: s.Var})
	}
	for _, n := range deliver.OwnNames {
		vars = append(vars, launcher.Var{Name: n})
	}
	run := &runCmd{NumCores: c.NumCores, ParallelMode: c.ParallelMode}
	for _, x := range e.Executables {
		fmt.Fprintf(g.stdout, "executable %s:\n", x.Label)
		for i, in := range x.Instances {
			mode := in.ParallelMode
			if mode == "" {
				mode = "any mode"
			}
			fmt.Fprintf(g.stdout, "  %d. cores %s, %s: %s\n", i+1, in.NumCores, mode, indentLines(in.Command, "     "))
		}
		run.Executable = x.Label
		p, err := resolve(g, e, run, nil)
		var none *envdef.NoInstanceError
		switch {
		case errors.As(err, &none):
			fmt.Fprintf(g.stdout, "  for %d cores: no instance\n", coreCount(g, c.NumCores))
			continue
		case err != nil:
			fmt.Fprintf(g.stdout, "  for %d cores: %v\n", coreCount(g, c.NumCores), errors.Unwrap(err))
			continue
		}
		forward(g, run, p, vars, os.Environ())
		if p.script != "" {
			fmt.Fprintf(g.stdout, "  for %d cores runs, with %s:\n    %s\n", p.cores, shellOf(e), indentLines(p.script, "    "))
		} else {
			fmt.Fprintf(g.stdout, "  for %d cores runs: %s\n", p.cores, quoteArgv(p.argv))
		}
	}
	return nil
}

// memberNames lists the variables that the members of the stored JSON secret s set, names
// only, each one a run refuses marked so ('secrun env check' says why).
func memberNames(e *envdef.Env, s envdef.Secret, found map[string]keystore.Entry) string {
	entry, ok := found[s.Key]
	if !ok {
		return "(one per member)"
	}
	members, err := deliver.JSONVars(e, s, entry.Value)
	if err != nil {
		return "(not a JSON object)"
	}
	if len(members) == 0 {
		return "(no members)"
	}
	vars := make([]string, len(members))
	for i, m := range members {
		vars[i] = m.Shown()
		if m.Problem != nil {
			vars[i] += " (refused)"
		}
	}
	return strings.Join(vars, ", ")
}

// jsonFindings are env check's findings for the stored JSON secret s: the variables its
// members set (a warning, names only: the stored value, not the definition, decides them),
// and an error for each member a run refuses, or for a value that is not a JSON object.
func jsonFindings(e *envdef.Env, s envdef.Secret, entry keystore.Entry) []finding {
	members, err := deliver.JSONVars(e, s, entry.Value)
	if err != nil {
		msg := err.Error()
		if se := (*deliver.SecretError)(nil); errors.As(err, &se) {
			msg = fmt.Sprintf("secret %q %s", s.Key, se.Msg) // the finding names the environment
		}
		return []finding{{file: e.File, line: s.Line, error: true, env: e.Name, msg: msg}}
	}
	out := []finding{{file: e.File, line: s.Line, env: e.Name,
		msg: fmt.Sprintf("secret %q is a JSON object (%s store) whose member names choose the variables a run sets: %s", s.Key, entry.Store, memberNames(e, s, map[string]keystore.Entry{s.Key: entry}))}}
	for _, m := range members {
		if m.Problem != nil {
			out = append(out, finding{file: e.File, line: s.Line, error: true, env: e.Name,
				msg: fmt.Sprintf("secret %q %s; %s", s.Key, m.Problem.Msg, m.Problem.Fix)})
		}
	}
	return out
}

// indentLines puts indent before every line of s but the first, and drops a final newline, so
// that a multi-line command reads as a block.
func indentLines(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}

type envConvertCmd struct {
	File string `arg:"" type:"path" placeholder:"FILE.yaml" help:"An hpcFlow environment file."`
}

func (c *envConvertCmd) Help() string {
	return "Reads the file as --envs would (every field checked; doc, setup_label and _hash_value are\n" +
		"dropped) and prints the same environments as secrun TOML on stdout. A TOML file is printed in\n" +
		"the same normal form.\n\n" +
		"Examples:\n  secrun env convert ~/.local/share/hpcflow/envs.yaml > ~/.config/secrun/envs.d/hpcflow.toml"
}

func (c *envConvertCmd) Run(g *globals) error {
	data, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("read environment definitions: %w", err)
	}
	envs, err := envdef.ParseFile(c.File, data)
	if err != nil {
		return err
	}
	for _, e := range envs {
		if err := checkSecrets(e); err != nil {
			return err
		}
	}
	fmt.Fprintf(g.stdout, "# secrun environment definitions converted from %s by 'secrun env convert'\n\n", filepath.Base(c.File))
	_, err = g.stdout.Write(envdef.FormatTOML(envs))
	return err
}
