// Package deliver decides what a child gets from an environment's secrets: which variables
// it sets, which files go into the private directory (a secret's own file, the bundle of all
// of them) and the variables that name them, how the members of a JSON secret become
// variables (and which ones a run refuses), and which value a scoped lookup takes. Build is a
// pure function from a definition and the entries a store gave; Fetch is the one read of the
// store. It writes nothing and runs nothing: launcher writes the files and starts the child.
package deliver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/names"
	"github.com/secrun/secrun/keystore"
	"github.com/secrun/secrun/launcher"
)

// Variables that secrun itself sets for the files it delivers.
const (
	DirVar    = "SECRUN_SECRETS_DIR"
	BundleVar = "SECRUN_SECRETS_BUNDLE"
)

// maxVarLen is the longest NAME=VALUE string secrun puts in an environment, with its final
// NUL: Linux refuses any one string over 128 KiB at exec (MAX_ARG_STRLEN).
const maxVarLen = 128 * 1024

// Plan is what an environment gives the child: variables, and files for the private
// directory (which make secrun stay as the child's supervisor).
type Plan struct {
	Vars  []launcher.Var
	Files []launcher.File
	// Values are the secrets' values and their JSON members' values, for masking.
	Values []Value
	// Read are the keys read and the store that gave each, for the audit log.
	Read []Source
}

// Value is a value that came from the secret Key.
type Value struct {
	Key   string
	Value []byte
}

// Source names a secret a run read and where it came from (never its value).
type Source struct {
	Key, Store string
	Scope      keystore.Scope
}

// DirVar is the variable that names the private directory, or "" when there are no files.
func (p *Plan) DirVar() string {
	if len(p.Files) == 0 {
		return ""
	}
	return DirVar
}

// PathVars are the variables that the launcher sets to paths in the private directory, named
// here (with empty values) so that an MPI launcher can be told to forward them.
func (p *Plan) PathVars() []launcher.Var {
	var out []launcher.Var
	for _, f := range p.Files {
		out = append(out, launcher.Var{Name: f.Var})
	}
	if len(p.Files) > 0 {
		out = append(out, launcher.Var{Name: DirVar})
	}
	return out
}

// OwnNames are the variables secrun sets in every child besides the secrets, in the order Own
// gives them.
var OwnNames = []string{"SECRUN_ENV", "SECRUN_NUM_CORES", "SECRUN_EXECUTABLE", "SECRUN_DEPTH"}

// Own gives the variables of OwnNames their values: the environment's name, the core count,
// the executable label that was run ("" for none) and how many secruns deep the child runs.
func Own(env string, cores int, label string, depth int) []launcher.Var {
	values := [...]string{env, strconv.Itoa(cores), label, strconv.Itoa(depth)}
	vars := make([]launcher.Var, len(OwnNames))
	for i, name := range OwnNames {
		vars[i] = launcher.Var{Name: name, Value: values[i]}
	}
	return vars
}

// MissingError lists every secret that env needs and the entries given to Build lack. It
// carries data only: the caller words the advice.
type MissingError struct {
	Env  *envdef.Env
	Keys []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("environment %q needs secrets that are not stored: %s", e.Env.Name, strings.Join(e.Keys, ", "))
}

