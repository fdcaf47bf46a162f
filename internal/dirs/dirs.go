// Package dirs finds, once per run, the user's home and the directories where secrun keeps
// its files: settings and definitions, the file store, the audit log, the launcher cache, the
// base of the private directories, and the data directory of another app (hpcFlow's). It
// follows the XDG base directory specification on Linux and the BSDs and the platform's
// conventions on macOS and Windows. It reads the environment and, only when the home is not
// in it, the user database; it creates nothing and imports nothing of secrun.
package dirs

import (
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
)

// Dirs are the directories of one run, each "" when it cannot be found (no home, or on
// Windows no %APPDATA% or %LOCALAPPDATA%). What an XDG variable or the home gives is an
// absolute path; SECRUN_DATA_DIR and the Windows variables are taken as they are.
type Dirs struct {
	// Home is $HOME (%USERPROFILE% on Windows) when that is an absolute path, else the home
	// directory in the user database, as in a batch job started with 'sbatch --export=NONE'.
	Home string
	// Site holds the site-wide definitions: /etc/secrun, on Windows %ProgramData%\secrun.
	Site string
	// Config holds config.toml and the user's definitions: $XDG_CONFIG_HOME/secrun, else
	// ~/.config/secrun; ~/Library/Application Support/secrun on macOS and
	// %APPDATA%\secrun on Windows.
	Config string
	// Data holds the file store and the keyring index: $SECRUN_DATA_DIR, else
	// $XDG_DATA_HOME/secrun, else ~/.local/share/secrun; ~/Library/Application Support/secrun
	// on macOS and %LOCALAPPDATA%\secrun on Windows (where XDG_DATA_HOME is not read).
	Data string
	// State holds the audit log: $XDG_STATE_HOME/secrun, else ~/.local/state/secrun;
	// ~/Library/Application Support/secrun on macOS and %LOCALAPPDATA%\secrun on Windows.
	State string
	// Cache holds what secrun learns and may forget: $XDG_CACHE_HOME/secrun, else
	// ~/.cache/secrun; ~/Library/Caches/secrun on macOS and %LOCALAPPDATA%\secrun on
	// Windows (where XDG_CACHE_HOME is not read).
	Cache string
	// Runtime is $XDG_RUNTIME_DIR when it is an absolute path, else "": the first choice of
	// base for the private directories of secret files.
	Runtime string

	goos    string
	appData string // the base of AppData, as Python's platformdirs finds it
}

// FromEnv finds the directories from the environment of this process. The user database is
// read only when the home is not set to an absolute path.
func FromEnv() Dirs { return find(runtime.GOOS, os.Getenv, dbHome) }

// dbHome returns the home directory of the current user in the user database, or "".
func dbHome() string {
	if u, err := user.Current(); err == nil && filepath.IsAbs(u.HomeDir) {
		return u.HomeDir
	}
	return ""
}

// find computes Dirs for goos. A relative path in an XDG variable is ignored, as the XDG
// specification says.
func find(goos string, getenv func(string) string, dbHome func() string) Dirs {
	abs := func(name string) string {
		if v := getenv(name); filepath.IsAbs(v) {
			return v
		}
		return ""
	}
	d := Dirs{goos: goos, Runtime: abs("XDG_RUNTIME_DIR")}
	homeVar := "HOME"
	if goos == "windows" {
		homeVar = "USERPROFILE"
	}
	if d.Home = abs(homeVar); d.Home == "" {
		d.Home = dbHome()
	}
	// in joins elem to base, or gives "" when base is unknown.
	in := func(base string, elem ...string) string {
		if base == "" {
			return ""
		}
		return filepath.Join(append([]string{base}, elem...)...)
	}
	first := func(dirs ...string) string {
		for _, dir := range dirs {
			if dir != "" {
				return dir
			}
		}
		return ""
	}
	switch goos {
	case "windows":
		local := getenv("LOCALAPPDATA")
		d.Site = in(getenv("ProgramData"), "secrun")
		d.Config = in(first(abs("XDG_CONFIG_HOME"), getenv("APPDATA")), "secrun")
		d.Data = in(local, "secrun")
		d.State = in(first(abs("XDG_STATE_HOME"), local), "secrun")
		d.Cache = in(local, "secrun")
		d.appData = local
	case "darwin", "ios":
		support := in(d.Home, "Library", "Application Support")
		d.Site = "/etc/secrun"
		d.Config = in(first(abs("XDG_CONFIG_HOME"), support), "secrun")
		d.Data = in(support, "secrun")
		d.State = in(first(abs("XDG_STATE_HOME"), support), "secrun")
		d.Cache = in(d.Home, "Library", "Caches", "secrun")
		d.appData = support
	default:
		d.Site = "/etc/secrun"
		d.Config = in(first(abs("XDG_CONFIG_HOME"), in(d.Home, ".config")), "secrun")
		d.Data = in(first(abs("XDG_DATA_HOME"), in(d.Home, ".local", "share")), "secrun")
		d.State = in(first(abs("XDG_STATE_HOME"), in(d.Home, ".local", "state")), "secrun")
		d.Cache = in(first(abs("XDG_CACHE_HOME"), in(d.Home, ".cache")), "secrun")
		// platformdirs takes XDG_DATA_HOME as it is, relative or not, unless it is blank.
		d.appData = first(strings.TrimSpace(getenv("XDG_DATA_HOME")), in(d.Home, ".local", "share"))
	}
	if v := getenv("SECRUN_DATA_DIR"); v != "" {
		d.Data = v
	}
	return d
}

// AppData returns the user data directory that Python's platformdirs gives an app
// (user_data_dir(app)): $XDG_DATA_HOME/app, else ~/.local/share/app; on macOS
// ~/Library/Application Support/app, on Windows %LOCALAPPDATA%\app\app (the author defaults
// to the app). It returns "" when that cannot be found.
func (d Dirs) AppData(app string) string {
	switch {
	case d.appData == "":
		return ""
	case d.goos == "windows":
		return filepath.Join(d.appData, app, app)
	}
	return filepath.Join(d.appData, app)
}

// Unknown says, for messages, why a per-user directory is "".
func (d Dirs) Unknown() string {
	if d.goos == "windows" {
		return "%LOCALAPPDATA% is not set"
	}
	return "$HOME is not set to an absolute path and the user database gives no home directory"
}
