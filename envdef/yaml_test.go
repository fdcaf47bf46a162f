package envdef

import (
	"fmt"

	"github.com/secrun/secrun/internal/fileperm"

	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// hpcFlowEnvs is written as an hpcFlow user writes environments.yaml.
const hpcFlowEnvs = `# my environments
- name: python_env
  doc: Python with numpy.
  setup: |
    source /opt/venvs/py/bin/activate

    export OMP_NUM_THREADS=1
  secrets:
    - API_TOKEN
    - db-password
  executables:
    - label: python_script
      instances:
        - command: python "<<script_name>>" <<args>>
          num_cores: 1
          parallel_mode: null

- name: lammps_env
  setup_label: lammps
  specifiers:
    lammps_version: 1.20
    gcc_version: 3.0231.321+1
    debug: false
  setup:
    - module load lammps
  executables:
    - label: lammps
      instances:
        - command: lmp_serial
          num_cores: 1
          parallel_mode: null
        - command: mpirun -np <<num_cores>> lmp_mpi
          num_cores:
            start: 2
            stop: 64
          parallel_mode: DISTRIBUTED
        - command: lmp_omp
          num_cores: {start: 2, stop: 32, step: 2}
          parallel_mode: shared

- name: lammps_env
  specifiers:
    lammps_version: 2
  executables:
    - label: lammps
      instances:
        - command: lmp2
          num_cores: 1
          parallel_mode:
`

func TestParseYAML(t *testing.T) {
	envs, err := ParseYAML("envs.yaml", []byte(hpcFlowEnvs))
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 {
		t.Fatalf("got %d environments, want 3", len(envs))
	}
	py, lmp, lmp2 := envs[0], envs[1], envs[2]
	if py.Name != "python_env" || py.Line != 2 || !reflect.DeepEqual(py.Setup, []string{"source /opt/venvs/py/bin/activate", "export OMP_NUM_THREADS=1"}) {
		t.Errorf("python_env = %q line %d setup %q", py.Name, py.Line, py.Setup)
	}
	wantSecrets := []Secret{{Key: "API_TOKEN", Var: "API_TOKEN", Line: 9}, {Key: "db-password", Var: "db_password", Line: 10}}
	if !reflect.DeepEqual(py.Secrets, wantSecrets) {
		t.Errorf("secrets = %+v, want %+v", py.Secrets, wantSecrets)
	}
	if want := map[string]string{"lammps_version": "1.2", "gcc_version": "3.0231.321+1", "debug": "false"}; !reflect.DeepEqual(lmp.Specifiers, want) {
		t.Errorf("specifiers = %q, want %q", lmp.Specifiers, want)
	}
	want := []Instance{
		{Command: "lmp_serial", NumCores: Cores{1, 1, 1}, Line: 29},
		{Command: "mpirun -np <<num_cores>> lmp_mpi", NumCores: Cores{2, 64, 1}, ParallelMode: "distributed", Line: 32},
		{Command: "lmp_omp", NumCores: Cores{2, 32, 2}, ParallelMode: "shared", Line: 37},
	}
	if got := lmp.Executables[0].Instances; !reflect.DeepEqual(got, want) {
		t.Errorf("instances = %+v\nwant %+v", got, want)
	}
	in, err := lmp.Executable("lammps").Select(lmp, 16, "")
	if err != nil || in.Command != "mpirun -np <<num_cores>> lmp_mpi" {
		t.Errorf("Select(16) = %v, %v", in, err)
	}
	if lmp2.Specifiers["lammps_version"] != "2" || lmp2.Executables[0].Instances[0].ParallelMode != "" {
		t.Errorf("second lammps_env = %+v", lmp2)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	env := "- name: e\n"
	exe := env + "  executables:\n    - label: x\n      instances:\n        - command: c\n"
	tests := []struct{ name, yaml, want string }{
		{"syntax", "- name: [e\n", "f.yaml:1: invalid YAML"},
		{"not a list", "name: e\n", "f.yaml:1: an hpcFlow environment file is a list of environments, not a mapping"},
		{"unknown key", env + "  variables: x\n", `f.yaml:2: environment "e": unknown key "variables"`},
		{"no name", "- setup: x\n", "f.yaml:1: environment #1 has no name"},
		{"bad name", "- name: 'a b'\n", `f.yaml:1: invalid environment name "a b"`},
		{"field twice", env + "  setup: a\n  setup: b\n", `f.yaml:3: environment "e": key "setup" is given twice (first at line 2)`},
		{"duplicate", env + env, `f.yaml:2: environment "e": defined twice in this file (first at line 1)`},
		{"duplicate specifiers", env + "  specifiers: {v: '1'}\n" + env + "  specifiers: {v: '1'}\n",
			`f.yaml:3: environment "e": defined twice in this file with the same specifiers (first at line 1)`},
		{"secret list", env + "  secrets:\n    - [a]\n", `f.yaml:3: environment "e": secret #1 must be a string or a table, not a list`},
		{"secret table key", env + "  secrets:\n    - {key: a, jsn: true}\n", `f.yaml:3: environment "e": secret "a": unknown key "jsn"`},
		{"secret twice", env + "  secrets: [A, A]\n", `f.yaml:2: environment "e": secret "A" is listed twice`},
		{"secret vars", env + "  secrets: [a-b, a_b]\n", `environment "e": secrets "a-b" and "a_b" both become variable "a_b"`},
		{"specifier list", env + "  specifiers:\n    v: [1]\n", `f.yaml:2: environment "e": specifier "v" must be a string, number or boolean, not a list`},
		{"setup map", env + "  setup: {a: 1}\n", `f.yaml:2: environment "e": setup must be a string or an array of strings, not a mapping`},
		{"instance field", exe + "          cores: 2\n", `f.yaml:6: environment "e": executable "x": instance 1: unknown key "cores"`},
		{"no command", env + "  executables:\n    - label: x\n      instances:\n        - num_cores: 2\n", `f.yaml:5: environment "e": executable "x": instance 1: missing command`},
		{"no instances", env + "  executables:\n    - label: x\n", `f.yaml:3: environment "e": executable "x" has no instances`},
		{"bad label", env + "  executables:\n    - label: 1x\n      instances: [{command: c}]\n", `executable label "1x" is not a valid identifier`},
		{"bad mode", exe + "          parallel_mode: mpi\n", `f.yaml:6: environment "e": executable "x": instance 1: parallel_mode "mpi" is not one of distributed, shared, hybrid`},
		{"cores string", exe + "          num_cores: many\n", `instance 1: num_cores must be an integer or a table, not a string`},
		{"cores zero", exe + "          num_cores: 0\n", `num_cores must be at least 1, not 0`},
		{"cores no stop", exe + "          num_cores: {start: 2}\n", `num_cores: missing stop`},
		{"cores backwards", exe + "          num_cores: {start: 4, stop: 2}\n", `num_cores: stop (2) is less than start (4)`},
		{"cores field", exe + "          num_cores: {start: 1, stop: 2, by: 1}\n", `num_cores: unknown key "by"`},
		{"command quote", env + "  executables:\n    - label: x\n      instances: [{command: \"a 'b\"}]\n", `command: not valid shell text: 1:3: reached EOF without closing quote`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML("f.yaml", []byte(tt.yaml))
			var de *DefError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want a *DefError containing %q", err, tt.want)
			}
		})
	}
}

