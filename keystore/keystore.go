// Package keystore holds secrun's secret stores: the Store interface, the file store, the OS
// keyring store with its index, the auto store over both and Move between them; the errors of
// invalid keys and scopes (the rules themselves are in internal/names); the location of the
// user's data directory; and the checks for private files that the store and other files of
// secrets share (ReadPrivate, OpenPrivate, MkdirPrivate). It stores and fetches values by key
// and nothing more: it knows nothing of environment definitions, of how secrets reach a child
// process, or of the command line (its errors carry data, and the command layer adds the
// flags and commands that fix them).
//
// The lean build (see internal/handoff) has no keyring client: its keyring answers every call
// with handoff.ErrFull (keyring_lean.go), which Auto passes on rather than falling back to the
// file store, so that secrun-full reads the keyring.
package keystore

import (
	"errors"
	"fmt"
	"time"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/names"
)

// Sentinel errors of the stores; test for them with errors.Is.
var (
	ErrNotFound   = errors.New("secret not found")
	ErrExists     = errors.New("secret already exists")
	ErrInvalidKey = errors.New("invalid key")
)

// KeyError ties an error to the key it concerns. Err is ErrNotFound, ErrExists or an error
// that matches ErrInvalidKey and says what is wrong with the key.
type KeyError struct {
	Key   string
	Scope Scope // the scope looked in; zero for unscoped
	Err   error
}

func (e *KeyError) Error() string {
	key := fmt.Sprintf("%+q", names.Short(e.Key)) // %+q: no control or non-ASCII character reaches a terminal
	if !e.Scope.IsZero() {
		key += " (scope " + e.Scope.String() + ")"
	}
	switch {
	case errors.Is(e.Err, ErrNotFound):
		return "secret " + key + " not found"
	case errors.Is(e.Err, ErrExists):
		return "secret " + key + " already exists"
	case errors.Is(e.Err, ErrInvalidKey):
		return "invalid key " + key + ": " + e.Err.Error()
	}
	return "secret " + key + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *KeyError) Unwrap() error { return e.Err }

// keyProblem says what is wrong with a key; it matches ErrInvalidKey.
type keyProblem string

func (p keyProblem) Error() string        { return string(p) }
func (p keyProblem) Is(target error) bool { return target == ErrInvalidKey }

// Entry is one secret with its metadata. A secret is identified by its key and its scope.
type Entry struct {
	Key              string
	Scope            Scope // the zero Scope is unscoped
	Kind             Kind
	Value            []byte
	Created, Updated time.Time
	// Store is the kind of store that holds it: "file" or "keyring".
	Store string
	// Problem, when set, says how the store and its keyring index disagree about this
	// secret (the item is missing, or the index does not know it); Value is then nil.
	Problem string
}

// Kind says how a secret was stored: from a prompt, stdin or the command line (KindString),
// or with --from-file (KindFile). It is shown by 'secrets list' and changes nothing else.
type Kind string

// The kinds of secret.
const (
	KindString Kind = ""
	KindFile   Kind = "file"
)

// String names the kind for display: "string" or "file".
func (k Kind) String() string {
	if k == KindString {
		return "string"
	}
	return string(k)
}

// Scope narrows a secret to a project, a domain, both or neither ("" means any).
type Scope struct{ Project, Domain string }

// IsZero reports whether s is the unscoped scope.
func (s Scope) IsZero() bool { return s == Scope{} }

// String formats s for display: "project/domain" with "*" for any, or "-" when unscoped.
func (s Scope) String() string {
	if s.IsZero() {
		return "-"
	}
	p, d := s.Project, s.Domain
	if p == "" {
		p = "*"
	}
	if d == "" {
		d = "*"
	}
	return p + "/" + d
}

// Resolve returns the entry that a lookup in scope want takes among entries of one key: the
// most specific match, in the order (project, domain), (project, any), (any, domain), then
// unscoped. Entries whose scope names another project or domain never match.
func Resolve(entries []Entry, want Scope) (Entry, bool) {
	best, found := Entry{}, false
	for _, e := range entries {
		if r := rank(e.Scope, want); r >= 0 && (!found || r < rank(best.Scope, want)) {
			best, found = e, true
		}
	}
	return best, found
}

