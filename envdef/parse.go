//go:build !lean

package envdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/secrun/secrun/internal/names"
	"github.com/secrun/secrun/internal/tomldepth"
)

// The schema: the keys allowed in each kind of table, for TOML and YAML alike, in the order
// FormatTOML writes them (executables last: TOML tables follow the keys). Anything else is an
// error, so a typo never silently drops a setting.
var (
	envKeys      = []string{"name", "setup", "specifiers", "project", "domain", "bundle", "mask", "shell", "secrets", "executables"}
	secretKeys   = []string{"key", "as_env_var", "json", "file", "optional", "allow_env_vars"}
	exeKeys      = []string{"label", "instances"}
	instanceKeys = []string{"command", "num_cores", "parallel_mode"}
	coresKeys    = []string{"start", "stop", "step"}
	// envKeysIgnored are the keys an environment accepts: its own and hpcFlow's ignored ones.
	envKeysIgnored = append(append([]string(nil), envKeys...), hpcFlowIgnored...)
)

// Parse parses and validates the definitions in one file. file is used only
// in messages and in Env.File. Errors are *DefError values; Parse returns the first.
func Parse(file string, data []byte) ([]*Env, error) {
	return firstError(ParseAll(file, data))
}

// ParseAll is Parse collecting every error: a file that does not parse gives one, and then
// each environment that does not validate gives its first error, while the others still load.
func ParseAll(file string, data []byte) ([]*Env, []error) {
	if line := tomldepth.Line(data, MaxDepth); line > 0 {
		return nil, []error{&DefError{File: file, Line: line, Msg: fmt.Sprintf("nested deeper than %d levels", MaxDepth),
			Fix: "flatten the tables: definitions need a few levels at most"}}
	}
	if line := tomldepth.Items(data, MaxItems); line > 0 {
		return nil, []error{&DefError{File: file, Line: line, Msg: fmt.Sprintf("more than %d keys, tables and arrays", MaxItems),
			Fix: "split the definitions into several files in envs.d"}}
	}
	doc, serr := tomldepth.Decode(data)
	if serr != nil {
		return nil, []error{&DefError{File: file, Line: serr.Line, Msg: "invalid TOML: " + serr.Msg, Err: serr}}
	}
	p := &parser{file: file}
	ix := scanLines(data)
	all := ix.whole()
	var errs []error
	if k := unknownKey(doc, "env"); k != "" {
		errs = append(errs, p.fail(ix.keyLine(all, k), "", "definitions go in [[env]] tables",
			"unknown top-level key %q", k))
	}
	tables, ok := asTables(doc["env"])
	if !ok {
		return nil, append(errs, p.fail(ix.keyLine(all, "env"), "", "", "env must be an array of tables ([[env]])"))
	}
	spans := ix.children(all, "[[env]]", len(tables))
	var envs []*Env
	for i, t := range tables {
		e, envErrs := p.env(t, newTOMLWhere(ix, spans[i], "[[env"), i)
		envs, errs = p.collect(envs, errs, e, envErrs)
	}
	return envs, errs
}

// collect is how both readers take an environment e, read with the errors envErrs: into
// envs, the file's environments so far, or its errors into errs. A file defines an
// environment of one name and specifiers once: same-named environments in one file must
// differ in their specifiers.
func (p *parser) collect(envs []*Env, errs []error, e *Env, envErrs []error) ([]*Env, []error) {
	if len(envErrs) > 0 {
		return envs, append(errs, envErrs...)
	}
	for _, prev := range envs {
		if prev.Name == e.Name && specsEqual(prev.Specifiers, e.Specifiers) {
			same := ""
			if len(e.Specifiers) > 0 {
				same = " with the same specifiers"
			}
			return envs, append(errs, p.fail(e.Line, e.Name, "rename or remove one of them, or give them different specifiers",
				"defined twice in this file%s%s", same, firstAt(prev.Line)))
		}
	}
	return append(envs, e), errs
}

// parser checks the environments of one file, whatever its format: the TOML and YAML readers
// turn their text into the same values (strings, int64, float64, bool, []any, map[string]any)
// and a where that knows the lines, and the rules below are the only ones.
type parser struct {
	file string
	yaml bool // name types in YAML's words in messages (a mapping, a list)
	// depth and steps bound yamlValue's walk, which follows aliases: a node nested inside an
	// alias to itself would recurse without end, and aliases of aliases expand exponentially.
	depth, steps int
}

