package cli

import (
	"reflect"
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
