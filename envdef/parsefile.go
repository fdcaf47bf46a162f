//go:build !lean

package envdef

// ParseFile parses one definition file by its name: hpcFlow YAML for .yaml and .yml, else
// secrun's TOML.
func ParseFile(file string, data []byte) ([]*Env, error) {
	return firstError(ParseFileAll(file, data))
}

// ParseFileAll is ParseFile collecting every error (see ParseAll).
func ParseFileAll(file string, data []byte) ([]*Env, []error) {
	if IsYAML(file) {
		return ParseYAMLAll(file, data)
	}
	return ParseAll(file, data)
}
