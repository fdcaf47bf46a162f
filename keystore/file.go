package keystore

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/internal/names"
)

const (
	storeFile     = "secrets.json"
	lockFileName  = "secrets.lock"
	formatName    = "secrun-store"
	formatVersion = 1 // written when no entry is scoped, so that older secruns still read it
	scopedVersion = 2 // written when some entry is scoped: older secruns refuse it rather than ignore scopes
)

// File is the file store: one JSON file, secrets.json, mode 0600 in a 0700 directory.
//
// Reads take no lock: a writer replaces the file with a rename, so a reader sees the old or
// the new store, whole, and never waits (many MPI ranks may read at once). Writers hold an
// exclusive lock on secrets.lock across the whole read-modify-write.
type File struct {
	dir string

	// Replaced by tests.
	now        func() time.Time
	createTemp func(dir, pattern string) (*os.File, error)
}

var _ Store = (*File)(nil)

// NewFile returns the file store in dir. It does no I/O: dir is created on the first write.
func NewFile(dir string) *File {
	return &File{dir: dir, now: time.Now, createTemp: createPrivateTemp}
}

// Describe names the file store and its path.
func (f *File) Describe() Description {
	return Description{Name: "file", Reads: []Place{f.place()}}
}

func (f *File) place() Place { return Place{Name: "file", Location: f.path()} }

// path returns the path of the store file.
func (f *File) path() string { return filepath.Join(f.dir, storeFile) }

// Close does nothing: the file store holds no connection.
func (f *File) Close() error { return nil }

// fileDoc is the JSON document of the store file.
type fileDoc struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Secrets []fileEntry `json:"secrets"`
}

type fileEntry struct {
	Key     string    `json:"key"`
	Project string    `json:"project,omitempty"`
	Domain  string    `json:"domain,omitempty"`
	Kind    Kind      `json:"kind,omitempty"`
	Value   []byte    `json:"value"` // base64 in JSON: any bytes are safe
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (e fileEntry) scope() Scope { return Scope{Project: e.Project, Domain: e.Domain} }

func (e fileEntry) entry() Entry {
	return Entry{Key: e.Key, Scope: e.scope(), Kind: e.Kind, Value: e.Value, Created: e.Created, Updated: e.Updated, Store: "file"}
}

// List returns every secret, sorted by key.
func (f *File) List() ([]Entry, error) {
	entries, err := f.load(nil)
	if err != nil {
		return nil, err
	}
	list := make([]Entry, len(entries))
	for i, e := range entries {
		list[i] = e.entry()
	}
	slices.SortFunc(list, func(a, b Entry) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Scope.Project+"\x00"+a.Scope.Domain, b.Scope.Project+"\x00"+b.Scope.Domain)
	})
	return list, nil
}

// Fetch returns the most specific entry in scope s of each of keys that the store holds, in
// one read.
func (f *File) Fetch(keys []string, s Scope) (map[string]Entry, error) {
	sorted := slices.Sorted(slices.Values(keys)) // every entry is looked up: no scan of keys for each
	want := func(key string) bool { _, ok := slices.BinarySearch(sorted, key); return ok }
	entries, err := f.load(want)
	if err != nil {
		return nil, err
	}
	found := make(map[string]Entry, len(keys))
	for _, e := range entries {
		r := rank(e.scope(), s)
		if r < 0 || !want(e.Key) {
			continue
		}
		if have, ok := found[e.Key]; ok && rank(have.Scope, s) <= r {
			continue
		}
		found[e.Key] = e.entry()
	}
	return found, nil
}

// Get returns the entry of key in exactly scope s.
func (f *File) Get(key string, s Scope) (Entry, error) {
	if err := ValidateKey(key); err != nil {
		return Entry{}, err
	}
	entries, err := f.load(nil)
	if err != nil {
		return Entry{}, err
	}
	if i := indexOf(entries, key, s); i >= 0 {
		return entries[i].entry(), nil
	}
	return Entry{}, &KeyError{Key: key, Scope: s, Err: ErrNotFound}
}

// Put stores e.Value under e.Key in e.Scope with e.Kind. An overwrite keeps the creation time.
func (f *File) Put(e Entry, overwrite bool) (string, error) {
	if err := ValidateKey(e.Key); err != nil {
		return "", err
	}
	if err := validateScope(e.Scope); err != nil {
		return "", err
	}
	if len(e.Value) > MaxValueSize {
		return "", &KeyError{Key: e.Key, Scope: e.Scope, Err: fmt.Errorf("the value is %d bytes, over the file store's limit of %d MiB per value",
			len(e.Value), MaxValueSize>>20)}
	}
	value := e.Value
	if value == nil {
		value = []byte{} // stored as "" rather than null, so it reads back as an empty value
	}
	err := f.update(true, func(entries []fileEntry) ([]fileEntry, bool, error) {
		now := f.now().UTC()
		i := indexOf(entries, e.Key, e.Scope)
		switch {
		case i < 0:
			return append(entries, fileEntry{Key: e.Key, Project: e.Scope.Project, Domain: e.Scope.Domain,
				Kind: e.Kind, Value: value, Created: now, Updated: now}), true, nil
		case !overwrite:
			return nil, false, &KeyError{Key: e.Key, Scope: e.Scope, Err: ErrExists}
		}
		entries[i].Value, entries[i].Kind, entries[i].Updated = value, e.Kind, now
		return entries, true, nil
	})
	if err != nil {
		return "", err
	}
	return "file", nil
}

