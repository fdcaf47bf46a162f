//go:build linux

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// shellDefs are hpcFlow-style environments whose commands go through the shell: setup lines,
// and commands that are shell text.
const shellDefs = `- name: sh_env
  setup: |
    export GREETING=hi
    CODE=3
  secrets: [tls]
  executables:
    - label: trap_text
      instances:
        - command: sh -c 'trap "echo got-TERM; exit 7" TERM; echo $$ > child.pid; while :; do sleep 0.05; done' $GREETING
          num_cores: 1
    - label: trap_words
      instances:
        - command: sh -c 'trap "echo got-TERM; exit 7" TERM; echo $$ > child.pid; while :; do sleep 0.05; done'
          num_cores: 1
    - label: exit_code
      instances:
        - command: sh -c 'exit $1' sh $CODE
          num_cores: 1
    - label: killed
      instances:
        - command: sh -c 'kill -USR1 $$' $GREETING
          num_cores: 1
    - label: loop_last
      instances:
        - command: |
            for i in 1 2; do echo "part $i"; done
            false
          num_cores: 1
`

// TestShellPathSignalAndStatus checks that through the shell (setup lines, shell text) the
// command takes secrun's pid, gets a TERM sent to it, and that secrun's exit status, or death by a
// signal, is the command's own.
func TestShellPathSignalAndStatus(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash") // the fallback to /bin/sh is covered by the launcher's tests
	}
	s := newSandbox(t)
	defs := filepath.Join(s.dir, "envs.yaml")
	if err := os.WriteFile(defs, []byte(shellDefs), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"trap_text", "trap_words"} {
		t.Run("TERM "+label, func(t *testing.T) {
			pidFile := filepath.Join(s.dir, "child.pid")
			os.Remove(pidFile)
			c := s.cmd("--envs", defs, "-e", "sh_env", "--", label)
			var out strings.Builder
			c.Stdout = &out
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			var pid int
			waitFor(t, "the child's pid file", func() bool {
				data, err := os.ReadFile(pidFile)
				pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
				return err == nil && pid > 0
			})
			if pid != c.Process.Pid {
				t.Errorf("the command runs as pid %d, secrun was %d: the shell did not exec it", pid, c.Process.Pid)
			}
			c.Process.Signal(syscall.SIGTERM)
			ws := waitStatus(t, c)
			if ws.ExitStatus() != 7 || !strings.Contains(out.String(), "got-TERM") {
				t.Errorf("after TERM: %v, exit %d, stdout %q; want the command's trap and its exit 7", ws, ws.ExitStatus(), out.String())
			}
		})
	}
	t.Run("exit status", func(t *testing.T) {
		ws := waitStatus(t, start(t, s.cmd("--envs", defs, "-e", "sh_env", "--", "exit_code")))
		if ws.Signaled() || ws.ExitStatus() != 3 {
			t.Errorf("exit_code: %v, want exit 3", ws)
		}
	})
	t.Run("death by signal", func(t *testing.T) {
		ws := waitStatus(t, start(t, s.cmd("--envs", defs, "-e", "sh_env", "--", "killed")))
		if !ws.Signaled() || ws.Signal() != syscall.SIGUSR1 {
			t.Errorf("killed: %v (exit %d), want death by SIGUSR1", ws, ws.ExitStatus())
		}
	})
	t.Run("compound last command", func(t *testing.T) {
		c := s.cmd("--envs", defs, "-e", "sh_env", "--", "loop_last")
		out, _ := c.Output()
		if c.ProcessState.ExitCode() != 1 || string(out) != "part 1\npart 2\n" {
			t.Errorf("loop_last: exit %d, stdout %q; want 1 and both parts", c.ProcessState.ExitCode(), out)
		}
	})
}

