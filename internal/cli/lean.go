//go:build lean

package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/secrun/secrun/internal/handoff"
	"github.com/secrun/secrun/launcher"
)

// Main of the lean build (see internal/handoff): it runs the launches that quickRun
// recognises from cached definitions and the file store, and execs secrun-full with the same
// arguments for everything else, before it has had any effect: help, the other commands,
// --verbose, a definition file (or hpcFlow configuration) not in the cache, a secret in the
// keyring.
func Main(args []string) int {
	_, quick := start(args)
	if quick == nil || quick.Verbose {
		return handOff()
	}
	quick.stderr = &heldStderr{}
	err := quick.Run.Run(&quick.globals)
	if errors.Is(err, handoff.ErrFull) {
		return handOff()
	}
	quick.committed()
	return finish(err)
}

// handOff execs secrun-full with this process's arguments; it returns only on failure.
func handOff() int {
	launcher.Unharden() // secrun-full must find the user's own core-dump limit
	err := handoff.Exec(os.Args)
	return report(os.Stderr, &usageError{msg: err.Error(),
		hint: fmt.Sprintf("secrun hands this to %s, which must be installed beside it (release archives and packages hold both)", handoff.FullName)})
}

// definitionsBinary names the program whose identity keys a development build's
// definitions cache: secrun-full, which parses the files and writes the cache.
func definitionsBinary() string {
	p, _ := handoff.Path()
	return p
}
