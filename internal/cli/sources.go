package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/internal/handoff"
)

// appSources returns the environment files of the hpcFlow and MatFlow configurations named in
// SECRUN_ENV_SOURCES (a comma-separated list of hpcflow and matflow): the environment_sources
// of each one's config.yaml, read before --envs and SECRUN_ENVS so that those override them. A
// configuration that cannot be read, or that others may write, is skipped with a warning that
// names it (a config.toml that cannot be read is reported by whoever reads it next). The one
// error is handoff.ErrFull, from the lean build, when a config.yaml's lists are not cached.
func (g *globals) appSources() ([]string, error) {
	var files []string
	for _, app := range strings.Split(os.Getenv("SECRUN_ENV_SOURCES"), ",") {
		switch app = strings.ToLower(strings.TrimSpace(app)); {
		case app == "":
		case !slices.Contains(envdef.Apps, app):
			fmt.Fprintf(g.stderr, "secrun: warning: SECRUN_ENV_SOURCES names %q; it takes %s\n", app, strings.Join(envdef.Apps, ", "))
		default:
			var trust fileperm.Trust
			if c, err := g.config(); err == nil {
				trust = c.Trust
			}
			list, conf, err := envdef.AppSources(app, g.dirs, trust, g.cacheSpec())
			if errors.Is(err, handoff.ErrFull) {
				return nil, err
			}
			if err != nil {
				fmt.Fprintf(g.stderr, "secrun: warning: %s's environment files are not read: %v\n", app, err)
				continue
			}
			g.verbosef("%s's environment_sources in %s: %s", app, conf, strings.Join(list, ", "))
			files = append(files, list...)
		}
	}
	return files, nil
}
