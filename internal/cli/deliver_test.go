package cli

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
		members, err := jsonMembers([]byte(tt.in))
		var got string
		if err != nil {
			got = "error: " + err.Error()
			if strings.Contains(got, "s3cr3t") {
				t.Errorf("jsonMembers(%q) error %q holds the value", tt.in, got)
			}
		} else {
			parts := make([]string, len(members))
			for i, m := range members {
				parts[i] = m.name + "=" + m.value
			}
			got = strings.Join(parts, ";")
		}
		if !strings.HasPrefix(got, tt.want) || (!strings.HasPrefix(tt.want, "error") && got != tt.want) {
			t.Errorf("jsonMembers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0 for an error
	}{
		{"1", 1}, {"1000K", 1024000}, {"1000k", 1024000}, {"4KiB", 4096}, {"2M", 2 << 20}, {"2mb", 2 << 20},
		{"10B", 10}, {"", 0}, {"0", 0}, {"-1", 0}, {"1X", 0}, {"K", 0}, {"1G", 0}, {"99999999999M", 0},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err != nil) != (tt.want == 0) || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}
