//go:build linux

package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run secrun on the simulated three-node cluster of testenv/cluster.sh: a login
// node "head" and compute nodes n1, n2, n3, each with its own network, hostname, /tmp,
// /dev/shm and /run/user, sharing homes and binaries. cluster.sh has already checked that
// the simulation is faithful (a variable exported on the login node does not reach remote
// Open MPI ranks, hydra passes everything by default, srun --export=NONE passes nothing).
// Every rank runs the cluster's probe, which reports its host, its rank and, for each secret,
// whether it saw the right value (never the value).

// clusterLargeSecret is a secret of 100 kB, near the 128 kB that one variable can hold.
var clusterLargeSecret = strings.Repeat("0123456789abcdef", 100_000/16)

const clusterFileSecret = "-----BEGIN TEST CERT-----\nnot really a certificate\n-----END TEST CERT-----"

// clusterHost is one identity on the cluster, root or the cluster's non-root user, with
// secrun in its shared home, environments E (RANK_SECRET as a variable), F (CERT as a file,
// its path in CERT_FILE) and L (LARGE, 100 kB, as a variable), and the secrets in its file
// store.
type clusterHost struct {
	t    *testing.T
	dir  string // the cluster's directory
	name string // user name
	root bool
	home string
	bin  string // secrun in the shared home (lean secrun; secrun-full beside it)
	work string
}

var clusterSetup sync.Map // identity -> *sync.Once

// onCluster returns the identity set up on the cluster: root, or the non-root user.
func onCluster(t *testing.T, root bool) *clusterHost {
	t.Helper()
	requireService(t, "SECRUN_TEST_CLUSTER", "the simulated cluster (testenv/cluster.sh)")
	dir := os.Getenv("SECRUN_TEST_CLUSTER")
	c := &clusterHost{t: t, dir: dir, name: os.Getenv("SECRUN_TEST_CLUSTER_USER"), root: root}
	c.home = filepath.Join(dir, "home", c.name) // the user's home in the user database
	if root {
		c.name = "root"
		c.home = filepath.Join(dir, "home", "root") // never root's real home
	}
	c.bin = filepath.Join(c.home, "bin", "secrun")
	c.work = filepath.Join(c.home, "work")
	once, _ := clusterSetup.LoadOrStore(c.name, new(sync.Once))
	var err error
	once.(*sync.Once).Do(func() { err = c.setup() })
	if err != nil {
		t.Fatalf("setting up %s on the cluster: %v", c.name, err)
	}
	return c
}

func (c *clusterHost) setup() error {
	acct, err := user.Lookup(c.name)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(acct.Uid)
	gid, _ := strconv.Atoi(acct.Gid)
	defs := filepath.Join(c.home, ".config", "secrun", "envs.toml")
	for _, d := range []string{c.home, filepath.Dir(c.bin), c.work, filepath.Dir(defs)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		os.Chown(d, uid, gid)
	}
	os.Chmod(c.home, 0o700)
	// secrun as releases install it: lean secrun, with secrun-full beside it.
	pair := leanPair(c.t)
	for _, name := range []string{"secrun", "secrun-full"} {
		data, err := os.ReadFile(filepath.Join(pair, name))
		if err == nil {
			err = os.WriteFile(filepath.Join(filepath.Dir(c.bin), name), data, 0o755)
		}
		if err != nil {
			return err
		}
	}
	text := "[[env]]\nname = \"E\"\nsecrets = [\"RANK_SECRET\"]\n" +
		"[[env]]\nname = \"F\"\nsecrets = [{ key = \"CERT\", file = true }]\n" +
		"[[env]]\nname = \"L\"\nsecrets = [\"LARGE\"]\n"
	if err := os.WriteFile(defs, []byte(text), 0o644); err != nil {
		return err
	}
	for key, value := range map[string]string{"RANK_SECRET": rankSecret, "CERT": clusterFileSecret, "LARGE": clusterLargeSecret} {
		set := c.cmd("head", c.bin, "secrets", "set", "--overwrite", key)
		set.Stdin = strings.NewReader(value)
		if out, err := set.CombinedOutput(); err != nil {
			return fmt.Errorf("secrets set %s: %v\n%s", key, err, out)
		}
	}
	return nil
}

