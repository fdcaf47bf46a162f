package keystore

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockHolder finds the process that holds the flock on f in /proc/locks, by the file's device
// and inode.
func lockHolder(f *os.File) lockOwner {
	var st syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &st) != nil {
		return lockOwner{}
	}
	id := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return lockOwner{}
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 4711 00:2f:1234 0 EOF"; waiters have "->" after the number.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[5] != id {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid <= 0 {
			return lockOwner{}
		}
		comm, _ := os.ReadFile("/proc/" + fields[4] + "/comm")
		return lockOwner{pid: pid, name: strings.TrimSpace(string(comm))}
	}
	return lockOwner{}
}
