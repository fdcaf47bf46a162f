package cli

import (
	"slices"

	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// testCompleter completes against secrun's real grammar with fixed environments and keys.
func testCompleter(t *testing.T) *completer {
	t.Helper()
	var cli root
	p, err := newParser(&cli)
	if err != nil {
		t.Fatal(err)
	}
	c := newCompleter(p.Model.Node)
	c.envs = func(files []string) []string {
		if slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, "/extra.toml") }) {
			return []string{"alpha", "beta", "extra"}
		}
		return []string{"alpha", "beta"}
	}
	c.labels = func(_ []string, env string) []string {
		if env == "alpha" {
			return []string{"solver\texecutable of alpha"}
		}
		return nil
	}
	c.keys = func(store string) []string {
		if store == "keyring" {
			return []string{"RING"}
		}
		return []string{"API_TOKEN", "db/pass", "API_TOKEN"}
	}
	return c
}

func TestComplete(t *testing.T) {
	tests := []struct {
		words     string // the words after "secrun"; the last is the one completed ("_" is empty)
		directive string
		want      []string // words only, without descriptions
	}{
		{"_", "words", []string{"cleanup", "completion", "env", "run", "secrets"}},
		{"se", "words", []string{"secrets"}},
		{"-e _", "words", []string{"alpha", "beta"}},
		{"-e b", "words", []string{"beta"}},
		{"--env _", "words", []string{"alpha", "beta"}},
		{"--env=a", "words", []string{"--env=alpha"}},
		{"-ea", "words", nil}, // an inline short value is not completed
		{"--envs extra.toml -e _", "words", []string{"alpha", "beta", "extra"}},
		{"--envs=extra.toml run -e e", "words", []string{"extra"}},
		{"--store _", "words", []string{"auto", "file", "keyring"}},
		{"--store=k", "words", []string{"--store=keyring"}},
		{"--envs _", "files", nil},
		{"run --parallel-mode _", "words", []string{"distributed", "hybrid", "shared"}},
		{"-e alpha -x _", "words", []string{"solver"}},
		{"-e alpha -- _", "command", []string{"solver"}},
		{"-e beta -- _", "command", nil},
		{"-e alpha -- mpirun -np _", "args 2", nil},
		{"-e alpha -- env -- _", "args 2", nil},
		{"run -e alpha -- ls _", "args 1", nil},
		{"-e alpha ./solver _", "args 1", nil},
		{"--clean-env -", "words", nil}, // checked below: run's flags
		{"secrets _", "words", []string{"delete", "delete-all", "doctor", "get", "import", "list", "move", "set"}},
		{"secrets get _", "words", []string{"API_TOKEN", "db/pass"}},
		{"secrets get --project p _", "words", []string{"API_TOKEN", "db/pass"}},
		{"secrets delete d", "words", []string{"db/pass"}},
		{"secrets rm A", "words", []string{"API_TOKEN"}},
		{"--store keyring secrets get _", "words", []string{"RING"}},
		{"secrets get API_TOKEN _", "words", nil},
		{"secrets move _", "words", []string{"API_TOKEN", "db/pass"}},
		{"secrets move --to _", "words", []string{"file", "keyring"}},
		{"secrets set _", "words", nil},
		{"secrets set --from-file _", "files", nil},
		{"secrets set K -- _", "words", nil},
		{"env show _", "words", []string{"alpha", "beta"}},
		{"env show -n _", "words", nil},
		{"completion _", "words", []string{"bash", "fish", "zsh"}},
		{"secrets list --v", "words", []string{"--values", "--verbose", "--version"}},
		{"nosuch _", "args 1", nil},
		{"__complete _", "words", nil},
	}
	c := testCompleter(t)
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			words := strings.Fields(tt.words)
			if words[len(words)-1] == "_" {
				words[len(words)-1] = ""
			}
			got := c.complete(words)
			if got.directive != tt.directive {
				t.Errorf("directive %q, want %q", got.directive, tt.directive)
			}
			var names []string
			for _, it := range got.items {
				names = append(names, strings.SplitN(it, "\t", 2)[0])
			}
			if tt.words == "--clean-env -" {
				for _, want := range []string{"--env", "--num-cores", "--store", "--help"} {
					if !slices.Contains(names, want) {
						t.Errorf("flags %v lack %s", names, want)
					}
				}
				if slices.Contains(names, "--__complete") || slices.Contains(names, "--values") {
					t.Errorf("flags %v hold a flag of another command", names)
				}
				return
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("candidates %q, want %q", names, tt.want)
			}
		})
	}
}

// TestCompleteHidesHidden checks that the hidden commands are never offered.
func TestCompleteHidesHidden(t *testing.T) {
	got := testCompleter(t).complete([]string{"_"})
	for _, it := range got.items {
		if strings.HasPrefix(it, "__") {
			t.Errorf("hidden command offered: %q", it)
		}
	}
}

// TestHelpHasExamples checks that secrun --help and every command's --help show examples.
func TestHelpHasExamples(t *testing.T) {
	var cli root
	p, err := newParser(&cli)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Model.Help, "Examples:") {
		t.Errorf("secrun --help has no examples")
	}
	for _, n := range allNodes(p.Model.Node) {
		if n.Hidden {
			continue
		}
		if !strings.Contains(n.Detail, "Example") {
			t.Errorf("secrun %s --help has no examples", n.Path())
		}
	}
}

// allNodes lists every command under n, depth first.
func allNodes(n *kong.Node) []*kong.Node {
	var out []*kong.Node
	for _, c := range n.Children {
		out = append(out, c)
		out = append(out, allNodes(c)...)
	}
	return out
}
