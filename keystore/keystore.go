// Package keystore holds secrun's secret stores: the Store interface, the file store, the OS
// keyring store with its index, the auto store over both, key and scope validation, and the
// location of the user's data directory. It stores and fetches values by
// key and nothing more: it knows nothing of environment definitions, of the command line, or of
// how secrets reach a child process.
package keystore

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secrun/secrun/internal/dirs"
)

// Sentinel errors of the stores; test for them with errors.Is.
var (
	ErrNotFound   = errors.New("secret not found")
	ErrExists     = errors.New("secret already exists")
	ErrInvalidKey = errors.New("invalid key")
)

// maxKeyLen is the longest key accepted, in characters (keys are ASCII).
const maxKeyLen = 256

// KeyError ties an error to the key it concerns. Err is ErrNotFound, ErrExists or an error
// that matches ErrInvalidKey and says what is wrong with the key.
type KeyError struct {
	Key   string
	Scope Scope // the scope looked in; zero for unscoped
	Err   error
}

func (e *KeyError) Error() string {
	key := fmt.Sprintf("%+q", shorten(e.Key)) // %+q: no control or non-ASCII character reaches a terminal
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

// Hint says what to do about a secret whose keyring item is missing; other key errors have
// no hint of their own.
func (e *KeyError) Hint() string {
	if errors.Is(e.Err, ErrItemMissing) {
		return "'secrun secrets doctor' reports such secrets, and 'secrun secrets doctor --repair' removes them from the index"
	}
	return ""
}

// shorten cuts a key that is too long to be worth printing whole.
func shorten(key string) string {
	if len(key) > 64 {
		return key[:60] + "..."
	}
	return key
}

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
	for _, sc := range []Scope{want, {Project: want.Project}, {Domain: want.Domain}, {}} {
		for _, e := range entries {
			if e.Scope == sc {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// ValidateScope checks a project or domain name: 1 to 64 ASCII letters, digits, '_', '-' and
// '.', not starting with '-' or '.'. what ("project" or "domain") goes in the message.
func ValidateScope(what, name string) error {
	bad := name == "" || len(name) > 64 || name[0] == '-' || name[0] == '.'
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-' || r == '.') {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("invalid %s name %+q: use 1-64 letters, digits, '_', '-' or '.', not starting with '-' or '.': %w",
			what, shorten(name), ErrInvalidKey)
	}
	return nil
}

// Store is a place that keeps secrets by key. Implementations must never put a value in an
// error message.
type Store interface {
	// Name is the store's kind, as chosen with --store: "file", "keyring" or "auto".
	Name() string
	// Location says where the store is, for messages: a file path, or the keyring and its index.
	Location() string
	// List returns every secret, values included, sorted by key. An empty or absent store
	// gives an empty slice and no error.
	List() ([]Entry, error)
	// Fetch returns the values of the given keys in one read of the store. Keys the store
	// does not hold are absent from the map; that is not an error.
	Fetch(keys []string) (map[string][]byte, error)
	// Get returns one value, or a *KeyError wrapping ErrNotFound.
	Get(key string) ([]byte, error)
	// Set stores a value. If the key exists and overwrite is false it returns a *KeyError
	// wrapping ErrExists; on overwrite the secret keeps its creation time.
	Set(key string, value []byte, overwrite bool) error
	// Delete removes one secret, or returns a *KeyError wrapping ErrNotFound.
	Delete(key string) error
	// DeleteAll removes every secret and returns how many there were.
	DeleteAll() (int, error)
}

// Kinded is a Store that also keeps the kind (string or file) of its unscoped secrets. The
// file store, the keyring store and the auto store are Kinded; 'secrets move' uses it to
// carry the kind from one store to the other.
type Kinded interface {
	Store
	// Lookup returns the unscoped secret key with its kind and times, or a *KeyError
	// wrapping ErrNotFound.
	Lookup(key string) (Entry, error)
	// SetKind stores value under key, unscoped, as a secret of the given kind; see Set for
	// overwrite.
	SetKind(key string, value []byte, kind Kind, overwrite bool) error
}

// Scoped is a Store that also keeps scoped secrets and the kind of each secret. The methods
// of Store above see unscoped secrets only (List and DeleteAll excepted, which see all).
type Scoped interface {
	Store
	// FetchScoped returns, for each of keys that the store holds, its entries in every scope,
	// in one read. Pick one with Resolve.
	FetchScoped(keys []string) (map[string][]Entry, error)
	// GetEntry returns the entry of key in exactly scope s, or a *KeyError wrapping ErrNotFound.
	GetEntry(key string, s Scope) (Entry, error)
	// Put stores e.Value under e.Key in e.Scope with e.Kind; see Set for overwrite.
	Put(e Entry, overwrite bool) error
	// DeleteEntry removes the entry of key in exactly scope s.
	DeleteEntry(key string, s Scope) error
}

const allowedKeyChars = " (allowed: letters, digits, _ - . /)"

// ValidateKey returns nil if key is a valid secret key, else a *KeyError wrapping
// ErrInvalidKey that says what is wrong. A key is 1 to 256 ASCII letters, digits and
// `_ - . /`; it does not start with "-", contain "..", start or end with "/", or contain "//".
func ValidateKey(key string) error {
	if p := checkKey(key); p != "" {
		return &KeyError{Key: key, Err: keyProblem(p)}
	}
	return nil
}

// checkKey returns what is wrong with key, or "".
func checkKey(key string) string {
	if key == "" {
		return "it is empty"
	}
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRuneInString(key[i:])
		switch {
		case r == ' ':
			return "contains a space" + allowedKeyChars
		case !isKeyChar(r):
			return fmt.Sprintf("contains %+q%s", key[i:i+size], allowedKeyChars)
		}
		i += size
	}
	switch {
	case len(key) > maxKeyLen:
		return fmt.Sprintf("it is %d characters long (at most %d)", len(key), maxKeyLen)
	case key[0] == '-':
		return `it starts with "-", which would be read as a flag`
	case strings.Contains(key, ".."):
		return `contains "..", which could be read as a parent directory`
	case key[0] == '/':
		return `it starts with "/"`
	case key[len(key)-1] == '/':
		return `it ends with "/"`
	case strings.Contains(key, "//"):
		return `contains "//"`
	}
	return ""
}

func isKeyChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '_' || r == '-' || r == '.' || r == '/'
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
