package launcher

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// DefaultShell runs setup lines and shell text when the child names no shell: hpcFlow writes
// them into bash jobscripts (hpcflow/sdk/submission/shells/bash.py).
const DefaultShell = "bash"

// fallbackShell is used when DefaultShell is not on PATH.
const fallbackShell = "/bin/sh"

// command returns the program to start for c and its argv. Without setup lines or a script that
// is c.Argv itself. Otherwise it is c's shell (DefaultShell, else /bin/sh with a warning) with
// one script: set -e for the setup lines, with an EXIT trap that says when one failed, then the
// command: c.Script as it is, or exec "$@" with c.Argv as the positional parameters, so that
// the user's words are never re-quoted or expanded.
func (c *Child) command() (string, []string, error) {
	if len(c.Setup) == 0 && c.Script == "" {
		path, err := LookPath(c.Argv[0], ownPath())
		return path, c.Argv, err
	}
	shell, err := c.shell()
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	if len(c.Setup) > 0 {
		b.WriteString("set -e\n" + setupTrap + "\n")
		for _, l := range c.Setup {
			b.WriteString(l + "\n")
		}
		b.WriteString("trap - EXIT\nset +e\n")
	}
	argv := []string{shell, "-c", "", "secrun"}
	if c.Script != "" {
		b.WriteString(c.Script)
	} else {
		b.WriteString(`exec "$@"`)
		argv = append(argv, c.Argv...)
	}
	argv[2] = b.String()
	return shell, argv, nil
}

// shell finds the shell that runs c's script.
func (c *Child) shell() (string, error) {
	name := c.Shell
	if name == "" {
		name = DefaultShell
	}
	path, err := LookPath(name, ownPath())
	var nf *NotFoundError
	if c.Shell == "" && errors.As(err, &nf) {
		fmt.Fprintf(os.Stderr, "secrun: warning: %s is not on PATH; %s runs the setup lines and the command instead (set shell in the environment to choose one)\n",
			DefaultShell, fallbackShell)
		return fallbackShell, nil
	}
	if err != nil {
		return "", fmt.Errorf("the environment's shell: %w", err)
	}
	return path, nil
}

// setupTrap reports a setup line that stopped the script. A shell that ends before the command
// with status 0 (a setup line's 'exit 0', a here-doc that swallows the rest of the script) exits
// 125 instead: the command never ran, so the run must not look like a success.
const setupTrap = `trap 's=$?; if [ "$s" -eq 0 ]; then echo "secrun: error: a setup line ended the shell with status 0; the command did not run" >&2; exit 125; fi; echo "secrun: error: a setup line failed with status $s; the command did not run" >&2' EXIT`
