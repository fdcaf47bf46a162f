package integration

import (
	"github.com/secrun/secrun/internal/fileperm"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secrun/secrun/envdef"
)

// need returns the path of program, and skips the test when it is missing (TestTools fails
// under CI=true in that case).
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("%s is not installed (TestTools fails under CI=true)", program)
	}
	return p
}

// modulefileHarness runs a modulefile in tclsh with the module commands replaced by procs
// that print what they were asked to do, as Lmod and Environment Modules would apply it.
const modulefileHarness = `
proc module-info {what args} {
    switch -- $what {
        name { return "secrun/1.2.3" }
        mode { return "load" }
        default { return "" }
    }
}
foreach cmd {prepend-path append-path setenv conflict module-whatis} {
    proc $cmd {args} "puts \"$cmd \$args\""
}
if {[info exists ::env(XDG_DATA_DIRS)]} { unset ::env(XDG_DATA_DIRS) }
source [lindex $argv 0]
ModulesHelp
`

// TestModulefile runs contrib/modulefiles/secrun/secrun.tcl in a real tclsh: it must parse,
// and put the version's bin, man pages and completions on the paths.
func TestModulefile(t *testing.T) {
	tclsh := need(t, "tclsh")
	dir := t.TempDir()
	harness := filepath.Join(dir, "harness.tcl")
	if err := os.WriteFile(harness, []byte(modulefileHarness), 0o600); err != nil {
		t.Fatal(err)
	}
	modfile, _ := filepath.Abs("../contrib/modulefiles/secrun/secrun.tcl")
	out, err := exec.Command(tclsh, harness, modfile).CombinedOutput()
	if err != nil {
		t.Fatalf("tclsh %s: %v\n%s", modfile, err, out)
	}
	for _, want := range []string{
		"prepend-path PATH /opt/secrun/1.2.3/bin\n",
		"prepend-path MANPATH /opt/secrun/1.2.3/share/man\n",
		"append-path XDG_DATA_DIRS /usr/share\n",
		"prepend-path XDG_DATA_DIRS /opt/secrun/1.2.3/share\n",
		"prepend-path FPATH /opt/secrun/1.2.3/share/zsh/site-functions\n",
		"conflict secrun\n",
		"secrun 1.2.3: run a command",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the modulefile did not do %q; it did:\n%s", want, out)
		}
	}
}

// spackStub is a minimal spack.package module: enough to import a recipe and call its
// methods outside Spack.
const spackStub = `
import os
__all__ = ["GoPackage", "version", "depends_on", "license", "run_after", "Executable", "join_path", "mkdirp"]
class GoPackage:
    pass
def version(*a, **k): pass
def depends_on(*a, **k): pass
def license(*a, **k): pass
def run_after(phase):
    return lambda f: f
def Executable(path): raise NotImplementedError
join_path = os.path.join
def mkdirp(p): os.makedirs(p, exist_ok=True)
`

const spackCheck = `
import sys, types
sys.path.insert(0, sys.argv[1])
import package as recipe
cls = recipe.Secrun
pkg = cls.__new__(cls)
pkg.name = "secrun"
pkg.spec = types.SimpleNamespace(version="1.2.3")
args = cls.build_args.fget(pkg)
assert args[-2:] == ["-o", "secrun"], args
assert "-X main.version=1.2.3" in args[args.index("-ldflags") + 1], args
env = {}
pkg.setup_build_environment(types.SimpleNamespace(set=lambda k, v: env.__setitem__(k, v)))
assert env == {"CGO_ENABLED": "0"}, env
assert cls.homepage.startswith("https://"), cls.homepage
print("ok", cls.__name__)
`

// TestSpackRecipe byte-compiles contrib/spack/secrun/package.py with python3 -m py_compile,
// then imports it against a stub of spack.package and checks its build arguments.
func TestSpackRecipe(t *testing.T) {
	python := need(t, "python3")
	recipe, _ := filepath.Abs("../contrib/spack/secrun/package.py")
	dir := t.TempDir()
	t.Setenv("PYTHONPYCACHEPREFIX", dir) // keep the .pyc files out of the source tree
	if out, err := exec.Command(python, "-m", "py_compile", recipe).CombinedOutput(); err != nil {
		t.Fatalf("python3 -m py_compile %s: %v\n%s", recipe, err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "spack"), 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"spack/__init__.py": "",
		"spack/package.py":  spackStub,
		"check.py":          spackCheck,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, filepath.Join(dir, "check.py"), filepath.Dir(recipe))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok Secrun") {
		t.Fatalf("importing the recipe against a stub spack.package: %v\n%s", err, out)
	}
}

// TestEnvsExample checks that contrib/envs.toml.example, which the packages install as
// /etc/secrun/envs.toml.example, is a valid definition file.
func TestEnvsExample(t *testing.T) {
	set, err := envdef.Load(nil, []string{"../contrib/envs.toml.example"}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Envs()) != 2 {
		t.Errorf("want 2 environments in the example, have %d", len(set.Envs()))
	}
}
