package keystore

import "io/fs"

// openNoFollow is 0 on Windows, which has no O_NOFOLLOW: OpenPrivate looks with Lstat first.
const openNoFollow = 0

// linkCount reports 1 on Windows: FileInfo does not carry the link count there, and the ACLs of
// %LOCALAPPDATA% keep other users from linking to the store.
func linkCount(fi fs.FileInfo) uint64 { return 1 }
