package envdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParallelModes are the values parallel_mode accepts (besides absent or null).
var ParallelModes = []string{"distributed", "shared", "hybrid"}

// Executable returns the executable labelled label, or nil.
func (e *Env) Executable(label string) *Executable {
	for i := range e.Executables {
		if e.Executables[i].Label == label {
			return &e.Executables[i]
		}
	}
	return nil
}

// Select returns the first instance, in file order, whose num_cores holds cores and,
// when mode is not "", whose parallel_mode is mode. Without a match it returns a
// *NoInstanceError that lists what the executable offers.
func (x *Executable) Select(env *Env, cores int, mode string) (*Instance, error) {
	for i := range x.Instances {
		in := &x.Instances[i]
		if in.NumCores.Contains(cores) && (mode == "" || in.ParallelMode == mode) {
			return in, nil
		}
	}
	return nil, &NoInstanceError{Env: env, Exe: x, Cores: cores, Mode: mode}
}

// NoInstanceError says that no instance of an executable fits the requested core count
// (and parallel mode).
type NoInstanceError struct {
	Env   *Env
	Exe   *Executable
	Cores int
	Mode  string
}

func (e *NoInstanceError) Error() string {
	mode := ""
	if e.Mode != "" {
		mode = " in parallel mode " + strconv.Quote(e.Mode)
	}
	var offers []string
	for _, in := range e.Exe.Instances {
		o := in.NumCores.String()
		if in.ParallelMode != "" {
			o += " (" + in.ParallelMode + ")"
		}
		offers = append(offers, o)
	}
	return fmt.Sprintf("environment %q: executable %q has no instance for %d cores%s; its instances take %s",
		e.Env.Name, e.Exe.Label, e.Cores, mode, strings.Join(offers, ", "))
}

// Hint says where to add an instance for the count (the command line adds how to ask for
// another count).
func (e *NoInstanceError) Hint() string {
	return fmt.Sprintf("add an instance at %s:%d", e.Env.File, e.Exe.Line)
}

// SplitWords splits s into words as a POSIX shell does, without any expansion: blanks
// separate words; 'single quotes' keep everything; "double quotes" keep everything but let
// a backslash escape $, `, ", \ and newline; outside quotes a backslash keeps the next
// character (and drops an escaped newline).
func SplitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 == len(s) {
				return nil, fmt.Errorf("the command ends with a lone backslash")
			}
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("the command has an unterminated single quote")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i == len(s) {
					return nil, fmt.Errorf("the command has an unterminated double quote")
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' && i+1 < len(s) && slices.Contains([]byte("$`\"\\\n"), s[i+1]) {
					i++
					if s[i] == '\n' {
						continue
					}
				}
				w.WriteByte(s[i])
			}
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}
