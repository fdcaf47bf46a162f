//go:build !lean

package envdef

import "strings"

// The TOML library does not report where a key was written, so error messages
// get their line numbers from this small scanner over the raw text. It only
// guesses: it knows the three array-of-tables headers of the schema and lines
// of the form `key = ...`. Every lookup that cannot be answered falls back to
// the line of the enclosing header, or to 0 (unknown); none of them panics.

// lineIndex is the scanned text of one file.
type lineIndex struct {
	lines  []string // trimmed lines; lines inside multi-line strings are blank
	header []string // for each line, the normalised header it holds ("[[env]]", ...) or ""
}

// span is a range of 1-based line numbers [start, end). start is the line of
// the header that opens the span, or 0 when there is none (the whole file, or
// a table whose header was not found); lookups that find nothing return start.
type span struct{ start, end int }

// scanLines splits data into lines and notes which lines are table headers.
// Lines inside multi-line strings (""" or ”') are blanked so that text in a
// setup script is never taken for a key or a header.
func scanLines(data []byte) *lineIndex {
	raw := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n") // \r goes with TrimSpace
	ix := &lineIndex{lines: make([]string, len(raw)), header: make([]string, len(raw))}
	inString := "" // the delimiter of the multi-line string we are in, if any
	for i, l := range raw {
		l = strings.TrimSpace(l)
		if inString != "" {
			if strings.Count(l, inString)%2 == 1 {
				inString = ""
			}
			continue // blank: part of a string
		}
		ix.lines[i] = l
		if h := header(l); h != "" {
			ix.header[i] = h
			continue
		}
		for _, d := range []string{`"""`, `'''`} {
			if strings.Count(l, d)%2 == 1 {
				inString = d
				break
			}
		}
	}
	return ix
}

// header returns the normalised header that line l holds, such as "[[env.executables]]" for
// `[[ env . executables ]]  # comment`, or "" when l is not a table header. l is one line.
// It matches what the regular expression
//
//	^(\[\[?)\s*([A-Za-z0-9_.\-"' ]+?)\s*\]\]?\s*(#.*)?$
//
// matches (TestHeaderMatchesRegexp checks it), without compiling one at every start.
func header(l string) string {
	open := "["
	if strings.HasPrefix(l, "[[") {
		open = "[["
	} else if !strings.HasPrefix(l, "[") {
		return ""
	}
	inner, rest, ok := strings.Cut(l[len(open):], "]")
	name := strings.Trim(inner, spaceChars)
	if !ok || strings.Trim(name, headerNameChars) != "" || name == "" && !strings.Contains(inner, " ") {
		return ""
	}
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "]"), spaceChars)
	if rest != "" && rest[0] != '#' {
		return ""
	}
	return open + strings.ReplaceAll(name, " ", "") + strings.Repeat("]", len(open))
}

const (
	spaceChars      = " \t\n\f\r" // what \s matches in a Go regular expression
	headerNameChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-\"' "
)

// whole is the span of the entire file.
func (ix *lineIndex) whole() span { return span{0, len(ix.lines) + 1} }

// children returns the spans opened by each header equal to hdr inside sp, each
// running to the next such header or the end of sp. If the number found is
// not want (the tables were written inline, or the guess is off), every child
// gets the point span of sp's own header instead.
func (ix *lineIndex) children(sp span, hdr string, want int) []span {
	var starts []int
	for n := max(sp.start, 1); n < sp.end && n <= len(ix.lines); n++ {
		if ix.header[n-1] == hdr {
			starts = append(starts, n)
		}
	}
	out := make([]span, want)
	for i := range out {
		if len(starts) != want {
			out[i] = span{sp.start, sp.start}
			continue
		}
		end := sp.end
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out[i] = span{starts[i], end}
	}
	return out
}

// body is the part of sp that holds the keys of its own table: from the line
// after its header to the next header of any kind.
func (ix *lineIndex) body(sp span) span {
	if sp.start <= 0 {
		return sp
	}
	end := sp.start + 1
	for end < sp.end && end <= len(ix.lines) && ix.header[end-1] == "" {
		end++
	}
	return span{sp.start, end}
}

// keyLine returns the first line in sp that assigns key (`key =`, `"key" =`,
// or a dotted `key.sub =`), else the line of sp's header (also for key "").
func (ix *lineIndex) keyLine(sp span, key string) int {
	if key == "" {
		return sp.start
	}
	for n := max(sp.start, 1); n < sp.end && n <= len(ix.lines); n++ {
		l := ix.lines[n-1]
		for _, k := range []string{key, `"` + key + `"`, `'` + key + `'`} {
			if rest, ok := strings.CutPrefix(l, k); ok {
				rest = strings.TrimSpace(rest)
				if strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ".") {
					return n
				}
			}
		}
	}
	return sp.start
}

// stringLine returns the first line at or after from (and inside sp) that
// holds s as a quoted TOML string, else from.
func (ix *lineIndex) stringLine(sp span, from int, s string) int {
	return ix.stringAt(sp, place{line: from}, s).line
}

// place is a position in the text: a 1-based line and a byte offset in that trimmed line.
type place struct{ line, col int }

// stringAt returns the place just after the first quoted TOML string s at or after from
// (and inside sp), else from. Searching on from where the last match ended keeps a long
// line of secrets linear to scan.
func (ix *lineIndex) stringAt(sp span, from place, s string) place {
	col := from.col
	for n := max(from.line, 1); n < sp.end && n <= len(ix.lines); n++ {
		line := ix.lines[n-1]
		col = min(col, len(line))
		i := strings.Index(line[col:], `"`+s+`"`)
		if j := strings.Index(line[col:], `'`+s+`'`); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i >= 0 {
			return place{line: n, col: col + i + len(s) + 2}
		}
		col = 0
	}
	return from
}
