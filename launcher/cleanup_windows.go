package launcher

import "errors"

// Cleanup removes the private directories that killed secruns of the calling user left behind
// (uid < 0); another user's are not reachable on Windows.
func Cleanup(uid int) error {
	if uid >= 0 {
		return errors.New("cleanup --uid is for Unix batch systems (a SLURM epilog); run 'secrun cleanup' as the user instead")
	}
	RemoveStale()
	return nil
}
