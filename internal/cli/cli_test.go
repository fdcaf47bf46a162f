package cli

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secrun/secrun/launcher"
)

func TestWithRun(t *testing.T) {
	var cli root
	parser, err := newParser(&cli)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    string
		withRun bool
	}{
		{"-e E -- cmd", true},
		{"-e E cmd -x", true},
		{"--env=E -- cmd", true},
		{"-eE -- cmd", true},
		{"--clean-env -e E -- ls", true},
		{"-- ls", true},
		{"ls -l", true},
		{"-e secrets -- ls", true},
		{"-e E -- secrets list", true},
		{"-e E secrets", true},
		{"--store file -e E -- env", true},
		{"--envs secrets -e E -- x", true},
		{"--store file secrets list", false},
		{"--store=file env show x", false},
		{"-v secrets list", false},
		{"secrets list", false},
		{"run -e E -- ls", false},
		{"env list", false},
		{"ls secrets", true},
		{"--help", false},
		{"--version", false},
		{"sercets list", false},
		{"evn show x", false},
	}
	for _, tt := range tests {
		args := strings.Fields(tt.args)
		got := withRun(parser.Model.Node, args)
		if want := tt.withRun; (len(got) == len(args)+1 && got[0] == "run") != want {
			t.Errorf("withRun(%q) = %q, want run inserted: %v", tt.args, got, want)
		}
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"API_TOKEN", "API_TOKENS", "DB_PASS", "db-password", "GITHUB_TOKEN"}
	tests := []struct {
		word string
		want []string
	}{
		{"API_TOKN", []string{"API_TOKEN", "API_TOKENS"}},
		{"db_pass", []string{"DB_PASS"}},
		{"TOKEN", []string{"API_TOKEN", "API_TOKENS", "GITHUB_TOKEN"}},
		{"ZZZZZZZZ", []string{}},
		{"db-pasword", []string{"db-password"}},
	}
	for _, tt := range tests {
		if got := closest(tt.word, keys, 3); !slices.Equal(got, tt.want) {
			t.Errorf("closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestTrimNewline(t *testing.T) {
	for in, want := range map[string]string{
		"v\n": "v", "v\r\n": "v", "v\r": "v\r", "v\n\n": "v\n", "v": "v", "": "", "a\nb\n": "a\nb",
	} {
		if got := string(trimNewline([]byte(in))); got != want {
			t.Errorf("trimNewline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShown(t *testing.T) {
	long := strings.Repeat("x", 60)
	tests := []struct {
		in   string
		full bool
		want string
	}{
		{"plain", false, "plain"},
		{long, false, strings.Repeat("x", 50) + "..."},
		{long, true, long},
		{"a\nb", false, `"a\nb"`},
		{"\x1b[31mred", false, `"\x1b[31mred"`},
		{strings.Repeat("é", 55), false, strings.Repeat("é", 50) + "..."},
	}
	for _, tt := range tests {
		if got := shown([]byte(tt.in), tt.full); got != tt.want {
			t.Errorf("shown(%q, %v) = %q, want %q", tt.in, tt.full, got, tt.want)
		}
	}
}

type hinted struct{}

func (hinted) Error() string { return "broken" }
func (hinted) Hint() string  { return "fix it\nthen retry" }

func TestReport(t *testing.T) {
	tests := []struct {
		err  error
		code int
		out  string
	}{
		{nil, 0, ""},
		{errors.New("plain"), 125, "secrun: error: plain\n"},
		{fmt.Errorf("wrapped: %w", hinted{}), 125, "secrun: error: wrapped: broken\nsecrun: hint: fix it\nsecrun: hint: then retry\n"},
		{&launcher.NotFoundError{Name: "x"}, 127, `secrun: error: command "x" not found` + "\n"},
		{&launcher.CannotRunError{Path: "x", Err: errors.New("nope")}, 126, "secrun: error: cannot run x: nope\n"},
		{&launcher.ExitError{Code: 3}, 3, ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if got := report(&buf, tt.err); got != tt.code {
			t.Errorf("report(%v) = %d, want %d", tt.err, got, tt.code)
		}
		if out := buf.String(); !strings.HasPrefix(out, tt.out) {
			t.Errorf("report(%v) printed %q, want it to start with %q", tt.err, out, tt.out)
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

// TestSetVersionBuild: a release build names itself to the definitions cache; a development
// build, or one from a tree with changes not committed, does not.
func TestSetVersionBuild(t *testing.T) {
	defer func(v, m, d, b string) { versionText, manSource, manDate, build = v, m, d, b }(versionText, manSource, manDate, build)
	for _, tt := range []struct{ version, commit, date, want string }{
		{"1.2.0", "abc123", "2026-12-01T00:00:00Z", "1.2.0 abc123 2026-12-01T00:00:00Z"},
		{"v1.2.0", "", "", "v1.2.0  "},
		{"dev", "abc123", "", ""},
		{"v0.0.0-20261201000000-abc123+dirty", "abc123", "", ""},
	} {
		build = ""
		SetVersion(tt.version, tt.commit, tt.date)
		if build != tt.want {
			t.Errorf("SetVersion(%q, %q, %q): build %q, want %q", tt.version, tt.commit, tt.date, build, tt.want)
		}
	}
}
