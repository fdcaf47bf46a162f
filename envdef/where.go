package envdef

import "go.yaml.in/yaml/v3"

// where tells the checks in parse.go on which line each part of one table (an environment, an
// executable, an instance) is written. The YAML reader knows every line from its nodes; the TOML
// reader guesses them with the line scanner (lines.go), since its library reports none.
type where interface {
	line() int                      // the table's own line
	key(k string) int               // the line of key k; line() when k is "" or not found
	tables(k string, n int) []where // the n tables in the array under key k
	secret(i int, key string) int   // the line of the i-th secret, whose key is key ("" if unknown)
}

// tomlWhere locates a table of a TOML file by the span of its header.
type tomlWhere struct {
	ix     *lineIndex
	sp     span
	header string // the header that opens the table, without its closing brackets: "[[env"
	at     *place // the secrets' scan: where the previous secret's key was found
}

func newTOMLWhere(ix *lineIndex, sp span, header string) *tomlWhere {
	return &tomlWhere{ix: ix, sp: sp, header: header}
}

func (w *tomlWhere) line() int { return w.sp.start }

func (w *tomlWhere) key(k string) int { return w.ix.keyLine(w.ix.body(w.sp), k) }

// tables finds the [[env.executables]] (and [[env.executables.instances]]) headers in w's span.
func (w *tomlWhere) tables(k string, n int) []where {
	h := w.header + "." + k
	out := make([]where, n)
	for i, sp := range w.ix.children(w.sp, h+"]]", n) {
		out[i] = newTOMLWhere(w.ix, sp, h)
	}
	return out
}

// secret is the line of the first quoted string equal to the key that comes after the previous
// secret's key: one scan over the secrets' text, however many there are.
func (w *tomlWhere) secret(i int, key string) int {
	if w.at == nil {
		w.at = &place{line: w.key("secrets")}
	}
	if key == "" {
		return w.at.line
	}
	*w.at = w.ix.stringAt(w.sp, *w.at, key)
	return w.at.line
}

// yamlWhere locates a mapping of a YAML file by its node.
type yamlWhere struct{ n *yaml.Node }

func (w yamlWhere) line() int { return w.n.Line }

func (w yamlWhere) key(k string) int {
	if kn, _ := yamlMember(w.n, k); kn != nil {
		return kn.Line
	}
	return w.n.Line
}

func (w yamlWhere) tables(k string, n int) []where {
	out := make([]where, n)
	_, v := yamlMember(w.n, k)
	for i := range out {
		out[i] = w // a count that does not match: the table's own line for each
		if v != nil && v.Kind == yaml.SequenceNode && len(v.Content) == n {
			out[i] = yamlWhere{deref(v.Content[i])}
		}
	}
	return out
}

func (w yamlWhere) secret(i int, _ string) int {
	if _, v := yamlMember(w.n, "secrets"); v != nil && v.Kind == yaml.SequenceNode && i < len(v.Content) {
		return deref(v.Content[i]).Line
	}
	return w.key("secrets")
}

// yamlMember returns the key and value nodes of member k of mapping m, looking through merge
// keys (<<: *base) as the reader does: m's own member first, then the bases' in order.
func yamlMember(m *yaml.Node, k string) (*yaml.Node, *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := deref(m.Content[i]); kn.Kind == yaml.ScalarNode && kn.Value == k && kn.ShortTag() != "!!merge" {
			return kn, deref(m.Content[i+1])
		}
	}
	for _, b := range mergeBases(m) {
		if kn, v := yamlMember(b, k); kn != nil {
			return kn, v
		}
	}
	return nil, nil
}

// mergeBases returns the mappings that m's merge keys name, in order.
func mergeBases(m *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := deref(m.Content[i]); kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			v := deref(m.Content[i+1])
			bases := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				bases = v.Content
			}
			for _, b := range bases {
				out = append(out, deref(b))
			}
		}
	}
	return out
}
