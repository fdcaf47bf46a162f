//go:build unix && !linux

package launcher

import "golang.org/x/sys/unix"

// noSubdirs is false: the caller lists the directory (link counts of directories are not
// relied on outside Linux).
func noSubdirs(string, *unix.Stat_t) bool { return false }
