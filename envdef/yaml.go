package envdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The fields of hpcFlow's YAML definitions. hpcFlowIgnored are hpcFlow's own fields that
// secrun accepts and does not use; anything not listed is an error.
var (
	hpcFlowEnvKeys      = []string{"name", "setup", "specifiers", "secrets", "executables", "shell"}
	hpcFlowIgnored      = []string{"doc", "setup_label", "_hash_value"}
	hpcFlowExeKeys      = []string{"label", "instances"}
	hpcFlowInstanceKeys = []string{"command", "num_cores", "parallel_mode"}
)

// IsYAML reports whether file is read as an hpcFlow YAML definition: its name ends in
// .yaml or .yml (in any case).
func IsYAML(file string) bool {
	f := strings.ToLower(file)
	return strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")
}

// ParseYAML parses and validates hpcFlow environment definitions: a YAML list of
// environments with name, setup, specifiers, secrets and executables (doc, setup_label and
// _hash_value are accepted and ignored). file is used only in messages and in Env.File.
// Errors are *DefError values with the line of the offending node.
func ParseYAML(file string, data []byte) ([]*Env, error) {
	return firstError(ParseYAMLAll(file, data))
}

// ParseYAMLAll is ParseYAML collecting every error, as ParseAll does for TOML.
func ParseYAMLAll(file string, data []byte) ([]*Env, []error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, tail, ok := strings.Cut(rest, ": "); ok {
				if l, err := strconv.Atoi(n); err == nil {
					line, msg = l, tail
				}
			}
		}
		return nil, []error{&DefError{File: file, Line: line, Msg: "invalid YAML: " + msg, Err: err}}
	}
	y := &yparser{file: file}
	if n := yamlTooDeep(&doc, 0); n != nil {
		return nil, []error{y.fail(n, "", "flatten the lists and maps: definitions need a few levels at most",
			"nested deeper than %d levels", MaxDepth)}
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file defines nothing
	}
	top := deref(doc.Content[0])
	if isNull(top) {
		return nil, nil
	}
	if top.Kind != yaml.SequenceNode {
		return nil, []error{y.fail(top, "", "write each environment as a list item: '- name: my_env'",
			"an hpcFlow environment file is a list of environments, not %s", kindName(top))}
	}
	var envs []*Env
	var errs []error
	for i, n := range top.Content {
		e, err := y.env(deref(n), i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev := twin(envs, e); prev != nil {
			errs = append(errs, y.failAt(e.Line, e.Name, "give them different specifiers, or remove one",
				"defined twice in this file with the same specifiers%s", firstAt(prev.Line)))
			continue
		}
		envs = append(envs, e)
	}
	return envs, errs
}

// yparser builds errors for one YAML file.
type yparser struct{ file string }

func (y *yparser) fail(n *yaml.Node, env, fix, format string, a ...any) error {
	return y.failAt(n.Line, env, fix, format, a...)
}

func (y *yparser) failAt(line int, env, fix, format string, a ...any) error {
	return &DefError{File: y.file, Line: line, Env: env, Msg: fmt.Sprintf(format, a...), Fix: fix}
}

// field is one key of a YAML mapping with its value.
type field struct {
	key   string
	k, v  *yaml.Node
	isNil bool // the value is null (or empty)
}

// fields returns the keys of mapping m in order; a key outside allowed and ignored, a
// non-scalar key or a repeated key is an error. where prefixes messages; fix is the hint
// for an unknown key.
//
// A merge key (<<: *base, or <<: [*a, *b]), which hpcFlow's YAML loader resolves, adds the
// fields of the mappings it names that m does not give itself; of several, the first wins.
// Merged fields keep the lines where they are written.
func (y *yparser) fields(m *yaml.Node, env, where, fix string, allowed, ignored []string) ([]field, error) {
	var out, merged []field
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			bases := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				bases = v.Content
			}
			for _, b := range bases {
				if b = deref(b); b.Kind != yaml.MappingNode {
					return nil, y.fail(b, env, "write <<: *name, where &name marks a mapping", "%sa merge key (<<) must name a mapping, not %s", where, kindName(b))
				}
				fs, err := y.fields(b, env, where, fix, allowed, ignored)
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					if !slices.ContainsFunc(merged, func(g field) bool { return g.key == f.key }) {
						merged = append(merged, f)
					}
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, y.fail(k, env, fix, "%sa key must be a plain name, not %s", where, kindName(k))
		}
		if slices.Contains(ignored, k.Value) {
			continue
		}
		if !slices.Contains(allowed, k.Value) {
			return nil, y.fail(k, env, fix, "%sunknown field %q", where, k.Value)
		}
		for _, f := range out {
			if f.key == k.Value {
				return nil, y.fail(k, env, "remove one of them", "%sfield %q is given twice%s", where, k.Value, firstAt(f.k.Line))
			}
		}
		out = append(out, field{key: k.Value, k: k, v: v, isNil: isNull(v)})
	}
	for _, f := range merged {
		if !slices.ContainsFunc(out, func(g field) bool { return g.key == f.key }) {
			out = append(out, f)
		}
	}
	return out, nil
}

