// Package tomldepth measures how deeply TOML text nests, without parsing it, so that secrun
// can refuse deep text before github.com/BurntSushi/toml sees it: that library's time and
// memory grow with the square of the depth (a 32 KB file of nested inline tables takes
// gigabytes). It imports nothing of secrun.
package tomldepth

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
