package cli

import (
	"errors"

	"github.com/secrun/secrun/envdef"
	"github.com/secrun/secrun/internal/deliver"
	"github.com/secrun/secrun/keystore"
)

// deliveryPlan fetches the environment's secrets in one read of the store and turns them into
// the child's variables and files (deliver.Build); a missing secret is reported with the
// stores that were read.
func deliveryPlan(g *globals, env *envdef.Env, store keystore.Store) (*deliver.Plan, error) {
	found, err := deliver.Fetch(env, store, g.verbosef)
	if err != nil {
		return nil, err
	}
	plan, err := deliver.Build(env, found, g.debugf())
	if me := (*deliver.MissingError)(nil); errors.As(err, &me) {
		return nil, &missingError{env: env, keys: me.Keys, stores: store.Describe()}
	}
	return plan, err
}
