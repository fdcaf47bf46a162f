// Package yamlnode reads a YAML document into a tree of nodes that keep what secrun needs of
// the text: each node's kind, tag and line, and each scalar's text as written. Scalars are
// resolved by YAML 1.2's core schema as go.yaml.in/yaml/v3 resolves them (which secrun used
// before): true, 0042, 1.20 and ~ are a boolean, an integer, a float and null; quoted and
// block scalars are strings. Aliases point to the node of the anchor of that name written
// before them, so a walk that follows them must bound itself.
//
// It parses with github.com/goccy/go-yaml, whose packages cost little at start-up. That
// parser's memory grows with the square of the nesting, so Parse measures the nesting on the
// tokens first and refuses text nested deeper than the caller allows before parsing it.
package yamlnode

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Kind is the kind of a node.
type Kind int

const (
	Scalar Kind = iota + 1
	Sequence
	Mapping
	Alias
)

// Node is one node of a YAML document. The node an alias names is never an alias.
type Node struct {
	Kind Kind
	// Tag is the node's short tag: the one written (!!str, !custom) or else the resolved one:
	// !!null, !!bool, !!int, !!float, !!timestamp, !!merge or !!str for a scalar, !!seq or
	// !!map for a collection; an alias has none.
	Tag string
	// Value is a scalar's text (quoted and block scalars decoded, the others as written), or
	// the name an alias refers to.
	Value   string
	Line    int
	Content []*Node // a sequence's items; a mapping's keys and values, alternating
	Alias   *Node   // the node an alias names
}

