package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/secrun/secrun/internal/dirs"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, store, err string
	}{
		{"empty", "", "", ""},
		{"comment only", "# nothing\n", "", ""},
		{"file", `store = "file"`, "file", ""},
		{"keyring", "# x\nstore = \"keyring\"\n", "keyring", ""},
		{"bad value", "\nstore = \"vault\"", "", "c.toml:2: store must be one of auto, file, keyring"},
		{"bad type", "store = 1", "", "c.toml:1: store must be one of"},
		{"unknown key", "stor = \"file\"", "", `c.toml:1: unknown setting "stor"`},
		{"syntax", "store = ", "", "c.toml:1: "},
		{"key twice", "audit = true\naudit = false\n", "", "c.toml:2: "},
		{"byte order mark", "\ufeffstore = \"file\"\n", "file", ""},
		{"too many items", strings.Repeat("audit = true\n", MaxItems+1), "", fmt.Sprintf("c.toml:%d: more than %d keys", MaxItems+1, MaxItems)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.toml", []byte(tt.in))
			if tt.err != "" {
				var ce *Error
				if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("Parse = %v, want an *Error starting %q", err, tt.err)
				}
				return
			}
			if err != nil || c.Store != tt.store {
				t.Fatalf("Parse = %+v, %v; want store %q", c, err, tt.store)
			}
		})
	}
}

func TestParseSyntaxErrorUnwraps(t *testing.T) {
	_, err := Parse("c.toml", []byte("store = [\n"))
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v does not wrap a *toml.DecodeError", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	d := dirs.Dirs{Config: filepath.Join(dir, "secrun")}
	c, err := Load(d)
	if err != nil || c.Store != "" || c.File != filepath.Join(dir, "secrun", "config.toml") {
		t.Fatalf("Load without a file = %+v, %v", c, err)
	}
	os.MkdirAll(filepath.Join(dir, "secrun"), 0o700)
	os.WriteFile(c.File, []byte(`store = "file"`), 0o600)
	if c, err := Load(d); err != nil || c.Store != "file" {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

func TestNoConfigDirectory(t *testing.T) {
	if c, err := Load(dirs.Dirs{}); err != nil || c.File != "" || c.Store != "" || c.Audit {
		t.Errorf("Load without a configuration directory = %+v, %v; want an empty configuration", c, err)
	}
	if p, err := AuditPath(dirs.Dirs{}); err == nil || !strings.Contains(err.Error(), "cannot find the state directory") {
		t.Errorf("AuditPath without a state directory = %q, %v; want an error", p, err)
	}
	if p, err := AuditPath(dirs.Dirs{State: "/s/secrun"}); err != nil || p != filepath.Join("/s/secrun", "audit.jsonl") {
		t.Errorf("AuditPath = %q, %v", p, err)
	}
}
