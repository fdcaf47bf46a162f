package cli

import (
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
