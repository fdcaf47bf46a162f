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
//
// The keyring keeps no scopes, so scoped secrets live in the file store: Auto is Scoped, and
// its scoped reads and writes go to the file store, while unscoped ones go where Get and Set
// send them.
type Auto struct {
	File    *File
	Keyring *Keyring
	// Verbosef, when set, receives the reasons for falling back to the file store.
	Verbosef func(format string, args ...any)

	source  map[string]string // key -> "file" or "keyring", from the last operation on it
	trouble error             // why the keyring could not give the secrets its index lists
}

var (
	_ Scoped = (*Auto)(nil)
	_ Kinded = (*Auto)(nil)
)

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

// fromKeyring returns the values of keys that the keyring index lists and the keyring gives.
// A keyring that cannot give them is not an error (it is kept as the trouble), unless the
// index file itself is corrupt or unprotected.
func (a *Auto) fromKeyring(keys []string) (map[string][]byte, error) {
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
	return values, nil
}

// Fetch returns the unscoped values of keys: from the keyring for the keys its index lists,
// from the file store for the rest and for any the keyring could not give. The file store is
// not read when the keyring gave every key.
func (a *Auto) Fetch(keys []string) (map[string][]byte, error) {
	values, err := a.fromKeyring(keys)
	if err != nil {
		return nil, err
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

// FetchScoped returns the entries of keys in every scope: the unscoped entry from the keyring
// when it gives one (else from the file store), and the scoped entries from the file store,
// which is always read.
func (a *Auto) FetchScoped(keys []string) (map[string][]Entry, error) {
	values, err := a.fromKeyring(keys)
	if err != nil {
		return nil, err
	}
	found, err := a.File.FetchScoped(keys)
	if err != nil {
		return nil, err
	}
	for k, entries := range found {
		if _, ok := values[k]; !ok {
			for _, e := range entries {
				if e.Scope.IsZero() {
					a.source[k] = "file"
				}
			}
			continue
		}
		found[k] = slices.DeleteFunc(entries, func(e Entry) bool { return e.Scope.IsZero() })
	}
	fromKeyring, err := a.keyringEntries(values)
	if err != nil {
		return nil, err
	}
	for _, e := range fromKeyring {
		found[e.Key] = append(found[e.Key], e)
	}
	return found, nil
}

// keyringEntries gives the values that the keyring returned their metadata from its index.
func (a *Auto) keyringEntries(values map[string][]byte) ([]Entry, error) {
	if len(values) == 0 {
		return nil, nil
	}
	idx, err := a.Keyring.index.load()
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for _, ie := range idx {
		if v, ok := values[ie.Key]; ok {
			entries = append(entries, ie.entry(v))
		}
	}
	return entries, nil
}

// isCorrupt reports errors about the index file itself, which auto must not hide.
func isCorrupt(err error) bool {
	var c *CorruptError
	var p *PermError
	return errors.As(err, &c) || errors.As(err, &p)
}

// Get returns one unscoped value, from the keyring when its index lists key, else from the
// file store.
func (a *Auto) Get(key string) ([]byte, error) {
	e, err := a.Lookup(key)
	return e.Value, err
}

// Lookup returns one unscoped secret with its kind and times, from the keyring when its index
// lists key, else from the file store.
func (a *Auto) Lookup(key string) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	values, err := a.fromKeyring([]string{key})
	if err != nil {
		return Entry{}, err
	}
	if v, ok := values[key]; ok {
		entries, err := a.keyringEntries(map[string][]byte{key: v})
		if err != nil || len(entries) == 0 { // none: the index changed since the read
			return Entry{Key: key, Value: v, Store: "keyring"}, err
		}
		return entries[0], nil
	}
	e, err := a.File.Lookup(key)
	switch {
	case err == nil:
		a.source[key] = "file"
		return e, nil
	case errors.Is(err, ErrNotFound) && a.trouble != nil:
		return Entry{}, a.trouble
	}
	return Entry{}, err
}

// GetEntry returns the entry of key in exactly scope s: an unscoped one as Lookup finds it,
// a scoped one from the file store.
func (a *Auto) GetEntry(key string, s Scope) (Entry, error) {
	if s.IsZero() {
		return a.Lookup(key)
	}
	return a.File.GetEntry(key, s)
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
		if inKeyring[e.Key] && e.Scope.IsZero() {
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

// Set writes value as a string secret; see SetKind.
func (a *Auto) Set(key string, value []byte, overwrite bool) error {
	return a.SetKind(key, value, KindString, overwrite)
}

// Put writes e: an unscoped secret as SetKind does, a scoped one to the file store.
func (a *Auto) Put(e Entry, overwrite bool) error {
	if e.Scope.IsZero() {
		return a.SetKind(e.Key, e.Value, e.Kind, overwrite)
	}
	a.source[e.Key] = "file"
	return a.File.Put(e, overwrite)
}

// SetKind writes an unscoped secret of the given kind. An existing key is overwritten where
// it is (in the keyring when both stores hold it, as reads use that copy); a new key goes to
// the keyring when one answers and the value fits in maxParts items, else to the file store.
func (a *Auto) SetKind(key string, value []byte, kind Kind, overwrite bool) error {
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
		return a.Keyring.SetKind(key, value, kind, true)
	case inFile:
		a.source[key] = "file"
		return a.File.SetKind(key, value, kind, true)
	}
	if err := a.Keyring.Available(); err != nil {
		a.verbosef("writing to the file store: %v", err)
		a.source[key] = "file"
		return a.File.SetKind(key, value, kind, overwrite)
	}
	a.source[key] = "keyring"
	err = a.Keyring.SetKind(key, value, kind, overwrite)
	var big *TooLargeError
	if errors.As(err, &big) {
		a.verbosef("writing to the file store: %v", err)
		a.source[key] = "file"
		return a.File.SetKind(key, value, kind, overwrite)
	}
	return err
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

// DeleteEntry removes the entry of key in exactly scope s: an unscoped one as Delete does, a
// scoped one from the file store.
func (a *Auto) DeleteEntry(key string, s Scope) error {
	if s.IsZero() {
		return a.Delete(key)
	}
	a.source[key] = "file"
	return a.File.DeleteEntry(key, s)
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

// Move moves the unscoped secret key from one store to another: it reads the value, writes it
// to the destination and only then deletes the source entry. When both stores are Kinded, the
// kind (string or file) goes with the value. It returns a *KeyError wrapping ErrNotFound when
// from does not hold key, and ErrExists when to does and overwrite is false.
func Move(key string, from, to Store, overwrite bool) error {
	src, srcKinded := from.(Kinded)
	dst, dstKinded := to.(Kinded)
	if srcKinded && dstKinded {
		e, err := src.Lookup(key)
		if err != nil {
			return err
		}
		if err := dst.SetKind(key, e.Value, e.Kind, overwrite); err != nil {
			return err
		}
	} else {
		v, err := from.Get(key)
		if err != nil {
			return err
		}
		if err := to.Set(key, v, overwrite); err != nil {
			return err
		}
	}
	if err := from.Delete(key); err != nil {
		return fmt.Errorf("secret %q was copied to the %s store, but removing it from the %s store failed: %w",
			key, to.Name(), from.Name(), err)
	}
	return nil
}
