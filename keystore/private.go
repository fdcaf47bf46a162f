package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/secrun/secrun/internal/fileperm"
)

// Size limits of the file store. A store holds credentials, not data: the limits keep a
// mistaken or hostile file from filling memory on every launch.
const (
	// MaxStoreSize is the largest store file (or keyring index) secrun reads or writes: 16 MiB.
	MaxStoreSize = 16 << 20
	// MaxValueSize is the largest value the file store keeps: 8 MiB, which base64 makes
	// about 11 MiB of the store file.
	MaxValueSize = 8 << 20
)

// CheckPrivateDir checks a directory of secrun's private files (the store's, the audit
// log's) by the store's rules: a directory, following a symlink to it, owned by the user and
// closed to group and others. what names it in a *PermError ("" for the store directory).
// An absent directory gives an error that matches fs.ErrNotExist.
func CheckPrivateDir(dir, what string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &PermError{Path: dir, Mode: fi.Mode(), Problem: "it is not a directory", What: what}
	}
	return withWhat(checkOwnerMode(dir, fi), what)
}

// OpenPrivate opens one of secrun's private files (the store file, the keyring index, a lock
// file, the audit log) with flag, creating it private when flag has os.O_CREATE (mode 0600 on
// Unix, the owner-only DACL on Windows, set by the call that creates it), and checks it by the
// store's rules: a regular file with one link, owned by the user, that group and others cannot
// access at all. The open never follows a symlink and never blocks on a FIFO or a device
// (O_NOFOLLOW|O_NONBLOCK on Unix), and the checks are made on the file that was opened, so
// nothing can be swapped in between. It returns the file and what fstat says of it. An absent
// file (without os.O_CREATE) gives an error that matches fs.ErrNotExist; what names the file
// in a *PermError ("" for the store file or the keyring index).
func OpenPrivate(path string, flag int, what string) (*os.File, fs.FileInfo, error) {
	if openNoFollow == 0 { // no O_NOFOLLOW: look before opening
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
			return nil, nil, withWhat(checkFile(path, fi), what)
		}
	}
	f, err := openFile(path, flag|openNoFollow)
	if err != nil {
		// A symlink (ELOOP), or a FIFO without a reader (ENXIO): say which. A missing file
		// (the keyring index of a file-store user, on every launch) needs no second look.
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
			return nil, nil, withWhat(checkFile(path, fi), what)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = withWhat(checkFile(path, fi), what)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// checkFile checks that a private file, as Lstat or fstat sees it, is a regular file with one
// link and a safe owner and mode. A symlink is refused: whoever can point it elsewhere controls
// what secrun reads. A second hard link is refused: it is a name for the same data that secrun
// cannot see, may be in someone else's directory, and keeps the old data after secrun replaces
// the file.
func checkFile(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &PermError{Path: path, Mode: fi.Mode(), Problem: "it is a symbolic link"}
	case !fi.Mode().IsRegular():
		return &PermError{Path: path, Mode: fi.Mode(), Problem: notRegular}
	}
	if err := checkOwnerMode(path, fi); err != nil {
		return err
	}
	if n := linkCount(fi); n > 1 {
		return &PermError{Path: path, Mode: fi.Mode(), Problem: fmt.Sprintf("it has %d hard links (names), not 1", n),
			Fix: fmt.Sprintf("remove the other name ('find / -samefile %s' lists them all), or replace the file with a copy:\ncp -p %[1]s %[1]s.new && mv %[1]s.new %[1]s",
				fileperm.Quote(path))}
	}
	return nil
}

// notRegular is the problem of a private file that is not a regular file.
const notRegular = "it is not a regular file"

// withWhat sets What on a *PermError.
func withWhat(err error, what string) error {
	var pe *PermError
	if what != "" && errors.As(err, &pe) {
		pe.What = what
	}
	return err
}

// readPrivate reads dir/name after checking that the directory and the file are the user's
// own and closed to others (those errors say how to fix them), and that the file is not over
// MaxStoreSize. An absent directory or file gives nil, nil; what names the file in other
// errors.
func readPrivate(dir, name, what string) ([]byte, error) {
	if err := CheckPrivateDir(dir, ""); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, dirError(err)
	}
	data, err := readChecked(dir+string(os.PathSeparator)+name, "", what)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// ReadPrivate reads a file of secrets that is not secrun's own, such as hpcFlow's secrets file
// before an import, by the rules of the store file: opened without following a symlink
// (OpenPrivate), a regular file with one link, owned by the user, that group and others cannot
// access at all, of at most MaxStoreSize bytes. An absent file gives an error that matches
// fs.ErrNotExist; what names the file in errors.
func ReadPrivate(path, what string) ([]byte, error) { return readChecked(path, what, what) }

// readChecked opens path with OpenPrivate (permWhat names it in a *PermError) and reads it,
// refusing more than MaxStoreSize bytes; what names it in other errors. An absent file gives
// the error of the open, which matches fs.ErrNotExist.
func readChecked(path, permWhat, what string) ([]byte, error) {
	f, fi, err := OpenPrivate(path, os.O_RDONLY, permWhat)
	if errors.Is(err, fs.ErrNotExist) || errors.As(err, new(*PermError)) {
		return nil, err // a *PermError names the file and says how to fix it
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	if fi.Size() > MaxStoreSize {
		return nil, &SizeError{Path: f.Name(), What: what, Size: fi.Size()}
	}
	data, err := fileperm.ReadOpen(f, fi.Size(), MaxStoreSize)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > MaxStoreSize { // it grew after fstat
		return nil, &SizeError{Path: f.Name(), What: what, Size: int64(len(data))}
	}
	return data, nil
}

// dirError is an error of CheckPrivateDir for the store directory: a *PermError as it is (it
// names the directory), anything else prefixed with what failed.
func dirError(err error) error {
	if errors.As(err, new(*PermError)) {
		return err
	}
	return fmt.Errorf("secret store directory: %w", err)
}

// SizeError is a store file over MaxStoreSize, or a write that would make one.
type SizeError struct {
	Path  string
	What  string // "secret store" or "keyring index"
	Size  int64
	Write bool // the size a write would give; the file was left as it was
}

func (e *SizeError) Error() string {
	if e.Write {
		return fmt.Sprintf("save %s %s: it would be %d bytes, over the limit of %d MiB; nothing was changed",
			e.What, e.Path, e.Size, MaxStoreSize>>20)
	}
	return fmt.Sprintf("refusing to read %s %s: it is %d bytes or more, over the limit of %d MiB",
		e.What, e.Path, e.Size, MaxStoreSize>>20)
}

// Hint says what to do.
func (e *SizeError) Hint() string {
	if e.Write {
		return "keep large files outside the store (a secret file can name them), or delete secrets you no longer need"
	}
	if e.What != "secret store" && e.What != "keyring index" {
		return "a file of secrets is never this large: check that " + fileperm.Quote(e.Path) + " is the file you meant"
	}
	return "a store is never this large: move " + fileperm.Quote(e.Path) + " aside and restore it from a backup"
}
