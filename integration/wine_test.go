//go:build linux

package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestWine runs the real Windows binary under Wine (testenv/wine.sh sets SECRUN_TEST_WINE
// and WINEPREFIX): every run goes through testdata/wintool, a Windows parent that reports
// the exit status as Windows gives it, and each subtest has its own user profile directories.
// Wine cannot show real NTFS ACL enforcement, other users or Ctrl-C; it maps a file's Unix
// mode to the DACL it reports, which is how a store that everyone can read is made here.
func TestWine(t *testing.T) {
	if os.Getenv("SECRUN_TEST_WINE") == "" {
		msg := "no Wine for the Windows tests: run ./test.sh, which (as root) installs Wine and makes a prefix (testenv/wine.sh), or export SECRUN_TEST_WINE=1 and WINEPREFIX yourself"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	w := newWine(t)

	t.Run("store", func(t *testing.T) {
		u := w.user(t)
		u.ok(t, "tok-s3cr3t", "--store", "file", "secrets", "set", "TOKEN")
		if r := u.ok(t, "", "--store", "file", "secrets", "get", "TOKEN"); r.Stdout != "tok-s3cr3t" {
			t.Errorf("get: %q", r.Stdout)
		}
		// The directory and the files secrun created have the user's entry only (Wine adds
		// SYSTEM), whatever the umask of the wineserver.
		dir := filepath.Join(u.local, "secrun")
		store := filepath.Join(dir, "secrets.json")
		lock := filepath.Join(dir, "secrets.lock")
		w.ownerOnly(t, dir, store, lock)
		// A lock file that everyone can open is refused, and named as the lock file.
		os.Chmod(lock, 0o644)
		r := u.run(t, "other-s3cr3t", "--store", "file", "secrets", "set", "OTHER")
		want(t, r, 125, `lock secret store: refusing to use lock file .*secrets.lock: its access control list gives \S*Everyone\S* access`)
		os.Chmod(lock, 0o600)
		// A store file that everyone can read is refused on every read, with the fix.
		os.Chmod(store, 0o644)
		r = u.run(t, "", "--store", "file", "secrets", "get", "TOKEN")
		want(t, r, 125, `refusing to use store file .*secrets.json: its access control list gives \S*Everyone\S* access`)
		want(t, r, 125, `hint: run: icacls ".*secrets.json" /inheritance:r /grant:r \*S-1-5-21-[0-9-]+:F`)
		os.Chmod(store, 0o600)
		os.Chmod(dir, 0o755)
		r = u.run(t, "", "--store", "file", "secrets", "get", "TOKEN")
		want(t, r, 125, `refusing to use store directory .*secrun: its access control list gives (?s).*hint: run: icacls .*\(OI\)\(CI\)F`)
		os.Chmod(dir, 0o700)
		noValue(t, r, "tok-s3cr3t")
	})

	t.Run("definitions", func(t *testing.T) {
		u := w.user(t)
		u.ok(t, "tok-s3cr3t", "--store", "file", "secrets", "set", "TOKEN")
		u.write(t, filepath.Join(u.appdata, "secrun", "envs.toml"), "[[env]]\nname = \"mine\"\nsecrets = [\"TOKEN\"]\n")
		u.write(t, filepath.Join(u.programdata, "secrun", "envs.toml"), "[[env]]\nname = \"site\"\nsecrets = [{ key = \"TOKEN\", as_env_var = \"SITE_TOKEN\" }]\n")
		extra := filepath.Join(u.root, "extra.toml")
		u.write(t, extra, "[[env]]\nname = \"extra\"\nsecrets = [{ key = \"TOKEN\", as_env_var = \"EXTRA\" }]\n")
		if r := u.ok(t, "", "--store", "file", "-e", "mine", "--", w.wintool, "env", "TOKEN", "SECRUN_ENV"); r.Stdout != "TOKEN=tok-s3cr3t\nSECRUN_ENV=mine\n" {
			t.Errorf("user definition: %q", r.Stdout)
		}
		if r := u.ok(t, "", "--store", "file", "-e", "site", "--", w.wintool, "env", "SITE_TOKEN"); r.Stdout != "SITE_TOKEN=tok-s3cr3t\n" {
			t.Errorf("%%ProgramData%% definition: %q", r.Stdout)
		}
		other := filepath.Join(u.root, "other.toml")
		u.write(t, other, "[[env]]\nname = \"other\"\n")
		u.env = append(u.env, "-env", "SECRUN_ENVS="+winPath(other)+";"+winPath(extra))
		if r := u.ok(t, "", "--store", "file", "-e", "extra", "--", w.wintool, "env", "EXTRA"); r.Stdout != "EXTRA=tok-s3cr3t\n" {
			t.Errorf("SECRUN_ENVS with ';': %q", r.Stdout)
		}
	})

	t.Run("exit codes", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"e\"\n")
		for _, code := range []string{"0", "3", "255", "256", "3221225477", "4294967295"} {
			r := u.run(t, "", "-e", "e", "--", w.wintool, "exit", code)
			if fmt.Sprint(r.Code) != code {
				t.Errorf("child exit %s: secrun exited %d (%s)", code, r.Code, r.Stderr)
			}
		}
		r := u.run(t, "", "-e", "e", "--", "no-such-command-xyz")
		want(t, r, 127, `command "no-such-command-xyz" not found`)
		notes := filepath.Join(u.root, "notes.txt")
		u.write(t, notes, "not a program\n")
		want(t, u.run(t, "", "-e", "e", "--", winPath(notes)), 126, `cannot run .*notes.txt`)
		// A path without an extension is found through PATHEXT.
		r = u.run(t, "", "-e", "e", "--", strings.TrimSuffix(w.wintool, ".exe"), "exit", "9")
		want(t, r, 9, ``)
	})

	t.Run("arguments", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"e\"\nsecrets = [\"TOKEN\"]\n")
		u.ok(t, "tok-s3cr3t", "--store", "file", "secrets", "set", "TOKEN")
		args := []string{"two words", `"quoted"`, `back\slash\`, "", `a&b|c`, "%TOKEN%"}
		r := u.ok(t, "", append([]string{"--store", "file", "-e", "e", "--", w.wintool, "args"}, args...)...)
		if r.Stdout != "[two words]\n[\"quoted\"]\n[back\\slash\\]\n[]\n[a&b|c]\n[%TOKEN%]\n" {
			t.Errorf("arguments reached the program as %q", r.Stdout)
		}
		// --mask: the value never reaches the output, and the status is the child's.
		r = u.run(t, "", "--store", "file", "--mask", "-e", "e", "--", "cmd", "/c", "echo token=%TOKEN% & exit 4")
		if want(t, r, 4, ``); !strings.Contains(r.Stdout, "token=<concealed by secrun>") {
			t.Errorf("--mask: %q", r.Stdout)
		}
		noValue(t, r, "tok-s3cr3t")
		bat := filepath.Join(u.root, "show.bat")
		u.write(t, bat, "@echo off\r\necho [%1] [%2] [%3]\r\nexit /b 5\r\n")
		cmdFile := filepath.Join(u.root, "show.cmd")
		u.write(t, cmdFile, "@echo off\r\necho [%1]\r\n")
		r = u.run(t, "", "--store", "file", "-e", "e", "--", winPath(bat), "a b", "x&y^z", "plain")
		if want(t, r, 5, ``); strings.TrimSpace(r.Stdout) != `["a b"] ["x&y^z"] [plain]` {
			t.Errorf(".bat arguments: %q", r.Stdout)
		}
		if r = u.ok(t, "", "--store", "file", "-e", "e", "--", winPath(cmdFile), "c;d=e"); strings.TrimSpace(r.Stdout) != `["c;d=e"]` {
			t.Errorf(".cmd arguments: %q", r.Stdout)
		}
		// cmd.exe would expand these into the batch file's arguments: refused.
		for _, a := range []string{"%TOKEN%", "!TOKEN!", `say "hi"`, "two\nlines"} {
			r = u.run(t, "", "--store", "file", "-e", "e", "--", winPath(bat), a)
			want(t, r, 125, `refusing to run batch file .*show.bat: argument 1 holds`)
			noValue(t, r, "tok-s3cr3t")
		}
	})

	t.Run("clean env", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"e\"\n")
		u.env = append(u.env, "-env", "NOISE=loud")
		names := []string{"SYSTEMROOT", "WINDIR", "TEMP", "TMP", "USERPROFILE", "COMSPEC", "PATHEXT", "SYSTEMDRIVE", "LOCALAPPDATA", "NOISE"}
		r := u.ok(t, "", append([]string{"--clean-env", "-e", "e", "--", w.wintool, "env"}, names...)...)
		for _, n := range names[:len(names)-1] {
			if !strings.Contains(r.Stdout, n+"=") {
				t.Errorf("--clean-env dropped %s:\n%s", n, r.Stdout)
			}
		}
		if !strings.Contains(r.Stdout, "NOISE unset") {
			t.Errorf("--clean-env kept NOISE:\n%s", r.Stdout)
		}
		// cmd.exe finds its way with what is kept.
		bat := filepath.Join(u.root, "hi.bat")
		u.write(t, bat, "@echo off\r\necho hi %USERNAME%\r\n")
		if r = u.ok(t, "", "--clean-env", "-e", "e", "--", winPath(bat)); !strings.HasPrefix(r.Stdout, "hi ") {
			t.Errorf("batch file under --clean-env: %q", r.Stdout)
		}
	})

	t.Run("file secrets", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"e\"\nsecrets = [{ key = \"cert\", file = true }]\n")
		u.ok(t, "cert-s3cr3t", "--store", "file", "secrets", "set", "cert")
		r := u.ok(t, "", "--store", "file", "-e", "e", "--", w.wintool, "env", "SECRUN_SECRETS_DIR", "cert_FILE")
		dir := hostPath(strings.TrimPrefix(strings.Split(r.Stdout, "\n")[0], "SECRUN_SECRETS_DIR="))
		if !strings.HasPrefix(dir, u.temp) || r.Stderr != "" {
			t.Errorf("private directory %s, not in %s; stderr %q", dir, u.temp, r.Stderr)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("private directory %s left behind: %v", dir, err)
		}
		// HOME at the profile, as Git Bash, MSYS2 and Cygwin set it, around the temp directory.
		u.env = append(u.env, "-env", "HOME="+winPath(u.profile))
		r = u.ok(t, "", "--store", "file", "-e", "e", "--", "cmd", "/c", "type %cert_FILE%")
		if r.Stdout != "cert-s3cr3t" {
			t.Errorf("with HOME at the profile: %q", r.Stdout)
		}
		// A private directory that cannot be removed (another process holds a file in it open)
		// is named in a warning.
		r = u.ok(t, "", "--store", "file", "-e", "e", "--", "cmd", "/c", w.wintool, "hold", `%SECRUN_SECRETS_DIR%\held`, "2000")
		if !regexp.MustCompile(`secrun: warning: remove private directory \S+: `).MatchString(r.Stderr) {
			t.Errorf("no warning about the directory left behind: %q", r.Stderr)
		}
	})

	t.Run("keyring and auto", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"e\"\nsecrets = [\"RING\", \"BIG\", \"FILED\"]\n")
		u.ok(t, "ring-s3cr3t", "secrets", "set", "RING")
		big := strings.Repeat("0123456789abcdef", 400) // 6400 bytes: three Credential Manager items
		u.ok(t, big, "secrets", "set", "BIG")
		u.ok(t, "file-s3cr3t", "--store", "file", "secrets", "set", "FILED")
		r := u.ok(t, "", "secrets", "list")
		if !strings.Contains(r.Stdout, "RING ") || !strings.Contains(r.Stdout, "keyring") || !strings.Contains(r.Stdout, "file") {
			t.Errorf("list:\n%s", r.Stdout)
		}
		if r = u.ok(t, "", "--store", "keyring", "secrets", "get", "BIG"); r.Stdout != big {
			t.Errorf("split value: %d bytes back", len(r.Stdout))
		}
		r = u.ok(t, "", "-v", "-e", "e", "--", w.wintool, "env", "RING", "FILED")
		if r.Stdout != "RING=ring-s3cr3t\nFILED=file-s3cr3t\n" {
			t.Errorf("auto run: %q", r.Stdout)
		}
		u.ok(t, "", "secrets", "delete", "RING")
		u.ok(t, "", "secrets", "delete", "BIG")
		w.ownerOnly(t, filepath.Join(u.local, "secrun", "keyring-index.json"), filepath.Join(u.local, "secrun", "keyring-index.lock"))
	})

	t.Run("import and audit", func(t *testing.T) {
		u := w.user(t)
		u.write(t, filepath.Join(u.appdata, "secrun", "config.toml"), "store = \"file\"\naudit = true\n")
		u.defs(t, "[[env]]\nname = \"e\"\nsecrets = [\"A\"]\n")
		in := filepath.Join(u.root, "in.json")
		u.write(t, in, `{"A": "a-s3cr3t", "B": "b-s3cr3t"}`)
		os.Chmod(in, 0o644)
		r := u.run(t, "", "secrets", "import", "--from", "json", winPath(in))
		want(t, r, 125, `refusing to use JSON secrets file .*in.json: its access control list gives`)
		want(t, r, 125, `icacls ".*in.json"`)
		os.Chmod(in, 0o600)
		want(t, u.ok(t, "", "secrets", "import", "--from", "json", winPath(in)), 0, `imported 2 secrets`)
		u.ok(t, "", "-e", "e", "--", w.wintool, "exit", "0")
		u.ok(t, "", "-e", "e", "--", w.wintool, "exit", "0") // appended after the first line
		log, err := os.ReadFile(filepath.Join(u.local, "secrun", "audit.jsonl"))
		if err != nil || bytes.Count(log, []byte(`"env":"e"`)) != 2 || bytes.Count(log, []byte("\n")) != 2 || bytes.Contains(log, []byte("s3cr3t")) {
			t.Errorf("audit log: %v\n%s", err, log)
		}
		w.ownerOnly(t, filepath.Join(u.local, "secrun", "audit.jsonl"))
	})

	// The Credential Manager probe: auto writes to the file store when this session has no
	// credential set (which Wine cannot show), and to Credential Manager when it answers.
	t.Run("credential manager probe", func(t *testing.T) {
		exe := filepath.Join(w.dir, "keystore.test.exe")
		w.build(t, exe, "./keystore", "test", "-c")
		out, err := exec.Command("wine", exe, "-test.run", "^TestCredStatus$", "-test.v").CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestCredStatus")) {
			t.Errorf("keystore's Windows test under Wine: %v\n%s", err, out)
		}
	})

	t.Run("setup lines", func(t *testing.T) {
		u := w.user(t)
		u.defs(t, "[[env]]\nname = \"s\"\nsetup = [\"export X=1\"]\n")
		r := u.run(t, "", "-e", "s", "--", w.wintool, "exit", "0")
		want(t, r, 125, `setup lines and shell-text commands are bash commands, which secrun does not run on Windows; the command did not run`)
		r = u.run(t, "", "env", "check")
		want(t, r, 0, ``)
		if !strings.Contains(r.Stdout, `warning: environment "s": setup lines and shell-text commands are bash commands, which secrun does not run on Windows, so a run of this environment is refused here`) {
			t.Errorf("env check:\n%s", r.Stdout)
		}
	})
	t.Run("cleanup refused", func(t *testing.T) {
		u := w.user(t)
		r := u.run(t, "", "cleanup")
		want(t, r, 125, `secrun cleanup is for Unix nodes; on Windows .* removes none`)
	})
}

// ownerOnly checks that each of paths has a DACL without an entry for Everyone (Wine reports
// the user's entry and SYSTEM's for a private file).
func (w *wineRig) ownerOnly(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if sddl := w.tool(t, "sddl", winPath(p)); strings.Contains(sddl, ";WD)") || !strings.Contains(sddl, "D:") {
			t.Errorf("DACL of %s: %s", p, sddl)
		}
	}
}

// wineRig holds the Windows binaries.
type wineRig struct {
	dir     string // host directory of the binaries
	secrun  string // Windows paths
	wintool string
	n       int
}

func newWine(t *testing.T) *wineRig {
	dir := t.TempDir()
	w := &wineRig{dir: dir, secrun: winPath(filepath.Join(dir, "secrun.exe")), wintool: winPath(filepath.Join(dir, "wintool.exe"))}
	w.build(t, filepath.Join(dir, "secrun.exe"), ".", "build")
	w.build(t, filepath.Join(dir, "wintool.exe"), "./integration/testdata/wintool", "build")
	return w
}

// build runs 'go GOCMD... -o out pkg' for windows/amd64 in the module's root.
func (w *wineRig) build(t *testing.T, out, pkg string, gocmd ...string) {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command("go", append(gocmd, "-trimpath", "-o", out, pkg)...)
	cmd.Dir, cmd.Env = filepath.Dir(filepath.Dir(file)), append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s for Windows: %v\n%s", pkg, err, b)
	}
}

// tool runs wintool directly and returns its output.
func (w *wineRig) tool(t *testing.T, args ...string) string {
	cmd := exec.Command("wine", append([]string{filepath.Join(w.dir, "wintool.exe")}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("wintool %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// winUser is one user's profile: its directories on the host and the -env options that
// point Windows at them.
type winUser struct {
	w                                                *wineRig
	root, profile, local, appdata, programdata, temp string
	env                                              []string
}

func (w *wineRig) user(t *testing.T) *winUser {
	w.n++
	root := t.TempDir()
	u := &winUser{w: w, root: root, profile: filepath.Join(root, "profile"), programdata: filepath.Join(root, "ProgramData")}
	u.local = filepath.Join(u.profile, "AppData", "Local")
	u.appdata = filepath.Join(u.profile, "AppData", "Roaming")
	u.temp = filepath.Join(u.local, "Temp")
	for _, d := range []string{u.temp, u.appdata, u.programdata} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	set := func(name, value string) { u.env = append(u.env, "-env", name+"="+value) }
	set("USERPROFILE", winPath(u.profile))
	set("LOCALAPPDATA", winPath(u.local))
	set("APPDATA", winPath(u.appdata))
	set("ProgramData", winPath(u.programdata))
	set("TEMP", winPath(u.temp))
	set("TMP", winPath(u.temp))
	set("SECRUN_KEYRING_SERVICE", fmt.Sprintf("secrun-wine-%d-%d-%d", os.Getpid(), time.Now().UnixNano(), w.n))
	for _, n := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "SECRUN_ENVS", "SECRUN_STORE", "SECRUN_DATA_DIR"} {
		u.env = append(u.env, "-unset", n)
	}
	return u
}

// defs writes the user's envs.toml.
func (u *winUser) defs(t *testing.T, text string) {
	u.write(t, filepath.Join(u.appdata, "secrun", "envs.toml"), text)
}

func (u *winUser) write(t *testing.T, path, text string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// wineResult is what wintool run reports.
type wineResult struct {
	Stdout, Stderr string
	Code           uint32
	args           []string
}

// run runs secrun.exe with args under the user's profile, stdin as its input.
//
// Wine's CreateProcess now and then fails with "Internal error." (for wintool starting
// secrun.exe and for secrun starting its child, with older builds of secrun as well), and
// wine now and then exits 1 before wintool has reported anything. A run
// that fails in one of those ways is tried again, up to three times in all, and logged; any
// other outcome is the run's own.
func (u *winUser) run(t *testing.T, stdin string, args ...string) wineResult {
	t.Helper()
	for attempt := 1; ; attempt++ {
		argv := append(append([]string{filepath.Join(u.w.dir, "wintool.exe"), "run"}, u.env...), "--", u.w.secrun)
		cmd := exec.Command("wine", append(argv, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		out, err := cmd.Output()
		var r wineResult
		reported := err == nil && json.Unmarshal(out, &r) == nil
		wineFault := !reported && (len(out) == 0 || strings.Contains(errOut.String(), "Internal error.")) ||
			reported && r.Code == 126 && strings.Contains(r.Stderr, ": Internal error.")
		if wineFault && attempt < 3 {
			t.Logf("wine secrun %v: Wine failed to start a process (attempt %d; %v %s%s), trying again", args, attempt, err, errOut.Bytes(), r.Stderr)
			continue
		}
		if !reported {
			t.Fatalf("wine secrun %v: %v\n%s%s", args, err, out, errOut.Bytes())
		}
		r.args = args
		return r
	}
}

// ok runs secrun and fails the test unless it exits 0.
func (u *winUser) ok(t *testing.T, stdin string, args ...string) wineResult {
	t.Helper()
	r := u.run(t, stdin, args...)
	if r.Code != 0 {
		t.Fatalf("secrun %v: exit %d\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// want checks the exit status and, unless pattern is "", that stderr matches it.
func want(t *testing.T, r wineResult, code uint32, pattern string) {
	t.Helper()
	if r.Code != code {
		t.Errorf("secrun %q: exit %d, want %d\nstdout: %s\nstderr: %s", r.args, r.Code, code, r.Stdout, r.Stderr)
	}
	if pattern != "" && !regexp.MustCompile(pattern).MatchString(r.Stderr) {
		t.Errorf("secrun %q: stderr does not match %s:\n%s", r.args, pattern, r.Stderr)
	}
}

func noValue(t *testing.T, r wineResult, value string) {
	t.Helper()
	if strings.Contains(r.Stdout+r.Stderr, value) {
		t.Errorf("secrun %q printed a secret value:\n%s%s", r.args, r.Stdout, r.Stderr)
	}
}

// winPath is the Windows path of a host path: Wine maps / to drive Z:.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// hostPath undoes winPath.
func hostPath(p string) string {
	return strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(p, "Z:"), "z:"), `\`, "/")
}
