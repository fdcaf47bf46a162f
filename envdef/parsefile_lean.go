//go:build lean

package envdef

import (
	"fmt"

	"github.com/secrun/secrun/internal/handoff"
)

// The lean build links neither reader: a definition file that is not in the cache, or an
// hpcFlow or MatFlow config.yaml whose environment_sources are not, is left to secrun-full,
// which parses it and fills the cache.

// ParseFileAll parses nothing in the lean build: it returns handoff.ErrFull.
func ParseFileAll(file string, _ []byte) ([]*Env, []error) {
	return nil, []error{fmt.Errorf("%s is not in the definitions cache: %w", file, handoff.ErrFull)}
}

// appSourceLists reads no YAML in the lean build: it returns handoff.ErrFull.
func appSourceLists([]byte) (map[string][]string, error) {
	return nil, fmt.Errorf("hpcFlow configuration: %w", handoff.ErrFull)
}
