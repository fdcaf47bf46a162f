package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentSet starts 50 'secrets set' processes at once on one store: every one must
// land, because writers take the store's lock around their read-modify-write.
func TestConcurrentSet(t *testing.T) {
	bin, err := exec.LookPath("secrun")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "SECRUN_DATA_DIR="+filepath.Join(t.TempDir(), "store"))
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "secrets", "set", fmt.Sprintf("KEY_%02d", i))
			cmd.Env = env
			cmd.Stdin = strings.NewReader(fmt.Sprintf("value-%02d\n", i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("set KEY_%02d: %v: %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	cmd := exec.Command(bin, "secrets", "list", "--json", "--values")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var rows []struct{ Key, Value string }
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if len(rows) != n {
		t.Fatalf("listed %d secrets, want %d", len(rows), n)
	}
	for i, r := range rows {
		if want := fmt.Sprintf("KEY_%02d", i); r.Key != want || r.Value != fmt.Sprintf("value-%02d", i) {
			t.Errorf("row %d = %s, want %s with its value", i, r.Key, want)
		}
	}
}
