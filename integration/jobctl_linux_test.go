//go:build linux

package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests type into an interactive bash, with job control, on a real pseudo-terminal, as a
// user would: secrun is a foreground job of the terminal, and ^C, ^Z, ^\ and window size
// changes come from the terminal driver, to the whole foreground process group.

// term is a bash running on a pseudo-terminal whose master side the test holds.
type term struct {
	t      *testing.T
	s      *sandbox
	master *os.File
	sh     *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	n      int // status queries so far
}

// newTerm starts `bash -i` in a new session whose controlling terminal is a fresh pty.
func newTerm(t *testing.T, s *sandbox) *term {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to drive job control")
	}
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	mfd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	unix.IoctlSetWinsize(mfd, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	tm := &term{t: t, s: s, master: master}
	tm.sh = exec.Command(bash, "--norc", "--noprofile", "--noediting", "-i")
	tm.sh.Stdin, tm.sh.Stdout, tm.sh.Stderr = slave, slave, slave
	tm.sh.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	tm.sh.Env = append(append([]string{}, s.env...), "PS1=$ ", "TERM=dumb", "SECRUN="+s.bin)
	tm.sh.Dir = s.dir
	if err := tm.sh.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := master.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:k])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		syscall.Kill(-tm.sh.Process.Pid, syscall.SIGKILL) // the session's own group
		tm.sh.Process.Kill()
		tm.sh.Wait()
		master.Close()
	})
	tm.send("ulimit -c 0\n") // no core file from a death by SIGQUIT
	tm.status(0)
	return tm
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.master.WriteString(s); err != nil {
		tm.t.Fatal(err)
	}
}

// expect waits for re in the terminal's output and returns its submatches.
func (tm *term) expect(re *regexp.Regexp) []string {
	tm.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		tm.mu.Lock()
		m := re.FindStringSubmatch(tm.out.String())
		out := tm.out.String()
		tm.mu.Unlock()
		if m != nil {
			return m
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %v in the terminal's output:\n%s", re, out)
		}
	}
}

// status asks bash for $? and checks it.
func (tm *term) status(want int) {
	tm.t.Helper()
	tm.n++
	// The quotes keep bash's echo of the typed line from matching.
	tm.send(fmt.Sprintf("echo \"@@\"ST%d=$?\n", tm.n))
	got := tm.expect(regexp.MustCompile(fmt.Sprintf(`@@ST%d=(\d+)`, tm.n)))[1]
	if got != strconv.Itoa(want) {
		tm.t.Errorf("bash saw $? = %s, want %d", got, want)
	}
}

// launch writes script to child.sh, after a prelude in which the child writes its private
// directory, and types line, which runs secrun with `sh ./child.sh`. It returns once the child
// has run `ready`, which writes its pid and secrun's: at the start of script, unless script
// has a line `ready` of its own (after its traps, so that no signal comes before them).
func (tm *term) launch(line, script string) (secrun, child int, dir string) {
	tm.t.Helper()
	prelude := `echo "$SECRUN_SECRETS_DIR" > dir.txt; test -r "$tls_FILE" || exit 99
if test -t 0 && test -t 1; then echo yes > tty.txt; fi
ready() { echo $PPID > secrun.pid; echo $$ > pid.tmp; mv pid.tmp child.pid; }
`
	if !regexp.MustCompile(`(?m)^ready$`).MatchString(script) {
		script = "ready\n" + script
	}
	if err := os.WriteFile(filepath.Join(tm.s.dir, "child.sh"), []byte(prelude+script+"\n"), 0o600); err != nil {
		tm.t.Fatal(err)
	}
	tm.send(line + "\n")
	child = waitInt(tm.t, filepath.Join(tm.s.dir, "child.pid"))
	secrun = waitInt(tm.t, filepath.Join(tm.s.dir, "secrun.pid"))
	data, _ := os.ReadFile(filepath.Join(tm.s.dir, "dir.txt"))
	return secrun, child, strings.TrimSpace(string(data))
}

const (
	plain = `"$SECRUN" -e e -- sh ./child.sh`
	// wrapped runs secrun under a shell without job control, which does not notice when the
	// test stops secrun with SIGSTOP (bash would, and take the terminal back).
	wrapped = `sh -c 'trap : INT; "$SECRUN" -e e -- sh ./child.sh %s; exit $?'`
)

