//go:build (linux || darwin || dragonfly || freebsd || netbsd || openbsd) && !lean

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/secrun/secrun/keystore"
	"golang.org/x/sys/unix"
)

// readHidden prints prompt on w and reads one line from the terminal fd with echo off. It
// returns the line without its newline; io.EOF for ^D (end of input) on an empty line; and,
// for SIGINT (^C), SIGQUIT (^\), SIGHUP and SIGTERM, an error with the shell's status for the
// signal (128+N). Every way out restores the terminal as it was. SIGTSTP (^Z) is ignored at
// the prompt: a stopped prompt hands the terminal to the shell with echo in whatever state
// the shell restores, and a job resumed with fg would then read the value with echo on.
func readHidden(fd int, prompt string, w io.Writer) ([]byte, error) {
	saved, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, fmt.Errorf("reading the value from the terminal: %w", err)
	}
	hidden := *saved
	hidden.Lflag &^= unix.ECHO
	hidden.Lflag |= unix.ICANON | unix.ISIG
	hidden.Iflag |= unix.ICRNL
	restore := func() { unix.IoctlSetTermios(fd, ioctlSetTermios, saved) }
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGTSTP)
	defer signal.Stop(sigs)
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &hidden); err != nil {
		return nil, fmt.Errorf("reading the value from the terminal: %w", err)
	}
	defer restore()
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	type result struct {
		value []byte
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := readLine(fd)
		done <- result{v, err}
	}()
	for {
		select {
		case r := <-done:
			if r.err != nil && r.err != io.EOF {
				return nil, fmt.Errorf("reading the value from the terminal: %w", r.err)
			}
			if r.err == io.EOF && len(r.value) == 0 {
				return nil, io.EOF
			}
			return r.value, nil
		case sig := <-sigs:
			s := sig.(syscall.Signal)
			if s == syscall.SIGTSTP {
				// Not suspended (see above); the terminal dropped what was typed before it.
				fmt.Fprint(w, "\n(^Z does not suspend this prompt; type the whole value again) "+prompt)
				continue
			}
			restore()
			return nil, &codedError{msg: fmt.Sprintf("interrupted (%s); nothing stored", unix.SignalName(s)), code: 128 + int(s)}
		}
	}
}

// readLine reads from fd up to a newline, which it drops. The end of input gives what was
// read with io.EOF. A line over keystore.MaxValueSize is an error.
func readLine(fd int) ([]byte, error) {
	var line []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return line, io.EOF
		}
		line = append(line, buf[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return line[:i], nil
		}
		if len(line) > keystore.MaxValueSize {
			return nil, fmt.Errorf("a line over %d MiB", keystore.MaxValueSize>>20)
		}
	}
}
