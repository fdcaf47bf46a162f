package envdef

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// quoteWord quotes w for SplitWords: single quotes, with each ' written as '\”.
func quoteWord(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// FuzzSplitWords checks that SplitWords never panics and that its words, quoted again and
// joined, split back into the same words.
func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{"", "a b", `mpirun -np <<num_cores>> ./x`, `sh -c 'echo "$X"'`, `a\ b "c\"d" 'e'`,
		"a\\\nb", `"unterminated`, `'x`, `x\`, "\t\n "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitWords(s)
		if err != nil {
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = quoteWord(w)
		}
		again, err := SplitWords(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, words) && !(len(again) == 0 && len(words) == 0) {
			t.Fatalf("SplitWords(%q) = %q; quoted again gives %q, %v", s, words, again, err)
		}
	})
}

// FuzzInstanceResolve checks that an instance command with any core count and words never
// panics, and that a command resolved to a word list gives the words SplitWords finds in it
// once <<num_cores>> is replaced (so quotes around or inside the placeholder act on the number).
func FuzzInstanceResolve(f *testing.F) {
	f.Add("mpirun -np <<num_cores>> ./solver", 4, "")
	f.Add("srun -n <<num_cores>>", 64, "a b")
	f.Add("'<<num_cores>>'", -1, "")
	f.Add("python <<script_name>> <<args>>", 1, "run.py")
	f.Fuzz(func(t *testing.T, cmd string, cores int, word string) {
		in := &Instance{Command: cmd}
		r, err := in.Resolve(cores, nil)
		if err != nil || r.Argv == nil || hasScriptPlaceholder(cmd) || strings.Contains(cmd, ArgsPlaceholder) {
			if word != "" {
				in.Resolve(cores, []string{word}) // must not panic
			}
			return
		}
		words, _ := SplitWords(strings.ReplaceAll(cmd, CoresPlaceholder, strconv.Itoa(cores)))
		if len(r.Argv) == 0 || !slices.Equal(r.Argv, words) {
			t.Fatalf("Resolve(%q, %d) = %q, want %q", cmd, cores, r.Argv, words)
		}
	})
}
