//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd) && !lean

package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// readHidden prints prompt on w and reads a line from the terminal fd without echo. Ctrl-C or
// SIGTERM at the prompt restores the terminal (ReadPassword alone would leave echo off) and
// ends with status 130. (Unix systems have prompt_unix.go, which handles more signals and ^D.)
func readHidden(fd int, prompt string, w io.Writer) ([]byte, error) {
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	state, err := term.GetState(fd)
	if err != nil {
		return nil, fmt.Errorf("reading the value from the terminal: %w", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	type result struct {
		value []byte
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := term.ReadPassword(fd)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("reading the value from the terminal: %w", r.err)
		}
		return r.value, nil
	case <-sigs:
		term.Restore(fd, state)
		return nil, errInterrupted
	}
}

// errInterrupted ends a prompt that the user interrupted, with the shell's status for SIGINT.
var errInterrupted = &codedError{msg: "interrupted; nothing stored", code: 130}
