// Package integration holds secrun's end-to-end tests: testscript scripts that run the real
// CLI in a private HOME, and Go tests that start many secrun processes at once.
package integration

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/secrun/secrun/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secrun": func() { os.Exit(cli.Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) { testscript.Run(t, scriptParams()) }

// scriptParams are the scripts of testdata/script with their setup, commands and conditions.
func scriptParams() testscript.Params {
	return testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupHome,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"status":    cmdStatus,
			"nodaemons": cmdNoDaemons,
			"randfile":  cmdRandfile,
			"sysuser":   cmdSysUser,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keyring":
				return os.Getenv("SECRUN_TEST_DBUS") != "", nil
			case "sysusers": // sysuser can create users and groups; a failure under CI=true
				if os.Geteuid() != 0 && os.Getenv("CI") == "true" {
					return false, errors.New("the scripts with a second user need root (useradd, groupadd)")
				}
				return os.Geteuid() == 0, nil
			case "bashcompletion":
				_, err := os.Stat(bashCompletionLib)
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

// TestKeyringService fails under CI=true when test.sh could not start the Secret Service that
// the keyring scripts ([keyring] in testdata/script) need, and says how to get it elsewhere.
func TestKeyringService(t *testing.T) {
	if os.Getenv("SECRUN_TEST_DBUS") != "" {
		return
	}
	msg := "no Secret Service for the keyring tests: run ./test.sh, which (as root) installs gnome-keyring and starts it on a private bus (testenv/keyring.sh), or export SECRUN_TEST_DBUS and SECRUN_TEST_DBUS_LOCKED yourself"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// setupHome gives each script its own HOME and XDG directories, so that nothing of the
// developer's own secrets or definitions is read.
func setupHome(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, "home")
	// testscript passes no variable of its own environment on, so HOME places every file;
	// XDG_CONFIG_HOME and XDG_STATE_HOME keep the scripts' Linux paths on macOS and Windows.
	env.Setenv("HOME", home)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	env.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	env.Setenv("USER", "tester")
	// The keyring scripts reach the test Secret Service through these; no other script sees
	// a bus. Each script gets its own keyring service name, so that scripts running at the
	// same time never see each other's items.
	env.Setenv("SECRUN_TEST_DBUS", os.Getenv("SECRUN_TEST_DBUS"))
	env.Setenv("SECRUN_TEST_DBUS_LOCKED", os.Getenv("SECRUN_TEST_DBUS_LOCKED"))
	env.Setenv("SECRUN_KEYRING_SERVICE", fmt.Sprintf("secrun-test-%s-%d-%d", filepath.Base(env.WorkDir), os.Getpid(), time.Now().UnixNano()))
	env.Setenv("XDG_RUNTIME_DIR", filepath.Join(env.WorkDir, "run")) // private directories land here
	if err := os.MkdirAll(filepath.Join(env.WorkDir, "run"), 0o700); err != nil {
		return err
	}
	return os.MkdirAll(home, 0o700)
}

// isolatedEnv returns this process's environment without the variables that place secrun's
// files or reach a keyring (HOME, XDG_*, SECRUN_*, DBUS_*), with HOME=home and then extra: on
// Linux, HOME alone then places every file that secrun reads or writes.
func isolatedEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "HOME" && !strings.HasPrefix(name, "XDG_") && !strings.HasPrefix(name, "SECRUN_") && !strings.HasPrefix(name, "DBUS_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "HOME="+home), extra...)
}

// daemonNames are the processes that a D-Bus client can leave behind: dbus-launch starts a
// dbus-daemon, and a bus may start gnome-keyring-daemon (its comm is cut to 15 characters).
var daemonNames = []string{"dbus-launch", "dbus-daemon", "gnome-keyring-d"}

// daemons returns the PIDs of running processes named in daemonNames.
func daemons() map[string]bool {
	pids := map[string]bool{}
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		b, err := os.ReadFile(c)
		if err == nil && slices.Contains(daemonNames, strings.TrimSpace(string(b))) {
			pids[filepath.Base(filepath.Dir(c))] = true
		}
	}
	return pids
}

// cmdNoDaemons runs a command, like exec, and fails if a dbus-launch, dbus-daemon or
// gnome-keyring-daemon process appeared meanwhile and is still running: 'nodaemons secrun ...'.
func cmdNoDaemons(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: nodaemons command [args...]")
	}
	if _, err := os.Stat("/proc/self/comm"); err != nil {
		ts.Fatalf("nodaemons needs /proc")
	}
	before := daemons()
	ts.Check(ts.Exec(args[0], args[1:]...))
	for pid := range daemons() {
		if !before[pid] {
			cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
			ts.Fatalf("%s left a process running: pid %s: %s", args[0], pid, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
}

// cmdStatus runs a command and checks its exact exit status: 'status 125 secrun ...'.
// The command's stdout and stderr are then checked with the usual stdout/stderr commands.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
		if got == -1 {
			ts.Fatalf("%s was killed: %v", args[1], err)
		}
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// sysuserCount makes the names of sysuser's users and groups unique within the test binary.
var sysuserCount atomic.Int32

// cmdSysUser creates a throwaway user (without a home directory) or group, removed when the
// script ends, and sets VAR to its name: 'sysuser user|group VAR'. 'sysuser user VAR HOMEVAR'
// also gives the user a fresh home directory of its own outside $WORK (which only root can
// enter), removed at the end, and sets HOMEVAR to its path. It needs root; scripts that use
// it start with '[!sysusers] skip'.
func cmdSysUser(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 || args[0] != "user" && args[0] != "group" || len(args) == 3 && args[0] != "user" {
		ts.Fatalf("usage: sysuser user|group VAR, or sysuser user VAR HOMEVAR")
	}
	name := fmt.Sprintf("srt%d_%d", os.Getpid(), sysuserCount.Add(1))
	add, del := exec.Command("groupadd", name), "groupdel"
	home := ""
	if args[0] == "user" {
		flags := []string{"-M", "-s", "/usr/sbin/nologin"}
		if len(args) == 3 {
			var err error
			if home, err = os.MkdirTemp("", "secrun-home-"); err != nil {
				ts.Fatalf("sysuser: %v", err)
			}
			ts.Defer(func() { os.RemoveAll(home) })
			flags = append(flags, "-d", home)
		}
		add, del = exec.Command("useradd", append(flags, name)...), "userdel"
	}
	if out, err := add.CombinedOutput(); err != nil {
		ts.Fatalf("%s: %v: %s", add, err, out)
	}
	ts.Defer(func() { exec.Command(del, name).Run() })
	ts.Setenv(args[1], name)
	if home != "" {
		if out, err := exec.Command("chown", name+":", home).CombinedOutput(); err != nil {
			ts.Fatalf("chown %s: %v: %s", home, err, out)
		}
		ts.Setenv(args[2], home)
	}
}

// cmdRandfile writes SIZE pseudo-random bytes (the same ones every run) to FILE:
// 'randfile FILE SIZE'. Binary secrets in scripts come from it.
func cmdRandfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: randfile FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("randfile: bad size %q", args[1])
	}
	data := make([]byte, n)
	x := uint32(2463534242)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
}
