package deliver

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// parseEnv reads one [[env]] named "e" from TOML lines, as a definition file gives it.
func parseEnv(t *testing.T, lines ...string) *envdef.Env {
	t.Helper()
	src := "[[env]]\nname = \"e\"\n" + strings.Join(lines, "\n") + "\n"
	envs, err := envdef.Parse("envs.toml", []byte(src))
	if err != nil {
		t.Fatalf("parsing the definition: %v\n%s", err, src)
	}
	return envs[0]
}

// entries are stored values, unscoped, in the file store.
func entries(kv ...string) map[string]keystore.Entry {
	out := map[string]keystore.Entry{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = keystore.Entry{Key: kv[i], Value: []byte(kv[i+1]), Store: "file"}
	}
	return out
}

// varsText is "NAME=value;..." in the plan's order.
func varsText(vars []launcher.Var) string {
	parts := make([]string, len(vars))
	for i, v := range vars {
		parts[i] = v.Name + "=" + v.Value
	}
	return strings.Join(parts, ";")
}

// filesText is "name $VAR=data;..." in the plan's order.
func filesText(files []launcher.File) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s $%s=%s", f.Name, f.Var, f.Data)
	}
	return strings.Join(parts, ";")
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		def    []string // the lines of [[env]] after its name
		stored map[string]keystore.Entry
		vars   string // the plan's variables, "NAME=value;..."
		files  string // the plan's files, "name $VAR=data;..."
		err    string // a part of the error, when Build refuses
	}{
		{name: "plain secrets", def: []string{`secrets = ["API_TOKEN", "db-pass", "a.b/c"]`},
			stored: entries("API_TOKEN", "t0k", "db-pass", "pw", "a.b/c", "x"),
			vars:   "API_TOKEN=t0k;db_pass=pw;a_b_c=x"},
		{name: "as_env_var", def: []string{`secrets = [{ key = "db-pass", as_env_var = "PGPASSWORD" }]`},
			stored: entries("db-pass", "pw"), vars: "PGPASSWORD=pw"},
		{name: "empty value", def: []string{`secrets = ["A"]`}, stored: entries("A", ""), vars: "A="},
		{name: "optional missing", def: []string{`secrets = [{ key = "absent", optional = true }, "A"]`},
			stored: entries("A", "x"), vars: "A=x"},
		{name: "optional present", def: []string{`secrets = [{ key = "B", optional = true }]`},
			stored: entries("B", "y"), vars: "B=y"},
		{name: "missing, all named in order", def: []string{`secrets = ["Z", "A", "present", "M"]`},
			stored: entries("present", "s3cr3t"), err: "not stored: Z, A, M"},
		{name: "a refused member comes before the missing", def: []string{`secrets = ["Z", { key = "j", json = true }]`},
			stored: entries("j", `{"PATH": "/s3cr3t"}`), err: `member "PATH" would set PATH`},
		{name: "json members", def: []string{`secrets = [{ key = "creds", json = true }, "A"]`},
			stored: entries("creds", `{"user": "u", "n": 1, "ok": true, "o": {"x": [1, 2]}, "my-key.v/2": "k"}`, "A", "x"),
			vars:   `user=u;n=1;ok=true;o={"x":[1,2]};my_key_v_2=k;A=x`},
		{name: "json, no members", def: []string{`secrets = [{ key = "j", json = true }]`}, stored: entries("j", `{}`)},
		{name: "json not an object", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `"s3cr3t"`), err: `secret "j" (json = true) is a JSON string, not an object`},
		{name: "json not JSON", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"a": s3cr3t}`), err: "is not valid JSON (error at byte 5)"},
		{name: "json control variable refused", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"user": "u", "LD_PRELOAD": "/tmp/s3cr3t.so"}`),
			err:    `member "LD_PRELOAD" would set LD_PRELOAD`},
		{name: "json control variable allowed", def: []string{`secrets = [{ key = "j", json = true, allow_env_vars = ["PYTHONPATH"] }]`},
			stored: entries("j", `{"PYTHONPATH": "/opt/lib"}`), vars: "PYTHONPATH=/opt/lib"},
		{name: "json allowing one control variable refuses another", def: []string{`secrets = [{ key = "j", json = true, allow_env_vars = ["PYTHONPATH"] }]`},
			stored: entries("j", `{"PYTHONPATH": "/opt/lib", "PATH": "/s3cr3t"}`), err: `member "PATH" would set PATH`},
		{name: "json member with no variable name", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"1st": "s3cr3t"}`), err: `member "1st" gives no valid variable name`},
		{name: "json member with SECRUN_ prefix", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"secrun_env": "s3cr3t"}`), err: `member "secrun_env" of secret "j" would set variable secrun_env, which is reserved for secrun`},
		{name: "json member twice in the object", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"a": "s3cr3t", "a": "s3cr3t"}`), err: `has member "a" twice`},
		{name: "json members that become one variable", def: []string{`secrets = [{ key = "j", json = true }]`},
			stored: entries("j", `{"a-b": "s3cr3t", "a.b": "s3cr3t"}`),
			err:    `variable a_b would come from both member "a-b" of secret "j" and member "a.b" of secret "j"`},
		{name: "json member clashes with a secret before it", def: []string{`secrets = ["A", { key = "j", json = true }]`},
			stored: entries("A", "s3cr3t", "j", `{"A": "s3cr3t"}`),
			err:    `variable A would come from both secret "A" and member "A" of secret "j"`},
		{name: "json member clashes with a secret after it", def: []string{`secrets = [{ key = "j", json = true }, { key = "k", as_env_var = "A" }]`},
			stored: entries("j", `{"A": "s3cr3t"}`, "k", "s3cr3t"),
			err:    `variable A would come from both member "A" of secret "j" and secret "k"`},
		{name: "two json secrets with one member", def: []string{`secrets = [{ key = "j", json = true }, { key = "k", json = true }]`},
			stored: entries("j", `{"A": "s3cr3t"}`, "k", `{"A": "s3cr3t"}`),
			err:    `variable A would come from both member "A" of secret "j" and member "A" of secret "k"`},
		{name: "file secrets", def: []string{`secrets = [{ key = "tls", file = true }, { key = "ca", file = "ca.pem" }, { key = "k", file = true, as_env_var = "KEY_PATH" }]`},
			stored: entries("tls", "cert\x00bytes", "ca", "pem", "k", "key"),
			files:  "tls $tls_FILE=cert\x00bytes;ca.pem $ca_FILE=pem;k $KEY_PATH_FILE=key"},
		{name: "file secret beside a variable", def: []string{`secrets = ["A", { key = "B", file = true }]`},
			stored: entries("A", "x", "B", "y"), vars: "A=x", files: "B $B_FILE=y"},
		{name: "a file variable clashes with a member", def: []string{`secrets = [{ key = "B", file = true }, { key = "j", json = true }]`},
			stored: entries("B", "y", "j", `{"B_FILE": "s3cr3t"}`),
			err:    `variable B_FILE would come from both secret "B" and member "B_FILE" of secret "j"`},
		{name: "bundle", def: []string{`bundle = "all.json"`, `secrets = ["A", { key = "creds", json = true }, { key = "tls", file = true }, "raw", { key = "gone", optional = true }]`},
			stored: entries("A", "a\"<b>", "creds", `{"user": "u", "n": 1}`, "tls", "cert", "raw", "\xff\xfebin"),
			vars:   "A=a\"<b>;user=u;n=1;raw=\xff\xfebin",
			files: "tls $tls_FILE=cert;all.json $SECRUN_SECRETS_BUNDLE={\n" +
				`  "A": "a\"\u003cb\u003e",` + "\n" +
				`  "creds": {"user":"u","n":1},` + "\n" +
				`  "tls": "cert",` + "\n" +
				`  "raw": {"base64": "//5iaW4="}` + "\n}\n"},
		{name: "bundle of nothing", def: []string{`bundle = "b.json"`, `secrets = [{ key = "gone", optional = true }]`},
			files: "b.json $SECRUN_SECRETS_BUNDLE={\n}\n"},
		{name: "NUL in a variable", def: []string{`secrets = ["A"]`}, stored: entries("A", "s3cr3t\x00"),
			err: `secret "A" the value for $A holds a NUL byte`},
		{name: "NUL in a member", def: []string{`secrets = [{ key = "j", json = true }]`}, stored: entries("j", `{"m": "s3cr3t\u0000"}`),
			err: `secret "j" the value for $m holds a NUL byte`},
		{name: "too long for a variable", def: []string{`secrets = ["A"]`}, stored: entries("A", strings.Repeat("s3cr3t", 22000)),
			err: "the value for $A is 132000 bytes, more than an environment variable can carry (131070 bytes with its name)"},
		{name: "just long enough", def: []string{`secrets = ["A"]`}, stored: entries("A", strings.Repeat("v", maxVarLen-4)),
			vars: "A=" + strings.Repeat("v", maxVarLen-4)},
		{name: "too long as a file is fine", def: []string{`secrets = [{ key = "A", file = true }]`}, stored: entries("A", strings.Repeat("v", maxVarLen)),
			files: "A $A_FILE=" + strings.Repeat("v", maxVarLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := parseEnv(t, tt.def...)
			var notes []string
			p, err := Build(env, tt.stored, func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) })
			for _, n := range notes {
				if strings.Contains(n, "s3cr3t") {
					t.Errorf("a note holds a value: %s", n)
				}
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one with %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("the error holds a value: %v", err)
				}
				if h, ok := err.(interface{ Hint() string }); ok && strings.Contains(h.Hint(), "s3cr3t") {
					t.Errorf("the hint holds a value: %s", h.Hint())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := varsText(p.Vars); got != tt.vars {
				t.Errorf("variables:\n%q\nwant\n%q", got, tt.vars)
			}
			if got := filesText(p.Files); got != tt.files {
				t.Errorf("files:\n%q\nwant\n%q", got, tt.files)
			}
		})
	}
}

// TestBuildRecords checks what a plan keeps besides variables and files: the values to mask,
// in every form the run shows them, and the keys read with their store and scope, for the
// audit log.
func TestBuildRecords(t *testing.T) {
	env := parseEnv(t, `secrets = [{ key = "A", optional = true }, "B", { key = "j", json = true }, { key = "F", file = true }]`)
	found := entries("B", "b-value", "j", `{"m": "line\nbreak", "n": 12}`, "F", "file-value")
	found["B"] = keystore.Entry{Key: "B", Value: []byte("b-value"), Store: "keyring"}
	found["F"] = keystore.Entry{Key: "F", Value: []byte("file-value"), Store: "file", Scope: keystore.Scope{Project: "p"}}
	p, err := Build(env, found, nil)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, v := range p.Values {
		values = append(values, v.Key+":"+string(v.Value))
	}
	want := []string{"B:b-value", `j:{"m": "line\nbreak", "n": 12}`, "j:line\nbreak", `j:line\nbreak`, "j:12", "F:file-value"}
	if !slices.Equal(values, want) {
		t.Errorf("values to mask:\n%q\nwant\n%q", values, want)
	}
	read := []Source{{Key: "B", Store: "keyring"}, {Key: "j", Store: "file"}, {Key: "F", Store: "file", Scope: keystore.Scope{Project: "p"}}}
	if !reflect.DeepEqual(p.Read, read) {
		t.Errorf("read %+v, want %+v", p.Read, read)
	}
	if p.DirVar() != DirVar {
		t.Errorf("DirVar() = %q with a file secret", p.DirVar())
	}
	if got := varsText(p.PathVars()); got != "F_FILE=;SECRUN_SECRETS_DIR=" {
		t.Errorf("PathVars() = %q", got)
	}
	if got := varsText(p.Vars); got != "B=b-value;m=line\nbreak;n=12" {
		t.Errorf("variables %q", got)
	}

	p, err = Build(parseEnv(t, `secrets = ["B"]`), found, nil)
	if err != nil || p.DirVar() != "" || p.PathVars() != nil {
		t.Errorf("without files: DirVar() = %q, PathVars() = %v, err %v; want none", p.DirVar(), p.PathVars(), err)
	}
}

func TestBuildErrors(t *testing.T) {
	env := parseEnv(t, `secrets = ["A", { key = "j", json = true }, "B"]`)
	_, err := Build(env, entries("j", `{"PATH": "/bin"}`), nil)
	var se *SecretError
	if !errors.As(err, &se) || se.Secret.Key != "j" || se.Env != env {
		t.Fatalf("error %v, want a *SecretError for j", err)
	}
	if want := "envs.toml:3"; !strings.Contains(se.Hint(), "the secret is listed at "+want) || !strings.Contains(se.Hint(), `allow_env_vars = ["PATH"]`) {
		t.Errorf("hint %q, want the fix and %s", se.Hint(), want)
	}
	_, err = Build(env, entries("j", `{}`), nil)
	var me *MissingError
	if !errors.As(err, &me) || !slices.Equal(me.Keys, []string{"A", "B"}) || me.Env != env {
		t.Errorf("error %v, want a *MissingError for A, B", err)
	}
}

func TestOwn(t *testing.T) {
	got := varsText(Own("my_env", 64, "solver", 2))
	if want := "SECRUN_ENV=my_env;SECRUN_NUM_CORES=64;SECRUN_EXECUTABLE=solver;SECRUN_DEPTH=2"; got != want {
		t.Errorf("Own = %q, want %q", got, want)
	}
	for i, v := range Own("", 1, "", 1) {
		if v.Name != OwnNames[i] {
			t.Errorf("Own()[%d] is %s, OwnNames[%d] %s", i, v.Name, i, OwnNames[i])
		}
	}
}

// TestFetchScopes stores one key in several scopes of a real file store and checks which one
// an environment's lookup takes: (project, domain), then (project, any), (any, domain), and
// unscoped; never another project's or domain's.
func TestFetchScopes(t *testing.T) {
	store := keystore.NewFile(filepath.Join(t.TempDir(), "secrun"))
	put := func(value string, s keystore.Scope) {
		t.Helper()
		if _, err := store.Put(keystore.Entry{Key: "K", Value: []byte(value), Scope: s}, false); err != nil {
			t.Fatal(err)
		}
	}
	put("other-project", keystore.Scope{Project: "q"})
	put("other-both", keystore.Scope{Project: "q", Domain: "d"})
	tests := []struct {
		add    string // the value stored next, in the scope it names
		scope  keystore.Scope
		lookup []string // project and domain of the environment -> the value it gets ("" for none)
	}{
		{"", keystore.Scope{}, []string{"p/d=", "p/=", "/d=", "/="}},
		{"unscoped", keystore.Scope{}, []string{"p/d=unscoped", "p/=unscoped", "/d=unscoped", "/=unscoped", "q/=other-project", "q/d=other-both"}},
		{"domain", keystore.Scope{Domain: "d"}, []string{"p/d=domain", "p/=unscoped", "/d=domain", "/=unscoped", "p/e=unscoped"}},
		{"project", keystore.Scope{Project: "p"}, []string{"p/d=project", "p/=project", "/d=domain", "/=unscoped", "p/e=project"}},
		{"both", keystore.Scope{Project: "p", Domain: "d"}, []string{"p/d=both", "p/=project", "/d=domain", "/=unscoped", "p/e=project", "q/e=other-project"}},
	}
	for _, tt := range tests {
		if tt.add != "" {
			put(tt.add, tt.scope)
		}
		for _, l := range tt.lookup {
			scope, want, _ := strings.Cut(l, "=")
			project, domain, _ := strings.Cut(scope, "/")
			var def []string
			if project != "" {
				def = append(def, fmt.Sprintf("project = %q", project))
			}
			if domain != "" {
				def = append(def, fmt.Sprintf("domain = %q", domain))
			}
			env := parseEnv(t, append(def, `secrets = [{ key = "K", optional = true }]`)...)
			found, err := Fetch(env, store, nil)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Build(env, found, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(p.Vars) > 0 {
				got = p.Vars[0].Value
			}
			if got != want {
				t.Errorf("after storing %q: environment in %s gets %q, want %q", tt.add, Scope(env), got, want)
			}
		}
	}
}

// BenchmarkBuild100 is a run's plan for 100 secrets delivered as variables.
func BenchmarkBuild100(b *testing.B) {
	env := &envdef.Env{Name: "e"}
	found := map[string]keystore.Entry{}
	for i := range 100 {
		k := fmt.Sprintf("BENCH_%d", i)
		env.Secrets = append(env.Secrets, envdef.Secret{Key: k, Var: k})
		found[k] = keystore.Entry{Key: k, Value: []byte(fmt.Sprintf("v%02d-0123456789abcdef0123456789abcdef", i)), Store: "file"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(env, found, nil); err != nil {
			b.Fatal(err)
		}
	}
}