// env is the login environment of the identity on the login node. Root's XDG directories
// point into its cluster home.
func (c *clusterHost) env() []string {
	env := []string{"PATH=" + filepath.Dir(c.bin) + ":/usr/bin:/bin", "HOME=" + c.home, "USER=" + c.name,
		"LOGNAME=" + c.name, "LANG=C.UTF-8", "SLURM_CONF=/etc/slurm/slurm.conf"}
	if c.root {
		env = append(env, "XDG_CONFIG_HOME="+c.home+"/.config", "XDG_DATA_HOME="+c.home+"/.local/share",
			"XDG_STATE_HOME="+c.home+"/.local/state")
	}
	return env
}

// cmd runs args on node as the identity, in its work directory, with env() and extra.
func (c *clusterHost) cmd(node string, args ...string) *exec.Cmd {
	nodeexec := filepath.Join(c.dir, "bin", "nodeexec")
	var cmd *exec.Cmd
	if c.root {
		cmd = exec.Command(nodeexec, append([]string{node}, args...)...)
		cmd.Env = c.env()
	} else {
		cmd = exec.Command("runuser", append(append(append([]string{"-u", c.name, "--", "env", "-i"}, c.env()...), nodeexec, node), args...)...)
	}
	cmd.Dir = c.work
	return cmd
}

