package cli

import (
	"errors"
	"strings"

	"github.com/secrun/secrun/keystore"
)

// The words for stores and scopes in messages, one rule each.

// storeDesc names the stores that a store's reads look in: "the file store", "the keyring
// store", or under auto, while the keyring index lists a secret, "the keyring or the file
// store". With at, the location of the last one follows: the file store's path, or the
// keyring with its service and index.
func storeDesc(d keystore.Description, at bool) string { return joinStores(d, "or", at) }

// storeLacks says that none of a store's reads holds what follows: "the file store (PATH)
// does not hold", or "neither the keyring nor the file store (PATH) holds".
func storeLacks(d keystore.Description) string {
	if len(d.Reads) > 1 {
		return "neither " + joinStores(d, "nor", true) + " holds"
	}
	return joinStores(d, "or", true) + " does not hold"
}

func joinStores(d keystore.Description, conj string, at bool) string {
	names := make([]string, len(d.Reads))
	for i, p := range d.Reads {
		names[i] = "the " + p.Name
	}
	s := strings.Join(names, " "+conj+" ") + " store"
	if at && len(d.Reads) > 0 {
		s += " (" + d.Reads[len(d.Reads)-1].Location + ")"
	}
	return s
}

// inScope is " (scope P/D)" for a scoped secret and "" for an unscoped one.
func inScope(s keystore.Scope) string {
	if s.IsZero() {
		return ""
	}
	return " (scope " + s.String() + ")"
}

// scopeRefused words a store's refusal of scoped secrets (the keyring's) for the command line.
func scopeRefused(err error) error {
	if !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return &usageError{msg: err.Error() + " (--project, --domain)",
		hint: "scoped secrets live in the file store: use --store file, or --store auto, which keeps them there"}
}