func TestParseYAMLIgnoredAndEmpty(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "null\n", "[]\n"} {
		if envs, err := ParseYAML("f.yaml", []byte(src)); err != nil || len(envs) != 0 {
			t.Errorf("ParseYAML(%q) = %v, %v; want nothing", src, envs, err)
		}
	}
	envs, err := ParseYAML("f.yaml", []byte("- name: e\n  doc: x\n  setup_label: y\n  _hash_value: abc\n  secrets: null\n"))
	if err != nil || len(envs) != 1 || envs[0].Secrets != nil {
		t.Errorf("ignored fields: %v, %v", envs, err)
	}
}

// TestConvertRoundTrip: YAML -> TOML -> the same environments.
func TestConvertRoundTrip(t *testing.T) {
	fromYAML, err := ParseYAML("envs.yaml", []byte(hpcFlowEnvs))
	if err != nil {
		t.Fatal(err)
	}
	text := FormatTOML(fromYAML)
	fromTOML, err := Parse("envs.toml", text)
	if err != nil {
		t.Fatalf("the TOML does not parse: %v\n%s", err, text)
	}
	if len(fromTOML) != len(fromYAML) {
		t.Fatalf("%d environments after the round trip, want %d", len(fromTOML), len(fromYAML))
	}
	for i := range fromYAML {
		a, b := comparable(fromYAML[i]), comparable(fromTOML[i])
		if !reflect.DeepEqual(a, b) {
			t.Errorf("environment %d differs:\nYAML %+v\nTOML %+v\n%s", i, a, b, text)
		}
	}
}

