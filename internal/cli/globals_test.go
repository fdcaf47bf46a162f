package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
)

// TestStdoutInjected checks that commands write their output to g.stdout, as they write
// messages to g.stderr.
func TestStdoutInjected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := keystore.NewFile(dir).Put(keystore.Entry{Key: "API_TOKEN", Value: []byte("s3cr3t")}, false); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	g := &globals{Store: "file", stdout: &out, stderr: &errs, dirs: dirs.Dirs{Data: dir}}
	if err := (&getCmd{Key: "API_TOKEN"}).Run(g); err != nil {
		t.Fatal(err)
	}
	if out.String() != "s3cr3t" {
		t.Errorf("secrets get wrote %q to stdout, want the value without a newline (not a terminal)", out.String())
	}
	out.Reset()
	if err := (&completionCmd{Shell: "bash"}).Run(g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "secrun") {
		t.Errorf("completion bash wrote %q to stdout", out.String())
	}
	if errs.Len() != 0 {
		t.Errorf("stderr: %q", errs.String())
	}
}