// env checks the i-th environment n.
func (y *yparser) env(n *yaml.Node, i int) (*Env, error) {
	if n.Kind != yaml.MappingNode {
		return nil, y.fail(n, "", "an environment is a mapping: '- name: my_env'", "environment #%d must be a mapping, not %s", i+1, kindName(n))
	}
	e := &Env{File: y.file, Line: n.Line}
	// The name first, so that every later message can say which environment it is about.
	for j := 0; j+1 < len(n.Content); j += 2 {
		if k, v := deref(n.Content[j]), deref(n.Content[j+1]); k.Value == "name" && v.Kind == yaml.ScalarNode && validEnvName(v.Value) {
			e.Name = v.Value
		}
	}
	fs, err := y.fields(n, e.Name, "", "an hpcFlow environment takes "+strings.Join(hpcFlowEnvKeys, ", ")+
		" (and doc, setup_label, which secrun ignores)", hpcFlowEnvKeys, hpcFlowIgnored)
	if err != nil {
		return nil, err
	}
	named := false
	for _, f := range fs {
		if f.isNil && f.key != "name" {
			continue // hpcFlow writes absent fields as null
		}
		switch f.key {
		case "name":
			s, ok := scalarString(f.v)
			switch {
			case !ok:
				return nil, y.fail(f.v, "", "", "name must be a string, not %s", kindName(f.v))
			case !validEnvName(s):
				return nil, y.fail(f.v, "", "use 1-64 letters, digits, '_', '-' or '.'", "invalid environment name %q", s)
			}
			e.Name, named = s, true
		case "shell":
			s, ok := scalarString(f.v)
			if !ok {
				return nil, y.fail(f.v, e.Name, "write shell: bash (a program name or path)", "shell must be a string, not %s", kindName(f.v))
			}
			if err := checkShell(s); err != nil {
				return nil, y.fail(f.v, e.Name, "", "%v", err)
			}
			e.Shell = s
		case "setup":
			if err := y.setup(e, f.v); err != nil {
				return nil, err
			}
		case "specifiers":
			if err := y.specifiers(e, f.v); err != nil {
				return nil, err
			}
		case "secrets":
			if err := y.secrets(e, f.v); err != nil {
				return nil, err
			}
		case "executables":
			if err := y.executables(e, f.v); err != nil {
				return nil, err
			}
		}
	}
	if !named {
		return nil, y.fail(n, "", "", "environment #%d has no name", i+1)
	}
	return e, nil
}

// setup takes a string (split on newlines, blank lines dropped) or a list of strings.
func (y *yparser) setup(e *Env, v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		e.Setup = splitSetup(v.Value)
	case yaml.SequenceNode:
		for j, l := range v.Content {
			l = deref(l)
			s, ok := scalarString(l)
			if !ok {
				return y.fail(l, e.Name, "", "setup[%d] must be a string, not %s", j, kindName(l))
			}
			e.Setup = append(e.Setup, s)
		}
	default:
		return y.fail(v, e.Name, "", "setup must be a string or a list of strings, not %s", kindName(v))
	}
	return nil
}