func (p *parser) fail(line int, env, fix, format string, a ...any) error {
	return &DefError{File: p.file, Line: line, Env: env, Msg: fmt.Sprintf(format, a...), Fix: fix}
}

// env checks the i-th environment t, written where w says.
func (p *parser) env(t map[string]any, w where, i int) (*Env, []error) {
	line := w.key
	name, _ := t["name"].(string)
	if !names.ValidEnv(name) {
		name = "" // not fit for messages yet
	}
	// Each key is checked on its own and every problem is kept, so that env check reports
	// them all; the name comes first, since every message names the environment.
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if k := unknownKey(t, envKeysIgnored...); k != "" {
		keep(p.fail(line(k), name, "an environment takes "+strings.Join(envKeys, ", ")+
			" (and hpcFlow's "+strings.Join(hpcFlowIgnored, ", ")+", which secrun ignores)", "unknown key %q", k))
	}
	e := &Env{File: p.file, Line: w.line()}
	switch v := t["name"].(type) {
	case nil:
		return nil, append(errs, p.fail(w.line(), "", "", "environment #%d has no name", i+1))
	case string:
		if !names.ValidEnv(v) {
			return nil, append(errs, p.fail(line("name"), "", names.EnvRule, "invalid environment name %q", v))
		}
		e.Name = v
	default:
		return nil, append(errs, p.fail(line("name"), "", "", "name must be a string, not %s", p.typeName(v)))
	}

	keep(func() error {
		switch v := t["setup"].(type) {
		case nil:
		case string:
			e.Setup = splitSetup(v)
		case []any:
			for j, l := range v {
				s, ok := l.(string)
				if !ok {
					return p.fail(line("setup"), e.Name, "", "setup[%d] must be a string, not %s", j, p.typeName(l))
				}
				e.Setup = append(e.Setup, s)
			}
		default:
			return p.fail(line("setup"), e.Name, "", "setup must be a string or an array of strings, not %s", p.typeName(v))
		}
		return nil
	}())
	keep(func() error {
		if v, ok := t["specifiers"]; ok {
			m, ok := v.(map[string]any)
			if !ok {
				return p.fail(line("specifiers"), e.Name, "", "specifiers must be a table, not %s", p.typeName(v))
			}
			e.Specifiers = make(map[string]string, len(m))
			for k, s := range m {
				text, ok := scalarText(s)
				if !ok {
					return p.fail(line("specifiers"), e.Name, "", "specifier %q must be a string, number or boolean, not %s", k, p.typeName(s))
				}
				e.Specifiers[k] = text
			}
		}
		return nil
	}())
	keep(func() error {
		for _, k := range []string{"project", "domain"} {
			switch v := t[k].(type) {
			case nil:
			case string:
				if !names.ValidScope(v) {
					return p.fail(line(k), e.Name, names.ScopeRule,
						"invalid %s name %+q", k, v)
				}
				if k == "project" {
					e.Project = v
				} else {
					e.Domain = v
				}
			default:
				return p.fail(line(k), e.Name, "", "%s must be a string, not %s", k, p.typeName(v))
			}
		}
		return nil
	}())
	keep(func() error {
		switch v := t["bundle"].(type) {
		case nil:
		case string:
			if !names.ValidFile(v) {
				return p.fail(line("bundle"), e.Name, names.FileRule, "bundle %+q is not a valid file name", v)
			}
			e.Bundle = v
		default:
			return p.fail(line("bundle"), e.Name, "", "bundle must be a string (a file name), not %s", p.typeName(v))
		}
		return nil
	}())
	keep(func() error {
		switch v := t["mask"].(type) {
		case nil:
		case bool:
			e.Mask = v
		default:
			return p.fail(line("mask"), e.Name, "write mask = true or mask = false", "mask must be a boolean, not %s", p.typeName(v))
		}
		return nil
	}())
	keep(func() error {
		switch v := t["shell"].(type) {
		case nil:
		case string:
			if err := checkShell(v); err != nil {
				return p.fail(line("shell"), e.Name, "", "%v", err)
			}
			e.Shell = v
		default:
			return p.fail(line("shell"), e.Name, "write shell = \"bash\" (a program name or path)", "shell must be a string, not %s", p.typeName(v))
		}
		return nil
	}())
	errs = append(errs, p.secrets(e, t["secrets"], w)...)
	errs = append(errs, p.executables(e, t["executables"], w)...)
	if len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

// secrets checks the secrets of e, whose environment w locates.
func (p *parser) secrets(e *Env, v any, w where) []error {
	if v == nil {
		return nil
	}
	var errs []error
	at := w.key("secrets")
	list, ok := v.([]any) // an array or [[env.secrets]] tables
	if !ok {
		return []error{p.fail(at, e.Name, "", "secrets must be an array, not %s", p.typeName(v))}
	}
	ix := newSecretIndex(len(list))
	if len(list) > 0 {
		e.Secrets = make([]Secret, 0, len(list))
	}
	for i, item := range list {
		errs = appendErr(errs, func() error {
			var s Secret
			var tbl map[string]any
			switch item := item.(type) {
			case string:
				s.Key = item
			case map[string]any:
				tbl = item
				s.Key, _ = item["key"].(string)
			default:
				return p.fail(w.secret(i, ""), e.Name, "", "secret #%d must be a string or a table, not %s", i+1, p.typeName(item))
			}
			s.Line = w.secret(i, s.Key)
			name := func() string { return secretName(s.Key, i) } // only messages need it
			var asVar, file any
			if tbl != nil {
				if k := unknownKey(tbl, secretKeys...); k != "" {
					return p.fail(s.Line, e.Name, "a secret table takes key, as_env_var, json, file, optional and allow_env_vars",
						"secret %s: unknown key %q", name(), k)
				}
				for _, k := range []string{"json", "optional"} {
					switch b := tbl[k].(type) {
					case nil:
					case bool:
						if k == "json" {
							s.JSON = b
						} else {
							s.Optional = b
						}
					default:
						return p.fail(s.Line, e.Name, "", "secret %s: %s must be true or false, not %s", name(), k, p.typeName(b))
					}
				}
				file = tbl["file"]
				switch k := tbl["key"].(type) {
				case nil:
					return p.fail(s.Line, e.Name, "", "secret %s has no key", name())
				case string:
				default:
					return p.fail(s.Line, e.Name, "", "secret %s: key must be a string, not %s", name(), p.typeName(k))
				}
				asVar = tbl["as_env_var"]
				if err := p.allowVars(&s, tbl["allow_env_vars"], e.Name, name); err != nil {
					return err
				}
			}
			if s.Key == "" {
				return p.fail(s.Line, e.Name, "", "secret %s has an empty key", name())
			}
			switch f := file.(type) {
			case nil:
			case bool:
				if f {
					s.File = strings.ReplaceAll(s.Key, "/", "_")
					if !names.ValidFile(s.File) {
						return p.fail(s.Line, e.Name, "name the file with file = \"NAME\"",
							"secret %s: file = true gives the file name %+q, which is not a valid file name", name(), s.File)
					}
				}
			case string:
				if !names.ValidFile(f) {
					return p.fail(s.Line, e.Name, names.FileRule, "secret %s: file %+q is not a valid file name", name(), f)
				}
				s.File = f
			default:
				return p.fail(s.Line, e.Name, "", "secret %s: file must be true, false or a file name, not %s", name(), p.typeName(f))
			}
			switch {
			case s.JSON && s.File != "":
				return p.fail(s.Line, e.Name, "deliver it either as variables (json = true) or as a file (file = ...)",
					"secret %s: json and file cannot be used together", name())
			case s.JSON && asVar != nil:
				return p.fail(s.Line, e.Name, "remove as_env_var: the members' names are the variables' names",
					"secret %s: as_env_var cannot be used with json = true", name())
			}
			switch a := asVar.(type) {
			case nil:
				if s.JSON {
					break // the members give the names
				}
				var ok bool
				if s.Var, ok = names.VarOf(s.Key); !ok {
					even := ""
					if s.Var != s.Key {
						even = fmt.Sprintf(" (not even as %q)", s.Var)
					}
					return p.fail(s.Line, e.Name, fmt.Sprintf("name the variable: { key = %q, as_env_var = \"NAME\" }", s.Key),
						"secret %s is not a valid variable name%s", name(), even)
				}
			case string:
				if !names.ValidVar(a) {
					return p.fail(s.Line, e.Name, "a variable name is letters, digits and '_', and does not start with a digit",
						"secret %s: as_env_var %q is not a valid variable name", name(), a)
				}
				s.Var, s.Renamed = a, true
			default:
				return p.fail(s.Line, e.Name, "", "secret %s: as_env_var must be a string, not %s", name(), p.typeName(a))
			}
			if s.File != "" {
				s.Var += "_FILE"
			}
			if msg, fix := ix.add(e, s); msg != "" {
				return p.fail(s.Line, e.Name, fix, "%s", msg)
			}
			return nil
		}())
	}
	return errs
}

// allowVars reads allow_env_vars, the control variables (PATH, LD_PRELOAD, ...) that the
// members of a JSON secret may set: a list of variable names, for json = true only.
func (p *parser) allowVars(s *Secret, v any, env string, name func() string) error {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return p.fail(s.Line, env, `for example allow_env_vars = ["PATH"]`, "secret %s: allow_env_vars must be a list of variable names, not %s", name(), p.typeName(v))
	}
	if !s.JSON {
		return p.fail(s.Line, env, "a plain secret's variable is its key or as_env_var, which the definition names already",
			"secret %s: allow_env_vars is for json = true secrets", name())
	}
	for _, item := range list {
		a, ok := item.(string)
		if !ok || !names.ValidVar(a) {
			return p.fail(s.Line, env, "a variable name is letters, digits and '_', and does not start with a digit",
				"secret %s: allow_env_vars holds %s, not a valid variable name", name(), p.describe(item))
		}
		s.AllowVars = append(s.AllowVars, a)
	}
	return nil
}

