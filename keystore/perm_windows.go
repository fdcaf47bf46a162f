//go:build windows

package keystore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows the mode bits are made up from the read-only attribute; access is governed by
// the DACL. A store directory that secrun creates gets a protected DACL with one entry, full
// control for the user, inherited by every file created in it; every file that secrun
// creates in it (the store, the index, their lock files, the audit log) gets the same DACL of
// its own in the call that creates it (openFile). Every read checks the owner and DACL of
// the directory and the file.

// MkdirPrivate creates dir, and any missing parents, as MkdirAll does; dir itself, when it is
// new, gets the owner-only DACL in the same call that creates it, so that it is never open.
func MkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	sa, err := ownerOnly("OICI")
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := windows.CreateDirectory(p, sa); err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// The other ACE types that deny access (winnt.h), which x/sys/windows does not name.
const (
	aceDeniedObject         = 6
	aceDeniedCallback       = 10
	aceDeniedCallbackObject = 12
)

// createPrivateTemp creates a new file in dir, named by pattern with its last "*" replaced by
// a random string as os.CreateTemp does, by openFile: with the owner-only DACL.
func createPrivateTemp(dir, pattern string) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for range 100 {
		var rnd [8]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, err
		}
		f, err := openFile(filepath.Join(dir, prefix+hex.EncodeToString(rnd[:])+suffix), os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, pattern), Err: fs.ErrExist}
}

// openFile opens path as os.OpenFile does. With os.O_CREATE it calls CreateFile itself, so
// that a file it creates gets the owner-only DACL in the call that creates it, rather than
// whatever its directory passes on (which not every filesystem does, Wine included); an
// existing file keeps its DACL, which OpenPrivate then checks. flag may hold os.O_RDONLY,
// os.O_WRONLY or os.O_RDWR, and os.O_APPEND, os.O_CREATE, os.O_EXCL.
func openFile(path string, flag int) (*os.File, error) {
	if flag&os.O_CREATE == 0 {
		return os.OpenFile(path, flag, 0)
	}
	if flag&^(os.O_RDONLY|os.O_WRONLY|os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL) != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("unsupported open flags %#x", flag)}
	}
	sa, err := ownerOnly("")
	if err != nil {
		return nil, err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	// The access rights and creation modes of syscall.Open: creating needs write access, and
	// O_APPEND is write access without FILE_WRITE_DATA, so that every write goes to the end.
	access := uint32(windows.GENERIC_READ | windows.GENERIC_WRITE)
	if flag&(os.O_WRONLY|os.O_RDWR) == os.O_WRONLY {
		access = windows.GENERIC_WRITE
	}
	if flag&os.O_APPEND != 0 {
		access = access&^windows.GENERIC_WRITE | windows.FILE_GENERIC_WRITE&^windows.FILE_WRITE_DATA
	}
	create, attrs := uint32(windows.OPEN_ALWAYS), uint32(windows.FILE_ATTRIBUTE_NORMAL)
	if flag&os.O_EXCL != 0 {
		create, attrs = windows.CREATE_NEW, attrs|windows.FILE_FLAG_OPEN_REPARSE_POINT // never through a symlink
	}
	h, err := windows.CreateFile(p, access, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, sa, create, attrs, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// ownerOnly returns security attributes with a protected DACL of one entry: full control for
// the user, with flags ("OICI" for a directory, so that what is created in it inherits it).
func ownerOnly(flags string) (*windows.SecurityAttributes, error) {
	user, err := currentUser()
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;" + flags + ";FA;;;" + user.String() + ")")
	if err != nil {
		return nil, fmt.Errorf("owner-only security descriptor: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

// currentUser returns the SID of the user secrun runs as.
func currentUser() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("find the current user's SID: %w", err)
	}
	return tu.User.Sid, nil
}

// trusted reports whether sid may have access to a store: the user, and the accounts that
// administer the machine anyway (SYSTEM, Administrators; CREATOR OWNER stands for the
// owner of a file created in a directory).
func trusted(sid, user *windows.SID) bool {
	return sid.Equals(user) || sid.IsWellKnown(windows.WinLocalSystemSid) ||
		sid.IsWellKnown(windows.WinBuiltinAdministratorsSid) || sid.IsWellKnown(windows.WinCreatorOwnerSid)
}

// checkOwnerMode refuses a store file or directory that the user does not own (or the
// Administrators group, which owns what an elevated administrator creates), that has no DACL
// (full access for everyone), or whose DACL allows anyone else any access.
func checkOwnerMode(path string, fi fs.FileInfo) error {
	user, err := currentUser()
	if err != nil {
		return err
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("read the access control list of %s: %w", path, err)
	}
	var explicit []string // SIDs of the others' entries set on path itself, not inherited
	perm := func(problem string) error {
		return &PermError{Path: path, Mode: fi.Mode(), Problem: problem, Fix: icaclsFix(path, fi.IsDir(), user, explicit)}
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return perm("it has no owner")
	}
	if !owner.Equals(user) && !owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
		return perm("it is owned by " + account(owner) + ", not by " + account(user))
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return perm("it has no access control list, so everyone has full access")
	}
	var others []string
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return fmt.Errorf("read the access control list of %s: %w", path, err)
		}
		switch ace.Header.AceType {
		case windows.ACCESS_DENIED_ACE_TYPE, aceDeniedObject, aceDeniedCallback, aceDeniedCallbackObject:
			continue // a denial takes nothing away from the owner's privacy
		case windows.ACCESS_ALLOWED_ACE_TYPE:
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			if ace.Mask == 0 || trusted(sid, user) {
				continue
			}
			others = append(others, account(sid))
			if ace.Header.AceFlags&windows.INHERITED_ACE == 0 {
				explicit = append(explicit, "*"+sid.String())
			}
		default:
			others = append(others, fmt.Sprintf("an entry of type %d", ace.Header.AceType))
		}
	}
	if len(others) > 0 {
		return perm("its access control list gives " + strings.Join(others, ", ") + " access")
	}
	return nil
}

// account names a SID as DOMAIN\name when it can be looked up, else as the SID.
func account(sid *windows.SID) string {
	name, domain, _, err := sid.LookupAccount("")
	switch {
	case err != nil || name == "":
		return sid.String()
	case domain == "":
		return name
	}
	return domain + `\` + name
}

// icaclsFix is the command that leaves only the user's own entry on path: /inheritance:r drops
// the inherited entries, /grant:r replaces the user's own, and /remove:g drops the others'
// entries set on path itself.
func icaclsFix(path string, dir bool, user *windows.SID, explicit []string) string {
	grant := "*" + user.String() + ":F"
	if dir {
		grant = "*" + user.String() + ":(OI)(CI)F"
	}
	fix := fmt.Sprintf(`run: icacls "%s" /inheritance:r /grant:r %s`, path, grant)
	if len(explicit) > 0 {
		fix += fmt.Sprintf(`, then: icacls "%s" /remove:g %s`, path, strings.Join(explicit, " "))
	}
	return fix
}
