// Package config reads secrun's settings file, config.toml in the user's configuration
// directory ($XDG_CONFIG_HOME/secrun/config.toml, default ~/.config/secrun/config.toml): the
// default store, whether runs are audited and where the audit log lives, and the groups
// trusted to write definition files. It knows nothing of what environment definitions hold
// (see envdef) or of the stores themselves (see keystore).
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/secrun/secrun/internal/dirs"
	"github.com/secrun/secrun/internal/fileperm"
	"github.com/secrun/secrun/internal/tomldepth"
)

// Stores are the values the store setting takes, as --store and SECRUN_STORE do.
var Stores = []string{"auto", "file", "keyring"}

// Config is the content of config.toml.
type Config struct {
	// File is the path that was read, or would be read.
	File string
	// Store is "auto", "file", "keyring", or "" when the file does not set it.
	Store string
	// Audit is audit = true: every run appends a line to the audit log (see AuditPath).
	Audit bool
	// Trust is trusted_groups = ["GROUP", ...]: definition files and the directories above
	// them may be writable by, and owned by members of, these groups.
	Trust fileperm.Trust
}

// MaxDepth is how deeply config.toml may nest, and MaxItems how many keys, tables and
// arrays it may hold (see tomldepth.Items); its settings are three flat ones.
const (
	MaxDepth = 4
	MaxItems = 1024
)

// AuditPath returns the audit log's path: audit.jsonl in secrun's state directory (see
// dirs.Dirs.State).
func AuditPath(d dirs.Dirs) (string, error) {
	if d.State == "" {
		return "", fmt.Errorf("cannot find the state directory: %s", d.Unknown())
	}
	return filepath.Join(d.State, "audit.jsonl"), nil
}

// Path returns the path of config.toml in secrun's configuration directory (see
// dirs.Dirs.Config), or "" when there is none.
func Path(d dirs.Dirs) string {
	if d.Config == "" {
		return ""
	}
	return filepath.Join(d.Config, "config.toml")
}

// Load reads config.toml, which must pass the rule of definition files without any trusted
// group (see fileperm.ReadTrusted), and is at most 1 MiB. A missing file is an empty
// configuration.
func Load(d dirs.Dirs) (*Config, error) {
	path := Path(d)
	if path == "" {
		return &Config{}, nil // no configuration directory: nothing configured
	}
	data, err := fileperm.ReadTrusted(path, 1<<20, fileperm.Trust{Settings: true})
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{File: path}, nil
	}
	var fe *fileperm.Error
	if errors.As(err, &fe) {
		return nil, &Error{File: path, Msg: "refusing to read settings: " + fe.Error(), Fix: fe.Hint(), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return Parse(path, data)
}

// Parse reads the content of a config.toml.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{File: path}
	if line := tomldepth.Line(data, MaxDepth); line > 0 {
		return nil, &Error{File: path, Line: line, Msg: fmt.Sprintf("nested deeper than %d levels", MaxDepth),
			Fix: "the settings are flat: store, audit, trusted_groups"}
	}
	if line := tomldepth.Items(data, MaxItems); line > 0 {
		return nil, &Error{File: path, Line: line, Msg: fmt.Sprintf("more than %d keys, tables and arrays", MaxItems),
			Fix: "the settings are: store, audit, trusted_groups"}
	}
	raw, serr := tomldepth.Decode(data)
	if serr != nil {
		return nil, &Error{File: path, Line: serr.Line, Msg: serr.Msg, Err: serr}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch v := raw[k]; k {
		case "store":
			s, ok := v.(string)
			if !ok || !slices.Contains(Stores, s) {
				return nil, &Error{File: path, Line: keyLine(data, k),
					Msg: fmt.Sprintf("store must be one of %s", strings.Join(Stores, ", ")),
					Fix: `write store = "auto", "file" or "keyring"`}
			}
			c.Store = s
		case "audit":
			b, ok := v.(bool)
			if !ok {
				return nil, &Error{File: path, Line: keyLine(data, k), Msg: "audit must be true or false",
					Fix: "write audit = true to log every run (keys and stores, never values)"}
			}
			c.Audit = b
		case "trusted_groups":
			groups, err := groupList(v)
			if err != nil {
				return nil, &Error{File: path, Line: keyLine(data, k), Msg: "trusted_groups: " + err.Error(),
					Fix: `write trusted_groups = ["GROUP", ...], naming groups whose members may write your definition files`}
			}
			c.Trust.Groups = groups
		default:
			return nil, &Error{File: path, Line: keyLine(data, k), Msg: fmt.Sprintf("unknown setting %q", k),
				Fix: "the settings are: store, audit, trusted_groups"}
		}
	}
	return c, nil
}

// groupList reads trusted_groups: a list of names of existing groups.
func groupList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("must be a list of group names")
	}
	var groups []string
	for _, g := range list {
		name, ok := g.(string)
		if !ok || name == "" {
			return nil, errors.New("must be a list of group names")
		}
		if _, err := user.LookupGroup(name); err != nil {
			return nil, fmt.Errorf("there is no group %q", name)
		}
		groups = append(groups, name)
	}
	return groups, nil
}

// keyLine returns the line where key is set, or 0.
func keyLine(data []byte, key string) int {
	re := regexp.MustCompile(`^\s*("?)` + regexp.QuoteMeta(key) + `("?)\s*=`)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		if re.MatchString(sc.Text()) {
			return n
		}
	}
	return 0
}

// Error is a mistake in config.toml, with the file and line.
type Error struct {
	File string
	Line int
	Msg  string
	Fix  string
	Err  error // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Hint says how to fix it.
func (e *Error) Hint() string { return e.Fix }

// Unwrap returns the underlying error, such as a *fileperm.Error.
func (e *Error) Unwrap() error { return e.Err }