// describe names a TOML value for a message: a string quoted, anything else by its type.
func (p *parser) describe(v any) string {
	if str, ok := v.(string); ok {
		return strconv.Quote(str)
	}
	return p.typeName(v)
}

// executables checks the executables of e, whose environment w locates.
func (p *parser) executables(e *Env, v any, w where) []error {
	if v == nil {
		return nil
	}
	var errs []error
	tables, ok := asTables(v)
	if !ok {
		return []error{p.fail(w.key("executables"), e.Name, "", "executables must be an array of tables, not %s", p.notTables(v))}
	}
	seen := map[string]int{}
	for i, t := range w.tables("executables", len(tables)) {
		err := func() error {
			x := Executable{Line: t.line()}
			raw := tables[i]
			if k := unknownKey(raw, exeKeys...); k != "" {
				return p.fail(t.key(k), e.Name, "an executable takes label and instances",
					"executable #%d: unknown key %q", i+1, k)
			}
			l, ok := raw["label"].(string)
			switch {
			case raw["label"] == nil:
				return p.fail(t.line(), e.Name, "", "executable #%d has no label", i+1)
			case !ok:
				return p.fail(t.key("label"), e.Name, "", "executable #%d: label must be a string, not %s", i+1, p.typeName(raw["label"]))
			case labelProblem(l) != "":
				return p.fail(t.key("label"), e.Name, labelFix, "%s", labelProblem(l))
			}
			if first, dup := seen[l]; dup {
				return p.fail(t.key("label"), e.Name, "", "executable %q is defined twice%s", l, firstAt(first))
			}
			seen[l], x.Label = x.Line, l
			insts, ok := asTables(raw["instances"])
			if !ok {
				return p.fail(t.key("instances"), e.Name, "", "executable %q: instances must be an array of tables, not %s", l, p.notTables(raw["instances"]))
			}
			if len(insts) == 0 {
				return p.fail(t.line(), e.Name, "add an instance with a command",
					"executable %q has no instances", l)
			}
			failed := false
			for j, iw := range t.tables("instances", len(insts)) {
				in, err := p.instance(insts[j], iw, fmt.Sprintf("executable %q: instance %d: ", l, j+1), e.Name)
				if err != nil {
					errs, failed = append(errs, err), true // and on to the next instance
					continue
				}
				x.Instances = append(x.Instances, in)
			}
			if !failed {
				e.Executables = append(e.Executables, x)
			}
			return nil
		}()
		errs = appendErr(errs, err) // after the call: the instances add their errors to errs
	}
	return errs
}

