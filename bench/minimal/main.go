//go:build unix

// Command minimal is the launch-cost baseline for bench/launch.sh: the least a Go launcher
// can do, which is to read one file and exec a program with one extra variable.
package main

import (
	"os"
	"os/exec"
	"syscall"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Exit(125)
	}
	path, err := exec.LookPath(os.Args[2])
	if err != nil {
		os.Exit(127)
	}
	env := append(os.Environ(), "BASELINE="+string(data[:min(len(data), 16)]))
	syscall.Exec(path, os.Args[2:], env) // returns only on failure
	os.Exit(126)
}
