package fileperm

import (
	"io/fs"
	"os"
)

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }

// problem checks nothing on Windows: there the mode bits are made up from the read-only
// attribute, and access is governed by ACLs.
func (r Rule) problem(fi fs.FileInfo, trusted map[uint32]bool) string { return "" }

func checkTree(path string, fi fs.FileInfo, t Trust, noLink bool) error { return nil }
