//go:build lean

package keystore

import (
	"fmt"

	"github.com/secrun/secrun/internal/handoff"
)

// The lean build links no keyring client (no D-Bus, no go-keyring): a run whose keyring
// index lists a secret it needs is left to secrun-full. The index itself is read as usual.

const defaultPartSize = 64 << 10

func newBackend(string) backend { return fullOnly{} }

// fullOnly is the keyring of the lean build: every call is handoff.ErrFull.
type fullOnly struct{}

var errKeyring = fmt.Errorf("the keyring: %w", handoff.ErrFull)

func (fullOnly) describe() string                          { return "keyring" }
func (fullOnly) open() error                               { return errKeyring }
func (fullOnly) fetch([]string) (map[string][]byte, error) { return nil, errKeyring }
func (fullOnly) store(string, string, []byte) error        { return errKeyring }
func (fullOnly) remove([]string) error                     { return errKeyring }
func (fullOnly) close()                                    {}