// waitFile waits for a file to exist and returns its trimmed content.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 && data[len(data)-1] == '\n' {
			return strings.TrimSpace(string(data))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", filepath.Base(path))
		}
	}
}

func waitInt(t *testing.T, path string) int {
	t.Helper()
	n, err := strconv.Atoi(waitFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// procState is the state letter of pid in /proc (R, S, T, Z, ...), or 0 if it is gone.
func procState(pid int) byte {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(stat, ')')
	if err != nil || i < 0 || i+2 >= len(stat) {
		return 0
	}
	return stat[i+2]
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func stopped(pid int) func() bool { return func() bool { return procState(pid) == 'T' } }
func running(pid int) func() bool {
	return func() bool { s := procState(pid); return s != 'T' && s != 0 }
}
func ended(pid int) func() bool { return func() bool { return !alive(pid) } }

// counter is a child that counts the INT and WINCH it gets, and on USR1 (which only secrun
// relays to it) writes the counts and exits 0.
const counter = `n=0; w=0
onint() { n=$((n+1)); echo $n > int.txt; }
onwinch() { w=$((w+1)); stty size < /dev/tty > winch.txt; }
onusr1() { echo "int=$n winch=$w" > final.txt; exit 0; }
trap onint INT; trap onwinch WINCH; trap onusr1 USR1
ready
while :; do sleep 1; done`

// freeze stops secrun, so that a signal it would relay reaches the child only after the child
// has handled the terminal's own: two deliveries cannot merge into one pending signal.
func freeze(t *testing.T, secrun int) {
	t.Helper()
	syscall.Kill(secrun, syscall.SIGSTOP)
	waitFor(t, "secrun to stop", stopped(secrun))
}

// thaw resumes secrun and waits until the kernel has handed it every pending signal. Then it
// sends USR1, which secrun relays after anything with a lower number that it received before
// (the kernel and the Go runtime hand over pending signals lowest number first): an INT relayed
// would be counted before the child ends. WINCH (28) has no such guarantee, only a likelihood.
func thaw(t *testing.T, secrun int) {
	t.Helper()
	syscall.Kill(secrun, syscall.SIGCONT)
	waitFor(t, "secrun to take its pending signals", func() bool {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(secrun) + "/status")
		if err != nil {
			return true
		}
		for _, l := range strings.Split(string(data), "\n") {
			if (strings.HasPrefix(l, "SigPnd:") || strings.HasPrefix(l, "ShdPnd:")) &&
				strings.Trim(strings.TrimSpace(l[7:]), "0") != "" {
				return false
			}
		}
		return true
	})
	syscall.Kill(secrun, syscall.SIGUSR1)
}

func TestTTYInterruptAndWinchOnce(t *testing.T) {
	s := newSandbox(t)
	tm := newTerm(t, s)
	secrun, _, dir := tm.launch(fmt.Sprintf(wrapped, ""), counter)
	if got := waitFile(t, filepath.Join(s.dir, "tty.txt")); got != "yes" {
		t.Errorf("the child's stdin and stdout are not a terminal")
	}
	freeze(t, secrun)
	tm.send("\x03")
	waitFile(t, filepath.Join(s.dir, "int.txt"))
	unix.IoctlSetWinsize(int(tm.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 33, Col: 111})
	if got := waitFile(t, filepath.Join(s.dir, "winch.txt")); got != "33 111" {
		t.Errorf("the child sees a window of %q after WINCH, want 33 111", got)
	}
	thaw(t, secrun)
	if got := waitFile(t, filepath.Join(s.dir, "final.txt")); got != "int=1 winch=1" {
		t.Errorf("the child counted %s, want int=1 winch=1 (each signal once)", got)
	}
	waitFor(t, "secrun to end", ended(secrun))
	tm.status(0)
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}

// With stdin, stdout and stderr redirected, secrun is still in the terminal's foreground
// group, and the child still gets ^C from the terminal: relaying it would be a second INT.
func TestTTYInterruptOnceRedirected(t *testing.T) {
	s := newSandbox(t)
	tm := newTerm(t, s)
	secrun, _, dir := tm.launch(fmt.Sprintf(wrapped, "</dev/null >out.txt 2>&1"), counter)
	freeze(t, secrun)
	tm.send("\x03")
	waitFile(t, filepath.Join(s.dir, "int.txt"))
	thaw(t, secrun)
	if got := waitFile(t, filepath.Join(s.dir, "final.txt")); !strings.HasPrefix(got, "int=1 ") {
		t.Errorf("the child counted %s, want int=1 (INT once)", got)
	}
	waitFor(t, "secrun to end", ended(secrun))
	tm.status(0)
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}

// ^C and ^\ kill a child that does not catch them; bash sees secrun die of the same signal.
func TestTTYKeyboardKills(t *testing.T) {
	for _, k := range []struct {
		name string
		key  string
		want int
	}{{"INT", "\x03", 130}, {"QUIT", "\x1c", 131}} {
		t.Run(k.name, func(t *testing.T) {
			s := newSandbox(t)
			tm := newTerm(t, s)
			secrun, _, dir := tm.launch(plain, "exec sleep 1000")
			tm.send(k.key)
			waitFor(t, "secrun to end", ended(secrun))
			tm.status(k.want)
			if !gone(dir) {
				t.Errorf("private directory %s is still there", dir)
			}
		})
	}
}

// ^Z stops the job (secrun and its child), bash says so, and fg resumes both: the child goes
// on working and exits normally.
func TestTTYStopAndForeground(t *testing.T) {
	s := newSandbox(t)
	tm := newTerm(t, s)
	script := `i=0; while test ! -e go; do i=$((i+1)); echo $i > ticks.txt; sleep 0.05; done; echo done > done.txt; exit 0`
	secrun, child, dir := tm.launch(plain, script)
	tm.send("\x1a")
	waitFor(t, "secrun to stop", stopped(secrun))
	waitFor(t, "the child to stop", stopped(child))
	tm.expect(regexp.MustCompile(`Stopped`))
	if gone(dir) {
		t.Errorf("private directory %s removed while the job is stopped", dir)
	}
	tm.send("fg\n")
	waitFor(t, "secrun to resume", running(secrun))
	waitFor(t, "the child to resume", running(child))
	before := waitFile(t, filepath.Join(s.dir, "ticks.txt"))
	waitFor(t, "the child to work after fg", func() bool {
		data, _ := os.ReadFile(filepath.Join(s.dir, "ticks.txt"))
		return len(data) > 0 && strings.TrimSpace(string(data)) != before
	})
	os.WriteFile(filepath.Join(s.dir, "go"), nil, 0o600)
	waitFile(t, filepath.Join(s.dir, "done.txt"))
	waitFor(t, "secrun to end", ended(secrun))
	tm.status(0)
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}

// A child that leaves secrun's process group (here with setsid) no longer gets the terminal's
// signals: secrun relays ^C to it.
func TestTTYInterruptRelayedToOwnSession(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid")
	}
	s := newSandbox(t)
	tm := newTerm(t, s)
	secrun, _, dir := tm.launch(`"$SECRUN" -e e -- setsid sh ./child.sh`, `trap "exit 5" INT
ready
while :; do sleep 1; done`)
	tm.send("\x03")
	waitFor(t, "secrun to end", ended(secrun))
	tm.status(5)
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}

// A signal sent to secrun's whole process group (kill -TERM -PGID, as a shell's `kill %1`, or
// timeout(1), do) reaches the child directly and through secrun: secrun cannot tell it from a
// signal sent to secrun alone (see the README). What matters holds either way: the child's own
// exit status comes back and the directory is removed.
func TestGroupSignal(t *testing.T) {
	s := newSandbox(t)
	// The trap comes first: a TERM before it would kill the shell before it could answer.
	c := s.cmd("-e", "e", "--", "sh", "-c", `trap "echo term >> term.txt; exit 42" TERM
echo "$SECRUN_SECRETS_DIR" > dir.txt; echo $$ > pid.tmp; mv pid.tmp child.pid; while :; do sleep 1; done`)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	child := waitInt(t, filepath.Join(s.dir, "child.pid"))
	if pg, _ := syscall.Getpgid(child); pg != c.Process.Pid {
		t.Fatalf("the child is in group %d, not in secrun's %d", pg, c.Process.Pid)
	}
	dir := waitFile(t, filepath.Join(s.dir, "dir.txt"))
	syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
	if ws := waitStatus(t, c); ws.Signaled() || ws.ExitStatus() != 42 {
		t.Errorf("secrun ended with %v, want exit 42", ws)
	}
	if got := waitFile(t, filepath.Join(s.dir, "term.txt")); !strings.HasPrefix(got, "term") {
		t.Errorf("the child did not get TERM")
	}
	if !gone(dir) {
		t.Errorf("private directory %s is still there", dir)
	}
}
