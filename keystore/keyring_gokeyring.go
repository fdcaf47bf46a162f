//go:build !lean

package keystore

import (
	"errors"

	gokeyring "github.com/zalando/go-keyring"
)

// goKeyring is the backend on go-keyring's plain API: the macOS Keychain and the Windows
// Credential Manager (and, in unit tests, go-keyring's mock). Each call is one keyring call.
type goKeyring struct {
	name    string
	service string
	probe   func() error // nil: the keyring is always there
}

func (g *goKeyring) describe() string { return g.name }

func (g *goKeyring) open() error {
	if g.probe == nil {
		return nil
	}
	return g.probe()
}

func (g *goKeyring) fetch(names []string) (map[string][]byte, error) {
	values := make(map[string][]byte, len(names))
	for _, n := range names {
		v, err := gokeyring.Get(g.service, n)
		if errors.Is(err, gokeyring.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		values[n] = []byte(v)
	}
	return values, nil
}

func (g *goKeyring) store(name, _ string, value []byte) error {
	return gokeyring.Set(g.service, name, string(value))
}

func (g *goKeyring) remove(names []string) error {
	for _, n := range names {
		if err := gokeyring.Delete(g.service, n); err != nil && !errors.Is(err, gokeyring.ErrNotFound) {
			return err
		}
	}
	return nil
}

func (g *goKeyring) close() {}
