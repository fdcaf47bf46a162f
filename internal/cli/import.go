//go:build !lean

package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/importer"
	"github.com/secrun/secrun/keystore"
)

// importCmd copies secrets from another tool's store into secrun's.
type importCmd struct {
	From      string `required:"" enum:"hpcflow,json" placeholder:"hpcflow|json" help:"The format: hpcflow (a YAML secrets file in hpcFlow's user data directory, assumed to be state.db) or json (a flat JSON object of key to string)."`
	App       string `default:"hpcflow" placeholder:"NAME" help:"The hpcFlow-based app whose secrets to read (hpcflow, matflow, ...): state.db is looked for in its user data directory and the per-machine folders in it."`
	Path      string `placeholder:"FILE" type:"path" help:"Read this file instead of looking for the app's state.db."`
	File      string `arg:"" optional:"" type:"path" placeholder:"FILE" help:"The file to read (the same as --path); - reads JSON from stdin."`
	Overwrite bool   `help:"Replace secrets that secrun already holds under the same keys."`
}

func (c *importCmd) Help() string {
	return `Examples:
  secrun secrets import --from hpcflow                 # state.db in $XDG_DATA_HOME/hpcflow or hpcflow/MACHINE
  secrun secrets import --from hpcflow --app matflow
  secrun secrets import --from hpcflow --path /old/home/.local/share/hpcflow/state.db
  secrun secrets import --from json panda_secrets.json
  secrun secrets import --from json --overwrite secrets.json

Prints each imported key on stdout, never a value. The file must be private to you (mode 600, as
secrun's own store must be). Unless --overwrite, nothing is imported when secrun already holds
any of the keys; they are named. Empty values are skipped with a warning.

No published hpcFlow source or document names the file that holds hpcFlow's secrets or its
layout: secrun assumes a YAML file named state.db (a "secrets" mapping of key to value, or a flat
mapping), in the app's user data directory or one of its per-machine folders. When it finds none
it lists what the directory holds; give the right file with --path.`
}

func (c *importCmd) Run(g *globals) error {
	if c.Path != "" && c.File != "" && c.Path != c.File {
		return &usageError{msg: "give the file either as an argument or with --path, not both", hint: "see 'secrun secrets import --help'"}
	}
	path := c.Path
	if path == "" {
		path = c.File
	}
	var what string
	switch c.From {
	case "hpcflow":
		what = "hpcFlow secrets file"
		if path == "" {
			dir, err := platformDataDir(g.dirs, c.App)
			if err != nil {
				return err
			}
			if path, err = findHpcFlow(dir); err != nil {
				return err
			}
		}
	default:
		what = "JSON secrets file"
		if path == "" {
			return &usageError{msg: "no file given for --from json", hint: "secrun secrets import --from json FILE (or - for stdin)"}
		}
	}
	data, err := readPrivate(path, what, c.From == "json")
	if err != nil {
		return err
	}
	var secrets []importer.Secret
	if c.From == "hpcflow" {
		secrets, err = importer.ParseHpcFlow(path, data)
	} else {
		secrets, err = importer.ParseJSON(path, data)
	}
	if err != nil {
		return err
	}
	var keys []string
	var todo []importer.Secret
	for _, s := range secrets {
		if err := keystore.ValidateKey(s.Key); err != nil {
			return fmt.Errorf("%s: %w; nothing imported", where(path, s.Line), err)
		}
		if s.Value == "" {
			fmt.Fprintf(g.stderr, "secrun: warning: %s: secret %q has an empty value; skipped\n", where(path, s.Line), s.Key)
			continue
		}
		keys = append(keys, s.Key)
		todo = append(todo, s)
	}
	if len(todo) == 0 {
		fmt.Fprintf(g.stderr, "secrun: %s holds no secrets; nothing imported\n", path)
		return nil
	}
	store, err := g.store()
	if err != nil {
		return err
	}
	defer store.Close()
	if !c.Overwrite {
		have, err := store.Fetch(keys, keystore.Scope{})
		if err != nil {
			return err
		}
		var clash []string
		for _, k := range keys {
			if _, ok := have[k]; ok {
				clash = append(clash, k)
			}
		}
		if len(clash) > 0 {
			return &usageError{msg: fmt.Sprintf("%s already holds %s; nothing imported", storeDesc(store.Describe(), true), strings.Join(clash, ", ")),
				hint: "add --overwrite to replace them, or delete them first with 'secrun secrets delete KEY'"}
		}
	}
	var done []string
	for _, s := range todo {
		if _, err := store.Put(keystore.Entry{Key: s.Key, Value: []byte(s.Value)}, c.Overwrite); err != nil {
			if len(done) > 0 {
				return fmt.Errorf("importing %q: %w (imported before it: %s)", s.Key, err, strings.Join(done, ", "))
			}
			return fmt.Errorf("importing %q: %w; nothing imported", s.Key, err)
		}
		done = append(done, s.Key)
		fmt.Fprintln(g.stdout, s.Key)
	}
	noun := "secrets"
	if len(done) == 1 {
		noun = "secret"
	}
	fmt.Fprintf(g.stderr, "secrun: imported %d %s from %s into %s\n", len(done), noun, path, storeDesc(store.Describe(), true))
	return nil
}

// readPrivate reads a file of secrets by the rules of secrun's own store (keystore.ReadPrivate):
// no symlink followed, one link, only its owner can access it. With stdinOK, "-" reads stdin.
func readPrivate(path, what string, stdinOK bool) ([]byte, error) {
	if path == "-" && stdinOK {
		data, err := io.ReadAll(io.LimitReader(os.Stdin, keystore.MaxStoreSize+1))
		if err != nil {
			return nil, fmt.Errorf("reading stdin: %w", err)
		}
		if len(data) > keystore.MaxStoreSize {
			return nil, &usageError{msg: fmt.Sprintf("the %s on stdin is over %d MiB; nothing imported", what, keystore.MaxStoreSize>>20),
				hint: "a file of secrets is never this large: check what is sent to secrun's stdin"}
		}
		return data, nil
	}
	data, err := keystore.ReadPrivate(path, what)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &usageError{msg: fmt.Sprintf("%s %s does not exist", what, path),
			hint: "give its path with --path FILE (hpcFlow keeps it in its app's user data directory)"}
	}
	return data, err
}

// platformDataDir returns the user data directory that Python's platformdirs gives an app
// (user_data_dir(app)), which is where hpcFlow keeps state.db.
func platformDataDir(d dirs.Dirs, app string) (string, error) {
	if app == "" || strings.ContainsAny(app, `/\`) || app == "." || app == ".." {
		return "", &usageError{msg: fmt.Sprintf("--app %q is not an app name", app), hint: "for example --app hpcflow or --app matflow"}
	}
	if dir := d.AppData(app); dir != "" {
		return dir, nil
	}
	return "", &usageError{msg: "cannot find the user data directory of " + app, hint: "give the file with --path FILE"}
}

// findHpcFlow finds the app's hpcFlow secrets file in its user data directory dir
// (importer.FindHpcFlow) and says, when it finds none or more than one, how to name it.
func findHpcFlow(dir string) (string, error) {
	path, err := importer.FindHpcFlow(dir)
	var fe *importer.FindError
	if !errors.As(err, &fe) {
		return path, err
	}
	hint := "give the file that holds the secrets with --path FILE"
	switch {
	case fe.NoDir:
		hint = "give its path with --path FILE (hpcFlow keeps its data in its app's user data directory)"
	case len(fe.Found) > 1:
		hint = "choose one with --path FILE"
	}
	return "", &usageError{msg: fe.Error(), hint: hint}
}
