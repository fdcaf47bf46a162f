// Package integration holds secrun's end-to-end tests: testscript scripts that run the real
// CLI in a private HOME, and Go tests that start many secrun processes at once.
package integration

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/secrun/secrun/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secrun": func() { os.Exit(cli.Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupHome,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"status": cmdStatus, "randfile": cmdRandfile},
	})
}

// setupHome gives each script its own HOME and XDG directories, so that nothing of the
// developer's own secrets or definitions is read.
func setupHome(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, "home")
	env.Setenv("HOME", home)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	env.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	env.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	env.Setenv("USER", "tester")
	env.Setenv("XDG_RUNTIME_DIR", filepath.Join(env.WorkDir, "run")) // private directories land here
	if err := os.MkdirAll(filepath.Join(env.WorkDir, "run"), 0o700); err != nil {
		return err
	}
	return os.MkdirAll(home, 0o700)
}

// cmdStatus runs a command and checks its exact exit status: 'status 125 secrun ...'.
// The command's stdout and stderr are then checked with the usual stdout/stderr commands.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
		if got == -1 {
			ts.Fatalf("%s was killed: %v", args[1], err)
		}
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdRandfile writes SIZE pseudo-random bytes (the same ones every run) to FILE:
// 'randfile FILE SIZE'. Binary secrets in scripts come from it.
func cmdRandfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: randfile FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("randfile: bad size %q", args[1])
	}
	data := make([]byte, n)
	x := uint32(2463534242)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
}
