//go:build !linux && !lean

package keystore

import (
	"os"
	"runtime"
)

// defaultPartSize keeps each item under the platform's limit: the Windows Credential Manager
// takes 2560 bytes; the macOS Keychain about 3000 bytes for service, account and the base64
// form go-keyring stores (4/3 of the value).
var defaultPartSize = map[string]int{"windows": 2560, "darwin": 1800}[runtime.GOOS]

func init() {
	if defaultPartSize == 0 {
		defaultPartSize = 64 << 10
	}
}

// credManagerProbe tells whether the Windows Credential Manager works for this logon session
// (set in credprobe_windows.go).
var credManagerProbe func() error

// newBackend returns go-keyring's keyring of this platform. On the BSDs go-keyring talks to
// the Secret Service over D-Bus, and without a bus address godbus would start dbus-launch, so
// a missing DBUS_SESSION_BUS_ADDRESS means no keyring there.
func newBackend(service string) backend {
	switch runtime.GOOS {
	case "darwin", "ios":
		return &goKeyring{name: "macOS Keychain", service: service}
	case "windows":
		return &goKeyring{name: "Windows Credential Manager", service: service, probe: credManagerProbe}
	}
	name := "Secret Service"
	return &goKeyring{name: name, service: service, probe: func() error {
		if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a == "" || a == "autolaunch:" {
			return &UnavailableError{Backend: name, Reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"}
		}
		return nil
	}}
}
