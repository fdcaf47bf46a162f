package launcher

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestHarden checks that Harden leaves the process non-dumpable with a core limit of 0, and
// that childLimits gives back the limit it had.
func TestHarden(t *testing.T) {
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	defer unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0)
	defer unix.Setrlimit(unix.RLIMIT_CORE, &before)
	Harden()
	if d, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); d != 0 {
		t.Errorf("dumpable = %d after Harden, want 0", d)
	}
	var now unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &now)
	if now.Cur != 0 || now.Max != before.Max {
		t.Errorf("core limit after Harden = %+v, want soft 0, hard %d", now, before.Max)
	}
	childLimits()
	unix.Getrlimit(unix.RLIMIT_CORE, &now)
	if now != before {
		t.Errorf("core limit for the child = %+v, want %+v", now, before)
	}
}
