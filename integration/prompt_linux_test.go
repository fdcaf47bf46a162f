//go:build linux

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPromptRestoresTerminal types at the hidden prompt of 'secrets set' on a pseudo-terminal:
// ^\, ^C, SIGHUP and SIGTERM end it with 128+N and the terminal's echo back on, ^D on an empty
// line ends it with 125 and nothing stored, and ^Z does not suspend it. secrun runs under a
// shell without job control, so that bash, which resets the terminal after a job that died of
// a signal, does not hide what secrun left behind.
func TestPromptRestoresTerminal(t *testing.T) {
	s := newSandbox(t)
	tm := newTerm(t, s)
	tm.send("echo \"@@\"TTY=$(tty)\n")
	slave := tm.expect(regexp.MustCompile(`@@TTY=(/dev/pts/\d+)`))[1]
	echoOn := func() bool {
		f, err := os.OpenFile(slave, os.O_RDONLY|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		return tio.Lflag&unix.ECHO != 0
	}
	// prompt types a 'secrets set KEY' and waits for its prompt; it returns the pid of secrun.
	prompt := func(key string) int {
		t.Helper()
		os.Remove(filepath.Join(s.dir, "sh.pid"))
		tm.send(fmt.Sprintf(`sh -c 'trap : INT QUIT; echo $$ > sh.pid; "$SECRUN" secrets set %s; echo "@@"RC=$?'`+"\n", key))
		tm.expect(regexp.MustCompile(`Value for ` + key + ` \(input hidden\): `))
		sh := waitInt(t, filepath.Join(s.dir, "sh.pid"))
		for _, stat := range must(filepath.Glob("/proc/[0-9]*/stat")) {
			data, _ := os.ReadFile(stat)
			if i := strings.LastIndexByte(string(data), ')'); i > 0 && strings.Contains(string(data[:i]), "(secrun") {
				if f := strings.Fields(string(data[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(sh) {
					return must(strconv.Atoi(filepath.Base(filepath.Dir(stat))))
				}
			}
		}
		t.Fatalf("no secrun under sh %d", sh)
		return 0
	}
	rc := regexp.MustCompile(`@@RC=(\d+)`)
	// status waits for the RC line of the n-th prompt (counted from 1) and returns it.
	n := 0
	status := func() string {
		t.Helper()
		n++
		all := tm.expect(regexp.MustCompile(`(?s)(@@RC=\d+.*){` + strconv.Itoa(n) + `}`))
		ms := rc.FindAllStringSubmatch(all[0], -1)
		return ms[len(ms)-1][1]
	}
	notStored := func(key string) {
		t.Helper()
		if out, err := s.cmd("secrets", "get", key).CombinedOutput(); err == nil {
			t.Errorf("%s was stored: %s", key, out)
		}
	}
	for _, c := range []struct {
		key  string
		send func(pid int)
		want string
	}{
		{"QUIT", func(int) { tm.send("typed\x1c") }, "131"},
		{"INT", func(int) { tm.send("typed\x03") }, "130"},
		{"HUP", func(pid int) { syscall.Kill(pid, syscall.SIGHUP) }, "129"},
		{"TERM", func(pid int) { syscall.Kill(pid, syscall.SIGTERM) }, "143"},
		{"EOF", func(int) { tm.send("\x04") }, "125"},
	} {
		pid := prompt(c.key)
		if echoOn() {
			t.Errorf("%s: echo is on at the prompt", c.key)
		}
		c.send(pid)
		if got := status(); got != c.want {
			t.Errorf("%s: status %s, want %s", c.key, got, c.want)
		}
		if !echoOn() {
			t.Errorf("%s: the terminal's echo is still off", c.key)
		}
		notStored(c.key)
	}
	tm.mu.Lock()
	out := tm.out.String()
	tm.mu.Unlock()
	for _, bad := range []string{"goroutine ", "SIGQUIT: quit"} {
		if strings.Contains(out, bad) {
			t.Errorf("the terminal shows %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `no value entered for secret "EOF"`) {
		t.Errorf("no message for ^D:\n%s", out)
	}

	// ^Z: the prompt is not suspended (a stopped prompt would read on with whatever echo the
	// shell restores, after fg); it says so, and the value is typed again.
	tm.send(`"$SECRUN" secrets set TSTP; echo "@@"RC=$?` + "\n")
	tm.expect(regexp.MustCompile(`Value for TSTP \(input hidden\): `))
	tm.send("part\x1a")
	tm.expect(regexp.MustCompile(`\^Z does not suspend this prompt; type the whole value again\) Value for TSTP \(input hidden\): `))
	if echoOn() {
		t.Error("TSTP: echo is on at the prompt after ^Z")
	}
	tm.send("tstp-s3cr3t\n")
	if got := status(); got != "0" {
		t.Errorf("TSTP: status %s, want 0", got)
	}
	tm.mu.Lock()
	out = tm.out.String()
	tm.mu.Unlock()
	if strings.Contains(out, "tstp-s3cr3t") || strings.Contains(out, "Stopped") {
		t.Errorf("the prompt stopped, or the value was echoed:\n%s", out)
	}
	if got, err := s.cmd("secrets", "get", "TSTP").Output(); err != nil || string(got) != "tstp-s3cr3t" {
		t.Errorf("get TSTP = %q, %v", got, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
