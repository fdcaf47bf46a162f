//go:build unix && !linux

package launcher

// nonDumpable does nothing outside Linux: the core-dump limit is the only protection there.
func nonDumpable() {}
