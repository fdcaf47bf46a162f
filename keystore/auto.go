package keystore

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secrun/secrun/internal/handoff"
)

// Auto is the store that --store auto selects: it reads from both stores, keyring first, and
// writes new secrets to the keyring when one answers, else to the file store.
//
// The keyring is asked only for keys that its index lists, so a run whose secrets are all in
// the file store makes no keyring call (on Linux: no D-Bus call) at all.
//
// The keyring keeps no scopes, so scoped secrets live in the file store: Auto's scoped reads
// and writes go to the file store, while unscoped ones go where Get and Put send them.
type Auto struct {
	file     *File
	keyring  *Keyring
	verbosef func(format string, args ...any)
	trouble  error // why the keyring could not give the secrets its index lists
}

var _ Store = (*Auto)(nil)

// NewAuto returns the auto store over the file store and the keyring in dir. verbosef, when
// not nil, receives the reasons for falling back to the file store.
func NewAuto(dir string, verbosef func(format string, args ...any)) *Auto {
	if verbosef == nil {
		verbosef = func(string, ...any) {}
	}
	return &Auto{file: NewFile(dir), keyring: NewKeyring(dir), verbosef: verbosef}
}

// Describe names the stores that reads look in: the keyring, while its index lists a secret,
// then the file store. Its Trouble is why the keyring could not give the secrets its index
// lists, at the last read.
func (a *Auto) Describe() Description {
	d := Description{Name: "auto", Reads: []Place{a.file.place()}, Trouble: a.trouble}
	if keys, _ := a.keyring.Keys(); len(keys) > 0 {
		d.Reads = []Place{a.keyring.place(), a.file.place()}
	}
	return d
}

// Close releases the keyring connection.
func (a *Auto) Close() error { return a.keyring.Close() }

// fromKeyring returns the entries of keys that the keyring index lists and the keyring gives.
// A keyring that cannot give them is not an error (it is kept as the trouble), unless the
// index file itself is corrupt or unprotected, or the lean build must leave the keyring
// to secrun-full (handoff.ErrFull).
func (a *Auto) fromKeyring(keys []string) (map[string]Entry, error) {
	found, broken, listed, err := a.keyring.fetchKeys(keys)
	switch {
	case err != nil && (isCorrupt(err) || errors.Is(err, handoff.ErrFull)):
		return nil, err
	case err != nil:
		a.trouble = err
		a.verbosef("keyring not used, falling back to the file store: %v", err)
	case len(broken) > 0:
		a.trouble = &KeyError{Key: broken[0], Err: ErrItemMissing}
		a.verbosef("keyring: %v", a.trouble)
	case len(listed) == 0:
		a.verbosef("keyring not contacted: its index lists none of these secrets")
	}
	return found, nil
}

// Fetch returns the most specific entry in scope s of each key: the unscoped entry from the
// keyring for the keys its index lists, from the file store for the rest and for any the
// keyring could not give, and scoped entries from the file store. The file store is not read
// when s is zero and the keyring gave every key.
func (a *Auto) Fetch(keys []string, s Scope) (map[string]Entry, error) {
	found, err := a.fromKeyring(keys)
	if err != nil {
		return nil, err
	}
	if s.IsZero() && len(found) == len(keys) {
		return found, nil
	}
	fromFile, err := a.file.Fetch(keys, s)
	if err != nil {
		return nil, err
	}
	for k, e := range found {
		// The keyring's entry is unscoped: a file entry wins only in a more specific scope.
		if have, ok := fromFile[k]; !ok || rank(e.Scope, s) <= rank(have.Scope, s) {
			fromFile[k] = e
		}
	}
	return fromFile, nil
}

// isCorrupt reports errors about the index file itself, which auto must not hide.
func isCorrupt(err error) bool {
	var c *CorruptError
	var p *PermError
	return errors.As(err, &c) || errors.As(err, &p)
}

// Get returns the entry of key in exactly scope s: an unscoped one from the keyring when its
// index lists key, else from the file store; a scoped one from the file store.
func (a *Auto) Get(key string, s Scope) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	if !s.IsZero() {
		return a.file.Get(key, s)
	}
	found, err := a.fromKeyring([]string{key})
	if err != nil {
		return Entry{}, err
	}
	if e, ok := found[key]; ok {
		return e, nil
	}
	e, err := a.file.Get(key, s)
	if errors.Is(err, ErrNotFound) && a.trouble != nil {
		return Entry{}, a.trouble
	}
	return e, err
}

