// Package importer reads the secrets files of other tools for 'secrets import': hpcFlow's
// secrets file (a YAML mapping, assumed to be state.db in the app's user data directory or a
// per-machine folder in it), and a flat JSON object of key to string. It returns keys, values
// and line numbers, in the file's order; its messages name keys and lines, never values. It
// neither reads the files (the caller does, by the store's rules for private files) nor
// writes a store.
package importer

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

	"github.com/secrun/secrun/internal/yamlnode"
)

// Secret is one secret read from a foreign file; Line is its line there (0 if unknown).
type Secret struct {
	Key, Value string
	Line       int
}

// HpcFlowFile is the name secrun assumes for hpcFlow's secrets file; no published hpcFlow
// source names it.
const HpcFlowFile = "state.db"

// FindHpcFlow looks for HpcFlowFile in the app's user data directory dir and in the folders
// directly under it: hpcFlow keeps per-machine data in dir/MACHINE, where MACHINE is the
// machine setting of its configuration (hpcflow/hpcflow, hpcflow/sdk/app.py,
// user_data_hostname_dir). With none, or more than one, it returns a *FindError that lists
// what there is.
func FindHpcFlow(dir string) (string, error) {
	var found, seen []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &FindError{Dir: dir, NoDir: true}
		}
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range ents {
		switch {
		case e.Name() == HpcFlowFile:
			found = append(found, filepath.Join(dir, e.Name()))
		case e.IsDir():
			sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
			for _, f := range sub {
				name := filepath.Join(e.Name(), f.Name())
				if f.Name() == HpcFlowFile {
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
	if len(found) == 1 {
		return found[0], nil
	}
	return "", &FindError{Dir: dir, Found: found, Seen: seen}
}

// FindError is a search of FindHpcFlow that found no secrets file, or more than one. It
// carries data only: the caller says what to do.
type FindError struct {
	Dir   string
	NoDir bool     // Dir does not exist
	Found []string // the files found, when more than one
	Seen  []string // what Dir and its folders hold, when none was found
}

func (e *FindError) Error() string {
	switch {
	case e.NoDir:
		return fmt.Sprintf("hpcFlow secrets file %s does not exist (nor the directory)", filepath.Join(e.Dir, HpcFlowFile))
	case len(e.Found) > 1:
		return fmt.Sprintf("%d hpcFlow secrets files: %s", len(e.Found), strings.Join(e.Found, ", "))
	}
	what := "it is empty"
	if seen := e.Seen; len(seen) > 0 {
		const most = 20
		if len(seen) > most {
			seen = append(seen[:most:most], fmt.Sprintf("and %d more", len(seen)-most))
		}
		what = "it holds: " + strings.Join(seen, ", ")
	}
	return fmt.Sprintf("no hpcFlow secrets file (%s) in %s or the folders in it; %s", HpcFlowFile, e.Dir, what)
}

// ParseHpcFlow reads hpcFlow's secrets file: YAML whose "secrets" mapping holds key to
// value; a file that is itself a flat mapping of key to value is read the same way. Messages
// name keys and lines, never values.
func ParseHpcFlow(path string, data []byte) ([]Secret, error) {
	m, err := yamlnode.Parse(data, maxDepth)
	var deep *yamlnode.DepthError
	if errors.As(err, &deep) {
		return nil, fmt.Errorf("%s:%d: the hpcFlow secrets file is nested deeper than %d levels; nothing imported", path, deep.Line, maxDepth)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not valid YAML (%s); nothing imported", path, yamlProblem(err))
	}
	if m == nil || m.Kind == yamlnode.Scalar && m.Tag == "!!null" {
		return nil, nil
	}
	if m.Kind != yamlnode.Mapping {
		return nil, fmt.Errorf("%s:%d: the hpcFlow secrets file must be a YAML mapping of key to value; nothing imported", path, m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k, v := m.Content[i], m.Content[i+1]; k.Value == "secrets" && (v.Kind == yamlnode.Mapping || tag(v) == "!!null") {
			m = v
			break
		}
	}
	var out []Secret
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yamlnode.Scalar {
			return nil, fmt.Errorf("%s:%d: a key must be a string; nothing imported", path, k.Line)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, fmt.Errorf("%s:%d: secret %q is given twice (first at line %d); nothing imported", path, k.Line, k.Value, first)
		}
		seen[k.Value] = k.Line
		if v.Kind != yamlnode.Scalar || v.Tag == "!!null" {
			return nil, fmt.Errorf("%s:%d: the value of secret %q must be a string; nothing imported", path, k.Line, k.Value)
		}
		out = append(out, Secret{Key: k.Value, Value: v.Value, Line: k.Line})
	}
	return out, nil
}

// maxDepth bounds the nesting of a secrets file, which is a mapping of mappings.
const maxDepth = 100

// tag is n's tag, or the tag of the node that alias n names.
func tag(n *yamlnode.Node) string {
	if n.Kind == yamlnode.Alias {
		return n.Alias.Tag
	}
	return n.Tag
}

// yamlProblem returns the line of a YAML syntax error without the error's text, which may
// quote part of the file (a value).
func yamlProblem(err error) string {
	var se *yamlnode.SyntaxError
	if errors.As(err, &se) && se.Line > 0 {
		return fmt.Sprintf("at line %d", se.Line)
	}
	return "syntax error"
}

// ParseJSON reads a flat JSON object of key to string, keeping the file's order.
// Messages name keys and byte offsets, never values.
func ParseJSON(path string, data []byte) ([]Secret, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s; nothing imported", path, fmt.Sprintf(format, a...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func() int { return bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n")) + 1 }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("expected a JSON object of key to string")
	}
	var out []Secret
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
		out = append(out, Secret{Key: key, Value: s, Line: line})
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("invalid JSON near line %d", lineAt())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("unexpected data after the JSON object")
	}
	return out, nil
}
