//go:build unix

package launcher

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// relayed are the signals that a user, a shell or a batch scheduler sends and that the
// supervisor passes on to the child. The list is explicit: the Go runtime's own SIGURG (and
// SIGCHLD, SIGPIPE, ...) must never reach the child.
var relayed = []os.Signal{
	unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2,
	unix.SIGWINCH, unix.SIGCONT, unix.SIGTSTP,
}

// fromTerminal are the signals that a terminal sends to its whole foreground process group
// (^C, ^\, ^Z and a window size change). When the child is in that group it already has them,
// and relaying would deliver them twice.
var fromTerminal = []os.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGTSTP, unix.SIGWINCH}

// supervise runs the child at path with argv and env as a child process, with the private
// directory d (or nil) that it removes however the child ends. It relays signals while the
// child runs and returns an *ExitError with the child's status, or with the signal that
// killed it. With a Masker, the child's stdout and stderr are pipes that secrun reads, masks
// and copies to its own; secrun then waits until both pipes are closed, which is when the
// child and everything it started that holds them have exited or closed them. When one of
// secrun's own outputs is a pipe whose reader has gone, secrun closes the child's pipe for it
// (see MaskCopy).
func supervise(path string, argv, env []string, d *PrivateDir, m *Masker) error {
	defer d.Remove()
	// Pdeathsig fires when the thread that started the child exits, not the process: keep this
	// goroutine on its thread until secrun exits (it never unlocks).
	runtime.LockOSThread()
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, relayed...)
	defer signal.Stop(sigs)
	survivePipe()

	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		SysProcAttr: childAttr()}
	var copies sync.WaitGroup
	if m != nil {
		outs, err := maskOutputs(cmd, m, &copies)
		if err != nil {
			return err
		}
		defer func() {
			for _, f := range outs {
				f.Close()
			}
		}()
	}
	childLimits()
	err := cmd.Start()
	if errors.Is(err, unix.ENOEXEC) {
		var shArgv []string
		if shArgv, err = shScript(path, argv); err == nil {
			cmd = &exec.Cmd{Path: "/bin/sh", Args: shArgv, Env: env, Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr,
				SysProcAttr: cmd.SysProcAttr}
			err = cmd.Start()
		}
	}
	noCore()
	if m != nil {
		// The child holds the write ends now; secrun's copies must go, so that the reads
		// end when the child's do.
		cmd.Stdout.(*os.File).Close()
		cmd.Stderr.(*os.File).Close()
	}
	if err != nil {
		return &CannotRunError{Path: path, Err: err}
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		copies.Wait()
		done <- err
	}()
	for {
		select {
		case sig := <-sigs:
			relay(cmd.Process, sig)
		case err := <-done:
			if err := d.Remove(); err != nil {
				fmt.Fprintf(os.Stderr, "secrun: warning: %v\n", err)
			}
			return exitStatus(cmd, err)
		}
	}
}

// maskOutputs gives cmd pipes for stdout and stderr and starts, for each, a copy through m to
// secrun's own. It returns the read ends, for closing when secrun is done.
func maskOutputs(cmd *exec.Cmd, m *Masker, copies *sync.WaitGroup) ([]*os.File, error) {
	var reads []*os.File
	for _, o := range []struct {
		to  *os.File
		set *io.Writer
	}{{os.Stdout, &cmd.Stdout}, {os.Stderr, &cmd.Stderr}} {
		r, w, err := os.Pipe()
		if err != nil {
			for _, f := range reads {
				f.Close()
			}
			return nil, fmt.Errorf("a pipe for masking the command's output: %w", err)
		}
		reads = append(reads, r)
		*o.set = w
		copies.Add(1)
		go func(to *os.File) {
			defer copies.Done()
			MaskCopy(to, r, m)
			// Closing the read end passes a reader's going away on to the child: its next
			// write fails with EPIPE (or SIGPIPE), as it would without secrun in between.
			r.Close()
		}(o.to)
	}
	return reads, nil
}

// survivePipe keeps secrun alive when its stdout or stderr is a pipe whose reader has gone
// (secrun --mask ... | head -1): the Go runtime kills a program that writes there with
// SIGPIPE unless it asks for the signal, and a killed secrun leaves its private directory
// behind. With the signal asked for (and then dropped), such writes fail with EPIPE instead.
// A handler, unlike SIG_IGN, is reset by execve, so the child still gets SIGPIPE's default
// action; a secrun started with SIGPIPE ignored leaves it ignored, for the child to inherit.
func survivePipe() {
	if signal.Ignored(unix.SIGPIPE) {
		return
	}
	signal.Notify(make(chan os.Signal, 1), unix.SIGPIPE)
}

// relay passes sig on to the child. SIGTSTP then stops secrun too, as it would have stopped a
// process without a handler, so that the shell sees the job stop; SIGCONT, relayed, resumes
// the child with it.
func relay(p *os.Process, sig os.Signal) {
	if !slices.Contains(fromTerminal, sig) || !childInForeground(p.Pid) {
		p.Signal(sig) // an error means the child is gone, which Wait is about to report
	}
	if sig == unix.SIGTSTP {
		unix.Kill(os.Getpid(), unix.SIGSTOP)
	}
}

// childInForeground reports whether the terminal has already signalled the child: secrun's
// process group is the foreground group of secrun's controlling terminal (whatever stdin,
// stdout and stderr are), and the child is still in that group (a child that moved to a group
// of its own, with setsid or setpgid, gets nothing from the terminal).
func childInForeground(child int) bool {
	tty, err := unix.Open("/dev/tty", unix.O_RDONLY|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false // no controlling terminal
	}
	defer unix.Close(tty)
	fg, err := unix.IoctlGetInt(tty, unix.TIOCGPGRP)
	if err != nil || fg != unix.Getpgrp() {
		return false
	}
	pgrp, err := unix.Getpgid(child)
	return err == nil && pgrp == fg
}

// exitStatus turns the result of Wait into an *ExitError.
func exitStatus(cmd *exec.Cmd, err error) error {
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fmt.Errorf("waiting for %s: %w", cmd.Path, err)
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return &ExitError{Code: 128 + int(ws.Signal()), Signal: ws.Signal()}
	}
	return &ExitError{Code: cmd.ProcessState.ExitCode()}
}

// Raise makes secrun die of sig, as its child did, so that whoever waits for secrun sees the
// same death (a shell prints 128+N). Core dumps are disabled first: secrun's memory held
// secrets. Raise returns only if that failed; the caller then exits with 128+N.
func Raise(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return
	}
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	if s == unix.SIGKILL || s == unix.SIGSTOP {
		unix.Kill(os.Getpid(), unix.SIGKILL)
		return
	}
	signal.Reset(s)
	if defaultAction(s) {
		unix.Kill(os.Getpid(), s)
		time.Sleep(time.Second) // delivery is asynchronous
	}
	// The Go runtime keeps its handler for some signals (SIGUSR1, SIGSEGV, ...) and ignores or
	// panics on them. A shell started in secrun's place (same pid) can die of any signal.
	unix.Exec("/bin/sh", []string{"sh", "-c", fmt.Sprintf("kill -%d $$", int(s))}, os.Environ())
}