// List returns the secrets of both stores. When the keyring cannot be read, its index entries
// are listed with the reason as their Problem. A key held by both stores is listed twice; the
// file store's copy is marked as unused.
func (a *Auto) List() ([]Entry, error) {
	list, err := a.file.List()
	if err != nil {
		return nil, err
	}
	fromKeyring, err := a.keyring.List()
	if err != nil {
		if isCorrupt(err) {
			return nil, err
		}
		keys, kerr := a.keyring.Keys()
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

// where reports which stores hold key unscoped, reading the index and the file store only.
func (a *Auto) where(key string) (inKeyring, inFile bool, err error) {
	if inKeyring, err = a.keyring.Has(key); err != nil {
		return false, false, err
	}
	if _, err = a.file.Get(key, Scope{}); err == nil {
		return inKeyring, true, nil
	} else if errors.Is(err, ErrNotFound) {
		return inKeyring, false, nil
	}
	return false, false, err
}

// Put writes e. A scoped entry goes to the file store. An existing unscoped key is
// overwritten where it is (in the keyring when both stores hold it, as reads use that copy);
// a new one goes to the keyring when one answers and the value fits in maxParts items, else
// to the file store.
func (a *Auto) Put(e Entry, overwrite bool) (string, error) {
	if err := ValidateKey(e.Key); err != nil {
		return "", err
	}
	if !e.Scope.IsZero() {
		return a.file.Put(e, overwrite)
	}
	inKeyring, inFile, err := a.where(e.Key)
	if err != nil {
		return "", err
	}
	switch {
	case (inKeyring || inFile) && !overwrite:
		return "", &KeyError{Key: e.Key, Err: ErrExists}
	case inKeyring:
		return a.keyring.Put(e, true)
	case inFile:
		return a.file.Put(e, true)
	}
	if err := a.keyring.Available(); err != nil {
		a.verbosef("writing to the file store: %v", err)
		return a.file.Put(e, overwrite)
	}
	where, err := a.keyring.Put(e, overwrite)
	var big *TooLargeError
	if errors.As(err, &big) {
		a.verbosef("writing to the file store: %v", err)
		return a.file.Put(e, overwrite)
	}
	return where, err
}

// Delete removes the entry of key in exactly scope s: a scoped one from the file store, an
// unscoped one from every store that holds it.
func (a *Auto) Delete(key string, s Scope) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	if !s.IsZero() {
		return a.file.Delete(key, s)
	}
	inKeyring, inFile, err := a.where(key)
	if err != nil {
		return "", err
	}
	if !inKeyring && !inFile {
		return "", &KeyError{Key: key, Err: ErrNotFound}
	}
	var from []string
	if inKeyring {
		if _, err := a.keyring.Delete(key, s); err != nil {
			return "", err
		}
		from = append(from, "keyring")
	}
	if inFile {
		if _, err := a.file.Delete(key, s); err != nil {
			return "", err
		}
		from = append(from, "file")
	}
	return strings.Join(from, " and "), nil
}

// DeleteAll removes every secret of both stores: the keyring's first, so that a keyring that
// cannot be reached leaves both stores untouched.
func (a *Auto) DeleteAll() (int, error) {
	n, err := a.keyring.DeleteAll()
	if err != nil {
		return 0, err
	}
	m, err := a.file.DeleteAll()
	if err != nil {
		return n, fmt.Errorf("deleted %d secrets from the keyring, then: %w", n, err)
	}
	return n + m, nil
}

// Move moves the unscoped secret key from one store to another, with its kind (string or
// file): it reads the entry, writes it to the destination and only then deletes the source
// entry. It returns a *KeyError wrapping ErrNotFound when from does not hold key, and one
// wrapping ErrExists when to does and overwrite is false.
func Move(key string, from, to Store, overwrite bool) error {
	e, err := from.Get(key, Scope{})
	if err != nil {
		return err
	}
	if _, err := to.Put(Entry{Key: key, Kind: e.Kind, Value: e.Value}, overwrite); err != nil {
		return err
	}
	if _, err := from.Delete(key, Scope{}); err != nil {
		return fmt.Errorf("secret %q was copied to the %s store, but removing it from the %s store failed: %w",
			key, to.Describe().Name, from.Describe().Name, err)
	}
	return nil
}
