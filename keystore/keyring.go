package keystore

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Service is the service name under which secrun keeps its items in the OS keyring, unless
// SECRUN_KEYRING_SERVICE names another (the tests give each script its own).
const Service = "secrun"

// ProblemUnindexed is the Problem of a listed keyring item that the index does not know.
const ProblemUnindexed = "in the keyring, but not in the index"

// ErrItemMissing is the error of a secret that the keyring index lists but whose keyring item
// (or one part of it) is gone, deleted behind secrun's back.
var ErrItemMissing = errors.New("it is in the keyring index, but its keyring item is missing")

// Keyring is the OS keyring store: macOS Keychain, Windows Credential Manager, or the
// freedesktop Secret Service on Linux. The keyring cannot list its items, so the keys and
// their metadata (never values) are kept in an index file beside the file store.
//
// A value longer than PartSize bytes is split across items named KEY#GEN.1, KEY#GEN.2, ...
// ('#' is never part of a key), and joined on read. A value that fits is the one item KEY.
type Keyring struct {
	index   index
	backend backend
	// PartSize is the largest value, in bytes, that one keyring item holds.
	PartSize int

	service string
	now     func() time.Time
}

var _ Store = (*Keyring)(nil)

// maxParts is the most items one value may take. A value that needs more is refused, with a
// hint to keep it in the file store: on Linux (64 KiB parts) that allows 16 MiB, more than
// the largest --from-file accepted by default; on Windows and macOS, whose items are small,
// it stops a file secret from becoming hundreds of items.
const maxParts = 256

// backend is one keyring implementation. Item names are keys or part names. No method may put
// a value in an error.
type backend interface {
	// describe names the keyring for messages: "Secret Service", "macOS Keychain", ...
	describe() string
	// open checks that the keyring answers and is unlocked, and connects to it. It returns an
	// *UnavailableError when it does not; it must not spawn a process or wait for a bus that
	// is not there.
	open() error
	// fetch returns the values of the items it finds; absent items are absent from the map.
	fetch(names []string) (map[string][]byte, error)
	// store creates or replaces one item.
	store(name, label string, value []byte) error
	// remove deletes items; an absent item is not an error.
	remove(names []string) error
	// close releases the connection, if any.
	close()
}

// lister is a backend that can list the names of secrun's items (the Secret Service can).
type lister interface {
	names() ([]string, error)
}

// NewKeyring returns the keyring store of this platform, with its index in dir. It does no
// I/O. SECRUN_KEYRING_PART_SIZE lowers the part size (it exists for tests).
func NewKeyring(dir string) *Keyring {
	service := Service
	if s := os.Getenv("SECRUN_KEYRING_SERVICE"); s != "" {
		service = s
	}
	k := &Keyring{index: index{dir: dir}, backend: newBackend(service), PartSize: defaultPartSize, now: time.Now, service: service}
	if n, err := strconv.Atoi(os.Getenv("SECRUN_KEYRING_PART_SIZE")); err == nil && n >= 8 && n < k.PartSize {
		k.PartSize = n
	}
	return k
}

// Describe names the keyring, its service and its index file.
func (k *Keyring) Describe() Description {
	return Description{Name: "keyring", Reads: []Place{k.place()}}
}

func (k *Keyring) place() Place {
	return Place{Name: "keyring", Location: fmt.Sprintf("%s, service %q; index %s", k.backend.describe(), k.service, k.index.path())}
}

// errNoScopes refuses a scoped entry: the keyring keeps none.
func errNoScopes(s Scope) error {
	if s.IsZero() {
		return nil
	}
	return &UnsupportedError{Store: "keyring", What: "scoped secrets"}
}

// IndexPath returns the path of the keyring index.
func (k *Keyring) IndexPath() string { return k.index.path() }

// Available returns nil when the keyring answers and is unlocked, else an *UnavailableError
// that says why. On Linux it makes no D-Bus call when there is no session bus.
func (k *Keyring) Available() error { return k.backend.open() }

// Close releases the keyring connection.
func (k *Keyring) Close() error { k.backend.close(); return nil }

// Has reports whether the index lists key. It reads only the index.
func (k *Keyring) Has(key string) (bool, error) {
	entries, err := k.index.load()
	if err != nil {
		return false, err
	}
	return indexPos(entries, key) >= 0, nil
}

