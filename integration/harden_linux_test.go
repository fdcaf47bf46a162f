//go:build linux

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestValueCommandsHardened: 'secrets set' and 'secrets import', waiting for the value on
// stdin, have a core limit of 0 and are not dumpable. secrun runs as nobody, so that the
// owner of /proc/PID/status shows dumpability (root for a process that is not dumpable).
func TestValueCommandsHardened(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test runs secrun as another user and needs root")
		}
		t.Skip("needs root, to run secrun as another user")
	}
	const nobody = 65534
	dir, err := os.MkdirTemp("", "secrun-harden-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	os.Chown(home, nobody, nobody)
	data, err := os.ReadFile(secrunBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "secrun")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	// A core limit for secrun to lower.
	var old unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &old)
	if old.Max != unix.RLIM_INFINITY && old.Max < 1<<20 {
		t.Fatalf("hard core limit %d is too low for this test", old.Max)
	}
	for _, args := range [][]string{{"secrets", "set", "K"}, {"secrets", "import", "--from", "json", "-"}} {
		t.Run(args[1], func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "SECRUN_STORE=file"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			stdin, err := cmd.StdinPipe() // kept open: secrun waits for the value
			if err != nil {
				t.Fatal(err)
			}
			unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 1 << 20, Max: old.Max})
			err = cmd.Start()
			unix.Setrlimit(unix.RLIMIT_CORE, &old)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); stdin.Close(); cmd.Wait() }()
			proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
			var owner uint32
			var core string
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				var st syscall.Stat_t
				if syscall.Stat(proc+"/status", &st) == nil {
					owner = st.Uid
				}
				limits, _ := os.ReadFile(proc + "/limits")
				for _, l := range strings.Split(string(limits), "\n") {
					if strings.HasPrefix(l, "Max core file size") {
						core = strings.Fields(l[len("Max core file size"):])[0]
					}
				}
				if owner == 0 && core == "0" {
					return
				}
			}
			t.Errorf("secrun %s waiting on stdin: /proc/PID/status owned by uid %d (0 when not dumpable), soft core limit %s; want 0 and 0",
				strings.Join(args, " "), owner, core)
		})
	}
}
