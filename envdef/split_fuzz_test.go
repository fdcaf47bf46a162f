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

// FuzzInstanceArgv checks that an instance command with any core count never panics, and
// gives the words of the command with <<num_cores>> replaced first (so quotes around or inside
// the placeholder act on the number), or an error.
func FuzzInstanceArgv(f *testing.F) {
	f.Add("mpirun -np <<num_cores>> ./solver", 4)
	f.Add("srun -n <<num_cores>>", 64)
	f.Add("'<<num_cores>>'", -1)
	f.Fuzz(func(t *testing.T, cmd string, cores int) {
		in := &Instance{Command: cmd}
		argv, err := in.Argv(cores)
		if err != nil {
			return
		}
		words, _ := SplitWords(strings.ReplaceAll(cmd, CoresPlaceholder, strconv.Itoa(cores)))
		if len(argv) == 0 || !slices.Equal(argv, words) {
			t.Fatalf("Argv(%q, %d) = %q, want %q", cmd, cores, argv, words)
		}
	})
}
