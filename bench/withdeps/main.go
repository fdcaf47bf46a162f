//go:build unix

// Command withdeps is bench/minimal plus the package initialisation of the dependencies that
// lean secrun links (go-toml and mvdan.cc/sh's parser, and what they import), which every
// launch pays before main. bench/launch.sh times it to show the floor that those set.
package main

import (
	"os"
	"os/exec"
	"syscall"

	_ "github.com/pelletier/go-toml/v2"
	_ "mvdan.cc/sh/v3/syntax"
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
