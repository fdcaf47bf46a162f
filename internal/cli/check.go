//go:build !lean

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/secrun/secrun/config"
	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/deliver"
	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// envCheckCmd is the definition linter.
type envCheckCmd struct {
	Name string `arg:"" optional:"" help:"Check only this environment (every file is still parsed and searched for stored values)."`
}

func (c *envCheckCmd) Help() string {
	return `Reads every definition file, reports each error and warning with its file and line, and exits 1
when there are errors (0 with warnings only). Errors: a file that does not parse or validate, or
that a run would refuse (others can write it or a directory above it; not a regular file; over
1 MiB; nested too deep), with the chmod that fixes it; a secret value from the store, or a member
value of a json = true secret, written in a definition file (at each line that holds it); and,
with NAME, a required secret that no store holds. Warnings: a setup line or an instance command that looks like it holds a credential
(export password=1234, $env:password = '1234', --token=..., AWS keys, private-key headers, ...),
and, without NAME, secrets that no store holds. Messages name keys, never values.

Examples:
  secrun env check
  secrun env check my_env`
}

// finding is one message of the linter.
type finding struct {
	file  string
	line  int
	error bool
	env   string
	msg   string
}

func (f finding) String() string {
	level := "warning"
	if f.error {
		level = "error"
	}
	env := ""
	if f.env != "" {
		env = fmt.Sprintf("environment %q: ", f.env)
	}
	return fmt.Sprintf("%s: %s: %s%s", where(f.file, f.line), level, env, f.msg)
}

