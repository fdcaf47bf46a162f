package envdef

import (
	"reflect"
	"strings"
	"testing"
)

// TestAppSourceLists: config.yaml is read as hpcFlow writes it, with aliases and merge keys as
// its YAML loader reads them; what is not a configuration file is an error with the line.
func TestAppSourceLists(t *testing.T) {
	src := `configs:
  default: &d
    invocation: {match: {}}
    config:
      machine: laptop
      environment_sources:
        - ~/envs.yaml
        - 0042
  cluster:
    <<: *d
  empty:
  none: {config: {environment_sources: null}}
other: [1, 2]
`
	got, err := appSourceLists([]byte(src))
	want := map[string][]string{"default": {"~/envs.yaml", "0042"}, "cluster": {"~/envs.yaml", "0042"}, "empty": nil, "none": nil}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("appSourceLists = %q, %v; want %q", got, err, want)
	}
	for _, src := range []string{"", "# nothing\n", "~\n", "other: 1\n", "configs:\n"} {
		if got, err := appSourceLists([]byte(src)); err != nil || len(got) != 0 {
			t.Errorf("%q: %q, %v; want no lists", src, got, err)
		}
	}
	for src, want := range map[string]string{
		"configs: [a]\n": "line 1: configs must be a mapping",
		"- a\n":          "line 1: expected a mapping with configs, not a list",
		"configs:\n  a: {config: {environment_sources: x}}\n":     "line 2: environment_sources must be a list, not a string",
		"configs:\n  a: {config: {environment_sources: [[x]]}}\n": "line 2: an environment source must be a path, not a list",
		"configs:\n  a: 1\n  a: 2\n":                              `line 3: configuration "a" is given twice`,
		"configs: {a: [b\n":                                       "line 1:",
	} {
		if _, err := appSourceLists([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}
