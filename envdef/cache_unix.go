//go:build unix

package envdef

import (
	"io/fs"
	"os"
	"runtime"
	"syscall"
)

// canIdentify says that a file's stat tells one version of it from another (see fileID).
const canIdentify = true

// noFollow makes the cache's open fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func idOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size,
		mtime: fi.ModTime().UnixNano(), ctime: ctimeNs(st), mode: uint32(st.Mode), uid: st.Uid, gid: st.Gid}, true
}

// exeID is the identity of the secrun binary at path, or of the running one when path is "":
// a cache written by another build is not read, since it may parse differently.
func exeID(path string) (fileID, bool) {
	exe := "/proc/self/exe" // one stat on Linux, where os.Executable would read the link first
	if path != "" {
		exe = path
	} else if runtime.GOOS != "linux" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fileID{}, false
		}
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return fileID{}, false
	}
	return idOf(fi)
}