// Keys returns the keys the index lists, sorted. It reads only the index.
func (k *Keyring) Keys() ([]string, error) {
	entries, err := k.index.load()
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	slices.Sort(keys)
	return keys, nil
}

// itemNames returns the names of the keyring items that hold e's value.
func itemNames(e indexEntry) []string {
	if e.Parts <= 1 {
		return []string{e.Key}
	}
	names := make([]string, e.Parts)
	for i := range names {
		names[i] = partName(e.Key, e.Gen, i+1)
	}
	return names
}

func partName(key string, gen, i int) string { return fmt.Sprintf("%s#%d.%d", key, gen, i) }

// parsePartName splits a part name into key, generation and part number.
func parsePartName(name string) (key string, gen, part int, ok bool) {
	key, rest, found := strings.Cut(name, "#")
	if !found {
		return "", 0, 0, false
	}
	g, p, found := strings.Cut(rest, ".")
	gen, err1 := strconv.Atoi(g)
	part, err2 := strconv.Atoi(p)
	return key, gen, part, found && err1 == nil && err2 == nil && ValidateKey(key) == nil
}

// encodeValue returns the text kept in the keyring: the value itself when it is UTF-8 text
// without NUL bytes (readable in a keyring manager), else its base64 form.
func encodeValue(v []byte) (string, string) {
	if utf8.Valid(v) && !slices.Contains(v, 0) {
		return string(v), ""
	}
	return base64.StdEncoding.EncodeToString(v), "base64"
}

// splitText cuts s into parts of at most size bytes, never inside a UTF-8 character.
func splitText(s string, size int) []string {
	var parts []string
	for len(s) > size {
		cut := size
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}

// fetchEntries reads the values of entries in one batch. It returns the values it could
// assemble, and the keys whose items are missing or do not decode.
func (k *Keyring) fetchEntries(entries []indexEntry) (map[string][]byte, []string, error) {
	values := map[string][]byte{}
	if len(entries) == 0 {
		return values, nil, nil
	}
	if err := k.backend.open(); err != nil {
		return nil, nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, itemNames(e)...)
	}
	items, err := k.backend.fetch(names)
	if err != nil {
		return nil, nil, &KeyringError{Backend: k.backend.describe(), Op: "read", Err: err}
	}
	var broken []string
	for _, e := range entries {
		v, ok := assemble(e, items)
		if !ok {
			broken = append(broken, e.Key)
			continue
		}
		values[e.Key] = v
	}
	return values, broken, nil
}

// assemble joins and decodes the parts of e's value.
func assemble(e indexEntry, items map[string][]byte) ([]byte, bool) {
	var b strings.Builder
	for _, n := range itemNames(e) {
		part, ok := items[n]
		if !ok {
			return nil, false
		}
		b.Write(part)
	}
	if e.Encoding == "base64" {
		v, err := base64.StdEncoding.DecodeString(b.String())
		return v, err == nil
	}
	return []byte(b.String()), true
}

// fetchKeys returns the entries of the keys that the index lists, the keys whose items are
// broken, and the keys that the index lists at all. Keys outside the index cost no call to
// the keyring; when no key is in the index, the keyring is not contacted.
func (k *Keyring) fetchKeys(keys []string) (found map[string]Entry, broken, listed []string, err error) {
	entries, err := k.index.load()
	if err != nil {
		return nil, nil, nil, err
	}
	var want []indexEntry
	for _, e := range entries {
		if slices.Contains(keys, e.Key) {
			want = append(want, e)
			listed = append(listed, e.Key)
		}
	}
	if len(want) == 0 {
		return nil, nil, nil, nil // nothing to ask the keyring
	}
	values, broken, err := k.fetchEntries(want)
	if err != nil {
		return nil, nil, nil, err
	}
	found = make(map[string]Entry, len(values))
	for _, e := range want {
		if v, ok := values[e.Key]; ok {
			found[e.Key] = e.entry(v)
		}
	}
	return found, broken, listed, nil
}

// Fetch returns the entries of the keys the index lists, over one keyring connection. The
// keyring keeps no scopes: a scope s that is not zero is refused.
func (k *Keyring) Fetch(keys []string, s Scope) (map[string]Entry, error) {
	if err := errNoScopes(s); err != nil {
		return nil, err
	}
	found, broken, _, err := k.fetchKeys(keys)
	if err != nil {
		return nil, err
	}
	if len(broken) > 0 {
		return nil, &KeyError{Key: broken[0], Err: ErrItemMissing}
	}
	return found, nil
}