func (c *envCheckCmd) Run(g *globals) error {
	var found []finding
	add := func(f finding) { found = append(found, f) }
	c0, confErr := g.config()
	if confErr != nil {
		add(configFinding(confErr))
		c0 = &config.Config{}
	}
	// The loader runs use, going on after errors: every file is read and checked as a run
	// would, and the environments in effect are those a run resolves, every one of several
	// same-named environments that differ in specifiers included.
	files, _ := g.envFiles() // only the lean build's appSources fails
	loaded := envdef.LoadAll(envdef.DefaultFiles(g.dirs), files, c0.Trust)
	for _, err := range loaded.Errors {
		add(defFinding("secrun", err))
	}
	texts, files := loaded.Texts, loaded.Set.Files()
	jsonKeys := map[string]bool{} // keys read with json = true in any environment
	var selected []*envdef.Env
	for _, e := range loaded.Set.Envs() {
		if err := checkSecrets(e); err != nil {
			add(finding{file: e.File, line: e.Line, error: true, msg: err.Error()})
		}
		for _, s := range e.Secrets {
			jsonKeys[s.Key] = jsonKeys[s.Key] || s.JSON
		}
		if c.Name == "" || e.Name == c.Name {
			selected = append(selected, e)
		}
	}
	g.verbosef("definitions read from: %s", strings.Join(files, ", "))
	if c.Name != "" && len(selected) == 0 {
		add(finding{error: true, file: "secrun", msg: fmt.Sprintf("no environment %q is defined (searched %s)",
			c.Name, strings.Join(searched(g), ", "))})
	}
	for _, e := range selected {
		if err := launcher.SetupSupported(); err != nil && len(e.Setup) > 0 {
			add(finding{file: e.File, line: e.Line, env: e.Name, msg: err.Error() + ", so a run of this environment is refused here"})
		}
		for _, x := range e.Executables {
			for _, in := range x.Instances {
				if err := launcher.SetupSupported(); err != nil && in.ShellText() {
					add(finding{file: e.File, line: in.Line, env: e.Name,
						msg: fmt.Sprintf("executable %q: the command is shell text; %v, so a run of it is refused here", x.Label, err)})
				}
			}
		}
		for _, l := range e.Setup {
			if why, ok := envdef.Exposed(l); ok {
				add(finding{file: e.File, line: lineOf(texts[e.File], l, e.Line), env: e.Name,
					msg: "setup line " + why + "; store it with 'secrun secrets set' and name it in secrets"})
			}
		}
		for _, x := range e.Executables {
			for _, in := range x.Instances {
				if why, ok := envdef.Exposed(in.Command); ok {
					add(finding{file: e.File, line: in.Line, env: e.Name,
						msg: fmt.Sprintf("executable %q: command %s; store it with 'secrun secrets set' and name it in secrets", x.Label, why)})
				}
			}
		}
	}
	if confErr == nil { // without config.toml secrun does not know which store to read
		found = append(found, c.storeFindings(g, selected, files, texts, jsonKeys)...)
	}

	slices.SortStableFunc(found, func(a, b finding) int {
		if a.file != b.file {
			return strings.Compare(a.file, b.file)
		}
		return a.line - b.line
	})
	errs, warns := 0, 0
	for _, f := range found {
		fmt.Fprintln(g.stdout, f)
		if f.error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(g.stderr, "secrun: checked %d environments in %d files: %d errors, %d warnings\n",
		len(selected), len(files), errs, warns)
	if errs > 0 {
		return &checkFailed{errs: errs}
	}
	return nil
}

// storeFindings reads the whole store once: a value written in a definition file is an
// error at each line that holds it (which names the key, never the value), and so is the
// value of a member of a secret that some definition reads with json = true; and each
// selected environment's secrets that no store holds are reported (errors when one
// environment was asked for).
func (c *envCheckCmd) storeFindings(g *globals, selected []*envdef.Env, files []string, texts map[string][]byte, jsonKeys map[string]bool) []finding {
	store, err := g.store()
	if err != nil {
		return []finding{{file: "secrun", error: true, msg: fmt.Sprintf("cannot open the store: %v", err)}}
	}
	defer store.Close()
	entries, err := store.List()
	if err != nil {
		return []finding{{file: "secrun", error: true, msg: fmt.Sprintf("cannot read the store (%s): %v", storeDesc(store.Describe(), true), err)}}
	}
	var out []finding
	byKey := map[string][]keystore.Entry{}
	for _, e := range entries {
		byKey[e.Key] = append(byKey[e.Key], e)
		if e.Value == nil {
			continue
		}
		what := map[string]string{} // pattern -> what it is the value of
		for _, p := range launcher.MaskPatterns([][]byte{e.Value}) {
			what[string(p)] = fmt.Sprintf("the value of secret %q", e.Key)
		}
		if jsonKeys[e.Key] {
			members, _ := deliver.JSONMembers(e.Value) // a value that is no object has no members
			for _, m := range members {
				for _, p := range launcher.MaskPatterns([][]byte{[]byte(m.Value)}) {
					if _, ok := what[string(p)]; !ok {
						what[string(p)] = fmt.Sprintf("the value of member %q of secret %q", m.Name, e.Key)
					}
				}
			}
		}
		for _, f := range files {
			reported := map[int]bool{} // lines of f already reported for this secret
			for p, w := range what {
				text := texts[f]
				for off := 0; ; {
					i := bytes.Index(text[off:], []byte(p))
					if i < 0 {
						break
					}
					off += i
					line := 1 + bytes.Count(text[:off], []byte("\n"))
					off += len(p)
					if reported[line] {
						continue
					}
					reported[line] = true
					out = append(out, finding{file: f, line: line, error: true,
						msg: fmt.Sprintf("%s (%s store) is written here; remove it, and consider it exposed: replace it and store the new one", w, e.Store)})
				}
			}
		}
	}
	for _, env := range selected {
		var missing []string
		for _, s := range env.Secrets {
			entry, ok := keystore.Resolve(byKey[s.Key], deliver.Scope(env))
			if !ok && !s.Optional {
				missing = append(missing, s.Key)
			}
			if ok && s.JSON && entry.Value != nil {
				out = append(out, jsonFindings(env, s, entry)...)
			}
		}
		if len(missing) > 0 {
			out = append(out, finding{file: env.File, line: env.Line, env: env.Name, error: c.Name != "",
				msg: fmt.Sprintf("%s holds no %s; store with 'secrun secrets set KEY'", storeDesc(store.Describe(), true), strings.Join(missing, ", "))})
		}
	}
	return out
}

// defFinding turns an error reading or parsing the definition file f into a finding.
func defFinding(f string, err error) finding {
	var de *envdef.DefError
	if errors.As(err, &de) {
		msg := de.Msg
		if fe := (*fileperm.Error)(nil); errors.As(err, &fe) {
			msg += " (" + de.Fix + ")"
		}
		return finding{file: de.File, line: de.Line, error: true, env: de.Env, msg: msg}
	}
	return finding{file: f, error: true, msg: fmt.Sprintf("cannot read: %v", unwrapPath(err))}
}

// configFinding turns an error reading config.toml into a finding.
func configFinding(err error) finding {
	var ce *config.Error
	if errors.As(err, &ce) {
		msg := ce.Msg
		if fe := (*fileperm.Error)(nil); errors.As(err, &fe) {
			msg += " (" + ce.Fix + ")"
		}
		return finding{file: ce.File, line: ce.Line, error: true, msg: msg}
	}
	return finding{file: "secrun", error: true, msg: err.Error()}
}

// lineOf returns the line of data, from line from on, that holds text, or from.
func lineOf(data []byte, text string, from int) int {
	lines := bytes.Split(data, []byte("\n"))
	for i := max(from-1, 0); i < len(lines); i++ {
		if bytes.Contains(lines[i], []byte(text)) {
			return i + 1
		}
	}
	return from
}

// unwrapPath drops the *fs.PathError wrapper, whose path the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkFailed is env check's result when it found errors: exit status 1, as a linter.
type checkFailed struct{ errs int }

func (e *checkFailed) Error() string {
	return fmt.Sprintf("env check found %d errors", e.errs)
}
func (e *checkFailed) ExitCode() int { return 1 }
func (e *checkFailed) Hint() string  { return "each is listed above with its file and line" }
