//go:build unix

package keystore

import (
	"io/fs"
	"syscall"
)

// openNoFollow makes OpenPrivate's open fail on a symlink and return at once on a FIFO or a
// device, which it then refuses.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// linkCount is the number of hard links of the file fi describes.
func linkCount(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