// Get returns one secret with its kind and times. The keyring keeps no scopes: a scope s that
// is not zero is refused.
func (k *Keyring) Get(key string, s Scope) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	if err := errNoScopes(s); err != nil {
		return Entry{}, err
	}
	entries, err := k.index.load()
	if err != nil {
		return Entry{}, err
	}
	i := indexPos(entries, key)
	if i < 0 {
		return Entry{}, &KeyError{Key: key, Err: ErrNotFound}
	}
	values, broken, err := k.fetchEntries(entries[i : i+1])
	switch {
	case err != nil:
		return Entry{}, err
	case len(broken) > 0:
		return Entry{}, &KeyError{Key: key, Err: ErrItemMissing}
	}
	return entries[i].entry(values[key]), nil
}

// entry is the Entry of an index entry with value v.
func (e indexEntry) entry(v []byte) Entry {
	return Entry{Key: e.Key, Kind: e.Kind, Value: v, Created: e.Created, Updated: e.Updated, Store: "keyring"}
}

// List returns every secret the index lists, values included, read over one connection. A
// secret whose item is missing is listed with its Problem set and no value. On a keyring that
// can list its items (the Secret Service), items that the index does not know are listed too.
func (k *Keyring) List() ([]Entry, error) {
	entries, err := k.index.load()
	if err != nil {
		return nil, err
	}
	if _, ok := k.backend.(lister); !ok && len(entries) == 0 {
		return []Entry{}, nil // an empty index and nothing to ask: no keyring call
	}
	if err := k.backend.open(); err != nil {
		return nil, err
	}
	values, broken, err := k.fetchEntries(entries)
	if err != nil {
		return nil, err
	}
	list := make([]Entry, 0, len(entries))
	for _, e := range entries {
		le := e.entry(values[e.Key])
		if slices.Contains(broken, e.Key) {
			le.Problem = "in the index, but the keyring item is missing"
		}
		list = append(list, le)
	}
	if l, ok := k.backend.(lister); ok {
		names, err := l.names()
		if err != nil {
			return nil, &KeyringError{Backend: k.backend.describe(), Op: "list", Err: err}
		}
		for _, n := range unindexed(entries, names) {
			if ValidateKey(n) == nil {
				list = append(list, Entry{Key: n, Store: "keyring", Problem: ProblemUnindexed})
			}
		}
	}
	slices.SortFunc(list, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	return list, nil
}

// unindexed returns the item names that belong to no index entry.
func unindexed(entries []indexEntry, names []string) []string {
	known := map[string]bool{}
	for _, e := range entries {
		for _, n := range itemNames(e) {
			known[n] = true
		}
	}
	var out []string
	for _, n := range names {
		if !known[n] {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Put stores e.Value under e.Key as a secret of kind e.Kind; see put. The keyring keeps no
// scopes: an e.Scope that is not zero is refused.
func (k *Keyring) Put(e Entry, overwrite bool) (string, error) {
	if err := ValidateKey(e.Key); err != nil {
		return "", err
	}
	if err := errNoScopes(e.Scope); err != nil {
		return "", err
	}
	if err := k.put(e.Key, e.Value, e.Kind, overwrite); err != nil {
		return "", err
	}
	return "keyring", nil
}

// put stores value under key as a secret of the given kind. A value longer than PartSize
// is split; one that would take more than maxParts items is refused. The index is updated
// only after every item was written; items of the old value that the new one does not reuse
// are removed after that. A failed write leaves the old value and the index as they were.
func (k *Keyring) put(key string, value []byte, kind Kind, overwrite bool) error {
	text, enc := encodeValue(value)
	parts := splitText(text, max(k.PartSize, 8))
	if len(parts) > maxParts {
		return &TooLargeError{Key: key, Size: len(value), Backend: k.backend.describe(), PartSize: max(k.PartSize, 8), Parts: len(parts)}
	}
	if err := k.backend.open(); err != nil {
		return err
	}
	var stale []string
	err := k.index.update(func(entries []indexEntry) ([]indexEntry, bool, error) {
		now := k.now().UTC()
		i := indexPos(entries, key)
		if i >= 0 && !overwrite {
			return nil, false, &KeyError{Key: key, Err: ErrExists}
		}
		e := indexEntry{Key: key, Store: "keyring", Size: len(value), Kind: kind, Parts: len(parts), Encoding: enc, Created: now, Updated: now}
		var old []string
		if i >= 0 {
			e.Created = entries[i].Created
			e.Gen = entries[i].Gen
			old = itemNames(entries[i])
		}
		if len(parts) > 1 {
			e.Gen++ // new part names, so the old value stays whole until the index moves
		} else {
			e.Gen = 0
		}
		names := itemNames(e)
		for j, name := range names {
			label := fmt.Sprintf("secrun: %s", key)
			if len(parts) > 1 {
				label = fmt.Sprintf("secrun: %s (part %d of %d)", key, j+1, len(parts))
			}
			if err := k.backend.store(name, label, []byte(parts[j])); err != nil {
				if len(parts) > 1 {
					k.backend.remove(names[:j]) // best effort; the index never named them
				}
				return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "store", Key: key, Err: err}
			}
		}
		for _, n := range old {
			if !slices.Contains(names, n) {
				stale = append(stale, n)
			}
		}
		if i >= 0 {
			entries[i] = e
		} else {
			entries = append(entries, e)
		}
		return entries, true, nil
	})
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		if err := k.backend.remove(stale); err != nil {
			return &KeyringError{Backend: k.backend.describe(), Op: "remove the old parts of", Key: key, Err: err}
		}
	}
	return nil
}

// Delete removes every item of key, then its index entry. The keyring keeps no scopes: a
// scope s that is not zero is refused.
func (k *Keyring) Delete(key string, s Scope) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	if err := errNoScopes(s); err != nil {
		return "", err
	}
	entries, err := k.index.load()
	if err != nil {
		return "", err
	}
	if indexPos(entries, key) < 0 {
		return "", &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := k.backend.open(); err != nil {
		return "", err
	}
	err = k.index.update(func(entries []indexEntry) ([]indexEntry, bool, error) {
		i := indexPos(entries, key)
		if i < 0 {
			return nil, false, &KeyError{Key: key, Err: ErrNotFound}
		}
		if err := k.backend.remove(itemNames(entries[i])); err != nil {
			return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "delete", Key: key, Err: err}
		}
		return slices.Delete(entries, i, i+1), true, nil
	})
	if err != nil {
		return "", err
	}
	return "keyring", nil
}

// DeleteAll removes every secret the index lists and returns how many there were.
func (k *Keyring) DeleteAll() (int, error) {
	entries, err := k.index.load()
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	if err := k.backend.open(); err != nil {
		return 0, err
	}
	n := 0
	err = k.index.update(func(entries []indexEntry) ([]indexEntry, bool, error) {
		var names []string
		for _, e := range entries {
			names = append(names, itemNames(e)...)
		}
		if err := k.backend.remove(names); err != nil {
			return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "delete", Err: err}
		}
		n = len(entries)
		return nil, n > 0, nil
	})
	return n, err
}

