//go:build unix

package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The lean build (the lean tag) as releases ship it: secrun, with secrun-full beside it.

var (
	leanOnce sync.Once
	leanDir  string
	leanErr  error
)

// leanPair builds lean secrun as secrun and the full program as secrun-full in one
// directory, once per test run, and returns the directory. Both get one stamped version, as
// a release's binaries do, so that they share the definitions cache wherever each one is.
func leanPair(t *testing.T) string {
	t.Helper()
	leanOnce.Do(func() {
		if leanDir, leanErr = os.MkdirTemp("", "secrun-lean-"); leanErr != nil {
			return
		}
		for _, b := range []struct{ name, tags string }{{"secrun", "lean"}, {"secrun-full", ""}} {
			leanErr = buildSecrun(filepath.Join(leanDir, b.name), "-tags", b.tags, "-ldflags", "-X main.version=0.0.0-test -X main.commit=test")
			if leanErr != nil {
				return
			}
		}
	})
	if leanErr != nil {
		t.Fatal(leanErr)
	}
	return leanDir
}

// TestScriptsLean runs every script of testdata/script again with secrun being lean secrun
// build, which runs what it can and hands the rest to secrun-full: each script must pass with
// both builds alike.
func TestScriptsLean(t *testing.T) {
	dir := leanPair(t)
	p := scriptParams()
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		env.Setenv("PATH", dir+string(os.PathListSeparator)+env.Getenv("PATH"))
		return setup(env)
	}
	testscript.Run(t, p)
}

