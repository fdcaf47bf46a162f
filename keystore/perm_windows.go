package keystore

import "io/fs"

// checkOwnerMode checks nothing on Windows: there the mode bits are made up from the read-only
// attribute, and access is governed by ACLs, which already keep %LOCALAPPDATA% private to
// its user.
func checkOwnerMode(path string, fi fs.FileInfo) error { return nil }