// SyntaxError is text that is not YAML, or YAML that this reader cannot read.
type SyntaxError struct {
	Line int    // 0 if not known
	Msg  string // the parser's words; it may quote the text
	Err  error
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// DepthError is a document nested deeper than Parse allows.
type DepthError struct {
	Line int // the first node found too deep
}

func (e *DepthError) Error() string { return fmt.Sprintf("line %d: nested too deep", e.Line) }

// Parse reads the first document of data. It returns nil for a document with no content (an
// empty file or comments only). A node deeper than maxDepth (the document's top node is at
// depth 1, its members at depth 2) gives a *DepthError; text that is not YAML a *SyntaxError.
func Parse(data []byte, maxDepth int) (*Node, error) {
	if err := printable(data); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark, which the parser would take as text
	if bytes.IndexByte(data, '\r') >= 0 {
		// YAML reads every line break as \n; the parser counts \r\n after a comment as two lines.
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	tks := lexer.Tokenize(string(data))
	// The estimate counts at least half of the true nesting (a sequence written at its key's
	// indentation is not counted) and never more; beyond twice the limit the parser is not
	// asked, below it the tree gives the exact node.
	if line := tooDeep(tks, 2*maxDepth+2); line > 0 {
		return nil, &DepthError{Line: line}
	}
	f, err := parser.Parse(tks, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, syntaxError(err)
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, nil
	}
	c := &converter{data: data, anchors: map[string]*Node{}, max: maxDepth}
	n := c.node(f.Docs[0].Body, 1)
	if c.err != nil {
		return nil, c.err
	}
	return n, nil
}

// syntaxError takes the line and the message out of the parser's error, whose text also shows
// the lines around the fault.
func syntaxError(err error) error {
	var pe interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &pe) {
		line := 0
		if tk := pe.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return &SyntaxError{Line: line, Msg: pe.GetMessage(), Err: err}
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return &SyntaxError{Msg: msg, Err: err}
}

// tooDeep returns the line of the first token at which the nesting counted on the tokens
// exceeds limit, or 0. Flow collections are counted by their brackets; block collections by
// the indentation of their entries: an entry ('- ' or 'key:') further right than the
// innermost open collection opens a new one, and the first token of a line closes those
// further right than itself.
func tooDeep(tks token.Tokens, limit int) int {
	var cols []int // the columns of the open block collections
	flow, line := 0, 0
	for i, tk := range tks {
		p := tk.Position
		first := p.Line != line
		line = p.Line
		switch tk.Type {
		case token.CommentType:
			continue
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		}
		if flow > 0 && tk.Type != token.SequenceStartType && tk.Type != token.MappingStartType {
			continue
		}
		col := p.Column
		if tk.Type == token.MappingValueType && i > 0 && tks[i-1].Position.Line == p.Line {
			col = tks[i-1].Position.Column // a key's column, not its colon's
		}
		if first {
			for len(cols) > 0 && cols[len(cols)-1] > col {
				cols = cols[:len(cols)-1]
			}
		}
		switch tk.Type {
		case token.SequenceEntryType, token.MappingValueType, token.MappingKeyType:
			if len(cols) == 0 || cols[len(cols)-1] < col {
				cols = append(cols, col)
			}
		}
		if len(cols)+flow > limit {
			return p.Line
		}
	}
	return 0
}

// converter turns the parser's tree into Nodes.
type converter struct {
	data    []byte
	lines   []int // the offsets where the lines of data start, once needed
	anchors map[string]*Node
	max     int
	err     error
}

func (c *converter) fail(err error) *Node {
	if c.err == nil {
		c.err = err
	}
	return &Node{Kind: Scalar, Tag: "!!null"}
}

func line(n ast.Node) int {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// node converts n, at depth d. A nil n is an empty scalar, null.
func (c *converter) node(n ast.Node, d int) *Node {
	if c.err != nil {
		return &Node{Kind: Scalar, Tag: "!!null"}
	}
	if n == nil {
		return &Node{Kind: Scalar, Tag: "!!null"}
	}
	if d > c.max {
		return c.fail(&DepthError{Line: line(n)})
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		// Registered before its content, so that an alias inside it names it, as in YAML.
		out := &Node{}
		c.anchors[n.Name.GetToken().Value] = out
		*out = *c.node(n.Value, d)
		out.Line = line(n) // a node's line is that of its first property
		if out.Kind == Alias {
			return c.fail(&SyntaxError{Line: out.Line, Msg: "an alias cannot have an anchor"})
		}
		return out
	case *ast.AliasNode:
		name := n.Value.GetToken().Value
		a, ok := c.anchors[name]
		if !ok {
			return c.fail(&SyntaxError{Line: line(n), Msg: fmt.Sprintf("unknown anchor '%s' referenced", name)})
		}
		return &Node{Kind: Alias, Value: name, Line: line(n), Alias: a}
	case *ast.TagNode:
		out := c.node(n.Value, d)
		out.Line = line(n)
		if out.Kind == Alias {
			return c.fail(&SyntaxError{Line: out.Line, Msg: "an alias cannot have a tag"})
		}
		if tag := shortTag(n.Start.Value); tag != "!" {
			out.Tag = tag
		}
		return out
	case *ast.MappingNode:
		out := &Node{Kind: Mapping, Tag: "!!map", Line: line(n)}
		for _, v := range n.Values {
			c.pair(out, v, d, n.IsFlowStyle)
		}
		if !n.IsFlowStyle && len(out.Content) > 0 {
			out.Line = out.Content[0].Line // a block mapping starts at its first key
		}
		return out
	case *ast.MappingValueNode: // a single pair in a flow sequence: [a: 1]
		out := &Node{Kind: Mapping, Tag: "!!map"}
		c.pair(out, n, d, true)
		out.Line = out.Content[0].Line
		return out
	case *ast.MappingKeyNode: // ? key
		out := c.node(n.Value, d)
		out.Line = line(n)
		return out
	case *ast.SequenceNode:
		out := &Node{Kind: Sequence, Tag: "!!seq", Line: line(n), Content: make([]*Node, len(n.Values))}
		for i, v := range n.Values {
			out.Content[i] = c.node(v, d+1)
		}
		return out
	case *ast.LiteralNode:
		return &Node{Kind: Scalar, Tag: "!!str", Value: blockText(n), Line: line(n)}
	case *ast.NullNode:
		v := n.GetToken().Value
		if n.GetToken().Type == token.ImplicitNullType {
			v = ""
		}
		return &Node{Kind: Scalar, Tag: "!!null", Value: v, Line: line(n)}
	case ast.ScalarNode:
		tk := n.GetToken()
		if tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType {
			return &Node{Kind: Scalar, Tag: "!!str", Value: tk.Value, Line: c.startLine(tk)}
		}
		v := tk.Value
		if strings.ContainsAny(strings.Trim(tk.Origin, " \t\r\n"), "\t\n") || tk.Type == token.MergeKeyType {
			// The parser drops tabs inside plain text, folds some lines wrongly, and reads a<< as <<.
			v = plainText(tk.Origin)
		}
		if v != "" && strings.ContainsRune(",[]{}#&*!|>'\"%@`", rune(v[0])) {
			return c.fail(&SyntaxError{Line: line(n), Msg: fmt.Sprintf("found character %q that cannot start any token", v[0])})
		}
		tag, _ := resolve(v, true)
		return &Node{Kind: Scalar, Tag: tag, Value: v, Line: c.startLine(tk)}
	}
	return c.fail(&SyntaxError{Line: line(n), Msg: fmt.Sprintf("unexpected %s", n.Type().YAMLName())})
}

// plainText is the value of a plain scalar written as text: each line without the blanks
// around it, lines joined by a space, an empty line between them kept as a line break.
func plainText(text string) string {
	var b strings.Builder
	breaks := -1 // the line breaks since the last line of text; -1 before the first
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.Trim(l, " \t\r"); l == "" {
			if breaks >= 0 {
				breaks++
			}
			continue
		}
		switch {
		case breaks == 1:
			b.WriteByte(' ')
		case breaks > 1:
			b.WriteString(strings.Repeat("\n", breaks-1))
		}
		b.WriteString(l)
		breaks = 1
	}
	return b.String()
}

// printable returns a *SyntaxError for text that YAML does not allow: invalid UTF-8, or
// control characters other than tab, line feed and carriage return.
func printable(data []byte) error {
	for i, r := range string(data) {
		ok := r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0x7e || r == 0x85 ||
			0xa0 <= r && r <= 0xd7ff || 0xe000 <= r && r <= 0xfffd && (r != 0xfeff || i == 0) || 0x10000 <= r && r <= 0x10ffff
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRune(data[i:]); size == 1 {
				return &SyntaxError{Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: "invalid UTF-8"}
			}
		}
		if !ok {
			return &SyntaxError{Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: "control characters are not allowed"}
		}
	}
	return nil
}

// startLine is the line where scalar tk starts. For some scalars that continue on further
// lines the parser gives the position of their end instead: then the text before that
// position on its line is the scalar's last line.
func (c *converter) startLine(tk *token.Token) int {
	p := tk.Position
	text := strings.Trim(tk.Origin, " \t\r\n")
	n := strings.Count(text, "\n")
	if n == 0 || p.Line <= n {
		return p.Line
	}
	if c.lines == nil {
		c.lines = []int{0}
		for i, b := range c.data {
			if b == '\n' {
				c.lines = append(c.lines, i+1)
			}
		}
	}
	last := strings.TrimRight(text[strings.LastIndexByte(text, '\n')+1:], "\r")
	if p.Line > len(c.lines) {
		return p.Line
	}
	at := c.lines[p.Line-1] + p.Column - 1 // where the position points: after the text, or at its last byte
	if first, _, _ := strings.Cut(text, "\n"); at <= len(c.data) && bytes.HasPrefix(c.data[at:], []byte(first)) {
		return p.Line // it points at the start
	}
	for _, end := range []int{at, at + 1} {
		if begin := end - len(last); begin >= c.lines[p.Line-1] && end <= len(c.data) && string(c.data[begin:end]) == last {
			return p.Line - n
		}
	}
	return p.Line
}

// pair appends the key and the value of v to mapping m, whose members are at depth d+1. In a
// block mapping, a value on a line after its key's must be indented more than the key, or be
// a block sequence; the parser would take it as the value.
func (c *converter) pair(m *Node, v *ast.MappingValueNode, d int, flow bool) {
	var k ast.Node
	if v.Key != nil {
		k = v.Key
	}
	kn := c.node(k, d+1)
	if k == nil {
		kn.Line = line(v)
	}
	if i := v.Start.Position.Offset; flow && plain(k) && 0 < i && i < len(c.data) && c.data[i-1] == ':' && !strings.ContainsRune(" \t\r\n", rune(c.data[i])) {
		// YAML reads {a:1} as the key "a:1"; the parser reads a: 1.
		c.fail(&SyntaxError{Line: v.Start.Position.Line, Msg: "write a space after ':' in a flow mapping: {key: value}"})
	}
	if vp := start(v.Value); !flow && k != nil && vp != nil && k.GetToken() != nil && vp.Line > v.Start.Position.Line &&
		vp.Column <= k.GetToken().Position.Column && !blockSequence(v.Value) {
		c.fail(&SyntaxError{Line: vp.Line, Msg: "could not find expected ':' (a value on a line of its own is indented more than its key)"})
	}
	m.Content = append(m.Content, kn, c.node(v.Value, d+1))
}

// plain reports whether key k is a plain scalar, not quoted nor a collection.
func plain(k ast.Node) bool {
	if k == nil || k.GetToken() == nil {
		return false
	}
	switch k.GetToken().Type {
	case token.SingleQuoteType, token.DoubleQuoteType, token.SequenceStartType, token.MappingStartType:
		return false
	}
	return true
}

// start is where the content of n begins: past its anchor and tag, at the first key of a
// block mapping; nil for nothing (an implicit null).
func start(n ast.Node) *token.Position {
	for {
		switch m := n.(type) {
		case nil:
			return nil
		case *ast.AnchorNode:
			n = m.Value
			continue
		case *ast.TagNode:
			n = m.Value
			continue
		case *ast.MappingNode:
			if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
				n = m.Values[0].Key
				continue
			}
		}
		tk := n.GetToken()
		if tk == nil || tk.Type == token.ImplicitNullType {
			return nil
		}
		return tk.Position
	}
}

