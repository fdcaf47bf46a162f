package envdef

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/secrun/secrun/internal/fileperm"
)

// The cache of parsed definitions. Every launch reads every definition file, and parsing
// TOML is most of a launch's own work; the cache holds, for each file that parsed without
// error, the environments it gave, keyed by the file's identity: device, inode, size, mtime,
// ctime, mode, owner and group (fileID). A launch still checks each file and every directory
// above it with fresh stats, by the same rule as a read (fileperm.CheckTrusted), and uses the
// entry only if the identity is unchanged; any write changes mtime and ctime, and chmod,
// chown and rename change ctime. So the cache never decides what is trusted: a file that
// became group-writable is refused as before, cache or not. It holds keys, names and commands,
// never a value (definitions hold none).
//
// The cache file is cacheName in the user's cache directory, private to the user as the
// store is (a directory and file of the user's, closed to group and others): anything else is
// ignored, as is a file that does not decode, one written by another build of secrun (the
// header names the build: see Cache) or one over MaxFileSize. It is rewritten, through a
// temporary file and a rename, when a launch parsed a file it did not hold. A file changed
// less than racyWindow before it was read is not cached: a write in the same clock tick
// could leave its mtime and ctime as they were (as git's "racy" index entries).

const (
	cacheName  = "definitions.cache"
	cacheMagic = "secrun-definitions-cache 2\n"
)

// racyWindow is how long ago a file must have last changed to be cached (a variable for tests).
var racyWindow = 2 * time.Second

// fileID is what tells one version of a file from another: a write changes mtime and ctime;
// chmod, chown, a new link and a rename change ctime; a replacement changes the inode.
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // ns
	mode         uint32
	uid, gid     uint32
}

// defCache is the cache as one launch reads and extends it.
type defCache struct {
	path    string
	build   string                // the header's build: see openCache
	entries map[string]cacheEntry // by the definition file's absolute path (absPath)
	dirty   bool
}

type cacheEntry struct {
	id   fileID
	envs string // encoded (encodeEnvs, or for the sources cache encodeLists); what is decoded shares its memory
}

// Cache says where LoadCached keeps parsed definitions, and for which build of secrun: a
// cache written by another build is not read, since that build may encode or check
// definitions otherwise.
type Cache struct {
	Dir string // the user's cache directory; "" for no cache
	// Build names a release build (its version, commit and date), which is the same program
	// wherever it is installed, so that the nodes of a cluster that share a home share the
	// cache. "" names the running binary by its file's identity instead (a development
	// build), which costs a stat of /proc/self/exe on every launch.
	Build string
	// Binary is the file that names a development build when it is not the running one:
	// the lean build names secrun-full, whose parser wrote the cache.
	Binary string
}

// sourcesCacheName is the cache of the environment_sources lists read from hpcFlow's and
// MatFlow's config.yaml (AppSources), in the same format with those lists as the payload.
const sourcesCacheName = "env-sources.cache"

// openCache reads the cache that c names, or starts an empty one; nil when there is no cache
// directory or no way to tell files apart on this system.
func openCache(c Cache) *defCache { return openCacheFile(c, cacheName) }

// openCacheFile is openCache of the cache file called name in c.Dir.
func openCacheFile(c Cache, name string) *defCache {
	if c.Dir == "" || !canIdentify {
		return nil
	}
	build := "release " + c.Build
	if c.Build == "" {
		exe, ok := exeID(c.Binary)
		if !ok {
			return nil
		}
		w := &cacheWriter{}
		w.id(exe)
		build = "binary " + w.b.String()
	}
	dc := &defCache{path: filepath.Join(c.Dir, name), build: build, entries: map[string]cacheEntry{}}
	if data, ok := readPrivateCache(c.Dir, dc.path); ok {
		dc.decode(data)
	}
	return dc
}

// lookup returns the environments of file if the cache holds them for the file as it is now,
// after checking file and the directories above it as a read does: all of them, or with only
// set, those called only, and the names of the others. ok is false on a miss and on any
// error: the caller then reads the file, which gives the error as it always did.
func (c *defCache) lookup(file string, t fileperm.Trust, only string) (envs []*Env, others []string, ok bool) {
	data, ok := c.lookupData(file, t)
	if !ok {
		return nil, nil, false
	}
	return decodeEnvs(data, file, only)
}

// lookupData returns what the cache holds for file if it holds it for the file as it is now,
// after checking file and the directories above it as a read does.
func (c *defCache) lookupData(file string, t fileperm.Trust) (string, bool) {
	e, ok := c.entries[absPath(file)]
	if !ok {
		return "", false
	}
	fi, err := fileperm.CheckTrusted(file, MaxFileSize, t)
	if err != nil {
		return "", false
	}
	if id, ok := idOf(fi); !ok || id != e.id {
		return "", false
	}
	return e.envs, true
}

