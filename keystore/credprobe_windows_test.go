//go:build windows

package keystore

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/windows"
)

// A session without a credential set makes the keyring unavailable, so that auto writes to
// the file store; an empty answer is a keyring that works.
func TestCredStatus(t *testing.T) {
	var ue *UnavailableError
	if err := credStatus(fmt.Errorf("enumerate: %w", windows.ERROR_NO_SUCH_LOGON_SESSION)); !errors.As(err, &ue) {
		t.Errorf("no logon session: %v, want an *UnavailableError", err)
	}
	if err := credStatus(windows.ERROR_NOT_FOUND); err != nil {
		t.Errorf("no credentials: %v", err)
	}
	if err := probeCredManager(); err != nil {
		t.Errorf("the Credential Manager of this session: %v", err)
	}
}
