//go:build !lean

package envdef

import (
	"regexp"
	"sync"
)

// exposedRules are the shapes of text in a setup line or command that usually hold a
// credential: a literal assigned to a variable named like a password or token (hpcFlow's
// SecretExposedWarning: 'export password=1234', "$env:password = '1234'", 'PASSword=1234'),
// the same given as a command-line option, and well-known token formats. They are compiled
// on first use: only 'secrun env check' needs them, and a run must not pay for them.
var exposedRules = sync.OnceValue(func() []exposedRule {
	const credential = `(?i:pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|apikey|access_?key|private_?key|credentials?|auth)`
	const varName = `[A-Za-z0-9_]*` + credential + `[A-Za-z0-9_]*`
	const option = `[A-Za-z0-9_.-]*` + credential + `[A-Za-z0-9_.-]*`
	// A literal: not a reference to another variable ($X, ${X}, $(cmd), %X%), not empty.
	const literal = `(?:'[^'$]+'|"[^"$]+"|[^\s'"$%;&|<>` + "`" + `][^\s;&|]*)`
	return []exposedRule{
		{regexp.MustCompile(`(?:^|[\s;&|(])(?:export\s+|set\s+|setenv\s+|\$env:)?(` + varName + `)\s*=\s*` + literal),
			"assigns a literal value to %s, which looks like a credential"},
		{regexp.MustCompile(`(?:^|\s)(--?` + option + `)(?:=|\s+)` + literal),
			"passes a literal value with %s, which looks like a credential"},
		{regexp.MustCompile(`\b((?:AKIA|ASIA)[0-9A-Z]{16})\b`), "holds what looks like an AWS access key ID"},
		{regexp.MustCompile(`(-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----)`), "holds a private key"},
		{regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{30,})`), "holds what looks like a GitHub token"},
		{regexp.MustCompile(`\b(xox[abprs]-[A-Za-z0-9-]{10,})`), "holds what looks like a Slack token"},
		{regexp.MustCompile(`\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)`), "holds what looks like a JSON Web Token"},
		{regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s/:@]+:([^\s/@$]+)@`), "holds a URL with a password in it"},
	}
})

type exposedRule struct {
	re  *regexp.Regexp
	msg string // with %s for the first submatch when it is a name
}

// Exposed reports whether text (a setup line or an instance command) looks like it holds a
// credential, and why. The reason names a variable or option at most, never the value.
func Exposed(text string) (string, bool) {
	for i, r := range exposedRules() {
		m := r.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		if i < 2 {
			return sprintf(r.msg, m[1]), true
		}
		return r.msg, true
	}
	return "", false
}

func sprintf(format, name string) string {
	out := make([]byte, 0, len(format)+len(name))
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' {
			out = append(out, name...)
			i++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}
