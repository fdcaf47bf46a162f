package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secrun/secrun/config"
	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
	"golang.org/x/term"
)

// The wiring that every command shares: the global flags, where output goes, config.toml,
// the definition files and the store that the flags and settings select.

// globals are the flags that every command accepts.
type globals struct {
	Store   string      `help:"Where secrets live: auto (the default: keyring and file store), file or keyring; overrides store in config.toml." placeholder:"auto|file|keyring" env:"SECRUN_STORE" predictor:"stores"`
	Envs    []string    `help:"Read environment definitions from FILE as well (repeatable; SECRUN_ENVS holds a path list)." placeholder:"FILE" sep:"none" type:"path"`
	Verbose bool        `short:"v" help:"Say which files and stores are used (names only, never values)."`
	Version versionFlag `help:"Print the version and exit."`

	stdout, stderr io.Writer
	conf           *config.Config // config.toml, once read
	dirs           dirs.Dirs      // the user's directories, found once in Main
}

// versionFlag is --version: secrun-full prints the version (its BeforeReset hook is kong's).
type versionFlag bool

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// envFiles returns the explicit definition files: those of SECRUN_ENV_SOURCES (appSources,
// whose error it returns), --envs, then the SECRUN_ENVS path list.
func (g *globals) envFiles() ([]string, error) {
	files, err := g.appSources()
	if err != nil {
		return nil, err
	}
	files = append(files, g.Envs...)
	for _, f := range filepath.SplitList(os.Getenv("SECRUN_ENVS")) {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// cacheSpec says where the caches of parsed definitions and hpcFlow's environment_sources
// are, and for which build.
func (g *globals) cacheSpec() envdef.Cache {
	c := envdef.Cache{Dir: g.dirs.Cache, Build: build}
	if build == "" {
		c.Binary = definitionsBinary()
	}
	return c
}

// verbosef prints a diagnostic line when --verbose is on. Callers pass names, never values.
func (g *globals) verbosef(format string, args ...any) {
	if g.Verbose {
		fmt.Fprintf(g.stderr, "secrun: "+format+"\n", args...)
	}
}

// debugf is verbosef with --verbose and nil without, for callers that build a message per
// secret only when it is printed.
func (g *globals) debugf() func(format string, args ...any) {
	if g.Verbose {
		return g.verbosef
	}
	return nil
}

// storeKind returns the store to use: --store, else SECRUN_STORE (kong puts both in
// g.Store), else the store setting of config.toml, else auto.
func (g *globals) storeKind() (string, error) {
	if g.Store != "" {
		if !slices.Contains(config.Stores, g.Store) {
			return "", &usageError{msg: fmt.Sprintf("--store (or SECRUN_STORE) must be one of %s, not %+q",
				strings.Join(config.Stores, ", "), g.Store), hint: "see 'secrun --help'"}
		}
		return g.Store, nil
	}
	c, err := g.config()
	if err != nil {
		return "", err
	}
	if c.Store != "" {
		g.verbosef("store %q set in %s", c.Store, c.File)
		return c.Store, nil
	}
	return "auto", nil
}

// config reads config.toml once.
func (g *globals) config() (*config.Config, error) {
	if g.conf == nil {
		c, err := config.Load(g.dirs)
		if err != nil {
			return nil, err
		}
		g.conf = c
	}
	return g.conf, nil
}

// store opens the store that --store, SECRUN_STORE or config.toml selects.
func (g *globals) store() (keystore.Store, error) {
	kind, err := g.storeKind()
	if err != nil {
		return nil, err
	}
	dir, err := keystore.DataDir(g.dirs)
	if err != nil {
		return nil, fmt.Errorf("cannot find the data directory: %w", err)
	}
	var s keystore.Store
	switch kind {
	case "file":
		s = keystore.NewFile(dir)
	case "keyring":
		s = keystore.NewKeyring(dir)
	default:
		s = keystore.NewAuto(dir, g.verbosef)
	}
	if g.Verbose { // the description is built only to be printed
		g.verbosef("%s store: %s", kind, storeDesc(s.Describe(), true))
	}
	return s, nil
}
