//go:build windows

// Command wintool is the Windows side of wine_test.go: it is the parent that runs secrun.exe
// and reports its exit status (wine's own exit status is not the child's), and the child
// that shows what secrun gave it.
//
//	wintool run [-env NAME=VALUE | -unset NAME]... -- PROGRAM ARG...
//	    runs PROGRAM with stdin passed through and prints {"stdout","stderr","code"} as JSON
//	wintool args ARG...          prints each argument as [ARG] on a line
//	wintool env NAME...          prints NAME=VALUE, or NAME unset, for each name
//	wintool exit CODE            exits with CODE (decimal, up to 32 bits)
//	wintool cat FILE...          prints each file
//	wintool open PATH            adds an ACE that gives Everyone read access to PATH
//	wintool sddl PATH            prints the owner and DACL of PATH in SDDL
//	wintool hold FILE MS         creates FILE and starts a process that keeps it open, not
//	                             to be deleted, for MS milliseconds; returns once it is open
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/windows"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: wintool run|args|env|exit|cat|open|sddl ..."))
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "run":
		run(args)
	case "args":
		for _, a := range args {
			fmt.Printf("[%s]\n", a)
		}
	case "env":
		for _, n := range args {
			if v, ok := os.LookupEnv(n); ok {
				fmt.Printf("%s=%s\n", n, v)
			} else {
				fmt.Printf("%s unset\n", n)
			}
		}
	case "exit":
		n, err := strconv.ParseUint(args[0], 10, 32)
		if err != nil {
			fail(err)
		}
		windows.ExitProcess(uint32(n))
	case "cat":
		for _, f := range args {
			b, err := os.ReadFile(f)
			if err != nil {
				fail(err)
			}
			os.Stdout.Write(b)
		}
	case "open":
		fail(openToEveryone(args[0]))
	case "hold":
		hold(args[0], args[1])
	case "held":
		held(args[0], args[1])
	case "sddl":
		sd, err := windows.GetNamedSecurityInfo(args[0], windows.SE_FILE_OBJECT,
			windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
		if err != nil {
			fail(err)
		}
		fmt.Println(sd.String())
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func run(args []string) {
	env := os.Environ()
	for len(args) > 0 && args[0] != "--" {
		switch {
		case args[0] == "-env" && len(args) > 1:
			name, _, _ := strings.Cut(args[1], "=")
			env = append(unset(env, name), args[1])
		case args[0] == "-unset" && len(args) > 1:
			env = unset(env, args[1])
		default:
			fail(fmt.Errorf("run: bad option %q", args[0]))
		}
		args = args[2:]
	}
	if len(args) < 2 {
		fail(errors.New("run: no program after --"))
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fail(err)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"stdout": out.String(), "stderr": errOut.String(), "code": uint32(cmd.ProcessState.ExitCode()),
	})
}

func unset(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !strings.EqualFold(k, name) {
			out = append(out, kv)
		}
	}
	return out
}

// openToEveryone adds an allow ACE for Everyone (read) to the DACL of path.
func openToEveryone(path string) error {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return err
	}
	old, _, err := sd.DACL()
	if err != nil {
		return err
	}
	everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
	if err != nil {
		return err
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_READ,
		AccessMode:        windows.GRANT_ACCESS,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
			TrusteeValue: windows.TrusteeValueFromSID(everyone)},
	}}, old)
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
}

func hold(file, ms string) {
	cmd := exec.Command(os.Args[0], "held", file, ms)
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	fail(cmd.Start())
	b := make([]byte, 1)
	if _, err := out.Read(b); err != nil {
		fail(fmt.Errorf("hold: %w", err))
	}
}

// held opens file with no sharing at all and sleeps, then says so on stdout.
func held(file, ms string) {
	p, err := windows.UTF16PtrFromString(file)
	fail(err)
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_ALWAYS, 0, 0)
	fail(err)
	fmt.Print("o")
	os.Stdout.Close()
	n, err := strconv.Atoi(ms)
	fail(err)
	windows.SleepEx(uint32(n), false)
	windows.CloseHandle(h)
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "wintool:", err)
		os.Exit(99)
	}
}
