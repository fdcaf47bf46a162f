//go:build !lean

package cli

import "github.com/secrun/secrun/launcher"

// cleanupCmd removes the secret files that killed secruns left on this node.
type cleanupCmd struct {
	UID int `name:"uid" placeholder:"UID" default:"-1" help:"As root, clean up for this user instead (a SLURM epilog passes $SLURM_JOB_UID)."`
}

// Help shows how a site uses it.
func (c *cleanupCmd) Help() string {
	return `A secrun that is killed with SIGKILL (a batch job killed after its grace time, kill -9)
cannot remove the private directory that holds its secret files. Every later secrun of the same
user on the same node removes such leftovers; this command does it now. Directories of secruns
that are still running are never touched. On Windows it is refused: there secrun cannot tell
a killed secrun's directory from a live one.

Examples:
  secrun cleanup                          (your own leftovers on this node)
  secrun cleanup --uid "$SLURM_JOB_UID"   (as root, in a SLURM epilog on every node of a job
                                           once it has ended; contrib/slurm/epilog-secrun.sh)`
}

// Run removes the leftovers.
func (c *cleanupCmd) Run(g *globals) error {
	if err := launcher.Cleanup(c.UID, g.dirs); err != nil {
		return err
	}
	g.verbosef("stale private directories removed")
	return nil
}