// rank says how well an entry in scope s matches a lookup in scope want: 0 for want itself,
// then (project, any), (any, domain) and unscoped; -1 when it does not match.
func rank(s, want Scope) int {
	for i, sc := range [...]Scope{want, {Project: want.Project}, {Domain: want.Domain}, {}} {
		if s == sc {
			return i
		}
	}
	return -1
}

// ValidateScope checks a project or domain name (names.ValidScope says what is one). what
// ("project" or "domain") goes in the message.
func ValidateScope(what, name string) error {
	if !names.ValidScope(name) {
		return fmt.Errorf("invalid %s name %+q: %s: %w", what, names.Short(name), names.ScopeRule, ErrInvalidKey)
	}
	return nil
}

// Store is a place that keeps secrets: entries, each named by its key and its scope (the zero
// Scope: unscoped). Every method that takes a key checks it with ValidateKey. What a store
// cannot do (the keyring keeps no scoped secrets) it refuses with an *UnsupportedError, before
// any I/O. Implementations never put a value in an error message.
type Store interface {
	// Describe says what the store is and where its reads look, for messages. It reads at most
	// the keyring index, and never contacts the keyring.
	Describe() Description
	// Get returns the entry of key in exactly scope s, or a *KeyError wrapping ErrNotFound.
	Get(key string, s Scope) (Entry, error)
	// Put stores e.Value under e.Key in e.Scope with e.Kind and returns the kind of store that
	// took it: "file" or "keyring". If the entry exists and overwrite is false it returns a
	// *KeyError wrapping ErrExists; an overwrite keeps the creation time.
	Put(e Entry, overwrite bool) (string, error)
	// Delete removes the entry of key in exactly scope s and names the stores that held it
	// ("file", "keyring", or "keyring and file" when auto found it in both), or returns a
	// *KeyError wrapping ErrNotFound.
	Delete(key string, s Scope) (string, error)
	// Fetch returns, in one read of the store, for each of keys that it holds in a scope that
	// a lookup in s matches, the most specific entry (as Resolve picks it). Keys it does not
	// hold are absent from the map; that is not an error. It is a run's read: an entry may
	// come without its times (the file store decodes none).
	Fetch(keys []string, s Scope) (map[string]Entry, error)
	// List returns every entry, values included, sorted by key. An empty or absent store gives
	// an empty slice and no error.
	List() ([]Entry, error)
	// DeleteAll removes every entry and returns how many there were.
	DeleteAll() (int, error)
	// Close releases the store's connection to the keyring, if it has one.
	Close() error
}

// Description says what a store is, for messages.
type Description struct {
	// Name is the store's kind: "file", "keyring" or "auto".
	Name string
	// Reads are the stores that a read looks in, in order: the store itself, or under auto
	// the keyring (only while its index lists a secret) and then the file store.
	Reads []Place
	// Trouble is, under auto, why the keyring could not give the secrets its index lists at
	// the last read; nil otherwise.
	Trouble error
}

// Place is one store that reads look in.
type Place struct {
	Name     string // "file" or "keyring"
	Location string // the path of the store file; the keyring, its service and its index
}

// UnsupportedError is an operation that a store cannot do. It matches errors.ErrUnsupported.
type UnsupportedError struct {
	Store string // the kind of store: "keyring"
	What  string // what it does not keep: "scoped secrets"
}

func (e *UnsupportedError) Error() string { return "the " + e.Store + " store keeps no " + e.What }

// Unwrap returns errors.ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return errors.ErrUnsupported }

// ValidateKey returns nil if key is a valid secret key (names.KeyProblem says what is one),
// else a *KeyError wrapping ErrInvalidKey that says what is wrong.
func ValidateKey(key string) error {
	if p := names.KeyProblem(key); p != "" {
		return &KeyError{Key: key, Err: keyProblem(p)}
	}
	return nil
}

// DataDir returns the directory of secrun's file store, d.Data: $SECRUN_DATA_DIR if set; else
// $XDG_DATA_HOME/secrun or ~/.local/share/secrun on Linux and the BSDs,
// ~/Library/Application Support/secrun on macOS, and %LOCALAPPDATA%\secrun on Windows.
func DataDir(d dirs.Dirs) (string, error) {
	if d.Data == "" {
		return "", fmt.Errorf("cannot find the data directory: %s; set SECRUN_DATA_DIR", d.Unknown())
	}
	return d.Data, nil
}
