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
// definitions nest three or four deep; the TOML library's time and memory grow with the
// square of the depth, so deeper text is refused before the library sees it.
const MaxDepth = 32

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
