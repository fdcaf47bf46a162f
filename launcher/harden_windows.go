//go:build windows

package launcher

// Harden does nothing on Windows, which has no core-dump limit to lower; Windows Error
// Reporting's dumps are configured system-wide.
func Harden() {}
