//go:build !unix

package launcher

import (
	"os"
	"os/exec"
)

// ownGroup leaves cmd as it is: without Unix process groups, the context kills the program
// and WaitDelay bounds the wait for anything it left holding its output.
func ownGroup(*exec.Cmd) {}

// killGroup does nothing without Unix process groups.
func killGroup(*exec.Cmd) {}

// openCache opens the probe cache for reading.
func openCache(path string) (*os.File, error) { return os.Open(path) }
