package integration

import (
	"os"
	"os/exec"
	"testing"
)

// bashCompletionLib is bash-completion's main script (Debian's path); the completion scripts
// are tested with and without it.
const bashCompletionLib = "/usr/share/bash-completion/bash_completion"

// TestTools fails under CI=true when a program that the completion, man page and contrib
// tests run is missing (testenv/tools.sh installs them); elsewhere those tests skip.
func TestTools(t *testing.T) {
	var missing []string
	for _, p := range []string{"bash", "zsh", "fish", "man", "groff", "tclsh", "python3"} {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if _, err := os.Stat(bashCompletionLib); err != nil {
		missing = append(missing, "bash-completion")
	}
	if len(missing) == 0 {
		return
	}
	msg := "missing for the completion, man page and contrib tests: " + joinWords(missing) +
		"; ./test.sh installs them (testenv/tools.sh)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func joinWords(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