// add records the environments parsed from file, whose fstat before the read was fi.
func (c *defCache) add(file string, fi fs.FileInfo, envs []*Env) {
	c.addData(file, fi, string(encodeEnvs(envs)))
}

// addData records data for file, whose fstat before the read was fi, unless file changed
// within racyWindow.
func (c *defCache) addData(file string, fi fs.FileInfo, data string) {
	id, ok := idOf(fi)
	if !ok || time.Since(time.Unix(0, max(id.mtime, id.ctime))) < racyWindow {
		return
	}
	c.entries[absPath(file)] = cacheEntry{id: id, envs: data}
	c.dirty = true
}

// save writes the cache back if a launch added to it, without the files that it did not read
// (used holds their absPath; nil keeps every file); failing to costs only a parse.
func (c *defCache) save(used map[string]bool) {
	if !c.dirty {
		return
	}
	for f := range c.entries {
		if used != nil && !used[f] { // a file no longer read
			delete(c.entries, f)
		}
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, cacheName+".tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(c.encode())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// readPrivateCache reads the cache file if it and its directory are the user's and closed to
// group and others, and it is not over MaxFileSize.
func readPrivateCache(dir, path string) ([]byte, bool) {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fileperm.Private.Problem(fi) != "" {
		return nil, false
	}
	f, err := fileperm.Open(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fileperm.Private.Problem(fi) != "" || fi.Size() > MaxFileSize {
		return nil, false
	}
	data, err := fileperm.ReadOpen(f, fi.Size(), MaxFileSize)
	return data, err == nil && int64(len(data)) <= MaxFileSize
}

// The cache file: cacheMagic, the binary's fileID, then per definition file its path, its
// fileID and its encoded environments.

func (c *defCache) encode() []byte {
	w := &cacheWriter{}
	w.b.WriteString(cacheMagic)
	w.str(c.build)
	w.int(len(c.entries))
	for f, e := range c.entries {
		w.str(f)
		w.id(e.id)
		w.str(e.envs)
	}
	return w.b.Bytes()
}

// decode fills c.entries from data; anything it does not take for a cache of this binary
// leaves them empty.
func (c *defCache) decode(data []byte) {
	r := &cacheReader{b: string(data)} // one copy: every string read from it is a part of it
	if !r.prefix(cacheMagic) || r.str() != c.build {
		return
	}
	entries := map[string]cacheEntry{}
	for n := r.int(); n > 0 && r.ok(); n-- {
		f := r.str()
		entries[f] = cacheEntry{id: r.id(), envs: r.str()}
	}
	if r.ok() && len(r.b) == 0 {
		c.entries = entries
	}
}

// encodeEnvs writes envs field by field, each environment as its name and then the rest as
// one string, which a launch that needs another name skips; TestCacheFields fails when a
// field is added to Env or the types under it and not here.
func encodeEnvs(envs []*Env) []byte {
	out := &cacheWriter{}
	out.int(len(envs))
	for _, e := range envs {
		out.str(e.Name)
		w := &cacheWriter{}
		w.strs(e.Setup)
		w.int(len(e.Specifiers))
		if e.Specifiers != nil {
			w.int(1)
		} else {
			w.int(0)
		}
		for k, v := range e.Specifiers {
			w.str(k)
			w.str(v)
		}
		w.int(len(e.Secrets))
		for _, s := range e.Secrets {
			w.str(s.Key)
			w.str(s.Var)
			w.bool(s.Renamed)
			w.bool(s.JSON)
			w.str(s.File)
			w.bool(s.Optional)
			w.strs(s.AllowVars)
			w.int(s.Line)
		}
		w.int(len(e.Executables))
		for _, x := range e.Executables {
			w.str(x.Label)
			w.int(len(x.Instances))
			for _, in := range x.Instances {
				w.str(in.Command)
				w.int(in.NumCores.Start)
				w.int(in.NumCores.Stop)
				w.int(in.NumCores.Step)
				w.str(in.ParallelMode)
				w.int(in.Line)
			}
			w.int(x.Line)
		}
		w.str(e.Project)
		w.str(e.Domain)
		w.str(e.Bundle)
		w.bool(e.Mask)
		w.str(e.Shell)
		w.int(e.Line)
		w.strs(e.Overrides)
		out.bytes(w.b.Bytes())
	}
	return out.b.Bytes()
}

// decodeEnvs reads what encodeEnvs wrote, with File set to file: every environment, or with
// only set, those called only, and the names of the others. The strings it returns are parts
// of data, not copies.
func decodeEnvs(data, file, only string) (envs []*Env, others []string, ok bool) {
	all := &cacheReader{b: data}
	for n := all.count(); n > 0 && all.ok(); n-- {
		name, rest := all.str(), all.str()
		if only != "" && name != only {
			others = append(others, name)
			continue
		}
		e, ok := decodeEnv(name, rest, file)
		if !ok {
			return nil, nil, false
		}
		envs = append(envs, e)
	}
	return envs, others, all.ok() && len(all.b) == 0
}

// decodeEnv reads one environment's fields after its name.
func decodeEnv(name, data, file string) (*Env, bool) {
	r := &cacheReader{b: data}
	e := &Env{Name: name, Setup: r.strs(), File: file}
	ns, isMap := r.count(), r.int() == 1
	if isMap {
		e.Specifiers = make(map[string]string, ns)
	} else if ns > 0 {
		return nil, false
	}
	for ; ns > 0 && r.ok(); ns-- {
		k := r.str()
		e.Specifiers[k] = r.str()
	}
	if ns := r.count(); ns > 0 {
		e.Secrets = make([]Secret, ns)
		for i := range e.Secrets {
			s := &e.Secrets[i]
			s.Key, s.Var, s.Renamed, s.JSON = r.str(), r.str(), r.bool(), r.bool()
			s.File, s.Optional, s.AllowVars, s.Line = r.str(), r.bool(), r.strs(), r.int()
		}
	}
	if nx := r.count(); nx > 0 {
		e.Executables = make([]Executable, nx)
		for i := range e.Executables {
			x := &e.Executables[i]
			x.Label = r.str()
			if ni := r.count(); ni > 0 {
				x.Instances = make([]Instance, ni)
				for j := range x.Instances {
					in := &x.Instances[j]
					in.Command = r.str()
					in.NumCores = Cores{Start: r.int(), Stop: r.int(), Step: r.int()}
					in.ParallelMode, in.Line = r.str(), r.int()
				}
			}
			x.Line = r.int()
		}
	}
	e.Project, e.Domain, e.Bundle, e.Mask, e.Shell = r.str(), r.str(), r.str(), r.bool(), r.str()
	e.Line, e.Overrides = r.int(), r.strs()
	return e, r.ok() && len(r.b) == 0
}

type cacheWriter struct{ b bytes.Buffer }

func (w *cacheWriter) int(n int) { w.b.Write(binary.AppendVarint(nil, int64(n))) }
func (w *cacheWriter) str(s string) {
	w.int(len(s))
	w.b.WriteString(s)
}
func (w *cacheWriter) bytes(b []byte) {
	w.int(len(b))
	w.b.Write(b)
}
func (w *cacheWriter) bool(v bool) {
	if v {
		w.b.WriteByte(1)
	} else {
		w.b.WriteByte(0)
	}
}

// strs writes a list, telling nil from empty.
func (w *cacheWriter) strs(list []string) {
	if list == nil {
		w.int(-1)
		return
	}
	w.int(len(list))
	for _, s := range list {
		w.str(s)
	}
}
func (w *cacheWriter) id(id fileID) {
	for _, v := range [...]int64{int64(id.dev), int64(id.ino), id.size, id.mtime, id.ctime, int64(id.mode), int64(id.uid), int64(id.gid)} {
		w.int(int(v))
	}
}

// cacheReader reads what cacheWriter wrote; after the first error every read gives a zero
// value and ok reports false. It reads a string, so that the strings it returns need no
// copies (a launch reads a few hundred).
type cacheReader struct {
	b   string
	err error
}

var errCorrupt = errors.New("corrupt cache")

func (r *cacheReader) ok() bool { return r.err == nil }

// int reads a varint as binary.AppendVarint writes it (zig-zag, 7 bits a byte, low first).
func (r *cacheReader) int() int {
	var ux uint64
	for i := 0; i < len(r.b) && i < binary.MaxVarintLen64 && r.err == nil; i++ {
		c := r.b[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // over 64 bits
		}
		ux |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			v := int64(ux >> 1)
			if ux&1 != 0 {
				v = ^v
			}
			return int(v)
		}
	}
	r.err = errCorrupt
	return 0
}

// count is an int that sizes what follows: at most one per remaining byte.
func (r *cacheReader) count() int {
	n := r.int()
	if n < 0 || n > len(r.b) {
		r.err = errCorrupt
		return 0
	}
	return n
}

func (r *cacheReader) str() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *cacheReader) bool() bool {
	if len(r.b) == 0 || r.b[0] > 1 || r.err != nil {
		r.err = errCorrupt
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *cacheReader) strs() []string {
	n := r.int()
	if n == -1 || r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errCorrupt
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = r.str()
	}
	return list
}

func (r *cacheReader) id() fileID {
	var v [8]int64
	for i := range v {
		v[i] = int64(r.int())
	}
	return fileID{dev: uint64(v[0]), ino: uint64(v[1]), size: v[2], mtime: v[3], ctime: v[4], mode: uint32(v[5]), uid: uint32(v[6]), gid: uint32(v[7])}
}

func (r *cacheReader) prefix(p string) bool {
	if !strings.HasPrefix(r.b, p) {
		return false
	}
	r.b = r.b[len(p):]
	return true
}
