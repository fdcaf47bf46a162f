// Package handoff is how secrun's lean build leaves work to the full program. Release
// builds install two binaries: secrun, built with the "lean" build tag, which runs commands
// from cached definitions and the file store and links no command-line parser, D-Bus client
// or YAML parser; and secrun-full, which does everything. Whatever lean secrun cannot do itself it
// reports with ErrFull before it has had any effect, and secrun execs secrun-full with the
// same arguments. The lean build is for Unix systems (exec replaces the process).
package handoff

import "errors"

// ErrFull is the error of a step that only secrun-full can take: parsing a definition file
// that is not in the cache, reading the keyring.
var ErrFull = errors.New("this needs secrun-full")

// FullName is the full program's file name, next to lean secrun's own.
const FullName = "secrun-full"
