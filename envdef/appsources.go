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
	"go.yaml.in/yaml/v3"
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
	var doc struct {
		Configs map[string]struct {
			Config struct {
				Sources []string `yaml:"environment_sources"`
			} `yaml:"config"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, file, &DefError{File: file, Msg: "not an hpcFlow configuration file: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err,
			Fix: "its environment_sources list is read from configs: NAME: config: environment_sources"}
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(doc.Configs)) {
		for _, s := range doc.Configs[name].Config.Sources {
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
