package keystore

import (
	"io/fs"

	"github.com/secrun/secrun/internal/fileperm"
)

// checkOwnerMode refuses a store file or directory that group or others can access, as ssh
// does with keys, or that belongs to another user (fileperm.Private; nothing on Windows,
// where ACLs keep %LOCALAPPDATA% private to its user).
func checkOwnerMode(path string, fi fs.FileInfo) error {
	if p := fileperm.Private.Problem(fi); p != "" {
		return &PermError{Path: path, Mode: fi.Mode(), Problem: p}
	}
	return nil
}
