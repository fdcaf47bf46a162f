//go:build unix

package launcher

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/secrun/secrun/internal/dirs"
	"golang.org/x/sys/unix"
)

// shmDir is the in-memory filesystem to use when $XDG_RUNTIME_DIR is unset ("" for none).
var shmDir = func() string {
	if runtime.GOOS == "linux" {
		return "/dev/shm"
	}
	return ""
}()

func userTag() string { return strconv.Itoa(os.Getuid()) }

// sharedHome is the home directory (places.Home), often on a shared filesystem: no private
// directory goes inside it.
func sharedHome(places dirs.Dirs) string { return places.Home }

// tempVar is the variable that sets the temp directory.
const tempVar = "TMPDIR"

// ensureParent creates the per-user parent directory, or checks that an existing one is a
// real directory of ours that nobody else can enter: in a shared /dev/shm or /tmp, another
// user could have created it first.
func ensureParent(parent string) error {
	err := os.Mkdir(parent, 0o700)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(parent, &st); err != nil {
		return fmt.Errorf("check %s: %w", parent, err)
	}
	problem := ""
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		problem = "it is a symlink"
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		problem = "it is not a directory"
	case int(st.Uid) != os.Getuid():
		problem = fmt.Sprintf("it belongs to uid %d", st.Uid)
	case st.Mode&0o077 != 0:
		if err := os.Chmod(parent, 0o700); err != nil { // ours: a umask of 0 made it so
			problem = fmt.Sprintf("its mode is %#o", st.Mode&0o777)
		}
	}
	if problem != "" {
		return &PrivateDirError{Msg: fmt.Sprintf("refusing to use %s for secret files: %s", parent, problem),
			Fix: "remove it, or set XDG_RUNTIME_DIR to a directory of your own"}
	}
	return nil
}

// lockDir opens the run directory, makes its mode exactly 0700 and takes the lock that marks
// it as in use. The descriptor is close-on-exec, so the child does not hold the lock.
func (d *PrivateDir) lockDir() error {
	f, err := os.Open(d.Path)
	if err != nil {
		return fmt.Errorf("open %s: %w", d.Path, err)
	}
	if err := f.Chmod(0o700); err != nil {
		f.Close()
		return fmt.Errorf("chmod %s: %w", d.Path, err)
	}
	// Blocking: a RemoveStale of another secrun may hold the lock for a moment while it finds
	// that this process is alive.
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("lock %s: %w", d.Path, err)
	}
	d.lock = f
	return nil
}

// writeExclusive creates path, which must not exist (O_EXCL, and O_NOFOLLOW against a planted
// symlink), with mode 0400 whatever the umask, and writes data to it.
func writeExclusive(path string, data []byte) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o400)
	if err != nil {
		return &fs.PathError{Op: "create", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	if err := f.Chmod(0o400); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func removeTree(path string) error { return os.RemoveAll(path) }

// RemoveStale removes private directories that secruns which were killed (SIGKILL leaves no
// chance to clean up) left behind. A directory is stale when nobody holds its lock and no
// process has the pid in its name; a live secrun holds the lock from just after it creates its
// directory, and its pid is alive before that. Errors are ignored: this is housekeeping.
// With no parent directory present it costs one lstat per base, and on Linux so does a parent
// that has no subdirectory (see noSubdirs). Where a base's secrun-<uid>
// is not ours, the fallback parents (secrun-<uid>-<random>) of that base are swept too; the
// emptied parents themselves are left, since a live secrun may have just made one.
func RemoveStale(places dirs.Dirs) {
	for _, base := range privateBases(places) {
		parent := filepath.Join(base, parentName())
		if st, err := ownDir(parent); err == nil {
			sweep(parent, st)
			continue
		} else if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		entries, err := os.ReadDir(base)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(base, e.Name())
			if !strings.HasPrefix(e.Name(), parentName()+"-") {
				continue
			}
			if st, err := ownDir(p); err == nil {
				sweep(p, st)
			}
		}
	}
}

// sweep removes the stale run directories in parent, whose lstat is st, unless it has no
// subdirectories (run directories are directories).
func sweep(parent string, st *unix.Stat_t) {
	if !noSubdirs(parent, st) {
		removeStaleIn(parent)
	}
}

// ownDir returns path's lstat when it is a directory (not a symlink) owned by the user.
func ownDir(path string) (*unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Getuid() {
		return nil, fmt.Errorf("%s is not a directory of ours", path)
	}
	return &st, nil
}

// removeStaleIn removes the stale run directories in parent.
func removeStaleIn(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidText, _, ok := strings.Cut(e.Name(), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || !e.IsDir() || pid == os.Getpid() {
			continue
		}
		removeIfStale(filepath.Join(parent, e.Name()), pid)
	}
}

func removeIfStale(path string, pid int) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil {
		return // its secrun is alive
	}
	if err := unix.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) && !zombie(pid) {
		return // a process with that pid exists: its creator before it locked, or pid reuse
	}
	os.RemoveAll(path)
}

// zombie reports whether pid has exited and waits to be reaped (state Z in /proc/PID/stat):
// it holds no lock and will never use a directory again, though kill(pid, 0) still finds it.
// A system whose init reaps orphans late keeps such zombies around. Without /proc, false.
func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')') // the command name may hold spaces and parentheses
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
