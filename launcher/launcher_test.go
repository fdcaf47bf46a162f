package launcher

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func TestEnviron(t *testing.T) {
	base := []string{"PATH=/bin", "HOME=/h", "TOKEN=old", "NOISE=1", "LANG=C", "EMPTY="}
	vars := []Var{{"TOKEN", "new"}, {"EXTRA", "a=b"}}
	tests := []struct {
		name  string
		clean bool
		want  []string
	}{
		{"inherit", false, []string{"PATH=/bin", "HOME=/h", "NOISE=1", "LANG=C", "EMPTY=", "TOKEN=new", "EXTRA=a=b"}},
		{"clean", true, []string{"PATH=/bin", "HOME=/h", "LANG=C", "TOKEN=new", "EXTRA=a=b"}},
	}
	for _, tt := range tests {
		if got := Environ(base, tt.clean, vars); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Environ = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestGetenv(t *testing.T) {
	env := []string{"A=1", "PATH=/a", "PATH=/b", "B"}
	if got, ok := Getenv(env, "PATH"); got != "/b" || !ok {
		t.Errorf("Getenv PATH = %q, %v; want the last one", got, ok)
	}
	if got, ok := Getenv(env, "C"); got != "" || ok {
		t.Errorf("Getenv C = %q, %v", got, ok)
	}
	if got := searchPath([]string{"A=1"}); got != defaultPath {
		t.Errorf("searchPath without PATH = %q, want %q", got, defaultPath)
	}
	if got := searchPath([]string{"PATH="}); got != "" {
		t.Errorf("searchPath with an empty PATH = %q, want it empty", got)
	}
}

func TestLookPath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("execute bits are a Unix notion")
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	for _, d := range []string{first, second} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(first, "tool"), 0o644) // shadowed by an executable one later on PATH
	write(filepath.Join(second, "tool"), 0o755)
	write(filepath.Join(first, "plain"), 0o644)
	path := first + string(os.PathListSeparator) + second

	tests := []struct {
		name string
		want string
		code int // 0, 126 or 127
	}{
		{"tool", filepath.Join(second, "tool"), 0},
		{"plain", "", 126},
		{"absent", "", 127},
		{filepath.Join(second, "tool"), filepath.Join(second, "tool"), 0},
		{filepath.Join(first, "plain"), "", 126},
		{filepath.Join(dir, "nope"), "", 127},
		{filepath.Join(first, "plain", "under-a-file"), "", 127},
		{first, "", 126},
		{"", "", 127},
	}
	for _, tt := range tests {
		got, err := LookPath(tt.name, path)
		code := 0
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			code = coded.ExitCode()
		}
		if code != tt.code || (tt.code == 0 && got != tt.want) {
			t.Errorf("LookPath(%q) = %q, %v (code %d); want %q, code %d", tt.name, got, err, code, tt.want, tt.code)
		}
	}
}

func TestChildCommand(t *testing.T) {
	t.Setenv("PATH", "/usr/bin:/bin") // the shell is found in secrun's own PATH
	env := []string{"PATH=/nonexistent"}
	c := Child{Argv: []string{"prog", "a b", "$HOME"}, Setup: []string{"module load x", "export A=1"}, Shell: "sh", Env: env}
	_, got, err := c.command()
	want := []string{"/usr/bin/sh", "-c", "set -e\n" + setupTrap + "\nmodule load x\nexport A=1\ntrap - EXIT\nset +e\nexec \"$@\"",
		"secrun", "prog", "a b", "$HOME"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("command() = %q, %v; want %q", got, err, want)
	}
	c = Child{Script: "echo $A", Shell: "sh", Env: env}
	if _, got, err = c.command(); err != nil || !slices.Equal(got, []string{"/usr/bin/sh", "-c", "echo $A", "secrun"}) {
		t.Errorf("script command() = %q, %v", got, err)
	}
	t.Setenv("PATH", "/nonexistent")
	c = Child{Script: "echo", Env: env}
	if path, _, err := c.command(); err != nil || path != fallbackShell {
		t.Errorf("without bash: %q, %v; want %s", path, err, fallbackShell)
	}
}

func TestControlVar(t *testing.T) {
	for _, name := range []string{"PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "BASH_ENV", "ENV", "IFS",
		"PS4", "SHELLOPTS", "BASHOPTS", "PYTHONPATH", "PYTHONSTARTUP", "PERL5LIB", "PERL5OPT", "RUBYOPT", "NODE_OPTIONS",
		"JAVA_TOOL_OPTIONS", "GCONV_PATH", "GLIBC_TUNABLES", "LUA_INIT", "OMPI_MCA_plm_rsh_agent", "HYDRA_LAUNCHER_EXEC"} {
		if why, ok := ControlVar(name); !ok || why == "" {
			t.Errorf("ControlVar(%q) = %q, %v; want a reason", name, why, ok)
		}
	}
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "TOKEN", "DB_PASS", "NODE_ENV", "PATHS", "LD", "region_name"} {
		if _, ok := ControlVar(name); ok {
			t.Errorf("ControlVar(%q) is true", name)
		}
	}
}
