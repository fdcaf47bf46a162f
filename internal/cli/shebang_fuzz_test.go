package cli

import (
	"slices"
	"testing"

	"github.com/secrun/secrun/envdef"
)

// FuzzShebangArgs checks that shebangArgs keeps the script path last and untouched, and
// either leaves the arguments alone or splits the first as SplitWords does.
func FuzzShebangArgs(f *testing.F) {
	f.Add("-e my_env -- python3", "./job.py")
	f.Add("-e 'my env' -- sh -c 'echo x'", "/tmp/s")
	f.Add("-e E", "")
	f.Add("no-dash here", "s")
	f.Add("-e \"unterminated", "s")
	f.Fuzz(func(t *testing.T, first, script string) {
		got := shebangArgs([]string{first, script})
		if len(got) == 0 || got[len(got)-1] != script {
			t.Fatalf("shebangArgs(%q, %q) = %q: the script is not last", first, script, got)
		}
		if slices.Equal(got, []string{first, script}) {
			return
		}
		words, err := envdef.SplitWords(first)
		if err != nil || !slices.Equal(got[:len(got)-1], words) {
			t.Fatalf("shebangArgs(%q, %q) = %q, SplitWords gives %q, %v", first, script, got, words, err)
		}
	})
}