// blockSequence reports whether n, past its anchor and tag, is a block sequence, which may
// stand at its key's indentation.
func blockSequence(n ast.Node) bool {
	for {
		switch m := n.(type) {
		case *ast.AnchorNode:
			n = m.Value
		case *ast.TagNode:
			n = m.Value
		case *ast.SequenceNode:
			return !m.IsFlowStyle
		default:
			return false
		}
	}
}

// blockText is the value of a literal (|) or folded (>) block. The parser drops the blanks at
// the end of the last line when the block keeps no final line break (|-, or at the end of the
// file); YAML keeps them.
func blockText(n *ast.LiteralNode) string {
	v := n.Value.Value
	if strings.HasSuffix(v, "\n") {
		return v
	}
	text := strings.TrimRight(n.Value.GetToken().Origin, "\n\r")
	last := text[strings.LastIndexByte(text, '\n')+1:]
	blanks := last[len(strings.TrimRight(last, " \t")):]
	if strings.TrimSpace(last) == "" || strings.HasSuffix(v, blanks) {
		return v
	}
	return v + blanks
}

// shortTag writes tag:yaml.org,2002:str, in either form, as !!str.
func shortTag(tag string) string {
	t := strings.TrimSuffix(strings.TrimPrefix(tag, "!<"), ">")
	if rest, ok := strings.CutPrefix(t, "tag:yaml.org,2002:"); ok {
		return "!!" + rest
	}
	return tag
}

