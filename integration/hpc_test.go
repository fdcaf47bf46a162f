//go:build linux

package integration

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// These tests run secrun under the real launchers that test.sh installs and starts:
// Open MPI, MPICH (hydra) and a single-node SLURM (testenv/mpi.sh, testenv/slurm.sh).

const rankSecret = "rank-s3cr3t-value"

// requireService skips a test whose service test.sh did not start, or fails it under CI=true.
func requireService(t *testing.T, variable, what string) {
	t.Helper()
	if os.Getenv(variable) != "" {
		return
	}
	msg := what + " is not available (" + variable + " is unset); ./test.sh installs and starts it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// compileMPI builds testdata/rank.c with an MPI family's compiler wrapper.
func compileMPI(t *testing.T, mpicc, out string) {
	t.Helper()
	src, _ := filepath.Abs("testdata/rank.c")
	if b, err := exec.Command(mpicc, "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", mpicc, err, b)
	}
}

// rankLines checks that out holds one line per rank, each seeing the secret.
func rankLines(t *testing.T, out string, n int) {
	t.Helper()
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, "rank ") {
			got = append(got, l)
		}
	}
	slices.Sort(got)
	var want []string
	for i := range n {
		want = append(want, "rank "+strconv.Itoa(i)+" of "+strconv.Itoa(n)+": secret length "+strconv.Itoa(len(rankSecret)))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ranks printed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMPI(t *testing.T) {
	requireService(t, "SECRUN_TEST_MPI", "MPI (Open MPI and MPICH)")
	s := newSandbox(t)
	compileMPI(t, "mpicc.openmpi", filepath.Join(s.dir, "rank_ompi"))
	compileMPI(t, "mpicc.mpich", filepath.Join(s.dir, "rank_mpich"))
	defs := `[[env]]
name = "mpi"
secrets = ["RANK_SECRET"]
[[env.executables]]
label = "ompi_rank"
  [[env.executables.instances]]
  command = "mpirun.openmpi --allow-run-as-root --oversubscribe -np <<num_cores>> ./rank_ompi"
  num_cores = { start = 1, stop = 64 }
[[env.executables]]
label = "hydra_rank"
  [[env.executables.instances]]
  command = "mpiexec.hydra -np <<num_cores>> ./rank_mpich"
  num_cores = { start = 1, stop = 64 }
`
	os.WriteFile(filepath.Join(s.dir, "home", ".config", "secrun", "envs.toml"), []byte(defs), 0o600)
	set := s.cmd("secrets", "set", "RANK_SECRET")
	set.Stdin = strings.NewReader(rankSecret)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secrets set: %v\n%s", err, out)
	}
	tests := []struct {
		name  string
		args  []string
		ranks int
		flags string // what the verbose "running:" line must show
	}{
		{"openmpi label", []string{"-n", "4", "--", "ompi_rank"}, 4,
			"running: mpirun.openmpi -x RANK_SECRET -x SECRUN_ENV -x SECRUN_NUM_CORES -x SECRUN_EXECUTABLE -x SECRUN_DEPTH --allow-run-as-root --oversubscribe -np 4 ./rank_ompi"},
		{"hydra label", []string{"-n", "3", "--", "hydra_rank"}, 3,
			"running: mpiexec.hydra -np 3 ./rank_mpich"}, // hydra passes everything by default
		{"openmpi plain", []string{"--", "mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", "./rank_ompi"}, 2,
			"running: mpirun -x RANK_SECRET"},
		{"hydra plain", []string{"--", "mpiexec.mpich", "-n", "2", "./rank_mpich"}, 2,
			"running: mpiexec.mpich -n 2 ./rank_mpich"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.cmd(append([]string{"-v", "-e", "mpi"}, tt.args...)...)
			var stderr strings.Builder
			c.Stderr = &stderr
			out, err := c.Output()
			if err != nil {
				t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
			}
			rankLines(t, string(out), tt.ranks)
			if !strings.Contains(stderr.String(), tt.flags) {
				t.Errorf("stderr does not show %q:\n%s", tt.flags, stderr.String())
			}
			if strings.Contains(stderr.String()+string(out), rankSecret) {
				t.Errorf("the secret's value was printed")
			}
		})
	}
	// --no-forward leaves the command line alone
	c := s.cmd("-v", "-e", "mpi", "--no-forward", "-n", "2", "--", "ompi_rank")
	out, err := c.CombinedOutput()
	if err != nil || strings.Contains(string(out), "-x RANK_SECRET") {
		t.Errorf("--no-forward: %v\n%s", err, out)
	}
}

// slurmUser is the throwaway user whose jobs the SLURM tests submit, with secrun installed in
// its home, an environment "E" and the secret RANK_SECRET in its file store.
type slurmUser struct {
	t          *testing.T
	name, home string
	bin        string // secrun in the user's home
	work       string // the jobs' working directory
}

