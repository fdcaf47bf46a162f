package integration

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestAuditConcurrentRanks runs 64 secruns at once with the audit log on, as the ranks of
// 'srun secrun' would: every run leaves exactly one whole line.
func TestAuditConcurrentRanks(t *testing.T) {
	bin, err := exec.LookPath("secrun")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, ".config")
	os.MkdirAll(filepath.Join(conf, "secrun"), 0o700)
	os.WriteFile(filepath.Join(conf, "secrun", "config.toml"), []byte("audit = true\n"), 0o600)
	defs := "[[env]]\nname = \"e\"\nsecrets = [\"K1\", \"K2\", \"K3\"]\n"
	os.WriteFile(filepath.Join(conf, "secrun", "envs.toml"), []byte(defs), 0o600)
	env := isolatedEnv(dir, "SECRUN_STORE=file")
	for _, k := range []string{"K1", "K2", "K3"} {
		cmd := exec.Command(bin, "secrets", "set", k)
		cmd.Env, cmd.Stdin = env, strings.NewReader(strings.Repeat("v", 40))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("set: %v: %s", err, out)
		}
	}
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "-e", "e", "--", "true")
			cmd.Env = append(env, "SLURM_JOB_ID=77", "SLURM_PROCID="+string(rune('0'+i%10)))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("rank %d: %v: %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	f, err := os.Open(filepath.Join(dir, ".local", "state", "secrun", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	pids := map[int]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			PID  int
			Keys []struct{ Key string }
			Jobs map[string]string
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not one JSON object: %v: %q", lines+1, err, sc.Text())
		}
		if len(l.Keys) != 3 || l.Jobs["SLURM_JOB_ID"] != "77" {
			t.Errorf("line %d: %q", lines+1, sc.Text())
		}
		pids[l.PID] = true
		lines++
	}
	if lines != n || len(pids) != n {
		t.Fatalf("%d lines from %d processes, want %d", lines, len(pids), n)
	}
}
