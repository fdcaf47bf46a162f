//go:build !lean

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
	"github.com/secrun/secrun/internal/yamlnode"
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
// missing config file gives no files and no error.
func AppSources(app string, d dirs.Dirs, t fileperm.Trust) ([]string, string, error) {
	dir, err := AppConfigDir(app, d)
	if err != nil {
		return nil, "", err
	}
	file := filepath.Join(dir, "config.yaml")
	data, err := ReadFile(file, t)
	if errors.Is(err, fs.ErrNotExist) {
		file = filepath.Join(dir, "config.yml")
		data, err = ReadFile(file, t)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, filepath.Join(dir, "config.yaml"), nil
	}
	if err != nil {
		return nil, file, err
	}
	lists, err := appSourceLists(data)
	if err != nil {
		return nil, file, &DefError{File: file, Msg: "not an hpcFlow configuration file: " + err.Error(), Err: err,
			Fix: "its environment_sources list is read from configs: NAME: config: environment_sources"}
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

// appSourceLists reads the environment_sources lists of a config.yaml by the names of their
// configurations: configs: NAME: config: environment_sources: [...]. Other members are not
// read; null is as absent; a list's items are the text of scalars (null is ""); aliases and
// merge keys are followed, a mapping's own members first.
func appSourceLists(data []byte) (map[string][]string, error) {
	top, err := yamlnode.Parse(data, MaxDepth)
	if err != nil {
		return nil, err
	}
	lists := map[string][]string{}
	configs, err := appMember(top, "configs")
	if configs == nil || err != nil {
		return lists, err
	}
	if configs.Kind != yamlnode.Mapping {
		return nil, fmt.Errorf("line %d: configs must be a mapping of names to configurations, not %s", configs.Line, kindName(configs))
	}
	var names []string
	for j, m := range append([]*yamlnode.Node{configs}, mergeBases(configs)...) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := deref(m.Content[i])
			switch {
			case k.Kind != yamlnode.Scalar:
				return nil, fmt.Errorf("line %d: a configuration's name must be a plain name, not %s", k.Line, kindName(k))
			case k.Tag == "!!merge":
			case j == 0 && slices.Contains(names, k.Value):
				return nil, fmt.Errorf("line %d: configuration %q is given twice", k.Line, k.Value)
			case !slices.Contains(names, k.Value):
				names = append(names, k.Value)
			}
		}
	}
	for _, name := range names {
		_, v := yamlMember(configs, name)
		cfg, err := appMember(v, "config")
		if err != nil {
			return nil, err
		}
		l, err := appMember(cfg, "environment_sources")
		if err != nil {
			return nil, err
		}
		lists[name] = nil
		if l == nil {
			continue
		}
		if l.Kind != yamlnode.Sequence {
			return nil, fmt.Errorf("line %d: environment_sources must be a list, not %s", l.Line, kindName(l))
		}
		for _, s := range l.Content {
			path := ""
			switch s = deref(s); {
			case s.Kind != yamlnode.Scalar:
				return nil, fmt.Errorf("line %d: an environment source must be a path, not %s", s.Line, kindName(s))
			case !isNull(s):
				path = s.Value
			}
			lists[name] = append(lists[name], path)
		}
	}
	return lists, nil
}

// appMember is member k of m, a mapping or null; nil if m or the member is null or absent.
func appMember(m *yamlnode.Node, k string) (*yamlnode.Node, error) {
	if m == nil || isNull(deref(m)) {
		return nil, nil
	}
	if m = deref(m); m.Kind != yamlnode.Mapping {
		return nil, fmt.Errorf("line %d: expected a mapping with %s, not %s", m.Line, k, kindName(m))
	}
	_, v := yamlMember(m, k)
	if v == nil || isNull(v) {
		return nil, nil
	}
	return v, nil
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
