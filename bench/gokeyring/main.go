//go:build unix

// Command gokeyring is the "before" baseline of bench/launch.sh for the keyring: it fetches
// each named secret with go-keyring's plain keyring.Get, one Secret Service session and about
// seven D-Bus round trips per key, then execs the command with them, as a launcher built on
// go-keyring's API would. Usage: gokeyring SERVICE KEY,KEY,... COMMAND [ARGS...]
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/zalando/go-keyring"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: gokeyring SERVICE KEY,KEY,... COMMAND [ARGS...]")
		os.Exit(2)
	}
	env := os.Environ()
	for _, k := range strings.Split(os.Args[2], ",") {
		v, err := keyring.Get(os.Args[1], k)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gokeyring: %s: %v\n", k, err)
			os.Exit(1)
		}
		env = append(env, k+"="+v)
	}
	path, err := exec.LookPath(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gokeyring:", err)
		os.Exit(127)
	}
	err = syscall.Exec(path, os.Args[3:], env)
	fmt.Fprintln(os.Stderr, "gokeyring:", err)
	os.Exit(126)
}
