package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secrun/secrun/internal/names"
)

const (
	indexFile     = "keyring-index.json"
	indexLockFile = "keyring-index.lock"
	indexFormat   = "secrun-keyring-index"
	indexVersion  = 1
)

// index is the list of the secrets that secrun keeps in the OS keyring, which cannot be
// listed: key names and metadata, never values. It lives beside the file store, with the same
// protections: 0600 in a 0700 directory, refused when others can read it, replaced atomically
// under a lock of its own (keyring-index.lock).
type index struct {
	dir        string
	createTemp func(dir, pattern string) (*os.File, error)
}

type indexDoc struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Secrets []indexEntry `json:"secrets"`
}

// indexEntry describes one secret in the keyring. A value of Parts > 1 is split across items
// named itemName(Key, Gen, i); a value in one part is the item named Key.
type indexEntry struct {
	Key      string    `json:"key"`
	Store    string    `json:"store"`          // always "keyring"
	Size     int       `json:"size"`           // bytes of the value
	Kind     Kind      `json:"kind,omitempty"` // "file" for a secret stored with --from-file
	Parts    int       `json:"parts"`
	Gen      int       `json:"generation,omitempty"`
	Encoding string    `json:"encoding,omitempty"` // "base64" when the value is not UTF-8 text
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

func (x *index) path() string { return filepath.Join(x.dir, indexFile) }

// load reads the index without a lock. An absent index is an empty one.
func (x *index) load() ([]indexEntry, error) {
	data, err := readPrivate(x.dir, indexFile, "keyring index")
	if err != nil || data == nil {
		return nil, err
	}
	path := x.path()
	var doc indexDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			err = fmt.Errorf("invalid JSON at byte %d", syn.Offset)
		} else {
			err = errors.New("a field holds an invalid value")
		}
		return nil, &CorruptError{Path: path, Err: err}
	}
	if doc.Format != indexFormat || doc.Version != indexVersion {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("not a version %d keyring index", indexVersion)}
	}
	seen := map[string]bool{}
	for _, e := range doc.Secrets {
		switch {
		case ValidateKey(e.Key) != nil:
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("invalid key %+q", names.Short(e.Key))}
		case seen[e.Key]:
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("key %q appears twice", e.Key)}
		case e.Parts < 1:
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("key %q has %d parts", e.Key, e.Parts)}
		}
		seen[e.Key] = true
	}
	return doc.Secrets, nil
}

// update runs change on the index under its lock and writes the result when change reports
// a change. A failed write leaves the old index in place.
func (x *index) update(change func([]indexEntry) ([]indexEntry, bool, error)) error {
	if err := MkdirPrivate(x.dir); err != nil {
		return fmt.Errorf("create secret store directory: %w", err)
	}
	if err := (&File{dir: x.dir}).checkDir(); err != nil {
		return err
	}
	unlock, err := takeLock(filepath.Join(x.dir, indexLockFile), "keyring index")
	if err != nil {
		return err
	}
	defer unlock()
	stale, _ := filepath.Glob(filepath.Join(x.dir, indexFile+".tmp-*"))
	for _, p := range stale {
		os.Remove(p)
	}
	entries, err := x.load()
	if err != nil {
		return err
	}
	entries, changed, err := change(entries)
	if err != nil || !changed {
		return err
	}
	return x.write(entries)
}

// write replaces the index file atomically (temp file, fsync, rename, directory fsync).
func (x *index) write(entries []indexEntry) (err error) {
	slices.SortFunc(entries, func(a, b indexEntry) int { return strings.Compare(a.Key, b.Key) })
	if entries == nil {
		entries = []indexEntry{}
	}
	data, err := json.MarshalIndent(indexDoc{Format: indexFormat, Version: indexVersion, Secrets: entries}, "", "  ")
	if err != nil {
		return fmt.Errorf("save keyring index %s: %w", x.path(), err)
	}
	if len(data) >= MaxStoreSize {
		return &SizeError{Path: x.path(), What: "keyring index", Size: int64(len(data)) + 1, Write: true}
	}
	if err := writeAtomic(x.dir, indexFile, append(data, '\n'), x.createTemp); err != nil {
		return fmt.Errorf("save keyring index %s: %w", x.path(), err)
	}
	return nil
}

func indexPos(entries []indexEntry, key string) int {
	return slices.IndexFunc(entries, func(e indexEntry) bool { return e.Key == key })
}
