package envdef

import (
	"fmt"
	"strings"
	"testing"
)

// benchDefs is a definition file like the one bench/launch.sh writes: three environments
// with 1, 10 and 100 secrets.
func benchDefs() []byte {
	var b strings.Builder
	for _, n := range []int{1, 10, 100} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("%q", fmt.Sprintf("BENCH_%d", i+1))
		}
		fmt.Fprintf(&b, "[[env]]\nname = \"e%d\"\nsecrets = [%s]\n\n", n, strings.Join(keys, ", "))
	}
	return []byte(b.String())
}

// BenchmarkParse parses the launch benchmark's definitions, which every 'secrun -e E -- cmd'
// does before anything else.
func BenchmarkParse(b *testing.B) {
	data := benchDefs()
	for b.Loop() {
		if _, err := Parse("envs.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFull parses the example with every kind of table.
func BenchmarkParseFull(b *testing.B) {
	data := []byte(fullExample)
	for b.Loop() {
		if _, err := Parse("envs.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLines is the line scanner alone.
func BenchmarkScanLines(b *testing.B) {
	data := append(benchDefs(), fullExample...)
	for b.Loop() {
		scanLines(data)
	}
}

// BenchmarkResolve times what a run with an executable label adds: placeholders, the parse
// that tells a word list from shell text, and, for shell text, the exec of the last command.
func BenchmarkResolve(b *testing.B) {
	for name, cmd := range map[string]string{
		"words": "mpirun -np <<num_cores>> ./solver --in=data.in",
		"text":  "mpirun -n $NSLOTS singularity run $IMG_PATH",
	} {
		b.Run(name, func(b *testing.B) {
			in := Instance{Command: cmd}
			for b.Loop() {
				if _, err := in.Resolve(64, []string{"a", "b c"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseYAML parses hpcFlow's YAML: the user-documentation example shape.
func BenchmarkParseYAML(b *testing.B) {
	data := []byte(hpcFlowEnvs)
	for b.Loop() {
		if _, err := ParseYAML("envs.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