// instance checks one instance t, which w locates; prefix starts every message.
func (p *parser) instance(t map[string]any, w where, prefix, env string) (Instance, error) {
	in := Instance{Line: w.line(), NumCores: Cores{1, 1, 1}}
	fail := func(key, fix, format string, a ...any) (Instance, error) {
		return in, p.fail(w.key(key), env, fix, prefix+format, a...)
	}
	if k := unknownKey(t, instanceKeys...); k != "" {
		return fail(k, "an instance takes command, num_cores and parallel_mode", "unknown key %q", k)
	}
	switch c := t["command"].(type) {
	case nil:
		return fail("", "", "missing command") // "" gives the instance header line
	case string:
		if strings.TrimSpace(c) == "" {
			return fail("command", "", "command is empty")
		}
		if err := checkCommand(c); err != nil {
			return fail("command", commandFix, "%v", err)
		}
		in.Command = c
	default:
		return fail("command", "", "command must be a string, not %s", p.typeName(c))
	}

	switch n := t["num_cores"].(type) {
	case nil: // one core
	case int64:
		if msg := countProblem(n); msg != "" {
			return fail("num_cores", "", "%s", msg)
		}
		in.NumCores = Cores{int(n), int(n), 1}
	case map[string]any:
		if k := unknownKey(n, coresKeys...); k != "" {
			return fail("num_cores", "num_cores takes start, stop and step", "num_cores: unknown key %q", k)
		}
		var c [3]int
		for i, k := range coresKeys {
			switch v := n[k].(type) {
			case nil:
				if k != "step" {
					return fail("num_cores", "write num_cores = { start = 2, stop = 64 }", "num_cores: missing %s", k)
				}
				c[i] = 1
			case int64:
				c[i] = int(v)
			default:
				return fail("num_cores", "", "num_cores: %s must be an integer, not %s", k, p.typeName(v))
			}
		}
		in.NumCores = Cores{c[0], c[1], c[2]}
		if msg := coresProblem(in.NumCores); msg != "" {
			return fail("num_cores", "", "%s", msg)
		}
	default:
		return fail("num_cores", "", "num_cores must be an integer or a table, not %s", p.typeName(n))
	}

	switch m := t["parallel_mode"].(type) {
	case nil:
	case string:
		var msg string
		if in.ParallelMode, msg = parallelMode(m); msg != "" {
			return fail("parallel_mode", "use distributed, shared or hybrid, or leave it out", "%s", msg)
		}
	default:
		return fail("parallel_mode", "", "parallel_mode must be a string, not %s", p.typeName(m))
	}
	return in, nil
}

