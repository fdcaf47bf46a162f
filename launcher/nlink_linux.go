package launcher

import "golang.org/x/sys/unix"

// noSubdirs reports whether the directory dir, whose lstat is st, certainly has no
// subdirectories: its link count is 2 (its entry and its own ".", with no subdirectory's
// "..") on a filesystem known to count links that way. The bases of private directories are
// tmpfs (/dev/shm, XDG_RUNTIME_DIR) or a local disk (/tmp). Elsewhere (btrfs gives 1, FUSE
// and network filesystems give what they like) it is false, and the caller lists dir.
func noSubdirs(dir string, st *unix.Stat_t) bool {
	if st.Nlink != 2 {
		return false
	}
	var fs unix.Statfs_t
	if unix.Statfs(dir, &fs) != nil {
		return false
	}
	switch fs.Type {
	case unix.TMPFS_MAGIC, unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC: // ext2 and ext3 share ext4's
		return true
	}
	return false
}
