//go:build !lean

package cli

import (
	"errors"
	"fmt"
	"slices"

	"github.com/secrun/secrun/keystore"
)

type moveCmd struct {
	Key       string `arg:"" optional:"" predictor:"keys" help:"The key to move (or --all)."`
	To        string `required:"" enum:"file,keyring" placeholder:"file|keyring" help:"Where to move it: file or keyring. The source is the other store."`
	All       bool   `help:"Move every secret of the other store."`
	Overwrite bool   `help:"Replace a secret of the same key in the destination."`
}

func (c *moveCmd) Help() string {
	return `The value is written to the destination first; the source entry is removed only after that
write succeeded. The kind (a --from-file secret or a string) moves with the value; creation and
update times start anew in the destination. Scoped secrets (--project, --domain) stay in the file
store, since the keyring keeps no scopes.

Examples:
  secrun secrets move API_TOKEN --to file    # from the keyring, e.g. for a cluster's compute nodes
  secrun secrets move --all --to keyring     # everything in the file store into the keyring`
}

func (c *moveCmd) Run(g *globals) error {
	if (c.Key == "") == !c.All {
		return &usageError{msg: "give one KEY or --all", hint: "see 'secrun secrets move --help'"}
	}
	if c.Key != "" {
		if err := keystore.ValidateKey(c.Key); err != nil {
			return err
		}
	}
	dir, err := keystore.DataDir(g.dirs)
	if err != nil {
		return fmt.Errorf("cannot find the data directory: %w", err)
	}
	file, ring := keystore.NewFile(dir), keystore.NewKeyring(dir)
	defer ring.Close()
	from := moveSide{ring, "keyring", ring.Keys}
	to := moveSide{file, "file", func() ([]string, error) { return unscopedKeys(file) }}
	if c.To == "keyring" {
		from, to = to, from
		if err := ring.Available(); err != nil {
			return err
		}
	}
	keys := []string{c.Key}
	if c.All {
		if keys, err = from.keys(); err != nil {
			return err
		}
		if from.name == "file" {
			if all, err := file.List(); err == nil && len(all) > len(keys) {
				fmt.Fprintf(g.stderr, "secrun: %d scoped secrets stay in the file store (the keyring keeps no scopes)\n", len(all)-len(keys))
				if len(keys) == 0 {
					return nil
				}
			}
		}
		if len(keys) == 0 {
			fmt.Fprintf(g.stderr, "secrun: no secrets in the %s store; nothing to move\n", from.name)
			return nil
		}
	} else if err := checkMove(c.Key, from, to); err != nil {
		return err
	}
	failed := 0
	for _, k := range keys {
		if err := keystore.Move(k, from.store, to.store, c.Overwrite); err != nil {
			if errors.Is(err, keystore.ErrExists) {
				err = fmt.Errorf("secret %q is in both stores; add --overwrite to replace the %s store's copy: %w", k, to.name, err)
			}
			if !c.All {
				return err
			}
			failed++
			fmt.Fprintf(g.stderr, "secrun: error: %v\n", err)
			continue
		}
		fmt.Fprintf(g.stderr, "secrun: moved secret %q from the %s store to the %s store\n", k, from.name, to.name)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d secrets were not moved; they stay in the %s store", failed, len(keys), from.name)
	}
	return nil
}

// moveSide is the source or the destination of a move.
type moveSide struct {
	store keystore.Store
	name  string                   // "file" or "keyring"
	keys  func() ([]string, error) // its keys of unscoped secrets, the only ones that can move
}

// checkMove explains a key that is not in the source store.
func checkMove(key string, from, to moveSide) error {
	keys, err := from.keys()
	if err != nil {
		return err
	}
	if slices.Contains(keys, key) {
		return nil
	}
	if there, _ := to.keys(); slices.Contains(there, key) {
		return &usageError{msg: fmt.Sprintf("secret %q is already in the %s store, and not in the %s store", key, to.name, from.name),
			hint: "nothing to move"}
	}
	if from.name == "file" && hasScoped(from.store, key) {
		return &usageError{msg: fmt.Sprintf("secret %q is in the file store in a scope only; the keyring keeps no scoped secrets", key),
			hint: "scoped secrets stay in the file store, which a run under --store auto reads as well"}
	}
	return withSuggestions(from.store, key, keystore.Scope{}, &keystore.KeyError{Key: key, Err: keystore.ErrNotFound})
}

