// Package envdef loads and validates secrun's environment definitions: the
// [[env]] tables of TOML files that name the secrets, setup lines and
// executable instances of an environment, and hpcFlow's YAML environment files,
// read into the same model. It finds the files (and those that hpcFlow's and MatFlow's
// environment_sources list), parses them (or takes a file's environments from the cache of
// parsed definitions while the file is unchanged), checks them, resolves overrides between files,
// picks among same-named environments by their specifiers and an executable's instance by
// its core count, splits commands and fills their placeholders, finds credentials written
// into setup lines and commands, and writes environments back as TOML (FormatTOML).
//
// It knows nothing of secret stores, of the command line (its errors carry data, and the
// command layer adds the flags that fix them) or of how a child process is started; secret
// keys are only names here, never values.
//
// The lean build (see internal/handoff) leaves out both readers: a file that is not in the
// cache is handoff.ErrFull there (parsefile_lean.go), for secrun-full to parse and cache.
package envdef

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Env is one validated environment definition.
type Env struct {
	Name        string
	Setup       []string          // shell lines run before the command
	Specifiers  map[string]string // free key/value pairs, scalars kept as text; nil if none
	Secrets     []Secret
	Executables []Executable
	Project     string   // scope for secret lookup; "" for any
	Domain      string   // scope for secret lookup; "" for any
	Bundle      string   // file name of the JSON bundle of all secrets; "" for none
	Mask        bool     // mask = true: the command's output is masked (as with --mask)
	Shell       string   // the shell that runs the setup lines and shell-text commands; "" for launcher.DefaultShell (bash)
	File        string   // file it was defined in
	Line        int      // line of its [[env]] header (0 if unknown)
	Overrides   []string // "file:line" of same-named envs it replaced from earlier files, in order
}

// Secret is one secret an environment asks for.
type Secret struct {
	Key string // the store key (non-empty; the caller validates its characters)
	// Var is the variable the secret sets: its name, or for a file secret NAME_FILE, which
	// holds the file's path. It is "" for a JSON secret, whose members are named when the
	// value is known.
	Var      string
	Renamed  bool   // true when as_env_var was given
	JSON     bool   // json = true: the value is a JSON object, one variable per member
	File     string // the file name in the private directory (file = true or "name"); "" if none
	Optional bool   // optional = true: a missing secret is skipped
	// AllowVars (allow_env_vars) names the control variables (PATH, LD_PRELOAD, ...) that the
	// members of a JSON secret may set; others are refused, since the value names them.
	AllowVars []string
	Line      int
}

// Executable is a labelled command with one or more instances.
type Executable struct {
	Label     string
	Instances []Instance
	Line      int
}

// Instance is one way to run an executable, for a range of core counts.
type Instance struct {
	Command      string
	NumCores     Cores
	ParallelMode string // "", "distributed", "shared" or "hybrid"
	Line         int
}

// Cores is an inclusive range of core counts: Start, Start+Step, ... up to Stop.
type Cores struct{ Start, Stop, Step int }

// Contains reports whether n is one of the counts in c.
func (c Cores) Contains(n int) bool {
	step := max(c.Step, 1) // the zero Cores must not divide by zero
	return n >= c.Start && n <= c.Stop && (n-c.Start)%step == 0
}

// String formats c as "4", "2-64" or "2-64 step 2".
func (c Cores) String() string {
	switch {
	case c.Start == c.Stop:
		return strconv.Itoa(c.Start)
	case c.Step <= 1:
		return fmt.Sprintf("%d-%d", c.Start, c.Stop)
	default:
		return fmt.Sprintf("%d-%d step %d", c.Start, c.Stop, c.Step)
	}
}

// DefError is an error in a definition file. Line is 0 when unknown and Env
// is "" outside an environment (or before its name is known).
type DefError struct {
	File string
	Line int
	Env  string
	Msg  string
	Fix  string // a suggestion for the user, returned by Hint; may be ""
	Err  error  // the underlying error, if any
}

