package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/keystore"
	"go.yaml.in/yaml/v3"
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

// imported is one secret read from a foreign file; line is its line there (0 if unknown).
type imported struct {
	key, value string
	line       int
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
			if path, err = findHpcFlowSecrets(dir); err != nil {
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
	var secrets []imported
	if c.From == "hpcflow" {
		secrets, err = parseHpcFlowSecrets(path, data)
	} else {
		secrets, err = parseJSONSecrets(path, data)
	}
	if err != nil {
		return err
	}
	var keys []string
	var todo []imported
	for _, s := range secrets {
		if err := keystore.ValidateKey(s.key); err != nil {
			return fmt.Errorf("%s: %w; nothing imported", where(path, s.line), err)
		}
		if s.value == "" {
			fmt.Fprintf(g.stderr, "secrun: warning: %s: secret %q has an empty value; skipped\n", where(path, s.line), s.key)
			continue
		}
		keys = append(keys, s.key)
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
		if _, err := store.Put(keystore.Entry{Key: s.key, Value: []byte(s.value)}, c.Overwrite); err != nil {
			if len(done) > 0 {
				return fmt.Errorf("importing %q: %w (imported before it: %s)", s.key, err, strings.Join(done, ", "))
			}
			return fmt.Errorf("importing %q: %w; nothing imported", s.key, err)
		}
		done = append(done, s.key)
		fmt.Fprintln(g.stdout, s.key)
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
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading stdin: %w", err)
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

// hpcFlowSecretsFile is the name secrun assumes for hpcFlow's secrets file; no published hpcFlow
// source names it.
const hpcFlowSecretsFile = "state.db"

// findHpcFlowSecrets looks for hpcFlowSecretsFile in the app's user data directory dir and in
// the folders directly under it: hpcFlow keeps per-machine data in dir/MACHINE, where MACHINE is
// the machine setting of its configuration (hpcflow/hpcflow, hpcflow/sdk/app.py,
// user_data_hostname_dir). With none, or more than one, the error lists what there is.
func findHpcFlowSecrets(dir string) (string, error) {
	var found, seen []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &usageError{msg: fmt.Sprintf("hpcFlow secrets file %s does not exist (nor the directory)", filepath.Join(dir, hpcFlowSecretsFile)),
				hint: "give its path with --path FILE (hpcFlow keeps its data in its app's user data directory)"}
		}
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range ents {
		switch {
		case e.Name() == hpcFlowSecretsFile:
			found = append(found, filepath.Join(dir, e.Name()))
		case e.IsDir():
			sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
			for _, f := range sub {
				name := filepath.Join(e.Name(), f.Name())
				if f.Name() == hpcFlowSecretsFile {
					found = append(found, filepath.Join(dir, name))
				} else {
					seen = append(seen, name)
				}
			}
			if len(sub) == 0 {
				seen = append(seen, e.Name()+string(filepath.Separator))
			}
		default:
			seen = append(seen, e.Name())
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		what := "it is empty"
		if len(seen) > 0 {
			const most = 20
			if len(seen) > most {
				seen = append(seen[:most], fmt.Sprintf("and %d more", len(seen)-most))
			}
			what = "it holds: " + strings.Join(seen, ", ")
		}
		return "", &usageError{msg: fmt.Sprintf("no hpcFlow secrets file (%s) in %s or the folders in it; %s", hpcFlowSecretsFile, dir, what),
			hint: "give the file that holds the secrets with --path FILE"}
	}
	return "", &usageError{msg: fmt.Sprintf("%d hpcFlow secrets files: %s", len(found), strings.Join(found, ", ")),
		hint: "choose one with --path FILE"}
}

// parseHpcFlowSecrets reads hpcFlow's secrets file: YAML whose "secrets" mapping holds key to
// value; a file that is itself a flat mapping of key to value is read the same way. Messages
// name keys and lines, never values.
func parseHpcFlowSecrets(path string, data []byte) ([]imported, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML (%s); nothing imported", path, yamlProblem(err))
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	m := doc.Content[0]
	if m.Kind == yaml.ScalarNode && m.ShortTag() == "!!null" {
		return nil, nil
	}
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the hpcFlow secrets file must be a YAML mapping of key to value; nothing imported", where(path, m.Line))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k, v := m.Content[i], m.Content[i+1]; k.Value == "secrets" && (v.Kind == yaml.MappingNode || v.ShortTag() == "!!null") {
			m = v
			break
		}
	}
	var out []imported
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: a key must be a string; nothing imported", where(path, k.Line))
		}
		if first, dup := seen[k.Value]; dup {
			return nil, fmt.Errorf("%s: secret %q is given twice (first at line %d); nothing imported", where(path, k.Line), k.Value, first)
		}
		seen[k.Value] = k.Line
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			return nil, fmt.Errorf("%s: the value of secret %q must be a string; nothing imported", where(path, k.Line), k.Value)
		}
		out = append(out, imported{key: k.Value, value: v.Value, line: k.Line})
	}
	return out, nil
}

// yamlProblem returns the line of a YAML syntax error without the error's text, which may
// quote part of the file (a value).
func yamlProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, _, ok := strings.Cut(rest, ":"); ok {
			return "at line " + n
		}
	}
	return "syntax error"
}

// parseJSONSecrets reads a flat JSON object of key to string, keeping the file's order.
// Messages name keys and byte offsets, never values.
func parseJSONSecrets(path string, data []byte) ([]imported, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s; nothing imported", path, fmt.Sprintf(format, a...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func() int { return bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n")) + 1 }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("expected a JSON object of key to string")
	}
	var out []imported
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, bad("invalid JSON near line %d", lineAt())
		}
		key := t.(string) // object keys are strings once Token succeeds
		line := lineAt()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, bad("invalid JSON near line %d", lineAt())
		}
		s, ok := v.(string)
		if !ok {
			return nil, bad("line %d: the value of %q must be a string (store JSON as a string: it can be delivered with json = true)", line, key)
		}
		if seen[key] {
			return nil, bad("line %d: secret %q is given twice", line, key)
		}
		seen[key] = true
		out = append(out, imported{key: key, value: s, line: line})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("invalid JSON near line %d", lineAt())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("unexpected data after the JSON object")
	}
	return out, nil
}
