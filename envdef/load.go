package envdef

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"
)

// DefaultFiles returns the definition files searched by default, in order:
// envs.toml, envs.yaml and envs.yml (hpcFlow's format; listed only if they exist) in the
// site directory (d.Site: /etc/secrun, on Windows %ProgramData%\secrun), then envs.d/*.toml,
// *.yaml and *.yml there (sorted by name), then the same in the user's configuration
// directory (d.Config). Files in envs.d are listed only if they exist (dot files are
// skipped); the envs.toml files are listed either way. Each directory is listed once rather
// than asked for each name: on a network home every name that is not there is a lookup of
// its own, for every rank's launch.
func DefaultFiles(d dirs.Dirs) []string {
	var files []string
	for _, dir := range []string{d.Site, d.Config} {
		if dir == "" {
			continue
		}
		files = append(files, filepath.Join(dir, "envs.toml"))
		ents, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue // it holds nothing to add
		}
		listed := err == nil // else (a directory one may enter but not list) each name is stat'ed
		for _, y := range []string{"envs.yaml", "envs.yml"} {
			if isEntry(dir, ents, listed, y, false) {
				files = append(files, filepath.Join(dir, y))
			}
		}
		if !isEntry(dir, ents, listed, "envs.d", true) {
			continue
		}
		ents, _ = os.ReadDir(filepath.Join(dir, "envs.d")) // sorted by name
		for _, e := range ents {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".toml") || IsYAML(n)) && !strings.HasPrefix(n, ".") {
				files = append(files, filepath.Join(dir, "envs.d", n))
			}
		}
	}
	return files
}

// isEntry reports whether dir has name as a directory (wantDir) or as something else,
// following a symbolic link. The listing ents (when listed) only rules a name out: it is
// stat'ed when some entry matches it regardless of case, since whether case matters is the
// filesystem's to say.
func isEntry(dir string, ents []os.DirEntry, listed bool, name string, wantDir bool) bool {
	if listed && !slices.ContainsFunc(ents, func(e os.DirEntry) bool { return strings.EqualFold(e.Name(), name) }) {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.IsDir() == wantDir
}

// UserFile returns the user's definition file, envs.toml in d.Config, or "" when there is no
// configuration directory.
func UserFile(d dirs.Dirs) string {
	if d.Config == "" {
		return ""
	}
	return filepath.Join(d.Config, "envs.toml")
}

// Load reads defaults, then explicit, and merges their environments: an
// environment in a later file replaces one of the same name from an earlier
// file, and the replaced definitions are recorded in Overrides. Each file is read with
// ReadFile, trusting t. A missing file in defaults is skipped silently; a missing file in
// explicit (from --envs or SECRUN_ENVS) is an error. A file named twice is read once.
func Load(defaults, explicit []string, t fileperm.Trust) (*Set, error) {
	return first(load(defaults, explicit, t, loadOpts{}))
}

// LoadCached is Load that keeps the environments of each file it parses in the cache that
// cache names and takes them from there while the file is unchanged (see cache.go). What it returns, and every error, is Load's, with two differences:
//
//   - check is applied to every environment of a file as the file is parsed, and an error
//     from it is the file's error: the file is not cached. Environments taken from the cache
//     passed it when their file was parsed, so every caller must pass the same check (secrun
//     passes its store's rules for keys and variables).
//   - With name set, the Set holds only the environments called name, from every file, and
//     the others only by name (for the hint of a NotFoundError): a launch needs one name, and
//     decoding every other environment from the cache would cost every launch.
func LoadCached(defaults, explicit []string, t fileperm.Trust, cache Cache, name string, check func(*Env) error) (*Set, error) {
	return first(load(defaults, explicit, t, loadOpts{cache: openCache(cache), only: name, check: check}))
}

func first(l *Loaded) (*Set, error) {
	if len(l.Errors) > 0 {
		return nil, l.Errors[0]
	}
	return l.Set, nil
}

// Loaded is what LoadAll found: the environments that loaded, every error, and the text of
// each file read (for linters that search it).
type Loaded struct {
	Set    *Set
	Errors []error
	Texts  map[string][]byte
}

// LoadAll is Load that goes on after an error: a file that cannot be read or parsed is left
// out, an environment that does not validate is left out of its file, and every such error
// is collected. env check is built on it, so that it reads files exactly as runs do.
func LoadAll(defaults, explicit []string, t fileperm.Trust) *Loaded {
	return load(defaults, explicit, t, loadOpts{all: true})
}

// loadOpts are load's ways to load: see LoadAll for all, LoadCached for the others.
type loadOpts struct {
	all   bool      // go on after an error
	cache *defCache // nil for none
	only  string    // "" for every environment
	check func(*Env) error
}

// load is Load, LoadCached and LoadAll.
func load(defaults, explicit []string, t fileperm.Trust, o loadOpts) *Loaded {
	all, c := o.all, o.cache
	l := &Loaded{Set: &Set{envs: map[string][]*Env{}}, Texts: map[string][]byte{}}
	seen := map[string]bool{}
	if c != nil {
		defer c.save(seen)
	}
	for i, f := range append(append([]string(nil), defaults...), explicit...) {
		if seen[absPath(f)] {
			continue
		}
		if c != nil {
			if envs, others, ok := c.lookup(f, t, o.only); ok {
				seen[absPath(f)] = true
				l.Set.files = append(l.Set.files, f)
				for _, e := range envs {
					l.Set.add(e)
				}
				l.Set.addNames(others)
				continue
			}
		}
		data, fi, err := readFileInfo(f, t)
		if err != nil {
			if i < len(defaults) && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if !all {
				l.Errors = append(l.Errors, err)
				return l
			}
			if _, ok := err.(*DefError); !ok {
				err = &DefError{File: f, Msg: err.Error(), Err: err} // every error LoadAll gives names its file
			}
			l.Errors = append(l.Errors, err)
			continue
		}
		seen[absPath(f)] = true
		l.Set.files = append(l.Set.files, f)
		if all {
			l.Texts[f] = data
		}
		envs, errs := ParseFileAll(f, data)
		for _, e := range envs {
			if o.check != nil && len(errs) == 0 {
				if err := o.check(e); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if l.Errors = append(l.Errors, errs...); len(errs) > 0 && !all {
			return l
		}
		if c != nil && len(errs) == 0 {
			c.add(f, fi, envs)
		}
		for _, e := range envs {
			if o.only == "" || e.Name == o.only {
				l.Set.add(e)
			} else {
				l.Set.addNames([]string{e.Name})
			}
		}
	}
	return l
}

// IsYAML reports whether file is read as an hpcFlow YAML definition: its name ends in
// .yaml or .yml (in any case).
func IsYAML(file string) bool {
	f := strings.ToLower(file)
	return strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml")
}

// firstError returns envs and the first of errs, or envs and nil; with an error, no envs.
func firstError(envs []*Env, errs []error) ([]*Env, error) {
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return envs, nil
}

// absPath names a file for de-duplication: the same file given relative and absolute is
// read once.
func absPath(f string) string {
	if abs, err := filepath.Abs(f); err == nil {
		return abs
	}
	return filepath.Clean(f)
}
