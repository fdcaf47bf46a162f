//go:build lean

package envdef

import (
	"fmt"

	"github.com/secrun/secrun/internal/handoff"
)

// The launcher build has no bash parser: an executable's command, which only the parser can
// tell a word list or shell text, is left to secrun-full.

func classify(string) (*Resolved, error) {
	return nil, fmt.Errorf("an executable's command: %w", handoff.ErrFull)
}

// EditCalls edits nothing in the launcher build: it returns s and handoff.ErrFull.
func EditCalls(s string, _ func(words []string) (CallEdit, bool)) (string, error) {
	return s, fmt.Errorf("shell text: %w", handoff.ErrFull)
}
