//go:build unix

package launcher

import (
	"sync"

	"golang.org/x/sys/unix"
)

var (
	hardenOnce sync.Once
	coreLimit  unix.Rlimit // the core-dump limit secrun was started with
	coreSaved  bool        // whether coreLimit holds it
)

// Harden stops secrun's memory, which is about to hold secret values, from reaching a core
// dump: it lowers the soft RLIMIT_CORE to 0 (keeping the hard limit, so the child can have
// the original back) and, on Linux, marks the process non-dumpable (PR_SET_DUMPABLE 0), which
// also keeps other processes of the user from attaching to it or reading its memory through
// /proc. The child gets the original limit back (see childLimits); execve makes it dumpable
// again. Harden is idempotent and reports nothing: hardening is best effort.
func Harden() {
	hardenOnce.Do(func() {
		if err := unix.Getrlimit(unix.RLIMIT_CORE, &coreLimit); err == nil {
			coreSaved = true
		}
		noCore()
		nonDumpable()
	})
}

// noCore sets the soft core-dump limit to 0.
func noCore() {
	if coreSaved {
		unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: coreLimit.Max})
	}
}

// childLimits puts back the core-dump limit secrun was started with, just before it execs the
// child or forks it: the child's core dumps are the user's own business. A supervising secrun
// lowers its own limit again with noCore once the child has started; it stays non-dumpable
// throughout, so it cannot dump core in between.
func childLimits() {
	if coreSaved {
		unix.Setrlimit(unix.RLIMIT_CORE, &coreLimit)
	}
}

// Unharden puts back the core-dump limit secrun was started with before secrun execs a
// program in its own place that is not the child: the lean build's hand-off to
// secrun-full, which hardens itself again and gives its child the user's limit.
func Unharden() { childLimits() }
