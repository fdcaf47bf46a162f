package envdef

import (
	"errors"
	"strings"
	"testing"

	"github.com/secrun/secrun/internal/names"
)

// FuzzParse checks that Parse never panics, that its errors are *DefError
// values naming the file, and that whatever it accepts is valid.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		fullExample,
		"[[env]]\nname = \"a\"\nsetup = \"\"\"\n[[env]]\n\"\"\"\nsecrets = [\"x\", { key = \"y\", as_env_var = \"Z\" }]\n",
		"env = [{ name = \"a\", executables = [{ label = \"x\", instances = [{ command = \"c\", num_cores = { start = 1, stop = 2 } }] }] }]\n",
		"[[env]]\nname = \"a\"\n[[env.executables]]\nlabel = \"x\"\n[[env.executables.instances]]\n",
		"[[env.executables]]\n[[env]]\n[[env.executables.instances]]\n",
		"[[env]]\nname = \"a\"\n[[env.secrets]]\nkey = \"k\"\n",
		"[[env]]\nname = 'a'\nsecrets = ['a-b', 'a_b']\n",
		"\ufeff[[env]]\r\nname = \"a\"\r\nspecifiers.v = 1979-05-27\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		envs, err := Parse("f.toml", []byte(in))
		nlines := strings.Count(in, "\n") + 1
		if err != nil {
			var de *DefError
			if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), "f.toml") {
				t.Fatalf("error %q (%T) is not a *DefError naming the file", err, err)
			}
			if strings.HasPrefix(de.Msg, "invalid TOML") && (de.Line < 1 || de.Line > nlines) {
				t.Fatalf("syntax error %q is not on a line of the text", err)
			}
			return
		}
		for _, e := range envs {
			if !names.ValidEnv(e.Name) || e.Line < 0 || e.Line > nlines {
				t.Fatalf("accepted env %q at line %d", e.Name, e.Line)
			}
			for _, s := range e.Secrets {
				if s.Key == "" || !names.ValidVar(s.Var) || s.Line < 0 || s.Line > nlines {
					t.Fatalf("accepted secret %+v", s)
				}
			}
			for _, x := range e.Executables {
				if !names.ValidVar(x.Label) || len(x.Instances) == 0 {
					t.Fatalf("accepted executable %+v", x)
				}
				for _, in := range x.Instances {
					c := in.NumCores
					if in.Command == "" || c.Start < 1 || c.Stop < c.Start || c.Step < 1 || !c.Contains(c.Start) {
						t.Fatalf("accepted instance %+v", in)
					}
				}
			}
		}
	})
}

// FuzzParseYAML checks that the YAML reader never panics, whatever the text: it gives
// environments or errors that name the file.
func FuzzParseYAML(f *testing.F) {
	f.Add(hpcFlowEnvs)
	f.Add(everyFieldYAML)
	f.Add("- &b\n  name: a\n- <<: [*b, *b]\n  name: c\n")
	f.Add("- name: x\n  secrets: [~, {key: 1}]\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, errs := ParseYAMLAll("f.yaml", []byte(s))
		for _, err := range errs {
			if de, ok := err.(*DefError); !ok || de.File != "f.yaml" {
				t.Fatalf("error %v does not name the file", err)
			}
		}
	})
}
