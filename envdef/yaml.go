//go:build !lean

package envdef

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secrun/secrun/internal/names"
	"github.com/secrun/secrun/internal/yamlnode"
)

// hpcFlowIgnored are hpcFlow's own fields of an environment that secrun accepts and does not use.
var hpcFlowIgnored = []string{"doc", "setup_label", "_hash_value"}

// ParseYAML parses and validates hpcFlow environment definitions: a YAML list of
// environments with hpcFlow's fields (name, setup, specifiers, secrets, executables; doc,
// setup_label and _hash_value are accepted and ignored) and secrun's, the same as in TOML.
// file is used only in messages and in Env.File. Errors are *DefError values with the line of
// the offending node.
func ParseYAML(file string, data []byte) ([]*Env, error) {
	return firstError(ParseYAMLAll(file, data))
}

// ParseYAMLAll is ParseYAML collecting every error, as ParseAll does for TOML. The reader only
// turns nodes into values and lines (yamlValue, yamlWhere): the checks are the TOML reader's.
func ParseYAMLAll(file string, data []byte) ([]*Env, []error) {
	p := &parser{file: file, yaml: true}
	top, err := yamlnode.Parse(data, MaxDepth)
	var deep *yamlnode.DepthError
	var syn *yamlnode.SyntaxError
	switch {
	case errors.As(err, &deep):
		return nil, []error{p.fail(deep.Line, "", "flatten the lists and maps: definitions need a few levels at most",
			"nested deeper than %d levels", MaxDepth)}
	case errors.As(err, &syn):
		return nil, []error{&DefError{File: file, Line: syn.Line, Msg: "invalid YAML: " + syn.Msg, Err: err}}
	}
	if top == nil {
		return nil, nil // an empty file defines nothing
	}
	top = deref(top)
	if isNull(top) {
		return nil, nil
	}
	if top.Kind != yamlnode.Sequence {
		return nil, []error{p.fail(top.Line, "", "write each environment as a list item: '- name: my_env'",
			"an hpcFlow environment file is a list of environments, not %s", kindName(top))}
	}
	var envs []*Env
	var errs []error
	for i, n := range top.Content {
		n = deref(n)
		if n.Kind != yamlnode.Mapping {
			errs = append(errs, p.fail(n.Line, "", "an environment is a mapping: '- name: my_env'",
				"environment #%d must be a mapping, not %s", i+1, kindName(n)))
			continue
		}
		name := ""
		if _, v := yamlMember(n, "name"); v != nil && v.Kind == yamlnode.Scalar && names.ValidEnv(v.Value) {
			name = v.Value // for messages about the conversion
		}
		v, err := p.yamlValue(n, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e, envErrs := p.env(v.(map[string]any), yamlWhere{n}, i)
		envs, errs = p.collect(envs, errs, e, envErrs)
	}
	return envs, errs
}

// yamlValue turns node n into the values that the TOML reader gives (tomldepth.Decode), which
// the checks take: string, int64, float64, bool, []any and map[string]any. A null member of a
// mapping is left out, as absent (hpcFlow writes absent fields as null); a null in a list is
// nil. A merge key (<<: *base, or <<: [*a, *b]), which hpcFlow's YAML loader resolves, adds
// the members of the mappings it names that the mapping does not give itself; of several, the
// first wins. A key that is not a plain scalar, or that is given twice, is an error with its
// line.
//
// Aliases are followed, so the walk counts what they stand for: deeper than MaxDepth (an
// alias inside the node it names never ends) or more than maxYAMLValues values in all (an
// alias bomb) is an error with the line where it stopped.
func (p *parser) yamlValue(n *yamlnode.Node, env string) (any, error) {
	p.depth++
	p.steps++
	defer func() { p.depth-- }()
	switch {
	case p.depth > MaxDepth:
		return nil, p.fail(n.Line, env, "an alias must not stand inside the node it names; flatten the lists and maps",
			"nested deeper than %d levels, counting what its aliases stand for", MaxDepth)
	case p.steps > maxYAMLValues:
		return nil, p.fail(n.Line, env, "write the values out, or use fewer aliases of aliases",
			"its aliases stand for more than %d values", maxYAMLValues)
	}
	n = deref(n)
	switch n.Kind {
	case yamlnode.Scalar:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!int":
			i, ok := n.Int()
			if !ok {
				return nil, p.fail(n.Line, env, "", "integer %s is out of range", n.Value)
			}
			return i, nil
		case "!!float":
			if f, ok := n.Float(); ok {
				return f, nil
			}
		case "!!bool":
			if b, ok := n.Bool(); ok {
				return b, nil
			}
		}
		return n.Value, nil
	case yamlnode.Sequence:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := p.yamlValue(c, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yamlnode.Mapping:
		out := map[string]any{}
		lines := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if k.Kind == yamlnode.Scalar && k.Tag == "!!merge" {
				continue // below, once the mapping's own members are known
			}
			if k.Kind != yamlnode.Scalar {
				return nil, p.fail(k.Line, env, "", "a key must be a plain name, not %s", kindName(k))
			}
			if first, dup := lines[k.Value]; dup {
				return nil, p.fail(k.Line, env, "remove one of them", "key %q is given twice%s", k.Value, firstAt(first))
			}
			lines[k.Value] = k.Line
			v, err := p.yamlValue(n.Content[i+1], env)
			if err != nil {
				return nil, err
			}
			if v != nil {
				out[k.Value] = v
			}
		}
		for _, b := range mergeBases(n) {
			if b.Kind != yamlnode.Mapping {
				return nil, p.fail(b.Line, env, "write <<: *name, where &name marks a mapping", "a merge key (<<) must name a mapping, not %s", kindName(b))
			}
			v, err := p.yamlValue(b, env)
			if err != nil {
				return nil, err
			}
			for k, x := range v.(map[string]any) {
				if _, given := lines[k]; !given {
					out[k], lines[k] = x, b.Line
				}
			}
		}
		return out, nil
	}
	return nil, p.fail(n.Line, env, "", "unexpected %s", kindName(n))
}

// deref follows an alias to the node it names.
func deref(n *yamlnode.Node) *yamlnode.Node {
	for n.Kind == yamlnode.Alias && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is YAML's null: null, ~ or nothing.
func isNull(n *yamlnode.Node) bool {
	return n.Kind == yamlnode.Scalar && n.Tag == "!!null"
}

// kindName names a node's type for messages.
func kindName(n *yamlnode.Node) string {
	switch n.Kind {
	case yamlnode.Mapping:
		return "a mapping"
	case yamlnode.Sequence:
		return "a list"
	case yamlnode.Scalar:
		switch n.Tag {
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
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "something else"
}

// yamlTypeName names a value from yamlValue in YAML's words, for messages.
func yamlTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}