// run runs args on the login node with extra variables and returns its combined output.
func (c *clusterHost) run(extra []string, args ...string) (string, error) {
	cmd := c.cmd("head", args...)
	if c.root {
		cmd.Env = append(cmd.Env, extra...)
	} else {
		cmd.Args = slices.Insert(cmd.Args, 6, extra...) // after "runuser -u NAME -- env -i"
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// launcher is the command line that starts 3 nodes x 2 ranks with kind: "openmpi", "hydra" or
// "srun". The MPI launchers reach the nodes through the cluster's rsh.
func (c *clusterHost) launcher(kind string) []string {
	rsh := filepath.Join(c.dir, "bin", "rsh")
	switch kind {
	case "openmpi":
		l := []string{"mpirun.openmpi", "--mca", "plm_rsh_agent", rsh, "--host", "n1:2,n2:2,n3:2", "-np", "6"}
		if c.root {
			l = append(l, "--allow-run-as-root")
		}
		return l
	case "hydra":
		return []string{"mpiexec.hydra", "-launcher", "rsh", "-launcher-exec", rsh, "-hosts", "n1:2,n2:2,n3:2", "-n", "6"}
	case "srun":
		return []string{"srun", "-N", "3", "--ntasks-per-node=2"}
	}
	c.t.Fatalf("unknown launcher %q", kind)
	return nil
}

// probe is the probe command that checks each NAME=VALUE pair (and @NAME=CONTENT for a file
// whose path NAME holds).
func (c *clusterHost) probe(checks ...string) []string {
	argv := []string{filepath.Join(c.dir, "bin", "probe")}
	for _, kv := range checks {
		name, value, _ := strings.Cut(kv, "=")
		sum := sha256.Sum256([]byte(value))
		argv = append(argv, name+"="+hex.EncodeToString(sum[:]))
	}
	return argv
}

var probeRecord = regexp.MustCompile(`PROBE\{([^}]*)\}`)

// probeRecords returns the probes' records in out, as maps of their fields.
func probeRecords(out string) []map[string]string {
	var recs []map[string]string
	for _, m := range probeRecord.FindAllStringSubmatch(out, -1) {
		r := map[string]string{}
		for _, f := range strings.Fields(m[1]) {
			k, v, _ := strings.Cut(f, "=")
			r[k] = v
		}
		recs = append(recs, r)
	}
	return recs
}

// checkRanks checks that out holds one record per rank 0..5, two on each of n1, n2 and n3,
// each with the field values in want ("RANK_SECRET": "ok").
func checkRanks(t *testing.T, what, out string, want map[string]string) {
	t.Helper()
	recs := probeRecords(out)
	hosts := map[string]int{}
	ranks := map[string]bool{}
	var bad []string
	for _, r := range recs {
		hosts[r["host"]]++
		ranks[r["rank"]] = true
		for k, v := range want {
			if r[k] != v {
				bad = append(bad, fmt.Sprintf("rank %s on %s: %s=%s, want %s", r["rank"], r["host"], k, r[k], v))
			}
		}
	}
	if len(recs) != 6 || hosts["n1"] != 2 || hosts["n2"] != 2 || hosts["n3"] != 2 || len(ranks) != 6 {
		bad = append(bad, fmt.Sprintf("%d records on hosts %v, want ranks 0-5, two on each of n1, n2, n3", len(recs), hosts))
	}
	if len(bad) > 0 {
		t.Errorf("%s:\n  %s\noutput:\n%s", what, strings.Join(bad, "\n  "), out)
	}
	if strings.Contains(out, rankSecret) || strings.Contains(out, "not really a certificate") {
		t.Errorf("%s: a secret's value was printed:\n%s", what, out)
	}
}

// clusterIdentities runs f as root and as the non-root user.
func clusterIdentities(t *testing.T, f func(t *testing.T, c *clusterHost)) {
	for _, root := range []bool{true, false} {
		name := "user"
		if root {
			name = "root"
		}
		t.Run(name, func(t *testing.T) { f(t, onCluster(t, root)) })
	}
}

// TestClusterPatterns: with both patterns, 'secrun -- LAUNCHER probe' and 'LAUNCHER secrun --
// probe', every rank on every node gets the secret, for Open MPI, hydra and srun.
func TestClusterPatterns(t *testing.T) {
	clusterIdentities(t, func(t *testing.T, c *clusterHost) {
		for _, kind := range []string{"openmpi", "hydra", "srun"} {
			t.Run(kind, func(t *testing.T) {
				probe := c.probe("RANK_SECRET=" + rankSecret)
				l := c.launcher(kind)
				out, err := c.run(nil, append(append([]string{c.bin, "-e", "E", "--"}, l...), probe...)...)
				if err != nil {
					t.Errorf("secrun -- %s: %v", kind, err)
				}
				checkRanks(t, "secrun -e E -- "+kind, out, map[string]string{"RANK_SECRET": "ok"})
				if kind == "openmpi" && c.root {
					// remote ranks start with root's real HOME; the store is elsewhere
					l = append(l, "-x", "XDG_CONFIG_HOME", "-x", "XDG_DATA_HOME", "-x", "XDG_STATE_HOME")
				}
				out, err = c.run(nil, append(append(l, c.bin, "-e", "E", "--"), probe...)...)
				if err != nil {
					t.Errorf("%s secrun --: %v", kind, err)
				}
				checkRanks(t, kind+" secrun -e E --", out, map[string]string{"RANK_SECRET": "ok"})
			})
		}
	})
}

// TestClusterHydraEnvironment: 'secrun -- mpiexec.hydra' keeps hydra's own way of passing the
// environment: remote ranks get the user's variables as well as the secrets and SECRUN_DEPTH
// (hydra 4.0.2 with -genvlist loses the last variable of its environment), and the user's own
// -genvall, -genvlist and -genvnone work with secrun as without it.
func TestClusterHydraEnvironment(t *testing.T) {
	c := onCluster(t, false)
	probe := c.probe("RANK_SECRET="+rankSecret, "OMP_NUM_THREADS=3", "SECRUN_DEPTH=1")
	all := map[string]string{"RANK_SECRET": "ok", "OMP_NUM_THREADS": "ok", "SECRUN_DEPTH": "ok"}
	noUser := map[string]string{"RANK_SECRET": "ok", "OMP_NUM_THREADS": "unset", "SECRUN_DEPTH": "ok"}
	for _, tt := range []struct {
		name  string
		extra []string // environment
		opts  []string // hydra options
		want  map[string]string
	}{
		{"default", nil, nil, all},
		{"-genvall", nil, []string{"-genvall"}, all},
		{"-genvlist", nil, []string{"-genvlist", "OMP_NUM_THREADS"}, all},
		{"-genvlist=", nil, []string{"-genvlist=OMP_NUM_THREADS"}, all},
		{"-genvnone", nil, []string{"-genvnone"}, noUser},
		{"HYDRA_ENV=none", []string{"HYDRA_ENV=none"}, nil, noUser},
	} {
		t.Run(tt.name, func(t *testing.T) {
			argv := append(append(append([]string{c.bin, "-v", "-e", "E", "--"}, c.launcher("hydra")...), tt.opts...), probe...)
			out, err := c.run(append([]string{"OMP_NUM_THREADS=3"}, tt.extra...), argv...)
			if err != nil {
				t.Errorf("%v", err)
			}
			checkRanks(t, "secrun -- mpiexec.hydra "+strings.Join(tt.opts, " "), out, tt.want)
		})
	}
}

// TestClusterFileSecrets: with 'LAUNCHER secrun -e F -- probe' every rank reads the file secret
// on its own node; 'secrun -e F -- LAUNCHER probe', where ranks on other nodes would get the
// path of a file that exists only on the login node, is refused before anything starts, with
// an error that names the pattern that works.
func TestClusterFileSecrets(t *testing.T) {
	clusterIdentities(t, func(t *testing.T, c *clusterHost) {
		probe := c.probe("@CERT_FILE=" + clusterFileSecret)
		for _, kind := range []string{"openmpi", "hydra", "srun"} {
			t.Run(kind, func(t *testing.T) {
				l := c.launcher(kind)
				if kind == "openmpi" && c.root {
					l = append(l, "-x", "XDG_CONFIG_HOME", "-x", "XDG_DATA_HOME", "-x", "XDG_STATE_HOME")
				}
				out, err := c.run(nil, append(append(l, c.bin, "-e", "F", "--"), probe...)...)
				if err != nil {
					t.Errorf("%s secrun -e F --: %v", kind, err)
				}
				checkRanks(t, kind+" secrun -e F --", out, map[string]string{"@CERT_FILE": "ok"})

				out, err = c.run(nil, append(append([]string{c.bin, "-e", "F", "--"}, c.launcher(kind)...), probe...)...)
				ee, _ := err.(*exec.ExitError)
				if ee == nil || ee.ExitCode() != 125 || len(probeRecords(out)) > 0 ||
					!strings.Contains(out, "delivers secret \"CERT\" as a file") || !strings.Contains(out, " secrun -e F -- ") {
					t.Errorf("secrun -e F -- %s: %v, want status 125, no rank started and the pattern that works named:\n%s", kind, err, out)
				}
			})
		}
	})
}

// installEpilog installs contrib's SLURM epilog, and a secrun for it, in the cluster's
// directory, which every node shares (as a site installs it on every node), and runs it from
// the cluster's epilog.d. The source tree may not be visible on the nodes: a checkout under
// /tmp is not, since each node has its own /tmp. Every compute node must see both files.
func installEpilog(t *testing.T, dir string) {
	t.Helper()
	bin := filepath.Join(dir, "bin", "secrun")
	epilog := filepath.Join(dir, "bin", "epilog-secrun.sh")
	for _, f := range []struct{ from, to string }{{secrunBinary(t), bin}, {"../contrib/slurm/epilog-secrun.sh", epilog}} {
		data, err := os.ReadFile(f.from)
		if err == nil {
			err = os.WriteFile(f.to, data, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	wrapper := "#!/bin/sh\nSECRUN=" + bin + " exec " + epilog + "\n"
	if err := os.WriteFile(filepath.Join(dir, "epilog.d", "secrun"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	root := onCluster(t, true)
	for _, n := range []string{"n1", "n2", "n3"} {
		if out, err := root.cmd(n, "test", "-x", bin, "-a", "-x", epilog).CombinedOutput(); err != nil {
			t.Fatalf("node %s cannot run the epilog %s with %s: %v %s", n, epilog, bin, err, out)
		}
	}
}

// secretFiles lists the files in secrun's private directories on the compute nodes, as
// "NODE:PATH".
func secretFiles(t *testing.T) []string {
	root := onCluster(t, true)
	var files []string
	for _, n := range []string{"n1", "n2", "n3"} {
		out, _ := root.cmd(n, "find", "/dev/shm", "/tmp", "/run/user", "-path", "*/secrun-[0-9]*/*", "-type", "f").Output()
		for _, f := range strings.Fields(string(out)) {
			files = append(files, n+":"+f)
		}
	}
	return files
}

// TestClusterKillCleanup: scancel of a job whose command ignores SIGTERM ends with SLURM's
// SIGKILL of every secrun in it; the job's epilog (contrib/slurm/epilog-secrun.sh, running
// 'secrun cleanup --uid') then leaves no secret file on any node.
func TestClusterKillCleanup(t *testing.T) {
	c := onCluster(t, false)
	installEpilog(t, c.dir)
	if left := secretFiles(t); len(left) > 0 {
		t.Fatalf("secret files on the nodes before the test: %q", left)
	}
	job := filepath.Join(c.work, "ignore-term.sh")
	script := "#!/bin/sh\nsrun " + c.bin + " -e F -- /bin/sh -c 'trap \"\" TERM; echo ready; exec sleep 300'\n"
	if err := os.WriteFile(job, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := c.run(nil, "sbatch", "--parsable", "-N", "2", "--ntasks-per-node=1", "-o", filepath.Join(c.work, "kill.out"), job)
	id := strings.TrimSpace(out)
	if err != nil {
		t.Fatalf("sbatch: %v\n%s", err, out)
	}
	waitFor := func(what string, done func() bool) {
		for range 300 {
			if done() {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	waitFor("the secret files of both tasks", func() bool { return len(secretFiles(t)) == 2 })
	if out, err := c.run(nil, "scancel", id); err != nil {
		t.Fatalf("scancel: %v\n%s", err, out)
	}
	waitFor("the job to end (KillWait is 5 s)", func() bool {
		out, _ := c.run(nil, "squeue", "-h", "-j", id, "-o", "%T")
		return !strings.Contains(out, "RUNNING") && !strings.Contains(out, "COMPLETING") && !strings.Contains(out, "PENDING")
	})
	if left := secretFiles(t); len(left) > 0 {
		t.Errorf("after scancel and SIGKILL, secret files are left: %q", left)
	}
}

// TestClusterAudit: with audit = true, 'srun secrun' and 'mpirun secrun' leave one line per
// rank that names its node, rank or task and step; 'secrun -- LAUNCHER' leaves one line on the
// login node that names the launcher, the names it forwarded and the ranks and nodes asked for.
func TestClusterAudit(t *testing.T) {
	c := onCluster(t, false)
	conf := filepath.Join(c.home, ".config", "secrun", "config.toml")
	log := filepath.Join(c.home, ".local", "state", "secrun", "audit.jsonl")
	os.Remove(log)
	if err := os.WriteFile(conf, []byte("audit = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(conf)
	lines := func() []map[string]any {
		data, _ := os.ReadFile(log)
		os.Remove(log)
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("audit line %q: %v", l, err)
			}
			out = append(out, m)
		}
		return out
	}
	probe := c.probe("RANK_SECRET=" + rankSecret)
	for _, kind := range []string{"srun", "openmpi"} {
		out, err := c.run(nil, append(append(c.launcher(kind), c.bin, "-e", "E", "--"), probe...)...)
		if err != nil {
			t.Fatalf("%s secrun: %v\n%s", kind, err, out)
		}
		hosts := map[string]int{}
		ranks := map[string]bool{}
		for _, l := range lines() {
			task, _ := l["task"].(map[string]any)
			hosts[fmt.Sprint(l["host"])]++
			rank := fmt.Sprint(task["rank"])
			ranks[rank] = true
			from := map[string]string{"srun": "SLURM_PROCID", "openmpi": "OMPI_COMM_WORLD_RANK"}[kind]
			if task["from"] != from || kind == "srun" && task["step"] == nil {
				t.Errorf("%s secrun: audit line without its rank (from %s) or step: %v", kind, from, l)
			}
		}
		if len(ranks) != 6 || hosts["n1"] != 2 || hosts["n2"] != 2 || hosts["n3"] != 2 {
			t.Errorf("%s secrun: audit lines of ranks %v on hosts %v, want ranks 0-5, two on each node", kind, ranks, hosts)
		}
	}
	out, err := c.run(nil, append(append([]string{c.bin, "-e", "E", "--"}, c.launcher("hydra")...), probe...)...)
	if err != nil {
		t.Fatalf("secrun -- mpiexec.hydra: %v\n%s", err, out)
	}
	l := lines()
	launch, _ := l[0]["launcher"].(map[string]any)
	if len(l) != 1 || l[0]["host"] != "head" || launch["flavour"] != "hydra" || launch["ranks"] != "6" ||
		launch["hosts"] != "n1:2,n2:2,n3:2" || !strings.Contains(fmt.Sprint(launch["forwarded"]), "RANK_SECRET") {
		t.Errorf("secrun -- mpiexec.hydra: want one line on head naming the launcher, its ranks and hosts and what it forwarded, got %v", l)
	}
}

// sbatch submits a job as the identity, waits for it and returns its exit status and output.
func (c *clusterHost) sbatch(args ...string) (int, string) {
	out := filepath.Join(c.work, "job.out")
	os.Remove(out)
	b, err := c.run(nil, append([]string{"sbatch", "--wait", "-o", out}, args...)...)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("sbatch: %v\n%s", err, b)
	}
	job, _ := os.ReadFile(out)
	return code, b + string(job)
}

// TestClusterExportNone: 'sbatch -N 2 --export=NONE' jobs. With secrun as the script's
// interpreter (both shebang forms), a plain srun in the script gives every task the secrets
// (the job's SLURM_EXPORT_ENV=NONE would pass nothing), and the script's exit status comes
// back through 'sbatch --wait'. 'secrun -- mpirun' works in such a job (mpirun's daemons,
// started through srun, need the environment).
func TestClusterExportNone(t *testing.T) {
	c := onCluster(t, false)
	probe := strings.Join(c.probe("RANK_SECRET="+rankSecret), " ")
	two := map[string]string{"RANK_SECRET": "ok"}
	for name, first := range map[string]string{
		"env -S": "#!/usr/bin/env -S " + c.bin + " -e E -- /bin/sh",
		"direct": "#!" + c.bin + " -e E -- /bin/sh",
	} {
		job := filepath.Join(c.work, "shebang.sh")
		os.WriteFile(job, []byte(first+"\nsrun "+probe+"\nexit 3\n"), 0o755)
		code, out := c.sbatch("-N", "2", "--ntasks-per-node=1", "--export=NONE", job)
		recs := probeRecords(out)
		if code != 3 || len(recs) != 2 || recs[0]["host"] == recs[1]["host"] {
			t.Errorf("%s shebang with --export=NONE: status %d (want 3), want a record from each of 2 nodes:\n%s", name, code, out)
		}
		for _, r := range recs {
			for k, v := range two {
				if r[k] != v {
					t.Errorf("%s shebang with --export=NONE: task on %s: %s=%s, want %s", name, r["host"], k, r[k], v)
				}
			}
		}
	}
	for _, kind := range []string{"openmpi", "hydra"} {
		l := map[string]string{"openmpi": "mpirun.openmpi", "hydra": "mpiexec.hydra"}[kind]
		job := filepath.Join(c.work, "mpi.sh")
		os.WriteFile(job, []byte("#!/bin/sh\n"+c.bin+" -e E -- "+l+" -n 6 "+probe+"\n"), 0o755)
		code, out := c.sbatch("-N", "3", "--ntasks-per-node=2", "--export=NONE", job)
		if code != 0 {
			t.Errorf("secrun -- %s in an --export=NONE job: status %d", l, code)
		}
		checkRanks(t, "secrun -- "+l+" in an --export=NONE job", out, two)
	}
}

// TestClusterJobs: secrun in SLURM jobs across nodes: both patterns with mpirun and hydra
// under salloc and sbatch (their daemons start through srun), srun --mpi=pmix and pmi2, and a
// secret of 100 kB in both patterns.
func TestClusterJobs(t *testing.T) {
	c := onCluster(t, false)
	secret := c.probe("RANK_SECRET=" + rankSecret)
	ok := map[string]string{"RANK_SECRET": "ok"}
	alloc := []string{"salloc", "-N", "3", "--ntasks-per-node=2"}
	run := func(what string, want map[string]string, argv ...string) {
		t.Helper()
		out, err := c.run(nil, argv...)
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		checkRanks(t, what, out, want)
	}
	for _, l := range []string{"mpirun.openmpi", "mpiexec.hydra"} {
		run("salloc secrun -- "+l, ok, append(append(alloc, c.bin, "-e", "E", "--", l), secret...)...)
		run("salloc "+l+" secrun", ok, append(append(alloc, l, c.bin, "-e", "E", "--"), secret...)...)
		job := filepath.Join(c.work, "job.sh")
		os.WriteFile(job, []byte("#!/bin/sh\n"+c.bin+" -e E -- "+l+" "+strings.Join(secret, " ")+"\n"), 0o755)
		code, out := c.sbatch("-N", "3", "--ntasks-per-node=2", job)
		if code != 0 {
			t.Errorf("sbatch: secrun -- %s: status %d", l, code)
		}
		checkRanks(t, "sbatch: secrun -- "+l, out, ok)
	}
	for _, mpi := range []string{"pmix", "pmi2"} {
		out, err := c.run(nil, append([]string{"srun", "--mpi=" + mpi, "-N", "3", "--ntasks-per-node=2", c.bin, "-e", "E", "--"}, secret...)...)
		if err != nil {
			t.Errorf("srun --mpi=%s secrun: %v", mpi, err)
		}
		checkRanks(t, "srun --mpi="+mpi+" secrun", out, ok)
	}
	large := c.probe("LARGE=" + clusterLargeSecret)
	want := map[string]string{"LARGE": "ok"}
	for _, kind := range []string{"openmpi", "hydra", "srun"} {
		run("secrun -e L -- "+kind, want, append(append([]string{c.bin, "-e", "L", "--"}, c.launcher(kind)...), large...)...)
		run(kind+" secrun -e L --", want, append(append(c.launcher(kind), c.bin, "-e", "L", "--"), large...)...)
	}
}