// appendErr appends err to errs unless it is nil.
func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

// unknownKey returns the least key of t (in sorted order, so the choice is
// stable) that is not in allowed, or "".
func unknownKey(t map[string]any, allowed ...string) string {
	var bad []string
	for k := range t {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return slices.Min(bad)
}

// asTables returns v as a list of tables: nil (absent) gives none; both
// [[x]] and x = [{...}] are accepted (the TOML library gives both as []any).
func asTables(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case []any:
		out := make([]map[string]any, len(v))
		for i, x := range v {
			t, ok := x.(map[string]any)
			if !ok {
				return nil, false
			}
			out[i] = t
		}
		return out, true
	}
	return nil, false
}

// notTables names what v is for a message that says it is not an array of tables: its type,
// or for an array, what its first item that is not a table is.
func (p *parser) notTables(v any) string {
	if list, ok := v.([]any); ok {
		for _, x := range list {
			if _, ok := x.(map[string]any); !ok {
				return "an array holding " + p.typeName(x)
			}
		}
	}
	return p.typeName(v)
}

// scalarText returns the text of a string, integer, float or boolean.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") { // keep 1.0 a float: "1.0", not "1"
			s += ".0"
		}
		return s, true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// typeName names the type of a decoded value in the words of the file's format.
func (p *parser) typeName(v any) string {
	if p.yaml {
		return yamlTypeName(v)
	}
	return typeName(v)
}

// typeName names the TOML type of a decoded value.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case time.Time, toml.LocalDateTime, toml.LocalDate, toml.LocalTime:
		return "datetime"
	case map[string]any:
		return "table"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// secretName names the i-th secret in messages: its quoted key, or its number.
func secretName(key string, i int) string {
	if key == "" {
		return fmt.Sprintf("#%d", i+1)
	}
	return strconv.Quote(key)
}

// firstAt formats " (first at line N)", or "" when the line is unknown.
func firstAt(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (first at line %d)", n)
}
