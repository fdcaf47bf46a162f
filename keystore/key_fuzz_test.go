package keystore

import (
	"strings"
	"testing"
)

// validKeyRef is the README's rule for keys, written independently of checkKey.
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

// FuzzValidateKey checks ValidateKey against the documented rule, and that its error never
// quotes a key it refused for a control character verbatim.
func FuzzValidateKey(f *testing.F) {
	for _, k := range []string{"API_TOKEN", "db/pass", "a..b", "-x", "/a", "a/", "a//b", "a b", "k=v", "x\x00y", "é", strings.Repeat("k", 257)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		err := ValidateKey(k)
		if (err == nil) != validKeyRef(k) {
			t.Fatalf("ValidateKey(%q) = %v, the rule says valid=%v", k, err, validKeyRef(k))
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x00\n\r\x1b") {
			t.Fatalf("ValidateKey(%q) message holds a control character: %q", k, err.Error())
		}
	})
}
