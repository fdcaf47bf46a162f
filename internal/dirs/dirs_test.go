package dirs

import (
	"path/filepath"
	"runtime"
	"testing"
)

func TestFind(t *testing.T) {
	home := filepath.Join("/home", "u")
	db := filepath.Join("/db", "u")
	j := filepath.Join
	type want struct{ home, config, data, state, cache, runtime, site, app string }
	tests := []struct {
		name string
		goos string
		env  map[string]string
		db   string // the home in the user database
		want want
	}{
		{"linux defaults", "linux", map[string]string{"HOME": home}, db, want{home: home,
			config: j(home, ".config", "secrun"), data: j(home, ".local", "share", "secrun"),
			state: j(home, ".local", "state", "secrun"), cache: j(home, ".cache", "secrun"),
			site: "/etc/secrun", app: j(home, ".local", "share", "hpcflow")}},
		{"linux XDG", "linux", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d",
			"XDG_STATE_HOME": "/s", "XDG_CACHE_HOME": "/k", "XDG_RUNTIME_DIR": "/r"}, db, want{home: home,
			config: j("/c", "secrun"), data: j("/d", "secrun"), state: j("/s", "secrun"), cache: j("/k", "secrun"),
			runtime: "/r", site: "/etc/secrun", app: j("/d", "hpcflow")}},
		{"relative XDG ignored", "linux", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "c", "XDG_DATA_HOME": "xdg",
			"XDG_STATE_HOME": "s", "XDG_CACHE_HOME": "k", "XDG_RUNTIME_DIR": "r"}, db, want{home: home,
			config: j(home, ".config", "secrun"), data: j(home, ".local", "share", "secrun"),
			state: j(home, ".local", "state", "secrun"), cache: j(home, ".cache", "secrun"),
			site: "/etc/secrun", app: j("xdg", "hpcflow")}}, // platformdirs takes it as it is
		{"no HOME: the user database", "linux", nil, db, want{home: db,
			config: j(db, ".config", "secrun"), data: j(db, ".local", "share", "secrun"),
			state: j(db, ".local", "state", "secrun"), cache: j(db, ".cache", "secrun"),
			site: "/etc/secrun", app: j(db, ".local", "share", "hpcflow")}},
		{"relative HOME: the user database", "linux", map[string]string{"HOME": "rel"}, db, want{home: db,
			config: j(db, ".config", "secrun"), data: j(db, ".local", "share", "secrun"),
			state: j(db, ".local", "state", "secrun"), cache: j(db, ".cache", "secrun"),
			site: "/etc/secrun", app: j(db, ".local", "share", "hpcflow")}},
		{"no home at all", "linux", nil, "", want{site: "/etc/secrun"}},
		{"no home, XDG set", "linux", map[string]string{"XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d"}, "", want{
			config: j("/c", "secrun"), data: j("/d", "secrun"), site: "/etc/secrun", app: j("/d", "hpcflow")}},
		{"SECRUN_DATA_DIR", "linux", map[string]string{"HOME": home, "SECRUN_DATA_DIR": "/data/s", "XDG_DATA_HOME": "/x"}, db, want{home: home,
			config: j(home, ".config", "secrun"), data: "/data/s",
			state: j(home, ".local", "state", "secrun"), cache: j(home, ".cache", "secrun"),
			site: "/etc/secrun", app: j("/x", "hpcflow")}},
		{"SECRUN_DATA_DIR without home", "linux", map[string]string{"SECRUN_DATA_DIR": "/data/s"}, "", want{data: "/data/s", site: "/etc/secrun"}},
		{"freebsd XDG_DATA_HOME", "freebsd", map[string]string{"HOME": home, "XDG_DATA_HOME": "/xdg"}, db, want{home: home,
			config: j(home, ".config", "secrun"), data: j("/xdg", "secrun"),
			state: j(home, ".local", "state", "secrun"), cache: j(home, ".cache", "secrun"),
			site: "/etc/secrun", app: j("/xdg", "hpcflow")}},
		{"macOS", "darwin", map[string]string{"HOME": home, "XDG_DATA_HOME": "/xdg", "XDG_CACHE_HOME": "/k"}, db, want{home: home,
			config: j(home, "Library", "Application Support", "secrun"), data: j(home, "Library", "Application Support", "secrun"),
			state: j(home, "Library", "Application Support", "secrun"), cache: j(home, "Library", "Caches", "secrun"),
			site: "/etc/secrun", app: j(home, "Library", "Application Support", "hpcflow")}},
		{"macOS XDG_CONFIG_HOME and XDG_STATE_HOME", "darwin", map[string]string{"HOME": home, "XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}, db, want{home: home,
			config: j("/c", "secrun"), data: j(home, "Library", "Application Support", "secrun"),
			state: j("/s", "secrun"), cache: j(home, "Library", "Caches", "secrun"),
			site: "/etc/secrun", app: j(home, "Library", "Application Support", "hpcflow")}},
		{"macOS without HOME", "darwin", nil, db, want{home: db,
			config: j(db, "Library", "Application Support", "secrun"), data: j(db, "Library", "Application Support", "secrun"),
			state: j(db, "Library", "Application Support", "secrun"), cache: j(db, "Library", "Caches", "secrun"),
			site: "/etc/secrun", app: j(db, "Library", "Application Support", "hpcflow")}},
		{"windows", "windows", map[string]string{"USERPROFILE": home, "LOCALAPPDATA": `C:\L`, "APPDATA": `C:\R`,
			"ProgramData": `C:\P`, "XDG_DATA_HOME": "/xdg", "XDG_CACHE_HOME": "/k", "HOME": "/elsewhere"}, "", want{home: home,
			config: j(`C:\R`, "secrun"), data: j(`C:\L`, "secrun"), state: j(`C:\L`, "secrun"), cache: j(`C:\L`, "secrun"),
			site: j(`C:\P`, "secrun"), app: j(`C:\L`, "hpcflow", "hpcflow")}},
		{"windows XDG_CONFIG_HOME and XDG_STATE_HOME", "windows", map[string]string{"LOCALAPPDATA": `C:\L`, "APPDATA": `C:\R`,
			"XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}, db, want{home: db,
			config: j("/c", "secrun"), data: j(`C:\L`, "secrun"), state: j("/s", "secrun"), cache: j(`C:\L`, "secrun"),
			app: j(`C:\L`, "hpcflow", "hpcflow")}},
		{"SECRUN_DATA_DIR on windows", "windows", map[string]string{"SECRUN_DATA_DIR": `D:\s`, "LOCALAPPDATA": `C:\L`}, db, want{home: db,
			data: `D:\s`, state: j(`C:\L`, "secrun"), cache: j(`C:\L`, "secrun"), app: j(`C:\L`, "hpcflow", "hpcflow")}},
		{"windows without LOCALAPPDATA", "windows", nil, db, want{home: db}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := find(tc.goos, func(k string) string { return tc.env[k] }, func() string { return tc.db })
			got := want{d.Home, d.Config, d.Data, d.State, d.Cache, d.Runtime, d.Site, d.AppData("hpcflow")}
			if got != tc.want {
				t.Errorf("find() =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestFindReadsTheUserDatabaseOnlyWithoutHome(t *testing.T) {
	asked := false
	find("linux", func(k string) string { return map[string]string{"HOME": "/h"}[k] }, func() string { asked = true; return "" })
	if asked {
		t.Error("find asked the user database although HOME is set")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("SECRUN_DATA_DIR", "/somewhere/secrun")
	if got := FromEnv().Data; got != "/somewhere/secrun" {
		t.Errorf("FromEnv().Data = %q; want /somewhere/secrun", got)
	}
	if dbHome() == "" || runtime.GOOS == "windows" {
		t.Skip("no home directory in the user database, or not HOME's platform")
	}
	t.Setenv("HOME", "")
	if got := FromEnv().Home; got != dbHome() {
		t.Errorf("FromEnv().Home without HOME = %q; want the user database's %q", got, dbHome())
	}
}
