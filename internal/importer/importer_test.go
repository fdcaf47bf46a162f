package importer

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHpcFlowSecrets(t *testing.T) {
	tests := []struct {
		name, src string
		want      []Secret
		err       string
	}{
		{"secrets mapping", "secrets:\n  A: x\n  B: 'y: z'\nother: 1\n", []Secret{{"A", "x", 2}, {"B", "y: z", 3}}, ""},
		{"flat", "A: x\nB: \"1\"\n", []Secret{{"A", "x", 1}, {"B", "1", 2}}, ""},
		{"number as written", "secrets:\n  PIN: 0042\n", []Secret{{"PIN", "0042", 2}}, ""},
		{"empty file", "", nil, ""},
		{"null", "~\n", nil, ""},
		{"no secrets", "secrets: null\n", nil, ""},
		{"list", "- a\n", nil, "f:1: the hpcFlow secrets file must be a YAML mapping"},
		{"nested", "secrets:\n  A:\n    b: s3cr3t\n", nil, `f:2: the value of secret "A" must be a string`},
		{"twice", "A: s3cr3t\nA: s3cr3t\n", nil, `f:2: secret "A" is given twice (first at line 1)`},
		{"syntax", "A: 's3cr3t\n", nil, "f is not valid YAML (at line 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHpcFlow("f", []byte(tt.src))
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

func TestParseJSONSecrets(t *testing.T) {
	tests := []struct {
		name, src string
		want      []Secret
		err       string
	}{
		{"flat", "{\n \"B\": \"x\",\n \"A\": \"\"\n}", []Secret{{"B", "x", 2}, {"A", "", 3}}, ""},
		{"empty object", "{}", nil, ""},
		{"number", `{"A": 1}`, nil, `line 1: the value of "A" must be a string`},
		{"object", `{"A": {"b": "s3cr3t"}}`, nil, `the value of "A" must be a string`},
		{"array", `["s3cr3t"]`, nil, "expected a JSON object"},
		{"twice", `{"A": "s3cr3t", "A": "s3cr3t"}`, nil, `secret "A" is given twice`},
		{"broken", "{\"A\": \"s3cr3t\" \"B\"}", nil, "invalid JSON near line 1"},
		{"trailing", `{"A": "x"} {}`, nil, "unexpected data after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJSON("f", []byte(tt.src))
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
