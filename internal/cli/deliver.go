package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/names"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// Variables and files that secrun itself sets.
const (
	dirVar    = "SECRUN_SECRETS_DIR"
	bundleVar = "SECRUN_SECRETS_BUNDLE"
)

// maxVarLen is the longest NAME=VALUE string secrun puts in an environment, with its final
// NUL: Linux refuses any one string over 128 KiB at exec (MAX_ARG_STRLEN).
const maxVarLen = 128 * 1024

// delivery is what an environment gives the child: variables, and files for the private
// directory (which make secrun stay as the child's supervisor).
type delivery struct {
	vars  []launcher.Var
	files []launcher.File
	// values are the secrets' values and their JSON members' values, for masking.
	values []keyValue
	// read are the keys read and the store that gave each, for the audit log.
	read []readKey
}

// keyValue is a value that came from the secret key.
type keyValue struct {
	key   string
	value []byte
}

// readKey names a secret a run read and where it came from (never its value).
type readKey struct {
	Key   string `json:"key"`
	Store string `json:"store"`
	Scope string `json:"scope,omitempty"`
}

// dirVar is the variable that names the private directory, or "" when there are no files.
func (d *delivery) dirVar() string {
	if len(d.files) == 0 {
		return ""
	}
	return dirVar
}

// pathVars are the variables that the launcher sets to paths in the private directory, named
// here (with empty values) so that an MPI launcher can be told to forward them.
func (d *delivery) pathVars() []launcher.Var {
	var out []launcher.Var
	for _, f := range d.files {
		out = append(out, launcher.Var{Name: f.Var})
	}
	if len(d.files) > 0 {
		out = append(out, launcher.Var{Name: dirVar})
	}
	return out
}

// deliveryPlan fetches the environment's secrets in one read of the store, takes for each the
// most specific scope that the store holds, and turns them into variables and files. All
// missing secrets that are not optional are reported together. Errors name the environment,
// the key and, for JSON members, the member's variable; never a value.
func deliveryPlan(g *globals, env *envdef.Env, store keystore.Store) (*delivery, error) {
	found, err := fetchResolved(g, env, store)
	if err != nil {
		return nil, err
	}
	var missing []string
	d := &delivery{}
	vars := varSet{env: env}
	var bundle bytes.Buffer
	bundle.WriteString("{")
	for _, s := range env.Secrets {
		e, ok := found[s.Key]
		if !ok {
			if s.Optional {
				g.verbosef("optional secret %q is not stored; skipped", s.Key)
			} else {
				missing = append(missing, s.Key)
			}
			continue
		}
		from := storeNote{e.Store, e.Scope}
		v := e.Value
		d.values = append(d.values, keyValue{s.Key, v})
		rk := readKey{Key: s.Key, Store: e.Store}
		if !e.Scope.IsZero() {
			rk.Scope = e.Scope.String()
		}
		d.read = append(d.read, rk)
		switch {
		case s.File != "":
			g.verbosef("secret %q -> file %s, $%s %s", s.Key, s.File, s.Var, from)
			d.files = append(d.files, launcher.File{Name: s.File, Data: v, Var: s.Var})
		case s.JSON:
			members, err := jsonVars(env, s, v)
			if err != nil {
				return nil, err
			}
			names := make([]string, 0, len(members))
			for _, m := range members {
				if m.problem != nil {
					return nil, m.problem
				}
				if err := vars.add(m.variable, varSource{key: s.Key, member: m.name}, s); err != nil {
					return nil, err
				}
				if err := checkValue(env, s, m.variable, m.value); err != nil {
					return nil, err
				}
				d.vars = append(d.vars, launcher.Var{Name: m.variable, Value: m.value})
				d.values = append(d.values, keyValue{s.Key, []byte(m.value)})
				if m.raw != "" && m.raw != m.value { // the bundle copies the member as the object writes it
					d.values = append(d.values, keyValue{s.Key, []byte(m.raw)})
				}
				names = append(names, "$"+m.variable)
			}
			g.verbosef("secret %q -> %s (json members) %s", s.Key, strings.Join(names, ", "), from)
		default:
			if err := checkValue(env, s, s.Var, string(v)); err != nil {
				return nil, err
			}
			g.verbosef("secret %q -> $%s %s", s.Key, s.Var, from)
			d.vars = append(d.vars, launcher.Var{Name: s.Var, Value: string(v)})
		}
		if s.Var != "" {
			if err := vars.add(s.Var, varSource{key: s.Key}, s); err != nil {
				return nil, err
			}
		}
		if env.Bundle != "" {
			if bundle.Len() > 1 {
				bundle.WriteString(",")
			}
			bundle.WriteString("\n  ")
			writeBundleMember(&bundle, s, v)
		}
	}
	if len(missing) > 0 {
		return nil, &missingError{env: env, keys: missing, stores: store.Describe()}
	}
	if env.Bundle != "" {
		bundle.WriteString("\n}\n")
		g.verbosef("bundle -> file %s, $%s", env.Bundle, bundleVar)
		d.files = append(d.files, launcher.File{Name: env.Bundle, Data: bundle.Bytes(), Var: bundleVar})
	}
	return d, nil
}

