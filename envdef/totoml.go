package envdef

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FormatTOML writes envs as secrun TOML definitions that Parse reads back to the same
// environments (names, setup, specifiers, secrets, executables, scopes, bundle, mask and shell; not the
// files and lines they came from). Specifiers are written as strings, the text they are
// compared as.
func FormatTOML(envs []*Env) []byte {
	var b strings.Builder
	for i, e := range envs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("[[env]]\n")
		fmt.Fprintf(&b, "name = %s\n", tomlString(e.Name))
		if len(e.Setup) > 0 {
			b.WriteString("setup = [\n")
			for _, l := range e.Setup {
				fmt.Fprintf(&b, "  %s,\n", tomlString(l))
			}
			b.WriteString("]\n")
		}
		if len(e.Specifiers) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(e.Specifiers)) {
				parts = append(parts, tomlKey(k)+" = "+tomlString(e.Specifiers[k]))
			}
			fmt.Fprintf(&b, "specifiers = { %s }\n", strings.Join(parts, ", "))
		}
		for _, kv := range [][2]string{{"project", e.Project}, {"domain", e.Domain}, {"bundle", e.Bundle}, {"shell", e.Shell}} {
			if kv[1] != "" {
				fmt.Fprintf(&b, "%s = %s\n", kv[0], tomlString(kv[1]))
			}
		}
		if e.Mask {
			b.WriteString("mask = true\n")
		}
		if len(e.Secrets) > 0 {
			b.WriteString("secrets = [\n")
			for _, s := range e.Secrets {
				fmt.Fprintf(&b, "  %s,\n", tomlSecret(s))
			}
			b.WriteString("]\n")
		}
		for _, x := range e.Executables {
			fmt.Fprintf(&b, "\n[[env.executables]]\nlabel = %s\n", tomlString(x.Label))
			for _, in := range x.Instances {
				fmt.Fprintf(&b, "  [[env.executables.instances]]\n  command = %s\n", tomlString(in.Command))
				c := in.NumCores
				if c.Start == c.Stop {
					fmt.Fprintf(&b, "  num_cores = %d\n", c.Start)
				} else {
					fmt.Fprintf(&b, "  num_cores = { start = %d, stop = %d, step = %d }\n", c.Start, c.Stop, max(c.Step, 1))
				}
				if in.ParallelMode != "" {
					fmt.Fprintf(&b, "  parallel_mode = %s\n", tomlString(in.ParallelMode))
				}
			}
		}
	}
	return []byte(b.String())
}

// tomlSecret writes one secret: its bare key when that says everything, else an inline table.
func tomlSecret(s Secret) string {
	def, _ := VarName(s.Key)
	v := strings.TrimSuffix(s.Var, "_FILE")
	if s.File == "" {
		v = s.Var
	}
	var parts []string
	if s.Renamed {
		parts = append(parts, "as_env_var = "+tomlString(v))
	}
	if s.JSON {
		parts = append(parts, "json = true")
	}
	switch {
	case s.File == "":
	case s.File == strings.ReplaceAll(s.Key, "/", "_"):
		parts = append(parts, "file = true")
	default:
		parts = append(parts, "file = "+tomlString(s.File))
	}
	if s.Optional {
		parts = append(parts, "optional = true")
	}
	if len(s.AllowVars) > 0 {
		names := make([]string, len(s.AllowVars))
		for i, n := range s.AllowVars {
			names[i] = tomlString(n)
		}
		parts = append(parts, "allow_env_vars = ["+strings.Join(names, ", ")+"]")
	}
	if len(parts) == 0 && (s.Var == def || s.JSON) {
		return tomlString(s.Key)
	}
	return "{ key = " + tomlString(s.Key) + strings.Join(append([]string{""}, parts...), ", ") + " }"
}

// tomlKey writes a key bare when TOML allows it, else quoted.
func tomlKey(k string) string {
	if k != "" && strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" {
		return k
	}
	return tomlString(k)
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