// Build turns the entries found for env's keys (by Fetch: each resolved to one scope) into
// variables and files. All missing secrets that are not optional are reported together, in a
// *MissingError, after every other problem. Errors name the environment, the key and, for
// JSON members, the member's variable; never a value. debugf, when not nil, is told where
// each secret goes (names only).
func Build(env *envdef.Env, found map[string]keystore.Entry, debugf func(format string, args ...any)) (*Plan, error) {
	// debugf is called only when set: its arguments cost allocations for every secret.
	var missing []string
	d := &Plan{Values: make([]Value, 0, len(env.Secrets)), Read: make([]Source, 0, len(env.Secrets)),
		Vars: make([]launcher.Var, 0, len(env.Secrets))}
	vars := varSet{env: env, from: make(map[string]varSource, len(env.Secrets))}
	var bundle bytes.Buffer
	bundle.WriteString("{")
	for _, s := range env.Secrets {
		e, ok := found[s.Key]
		if !ok {
			if s.Optional {
				if debugf != nil {
					debugf("optional secret %q is not stored; skipped", s.Key)
				}
			} else {
				missing = append(missing, s.Key)
			}
			continue
		}
		from := storeNote{e.Store, e.Scope}
		v := e.Value
		d.Values = append(d.Values, Value{s.Key, v})
		d.Read = append(d.Read, Source{Key: s.Key, Store: e.Store, Scope: e.Scope})
		switch {
		case s.File != "":
			if debugf != nil {
				debugf("secret %q -> file %s, $%s %s", s.Key, s.File, s.Var, from)
			}
			d.Files = append(d.Files, launcher.File{Name: s.File, Data: v, Var: s.Var})
		case s.JSON:
			members, err := JSONVars(env, s, v)
			if err != nil {
				return nil, err
			}
			names := make([]string, 0, len(members))
			for _, m := range members {
				if m.Problem != nil {
					return nil, m.Problem
				}
				if err := vars.add(m.Var, varSource{key: s.Key, member: m.Name}, s); err != nil {
					return nil, err
				}
				if err := checkValue(env, s, m.Var, m.Value); err != nil {
					return nil, err
				}
				d.Vars = append(d.Vars, launcher.Var{Name: m.Var, Value: m.Value})
				d.Values = append(d.Values, Value{s.Key, []byte(m.Value)})
				if m.Raw != "" && m.Raw != m.Value { // the bundle copies the member as the object writes it
					d.Values = append(d.Values, Value{s.Key, []byte(m.Raw)})
				}
				names = append(names, "$"+m.Var)
			}
			if debugf != nil {
				debugf("secret %q -> %s (json members) %s", s.Key, strings.Join(names, ", "), from)
			}
		default:
			value := string(v)
			if err := checkValue(env, s, s.Var, value); err != nil {
				return nil, err
			}
			if debugf != nil {
				debugf("secret %q -> $%s %s", s.Key, s.Var, from)
			}
			d.Vars = append(d.Vars, launcher.Var{Name: s.Var, Value: value})
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
		return nil, &MissingError{Env: env, Keys: missing}
	}
	if env.Bundle != "" {
		bundle.WriteString("\n}\n")
		if debugf != nil {
			debugf("bundle -> file %s, $%s", env.Bundle, BundleVar)
		}
		d.Files = append(d.Files, launcher.File{Name: env.Bundle, Data: bundle.Bytes(), Var: BundleVar})
	}
	return d, nil
}

// Fetch reads env's keys from the store in one read, each resolved to the most specific entry
// for env's scope (under auto, an unscoped environment's read leaves the file store unread
// when the keyring had every key). A store without scopes (the keyring) gives unscoped
// entries: the last step of every lookup. Each entry's Store names the store that held it.
func Fetch(env *envdef.Env, store keystore.Store, debugf func(format string, args ...any)) (map[string]keystore.Entry, error) {
	keys := make([]string, len(env.Secrets))
	for i, s := range env.Secrets {
		keys[i] = s.Key
	}
	found, err := store.Fetch(keys, Scope(env))
	if errors.Is(err, errors.ErrUnsupported) {
		if debugf != nil {
			debugf("%v: environment %q gets unscoped ones", err, env.Name)
		}
		found, err = store.Fetch(keys, keystore.Scope{})
	}
	return found, err
}

// Scope is the scope in which env's secrets are looked up.
func Scope(env *envdef.Env) keystore.Scope {
	return keystore.Scope{Project: env.Project, Domain: env.Domain}
}

// storeNote says where an entry came from, "(file store, scope P/D)", for debugf. It is
// formatted only when printed, and holds no value.
type storeNote struct {
	store string
	scope keystore.Scope
}

func (n storeNote) String() string {
	if n.scope.IsZero() {
		return "(" + n.store + " store)"
	}
	return "(" + n.store + " store, scope " + n.scope.String() + ")"
}

// varSource is what sets a variable, a secret or a member of a JSON secret, for messages.
type varSource struct{ key, member string }

func (v varSource) String() string {
	if v.member != "" {
		return fmt.Sprintf("member %+q of secret %q", names.Short(v.member), v.key)
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
		return &SecretError{Env: vs.env, Secret: s, Msg: fmt.Sprintf("%s would set variable %s, which is reserved for secrun", source, name),
			Fix: "rename the member in the stored JSON object"}
	}
	if prev, dup := vs.from[folded]; dup {
		return &SecretError{Env: vs.env, Secret: s, Msg: fmt.Sprintf("variable %s would come from both %s and %s", name, prev, source),
			Fix: "rename one of them (as_env_var, or the member in the stored JSON object)"}
	}
	vs.from[folded] = source
	return nil
}

// checkValue refuses a value that an environment variable cannot carry.
func checkValue(env *envdef.Env, s envdef.Secret, name, value string) error {
	switch {
	case strings.IndexByte(value, 0) >= 0:
		return &SecretError{Env: env, Secret: s, Msg: fmt.Sprintf("the value for $%s holds a NUL byte, which an environment variable cannot carry", name),
			Fix: fmt.Sprintf("deliver it as a file: { key = %q, file = true }", s.Key)}
	case len(name)+len(value)+2 > maxVarLen:
		return &SecretError{Env: env, Secret: s, Msg: fmt.Sprintf("the value for $%s is %d bytes, more than an environment variable can carry (%d bytes with its name)",
			name, len(value), maxVarLen-2),
			Fix: fmt.Sprintf("deliver it as a file: { key = %q, file = true }", s.Key)}
	}
	return nil
}

// SecretError is a problem with one secret of an environment: Msg says what (after the
// secret's key), Fix what to do. It never holds a value.
type SecretError struct {
	Env    *envdef.Env
	Secret envdef.Secret
	Msg    string
	Fix    string
}

func (e *SecretError) Error() string {
	return fmt.Sprintf("environment %q: secret %q %s", e.Env.Name, e.Secret.Key, e.Msg)
}

// Hint is Fix and where the definition lists the secret.
func (e *SecretError) Hint() string {
	at := e.Env.File
	if e.Secret.Line > 0 {
		at = fmt.Sprintf("%s:%d", at, e.Secret.Line)
	}
	return e.Fix + "\nthe secret is listed at " + at
}

// Member is one member of a JSON secret: its name, its value as a variable holds it, and,
// for a string, its text between the quotes as the object writes it (escapes and all).
type Member struct{ Name, Value, Raw string }

// MemberVar is a member of a JSON secret with the variable Var it sets, and the reason a run
// refuses it, or nil.
type MemberVar struct {
	Member
	Var     string
	Problem *SecretError
}

// Shown is Var as a message names it: as it is when it is a valid name, else quoted and cut.
func (m MemberVar) Shown() string {
	if names.ValidVar(m.Var) {
		return m.Var
	}
	return fmt.Sprintf("%+q", names.Short(m.Var))
}

// JSONVars reads the value of the JSON secret s and names the variable of each member: the
// member's name made a variable name as a key is (- . / become _). A run refuses a member
// whose name gives no valid variable name, and one that would set a control variable
// (launcher.ControlVar: PATH, LD_PRELOAD, BASH_ENV, PYTHONPATH, ...) that s does not name in
// allow_env_vars: the member names come from the value, which a third party may have written,
// and must not decide which program runs or what it loads. Messages name members and
// variables, never values.
func JSONVars(env *envdef.Env, s envdef.Secret, v []byte) ([]MemberVar, error) {
	members, err := JSONMembers(v)
	if err != nil {
		return nil, &SecretError{Env: env, Secret: s, Msg: "(json = true) " + err.Error(),
			Fix: "store a JSON object ({\"NAME\": \"value\", ...}), or remove json = true"}
	}
	out := make([]MemberVar, len(members))
	for i, m := range members {
		name, ok := names.VarOf(m.Name)
		out[i] = MemberVar{Member: m, Var: name}
		if !ok {
			out[i].Problem = &SecretError{Env: env, Secret: s, Msg: fmt.Sprintf("(json = true): member %+q gives no valid variable name (%+q)", names.Short(m.Name), names.Short(name)),
				Fix: "a member's name, with - . / made _, must be letters, digits and _, not starting with a digit"}
		} else if why, control := launcher.ControlVar(name); control && !slices.ContainsFunc(s.AllowVars, func(a string) bool {
			return names.SameVar(a, name)
		}) {
			out[i].Problem = &SecretError{Env: env, Secret: s,
				Msg: fmt.Sprintf("(json = true): member %+q would set %s, which %s; the members of a stored JSON object may not set such a variable unless the definition allows it", names.Short(m.Name), name, why),
				Fix: fmt.Sprintf("remove the member from the stored object, or, if the definition means it, allow it: { key = %q, json = true, allow_env_vars = [%q] }", s.Key, name)}
		}
	}
	return out, nil
}

// JSONMembers reads a JSON object: string members give their text, the others their JSON
// text, compacted. Errors give positions and types, never text of the value.
func JSONMembers(v []byte) ([]Member, error) {
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
	var members []Member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, fmt.Errorf("has member %+q twice", names.Short(name))
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		m := Member{Name: name}
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &m.Value); err != nil {
				return nil, syntax(err)
			}
			m.Raw = string(raw[1 : len(raw)-1])
		} else {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, syntax(err)
			}
			m.Value = b.String()
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

// MaskForms are the forms a value can take in a run's output: the value itself and the forms
// in which the bundle writes it (see writeBundleMember), which cat of the bundle shows: a JSON
// string's text, with Go's escaping of <, > and & and without it (as most other JSON writers
// do), and base64 for bytes that are not UTF-8.
func MaskForms(v []byte) [][]byte {
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
