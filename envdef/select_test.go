package envdef

import (
	"errors"
	"os"
	"os/exec"
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

func TestInstanceResolve(t *testing.T) {
	for _, tt := range []struct {
		cmd    string
		words  []string
		argv   []string // a plain word list
		script string   // or shell text
	}{
		{cmd: `mpirun -np <<num_cores>> "my solver" --threads=<<num_cores>>`, argv: []string{"mpirun", "-np", "12", "my solver", "--threads=12"}},
		{cmd: "python <<script_name>> <<args>>", words: []string{"dir/run.py", "a b", "$x"}, argv: []string{"python", "run.py", "a b", "$x"}},
		{cmd: "python <<script_name>> <<args>>", words: []string{"run.py"}, argv: []string{"python", "run.py"}},
		{cmd: "python <<script_name>> <<args>>", argv: []string{"python"}},
		{cmd: "tool", words: []string{"a", "it's"}, argv: []string{"tool", "a", "it's"}},
		{cmd: "tool <<args>> --end", argv: []string{"tool", "--end"}},
		{cmd: `matlab -batch "<<script_name_no_ext>> <<args>>"`, words: []string{"/x/y/fit.m", "3"}, argv: []string{"matlab", "-batch", "fit 3"}},
		{cmd: "ls <<script_dir>> <<script_path>>", words: []string{"/x/y/fit.m"}, argv: []string{"ls", "/x/y", "/x/y/fit.m"}},
		{cmd: "mpirun -n $NSLOTS singularity run $IMG_PATH", script: "exec mpirun -n $NSLOTS singularity run $IMG_PATH"},
		{cmd: "python <<script_path>> <<args>>\necho <<num_cores>>\n", words: []string{"/a/b.py", "x y"}, script: "python /a/b.py 'x y'\necho 12\n"},
		{cmd: "A=1 tool", script: "A=1 tool"},
		{cmd: "cd /tmp; ./solver", words: []string{"in"}, script: "cd /tmp; exec ./solver in"},
		{cmd: "for i in 1 2; do echo $i; done", script: "for i in 1 2; do echo $i; done"},
		{cmd: "f() { :; }\nf", script: "f() { :; }\nf"},
		{cmd: "tool *.dat", script: "exec tool *.dat"},
		{cmd: "tool # a comment", script: "exec tool # a comment"},
		{cmd: "tool a#b", argv: []string{"tool", "a#b"}},
		{cmd: "tool;", script: "exec tool;"}, // ; ends the statement: SplitWords would keep it in the word
		{cmd: "tool;", words: []string{"a"}, script: "tool; exec a"},
	} {
		in := Instance{Command: tt.cmd}
		got, err := in.Resolve(12, tt.words)
		if err != nil {
			t.Errorf("Resolve(%q, %q): %v", tt.cmd, tt.words, err)
			continue
		}
		if !slices.Equal(got.Argv, tt.argv) || got.Script != tt.script {
			t.Errorf("Resolve(%q, %q) = argv %q script %q; want argv %q script %q", tt.cmd, tt.words, got.Argv, got.Script, tt.argv, tt.script)
		}
	}
	in := Instance{Command: "python <<script_path>>"}
	if _, err := in.Resolve(1, nil); err == nil || !strings.Contains(err.Error(), "<<script_path>>") {
		t.Errorf("a script placeholder with no script: %v", err)
	}
}

func TestShellText(t *testing.T) {
	for cmd, want := range map[string]bool{
		"mpirun -np <<num_cores>> ./solver": false,
		"python <<script_path>> <<args>>":   false,
		"singularity run $IMG_PATH":         true,
		"a\nb":                              true,
	} {
		if got := (&Instance{Command: cmd}).ShellText(); got != want {
			t.Errorf("ShellText(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestEditCalls(t *testing.T) {
	s := "module load x\nmpirun -n $N 'my prog' && exec srun --export=NONE b"
	got, err := EditCalls(s, func(w []string) (CallEdit, bool) {
		switch w[0] {
		case "mpirun":
			return CallEdit{At: 1, Insert: []string{"-x", "A B"}}, w[2] == "$N" && w[3] == "my prog"
		case "srun":
			return CallEdit{At: 1, Del: 1, Insert: []string{"--export=A"}}, true
		}
		return CallEdit{}, false
	})
	want := "module load x\nmpirun -x 'A B' -n $N 'my prog' && exec srun --export=A b"
	if err != nil || got != want {
		t.Errorf("EditCalls = %q, %v; want %q", got, err, want)
	}
	// an edit that spans a word that is not literal keeps that word as written
	got, err = EditCalls("mpiexec -a -n $NP x : -a -n $NP y", func(w []string) (CallEdit, bool) {
		return CallEdit{At: 1, Del: 8, Insert: []string{"-b", "-n", "$NP", "x", ":", "-b", "-n", "$NP"}}, true
	})
	if want := "mpiexec -b -n $NP x : -b -n $NP y"; err != nil || got != want {
		t.Errorf("EditCalls across $NP = %q, %v; want %q", got, err, want)
	}
}

// TestWordListsMatchBash checks that a command Resolve runs as a word list, with no shell,
// gives the words bash would give it.
func TestWordListsMatchBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no bash")
		}
		t.Skip("no bash")
	}
	for _, cmd := range []string{
		`tool a "b c" 'd e' f\ g`,
		`tool "a\"b" 'x'\''y' "\$HOME" "\\" "a\
b" c\
d`,
		`tool --opt=1 -n 4 a,b "" ''`,
		"tool \"tab\there\" a\tb",
		`tool a#b 'c#' "#d"`,
		`mpirun -np <<num_cores>> "my solver" --threads=<<num_cores>>`,
	} {
		r, err := (&Instance{Command: cmd}).Resolve(3, nil)
		if err != nil || r.Argv == nil {
			t.Errorf("Resolve(%q): %v, script %q; want a word list", cmd, err, r.Script)
			continue
		}
		text := strings.ReplaceAll(cmd, CoresPlaceholder, "3")
		out, err := exec.Command(bash, "-c", `printf '%s\0' `+text).Output()
		if err != nil {
			t.Fatalf("bash: %v", err)
		}
		want := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if !slices.Equal(r.Argv, want) {
			t.Errorf("Resolve(%q) = %q; bash gives %q", cmd, r.Argv, want)
		}
	}
}
