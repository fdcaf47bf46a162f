package cli

import (
	"bytes"
	"fmt"
	"os"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// start does what both builds of secrun do first, and returns args with a #! line's words
// split, and the run they ask for when quickRun recognises it (else nil).
func start(args []string) ([]string, *quickCmd) {
	// Before any command reads a value (a run, get, set, list --values, env check, move,
	// import, the completion helper that lists keys): no core dump, not dumpable.
	launcher.Harden()
	keystore.LockNotify = func(msg string) { fmt.Fprintf(os.Stderr, "secrun: %s\n", msg) }
	args = shebangArgs(args)
	quick, ok := quickRun(args)
	if !ok {
		return args, nil
	}
	quick.stdout, quick.stderr, quick.dirs = os.Stdout, os.Stderr, dirs.FromEnv()
	return args, quick
}

// heldStderr holds back what lean secrun writes to stderr (warnings) until it knows that it
// runs the command itself (committed): after a hand-off, secrun-full writes its own.
type heldStderr struct{ bytes.Buffer }

// committed says that the run can no longer be handed to secrun-full: what was held back of
// stderr is written now.
func (g *globals) committed() {
	if h, ok := g.stderr.(*heldStderr); ok {
		os.Stderr.Write(h.Bytes())
		g.stderr = os.Stderr
	}
}
