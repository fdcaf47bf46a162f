package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseCase is a file's text and the secrets read from it, or a part of the error.
type parseCase struct {
	name, src string
	want      []Secret
	err       string
}

// checkParse runs parse on each case: an error must name what it says and hold no value
// (every value in an error case is s3cr3t).
func checkParse(t *testing.T, parse func(path string, data []byte) ([]Secret, error), tests []parseCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse("f", []byte(tt.src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("error = %v, want %q and no value", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseHpcFlowSecrets(t *testing.T) {
	checkParse(t, ParseHpcFlow, []parseCase{
		{"secrets mapping", "secrets:\n  A: x\n  B: 'y: z'\nother: 1\n", []Secret{{"A", "x", 2}, {"B", "y: z", 3}}, ""},
		{"flat", "A: x\nB: \"1\"\n", []Secret{{"A", "x", 1}, {"B", "1", 2}}, ""},
		{"number as written", "secrets:\n  PIN: 0042\n", []Secret{{"PIN", "0042", 2}}, ""},
		{"empty file", "", nil, ""},
		{"null", "~\n", nil, ""},
		{"no secrets", "secrets: null\n", nil, ""},
		{"list", "- a\n", nil, "f:1: the hpcFlow secrets file must be a YAML mapping"},
		{"nested", "secrets:\n  A:\n    b: s3cr3t\n", nil, `f:2: the value of secret "A" must be a string`},
		{"twice", "A: s3cr3t\nA: s3cr3t\n", nil, `f:2: secret "A" is given twice (first at line 1)`},
		{"syntax", "A: 's3cr3t\n", nil, "f is not valid YAML (at line 1)"},
		{"secrets not a mapping is a flat file", "secrets: x\nB: y\n", []Secret{{"secrets", "x", 1}, {"B", "y", 2}}, ""},
		{"secrets mapping after others", "version: 2\nsecrets:\n  A: x\n", []Secret{{"A", "x", 3}}, ""},
		{"block text", "A: |\n  two\n  lines\n", []Secret{{"A", "two\nlines\n", 1}}, ""},
		{"key not a string", "x: &m a\n*m : s3cr3t\n", nil, "f:2: a key must be a string"},
		{"key a list", "? [a, b]\n: s3cr3t\n", nil, "f is not valid YAML (at line 2)"},
		{"deep", strings.Repeat("[", 300000), nil, "f:1: the hpcFlow secrets file is nested deeper than 100 levels"},
		{"list value", "A: [s3cr3t]\n", nil, `f:1: the value of secret "A" must be a string`},
		{"null value", "A:\nB: x\n", nil, `f:1: the value of secret "A" must be a string`},
		{"scalar file", "s3cr3t\n", nil, "f:1: the hpcFlow secrets file must be a YAML mapping"},
	})
}

func TestParseJSONSecrets(t *testing.T) {
	checkParse(t, ParseJSON, []parseCase{
		{"flat", "{\n \"B\": \"x\",\n \"A\": \"\"\n}", []Secret{{"B", "x", 2}, {"A", "", 3}}, ""},
		{"empty object", "{}", nil, ""},
		{"number", `{"A": 1}`, nil, `line 1: the value of "A" must be a string`},
		{"object", `{"A": {"b": "s3cr3t"}}`, nil, `the value of "A" must be a string`},
		{"array", `["s3cr3t"]`, nil, "expected a JSON object"},
		{"twice", `{"A": "s3cr3t", "A": "s3cr3t"}`, nil, `secret "A" is given twice`},
		{"broken", "{\"A\": \"s3cr3t\" \"B\"}", nil, "invalid JSON near line 1"},
		{"trailing", `{"A": "x"} {}`, nil, "unexpected data after the JSON object"},
		{"lines of keys", "{\"A\": \"x\",\n\n  \"B\":\n \"multi\\nline\"}", []Secret{{"A", "x", 1}, {"B", "multi\nline", 3}}, ""},
		{"escapes", `{"K": "\u00e9\t"}`, []Secret{{"K", "é\t", 1}}, ""},
		{"null", `{"A": null}`, nil, `line 1: the value of "A" must be a string`},
		{"empty", "", nil, "expected a JSON object of key to string"},
		{"cut short", `{"A": "s3cr3t"`, nil, "invalid JSON near line 1"},
		{"broken later", "{\"A\": \"x\",\n\"B\": s3cr3t}", nil, "invalid JSON near line 2"},
	})
}

func TestFindHpcFlow(t *testing.T) {
	tests := []struct {
		name  string
		files []string // made under the app's directory; a name ending in / is a folder
		want  string   // the file found, under the directory, or the error
	}{
		{"no directory", nil, "error: hpcFlow secrets file DIR/state.db does not exist (nor the directory)"},
		{"empty", []string{""}, "error: no hpcFlow secrets file (state.db) in DIR or the folders in it; it is empty"},
		{"at the top", []string{"state.db", "config.yaml", "m1/other"}, "state.db"},
		{"in a machine folder", []string{"config.yaml", "m1/state.db", "m1/log.txt", "m2/"}, "m1/state.db"},
		{"deeper is not looked at", []string{"a/b/state.db", "x"},
			"error: no hpcFlow secrets file (state.db) in DIR or the folders in it; it holds: a/b, x"},
		{"listing what there is", []string{"config.yaml", "m1/log.txt", "m2/"},
			"error: no hpcFlow secrets file (state.db) in DIR or the folders in it; it holds: config.yaml, m1/log.txt, m2/"},
		{"two", []string{"state.db", "m1/state.db"}, "error: 2 hpcFlow secrets files: DIR/m1/state.db, DIR/state.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "hpcflow")
			for _, f := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if f == "" || strings.HasSuffix(f, "/") {
					if err := os.MkdirAll(p, 0o700); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := FindHpcFlow(dir)
			if err != nil {
				got = "error: " + err.Error()
				if fe := (*FindError)(nil); !errors.As(err, &fe) {
					t.Errorf("error %v is no *FindError", err)
				}
			}
			got = filepath.ToSlash(strings.ReplaceAll(got, dir, "DIR"))
			want := tt.want
			if !strings.HasPrefix(want, "error: ") {
				want = "DIR/" + want
			}
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestFindHpcFlowListsTwenty(t *testing.T) {
	dir := t.TempDir()
	for i := range 25 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := FindHpcFlow(dir)
	if err == nil || !strings.HasSuffix(err.Error(), "f18, f19, and 5 more") {
		t.Errorf("error %v, want the first 20 names and a count of the rest", err)
	}
	if fe := (*FindError)(nil); !errors.As(err, &fe) || len(fe.Seen) != 25 || fe.Seen[20] != "f20" {
		t.Errorf("the message changed the error's list of names")
	}
}