// start starts c or fails the test.
func start(t *testing.T, c *exec.Cmd) *exec.Cmd {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMPIShellText checks that a launcher named inside shell text, with a variable from a setup
// line as its rank count (mpirun -n $NP ...), gets the forwarding options, on Open MPI and MPICH.
func TestMPIShellText(t *testing.T) {
	requireService(t, "SECRUN_TEST_MPI", "MPI (Open MPI and MPICH)")
	s := newSandbox(t)
	compileMPI(t, "mpicc.openmpi", filepath.Join(s.dir, "rank_ompi"))
	compileMPI(t, "mpicc.mpich", filepath.Join(s.dir, "rank_mpich"))
	defs := `- name: mpi_text
  setup: |
    NP=3
    IMG_PATH=./rank
  secrets: [RANK_SECRET]
  executables:
    - label: ompi
      instances:
        - command: mpirun.openmpi --allow-run-as-root --oversubscribe -n $NP ${IMG_PATH}_ompi
          num_cores: {start: 1, stop: 64}
    - label: hydra
      instances:
        - command: |
            echo "starting $NP ranks"
            mpiexec.hydra -n $NP ${IMG_PATH}_mpich
          num_cores: {start: 1, stop: 64}
`
	file := filepath.Join(s.dir, "mpi.yaml")
	os.WriteFile(file, []byte(defs), 0o600)
	set := s.cmd("secrets", "set", "RANK_SECRET")
	set.Stdin = strings.NewReader(rankSecret)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secrets set: %v\n%s", err, out)
	}
	for label, flags := range map[string]string{
		"ompi":  "exec mpirun.openmpi -x RANK_SECRET -x SECRUN_ENV -x SECRUN_NUM_CORES -x SECRUN_EXECUTABLE -x SECRUN_DEPTH --allow-run-as-root --oversubscribe -n $NP ${IMG_PATH}_ompi",
		"hydra": "exec mpiexec.hydra -n $NP ${IMG_PATH}_mpich", // hydra passes the whole environment by default
	} {
		t.Run(label, func(t *testing.T) {
			c := s.cmd("-v", "--envs", file, "-e", "mpi_text", "--", label)
			var stderr strings.Builder
			c.Stderr = &stderr
			out, err := c.Output()
			if err != nil {
				t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
			}
			rankLines(t, string(out), 3)
			if !strings.Contains(stderr.String(), flags) {
				t.Errorf("the script does not hold %q:\n%s", flags, stderr.String())
			}
			if label == "hydra" && !strings.Contains(stderr.String(), "hydra launcher: it passes the whole environment already") {
				t.Errorf("the launcher in the shell text was not recognised as hydra:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String()+string(out), rankSecret) {
				t.Errorf("the secret's value was printed")
			}
		})
	}
}

// TestSlurmShellText checks srun inside shell text under sbatch --export=NONE, where the tasks
// get nothing that is not named, and that sbatch --wait reports the status of a command run
// through the shell.
func TestSlurmShellText(t *testing.T) {
	u := newSlurmUser(t)
	defs := `- name: E
  setup: |
    N=2
    CODE=3
  secrets: [RANK_SECRET]
  executables:
    - label: tasks
      instances:
        - command: srun -n $N /bin/sh -c 'echo "$SLURM_PROCID:$RANK_SECRET"'
          num_cores: {start: 1, stop: 64}
    - label: fail
      instances:
        - command: sh -c 'exit $1' sh $CODE
          num_cores: {start: 1, stop: 64}
`
	file := filepath.Join(u.home, "envs.yaml")
	if err := os.WriteFile(file, []byte(defs), 0o644); err != nil {
		t.Fatal(err)
	}
	job := u.script("job.sh", "#!/bin/sh\nSECRUN --envs "+file+" -e E -- tasks\n")
	code, out := u.sbatch("--export=NONE", "-n", "2", job)
	want := []string{"0:" + rankSecret, "1:" + rankSecret}
	if got := taskLines(out); code != 0 || !slices.Equal(got, want) {
		t.Errorf("srun in shell text with --export=NONE: status %d, tasks printed %q, want %q; output:\n%s", code, got, want, out)
	}
	job = u.script("job.sh", "#!/bin/sh\nSECRUN --envs "+file+" -e E -- fail\n")
	if code, out := u.sbatch("-n", "1", job); code != 3 {
		t.Errorf("sbatch --wait of a shell-text command exited %d, want 3; output:\n%s", code, out)
	}
}