// Error formats e as `FILE:LINE: environment "NAME": MSG`.
func (e *DefError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Env != "" {
		fmt.Fprintf(&b, "environment %q: ", e.Env)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Hint returns a short suggestion for fixing e, or "" when there is none.
func (e *DefError) Hint() string { return e.Fix }

// Unwrap returns the underlying error, such as a *tomldepth.SyntaxError (which wraps the TOML
// library's *toml.DecodeError).
func (e *DefError) Unwrap() error { return e.Err }

// NotFoundError is returned by Set.Lookup for an undefined environment.
type NotFoundError struct {
	Name  string
	Known []string // names of the defined environments, sorted
	Files []string // files that were read
	// UserFile is the user's definition file, which the hint offers to create when no file
	// was read ("" for a general wording).
	UserFile string
}

// Error says which environment is missing.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("environment %q is not defined", e.Name)
}

// Hint lists the defined environments, or says where definitions are read from.
func (e *NotFoundError) Hint() string {
	switch {
	case len(e.Known) > 0:
		return "defined environments: " + strings.Join(e.Known, ", ")
	case len(e.Files) > 0:
		return "no environments are defined in " + strings.Join(e.Files, ", ") + "; add an [[env]] table"
	default:
		file := e.UserFile
		if file == "" {
			file = "secrun/envs.toml in your configuration directory"
		}
		return "no definition files were found; create " + file
	}
}

// Set is the merged result of loading definition files. It may hold several environments of
// one name that differ in their specifiers, as hpcFlow allows. A Set that LoadCached loaded
// for one name holds only the environments of that name, and knows the others by name.
type Set struct {
	// UserFile is the user's definition file (see UserFile), named in a NotFoundError.
	UserFile string
	envs     map[string][]*Env // by name, in the order first defined
	others   map[string]bool   // names defined but not loaded (LoadCached for one name)
	files    []string
}

// addNames records names that are defined but not loaded.
func (s *Set) addNames(names []string) {
	for _, n := range names {
		if s.others == nil {
			s.others = map[string]bool{}
		}
		s.others[n] = true
	}
}

// add puts e in s. An environment of the same name and the same specifiers from an earlier
// file is replaced, and recorded in e.Overrides.
func (s *Set) add(e *Env) {
	list := s.envs[e.Name]
	for i, old := range list {
		if specsEqual(old.Specifiers, e.Specifiers) {
			e.Overrides = append(append(e.Overrides, old.Overrides...), fmt.Sprintf("%s:%d", old.File, old.Line))
			list[i] = e
			return
		}
	}
	s.envs[e.Name] = append(list, e)
}

// Envs returns the environments, sorted by name; same-named ones in the order first defined.
func (s *Set) Envs() []*Env {
	var out []*Env
	for _, name := range slices.Sorted(maps.Keys(s.envs)) {
		out = append(out, s.envs[name]...)
	}
	return out
}

// Lookup returns the environment called name, or a *NotFoundError; when several share the
// name it chooses as Pick does with no specifiers.
func (s *Set) Lookup(name string) (*Env, error) { return s.Pick(name, nil) }

// Pick returns the environment called name whose specifiers include every pair of spec.
// When several do, the one whose specifiers are exactly spec wins; otherwise the choice is
// ambiguous and Pick returns an *AmbiguousError. No environment of that name gives a
// *NotFoundError, and none with those specifiers a *NoSpecError.
func (s *Set) Pick(name string, spec map[string]string) (*Env, error) {
	list, ok := s.envs[name]
	if !ok {
		known := slices.Sorted(maps.Keys(s.envs))
		for n := range s.others {
			if _, ok := s.envs[n]; !ok {
				known = append(known, n)
			}
		}
		slices.Sort(known)
		return nil, &NotFoundError{Name: name, Known: known, Files: s.Files(), UserFile: s.UserFile}
	}
	var match []*Env
	for _, e := range list {
		if specsInclude(e.Specifiers, spec) {
			match = append(match, e)
		}
	}
	switch len(match) {
	case 0:
		return nil, &NoSpecError{Name: name, Spec: spec, Candidates: list}
	case 1:
		return match[0], nil
	}
	for _, e := range match {
		if len(e.Specifiers) == len(spec) { // it includes spec, so it is spec
			return e, nil
		}
	}
	return nil, &AmbiguousError{Name: name, Spec: spec, Candidates: match}
}

// specsInclude reports whether have holds every pair of want.
func specsInclude(have, want map[string]string) bool {
	for k, v := range want {
		if h, ok := have[k]; !ok || h != v {
			return false
		}
	}
	return true
}

// FormatSpecifiers formats specifiers as "k1=v1 k2=v2", sorted by key, or "" for none.
func FormatSpecifiers(spec map[string]string) string {
	parts := make([]string, 0, len(spec))
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		parts = append(parts, k+"="+spec[k])
	}
	return strings.Join(parts, " ")
}

// candidates lists environments for a hint, one per line: "FILE:LINE (specifiers)".
func candidates(envs []*Env) string {
	lines := make([]string, len(envs))
	for i, e := range envs {
		spec := FormatSpecifiers(e.Specifiers)
		if spec == "" {
			spec = "no specifiers"
		}
		lines[i] = fmt.Sprintf("  %s:%d: %s", e.File, e.Line, spec)
	}
	return strings.Join(lines, "\n")
}

// AmbiguousError says that several environments of one name match the requested specifiers.
type AmbiguousError struct {
	Name       string
	Spec       map[string]string
	Candidates []*Env
}

func (e *AmbiguousError) Error() string {
	with := ""
	if len(e.Spec) > 0 {
		with = " with " + FormatSpecifiers(e.Spec)
	}
	return fmt.Sprintf("%d environments named %q match%s", len(e.Candidates), e.Name, with)
}

// Hint lists the candidates with where they are defined and their specifiers.
func (e *AmbiguousError) Hint() string {
	return "the candidates are:\n" + candidates(e.Candidates)
}

// NoSpecError says that environments of the name exist, but none has the requested specifiers.
type NoSpecError struct {
	Name       string
	Spec       map[string]string
	Candidates []*Env
}

func (e *NoSpecError) Error() string {
	return fmt.Sprintf("no environment named %q has specifiers %s", e.Name, FormatSpecifiers(e.Spec))
}

// Hint lists the environments of that name and their specifiers.
func (e *NoSpecError) Hint() string {
	return "the environments of that name are:\n" + candidates(e.Candidates)
}

// Files returns the files actually read, in order.
func (s *Set) Files() []string { return append([]string(nil), s.files...) }

// specsEqual reports whether two environments have the same specifiers (nil and empty alike).
func specsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