// Delete removes the secret key in exactly scope s.
func (f *File) Delete(key string, s Scope) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	err := f.update(false, func(entries []fileEntry) ([]fileEntry, bool, error) {
		i := indexOf(entries, key, s)
		if i < 0 {
			return nil, false, &KeyError{Key: key, Scope: s, Err: ErrNotFound}
		}
		return slices.Delete(entries, i, i+1), true, nil
	})
	if err != nil {
		return "", err
	}
	return "file", nil
}

// validateScope checks the names of a scope that is not zero.
func validateScope(s Scope) error {
	if s.Project != "" {
		if err := ValidateScope("project", s.Project); err != nil {
			return err
		}
	}
	if s.Domain != "" {
		return ValidateScope("domain", s.Domain)
	}
	return nil
}

// DeleteAll removes every secret and returns how many there were.
func (f *File) DeleteAll() (int, error) {
	n := 0
	err := f.update(false, func(entries []fileEntry) ([]fileEntry, bool, error) {
		n = len(entries)
		return nil, n > 0, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func indexOf(entries []fileEntry, key string, s Scope) int {
	return slices.IndexFunc(entries, func(e fileEntry) bool { return e.Key == key && e.scope() == s })
}

// load reads the store without a lock. An absent store file is an empty store. With want
// set (a run's read), only the entries whose key it accepts carry their value, and none its
// times (see parseStore); the store is checked as a whole either way.
func (f *File) load(want func(key string) bool) ([]fileEntry, error) {
	data, err := readPrivate(f.dir, storeFile, "secret store")
	if err != nil || data == nil {
		return nil, err
	}
	return decode(f.path(), data, want)
}

// decode parses a store file and checks that it is one.
func decode(path string, data []byte, want func(key string) bool) ([]fileEntry, error) {
	doc, ok := parseStore(data, want) // the file as write makes it, read without reflection
	var err error
	if !ok {
		err = json.Unmarshal(data, &doc)
	}
	if err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			// Report the offset only: the message of a SyntaxError quotes a character of the
			// file, which could belong to a value.
			err = fmt.Errorf("invalid JSON at byte %d", syn.Offset)
			if syn.Offset >= int64(len(data)) {
				err = fmt.Errorf("truncated JSON (%d bytes)", len(data))
			}
		} else if !errors.As(err, new(*json.UnmarshalTypeError)) && !errors.As(err, new(base64.CorruptInputError)) {
			// A bad time, say: its message could quote file content. The two kept above
			// name only a field or an offset.
			err = errors.New("a field holds an invalid value")
		}
		return nil, &CorruptError{Path: path, Err: err}
	}
	if doc.Format != formatName {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("format is %+q, not %q", names.Short(doc.Format), formatName)}
	}
	if doc.Version != formatVersion && doc.Version != scopedVersion {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("unknown version %d (this secrun reads versions %d and %d)",
			doc.Version, formatVersion, scopedVersion)}
	}
	type id struct {
		key   string
		scope Scope
	}
	// write sorts the entries (entryOrder): where each entry comes strictly after the one
	// before it, no key is there twice in one scope, and only a store in another order needs
	// a map to find one.
	var seen map[id]bool
	for i := 1; i < len(doc.Secrets) && seen == nil; i++ {
		if entryOrder(doc.Secrets[i-1], doc.Secrets[i]) >= 0 {
			seen = make(map[id]bool, len(doc.Secrets))
		}
	}
	for _, e := range doc.Secrets {
		err := ValidateKey(e.Key)
		if err == nil {
			err = validateScope(e.scope())
		}
		if err == nil && e.Kind != KindString && e.Kind != KindFile {
			err = fmt.Errorf("key %q has an unknown kind %+q", e.Key, names.Short(string(e.Kind)))
		}
		if err != nil {
			// Not wrapped: a caller must not take this for a bad key of its own.
			return nil, &CorruptError{Path: path, Err: errors.New(err.Error())}
		}
		if seen[id{e.Key, e.scope()}] {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("key %q appears twice in scope %s", e.Key, e.scope())}
		}
		if seen != nil {
			seen[id{e.Key, e.scope()}] = true
		}
	}
	return doc.Secrets, nil
}

// entryOrder is the order of the entries in the store file: by key, then project, then
// domain.
func entryOrder(a, b fileEntry) int {
	return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.Project, b.Project), strings.Compare(a.Domain, b.Domain))
}

