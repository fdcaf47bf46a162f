package keystore

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultLockTimeout is how long a writer waits for the lock of the file store or of the
// keyring index before it gives up; SECRUN_LOCK_TIMEOUT changes it.
const DefaultLockTimeout = 30 * time.Second

// lockNoticeAfter is how long a writer waits for a lock before it says so.
const lockNoticeAfter = time.Second

// LockNotify, when set, receives one message when a writer has waited lockNoticeAfter for a
// lock: which lock, and which process holds it when that can be known. Names only.
var LockNotify func(msg string)

// takeLock opens the lock file at path (by the rules of OpenPrivate) and takes an exclusive
// lock on it (Lock). what ("secret store", "keyring index") names what the lock guards, for
// messages. The returned function releases the lock.
func takeLock(path, what string) (unlock func(), err error) {
	if _, err := lockTimeout(); err != nil {
		return nil, err
	}
	f, _, err := OpenPrivate(path, os.O_RDWR|os.O_CREATE, "lock file")
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	release, err := Lock(f, path, what)
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { release(); f.Close() }, nil
}

// Lock takes an exclusive lock on f, open at path (flock; on Windows a lock of its first
// byte), waiting up to the lock timeout (SECRUN_LOCK_TIMEOUT) and saying so through
// LockNotify after a second. what names what the lock guards, for messages. The returned
// function releases the lock; f stays open.
func Lock(f *os.File, path, what string) (unlock func(), err error) {
	timeout, err := lockTimeout()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	delay, told := time.Millisecond, false
	for {
		ok, err := tryLock(f)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %s: %w", what, path, err)
		}
		if ok {
			return func() { unlockFile(f) }, nil
		}
		waited := time.Since(start)
		if waited >= timeout {
			return nil, &LockError{Path: path, What: what, Holder: lockHolder(f), Waited: timeout}
		}
		if !told && waited >= lockNoticeAfter && LockNotify != nil {
			LockNotify(fmt.Sprintf("waiting for the lock of the %s (%s), held by %s; giving up after %s",
				what, path, holderText(lockHolder(f)), timeout))
			told = true
		}
		time.Sleep(min(delay, timeout-waited))
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// lockTimeout reads SECRUN_LOCK_TIMEOUT: a duration (90s, 2m) or a number of seconds; 0 means
// do not wait.
func lockTimeout() (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv("SECRUN_LOCK_TIMEOUT"))
	if v == "" {
		return DefaultLockTimeout, nil
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("SECRUN_LOCK_TIMEOUT=%+q is not a duration: give seconds (30) or a Go duration (90s, 2m)", v)
}

// holderText describes the process holding a lock.
func holderText(h lockOwner) string {
	switch {
	case h.pid == 0:
		return "another process"
	case h.name != "":
		return fmt.Sprintf("pid %d (%s)", h.pid, h.name)
	}
	return fmt.Sprintf("pid %d", h.pid)
}

// lockOwner is the process that holds a lock, as far as it can be known: pid 0 when unknown.
type lockOwner struct {
	pid  int
	name string // its command name, when readable
}

// LockError is a lock that was not released within the lock timeout.
type LockError struct {
	Path   string
	What   string
	Holder lockOwner
	Waited time.Duration
}

func (e *LockError) Error() string {
	return fmt.Sprintf("the lock of the %s (%s) is held by %s; gave up after %s, nothing was changed",
		e.What, e.Path, holderText(e.Holder), e.Waited)
}

// Hint says what to do.
func (e *LockError) Hint() string {
	h := "another secrun is writing, or hung while writing: let it finish"
	if e.Holder.pid != 0 {
		h += fmt.Sprintf(" (or end it: kill %d)", e.Holder.pid)
	}
	return h + ", then try again\nSECRUN_LOCK_TIMEOUT=2m waits longer (the default is " + DefaultLockTimeout.String() + ")"
}