// fetchResolved reads the environment's keys from the store in one read, each resolved to
// the most specific entry for the environment's scope (under auto, an unscoped environment's
// read leaves the file store unread when the keyring had every key). A store without scopes
// (the keyring) gives unscoped entries: the last step of every lookup. Each entry's Store
// names the store that held it.
func fetchResolved(g *globals, env *envdef.Env, store keystore.Store) (map[string]keystore.Entry, error) {
	keys := make([]string, len(env.Secrets))
	for i, s := range env.Secrets {
		keys[i] = s.Key
	}
	found, err := store.Fetch(keys, envScope(env))
	if errors.Is(err, errors.ErrUnsupported) {
		g.verbosef("%v: environment %q gets unscoped ones", err, env.Name)
		found, err = store.Fetch(keys, keystore.Scope{})
	}
	return found, err
}

func envScope(env *envdef.Env) keystore.Scope {
	return keystore.Scope{Project: env.Project, Domain: env.Domain}
}

// varSource is what sets a variable, a secret or a member of a JSON secret, for messages.
type varSource struct{ key, member string }

func (v varSource) String() string {
	if v.member != "" {
		return fmt.Sprintf("member %+q of secret %q", short(v.member), v.key)
	}
	return fmt.Sprintf("secret %q", v.key)
}

// varSet finds variables that two sources would set.
type varSet struct {
	env  *envdef.Env
	from map[string]varSource // folded name -> its source, for messages
}

func (vs *varSet) add(name string, source varSource, s envdef.Secret) error {
	if vs.from == nil {
		vs.from = map[string]varSource{}
	}
	folded := names.FoldVar(name)
	if names.IsReserved(name) {
		return &secretError{env: vs.env, s: s, msg: fmt.Sprintf("%s would set variable %s, which is reserved for secrun", source, name),
			hint: "rename the member in the stored JSON object"}
	}
	if prev, dup := vs.from[folded]; dup {
		return &secretError{env: vs.env, s: s, msg: fmt.Sprintf("variable %s would come from both %s and %s", name, prev, source),
			hint: "rename one of them (as_env_var, or the member in the stored JSON object)"}
	}
	vs.from[folded] = source
	return nil
}

// checkValue refuses a value that an environment variable cannot carry.
func checkValue(env *envdef.Env, s envdef.Secret, name, value string) error {
	switch {
	case strings.IndexByte(value, 0) >= 0:
		return &secretError{env: env, s: s, msg: fmt.Sprintf("the value for $%s holds a NUL byte, which an environment variable cannot carry", name),
			hint: fmt.Sprintf("deliver it as a file: { key = %q, file = true }", s.Key)}
	case len(name)+len(value)+2 > maxVarLen:
		return &secretError{env: env, s: s, msg: fmt.Sprintf("the value for $%s is %d bytes, more than an environment variable can carry (%d bytes with its name)",
			name, len(value), maxVarLen-2),
			hint: fmt.Sprintf("deliver it as a file: { key = %q, file = true }", s.Key)}
	}
	return nil
}

// secretError is a problem with one secret of an environment. It never holds a value.
type secretError struct {
	env  *envdef.Env
	s    envdef.Secret
	msg  string
	hint string
}

func (e *secretError) Error() string {
	return fmt.Sprintf("environment %q: secret %q %s", e.env.Name, e.s.Key, e.msg)
}

func (e *secretError) Hint() string {
	return e.hint + "\nthe secret is listed at " + where(e.env.File, e.s.Line)
}

// member is one member of a JSON secret: its name, its value as a variable holds it, and,
// for a string, its text between the quotes as the object writes it (escapes and all).
type member struct{ name, value, raw string }

