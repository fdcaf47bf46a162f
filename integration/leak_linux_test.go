package integration

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// canary is the recognisable secret value that the leak suite looks for.
const canary = "LEAKCANARY-s3cr3t-9f2b"

// TestLeaks runs every command and error path with and without --verbose, with secrets that
// hold the canary (a string, a JSON member, a file, a multi-line value), the audit log on,
// and asserts that the value is in no stderr, in no /proc/PID/cmdline of secrun or its child,
// in the audit log, and in no file under HOME or the working directory. Stdout is checked
// wherever the command is not meant to print the value.
func TestLeaks(t *testing.T) {
	base := t.TempDir()
	home, work, outside := filepath.Join(base, "home"), filepath.Join(base, "work"), t.TempDir()
	conf := filepath.Join(home, ".config", "secrun")
	for _, d := range []string{conf, work, filepath.Join(base, "run")} {
		os.MkdirAll(d, 0o700)
	}
	os.WriteFile(filepath.Join(conf, "config.toml"), []byte("audit = true\n"), 0o600)
	defs := `[[env]]
name = "e"
secrets = ["TOKEN", { key = "creds", json = true }, { key = "cert", file = true }, "MULTI"]

[[env]]
name = "badjson"
secrets = [{ key = "TOKEN", json = true }]

[[env]]
name = "missing"
secrets = ["TOKEN", "NOT_THERE"]

[[env]]
name = "setupfails"
setup = ["false"]
secrets = ["TOKEN"]

[[env]]
name = "bigvalue"
secrets = ["BIG"]

[[env]]
name = "control"
secrets = [{ key = "ctl", json = true }]
`
	os.WriteFile(filepath.Join(conf, "envs.toml"), []byte(defs), 0o600)
	certFile := filepath.Join(outside, "cert.pem")
	os.WriteFile(certFile, []byte("-----BEGIN CERT-----\n"+canary+"\n-----END CERT-----\n"), 0o600)
	env := isolatedEnv(home, "XDG_RUNTIME_DIR="+filepath.Join(base, "run"))
	bin := secrunBinary(t)

	type step struct {
		args       []string
		stdin      string
		valueOut   bool // stdout is meant to hold the value
		procChecks bool // the command prints /proc cmdlines of the child and its parent
	}
	cmdlines := `tr '\0' ' ' < /proc/$$/cmdline; echo; tr '\0' ' ' < /proc/$PPID/cmdline; echo; printenv TOKEN >/dev/null`
	steps := []step{
		{args: []string{"secrets", "set", "TOKEN"}, stdin: canary + "\n"},
		{args: []string{"secrets", "set", "creds"}, stdin: `{"user": "u", "password": "` + canary + `"}`},
		{args: []string{"secrets", "set", "--from-file", certFile, "cert"}},
		{args: []string{"secrets", "set", "MULTI"}, stdin: "line one\n" + canary + "\nline three"},
		{args: []string{"secrets", "set", "BIG"}, stdin: strings.Repeat(canary, 7000)},
		{args: []string{"secrets", "set", "ctl"}, stdin: `{"PATH": "` + canary + `", "ok": "` + canary + `"}`},
		{args: []string{"secrets", "set", "TOKEN"}, stdin: canary},                           // exists
		{args: []string{"secrets", "set", "TOKEN", canary + " with space", "extra"}},         // parse error
		{args: []string{"secrets", "set", "bad key"}, stdin: canary},                         // bad key
		{args: []string{"secrets", "set", "EMPTY"}, stdin: ""},                               // empty value
		{args: []string{"secrets", "set", "--from-file", filepath.Join(outside, "no"), "X"}}, // missing file
		{args: []string{"secrets", "get", "TOKEN"}, valueOut: true},
		{args: []string{"secrets", "get", "TOKN"}},
		{args: []string{"secrets", "list"}},
		{args: []string{"secrets", "list", "--json"}},
		{args: []string{"secrets", "list", "--values"}, valueOut: true},
		{args: []string{"secrets", "delete", "NOPE"}},
		{args: []string{"secrets", "move", "TOKEN", "--to", "keyring"}},
		{args: []string{"secrets", "doctor"}},
		{args: []string{"env", "list"}},
		{args: []string{"env", "show", "e"}},
		{args: []string{"env", "check"}},
		{args: []string{"-e", "e", "--", "sh", "-c", cmdlines}, procChecks: true},                             // exec path
		{args: []string{"-e", "e", "--mask", "--", "sh", "-c", cmdlines + "; echo $TOKEN"}, procChecks: true}, // supervised, masked
		{args: []string{"-e", "e", "--", "sh", "-c", "cat $cert_FILE >/dev/null; " + cmdlines}, procChecks: true},
		{args: []string{"-e", "badjson", "--", "true"}},
		{args: []string{"-e", "missing", "--", "true"}},
		{args: []string{"-e", "setupfails", "--", "true"}},
		{args: []string{"-e", "bigvalue", "--", "true"}},
		{args: []string{"-e", "control", "--", "true"}}, // a refused JSON member
		{args: []string{"env", "show", "control"}},
		{args: []string{"env", "check", "control"}},
		{args: []string{"-e", "e", "--", "no-such-command-xyz"}},
		{args: []string{"-e", "e", "--", "/etc/passwd"}},
		{args: []string{"-e", "nosuchenv", "--", "true"}},
		{args: []string{"-e", "e", "--bogus", "--", "true"}},
		{args: []string{"-e", "e", "-n", "-3", "--", "true"}},
	}
	for _, verbose := range []bool{false, true} {
		for _, s := range steps {
			args := s.args
			if verbose {
				args = append([]string{"--verbose"}, args...)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env, cmd.Dir, cmd.Stdin = env, work, strings.NewReader(s.stdin)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			cmd.Run()
			name := strings.Join(args, " ")
			if strings.Contains(errOut.String(), canary) {
				t.Errorf("%s: stderr holds the value:\n%s", name, errOut.String())
			}
			if !s.valueOut && strings.Contains(out.String(), canary) {
				t.Errorf("%s: stdout holds the value:\n%s", name, out.String())
			}
			if s.procChecks && !strings.Contains(out.String(), "sh -c") {
				t.Errorf("%s: the child did not print its command lines:\n%s%s", name, out.String(), errOut.String())
			}
		}
	}
	for _, root := range []string{home, work} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte(canary)) {
				t.Errorf("%s holds the value", path)
			}
			return nil
		})
	}
	audit, err := os.ReadFile(filepath.Join(home, ".local", "state", "secrun", "audit.jsonl"))
	if err != nil || !bytes.Contains(audit, []byte(`"key":"TOKEN"`)) {
		t.Errorf("the audit log was not written: %v", err)
	}
}
