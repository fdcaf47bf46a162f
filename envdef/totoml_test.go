package envdef

import (
	"reflect"
	"testing"
)

// everyField sets every field of an environment that a definition can give: a field added to
// Env, Secret, Executable or Instance without a line here fails TestRoundTripEveryField.
const everyField = `[[env]]
name = "all"
setup = ["module load x", "export A='1 2'"]
specifiers = { version = "1.2", "odd key" = "v" }
project = "proj"
domain = "dom"
bundle = "bundle.json"
mask = true
shell = "/bin/zsh"
secrets = [
  "PLAIN",
  { key = "db-password", as_env_var = "DB_PASS", optional = true },
  { key = "aws", json = true, allow_env_vars = ["PATH", "LD_LIBRARY_PATH"] },
  { key = "tls/cert", file = true },
  { key = "ssh", file = "id_ed25519" },
]

[[env.executables]]
label = "solver"
  [[env.executables.instances]]
  command = "solver \"<<script_name>>\" <<args>>"
  num_cores = 1
  [[env.executables.instances]]
  command = """
mpirun -np <<num_cores>> solver
echo done"""
  num_cores = { start = 2, stop = 64, step = 2 }
  parallel_mode = "distributed"
`

// TestRoundTripEveryField writes an environment that sets every field as TOML, reads it back
// and compares: a field that FormatTOML forgets (as mask once was) fails it.
func TestRoundTripEveryField(t *testing.T) {
	envs, err := Parse("all.toml", []byte(everyField))
	if err != nil {
		t.Fatal(err)
	}
	e := envs[0]
	// Where the environment came from is not part of it.
	skip := map[string]bool{"File": true, "Line": true, "Overrides": true}
	checkSet(t, "Env", reflect.ValueOf(*e), skip)
	set := map[string]bool{}
	for _, s := range e.Secrets {
		markSet(reflect.ValueOf(s), set)
	}
	for _, x := range e.Executables {
		markSet(reflect.ValueOf(x), set)
		for _, in := range x.Instances {
			markSet(reflect.ValueOf(in), set)
		}
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(Secret{}), reflect.TypeOf(Executable{}), reflect.TypeOf(Instance{})} {
		for i := range typ.NumField() {
			if f := typ.Field(i).Name; !set[typ.Name()+"."+f] {
				t.Errorf("no secret, executable or instance of the fixture sets %s.%s", typ.Name(), f)
			}
		}
	}

	again, err := Parse("again.toml", FormatTOML(envs))
	if err != nil {
		t.Fatalf("FormatTOML wrote TOML that does not parse: %v\n%s", err, FormatTOML(envs))
	}
	if a, b := withoutPlaces(e), withoutPlaces(again[0]); !reflect.DeepEqual(a, b) {
		t.Errorf("round trip changed the environment:\nwrote %+v\nread  %+v\nTOML:\n%s", a, b, FormatTOML(envs))
	}
}

// withoutPlaces is a copy of e without the files and lines it came from.
func withoutPlaces(e *Env) Env {
	c := *e
	c.File, c.Line, c.Overrides = "", 0, nil
	c.Secrets = append([]Secret(nil), e.Secrets...)
	for i := range c.Secrets {
		c.Secrets[i].Line = 0
	}
	c.Executables = append([]Executable(nil), e.Executables...)
	for i := range c.Executables {
		c.Executables[i].Line = 0
		c.Executables[i].Instances = append([]Instance(nil), c.Executables[i].Instances...)
		for j := range c.Executables[i].Instances {
			c.Executables[i].Instances[j].Line = 0
		}
	}
	return c
}

// checkSet fails for every field of v that is its zero value, but those in skip.
func checkSet(t *testing.T, name string, v reflect.Value, skip map[string]bool) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Type().Field(i).Name
		if !skip[f] && v.Field(i).IsZero() {
			t.Errorf("the fixture does not set %s.%s", name, f)
		}
	}
}

// markSet records "Type.Field" for every field of v that is not its zero value.
func markSet(v reflect.Value, set map[string]bool) {
	for i := range v.NumField() {
		if !v.Field(i).IsZero() {
			set[v.Type().Name()+"."+v.Type().Field(i).Name] = true
		}
	}
}

// everyFieldYAML is everyField written as YAML: one schema, so the same environment.
const everyFieldYAML = `- name: all
  setup:
    - module load x
    - export A='1 2'
  specifiers: {version: "1.2", "odd key": v}
  project: proj
  domain: dom
  bundle: bundle.json
  mask: true
  shell: /bin/zsh
  doc: ignored, as hpcFlow's own fields are
  secrets:
    - PLAIN
    - {key: db-password, as_env_var: DB_PASS, optional: true}
    - {key: aws, json: true, allow_env_vars: [PATH, LD_LIBRARY_PATH]}
    - {key: tls/cert, file: true}
    - {key: ssh, file: id_ed25519}
  executables:
    - label: solver
      instances:
        - command: solver "<<script_name>>" <<args>>
          num_cores: 1
          parallel_mode: null
        - command: |-
            mpirun -np <<num_cores>> solver
            echo done
          num_cores: {start: 2, stop: 64, step: 2}
          parallel_mode: DISTRIBUTED
`

// TestOneSchema reads the same environment from TOML and from YAML and compares: the readers
// differ in syntax only.
func TestOneSchema(t *testing.T) {
	fromTOML, err := Parse("all.toml", []byte(everyField))
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := ParseYAML("all.yaml", []byte(everyFieldYAML))
	if err != nil {
		t.Fatal(err)
	}
	a, b := withoutPlaces(fromTOML[0]), withoutPlaces(fromYAML[0])
	if !reflect.DeepEqual(a, b) {
		t.Errorf("TOML and YAML give different environments:\nTOML %+v\nYAML %+v", a, b)
	}
	if fromYAML[0].Executables[0].Instances[1].Line != 24 || fromYAML[0].Secrets[2].Line != 15 {
		t.Errorf("YAML lines: instance 2 at %d (want 24), secret 3 at %d (want 15)",
			fromYAML[0].Executables[0].Instances[1].Line, fromYAML[0].Secrets[2].Line)
	}
}
