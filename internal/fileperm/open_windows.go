package fileperm

import (
	"io/fs"
	"os"
)

// Open is os.OpenFile: Windows has no O_NONBLOCK to undo (see open_unix.go).
func Open(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag, perm)
}
