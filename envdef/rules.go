//go:build !lean

package envdef

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secrun/secrun/internal/names"
)

// The rules both readers apply once they have turned text into values: each rule is written
// here once, and the TOML and YAML readers differ only in how they find the values and their
// lines.

// splitSetup splits setup given as one string into its lines: blank lines are dropped and a
// final \r goes, so that a file with Windows line ends runs the same.
func splitSetup(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSuffix(l, "\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// coresProblem returns what is wrong with a num_cores range, or "".
func coresProblem(c Cores) string {
	switch {
	case c.Start < 1:
		return fmt.Sprintf("num_cores: start must be at least 1, not %d", c.Start)
	case c.Stop < c.Start:
		return fmt.Sprintf("num_cores: stop (%d) is less than start (%d)", c.Stop, c.Start)
	case c.Step < 1:
		return fmt.Sprintf("num_cores: step must be at least 1, not %d", c.Step)
	}
	return ""
}

// countProblem returns what is wrong with num_cores given as one count, or "".
func countProblem(n int64) string {
	if n < 1 {
		return fmt.Sprintf("num_cores must be at least 1, not %d", n)
	}
	return ""
}

// parallelMode returns a parallel_mode in lower case (hpcFlow's are DISTRIBUTED, SHARED and
// HYBRID, in any case), or the problem with it.
func parallelMode(m string) (string, string) {
	if l := strings.ToLower(m); slices.Contains(ParallelModes, l) {
		return l, ""
	}
	return "", fmt.Sprintf("parallel_mode %q is not one of distributed, shared, hybrid", m)
}

// labelProblem returns what is wrong with an executable's label, or "".
func labelProblem(l string) string {
	if !names.ValidVar(l) {
		return fmt.Sprintf("executable label %q is not a valid identifier", l)
	}
	return ""
}

// labelFix is the hint for a bad label.
const labelFix = "a label is letters, digits and '_', and does not start with a digit"

// secretIndex finds clashes among an environment's secrets, in constant time per secret (a
// file may list many).
type secretIndex struct{ byKey, byVar, byFile map[string]int }

// newSecretIndex makes an index for n secrets.
func newSecretIndex(n int) *secretIndex {
	return &secretIndex{byKey: make(map[string]int, n), byVar: make(map[string]int, n)}
}

// add appends s to e.Secrets unless it clashes with one already there: the same key twice, a
// file of the bundle's name or of another secret's, or a variable that another secret sets (on
// Windows, names that differ only in case collide). It returns the problem and a hint.
func (ix *secretIndex) add(e *Env, s Secret) (msg, fix string) {
	name := func() string { return secretName(s.Key, len(e.Secrets)) } // only messages need it
	folded := names.FoldVar(s.Var)
	if prev, dup := ix.byKey[s.Key]; dup {
		return fmt.Sprintf("secret %s is listed twice%s", name(), firstAt(e.Secrets[prev].Line)), "remove one of them"
	}
	if s.File != "" && s.File == e.Bundle {
		return fmt.Sprintf("secret %s: file %q is also the name of the bundle", name(), s.File), "name the file with file = \"NAME\""
	}
	if prev, dup := ix.byFile[s.File]; dup && s.File != "" {
		return fmt.Sprintf("secrets %q and %q both become file %q", e.Secrets[prev].Key, s.Key, s.File), "name one of the files with file = \"NAME\""
	}
	if prev, dup := ix.byVar[folded]; dup && s.Var != "" {
		return fmt.Sprintf("secrets %q and %q both become variable %q", e.Secrets[prev].Key, s.Key, s.Var),
			"give one of them another name with as_env_var, or rename a key"
	}
	ix.byKey[s.Key] = len(e.Secrets)
	if s.File != "" {
		if ix.byFile == nil {
			ix.byFile = map[string]int{}
		}
		ix.byFile[s.File] = len(e.Secrets)
	}
	if s.Var != "" {
		ix.byVar[folded] = len(e.Secrets)
	}
	e.Secrets = append(e.Secrets, s)
	return "", ""
}
