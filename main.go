// Command secrun runs a program with the secrets that an environment definition names,
// taken from the OS keyring or a permission-locked file, in the program's environment only.
package main

import (
	"os"
	"runtime/debug"

	"github.com/secrun/secrun/internal/cli"
)

// version, commit and date are set by the linker (-X main.version=...) in release builds.
var (
	version = ""
	commit  = ""
	date    = ""
)

func init() {
	if version == "" { // not a release build; reading the build info costs every launch
		if info, ok := debug.ReadBuildInfo(); ok {
			version = info.Main.Version
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && commit == "" {
					commit = s.Value
				}
			}
		}
	}
	if version == "" || version == "(devel)" {
		version = "dev"
	}
	cli.SetVersion(version, commit, date)
}

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
