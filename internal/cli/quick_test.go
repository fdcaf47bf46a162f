package cli

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestQuickRunMatchesKong: wherever quickRun takes a command line, kong parses it to the
// same values; kong stays the reference grammar.
func TestQuickRunMatchesKong(t *testing.T) {
	tests := []struct {
		args  string
		quick bool
	}{
		{"-e E -- cmd a b", true},
		{"run -e E -- cmd", true},
		{"-eE -- cmd", true},
		{"--env E -- cmd", true},
		{"--env=E -- cmd -x --y", true},
		{"-v --clean-env -e E -- cmd", true},
		{"--mask -e E -- cmd", true},
		{"--store file -e E -- cmd", true},
		{"--store=auto -e E -- cmd", true},
		{"--envs a.toml --envs=/b.toml -e E -- cmd", true},
		{"--envs ~/c.toml -e E -- cmd", true},
		{"-e E -- secrets list", true},
		{"-e E -- -- x", true},
		{"-e E -- --help", true},
		{"-e E", false},
		{"-e E --", false},
		{"-e E cmd", false},
		{"-e -- cmd", false},
		{"--store keyring -e E -- cmd", true},
		{"--store nowhere -e E -- cmd", false},
		{"--bogus -e E -- cmd", false},
		{"-h", false},
		{"--version", false},
		{"secrets list", false},
		{"-e E -x -- cmd", false},
		{"-e E -n 4 -- solver in", true},
		{"-e E -n4 --num-cores=8 -- solver", true},
		{"-e E --num-cores 010 -- solver", true},
		{"-e E --num-cores 0x10 -- solver", false},
		{"-e E -x solver --", true},
		{"-e E -xsolver -- a b", true},
		{"-e E --executable=solver --parallel-mode shared --no-forward -- a", true},
		{"-e E -n four -- solver", false},
		{"-e E -n -4 -- solver", false},
		{"-e E -x solver", false},
		{"-ve E -- cmd", false},
		{"--store keyring -n 4 -x solver --parallel-mode=distributed --no-forward -e E -- a", true},
		{"run --store=keyring -e E -n8 --clean-env -- mpirun -np 8 solver", true},
		{"--store keyring -e E -n four -- solver", false},
		{"-e E --spec version=1.2 --spec=gcc=3,4 -- solver", true},
		{"--spec v=1 -e E -n 2 -- solver", true},
		{"-e E --spec -- solver", false},
	}
	for _, tt := range tests {
		args := strings.Fields(tt.args)
		got, ok := quickRun(args)
		if ok != tt.quick {
			t.Errorf("quickRun(%q) took it: %v, want %v", tt.args, ok, tt.quick)
			continue
		}
		if !ok {
			continue
		}
		var want root
		parser, err := newParser(&want, kong.Exit(func(int) { t.Fatalf("kong exited on %q", tt.args) }))
		if err != nil {
			t.Fatal(err)
		}
		ctx, err := parser.Parse(withRun(parser.Model.Node, args))
		if err != nil {
			t.Errorf("quickRun took %q, which kong refuses: %v", tt.args, err)
			continue
		}
		if ctx.Command() != "run <command>" {
			t.Errorf("kong parses %q as %q", tt.args, ctx.Command())
		}
		if !reflect.DeepEqual(got.globals, want.globals) || !reflect.DeepEqual(got.Run, want.Run) {
			t.Errorf("%q:\nquickRun %+v %+v\nkong     %+v %+v", tt.args, got.globals, got.Run, want.globals, want.Run)
		}
	}
}

// TestQuickFlagsMatchKong walks kong's model of the run command's flags and the global ones:
// each is in quickFlags as kong defines it, or in quickDeclined (and then quickRun leaves a
// command line with it to kong); and each flag of the table, in every form kong accepts (long,
// long=value, short, short with the value attached), parses with quickRun as with kong.
func TestQuickFlagsMatchKong(t *testing.T) {
	var cli root
	parser, err := newParser(&cli)
	if err != nil {
		t.Fatal(err)
	}
	app := parser.Model.Node
	var run *kong.Node
	for _, c := range app.Children {
		if c.Name == "run" {
			run = c
		}
	}
	samples := map[string]string{ // a valid value for each flag that takes one
		"num-cores": "4", "executable": "solver", "parallel-mode": "shared", "env": "E",
		"spec": "version=1.2", "store": "file", "envs": "a.toml",
	}
	seen := map[string]bool{}
	for _, f := range append(append([]*kong.Flag(nil), app.Flags...), run.Flags...) {
		seen[f.Name] = true
		if slices.Contains(quickDeclined, f.Name) {
			if _, took := quickRun([]string{"--" + f.Name, "-e", "E", "--", "cmd"}); took {
				t.Errorf("quickRun takes --%s, which quickDeclined leaves to kong", f.Name)
			}
			continue
		}
		q, ok := quickFlags[f.Name]
		if !ok {
			t.Errorf("kong's flag --%s is neither in quickFlags nor in quickDeclined: handle it in quickRun, or decline it", f.Name)
			continue
		}
		env := ""
		if len(f.Envs) > 0 {
			env = strings.Join(f.Envs, ",")
		}
		want := quickFlag{short: f.Short, value: !f.IsBool() && !f.IsCounter(), many: f.IsSlice(), env: env}
		if q != want {
			t.Errorf("--%s: quickFlags has %+v, kong's model %+v", f.Name, q, want)
			continue
		}
		var forms [][]string
		if q.value {
			v, ok := samples[f.Name]
			if !ok {
				t.Errorf("--%s: give the test a sample value", f.Name)
				continue
			}
			forms = [][]string{{"--" + f.Name, v}, {"--" + f.Name + "=" + v}}
			if q.short != 0 {
				forms = append(forms, []string{"-" + string(q.short), v}, []string{"-" + string(q.short) + v})
			}
		} else {
			forms = [][]string{{"--" + f.Name}}
			if q.short != 0 {
				forms = append(forms, []string{"-" + string(q.short)})
			}
		}
		for _, form := range forms {
			args := append(append([]string{}, form...), "-e", "E", "--", "cmd")
			if f.Name == "env" {
				args = append(append([]string{}, form...), "--", "cmd")
			}
			got, took := quickRun(args)
			if !took {
				t.Errorf("quickRun does not take %q", args)
				continue
			}
			var kcli root
			kp, err := newParser(&kcli, kong.Exit(func(int) { t.Fatalf("kong exited on %q", args) }))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kp.Parse(withRun(kp.Model.Node, args)); err != nil {
				t.Errorf("kong refuses %q: %v", args, err)
				continue
			}
			if !reflect.DeepEqual(got.globals, kcli.globals) || !reflect.DeepEqual(got.Run, kcli.Run) {
				t.Errorf("%q:\nquickRun %+v %+v\nkong     %+v %+v", args, got.globals, got.Run, kcli.globals, kcli.Run)
			}
		}
	}
	for name := range quickFlags {
		if !seen[name] {
			t.Errorf("quickFlags has --%s, which kong's model of run and the global flags lacks", name)
		}
	}
}

// TestExpandPathMatchesKong: quickRun expands --envs as kong does.
func TestExpandPathMatchesKong(t *testing.T) {
	for _, p := range []string{"/abs/envs.toml", "~/envs.toml", "~", "~other/x", "rel/envs.toml", "./x", "", "-", "../up"} {
		if got, want := expandPath(p), kong.ExpandPath(p); got != want {
			t.Errorf("expandPath(%q) = %q, kong says %q", p, got, want)
		}
	}
}
