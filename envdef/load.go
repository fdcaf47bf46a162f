package envdef

import (
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/secrun/secrun/internal/fileperm"
)

// DefaultFiles returns the definition files searched by default, in order:
// /etc/secrun/envs.toml, envs.yaml and envs.yml (hpcFlow's format; listed only if they
// exist), /etc/secrun/envs.d/*.toml, *.yaml and *.yml (sorted by name), then the same in
// <configdir>/secrun, where configdir is $XDG_CONFIG_HOME if it is set to an
// absolute path, else os.UserConfigDir(). On Windows %ProgramData%\secrun takes
// the place of /etc/secrun. Files in envs.d are listed only if they exist
// (dot files are skipped); the envs.toml files are listed either way.
func DefaultFiles() []string {
	var dirs []string
	if runtime.GOOS == "windows" {
		if pd := os.Getenv("ProgramData"); pd != "" {
			dirs = append(dirs, filepath.Join(pd, "secrun"))
		}
	} else {
		dirs = append(dirs, "/etc/secrun")
	}
	if cd, ok := configDir(); ok {
		dirs = append(dirs, filepath.Join(cd, "secrun"))
	}
	var files []string
	for _, d := range dirs {
		files = append(files, filepath.Join(d, "envs.toml"))
		for _, y := range []string{"envs.yaml", "envs.yml"} {
			if fi, err := os.Stat(filepath.Join(d, y)); err == nil && !fi.IsDir() {
				files = append(files, filepath.Join(d, y))
			}
		}
		ents, _ := os.ReadDir(filepath.Join(d, "envs.d")) // sorted by name; a missing dir gives none
		for _, e := range ents {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".toml") || IsYAML(n)) && !strings.HasPrefix(n, ".") {
				files = append(files, filepath.Join(d, "envs.d", n))
			}
		}
	}
	return files
}

// configDir returns the user's configuration directory.
func configDir() (string, bool) {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return x, true
	}
	d, err := os.UserConfigDir()
	if err != nil && runtime.GOOS != "windows" {
		// No $HOME, as in a batch job started with 'sbatch --export=NONE': ask the user database.
		if u, uerr := user.Current(); uerr == nil && u.HomeDir != "" {
			if runtime.GOOS == "darwin" {
				return filepath.Join(u.HomeDir, "Library", "Application Support"), true
			}
			return filepath.Join(u.HomeDir, ".config"), true
		}
	}
	return d, err == nil
}

// userFileHint names the user's definition file for messages.
func userFileHint() string {
	if cd, ok := configDir(); ok {
		return filepath.Join(cd, "secrun", "envs.toml")
	}
	return "secrun/envs.toml in your configuration directory"
}

// Load reads defaults, then explicit, and merges their environments: an
// environment in a later file replaces one of the same name from an earlier
// file, and the replaced definitions are recorded in Overrides. Each file is read with
// ReadFile, trusting t. A missing file in defaults is skipped silently; a missing file in
// explicit (from --envs or SECRUN_ENVS) is an error. A file named twice is read once.
func Load(defaults, explicit []string, t fileperm.Trust) (*Set, error) {
	s := &Set{envs: map[string][]*Env{}}
	seen := map[string]bool{}
	for i, f := range append(append([]string(nil), defaults...), explicit...) {
		if seen[absPath(f)] {
			continue
		}
		data, err := ReadFile(f, t)
		if err != nil {
			if i < len(defaults) && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		seen[absPath(f)] = true
		s.files = append(s.files, f)
		envs, err := ParseFile(f, data)
		if err != nil {
			return nil, err
		}
		for _, e := range envs {
			s.add(e)
		}
	}
	return s, nil
}

// ParseFile parses one definition file by its name: hpcFlow YAML for .yaml and .yml, else
// secrun's TOML.
func ParseFile(file string, data []byte) ([]*Env, error) {
	if IsYAML(file) {
		return ParseYAML(file, data)
	}
	return Parse(file, data)
}

// absPath names a file for de-duplication: the same file given relative and absolute is
// read once.
func absPath(f string) string {
	if abs, err := filepath.Abs(f); err == nil {
		return abs
	}
	return filepath.Clean(f)
}
