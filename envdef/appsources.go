package envdef

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/internal/handoff"
)

// Apps are the programs whose environment files AppSources reads.
var Apps = []string{"hpcflow", "matflow"}

// AppConfigDir returns the configuration directory of hpcFlow or MatFlow (app is "hpcflow" or
// "matflow"): $HPCFLOW_CONFIG_DIR or $MATFLOW_CONFIG_DIR when set, else ~/.hpcflow or
// ~/.matflow, as hpcFlow's ConfigFile._resolve_config_dir finds it from the app's
// directory_env_var and default_directory (hpcflow/hpcflow, hpcflow/sdk/config/config_file.py
// and the app's ConfigOptions).
func AppConfigDir(app string, d dirs.Dirs) (string, error) {
	if dir := os.Getenv(strings.ToUpper(app) + "_CONFIG_DIR"); dir != "" {
		return expandHome(dir, d.Home)
	}
	return expandHome("~/."+app, d.Home)
}

// AppSources returns the environment files that the app's config.yaml (or config.yml) lists
// under environment_sources, and the config file it read. The file holds named configurations
// (configs: NAME: config: environment_sources: [...]); hpcFlow picks one by matching the
// machine, which secrun does not repeat: it takes the lists of every configuration, in the
// order of their names, and leaves out the files that do not exist here (another machine's).
// A leading ~ is the home directory and a relative path is taken from the config directory.
// The config file chooses definition files, so it is read as one is (ReadFile, trusting t). A
// missing config file gives no files and no error. The lists are kept in the sources cache of
// c, keyed by the config file's identity as the definitions cache keys its files, so that a
// launch reads no YAML (the lean build has no YAML reader: it returns handoff.ErrFull when
// the lists are not cached).
func AppSources(app string, d dirs.Dirs, t fileperm.Trust, c Cache) ([]string, string, error) {
	dir, err := AppConfigDir(app, d)
	if err != nil {
		return nil, "", err
	}
	lists, file, err := appSourceListsOf(dir, t, c)
	if err != nil || lists == nil {
		return nil, file, err
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		for _, s := range lists[name] {
			p, err := expandHome(s, d.Home)
			if err != nil {
				return nil, file, err
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if _, err := os.Stat(p); err == nil && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out, file, nil
}

// appSourceListsOf reads the environment_sources lists of config.yaml (else config.yml) in dir,
// from the sources cache in c when it holds them for the file as it is now, and returns them
// with the file read; nil lists and no error when there is no config file.
func appSourceListsOf(dir string, t fileperm.Trust, c Cache) (map[string][]string, string, error) {
	sc := openCacheFile(c, sourcesCacheName)
	for _, name := range []string{"config.yaml", "config.yml"} {
		file := filepath.Join(dir, name)
		if sc != nil {
			if data, ok := sc.lookupData(file, t); ok {
				if lists, ok := decodeLists(data); ok {
					return lists, file, nil
				}
			}
		}
		data, fi, err := readFileInfo(file, t)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, file, err
		}
		lists, err := appSourceLists(data)
		if errors.Is(err, handoff.ErrFull) {
			return nil, file, fmt.Errorf("%s: %w", file, err)
		}
		if err != nil {
			return nil, file, &DefError{File: file, Msg: "not an hpcFlow configuration file: " + err.Error(), Err: err,
				Fix: "its environment_sources list is read from configs: NAME: config: environment_sources"}
		}
		if sc != nil {
			sc.addData(file, fi, encodeLists(lists))
			sc.save(nil) // each app's launch reads one config file: keep the other apps' entries
		}
		return lists, file, nil
	}
	return nil, filepath.Join(dir, "config.yaml"), nil
}

// encodeLists writes the environment_sources lists by configuration name, for the cache.
func encodeLists(lists map[string][]string) string {
	w := &cacheWriter{}
	w.int(len(lists))
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		w.str(name)
		w.strs(lists[name])
	}
	return w.b.String()
}

// decodeLists reads what encodeLists wrote.
func decodeLists(data string) (map[string][]string, bool) {
	r := &cacheReader{b: data}
	n := r.count()
	lists := make(map[string][]string, n)
	for ; n > 0 && r.ok(); n-- {
		name := r.str()
		lists[name] = r.strs()
	}
	return lists, r.ok() && len(r.b) == 0
}

// expandHome replaces a leading ~ with home, the user's home directory.
func expandHome(p, home string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	if home == "" {
		return "", fmt.Errorf("cannot expand %s: the home directory is not known", p)
	}
	return filepath.Join(home, p[1:]), nil
}
