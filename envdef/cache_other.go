//go:build !unix

package envdef

import "io/fs"

// Without inodes and ctime (Windows) a file's identity cannot be told from its stat, so
// secrun does not cache definitions there.

const canIdentify = false

const noFollow = 0

func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }

func exeID(string) (fileID, bool) { return fileID{}, false }
