package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"testing"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/keystore"
)

// TestHintWords checks the hints that name flags and commands, which envdef and keystore
// leave to the command line, as report prints them.
func TestHintWords(t *testing.T) {
	env := &envdef.Env{Name: "e", File: "envs.toml"}
	exe := &envdef.Executable{Label: "solver", Line: 7}
	tests := []struct {
		err  error
		want string
	}{
		{&envdef.NotFoundError{Name: "x", UserFile: "/h/.config/secrun/envs.toml"},
			"no definition files were found; create /h/.config/secrun/envs.toml or pass --envs FILE"},
		{&envdef.NotFoundError{Name: "x", Known: []string{"a"}}, "defined environments: a"},
		{fmt.Errorf("load: %w", &envdef.DefError{File: "x.toml", Msg: "environment definition file does not exist", Err: fs.ErrNotExist}),
			"check the path given with --envs or SECRUN_ENVS"},
		{&envdef.DefError{File: "x.toml", Msg: "bad", Fix: "fix it", Err: fs.ErrNotExist}, "fix it"},
		{&envdef.NoInstanceError{Env: env, Exe: exe, Cores: 3},
			"ask for a core count that one of them holds with -n N, or add an instance at envs.toml:7"},
		{fmt.Errorf("get: %w", &keystore.KeyError{Key: "K", Err: keystore.ErrItemMissing}),
			"'secrun secrets doctor' reports such secrets, and 'secrun secrets doctor --repair' removes them from the index"},
		{&keystore.KeyError{Key: "K", Err: keystore.ErrNotFound}, ""},
		{&keystore.UnavailableError{Backend: "Secret Service", Reason: "locked"},
			"unlock or start your keyring (log in to a desktop session), or use the file store: --store file or SECRUN_STORE=file"},
		{&keystore.UnavailableError{Backend: "Secret Service", Reason: "another user's bus", Untrusted: true},
			"DBUS_SESSION_BUS_ADDRESS may be left over from a session that has ended (a surviving tmux, a batch job that copied it): " +
				"unset it or point it at your own session bus (a unix:path= or unix:abstract= address); or use the file store: --store file or SECRUN_STORE=file"},
		{&keystore.TooLargeError{Key: "K"}, "keep it in the file store: store it with --store file (or SECRUN_STORE=file)"},
		{&keystore.KeyringError{Backend: "Secret Service", Op: "read"},
			"'secrun secrets doctor' checks the keyring against its index; --store file uses the file store instead"},
		{&usageError{msg: "m", hint: "h"}, "h"},
		{fmt.Errorf("outer: %w", &usageError{msg: "m", hint: "outer wins"}), "outer wins"},
	}
	for _, tt := range tests {
		if got := hintOf(tt.err); got != tt.want {
			t.Errorf("hintOf(%v) = %q\nwant %q", tt.err, got, tt.want)
		}
	}
}

// TestSpecWords checks that an ambiguous environment name names --spec in its message.
func TestSpecWords(t *testing.T) {
	amb := &envdef.AmbiguousError{Name: "lammps_env", Candidates: []*envdef.Env{{File: "a.yaml", Line: 1}, {File: "b.yaml", Line: 2}}}
	var buf bytes.Buffer
	report(&buf, withSpecWords(amb))
	want := "secrun: error: 2 environments named \"lammps_env\" match; pick one with --spec KEY=VALUE\n" +
		"secrun: hint: the candidates are:\n" +
		"secrun: hint:   a.yaml:1: no specifiers\n" +
		"secrun: hint:   b.yaml:2: no specifiers\n"
	if buf.String() != want {
		t.Errorf("report printed\n%s\nwant\n%s", buf.String(), want)
	}
}
