package envdef

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"  a  b\tc\n", []string{"a", "b", "c"}, ""},
		{`mpirun -np 4 'my prog' "x y"`, []string{"mpirun", "-np", "4", "my prog", "x y"}, ""},
		{`a'b'"c"d`, []string{"abcd"}, ""},
		{`''`, []string{""}, ""},
		{`a\ b \'c`, []string{"a b", "'c"}, ""},
		{`"\$HOME \"q\" \\ \n"`, []string{`$HOME "q" \ \n`}, ""},
		{`'$HOME' ~ *`, []string{"$HOME", "~", "*"}, ""},
		{"a\\\nb", []string{"ab"}, ""},
		{`it's`, nil, "unterminated single quote"},
		{`"open`, nil, "unterminated double quote"},
		{`trailing\`, nil, "lone backslash"},
	}
	for _, tt := range tests {
		got, err := SplitWords(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SplitWords(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("SplitWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	env := &Env{Name: "e", File: "envs.toml"}
	x := &Executable{Label: "solver", Line: 7, Instances: []Instance{
		{Command: "serial", NumCores: Cores{1, 1, 1}},
		{Command: "mpi-even -np <<num_cores>>", NumCores: Cores{2, 8, 2}, ParallelMode: "distributed"},
		{Command: "omp <<num_cores>>", NumCores: Cores{2, 16, 1}, ParallelMode: "shared"},
		{Command: "big", NumCores: Cores{64, 64, 1}},
	}}
	tests := []struct {
		cores int
		mode  string
		want  string // command of the instance, or "" for no match
	}{
		{1, "", "serial"},
		{2, "", "mpi-even -np <<num_cores>>"}, // first match in file order
		{8, "", "mpi-even -np <<num_cores>>"}, // stop is inclusive
		{3, "", "omp <<num_cores>>"},          // off the step of the earlier instance
		{10, "", "omp <<num_cores>>"},
		{16, "", "omp <<num_cores>>"},
		{17, "", ""},
		{2, "shared", "omp <<num_cores>>"},
		{4, "distributed", "mpi-even -np <<num_cores>>"},
		{3, "distributed", ""},
		{1, "shared", ""}, // an instance without a mode does not match a requested mode
		{64, "", "big"},
		{0, "", ""},
	}
	for _, tt := range tests {
		in, err := x.Select(env, tt.cores, tt.mode)
		switch {
		case tt.want == "":
			var ne *NoInstanceError
			if !errors.As(err, &ne) {
				t.Errorf("Select(%d, %q) = %v, %v; want a NoInstanceError", tt.cores, tt.mode, in, err)
			}
		case err != nil || in.Command != tt.want:
			t.Errorf("Select(%d, %q) = %v, %v; want %q", tt.cores, tt.mode, in, err, tt.want)
		}
	}
	_, err := x.Select(env, 5, "distributed")
	want := `environment "e": executable "solver" has no instance for 5 cores in parallel mode "distributed"; ` +
		"its instances take 1, 2-8 step 2 (distributed), 2-16 (shared), 64"
	if err == nil || err.Error() != want {
		t.Errorf("no-match error = %v\nwant %s", err, want)
	}
	if h := err.(*NoInstanceError).Hint(); !strings.Contains(h, "envs.toml:7") {
		t.Errorf("hint %q does not name the executable's line", h)
	}
}

func TestInstanceArgv(t *testing.T) {
	in := Instance{Command: `mpirun -np <<num_cores>> "my solver" --threads=<<num_cores>>`}
	got, err := in.Argv(12)
	want := []string{"mpirun", "-np", "12", "my solver", "--threads=12"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Argv(12) = %q, %v; want %q", got, err, want)
	}
}
