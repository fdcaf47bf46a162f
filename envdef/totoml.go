//go:build !lean

package envdef

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secrun/secrun/internal/names"
)

// FormatTOML writes envs as secrun TOML definitions that Parse reads back to the same
// environments (every key of the schema; not the files and lines they came from). It is driven
// by the schema's key lists (envKeys, secretKeys, instanceKeys), in their order: a key added to
// the schema without a writer here panics, and TestRoundTripEveryField checks that what is
// written reads back the same. Specifiers are written as strings, the text they are compared as.
func FormatTOML(envs []*Env) []byte {
	var b strings.Builder
	for i, e := range envs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("[[env]]\n")
		for _, k := range envKeys {
			writeEnvKey(&b, e, k)
		}
	}
	return []byte(b.String())
}

// writeEnvKey writes key k of e, or nothing when e does not set it.
func writeEnvKey(b *strings.Builder, e *Env, k string) {
	str := func(v string) {
		if v != "" {
			fmt.Fprintf(b, "%s = %s\n", k, tomlString(v))
		}
	}
	switch k {
	case "name":
		fmt.Fprintf(b, "name = %s\n", tomlString(e.Name))
	case "setup":
		if len(e.Setup) > 0 {
			b.WriteString("setup = [\n")
			for _, l := range e.Setup {
				fmt.Fprintf(b, "  %s,\n", tomlString(l))
			}
			b.WriteString("]\n")
		}
	case "specifiers":
		if len(e.Specifiers) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(e.Specifiers)) {
				parts = append(parts, tomlKey(k)+" = "+tomlString(e.Specifiers[k]))
			}
			fmt.Fprintf(b, "specifiers = { %s }\n", strings.Join(parts, ", "))
		}
	case "project":
		str(e.Project)
	case "domain":
		str(e.Domain)
	case "bundle":
		str(e.Bundle)
	case "shell":
		str(e.Shell)
	case "mask":
		if e.Mask {
			b.WriteString("mask = true\n")
		}
	case "secrets":
		if len(e.Secrets) > 0 {
			b.WriteString("secrets = [\n")
			for _, s := range e.Secrets {
				fmt.Fprintf(b, "  %s,\n", tomlSecret(s))
			}
			b.WriteString("]\n")
		}
	case "executables":
		for _, x := range e.Executables {
			fmt.Fprintf(b, "\n[[env.executables]]\nlabel = %s\n", tomlString(x.Label))
			for _, in := range x.Instances {
				b.WriteString("  [[env.executables.instances]]\n")
				for _, k := range instanceKeys {
					writeInstanceKey(b, in, k)
				}
			}
		}
	default:
		panic("envdef: FormatTOML has no writer for environment key " + k)
	}
}

// writeInstanceKey writes key k of instance in, or nothing when it does not set it.
func writeInstanceKey(b *strings.Builder, in Instance, k string) {
	switch k {
	case "command":
		fmt.Fprintf(b, "  command = %s\n", tomlString(in.Command))
	case "num_cores":
		if c := in.NumCores; c.Start == c.Stop {
			fmt.Fprintf(b, "  num_cores = %d\n", c.Start)
		} else {
			fmt.Fprintf(b, "  num_cores = { start = %d, stop = %d, step = %d }\n", c.Start, c.Stop, max(c.Step, 1))
		}
	case "parallel_mode":
		if in.ParallelMode != "" {
			fmt.Fprintf(b, "  parallel_mode = %s\n", tomlString(in.ParallelMode))
		}
	default:
		panic("envdef: FormatTOML has no writer for instance key " + k)
	}
}

// tomlSecret writes one secret: its bare key when that says everything, else an inline table
// of the keys of secretKeys that it sets.
func tomlSecret(s Secret) string {
	def, _ := names.VarOf(s.Key)
	var parts []string
	for _, k := range secretKeys {
		switch k {
		case "key":
		case "as_env_var":
			if s.Renamed {
				v := s.Var
				if s.File != "" {
					v = strings.TrimSuffix(v, "_FILE")
				}
				parts = append(parts, "as_env_var = "+tomlString(v))
			}
		case "json":
			if s.JSON {
				parts = append(parts, "json = true")
			}
		case "file":
			switch {
			case s.File == "":
			case s.File == strings.ReplaceAll(s.Key, "/", "_"):
				parts = append(parts, "file = true")
			default:
				parts = append(parts, "file = "+tomlString(s.File))
			}
		case "optional":
			if s.Optional {
				parts = append(parts, "optional = true")
			}
		case "allow_env_vars":
			if len(s.AllowVars) > 0 {
				names := make([]string, len(s.AllowVars))
				for i, n := range s.AllowVars {
					names[i] = tomlString(n)
				}
				parts = append(parts, "allow_env_vars = ["+strings.Join(names, ", ")+"]")
			}
		default:
			panic("envdef: FormatTOML has no writer for secret key " + k)
		}
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
