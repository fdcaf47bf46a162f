package cli

import (
	"github.com/secrun/secrun/config"
	"github.com/secrun/secrun/internal/audit"
	"github.com/secrun/secrun/internal/deliver"
)

// audit appends one line for this run to the audit log when config.toml has audit = true.
// A log that cannot be written, or that secrun refuses (see audit.Append), stops the run: the
// user asked for an audit, and one that silently misses runs would be worse than none.
func (g *globals) audit(envName, envFile, label, program string, read []deliver.Source, launch *audit.Launch) error {
	c, err := g.config()
	if err != nil || !c.Audit {
		return err
	}
	path, err := config.AuditPath(g.dirs)
	if err != nil {
		return err
	}
	keys := make([]audit.Key, len(read))
	for i, r := range read {
		keys[i] = audit.KeyOf(r.Key, r.Store, r.Scope)
	}
	if err := audit.Append(path, audit.New(envName, envFile, label, program, keys, launch)); err != nil {
		return err
	}
	g.verbosef("audit: a line for this run in %s", path)
	return nil
}
