package envdef

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/secrun/secrun/internal/names"
)

const fullExample = `# site environments
[[env]]
name = "my_env"
setup = ["module load openmpi/4.1"]
specifiers = { version = "1.2" }
secrets = [
  "MY_SECRET",                                     # short form
  { key = "db-password", as_env_var = "DB_PASS" }, # table form
]

[[env.executables]]
label = "my_executable"
  [[env.executables.instances]]
  command = "my_executable.exe"
  num_cores = 1
  [[env.executables.instances]]
  command = "mpirun -np <<num_cores>> my_executable.exe"
  num_cores = { start = 2, stop = 64, step = 1 }
  parallel_mode = "distributed"
`

func TestParseValid(t *testing.T) {
	one := Cores{1, 1, 1}
	tests := []struct {
		name string
		in   string
		want []*Env
	}{
		{"empty file", "", nil},
		{"comments only", "# nothing here\n\n", nil},
		{"full example", fullExample, []*Env{{
			Name: "my_env", File: "f.toml", Line: 2,
			Setup:      []string{"module load openmpi/4.1"},
			Specifiers: map[string]string{"version": "1.2"},
			Secrets: []Secret{
				{Key: "MY_SECRET", Var: "MY_SECRET", Line: 7},
				{Key: "db-password", Var: "DB_PASS", Renamed: true, Line: 8},
			},
			Executables: []Executable{{Label: "my_executable", Line: 11, Instances: []Instance{
				{Command: "my_executable.exe", NumCores: one, Line: 13},
				{Command: "mpirun -np <<num_cores>> my_executable.exe", NumCores: Cores{2, 64, 1}, ParallelMode: "distributed", Line: 16},
			}}},
		}}},
		{"name only", "[[env]]\nname = \"a\"\n", []*Env{{Name: "a", File: "f.toml", Line: 1}}},
		{"name characters", "[[env]]\nname = \"A-b_c.9\"\n", []*Env{{Name: "A-b_c.9", File: "f.toml", Line: 1}}},
		{"name of 64 characters", "[[env]]\nname = \"" + strings.Repeat("x", 64) + "\"\n",
			[]*Env{{Name: strings.Repeat("x", 64), File: "f.toml", Line: 1}}},
		{"setup string split on newlines", "[[env]]\nname = \"a\"\nsetup = \"one\\n\\n  \\r\\ntwo\\r\\n\"\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1, Setup: []string{"one", "two"}}}},
		{"setup empty list", "[[env]]\nname = \"a\"\nsetup = []\n", []*Env{{Name: "a", File: "f.toml", Line: 1}}},
		{"setup multi-line string hides headers and keys", `[[env]]
name = "a"
setup = """
module load x
[[env]]
name = "fake"
"""
secrets = ["S"]
[[env]]
name = "b"
`, []*Env{
			{Name: "a", File: "f.toml", Line: 1, Setup: []string{"module load x", "[[env]]", `name = "fake"`},
				Secrets: []Secret{{Key: "S", Var: "S", Line: 8}}},
			{Name: "b", File: "f.toml", Line: 9},
		}},
		{"specifiers scalars", "[[env]]\nname = \"a\"\nspecifiers = { s = \"x\", i = 3, f = 1.0, g = 2.5, b = true }\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1,
				Specifiers: map[string]string{"s": "x", "i": "3", "f": "1.0", "g": "2.5", "b": "true"}}}},
		{"specifiers sub-table", "[[env]]\nname = \"a\"\n[env.specifiers]\nversion = \"2\"\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1, Specifiers: map[string]string{"version": "2"}}}},
		{"secret keys sanitised", `[[env]]
name = "a"
secrets = ["db-pass", "x.y/z", "_ok9"]
`, []*Env{{Name: "a", File: "f.toml", Line: 1, Secrets: []Secret{
			{Key: "db-pass", Var: "db_pass", Line: 3},
			{Key: "x.y/z", Var: "x_y_z", Line: 3},
			{Key: "_ok9", Var: "_ok9", Line: 3},
		}}}},
		{"secrets as array of tables", `[[env]]
name = "a"
[[env.secrets]]
key = "k"
as_env_var = "V"
`, []*Env{{Name: "a", File: "f.toml", Line: 1, Secrets: []Secret{{Key: "k", Var: "V", Renamed: true, Line: 4}}}}},
		{"secret renamed to its own name", "[[env]]\nname = \"a\"\nsecrets = [{ key = \"K\", as_env_var = \"K\" }]\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1, Secrets: []Secret{{Key: "K", Var: "K", Renamed: true, Line: 3}}}}},
		{"variables differing in case", "[[env]]\nname = \"a\"\nsecrets = [\"foo\", \"FOO\"]\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1, Secrets: []Secret{{Key: "foo", Var: "foo", Line: 3}, {Key: "FOO", Var: "FOO", Line: 3}}}}},
		{"num_cores forms and parallel modes", `[[env]]
name = "a"
[[env.executables]]
label = "x"
[[env.executables.instances]]
command = "serial"
[[env.executables.instances]]
command = "omp"
num_cores = { start = 2, stop = 8 }
parallel_mode = "SHARED"
[[env.executables.instances]]
command = "mpi"
num_cores.start = 16
num_cores.stop = 64
num_cores.step = 16
parallel_mode = "Hybrid"
`, []*Env{{Name: "a", File: "f.toml", Line: 1, Executables: []Executable{{Label: "x", Line: 3, Instances: []Instance{
			{Command: "serial", NumCores: one, Line: 5},
			{Command: "omp", NumCores: Cores{2, 8, 1}, ParallelMode: "shared", Line: 7},
			{Command: "mpi", NumCores: Cores{16, 64, 16}, ParallelMode: "hybrid", Line: 11},
		}}}}}},
		{"two envs, two executables, spaced headers", `[[env]]
name = "a"
[[ env.executables ]]  # first
label = "x"
[[env.executables.instances]]
command = "x1"
[[env . executables]]
label = "y"
[[env.executables.instances]]
command = "y1"

[[env]]
name = "b"
`, []*Env{
			{Name: "a", File: "f.toml", Line: 1, Executables: []Executable{
				{Label: "x", Line: 3, Instances: []Instance{{Command: "x1", NumCores: one, Line: 5}}},
				{Label: "y", Line: 7, Instances: []Instance{{Command: "y1", NumCores: one, Line: 9}}},
			}},
			{Name: "b", File: "f.toml", Line: 12},
		}},
		{"CRLF and byte order mark", "\ufeff[[env]]\r\nname = \"a\"\r\nsecrets = [\r\n \"S\"]\r\n",
			[]*Env{{Name: "a", File: "f.toml", Line: 1, Secrets: []Secret{{Key: "S", Var: "S", Line: 4}}}}},
		{"inline environments have no lines", `env = [
  { name = "a", secrets = ["S"], executables = [{ label = "x", instances = [{ command = "c" }] }] },
]
`, []*Env{{Name: "a", File: "f.toml", Secrets: []Secret{{Key: "S", Var: "S"}},
			Executables: []Executable{{Label: "x", Instances: []Instance{{Command: "c", NumCores: one}}}}}}},
		{"delivery options and scopes", `[[env]]
name = "a"
project = "climate"
domain = "prod"
bundle = "secrets.json"
secrets = [
  { key = "aws-creds", json = true },
  { key = "tls/cert", file = true },
  { key = "ca", file = "ca.pem", as_env_var = "CA", optional = true },
  { key = "opt", optional = true, file = false },
  { key = "9creds", json = true, optional = false },
]
`, []*Env{{Name: "a", File: "f.toml", Line: 1, Project: "climate", Domain: "prod", Bundle: "secrets.json", Secrets: []Secret{
			{Key: "aws-creds", JSON: true, Line: 7},
			{Key: "tls/cert", Var: "tls_cert_FILE", File: "tls_cert", Line: 8},
			{Key: "ca", Var: "CA_FILE", File: "ca.pem", Renamed: true, Optional: true, Line: 9},
			{Key: "opt", Var: "opt", Optional: true, Line: 10},
			{Key: "9creds", JSON: true, Line: 11},
		}}}},
		{"inline executables fall back to the env line", `[[env]]
name = "a"
executables = [{ label = "x", instances = [{ command = "c" }] }]
`, []*Env{{Name: "a", File: "f.toml", Line: 1,
			Executables: []Executable{{Label: "x", Line: 1, Instances: []Instance{{Command: "c", NumCores: one, Line: 1}}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("f.toml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(envs []*Env) string {
	var b strings.Builder
	for _, e := range envs {
		fmt.Fprintf(&b, "\n\t%+v", *e)
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	env := "[[env]]\nname = \"e\"\n"                                                   // lines 1-2
	exe := env + "[[env.executables]]\nlabel = \"x\"\n[[env.executables.instances]]\n" // lines 3-5
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "[[env]]\nname = = 3\n", `f.toml:2: invalid TOML: ...`},
		{"unterminated array", env + "secrets = [\n", `f.toml:3: invalid TOML: ...`},
		{"key twice", env + "name = \"f\"\n", `f.toml:3: invalid TOML: ...`},
		{"table twice", env + "[env.specifiers]\na = \"1\"\n[env.specifiers]\n", `f.toml:5: invalid TOML: ...`},
		{"table header after its dotted keys", env + "specifiers.a = \"1\"\n[env.specifiers]\nb = \"2\"\n", `f.toml:4: invalid TOML: ...`},
		{"array then array of tables", env + "secrets = [\"A\"]\n[[env.secrets]]\nkey = \"B\"\n", `f.toml:4: invalid TOML: ...`},
		{"invalid UTF-8", env + "setup = \"\xff\"\n", `f.toml:3: invalid TOML: ...`},
		{"invalid UTF-8 in a comment", env + "# \xff\n", `f.toml:3: invalid TOML: ...`},
		{"integer beyond int64", exe + "command = \"c\"\nnum_cores = 99999999999999999999\n", `f.toml:7: invalid TOML: ...`},
		// Refused before the library, which would report the duplicate key on line 2.
		{"too many items", strings.Repeat("a = 1\n", MaxItems+1), fmt.Sprintf("f.toml:%d: more than %d keys, tables and arrays", MaxItems+1, MaxItems)},
		{"unknown top-level key", "version = 1\n" + env, `f.toml:1: unknown top-level key "version"`},
		{"env not tables", "env = 3\n", `f.toml:1: env must be an array of tables ([[env]])`},
		{"env array of numbers", "env = [1]\n", `f.toml:1: env must be an array of tables ([[env]])`},
		{"unknown env key", env + "projekt = \"x\"\n", `f.toml:3: environment "e": unknown key "projekt"`},
		{"unknown key before bad name", "[[env]]\nnmae = \"e\"\n", `f.toml:2: unknown key "nmae"`},
		{"project number", env + "project = 3\n", `f.toml:3: environment "e": project must be a string, not integer`},
		{"project invalid", env + "project = \"a b\"\n", `f.toml:3: environment "e": invalid project name "a b"`},
		{"domain leading dot", env + "domain = \".x\"\n", `f.toml:3: environment "e": invalid domain name ".x"`},
		{"bundle escapes", env + "bundle = \"../s.json\"\n", `f.toml:3: environment "e": bundle "../s.json" is not a valid file name`},
		{"bundle number", env + "bundle = 1\n", `f.toml:3: environment "e": bundle must be a string (a file name), not integer`},
		{"json not boolean", env + "secrets = [{ key = \"k\", json = \"yes\" }]\n", `f.toml:3: environment "e": secret "k": json must be true or false, not string`},
		{"optional not boolean", env + "secrets = [{ key = \"k\", optional = 1 }]\n", `f.toml:3: environment "e": secret "k": optional must be true or false, not integer`},
		{"file number", env + "secrets = [{ key = \"k\", file = 1 }]\n", `f.toml:3: environment "e": secret "k": file must be true, false or a file name, not integer`},
		{"file parent", env + "secrets = [{ key = \"k\", file = \"../k\" }]\n", `f.toml:3: environment "e": secret "k": file "../k" is not a valid file name`},
		{"file dot-dot", env + "secrets = [{ key = \"k\", file = \"..\" }]\n", `f.toml:3: environment "e": secret "k": file ".." is not a valid file name`},
		{"file absolute", env + "secrets = [{ key = \"k\", file = \"/etc/passwd\" }]\n", `f.toml:3: environment "e": secret "k": file "/etc/passwd" is not a valid file name`},
		{"file subdirectory", env + "secrets = [{ key = \"k\", file = \"a/b\" }]\n", `f.toml:3: environment "e": secret "k": file "a/b" is not a valid file name`},
		{"file backslash", env + "secrets = [{ key = \"k\", file = 'a\\b' }]\n", `f.toml:3: environment "e": secret "k": file "a\\b" is not a valid file name`},
		{"file NUL", env + "secrets = [{ key = \"k\", file = \"a\\u0000b\" }]\n", `f.toml:3: environment "e": secret "k": file "a\x00b" is not a valid file name`},
		{"file stream", env + "secrets = [{ key = \"k\", file = \"a:b\" }]\n", `f.toml:3: environment "e": secret "k": file "a:b" is not a valid file name`},
		{"file empty", env + "secrets = [{ key = \"k\", file = \"\" }]\n", `f.toml:3: environment "e": secret "k": file "" is not a valid file name`},
		{"json and file", env + "secrets = [{ key = \"k\", json = true, file = true }]\n", `f.toml:3: environment "e": secret "k": json and file cannot be used together`},
		{"json and as_env_var", env + "secrets = [{ key = \"k\", json = true, as_env_var = \"K\" }]\n", `f.toml:3: environment "e": secret "k": as_env_var cannot be used with json = true`},
		{"two secrets one file", env + "secrets = [{ key = \"a/b\", file = true }, { key = \"x\", file = \"a_b\" }]\n", `f.toml:3: environment "e": secrets "a/b" and "x" both become file "a_b"`},
		{"file is the bundle", env + "bundle = \"k\"\nsecrets = [{ key = \"k\", file = true }]\n", `f.toml:4: environment "e": secret "k": file "k" is also the name of the bundle`},
		{"file variable collides", env + "secrets = [\"K_FILE\", { key = \"K\", file = true }]\n", `f.toml:3: environment "e": secrets "K_FILE" and "K" both become variable "K_FILE"`},
		{"ignored key mistyped", env + "docs = \"x\"\n", `f.toml:3: environment "e": unknown key "docs"`},
		{"name missing", "[[env]]\nsetup = []\n", `f.toml:1: environment #1 has no name`},
		{"name missing in second env", env + "[[env]]\n", `f.toml:3: environment #2 has no name`},
		{"name not a string", "[[env]]\nname = 3\n", `f.toml:2: name must be a string, not integer`},
		{"name empty", "[[env]]\nname = \"\"\n", `f.toml:2: invalid environment name ""`},
		{"name with space", "[[env]]\nname = \"my env\"\n", `f.toml:2: invalid environment name "my env"`},
		{"name too long", "[[env]]\nname = \"" + strings.Repeat("x", 65) + "\"\n", `f.toml:2: invalid environment name "xxxx...`},
		{"name not ascii", "[[env]]\nname = \"é\"\n", `f.toml:2: invalid environment name "é"`},
		{"duplicate names", env + "\n[[env]]\nname = \"e\"\n", `f.toml:4: environment "e": defined twice in this file (first at line 1)`},
		{"duplicate specifiers", env + "specifiers = { v = \"1\" }\n[[env]]\nname = \"e\"\nspecifiers = { v = \"1\" }\n",
			`f.toml:4: environment "e": defined twice in this file with the same specifiers (first at line 1)`},
		{"setup number", env + "setup = 3\n", `f.toml:3: environment "e": setup must be a string or an array of strings, not integer`},
		{"setup list with number", env + "setup = [\"a\", 1]\n", `f.toml:3: environment "e": setup[1] must be a string, not integer`},
		{"specifiers string", env + "specifiers = \"x\"\n", `f.toml:3: environment "e": specifiers must be a table, not string`},
		{"specifier array", env + "specifiers = { a = [1] }\n", `f.toml:3: environment "e": specifier "a" must be a string, number or boolean, not array`},
		{"specifier table", env + "specifiers = { a = { b = 1 } }\n", `f.toml:3: environment "e": specifier "a" must be a string, number or boolean, not table`},
		{"specifier datetime", env + "specifiers = { a = 2024-01-01 }\n", `f.toml:3: environment "e": specifier "a" must be a string, number or boolean, not datetime`},
		{"secrets string", env + "secrets = \"X\"\n", `f.toml:3: environment "e": secrets must be an array, not string`},
		{"secret number", env + "secrets = [\n  \"A\",\n  3,\n]\n", `f.toml:4: environment "e": secret #2 must be a string or a table, not integer`},
		{"secret empty key", env + "secrets = [\"A\", \"\"]\n", `f.toml:3: environment "e": secret #2 has an empty key`},
		{"secret table without key", env + "secrets = [\n  \"A\",\n  { as_env_var = \"X\" },\n]\n", `f.toml:4: environment "e": secret #2 has no key`},
		{"secret key not a string", env + "secrets = [{ key = 3 }]\n", `f.toml:3: environment "e": secret #1: key must be a string, not integer`},
		{"secret listed twice", env + "secrets = [\n  \"A\",\n  \"B\",\n  { key = \"A\" },\n]\n", `f.toml:6: environment "e": secret "A" is listed twice (first at line 4)`},
		{"as_env_var invalid", env + "secrets = [{ key = \"k\", as_env_var = \"1X\" }]\n", `f.toml:3: environment "e": secret "k": as_env_var "1X" is not a valid variable name`},
		{"as_env_var empty", env + "secrets = [{ key = \"k\", as_env_var = \"\" }]\n", `f.toml:3: environment "e": secret "k": as_env_var "" is not a valid variable name`},
		{"as_env_var number", env + "secrets = [{ key = \"k\", as_env_var = 1 }]\n", `f.toml:3: environment "e": secret "k": as_env_var must be a string, not integer`},
		{"key starting with digit", env + "secrets = [\"9lives\"]\n", `f.toml:3: environment "e": secret "9lives" is not a valid variable name`},
		{"key not valid even sanitised", env + "secrets = [\"9-lives\"]\n", `f.toml:3: environment "e": secret "9-lives" is not a valid variable name (not even as "9_lives")`},
		{"key with space", env + "secrets = [\n\"ok\",\n\"db pass\"]\n", `f.toml:5: environment "e": secret "db pass" is not a valid variable name`},
		{"two keys one variable", env + "secrets = [\n  \"a-b\",\n  \"a_b\",\n]\n", `f.toml:5: environment "e": secrets "a-b" and "a_b" both become variable "a_b"`},
		{"rename collides", env + "secrets = [\"X\", { key = \"y\", as_env_var = \"X\" }]\n", `f.toml:3: environment "e": secrets "X" and "y" both become variable "X"`},
		{"error in second env", env + "\n[[env]]\nname = \"f\"\nsecrets = [\"\"]\n", `f.toml:6: environment "f": secret #1 has an empty key`},
		{"executables string", env + "executables = \"x\"\n", `f.toml:3: environment "e": executables must be an array of tables, not string`},
		{"executable unknown key", env + "[[env.executables]]\nlabel = \"x\"\nlable = \"y\"\n", `f.toml:5: environment "e": executable #1: unknown key "lable"`},
		{"label missing", env + "[[env.executables]]\ninstances = []\n", `f.toml:3: environment "e": executable #1 has no label`},
		{"label number", env + "[[env.executables]]\nlabel = 1\n", `f.toml:4: environment "e": executable #1: label must be a string, not integer`},
		{"label not identifier", env + "[[env.executables]]\nlabel = \"my-exe\"\n", `f.toml:4: environment "e": executable label "my-exe" is not a valid identifier`},
		{"label twice", exe + "command = \"c\"\n[[env.executables]]\nlabel = \"x\"\n", `f.toml:8: environment "e": executable "x" is defined twice (first at line 3)`},
		{"no instances", env + "[[env.executables]]\nlabel = \"x\"\n", `f.toml:3: environment "e": executable "x" has no instances`},
		{"empty instances", env + "[[env.executables]]\nlabel = \"x\"\ninstances = []\n", `f.toml:3: environment "e": executable "x" has no instances`},
		{"instances not tables", env + "[[env.executables]]\nlabel = \"x\"\ninstances = [1]\n", `f.toml:5: environment "e": executable "x": instances must be an array of tables, not an array holding integer`},
		{"instance unknown key", exe + "command = \"c\"\ncores = 2\n", `f.toml:7: environment "e": executable "x": instance 1: unknown key "cores"`},
		{"command missing", exe + "num_cores = 2\n", `f.toml:5: environment "e": executable "x": instance 1: missing command`},
		{"command empty", exe + "command = \"  \"\n", `f.toml:6: environment "e": executable "x": instance 1: command is empty`},
		{"command number", exe + "command = 1\n", `f.toml:6: environment "e": executable "x": instance 1: command must be a string, not integer`},
		{"second instance", exe + "command = \"c\"\n[[env.executables.instances]]\ncommand = \"d\"\nnum_cores = 0\n",
			`f.toml:9: environment "e": executable "x": instance 2: num_cores must be at least 1, not 0`},
		{"num_cores string", exe + "command = \"c\"\nnum_cores = \"x\"\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores must be an integer or a table, not string`},
		{"num_cores float", exe + "command = \"c\"\nnum_cores = 1.5\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores must be an integer or a table, not float`},
		{"num_cores negative", exe + "command = \"c\"\nnum_cores = -1\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores must be at least 1, not -1`},
		{"num_cores no start", exe + "command = \"c\"\nnum_cores = { stop = 4 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: missing start`},
		{"num_cores no stop", exe + "command = \"c\"\nnum_cores = { start = 4 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: missing stop`},
		{"num_cores start 0", exe + "command = \"c\"\nnum_cores = { start = 0, stop = 4 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: start must be at least 1, not 0`},
		{"num_cores stop < start", exe + "command = \"c\"\nnum_cores = { start = 4, stop = 2 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: stop (2) is less than start (4)`},
		{"num_cores step 0", exe + "command = \"c\"\nnum_cores = { start = 1, stop = 2, step = 0 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: step must be at least 1, not 0`},
		{"num_cores step string", exe + "command = \"c\"\nnum_cores = { start = 1, stop = 2, step = \"2\" }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: step must be an integer, not string`},
		{"num_cores unknown key", exe + "command = \"c\"\nnum_cores = { start = 1, end = 2 }\n", `f.toml:7: environment "e": executable "x": instance 1: num_cores: unknown key "end"`},
		{"parallel_mode unknown", exe + "command = \"c\"\nparallel_mode = \"mpi\"\n", `f.toml:7: environment "e": executable "x": instance 1: parallel_mode "mpi" is not one of distributed, shared, hybrid`},
		{"parallel_mode empty", exe + "command = \"c\"\nparallel_mode = \"\"\n", `f.toml:7: environment "e": executable "x": instance 1: parallel_mode "" is not one of distributed, shared, hybrid`},
		{"parallel_mode number", exe + "command = \"c\"\nparallel_mode = 1\n", `f.toml:7: environment "e": executable "x": instance 1: parallel_mode must be a string, not integer`},
		{"inline env has no line", "env = [{ name = \"a\", x = 1 }]\n", `f.toml: environment "a": unknown key "x"`},
	}
	// Scopes and bundles belong to the environment, not to a secret: rejected, not ignored.
	for _, k := range []string{"project", "domain", "bundle"} {
		tests = append(tests, struct{ name, in, want string }{"secret key " + k,
			env + "secrets = [\n  \"A\",\n  { key = \"k\", " + k + " = true },\n]\n",
			`f.toml:5: environment "e": secret "k": unknown key "` + k + `"`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			envs, err := Parse("f.toml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded with %d envs; want error %q", len(envs), tt.want)
			}
			var de *DefError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is %T, not *DefError", err, err)
			}
			// A want ending in "..." is a prefix; others must match exactly.
			got := err.Error()
			prefix, cut := strings.CutSuffix(tt.want, "...")
			if cut && !strings.HasPrefix(got, prefix) || !cut && got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseSyntaxErrorUnwraps(t *testing.T) {
	_, err := Parse("f.toml", []byte("a = [\n"))
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v does not wrap a *toml.DecodeError", err)
	}
}

func TestParseFoldedVariables(t *testing.T) {
	defer func(old bool) { names.FoldVars = old }(names.FoldVars)
	names.FoldVars = true
	_, err := Parse("f.toml", []byte("[[env]]\nname = \"e\"\nsecrets = [\"foo\", \"FOO\"]\n"))
	want := `f.toml:3: environment "e": secrets "foo" and "FOO" both become variable "FOO"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestDefErrorHint(t *testing.T) {
	tests := []struct{ in, hint string }{
		{"[[env]]\nname = \"e\"\nsecrets = [\"9x\"]\n", `name the variable: { key = "9x", as_env_var = "NAME" }`},
		{"[[env]]\nname = \"e\"\nsecrets = [{ key = \"k\", jsn = true }]\n", "a secret table takes key, as_env_var, json, file, optional and allow_env_vars"},
		{"[[env]]\nname = \"e\"\nx = 1\n", "an environment takes name, setup, specifiers, project, domain, bundle, mask, shell, secrets, executables (and hpcFlow's doc, setup_label, _hash_value, which secrun ignores)"},
		{"[[env]]\nname = 3\n", ""},
	}
	for _, tt := range tests {
		_, err := Parse("f.toml", []byte(tt.in))
		var de *DefError
		if !errors.As(err, &de) {
			t.Fatalf("Parse(%q) error = %v, want *DefError", tt.in, err)
		}
		if de.Hint() != tt.hint {
			t.Errorf("Parse(%q) hint = %q, want %q", tt.in, de.Hint(), tt.hint)
		}
	}
}

func TestDefErrorFormat(t *testing.T) {
	tests := []struct {
		e    DefError
		want string
	}{
		{DefError{File: "a.toml", Line: 12, Env: "my_env", Msg: `secret "db pass": bad`}, `a.toml:12: environment "my_env": secret "db pass": bad`},
		{DefError{File: "a.toml", Msg: "bad"}, `a.toml: bad`},
		{DefError{File: "a.toml", Line: 3, Msg: "bad"}, `a.toml:3: bad`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
