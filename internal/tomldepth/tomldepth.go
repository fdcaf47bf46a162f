// Package tomldepth measures how deeply TOML text nests and how many items it holds, without
// parsing it, so that secrun can refuse such text before the TOML library sees it, and Decode
// is secrun's one call of that library (github.com/pelletier/go-toml/v2). Deep nesting is
// refused so that no library's cost of depth matters (go-toml's grows linearly, up to its own
// limit of 10000; BurntSushi/toml, used before, took gigabytes for a 32 KB file of nested
// inline tables); many items, because go-toml checks each new key against the keys recorded
// before it (a 1 MiB file of short keys takes tens of seconds). It imports nothing of secrun.
package tomldepth

import (
	"bytes"
	"errors"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// SyntaxError is TOML text that the library refused: the line (0 if unknown) and the
// library's message. It wraps the library's *toml.DecodeError.
type SyntaxError struct {
	Line int
	Msg  string
	Err  error
}

func (e *SyntaxError) Error() string { return e.Msg }
func (e *SyntaxError) Unwrap() error { return e.Err }

// Decode decodes TOML text, after a leading byte order mark (editors on Windows write one),
// into string, int64, float64, bool, time.Time (a datetime with an offset), the library's
// LocalDateTime, LocalDate and LocalTime, []any (an array, or the tables of [[x]]) and
// map[string]any values. Duplicate keys, redefined tables, invalid UTF-8 and integers beyond
// int64 are syntax errors. Measure the text with Line and Items first.
func Decode(data []byte) (map[string]any, *SyntaxError) {
	var doc map[string]any
	err := toml.Unmarshal(bytes.TrimPrefix(data, []byte("\ufeff")), &doc)
	if err == nil {
		return doc, nil
	}
	se := &SyntaxError{Msg: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		se.Line, _ = de.Position()
	}
	return nil, se
}

// Line returns the line where TOML text nests deeper than max levels, or 0. It skips
// strings and comments; a dot outside them counts as one level until the next '=', ',',
// bracket or line break, which counts a float's dot too (harmless under any sensible limit).
func Line(data []byte, max int) int {
	depth, dots, line := 0, 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			i, line = skipString(data, i, line)
		case '[', '{':
			depth++
			dots = 0
		case ']', '}':
			if depth > 0 {
				depth--
			}
			dots = 0
		case '=', ',':
			dots = 0
		case '.':
			dots++
		}
		if depth+dots > max {
			return line
		}
	}
	return 0
}

// Items returns the line where TOML text holds its (max+1)-th item, or 0. An item is what the
// library records to find duplicate keys: a key (its '='), a table or an array (its '[' or
// '{') or a further part of a dotted key (its '.', which counts a float's dot too). It skips
// strings and comments as Line does.
func Items(data []byte, max int) int {
	n, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			line++
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			i, line = skipString(data, i, line)
		case '=', '.', '[', '{':
			if n++; n > max {
				return line
			}
		}
	}
	return 0
}

// skipString returns the index of the last byte of the TOML string that starts at data[i]
// (or of the text, if it is not closed), and the line it ends on.
func skipString(data []byte, i, line int) (int, int) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	if multi {
		i += 2
	}
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\\' && q == '"':
			if i+1 < len(data) && data[i+1] == '\n' {
				line++
			}
			i++
		case c == '\n':
			if !multi {
				return i - 1, line // an unclosed string; the parser reports it
			}
			line++
		case c == q && !multi:
			return i, line
		case c == q && i+2 < len(data) && data[i+1] == q && data[i+2] == q:
			return i + 2, line
		}
	}
	return len(data) - 1, line
}
