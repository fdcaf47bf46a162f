// Package names holds secrun's naming rules, one copy of each: which strings are valid secret
// keys, scope (project and domain) names, environment names, variable names and file names in
// the private directory; the variable a key becomes; the SECRUN_ variables that secrun
// reserves; and when two variable names are one variable (on Windows, regardless of case).
// It imports nothing of secrun, and its problems are plain text without command-line words.
package names

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"
)

// MaxKey is the longest key accepted, in characters (keys are ASCII).
const MaxKey = 256

const allowedKeyChars = " (allowed: letters, digits, _ - . /)"

// KeyProblem returns what is wrong with a secret key, or "" for a valid one. A key is 1 to 256
// ASCII letters, digits and `_ - . /`; it does not start with "-", contain "..", start or end
// with "/", or contain "//". The text quotes a bad character with %+q, so it holds no control
// or non-ASCII character.
func KeyProblem(key string) string {
	if key == "" {
		return "it is empty"
	}
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRuneInString(key[i:])
		switch {
		case r == ' ':
			return "contains a space" + allowedKeyChars
		case !isKeyChar(r):
			return fmt.Sprintf("contains %+q%s", key[i:i+size], allowedKeyChars)
		}
		i += size
	}
	switch {
	case len(key) > MaxKey:
		return fmt.Sprintf("it is %d characters long (at most %d)", len(key), MaxKey)
	case key[0] == '-':
		return `it starts with "-", which would be read as a flag`
	case strings.Contains(key, ".."):
		return `contains "..", which could be read as a parent directory`
	case key[0] == '/':
		return `it starts with "/"`
	case key[len(key)-1] == '/':
		return `it ends with "/"`
	case strings.Contains(key, "//"):
		return `contains "//"`
	}
	return ""
}

func isKeyChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '_' || r == '-' || r == '.' || r == '/'
}

// ValidEnv reports whether s is an environment's name: 1-64 ASCII letters, digits, '_', '-'
// or '.'.
func ValidEnv(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// EnvRule says what ValidEnv accepts, for messages.
const EnvRule = "use 1-64 letters, digits, '_', '-' or '.'"

// ValidScope reports whether s is a project or domain name: an environment's name (1-64 ASCII
// letters, digits, '_', '-' or '.') that does not start with '-' or '.'.
func ValidScope(s string) bool {
	return ValidEnv(s) && s[0] != '-' && s[0] != '.'
}

// ScopeRule says what ValidScope accepts, for messages.
const ScopeRule = EnvRule + ", not starting with '-' or '.'"

// ValidVar reports whether s is a portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
func ValidVar(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return true
}

// VarOf returns the variable name a secret key (or a member of a JSON secret) becomes: the key
// itself if it is a valid name, else the key with '-', '.' and '/' replaced by '_'. ok is false
// when even that is not a valid name.
func VarOf(key string) (string, bool) {
	v := varReplacer.Replace(key)
	return v, ValidVar(v)
}

// varReplacer is built once: building a Replacer costs more than using it.
var varReplacer = strings.NewReplacer("-", "_", ".", "_", "/", "_")

// ValidFile reports whether s may name a file in the private directory: one path element of
// 1-255 bytes, not "." or "..", of valid UTF-8 (and no U+FFFD), with no '/', '\\', ':' (a
// Windows stream), NUL or other control character, so that no name can reach outside the
// directory.
func ValidFile(s string) bool {
	if s == "" || len(s) > 255 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == ':' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// FileRule says what ValidFile accepts, for messages.
const FileRule = "a file name is one path element: no '/', '\\', ':' or control characters, and not . or .."

// Reserved is the prefix of the variables that secrun sets (SECRUN_ENV, SECRUN_SECRETS_DIR,
// ...); no secret may set one, in any case.
const Reserved = "SECRUN_"

// IsReserved reports whether the variable name starts with Reserved, in any case.
func IsReserved(name string) bool {
	return strings.HasPrefix(strings.ToUpper(name), Reserved)
}

// FoldVars is true where variable names that differ only in case are one variable (Windows).
// It is a variable so that a test can fold as Windows does on any system.
var FoldVars = runtime.GOOS == "windows"

// FoldVar returns the form of a variable name under which names that are one variable are
// equal: upper case on Windows, the name itself elsewhere.
func FoldVar(name string) string {
	if FoldVars {
		return strings.ToUpper(name)
	}
	return name
}

// SameVar reports whether two variable names are one variable in a process's environment.
func SameVar(a, b string) bool {
	if FoldVars {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Short cuts a name (a key, a member, a variable) that is too long to be worth printing
// whole in a message.
func Short(s string) string {
	if len(s) > 64 {
		return s[:60] + "..."
	}
	return s
}
