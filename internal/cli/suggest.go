//go:build !lean

package cli

import (
	"sort"
	"strings"
)

// closest returns up to max words from candidates that look like a mistyped word: the same
// ignoring case, one containing the other, or within a small edit distance. Nearest first.
func closest(word string, candidates []string, max int) []string {
	type scored struct {
		s string
		d int
	}
	limit := len(word)/3 + 1
	if limit < 2 {
		limit = 2
	}
	lw := strings.ToLower(word)
	var found []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(lw, lc)
		if lc == lw {
			d = 0
		} else if len(lw) >= 3 && (strings.Contains(lc, lw) || strings.Contains(lw, lc)) && d > limit {
			d = limit
		}
		if d <= limit {
			found = append(found, scored{c, d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].s < found[j].s
	})
	out := []string{}
	for i := 0; i < len(found) && i < max; i++ {
		out = append(out, found[i].s)
	}
	return out
}

// distance is the Levenshtein distance between a and b, by bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
