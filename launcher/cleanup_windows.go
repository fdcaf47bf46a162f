package launcher

import (
	"errors"

	"github.com/secrun/secrun/internal/dirs"
)

// Cleanup refuses on Windows: RemoveStale does nothing there (a live private directory cannot be
// told from a killed secrun's), so a cleanup that reported success would mislead.
func Cleanup(uid int, places dirs.Dirs) error {
	return errors.New("secrun cleanup is for Unix nodes; on Windows secrun cannot tell a killed secrun's private directory from a live one, so it removes none: delete leftover secrun-* directories in %TEMP% by hand")
}