// specifiers takes a mapping of scalars; numbers and booleans are kept as text the way
// the TOML reader keeps them, so that a YAML and a TOML definition of one environment match.
func (y *yparser) specifiers(e *Env, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return y.fail(v, e.Name, "", "specifiers must be a mapping, not %s", kindName(v))
	}
	e.Specifiers = map[string]string{}
	for j := 0; j+1 < len(v.Content); j += 2 {
		k, s := deref(v.Content[j]), deref(v.Content[j+1])
		if k.Kind != yaml.ScalarNode {
			return y.fail(k, e.Name, "", "a specifier's name must be a plain name, not %s", kindName(k))
		}
		if _, dup := e.Specifiers[k.Value]; dup {
			return y.fail(k, e.Name, "remove one of them", "specifier %q is given twice", k.Value)
		}
		text, ok := yamlScalarText(s)
		if !ok {
			return y.fail(s, e.Name, "", "specifier %q must be a string, number or boolean, not %s", k.Value, kindName(s))
		}
		e.Specifiers[k.Value] = text
	}
	return nil
}

// secrets takes hpcFlow's list of secret keys. Each key becomes the variable of the same
// name (made a valid name by the rule the TOML reader uses).
func (y *yparser) secrets(e *Env, v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return y.fail(v, e.Name, "write secrets as a list of keys: 'secrets: [MY_SECRET]'", "secrets must be a list, not %s", kindName(v))
	}
	ix := newSecretIndex(len(v.Content))
	for j, n := range v.Content {
		n = deref(n)
		key, ok := scalarString(n)
		if !ok {
			return y.fail(n, e.Name, "an hpcFlow secret is a key; for as_env_var, json or file secrets write the environment in TOML",
				"secret #%d must be a string (a key), not %s", j+1, kindName(n))
		}
		if key == "" {
			return y.fail(n, e.Name, "", "secret #%d has an empty key", j+1)
		}
		s := Secret{Key: key, Line: n.Line}
		var valid bool
		if s.Var, valid = VarName(key); !valid {
			return y.fail(n, e.Name, "use a key that is a valid variable name, or write the environment in TOML with as_env_var",
				"secret %q is not a valid variable name", key)
		}
		if msg, fix := ix.add(e, s); msg != "" {
			return y.fail(n, e.Name, fix, "%s", msg)
		}
	}
	return nil
}

// executables takes a list of {label, instances}.
func (y *yparser) executables(e *Env, v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return y.fail(v, e.Name, "", "executables must be a list, not %s", kindName(v))
	}
	for j, n := range v.Content {
		n = deref(n)
		if n.Kind != yaml.MappingNode {
			return y.fail(n, e.Name, "", "executable #%d must be a mapping, not %s", j+1, kindName(n))
		}
		fs, err := y.fields(n, e.Name, fmt.Sprintf("executable #%d: ", j+1), "an executable takes label and instances", hpcFlowExeKeys, nil)
		if err != nil {
			return err
		}
		x := Executable{Line: n.Line}
		var insts *yaml.Node
		for _, f := range fs {
			switch f.key {
			case "label":
				l, ok := scalarString(f.v)
				switch {
				case !ok:
					return y.fail(f.v, e.Name, "", "executable #%d: label must be a string, not %s", j+1, kindName(f.v))
				case labelProblem(l) != "":
					return y.fail(f.v, e.Name, labelFix, "%s", labelProblem(l))
				}
				x.Label = l
			case "instances":
				insts = f.v
			}
		}
		if x.Label == "" {
			return y.fail(n, e.Name, "", "executable #%d has no label", j+1)
		}
		if prev := e.Executable(x.Label); prev != nil {
			return y.fail(n, e.Name, "", "executable %q is defined twice%s", x.Label, firstAt(prev.Line))
		}
		if insts == nil || isNull(insts) || insts.Kind == yaml.SequenceNode && len(insts.Content) == 0 {
			return y.fail(n, e.Name, "add an instance with a command under instances", "executable %q has no instances", x.Label)
		}
		if insts.Kind != yaml.SequenceNode {
			return y.fail(insts, e.Name, "", "executable %q: instances must be a list, not %s", x.Label, kindName(insts))
		}
		for k, in := range insts.Content {
			inst, err := y.instance(deref(in), e.Name, fmt.Sprintf("executable %q: instance %d: ", x.Label, k+1))
			if err != nil {
				return err
			}
			x.Instances = append(x.Instances, inst)
		}
		e.Executables = append(e.Executables, x)
	}
	return nil
}