// TestFormatTOMLSecrets: every kind of TOML secret survives FormatTOML and Parse.
func TestFormatTOMLSecrets(t *testing.T) {
	src := `[[env]]
name = "e"
project = "p"
domain = "d"
bundle = "all.json"
setup = ["echo \"a\\b\"", "x\ty"]
specifiers = { "a b" = "1", v = "2" }
secrets = ["A", "b.c", { key = "k", as_env_var = "V" }, { key = "j", json = true }, { key = "x/y", file = true },
  { key = "f", file = "name.pem", as_env_var = "F" }, { key = "o", optional = true },
  { key = "ja", json = true, allow_env_vars = ["PATH", "LD_LIBRARY_PATH"] }]
`
	envs, err := Parse("a.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("b.toml", FormatTOML(envs))
	if err != nil {
		t.Fatalf("%v\n%s", err, FormatTOML(envs))
	}
	if a, b := comparable(envs[0]), comparable(back[0]); !reflect.DeepEqual(a, b) {
		t.Errorf("differs:\n%+v\n%+v\n%s", a, b, FormatTOML(envs))
	}
}

// comparable returns a copy of e without the positions, which a conversion changes.
func comparable(e *Env) Env {
	c := *e
	c.File, c.Line, c.Overrides = "", 0, nil
	c.Secrets = append([]Secret(nil), e.Secrets...)
	for i := range c.Secrets {
		c.Secrets[i].Line = 0
	}
	c.Executables = nil
	for _, x := range e.Executables {
		x.Line = 0
		x.Instances = append([]Instance(nil), x.Instances...)
		for i := range x.Instances {
			x.Instances[i].Line = 0
		}
		c.Executables = append(c.Executables, x)
	}
	return c
}

func TestPick(t *testing.T) {
	dir := t.TempDir()
	y := write(t, dir, "envs.yaml", hpcFlowEnvs)
	toml := write(t, dir, "more.toml", "[[env]]\nname = \"lammps_env\"\nspecifiers = { lammps_version = \"3\" }\n"+
		"[[env]]\nname = \"lammps_env\"\nspecifiers = { lammps_version = \"2\" }\nsetup = [\"override\"]\n")
	s, err := Load(nil, []string{y, toml}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec map[string]string
		want string // File:Line of the pick, or the error
	}{
		{map[string]string{"lammps_version": "1.2"}, y + ":18"},
		{map[string]string{"lammps_version": "1.2", "debug": "false"}, y + ":18"},
		{map[string]string{"lammps_version": "3"}, toml + ":1"},
		{map[string]string{"lammps_version": "2"}, toml + ":4"},
		{nil, `3 environments named "lammps_env" match`},
		{map[string]string{"lammps_version": "9"}, `no environment named "lammps_env" has specifiers lammps_version=9`},
	}
	for _, tt := range tests {
		e, err := s.Pick("lammps_env", tt.spec)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = e.File + ":" + strconv.Itoa(e.Line)
		}
		if got != tt.want {
			t.Errorf("Pick(%v) = %s, want %s", tt.spec, got, tt.want)
		}
	}
	_, err = s.Pick("lammps_env", nil)
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(amb.Hint(), y+":18: debug=false gcc_version=3.0231.321+1 lammps_version=1.2") ||
		!strings.Contains(amb.Hint(), toml+":1: lammps_version=3") {
		t.Errorf("hint = %v", err)
	}
	if e, _ := s.Pick("lammps_env", map[string]string{"lammps_version": "2"}); len(e.Overrides) != 1 || e.Overrides[0] != y+":41" {
		t.Errorf("Overrides = %q, want the YAML definition", e.Overrides)
	}
	// One environment with specifiers and one without: no --spec picks the plain one.
	plain := write(t, dir, "plain.toml", "[[env]]\nname = \"p\"\n[[env]]\nname = \"p\"\nspecifiers = { v = \"1\" }\n")
	s, err = Load(nil, []string{plain}, fileperm.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s.Lookup("p"); err != nil || len(e.Specifiers) != 0 {
		t.Errorf("Lookup(p) = %v, %v; want the one without specifiers", e, err)
	}
}

func TestParseYAMLMergeKey(t *testing.T) {
	src := `- &base
  name: damask_env
  setup: |
    module load mpi/openmpi/4.1.0
  executables:
    - label: damask_grid
      instances:
        - command: singularity run $IMG_PATH
          num_cores: 1
- <<: *base
  specifiers: {version: "2"}
  setup: module load mpi/openmpi/5.0
- <<: [*base]
  name: other_env
`
	envs, err := ParseYAML("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 || envs[1].Name != "damask_env" || envs[1].Specifiers["version"] != "2" ||
		envs[1].Setup[0] != "module load mpi/openmpi/5.0" || envs[1].Executables[0].Instances[0].Line != 8 ||
		envs[2].Name != "other_env" || envs[2].Setup[0] != "module load mpi/openmpi/4.1.0" {
		t.Errorf("merged environments: %+v %+v %+v", envs[0], envs[1], envs[2])
	}
	if _, err := ParseYAML("m.yaml", []byte("- <<: 3\n  name: x\n")); err == nil || !strings.Contains(err.Error(), `m.yaml:1: environment "x": a merge key (<<) must name a mapping`) {
		t.Errorf("a merge of a scalar: %v", err)
	}
}

// An alias inside the node it names, and aliases of aliases, are refused with the line where
// the walk stopped, instead of recursing without end or expanding exponentially.
func TestYAMLAliasLimits(t *testing.T) {
	bomb := "- name: e\n  secrets: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i <= 7; i++ {
		bomb += fmt.Sprintf("  s%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i,
			i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	for name, text := range map[string]string{
		"cycle":           "- &b \n <<<:<: [*b, *b]",
		"self":            "- &m\n  name: a\n  more: [*m]\n",
		"merge of itself": "- &b\n  <<: *b\n",
		"bomb":            bomb,
	} {
		_, errs := ParseYAMLAll("f.yaml", []byte(text))
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), "f.yaml:") ||
			!strings.Contains(errs[0].Error(), "aliases") {
			t.Errorf("%s: errors %v, want one about the aliases with file:line", name, errs)
		}
	}
}

// Text nested far deeper than the limit is refused before it is parsed (the parser's memory
// grows with the square of the nesting), in flow and in block style, with the line.
func TestYAMLDeep(t *testing.T) {
	for _, tt := range []struct{ name, text, want string }{
		{"flow", "- name: e\n  specifiers:\n    x: " + strings.Repeat("[", MaxFileSize-30) + "\n", "f.yaml:3:"},
		{"block", "- name: e\n  specifiers:\n    x:\n" + strings.Repeat("    - ", MaxFileSize/6-10) + "a\n", "f.yaml:4:"},
		{"just", "- name: e\n  specifiers:\n    x: " + strings.Repeat("[", MaxDepth-2) + strings.Repeat("]", MaxDepth-2) + "\n", "f.yaml:3:"},
	} {
		_, errs := ParseYAMLAll("f.yaml", []byte(tt.text))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want+" nested deeper than 32 levels") {
			t.Errorf("%s: errors %.200v, want one at %s about the nesting", tt.name, errs, tt.want)
		}
	}
	ok := "- name: e\n  specifiers:\n    x: " + strings.Repeat("[", MaxDepth-3) + strings.Repeat("]", MaxDepth-3) + "\n"
	if _, err := ParseYAML("f.yaml", []byte(ok)); err == nil || strings.Contains(err.Error(), "nested") {
		t.Errorf("32 levels: %v, want the specifier's type refused, not the nesting", err)
	}
}
