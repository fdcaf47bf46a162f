// Package cli holds secrun's command-line grammar (kong), one file per command group, and Main,
// the one place where errors become messages and exit codes. It holds no file formats and no
// store logic: definitions live in envdef, the stores in keystore, what a child gets in
// internal/deliver, other tools' secrets files in internal/importer, the audit log in
// internal/audit, and process handling in launcher. What it keeps is the command line's own
// work: reading flags, choosing the executable that a run's words name, and saying what to type.
//
// Built with the lean tag (see internal/handoff), it holds only the run path: Main in lean.go
// runs the launches that quickRun recognises and hands everything else to secrun-full; the
// files of the kong grammar and the other commands are built without that tag only.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/secrun/secrun/launcher"
)

// What both builds of secrun share around a command: the version, and how an error becomes
// a message and an exit status.

// Exit statuses of secrun's own failures, as env(1) uses them.
const (
	exitFailure = 125 // secrun itself failed: bad flags, bad definition, missing secret
)

var (
	versionText = "secrun dev"
	// manSource and manDate go into the manual page's footer.
	manSource, manDate = "secrun dev", ""
	// build names a release build for the definitions cache (envdef.Cache); "" for a
	// development build, including one from a tree with changes not committed (the go
	// command marks its version +dirty), which another such build of the same commit could
	// share the name with.
	build = ""
)

// SetVersion records the version that --version prints; main calls it with linker-set values.
func SetVersion(version, commit, date string) {
	if version != "dev" && !strings.HasSuffix(version, "+dirty") {
		build = version + " " + commit + " " + date
	}
	versionText = "secrun " + version
	manSource, manDate = versionText, date
	if len(manDate) > 10 {
		manDate = manDate[:10] // the day of an RFC 3339 time
	}
	if commit != "" {
		versionText += " (" + commit
		if date != "" {
			versionText += ", " + date
		}
		versionText += ")"
	}
}

// finish reports err and returns the exit status for it. A supervised child that was killed
// by a signal makes secrun die of the same signal here, so that its caller sees that death.
func finish(err error) int {
	code := report(os.Stderr, err)
	var child *launcher.ExitError
	if errors.As(err, &child) && child.Signal != nil {
		launcher.Raise(child.Signal) // returns only if it could not
	}
	return code
}

// usageError is a mistake in how secrun was called.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Hint() string  { return e.hint }

// report prints err (if any) with its hints and returns the exit status it stands for.
// A child's own exit status passes through silently.
func report(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var coded interface{ ExitCode() int }
	code := exitFailure
	if errors.As(err, &coded) {
		code = coded.ExitCode()
	}
	var child *launcher.ExitError
	if errors.As(err, &child) {
		return code // the child's own status needs no message
	}
	fmt.Fprintf(w, "secrun: error: %v\n", err)
	for _, line := range strings.Split(hintOf(err), "\n") {
		if line != "" {
			fmt.Fprintf(w, "secrun: hint: %s\n", line)
		}
	}
	return code
}

// where formats a file position for messages.
func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}
