//go:build windows && !lean

package keystore

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The Windows Credential Manager keeps credentials per logon session. A session without
// a credential set (a service, a batch job, some SSH and network logons) refuses every call
// with ERROR_NO_SUCH_LOGON_SESSION: there the keyring is unavailable, and auto writes to
// the file store, as it does on Linux without a Secret Service. A write that fails once the
// probe has passed is an error, on every platform.

var (
	advapi32           = windows.NewLazySystemDLL("advapi32.dll")
	procCredEnumerateW = advapi32.NewProc("CredEnumerateW")
	procCredFree       = advapi32.NewProc("CredFree")
)

func init() { credManagerProbe = probeCredManager }

// probeCredManager lists the credentials of a target that nobody uses: an empty answer
// means the Credential Manager works for this session.
func probeCredManager() error {
	filter, _ := windows.UTF16PtrFromString("secrun-probe:*")
	var count uint32
	var creds uintptr
	ok, _, err := procCredEnumerateW.Call(uintptr(unsafe.Pointer(filter)), 0,
		uintptr(unsafe.Pointer(&count)), uintptr(unsafe.Pointer(&creds)))
	if ok != 0 {
		procCredFree.Call(creds)
		err = nil
	}
	return credStatus(err)
}

// credStatus maps the probe's error: none, or no credentials, is a keyring that answers.
func credStatus(err error) error {
	switch {
	case err == nil || errors.Is(err, windows.ERROR_NOT_FOUND):
		return nil
	case errors.Is(err, windows.ERROR_NO_SUCH_LOGON_SESSION):
		return &UnavailableError{Backend: "Windows Credential Manager", Reason: "this logon session has no credential set (a service, batch or network logon)", Err: err}
	}
	return &UnavailableError{Backend: "Windows Credential Manager", Reason: err.Error(), Err: err}
}
