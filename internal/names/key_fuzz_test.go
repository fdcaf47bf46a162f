package names

import (
	"strings"
	"testing"
)

// validKeyRef is the documented rule for keys, written independently of KeyProblem.
func validKeyRef(k string) bool {
	if len(k) < 1 || len(k) > 256 || k[0] == '-' || k[0] == '/' || k[len(k)-1] == '/' ||
		strings.Contains(k, "..") || strings.Contains(k, "//") {
		return false
	}
	for _, c := range []byte(k) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-./", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// FuzzKeyProblem checks KeyProblem against the documented rule, and that its text never
// holds a control character of a key it refused (it quotes the character instead).
func FuzzKeyProblem(f *testing.F) {
	for _, k := range []string{"API_TOKEN", "db/pass", "a..b", "-x", "/a", "a/", "a//b", "a b", "k=v", "x\x00y", "é", strings.Repeat("k", 257)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		p := KeyProblem(k)
		if (p == "") != validKeyRef(k) {
			t.Fatalf("KeyProblem(%q) = %q, the rule says valid=%v", k, p, validKeyRef(k))
		}
		if strings.ContainsAny(p, "\x00\n\r\x1b") {
			t.Fatalf("KeyProblem(%q) holds a control character: %q", k, p)
		}
	})
}