// Int is an !!int scalar's value, or false if it is not an integer or does not fit in 64 bits.
func (n *Node) Int() (int64, bool) {
	_, v := resolve(n.Value, false)
	switch v := v.(type) {
	case int64:
		return v, true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
	}
	return 0, false
}

// Float is a !!float scalar's value (an integer's too), or false if it has none.
func (n *Node) Float() (float64, bool) {
	switch v := func() any { _, v := resolve(n.Value, false); return v }().(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// Bool is a !!bool scalar's value, or false if it has none.
func (n *Node) Bool() (bool, bool) {
	_, v := resolve(n.Value, false)
	b, ok := v.(bool)
	return b, ok
}

// resolve returns the tag and the value of a scalar's text by the rules of go.yaml.in/yaml/v3
// (resolve.go): the core schema's null, booleans, integers (also 0b, 0o and 0x, with _ between
// digits) and floats, the merge key, and, if plain, dates as timestamps. Anything else is a
// string. The value is nil, a bool, an int64 or uint64, a float64, or the text.
func resolve(s string, plain bool) (string, any) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return "!!null", nil
	case "true", "True", "TRUE":
		return "!!bool", true
	case "false", "False", "FALSE":
		return "!!bool", false
	case ".nan", ".NaN", ".NAN":
		return "!!float", math.NaN()
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return "!!float", math.Inf(1)
	case "-.inf", "-.Inf", "-.INF":
		return "!!float", math.Inf(-1)
	case "<<":
		return "!!merge", s
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float", f
		}
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		if plain && isTimestamp(s) {
			return "!!timestamp", s
		}
		p := strings.ReplaceAll(s, "_", "")
		if i, err := strconv.ParseInt(p, 0, 64); err == nil {
			return "!!int", i
		}
		if u, err := strconv.ParseUint(p, 0, 64); err == nil {
			return "!!int", u
		}
		if isFloat(p) {
			if f, err := strconv.ParseFloat(p, 64); err == nil {
				return "!!float", f
			}
		}
		for _, b := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"0o", 8}} {
			if digits, ok := strings.CutPrefix(p, b.prefix); ok {
				if i, err := strconv.ParseInt(digits, b.base, 64); err == nil {
					return "!!int", i
				}
				if u, err := strconv.ParseUint(digits, b.base, 64); err == nil {
					return "!!int", u
				}
			} else if digits, ok := strings.CutPrefix(p, "-"+b.prefix); ok {
				if i, err := strconv.ParseInt("-"+digits, b.base, 64); err == nil {
					return "!!int", i
				}
			}
		}
	}
	return "!!str", s
}

// isFloat reports whether s is written as a YAML float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func isFloat(s string) bool {
	digits := func() int {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s != "" && s[0] == '.' {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if s != "" && s[0] == '.' {
			s = s[1:]
			digits()
		}
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '-' || s[0] == '+') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

// isTimestamp reports whether s is a date, or a date and time, in one of the forms that
// go.yaml.in/yaml/v3 reads as a timestamp.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
