package keystore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Auto is the store that --store auto selects: it reads from both stores, keyring first, and
// writes new secrets to the keyring when one answers, else to the file store.
//
// The keyring is asked only for keys that its index lists, so a run whose secrets are all in
// the file store makes no keyring call (on Linux: no D-Bus call) at all.
type Auto struct {
	File    *File
	Keyring *Keyring
	// Verbosef, when set, receives the reasons for falling back to the file store.
	Verbosef func(format string, args ...any)

	source  map[string]string // key -> "file" or "keyring", from the last operation on it
	trouble error             // why the keyring could not give the secrets its index lists
}

var _ Store = (*Auto)(nil)

// NewAuto returns the auto store over the file store and the keyring in dir.
func NewAuto(dir string) *Auto {
	return &Auto{File: NewFile(dir), Keyring: NewKeyring(dir), source: map[string]string{}}
}

// Name returns "auto".
func (a *Auto) Name() string { return "auto" }

// Location names both stores.
func (a *Auto) Location() string {
	return a.File.Location() + " and the keyring (" + a.Keyring.Location() + ")"
}

// Close releases the keyring connection.
func (a *Auto) Close() error { return a.Keyring.Close() }

// Source says which store the last operation on key used: "file", "keyring" or "".
func (a *Auto) Source(key string) string { return a.source[key] }

// Trouble returns why the keyring could not deliver the secrets its index lists, or nil.
func (a *Auto) Trouble() error { return a.trouble }

func (a *Auto) verbosef(format string, args ...any) {
	if a.Verbosef != nil {
		a.Verbosef(format, args...)
	}
}

// Fetch returns the values of keys: from the keyring for the keys its index lists, from the
// file store for the rest and for any the keyring could not give.
func (a *Auto) Fetch(keys []string) (map[string][]byte, error) {
	values, broken, listed, err := a.Keyring.fetchKeys(keys)
	switch {
	case err != nil && isCorrupt(err):
		return nil, err
	case err != nil:
		a.trouble = err
		a.verbosef("keyring not used, falling back to the file store: %v", err)
		values = map[string][]byte{}
	case len(broken) > 0:
		a.trouble = &KeyError{Key: broken[0], Err: ErrItemMissing}
		a.verbosef("keyring: %v", a.trouble)
	case len(listed) == 0:
		a.verbosef("keyring not contacted: its index lists none of these secrets")
	}
	for k := range values {
		a.source[k] = "keyring"
	}
	if len(values) == len(keys) {
		return values, nil
	}
	fromFile, err := a.File.Fetch(keys)
	if err != nil {
		return nil, err
	}
	for k, v := range fromFile {
		if _, ok := values[k]; !ok {
			values[k] = v
			a.source[k] = "file"
		}
	}
	return values, nil
}

// isCorrupt reports errors about the index file itself, which auto must not hide.
func isCorrupt(err error) bool {
	var c *CorruptError
	var p *PermError
	return errors.As(err, &c) || errors.As(err, &p)
}

// Get returns one value, from the keyring when its index lists key, else from the file store.
func (a *Auto) Get(key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	values, err := a.Fetch([]string{key})
	if err != nil {
		return nil, err
	}
	if v, ok := values[key]; ok {
		return v, nil
	}
	if a.trouble != nil {
		return nil, a.trouble
	}
	return nil, &KeyError{Key: key, Err: ErrNotFound}
}

// List returns the secrets of both stores. When the keyring cannot be read, its index entries
// are listed with the reason as their Problem. A key held by both stores is listed twice; the
// file store's copy is marked as unused.
func (a *Auto) List() ([]Entry, error) {
	list, err := a.File.List()
	if err != nil {
		return nil, err
	}
	fromKeyring, err := a.Keyring.List()
	if err != nil {
		if isCorrupt(err) {
			return nil, err
		}
		keys, kerr := a.Keyring.Keys()
		if kerr != nil {
			return nil, kerr
		}
		fromKeyring = nil
		for _, k := range keys {
			fromKeyring = append(fromKeyring, Entry{Key: k, Store: "keyring", Problem: "cannot be read: " + err.Error()})
		}
		a.trouble = err
	}
	inKeyring := map[string]bool{}
	for _, e := range fromKeyring {
		if e.Problem == "" {
			inKeyring[e.Key] = true
		}
	}
	for i, e := range list {
		if inKeyring[e.Key] {
			list[i].Problem = "also in the keyring, whose value is used"
		}
	}
	list = append(list, fromKeyring...)
	slices.SortStableFunc(list, func(a, b Entry) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(b.Store, a.Store) // keyring before file
	})
	return list, nil
}

// where reports which stores hold key, reading the index and the file store only.
func (a *Auto) where(key string) (inKeyring, inFile bool, err error) {
	if inKeyring, err = a.Keyring.Has(key); err != nil {
		return false, false, err
	}
	if _, err = a.File.Get(key); err == nil {
		return inKeyring, true, nil
	} else if errors.Is(err, ErrNotFound) {
		return inKeyring, false, nil
	}
	return false, false, err
}

// Set writes value. An existing key is overwritten where it is (in the keyring when both
// stores hold it, as reads use that copy); a new key goes to the keyring when one answers,
// else to the file store.
func (a *Auto) Set(key string, value []byte, overwrite bool) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	inKeyring, inFile, err := a.where(key)
	if err != nil {
		return err
	}
	switch {
	case (inKeyring || inFile) && !overwrite:
		return &KeyError{Key: key, Err: ErrExists}
	case inKeyring:
		a.source[key] = "keyring"
		return a.Keyring.Set(key, value, true)
	case inFile:
		a.source[key] = "file"
		return a.File.Set(key, value, true)
	}
	if err := a.Keyring.Available(); err != nil {
		a.verbosef("writing to the file store: %v", err)
		a.source[key] = "file"
		return a.File.Set(key, value, overwrite)
	}
	a.source[key] = "keyring"
	return a.Keyring.Set(key, value, overwrite)
}

// Delete removes key from every store that holds it.
func (a *Auto) Delete(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	inKeyring, inFile, err := a.where(key)
	if err != nil {
		return err
	}
	if !inKeyring && !inFile {
		return &KeyError{Key: key, Err: ErrNotFound}
	}
	var from []string
	if inKeyring {
		if err := a.Keyring.Delete(key); err != nil {
			return err
		}
		from = append(from, "keyring")
	}
	if inFile {
		if err := a.File.Delete(key); err != nil {
			return err
		}
		from = append(from, "file")
	}
	a.source[key] = strings.Join(from, " and ")
	return nil
}

// DeleteAll removes every secret of both stores: the keyring's first, so that a keyring that
// cannot be reached leaves both stores untouched.
func (a *Auto) DeleteAll() (int, error) {
	n, err := a.Keyring.DeleteAll()
	if err != nil {
		return 0, err
	}
	m, err := a.File.DeleteAll()
	if err != nil {
		return n, fmt.Errorf("deleted %d secrets from the keyring, then: %w", n, err)
	}
	return n + m, nil
}

// Move moves key from one store to another: it reads the value, writes it to the
// destination and only then deletes the source entry. It returns a *KeyError wrapping
// ErrNotFound when from does not hold key, and ErrExists when to does and overwrite is false.
func Move(key string, from, to Store, overwrite bool) error {
	v, err := from.Get(key)
	if err != nil {
		return err
	}
	if err := to.Set(key, v, overwrite); err != nil {
		return err
	}
	if err := from.Delete(key); err != nil {
		return fmt.Errorf("secret %q was copied to the %s store, but removing it from the %s store failed: %w",
			key, to.Name(), from.Name(), err)
	}
	return nil
}