// memberVar is a member of a JSON secret with the variable it sets, and the reason a run
// refuses it, or nil.
type memberVar struct {
	member
	variable string
	problem  *secretError
}

// jsonVars reads the value of the JSON secret s and names the variable of each member: the
// member's name made a variable name as a key is (- . / become _). A run refuses a member
// whose name gives no valid variable name, and one that would set a control variable
// (launcher.ControlVar: PATH, LD_PRELOAD, BASH_ENV, PYTHONPATH, ...) that s does not name in
// allow_env_vars: the member names come from the value, which a third party may have written,
// and must not decide which program runs or what it loads. Messages name members and
// variables, never values.
func jsonVars(env *envdef.Env, s envdef.Secret, v []byte) ([]memberVar, error) {
	members, err := jsonMembers(v)
	if err != nil {
		return nil, &secretError{env: env, s: s, msg: "(json = true) " + err.Error(),
			hint: "store a JSON object ({\"NAME\": \"value\", ...}), or remove json = true"}
	}
	out := make([]memberVar, len(members))
	for i, m := range members {
		name, ok := names.VarOf(m.name)
		out[i] = memberVar{member: m, variable: name}
		if !ok {
			out[i].problem = &secretError{env: env, s: s, msg: fmt.Sprintf("(json = true): member %+q gives no valid variable name (%+q)", short(m.name), short(name)),
				hint: "a member's name, with - . / made _, must be letters, digits and _, not starting with a digit"}
		} else if why, control := launcher.ControlVar(name); control && !slices.ContainsFunc(s.AllowVars, func(a string) bool {
			return names.SameVar(a, name)
		}) {
			out[i].problem = &secretError{env: env, s: s,
				msg:  fmt.Sprintf("(json = true): member %+q would set %s, which %s; the members of a stored JSON object may not set such a variable unless the definition allows it", short(m.name), name, why),
				hint: fmt.Sprintf("remove the member from the stored object, or, if the definition means it, allow it: { key = %q, json = true, allow_env_vars = [%q] }", s.Key, name)}
		}
	}
	return out, nil
}

// jsonMembers reads a JSON object: string members give their text, the others their JSON
// text, compacted. Errors give positions and types, never text of the value.
func jsonMembers(v []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("is not valid JSON (error at byte %d)", se.Offset)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("is not valid JSON (it ends early, at byte %d)", len(v))
		}
		return fmt.Errorf("is not valid JSON (error at byte %d)", dec.InputOffset())
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("is a JSON %s, not an object", jsonType(tok))
	}
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, fmt.Errorf("has member %+q twice", short(name))
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		m := member{name: name}
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &m.value); err != nil {
				return nil, syntax(err)
			}
			m.raw = string(raw[1 : len(raw)-1])
		} else {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, syntax(err)
			}
			m.value = b.String()
		}
		members = append(members, m)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("is not valid JSON (text after the object, at byte %d)", dec.InputOffset())
	}
	return members, nil
}

// jsonType names the type of a JSON token that starts a value.
func jsonType(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// writeBundleMember writes `"key": value` to the bundle: the parsed object of a JSON secret,
// a string for a UTF-8 value, and {"base64": "..."} for any other bytes.
func writeBundleMember(b *bytes.Buffer, s envdef.Secret, v []byte) {
	key, _ := json.Marshal(s.Key)
	b.Write(key)
	b.WriteString(": ")
	switch {
	case s.JSON && json.Valid(v):
		json.Compact(b, v)
	case utf8.Valid(v):
		text, _ := json.Marshal(string(v))
		b.Write(text)
	default:
		b.WriteString(`{"base64": "` + base64.StdEncoding.EncodeToString(v) + `"}`)
	}
}

// maskForms are the forms a value can take in a run's output: the value itself and the forms
// in which the bundle writes it (see writeBundleMember), which cat of the bundle shows: a JSON
// string's text, with Go's escaping of <, > and & and without it (as most other JSON writers
// do), and base64 for bytes that are not UTF-8.
func maskForms(v []byte) [][]byte {
	forms := [][]byte{v}
	if !utf8.Valid(v) {
		return append(forms, []byte(base64.StdEncoding.EncodeToString(v)))
	}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		enc.Encode(string(v))
		text := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		if text = text[1 : len(text)-1]; !bytes.Equal(text, v) {
			forms = append(forms, text)
		}
	}
	return forms
}

// short cuts a name for a message.
func short(s string) string {
	if len(s) > 64 {
		return s[:60] + "..."
	}
	return s
}
