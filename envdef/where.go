//go:build !lean

package envdef

import (
	"slices"

	"github.com/secrun/secrun/internal/yamlnode"
)

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
type yamlWhere struct{ n *yamlnode.Node }

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
		if v != nil && v.Kind == yamlnode.Sequence && len(v.Content) == n {
			out[i] = yamlWhere{deref(v.Content[i])}
		}
	}
	return out
}

func (w yamlWhere) secret(i int, _ string) int {
	if _, v := yamlMember(w.n, "secrets"); v != nil && v.Kind == yamlnode.Sequence && i < len(v.Content) {
		return deref(v.Content[i]).Line
	}
	return w.key("secrets")
}

// yamlMember returns the key and value nodes of member k of mapping m, looking through merge
// keys (<<: *base) as the reader does: m's own member first, then the bases' in order. Each
// mapping is searched once, so a merge of itself or of a base twice costs nothing more.
func yamlMember(m *yamlnode.Node, k string) (*yamlnode.Node, *yamlnode.Node) {
	return yamlMemberOf(m, k, nil)
}

func yamlMemberOf(m *yamlnode.Node, k string, seen *[]*yamlnode.Node) (*yamlnode.Node, *yamlnode.Node) {
	if m.Kind != yamlnode.Mapping {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := deref(m.Content[i]); kn.Kind == yamlnode.Scalar && kn.Value == k && kn.Tag != "!!merge" {
			return kn, deref(m.Content[i+1])
		}
	}
	bases := mergeBases(m)
	if len(bases) == 0 {
		return nil, nil
	}
	if seen == nil {
		seen = &[]*yamlnode.Node{}
	}
	*seen = append(*seen, m)
	for _, b := range bases {
		if slices.Contains(*seen, b) {
			continue
		}
		if kn, v := yamlMemberOf(b, k, seen); kn != nil {
			return kn, v
		}
	}
	return nil, nil
}

// mergeBases returns the mappings that m's merge keys name, in order.
func mergeBases(m *yamlnode.Node) []*yamlnode.Node {
	var out []*yamlnode.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := deref(m.Content[i]); kn.Kind == yamlnode.Scalar && kn.Tag == "!!merge" {
			v := deref(m.Content[i+1])
			bases := []*yamlnode.Node{v}
			if v.Kind == yamlnode.Sequence {
				bases = v.Content
			}
			for _, b := range bases {
				out = append(out, deref(b))
			}
		}
	}
	return out
}
