package launcher

import (
	"errors"

	"github.com/secrun/secrun/internal/dirs"
)

// Cleanup is RemoveStale, which does nothing on Windows (a live private directory cannot be told
// from a killed secrun's there); another user's directories (uid >= 0) are not reachable.
func Cleanup(uid int, places dirs.Dirs) error {
	if uid >= 0 {
		return errors.New("cleanup --uid is for Unix batch systems (a SLURM epilog); on Windows secrun cannot tell a killed secrun's private directory from a live one")
	}
	RemoveStale(places)
	return nil
}