// instance checks one instance mapping n; where prefixes every message.
func (y *yparser) instance(n *yaml.Node, env, where string) (Instance, error) {
	in := Instance{Line: n.Line, NumCores: Cores{1, 1, 1}}
	if n.Kind != yaml.MappingNode {
		return in, y.fail(n, env, "", "%smust be a mapping, not %s", where, kindName(n))
	}
	fs, err := y.fields(n, env, where, "an instance takes command, num_cores and parallel_mode", hpcFlowInstanceKeys, nil)
	if err != nil {
		return in, err
	}
	fail := func(at *yaml.Node, fix, format string, a ...any) (Instance, error) {
		return in, y.fail(at, env, fix, where+format, a...)
	}
	for _, f := range fs {
		if f.isNil && f.key != "command" {
			continue // parallel_mode: null is hpcFlow's "any mode"; num_cores: null means one core
		}
		switch f.key {
		case "command":
			c, ok := scalarString(f.v)
			switch {
			case f.isNil || !ok:
				return fail(f.v, "", "command must be a string, not %s", kindName(f.v))
			case strings.TrimSpace(c) == "":
				return fail(f.v, "", "command is empty")
			}
			if err := checkCommand(c); err != nil {
				return fail(f.v, commandFix, "%v", err)
			}
			in.Command = c
		case "num_cores":
			c, err := y.cores(f.v)
			if err != "" {
				return fail(f.v, "write num_cores as an integer, or as a mapping with start, stop and (optional) step", "%s", err)
			}
			in.NumCores = c
		case "parallel_mode":
			m, ok := scalarString(f.v)
			if !ok {
				return fail(f.v, "", "parallel_mode must be null or a string, not %s", kindName(f.v))
			}
			var msg string
			if in.ParallelMode, msg = parallelMode(m); msg != "" {
				return fail(f.v, "use null, distributed, shared or hybrid", "%s", msg)
			}
		}
	}
	if in.Command == "" {
		return fail(n, "", "missing command")
	}
	return in, nil
}

// cores reads num_cores: an integer n (start = stop = n) or {start, stop, step = 1}, stop
// inclusive. It returns the problem as text, or "".
func (y *yparser) cores(v *yaml.Node) (Cores, string) {
	intOf := func(n *yaml.Node) (int, bool) {
		var i int
		return i, n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && n.Decode(&i) == nil
	}
	switch v.Kind {
	case yaml.ScalarNode:
		n, ok := intOf(v)
		switch {
		case !ok:
			return Cores{}, fmt.Sprintf("num_cores must be an integer or a mapping, not %s", kindName(v))
		case countProblem(int64(n)) != "":
			return Cores{}, countProblem(int64(n))
		}
		return Cores{n, n, 1}, ""
	case yaml.MappingNode:
		c := [3]int{0, 0, 1}
		got := [3]bool{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, val := deref(v.Content[j]), deref(v.Content[j+1])
			i := slices.Index(coresKeys, k.Value)
			if i < 0 || k.Kind != yaml.ScalarNode {
				return Cores{}, fmt.Sprintf("num_cores: unknown field %q (it takes start, stop and step)", k.Value)
			}
			if isNull(val) && k.Value == "step" {
				continue
			}
			n, ok := intOf(val)
			if !ok {
				return Cores{}, fmt.Sprintf("num_cores: %s must be an integer, not %s", k.Value, kindName(val))
			}
			c[i], got[i] = n, true
		}
		for i, k := range coresKeys[:2] {
			if !got[i] {
				return Cores{}, "num_cores: missing " + k
			}
		}
		cores := Cores{c[0], c[1], c[2]}
		return cores, coresProblem(cores)
	}
	return Cores{}, fmt.Sprintf("num_cores must be an integer or a mapping, not %s", kindName(v))
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is YAML's null: null, ~ or nothing.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// scalarString returns the text of a non-null scalar. A number written where a string is
// expected (a label, a command) is taken as written, as hpcFlow's loader would not: it is
// friendlier than an error and loses nothing.
func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	return n.Value, true
}

// yamlScalarText returns a specifier's text: strings as written, integers, floats and
// booleans formatted as the TOML reader formats them (1.20 and 1.2 are both "1.2").
func yamlScalarText(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	switch n.ShortTag() {
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return scalarText(i)
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return scalarText(f)
		}
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return scalarText(b)
		}
	}
	return n.Value, true
}

// kindName names a node's type for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a float"
		case "!!bool":
			return "a boolean"
		case "!!str":
			return "a string"
		}
		return "a " + strings.TrimPrefix(n.ShortTag(), "!!")
	}
	return "something else"
}

// specsEqual reports whether two environments have the same specifiers (nil and empty alike).
func specsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
