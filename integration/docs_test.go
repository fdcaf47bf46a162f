package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsLinks checks every relative link in README.md and docs/*.md: the file it names
// exists, and so does the heading its #anchor names (GitHub's anchor rule: lower case, spaces
// to hyphens, punctuation other than - and _ dropped).
func TestDocsLinks(t *testing.T) {
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	heading := regexp.MustCompile("(?m)^#+ (.*)$")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		a := map[string]bool{}
		inFence := false
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "```") {
				inFence = !inFence
			}
			if m := heading.FindStringSubmatch(line); m != nil && !inFence {
				a[githubAnchor(m[1])] = true
			}
		}
		anchors[path] = a
		return a
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			full := f
			if path != "" {
				full = filepath.Join(filepath.Dir(f), path)
			}
			a := anchorsOf(full)
			if a == nil {
				if _, err := os.Stat(full); err != nil {
					t.Errorf("%s: link %q: no such file", f, target)
				}
				continue
			}
			if anchor != "" && !a[anchor] {
				t.Errorf("%s: link %q: no heading with that anchor in %s", f, target, full)
			}
		}
	}
}

func githubAnchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(title)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}