// unscopedKeys lists the file store's keys of unscoped secrets. (The keyring's Keys come from
// its index, with no keyring call.)
func unscopedKeys(file *keystore.File) ([]string, error) {
	entries, err := file.List()
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, e := range entries {
		if e.Scope.IsZero() {
			keys = append(keys, e.Key)
		}
	}
	return keys, nil
}

// hasScoped reports whether the store holds key in some scope.
func hasScoped(s keystore.Store, key string) bool {
	entries, err := s.List()
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Key == key && !e.Scope.IsZero() {
			return true
		}
	}
	return false
}

type doctorCmd struct {
	Repair bool `help:"Repair what can be repaired: drop index entries whose keyring item is gone, index items the index lacks, delete leftover parts."`
}

func (c *doctorCmd) Help() string {
	return `secrun keeps an index of the secrets it puts in the OS keyring, because a keyring cannot be
listed. An item deleted behind secrun's back (with secret-tool, Keychain Access or the
Credential Manager) leaves an index entry without its item. doctor reports such disagreements
on stdout and exits 1 when it found any; with --repair it makes the index and the keyring agree.
It also reports secrets held by both stores (runs use the keyring's copy).

Examples:
  secrun secrets doctor
  secrun secrets doctor --repair`
}

func (c *doctorCmd) Run(g *globals) error {
	dir, err := keystore.DataDir(g.dirs)
	if err != nil {
		return fmt.Errorf("cannot find the data directory: %w", err)
	}
	file, ring := keystore.NewFile(dir), keystore.NewKeyring(dir)
	defer ring.Close()
	inFile, err := unscopedKeys(file)
	if err != nil {
		return err
	}
	indexed, err := ring.Keys()
	if err != nil {
		return err
	}
	if err := ring.Available(); err != nil {
		if len(indexed) > 0 {
			return fmt.Errorf("cannot check the %d secrets of the keyring index %s: %w", len(indexed), ring.IndexPath(), err)
		}
		fmt.Fprintf(g.stderr, "secrun: no keyring here: %v\n", err)
		fmt.Fprintf(g.stderr, "secrun: the keyring index is empty and the file store holds %d secrets; nothing to check\n", len(inFile))
		return nil
	}
	findings, err := ring.Check(c.Repair)
	if err != nil {
		return err
	}
	for _, k := range indexed {
		if slices.Contains(inFile, k) {
			findings = append(findings, keystore.Finding{Key: k,
				Problem: "in both the keyring and the file store; runs use the keyring's copy (delete one: secrun --store file secrets delete " + k + ")"})
		}
	}
	left, fixable := 0, 0
	for _, f := range findings {
		switch {
		case f.Repaired:
			fmt.Fprintf(g.stdout, "%s: %s; repaired: %s\n", f.Key, f.Problem, f.Repair)
		case f.Repair != "":
			fmt.Fprintf(g.stdout, "%s: %s; --repair would %s\n", f.Key, f.Problem, f.Repair)
			left++
			fixable++
		default:
			fmt.Fprintf(g.stdout, "%s: %s\n", f.Key, f.Problem)
			left++
		}
	}
	switch {
	case len(findings) == 0:
		fmt.Fprintf(g.stderr, "secrun: the keyring and its index agree (%d secrets in the keyring, %d in the file store)\n", len(indexed), len(inFile))
		return nil
	case left == 0:
		fmt.Fprintf(g.stderr, "secrun: repaired %d problems\n", len(findings))
		return nil
	case fixable > 0:
		return &codedError{msg: fmt.Sprintf("%d problems found; 'secrun secrets doctor --repair' repairs %d of them", left, fixable), code: 1}
	}
	return &codedError{msg: fmt.Sprintf("%d problems found that secrun does not repair by itself", left), code: 1}
}
