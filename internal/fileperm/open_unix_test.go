//go:build unix

package fileperm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpen checks that Open does not hang on a named pipe, hands back a blocking descriptor
// that keeps O_APPEND, and fails on a missing file as os.OpenFile does.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Errorf("flags %#x, %v: O_NONBLOCK is still set", fl, err)
	}
	f.Close()

	log := filepath.Join(dir, "log")
	f, err = Open(log, os.O_RDWR|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0); err != nil || fl&unix.O_APPEND == 0 {
		t.Errorf("flags %#x, %v: O_APPEND was lost", fl, err)
	}
	f.Close()
	if fi, err := os.Stat(log); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("created %v, %v; want mode 0600", fi.Mode(), err)
	}

	_, err = Open(filepath.Join(dir, "missing"), os.O_RDONLY, 0)
	_, want := os.OpenFile(filepath.Join(dir, "missing"), os.O_RDONLY, 0)
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != want.Error() {
		t.Errorf("Open of a missing file: %v; want %v", err, want)
	}
}