// update runs change on the store's entries under the write lock and writes the result when
// change reports a change. With create false an absent store directory is left absent.
func (f *File) update(create bool, change func([]fileEntry) ([]fileEntry, bool, error)) error {
	if create {
		if err := MkdirPrivate(f.dir); err != nil {
			return fmt.Errorf("create secret store directory: %w", err)
		}
	} else if _, err := os.Stat(f.dir); errors.Is(err, fs.ErrNotExist) {
		_, _, err := change(nil)
		return err
	}
	if err := f.checkDir(); err != nil {
		return err
	}
	unlock, err := takeLock(filepath.Join(f.dir, lockFileName), "secret store")
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(f.dir)

	entries, err := f.load(nil)
	if err != nil {
		return err
	}
	entries, changed, err := change(entries)
	if err != nil || !changed {
		return err
	}
	return f.write(entries)
}

// write replaces the store file atomically: a temp file in the same directory, written,
// synced and renamed over the store. On error the old store is left as it was.
func (f *File) write(entries []fileEntry) error {
	slices.SortFunc(entries, entryOrder)
	if entries == nil {
		entries = []fileEntry{} // "secrets": [] rather than null
	}
	version := formatVersion
	if slices.ContainsFunc(entries, func(e fileEntry) bool { return !e.scope().IsZero() }) {
		version = scopedVersion
	}
	data, err := json.MarshalIndent(fileDoc{Format: formatName, Version: version, Secrets: entries}, "", "  ")
	if err != nil {
		return fmt.Errorf("save secret store %s: %w", f.path(), err)
	}
	if len(data) >= MaxStoreSize {
		return &SizeError{Path: f.path(), What: "secret store", Size: int64(len(data)) + 1, Write: true}
	}
	if err := writeAtomic(f.dir, storeFile, append(data, '\n'), f.createTemp); err != nil {
		return fmt.Errorf("save secret store %s: %w", f.path(), err)
	}
	return nil
}

// writeAtomic replaces dir/name with data: a temp file in dir (private, from createTemp),
// written, synced and renamed over the old file, then the directory synced. A failure at any
// step leaves the old file as it was, and the temp file removed.
func writeAtomic(dir, name string, data []byte, createTemp func(dir, pattern string) (*os.File, error)) (err error) {
	if createTemp == nil {
		createTemp = createPrivateTemp
	}
	tmp, err := createTemp(dir, name+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// removeStaleTemps deletes temp files that a writer killed before its rename left behind:
// they may hold secret values. Only a lock holder writes temp files, so under the lock every
// one found is stale.
func removeStaleTemps(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, storeFile+".tmp-*"))
	for _, path := range stale {
		os.Remove(path)
	}
}

// syncDir makes a rename in dir durable. It is best effort: the new store is already in
// place, and an error here would only make the caller retry a write that took effect.
// Windows cannot sync a directory handle; NTFS journals the rename itself.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// checkDir checks the owner and mode of the store directory, following a symlink to it.
func (f *File) checkDir() error {
	if err := CheckPrivateDir(f.dir, ""); err != nil {
		return dirError(err)
	}
	return nil
}

// PermError is a store file or directory that secrun refuses to use: open to group or others,
// owned by another user, a symlink, a file with a second hard link, or not a regular file.
type PermError struct {
	Path    string
	Mode    fs.FileMode
	Problem string
	What    string // what the file is, for messages; "" for the store file or directory
	Fix     string // the hint, when the problem has a fix of its own (Windows: icacls)
}

func (e *PermError) Error() string {
	kind := "store file"
	switch {
	case e.What != "":
		kind = e.What
	case e.Mode.IsDir():
		kind = "store directory"
	}
	return fmt.Sprintf("refusing to use %s %s: %s", kind, e.Path, e.Problem)
}

// Hint says how to fix the problem.
func (e *PermError) Hint() string {
	switch {
	case e.Fix != "":
		return e.Fix
	case e.Mode&fs.ModeSymlink != 0 && e.What != "":
		return "replace the symbolic link " + fileperm.Quote(e.Path) + " with the file itself"
	case e.Mode&fs.ModeSymlink != 0:
		return "put the store file itself at " + e.Path + ", or set SECRUN_DATA_DIR to the directory that holds it"
	case e.Problem == notRegular && e.What != "":
		return "move " + fileperm.Quote(e.Path) + " aside: it must be a regular file"
	case e.Problem == notRegular:
		return "move " + e.Path + " aside: the store must be a regular file"
	case e.Problem == "it is not a directory":
		return "move " + fileperm.Quote(e.Path) + " aside: it must be a directory"
	case e.Mode.Perm()&0o077 != 0 && e.Mode.IsDir():
		return "run: chmod 700 " + fileperm.Quote(e.Path)
	case e.Mode.Perm()&0o077 != 0:
		return "run: chmod 600 " + fileperm.Quote(e.Path)
	}
	if e.What != "" {
		return "the " + e.What + " must belong to the user who runs secrun"
	}
	return "the store must belong to the user who runs secrun; use SECRUN_DATA_DIR to point elsewhere"
}

// CorruptError is a store file that cannot be read as a secrun store.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt secret store %s: %v", e.Path, e.Err)
}

// Unwrap returns Err.
func (e *CorruptError) Unwrap() error { return e.Err }

// Hint says what to do with the file.
func (e *CorruptError) Hint() string {
	return "move " + fileperm.Quote(e.Path) + " aside or restore it from a backup; secrun never replaces a store it cannot read"
}
