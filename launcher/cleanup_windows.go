package launcher

import (
	"errors"

	"github.com/secrun/secrun/internal/dirs"
)

// Cleanup removes the private directories that killed secruns of the calling user left behind
// (uid < 0), whose directories are places; another user's are not reachable on Windows.
func Cleanup(uid int, places dirs.Dirs) error {
	if uid >= 0 {
		return errors.New("cleanup --uid is for Unix batch systems (a SLURM epilog); run 'secrun cleanup' as the user instead")
	}
	RemoveStale(places)
	return nil
}
