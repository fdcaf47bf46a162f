//go:build unix

package launcher

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/secrun/secrun/internal/dirs"
)

// Cleanup removes the private directories that secruns of user uid left behind when they
// were killed (SIGKILL gives them no chance to clean up), on this node: those that no secrun
// holds locked and whose secrun's pid is gone, as every secrun's start does. uid < 0 means
// the calling user, whose directories are places. For another user Cleanup must run as root
// (a SLURM epilog does): it then drops to that user for good, so that it removes nothing the
// user could not remove, and looks in /run/user/UID, /dev/shm and the temp directory.
func Cleanup(uid int, places dirs.Dirs) error {
	if uid >= 0 && uid != os.Getuid() {
		if os.Geteuid() != 0 {
			return &PrivateDirError{Msg: fmt.Sprintf("cleaning up the secret files of uid %d needs root", uid),
				Fix: "run it as root (a SLURM epilog runs as root), or without --uid for your own"}
		}
		u, err := user.LookupId(strconv.Itoa(uid))
		if err != nil {
			return fmt.Errorf("cleanup for uid %d: %w", uid, err)
		}
		gid, _ := strconv.Atoi(u.Gid)
		if err := dropTo(uid, gid); err != nil {
			return fmt.Errorf("cleanup for uid %d: becoming that user: %w", uid, err)
		}
		places.Home = u.HomeDir
	}
	if uid >= 0 {
		places.Runtime = "/run/user/" + strconv.Itoa(os.Getuid())
	}
	RemoveStale(places)
	return nil
}

// dropTo makes the whole process (every thread) run as uid and gid, with no other groups, and
// checks that root cannot be had back.
func dropTo(uid, gid int) error {
	if err := syscall.Setgroups(nil); err != nil {
		return err
	}
	if err := syscall.Setgid(gid); err != nil { // as root: real, effective and saved ids
		return err
	}
	if err := syscall.Setuid(uid); err != nil {
		return err
	}
	if uid != 0 && syscall.Setuid(0) == nil {
		return fmt.Errorf("root could be regained")
	}
	return nil
}
