package deliver

import (
	"strings"
	"testing"
)

func TestJSONMembers(t *testing.T) {
	tests := []struct {
		in   string
		want string // name=value;... or "error: ..." (a prefix)
	}{
		{`{}`, ""},
		{` {"a": "x", "b": 1.50, "c": true, "d": null} `, "a=x;b=1.50;c=true;d=null"},
		{`{"n": {"x": [1, 2],  "y": "z"}}`, `n={"x":[1,2],"y":"z"}`},
		{`{"esc": "a\nb\u00e9\"", "big": 12345678901234567890}`, "esc=a\nbé\";big=12345678901234567890"},
		{`{"a-b.c/d": "v"}`, "a-b.c/d=v"},
		{``, "error: is not valid JSON (it ends early"},
		{`{"a": "s3cr3t"`, "error: is not valid JSON (it ends early"},
		{`{"a": s3cr3t}`, "error: is not valid JSON (error at byte 5)"},
		{`{"a" "b"}`, "error: is not valid JSON"},
		{`[1]`, "error: is a JSON array, not an object"},
		{`"s3cr3t"`, "error: is a JSON string, not an object"},
		{`42`, "error: is a JSON number, not an object"},
		{`null`, "error: is a JSON null, not an object"},
		{`true`, "error: is a JSON boolean, not an object"},
		{`{"a": 1}{}`, "error: is not valid JSON (text after the object"},
		{`{"a": 1, "a": 2}`, `error: has member "a" twice`},
	}
	for _, tt := range tests {
		members, err := JSONMembers([]byte(tt.in))
		var got string
		if err != nil {
			got = "error: " + err.Error()
			if strings.Contains(got, "s3cr3t") {
				t.Errorf("JSONMembers(%q) error %q holds the value", tt.in, got)
			}
		} else {
			parts := make([]string, len(members))
			for i, m := range members {
				parts[i] = m.Name + "=" + m.Value
			}
			got = strings.Join(parts, ";")
		}
		if !strings.HasPrefix(got, tt.want) || (!strings.HasPrefix(tt.want, "error") && got != tt.want) {
			t.Errorf("JSONMembers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