// Finding is one disagreement between the index and the keyring, found by Check.
type Finding struct {
	Key      string // the key, or the item name when it is no key
	Problem  string
	Repair   string // what repairing does (or did); empty when secrun cannot repair it
	Repaired bool
}

// Check compares the index with the keyring and, with repair, makes them agree: an index
// entry whose item is gone (or incomplete) is removed from the index together with what is
// left of its items; on a keyring that can list, an item named like a key that the index does
// not know is added to the index, and a leftover part of a split value is deleted.
func (k *Keyring) Check(repair bool) ([]Finding, error) {
	var findings []Finding
	entries, err := k.index.load()
	if err != nil {
		return nil, err
	}
	_, canList := k.backend.(lister)
	if len(entries) == 0 && !canList {
		return nil, nil
	}
	if err := k.backend.open(); err != nil {
		return nil, err
	}
	err = k.index.update(func(entries []indexEntry) ([]indexEntry, bool, error) {
		findings = nil
		var names []string
		for _, e := range entries {
			names = append(names, itemNames(e)...)
		}
		items, err := k.backend.fetch(names)
		if err != nil {
			return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "read", Err: err}
		}
		var keep []indexEntry
		var drop []string
		for _, e := range entries {
			if _, ok := assemble(e, items); ok {
				keep = append(keep, e)
				continue
			}
			f := Finding{Key: e.Key, Problem: "in the index, but its keyring item is missing",
				Repair: "remove it from the index (the value is lost)"}
			present := 0
			for _, n := range itemNames(e) {
				if _, ok := items[n]; ok {
					present++
					drop = append(drop, n)
				}
			}
			switch {
			case present == e.Parts:
				f.Problem = "its keyring item does not decode"
				f.Repair = "delete its items and remove it from the index (the value is lost)"
			case present > 0:
				f.Problem = fmt.Sprintf("%d of the %d parts of its value are missing from the keyring", e.Parts-present, e.Parts)
				f.Repair = "delete the remaining parts and remove it from the index (the value is lost)"
			}
			findings = append(findings, f)
		}
		if l, ok := k.backend.(lister); ok {
			all, err := l.names()
			if err != nil {
				return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "list", Err: err}
			}
			var adopt []string
			for _, n := range unindexed(entries, all) {
				switch _, _, _, part := parsePartName(n); {
				case ValidateKey(n) == nil:
					adopt = append(adopt, n)
				case part:
					findings = append(findings, Finding{Key: n, Problem: "a leftover part of a split value, named by no index entry",
						Repair: "delete it"})
					drop = append(drop, n)
				default:
					findings = append(findings, Finding{Key: n, Problem: fmt.Sprintf("an item of service %q whose name is no valid key", k.service)})
				}
			}
			if len(adopt) > 0 {
				got, err := k.backend.fetch(adopt)
				if err != nil {
					return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "read", Err: err}
				}
				now := k.now().UTC()
				for _, n := range adopt {
					v, ok := got[n]
					if !ok {
						continue
					}
					findings = append(findings, Finding{Key: n, Problem: ProblemUnindexed, Repair: "add it to the index"})
					keep = append(keep, indexEntry{Key: n, Store: "keyring", Size: len(v), Parts: 1, Created: now, Updated: now})
				}
			}
		}
		if !repair || len(findings) == 0 {
			return nil, false, nil
		}
		if len(drop) > 0 {
			if err := k.backend.remove(drop); err != nil {
				return nil, false, &KeyringError{Backend: k.backend.describe(), Op: "delete", Err: err}
			}
		}
		for i := range findings {
			findings[i].Repaired = findings[i].Repair != ""
		}
		return keep, true, nil
	})
	return findings, err
}