// TestLeanLaunch: lean secrun runs a command from cached definitions and the file store on
// its own (secrun-full may be absent then), hands everything else to secrun-full, and says
// what to install when secrun-full is not there.
func TestLeanLaunch(t *testing.T) {
	pair := leanPair(t)
	bin := t.TempDir()
	lean := filepath.Join(bin, "secrun") // lean secrun alone
	data, err := os.ReadFile(filepath.Join(pair, "secrun"))
	if err == nil {
		err = os.WriteFile(lean, data, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := isolatedEnv(home, "XDG_RUNTIME_DIR="+t.TempDir())
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	paired := filepath.Join(pair, "secrun") // lean secrun with secrun-full beside it
	if out, err := run(paired, "--store", "file", "secrets", "set", "TOKEN", "s3cret-value"); err != nil {
		t.Fatalf("secrets set: %v\n%s", err, out)
	}
	defs := filepath.Join(home, ".config", "secrun", "envs.toml")
	if err := os.MkdirAll(filepath.Dir(defs), 0o700); err != nil {
		t.Fatal(err)
	}
	// Executables, a word list and shell text, run in lean secrun too.
	if err := os.WriteFile(defs, []byte(`[[env]]
name = "e"
secrets = ["TOKEN"]
setup = ["GREETING=hello"]
[[env.executables]]
label = "show"
[[env.executables.instances]]
command = "sh -c 'echo token=$TOKEN cores=$1 args=$2,$3' sh <<num_cores>> <<args>>"
num_cores = { start = 1, stop = 8 }
[[env.executables]]
label = "text"
[[env.executables.instances]]
command = "echo $GREETING token=$TOKEN"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	printToken := []string{"-e", "e", "--", "sh", "-c", "echo token=$TOKEN"}

	// Alone, before the definitions are cached: it needs secrun-full, and says so.
	out, err := run(lean, printToken...)
	if err == nil || !strings.Contains(out, "secrun-full") || !strings.Contains(out, "beside it") {
		t.Fatalf("lean secrun without secrun-full ran an uncached definition: %v\n%s", err, out)
	}
	// A file is cached once it is 2 seconds old; secrun-full parses it and fills the cache.
	time.Sleep(2100 * time.Millisecond)
	if out, err := run(paired, printToken...); err != nil || !strings.Contains(out, "token=s3cret-value") {
		t.Fatalf("run through the pair: %v\n%s", err, out)
	}
	// Now lean secrun alone runs it.
	if out, err := run(lean, printToken...); err != nil || !strings.Contains(out, "token=s3cret-value") {
		t.Fatalf("lean secrun alone, cached definitions: %v\n%s", err, out)
	}
	if out, err := run(lean, "-e", "e", "-n", "3", "--", "show", "a", "b c"); err != nil || !strings.Contains(out, "token=s3cret-value cores=3 args=a,b c") {
		t.Fatalf("lean secrun alone, a word list executable: %v\n%s", err, out)
	}
	if out, err := run(lean, "-e", "e", "--", "text"); err != nil || !strings.Contains(out, "hello token=s3cret-value") {
		t.Fatalf("lean secrun alone, shell text after setup lines: %v\n%s", err, out)
	}
	// A missing secret is its own error, with no hand-off.
	if err := os.WriteFile(defs, []byte("[[env]]\nname = \"e\"\nsecrets = [\"TOKEN\", \"OTHER\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	run(paired, "env", "list") // fills the cache again
	if out, err := run(lean, printToken...); err == nil || !strings.Contains(out, "OTHER") || strings.Contains(out, "secrun-full") {
		t.Fatalf("lean secrun alone, missing secret: %v\n%s", err, out)
	}
	// hpcFlow's environment_sources: secrun-full reads its config.yaml and caches the lists,
	// then lean secrun reads them from the cache, and the YAML definitions from theirs.
	conf := filepath.Join(home, "hpcflow")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(conf, "config.yaml"), []byte("configs:\n  m:\n    config:\n      environment_sources: [envs.yaml]\n"), 0o600)
	os.WriteFile(filepath.Join(conf, "envs.yaml"), []byte("- name: h\n  secrets: [TOKEN]\n"), 0o600)
	env = append(env, "SECRUN_ENV_SOURCES=hpcflow,bogus", "HPCFLOW_CONFIG_DIR="+conf) // bogus: one warning
	printH := []string{"-e", "h", "--", "sh", "-c", "echo token=$TOKEN"}
	if out, err := run(lean, printH...); err == nil || !strings.Contains(out, "secrun-full") {
		t.Fatalf("lean secrun alone read an uncached config.yaml: %v\n%s", err, out)
	}
	time.Sleep(2100 * time.Millisecond)
	if out, err := run(paired, printH...); err != nil || !strings.Contains(out, "token=s3cret-value") || strings.Count(out, "warning") != 1 {
		t.Fatalf("environment_sources through the pair (one warning): %v\n%s", err, out)
	}
	if out, err := run(lean, printH...); err != nil || !strings.Contains(out, "token=s3cret-value") || strings.Count(out, "warning") != 1 {
		t.Fatalf("lean secrun alone, cached environment_sources (one warning): %v\n%s", err, out)
	}

	// A symbolic link to secrun elsewhere (as in /usr/local/bin) finds secrun-full beside
	// the real file.
	link := filepath.Join(t.TempDir(), "secrun")
	if err := os.Symlink(paired, link); err != nil {
		t.Fatal(err)
	}
	if out, err := run(link, "--version"); err != nil || !strings.Contains(out, "secrun 0.0.0-test") {
		t.Fatalf("hand-off through a link: %v\n%s", err, out)
	}
	// Everything else goes to secrun-full: here it is absent, and the error names it.
	for _, args := range [][]string{{"--version"}, {"secrets", "list"}, {"-v", "-e", "e", "--", "true"}} {
		if out, err := run(lean, args...); err == nil || !strings.Contains(out, "cannot run "+filepath.Join(bin, "secrun-full")) {
			t.Errorf("lean secrun alone, %q: want the hand-off error, got %v\n%s", args, err, out)
		}
	}
}

// TestLeanDeps: the lean build links no command-line parser, D-Bus, keyring client or YAML
// parser, whose package initialisers would run at every launch. (It keeps the shell parser,
// which shell-text commands need, and with it regexp.)
func TestLeanDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lean", "-deps", "github.com/secrun/secrun").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/alecthomas/kong", "github.com/godbus/", "github.com/zalando/go-keyring",
			"github.com/goccy/go-yaml", "internal/yamlnode", "go/doc"} {
			if strings.HasPrefix(dep, banned) || strings.HasSuffix(dep, "/"+banned) {
				t.Errorf("the lean build links %s", dep)
			}
		}
	}
}
