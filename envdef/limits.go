package envdef

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/secrun/secrun/internal/fileperm"
)

// MaxFileSize is the largest definition file secrun reads, 1 MiB.
const MaxFileSize = 1 << 20

// MaxDepth is the deepest nesting a definition file may have: open [ and { and the dots of a
// dotted key in TOML (a.b.c = 1 nests two deep), nested lists and maps in YAML. Real
// definitions nest three or four deep; deeper text is refused before a library sees it, so
// that no library's cost of depth matters (the YAML parser's memory grows with its square).
const MaxDepth = 32

// MaxItems is how many keys, tables and arrays (and further parts of dotted keys) a TOML
// definition file may hold (see tomldepth.Items): an environment that uses every field holds
// about 50, so some 300 such fit. The TOML library's time grows with the square of their
// number when they are siblings (16384 take a quarter of a second; the 170,000 short keys
// that fit in 1 MiB, 40 seconds), so more are refused before the library sees them.
const MaxItems = 1 << 14

// maxYAMLValues bounds the values that one YAML file may stand for once its aliases are
// followed: a 1 MiB file written out has far fewer, while aliases of aliases can stand for
// billions.
const maxYAMLValues = 1 << 20

// ReadFile reads a definition file as every command does: a regular file of at most
// MaxFileSize bytes that only its owner (the user or root) can write, in directories that
// only the user or root can write, all the way up, widened by t for shared layouts (see
// fileperm.ReadTrusted). Problems are *DefError values that say how to fix them; a missing
// file gives an error that wraps fs.ErrNotExist.
func ReadFile(file string, t fileperm.Trust) ([]byte, error) {
	data, _, err := readFileInfo(file, t)
	return data, err
}

// readFileInfo is ReadFile that also returns the file's fstat before the read.
func readFileInfo(file string, t fileperm.Trust) ([]byte, fs.FileInfo, error) {
	data, fi, err := fileperm.ReadTrustedInfo(file, MaxFileSize, t)
	var fe *fileperm.Error
	switch {
	case errors.As(err, &fe):
		return nil, nil, &DefError{File: file, Msg: "refusing to read environment definitions: " + fe.Error(), Fix: fe.Hint(), Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, &DefError{File: file, Msg: "environment definition file does not exist", Err: err}
	case err != nil:
		return nil, nil, fmt.Errorf("read environment definitions: %w", err)
	}
	return data, fi, nil
}