// UnavailableError says why the keyring cannot be used: no session bus, no Secret Service on
// it, a locked collection, a refusal, a bus or service that secrun does not trust.
type UnavailableError struct {
	Backend string
	Reason  string
	Err     error
	// Untrusted is true when secrun refuses the session bus or the service on it (it may be
	// left over from a session that has ended), rather than finding none or a locked one.
	Untrusted bool
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("the keyring (%s) is not available: %s", e.Backend, e.Reason)
}

// Unwrap returns the underlying error, if any.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Hint says what to do with the keyring (the command line adds how to use the file store
// instead).
func (e *UnavailableError) Hint() string {
	if e.Untrusted {
		return trustHint
	}
	return "unlock or start your keyring (log in to a desktop session)"
}

// trustHint is the hint of a bus or service that secrun does not trust (on Linux).
const trustHint = "DBUS_SESSION_BUS_ADDRESS may be left over from a session that has ended " +
	"(a surviving tmux, a batch job that copied it): unset it or point it at your own session bus " +
	"(a unix:path= or unix:abstract= address)"

// TooLargeError is a value that would take more than maxParts keyring items.
type TooLargeError struct {
	Key      string
	Size     int
	Backend  string
	PartSize int
	Parts    int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("secret %q is %d bytes: the keyring (%s) keeps at most %d bytes per item, and it would take %d items (at most %d)",
		e.Key, e.Size, e.Backend, e.PartSize, e.Parts, maxParts)
}

// KeyringError is a keyring operation that failed after the keyring answered.
type KeyringError struct {
	Backend string
	Op      string
	Key     string
	Err     error
}

func (e *KeyringError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("keyring (%s): cannot %s items: %v", e.Backend, e.Op, e.Err)
	}
	return fmt.Sprintf("keyring (%s): cannot %s secret %q: %v", e.Backend, e.Op, e.Key, e.Err)
}

// Unwrap returns Err.
func (e *KeyringError) Unwrap() error { return e.Err }