func newSlurmUser(t *testing.T) *slurmUser {
	requireService(t, "SECRUN_TEST_SLURM", "SLURM")
	u := &slurmUser{t: t, name: os.Getenv("SECRUN_TEST_SLURM_USER"), home: os.Getenv("SECRUN_TEST_SLURM_HOME")}
	acct, err := user.Lookup(u.name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(acct.Uid)
	gid, _ := strconv.Atoi(acct.Gid)
	for _, d := range []string{".config", ".local", "bin", "work"} {
		os.RemoveAll(filepath.Join(u.home, d))
	}
	u.bin, u.work = filepath.Join(u.home, "bin", "secrun"), filepath.Join(u.home, "work")
	defs := filepath.Join(u.home, ".config", "secrun", "envs.toml")
	for _, d := range []string{filepath.Dir(u.bin), u.work, filepath.Dir(defs)} {
		os.MkdirAll(d, 0o755)
		os.Chown(d, uid, gid)
	}
	data, err := os.ReadFile(secrunBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(u.bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(defs, []byte("[[env]]\nname = \"E\"\nsecrets = [\"RANK_SECRET\"]\n"), 0o644)
	set := u.cmd(u.bin, "secrets", "set", "RANK_SECRET")
	set.Stdin = strings.NewReader(rankSecret)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secrets set as %s: %v\n%s", u.name, err, out)
	}
	return u
}

// cmd runs a command as the user, in its work directory, with its secrun first on PATH.
func (u *slurmUser) cmd(args ...string) *exec.Cmd {
	c := exec.Command("runuser", append([]string{"-u", u.name, "--", "env", "HOME=" + u.home,
		"PATH=" + filepath.Dir(u.bin) + ":/usr/local/bin:/usr/bin:/bin"}, args...)...)
	c.Dir = u.work
	c.Env = []string{"SLURM_CONF=" + os.Getenv("SLURM_CONF")}
	return c
}

// script writes an executable job script into the work directory.
func (u *slurmUser) script(name, text string) string {
	p := filepath.Join(u.work, name)
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(text, "SECRUN", u.bin)), 0o755); err != nil {
		u.t.Fatal(err)
	}
	return p
}

// sbatch submits a job, waits for it and returns its exit status and output.
func (u *slurmUser) sbatch(args ...string) (int, string) {
	out := filepath.Join(u.work, "job.out")
	os.Remove(out)
	c := u.cmd(append([]string{"sbatch", "--wait", "-o", out}, args...)...)
	b, err := c.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		u.t.Fatalf("sbatch: %v\n%s", err, b)
	}
	job, _ := os.ReadFile(out)
	return code, string(job)
}

// taskLines returns the "N:VALUE" lines of the tasks, sorted.
func taskLines(out string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 1 && l[0] >= '0' && l[0] <= '9' && l[1] == ':' {
			got = append(got, l)
		}
	}
	slices.Sort(got)
	return got
}

func TestSlurmSrunEveryTask(t *testing.T) {
	u := newSlurmUser(t)
	out, err := u.cmd("srun", "-n", "2", "secrun", "-e", "E", "--", "/bin/sh", "-c", `echo "$SLURM_PROCID:$RANK_SECRET"`).CombinedOutput()
	want := []string{"0:" + rankSecret, "1:" + rankSecret}
	if got := taskLines(string(out)); err != nil || !slices.Equal(got, want) {
		t.Errorf("srun -n 2 secrun ...: %v, tasks printed %q, want %q\n%s", err, got, want, out)
	}
}

func TestSlurmBatchShebangExitCode(t *testing.T) {
	u := newSlurmUser(t)
	body := "\n#SBATCH -n 1\necho \"secret=$RANK_SECRET args=$1|$2\"\nexit 3\n"
	for name, first := range map[string]string{
		"env-s.sh":  "#!/usr/bin/env -S secrun -e E -- /bin/sh",
		"direct.sh": "#!SECRUN -e E -- /bin/sh",
	} {
		job := u.script(name, first+body)
		code, out := u.sbatch(job, "one arg", "two")
		if code != 3 || !strings.Contains(out, "secret="+rankSecret+" args=one arg|two") {
			t.Errorf("%s: sbatch --wait exited %d (want 3); job output:\n%s", name, code, out)
		}
	}
}

func TestSlurmExportNone(t *testing.T) {
	u := newSlurmUser(t)
	task := `/bin/sh -c 'echo "$SLURM_PROCID:$RANK_SECRET"'`
	want := []string{"0:" + rankSecret, "1:" + rankSecret}
	for name, line := range map[string]string{
		"secrun around srun": "SECRUN -e E -- srun " + task,
		"srun around secrun": "srun SECRUN -e E -- " + task,
	} {
		job := u.script("job.sh", "#!/bin/sh\n"+line+"\n")
		code, out := u.sbatch("--export=NONE", "-n", "2", job)
		if got := taskLines(out); code != 0 || !slices.Equal(got, want) {
			t.Errorf("%s with --export=NONE: status %d, tasks printed %q, want %q; output:\n%s", name, code, got, want, out)
		}
	}
	// without the forwarding flags, the tasks do not get the secret: the flags are what works
	job := u.script("job.sh", "#!/bin/sh\nSECRUN --no-forward -e E -- srun "+task+"\n")
	_, out := u.sbatch("--export=NONE", "-n", "2", job)
	if got := taskLines(out); !slices.Equal(got, []string{"0:", "1:"}) {
		t.Errorf("--no-forward with --export=NONE: tasks printed %q, want none to see the secret\n%s", got, out)
	}
}
