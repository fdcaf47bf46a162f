//go:build linux

package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests put secrun in front of a Secret Service it must not trust: one on a bus that
// another user runs, one that another user runs on a bus that lets every user in, one behind
// a TCP address; and in front of a trusted one that never answers Session.Close. The other
// user is a throwaway account (attackerName), created when missing; the tests run as root.

const (
	attackerName = "secrun-attacker"
	victimSecret = "victim-s3cr3t-4711"
)

// openBusConfig is a dbus-daemon configuration that lets every user connect and own any name,
// as a hostile user would write it (or as a shared bus is set up).
const openBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

var (
	fakeOnce sync.Once
	fakeDir  string
	fakeErr  error
)

// trustSetup returns a directory readable by every user that holds the fakesecrets helper
// and the open bus configuration.
func trustSetup(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		msg := "the keyring trust tests need root (to run a bus and a service as another user)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, prog := range []string{"dbus-daemon", "useradd"} {
		if _, err := exec.LookPath(prog); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing: ./test.sh installs dbus", prog)
			}
			t.Skipf("%s is missing: ./test.sh installs dbus", prog)
		}
	}
	fakeOnce.Do(func() {
		fakeDir, fakeErr = os.MkdirTemp("", "secrun-fakesecrets-")
		if fakeErr != nil {
			return
		}
		os.Chmod(fakeDir, 0o755)
		out, err := exec.Command("go", "build", "-o", filepath.Join(fakeDir, "fakesecrets"), "./testdata/fakesecrets").CombinedOutput()
		if err != nil {
			fakeErr = errors.New("go build fakesecrets: " + err.Error() + "\n" + string(out))
			return
		}
		fakeErr = os.WriteFile(filepath.Join(fakeDir, "open.conf"), []byte(openBusConfig), 0o644)
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakeDir
}

// attacker returns the credentials of the throwaway user, creating it when missing.
func attacker(t *testing.T) *syscall.Credential { return localUser(t, attackerName) }

// sharedDir returns a fresh directory that every user can enter, owned by cred's user (root
// when cred is nil).
func sharedDir(t *testing.T, cred *syscall.Credential) string {
	t.Helper()
	d, err := os.MkdirTemp("", "secrun-trust-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	os.Chmod(d, 0o755)
	if cred != nil {
		os.Chown(d, int(cred.Uid), int(cred.Gid))
	}
	return d
}

// startAs starts a long-running program as cred's user (as root when cred is nil), returns
// its first line of output, and stops it (by its PID) when the test ends.
func startAs(t *testing.T, cred *syscall.Credential, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	c.Env = []string{"PATH=/usr/bin:/bin", "HOME=/"}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- strings.TrimSpace(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case line := <-lines:
		if line == "" {
			t.Fatalf("%s printed nothing: %s", name, stderr.String())
		}
		return line
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start: %s", name, stderr.String())
	}
	return ""
}

// startBus starts a dbus-daemon with the open configuration, listening on listen, as cred's
// user, and returns its address.
func startBus(t *testing.T, dir string, cred *syscall.Credential, listen string) string {
	return startAs(t, cred, "dbus-daemon", "--config-file="+filepath.Join(dir, "open.conf"),
		"--nofork", "--address="+listen, "--print-address=1")
}

// startService starts fakesecrets on the bus at addr as cred's user; it records the values it
// receives in record.
func startService(t *testing.T, dir string, cred *syscall.Credential, addr, record string, extra ...string) {
	if line := startAs(t, cred, filepath.Join(dir, "fakesecrets"), append([]string{"-bus", addr, "-record", record}, extra...)...); line != "ready" {
		t.Fatalf("fakesecrets: %s", line)
	}
}

// victim is a private HOME of a user, root or cred's, with an environment "E" that needs the
// secret K.
type victim struct {
	t    *testing.T
	cred *syscall.Credential
	bin  string
	env  []string
}

func newVictim(t *testing.T, busAddr string) *victim {
	return newVictimAs(t, nil, busAddr)
}

// newVictimAs makes the victim cred's user (root when cred is nil), with a copy of secrun
// that the user can run.
func newVictimAs(t *testing.T, cred *syscall.Credential, busAddr string) *victim {
	v := &victim{t: t, cred: cred, bin: secrunBinary(t)}
	home := filepath.Join(t.TempDir(), "home")
	if cred != nil {
		home = filepath.Join(sharedDir(t, cred), "home")
		v.bin = filepath.Join(filepath.Dir(home), "secrun")
		data, err := os.ReadFile(secrunBinary(t))
		if err == nil {
			err = os.WriteFile(v.bin, data, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(home, ".config", "secrun")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "envs.toml"), []byte("[[env]]\nname = \"E\"\nsecrets = [\"K\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		for _, p := range []string{home, filepath.Join(home, ".config"), cfg, filepath.Join(cfg, "envs.toml")} {
			os.Chown(p, int(cred.Uid), int(cred.Gid))
		}
	}
	v.env = []string{"PATH=/usr/bin:/bin", "HOME=" + home, "XDG_RUNTIME_DIR=" + home,
		"SECRUN_KEYRING_SERVICE=secrun-trust-test", "DBUS_SESSION_BUS_ADDRESS=" + busAddr}
	return v
}

// run runs secrun and returns its status, output and how long it took; a run that takes more
// than 30 s is killed and fails the test.
func (v *victim) run(stdin string, args ...string) (int, string, string, time.Duration) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, v.bin, args...)
	c.Env, c.Dir = v.env, os.TempDir()
	c.SysProcAttr = &syscall.SysProcAttr{Credential: v.cred}
	c.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	start := time.Now()
	err := c.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		v.t.Fatalf("secrun %s hung (killed after %v): %s", strings.Join(args, " "), took.Round(time.Second), stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		v.t.Fatal(err)
	}
	if strings.Contains(stderr.String(), victimSecret) {
		v.t.Errorf("secrun %s printed the value on stderr", strings.Join(args, " "))
	}
	return code, stdout.String(), stderr.String(), took
}

// checkRefused checks that secrun keeps its values from the service behind addr: under auto a
// new secret goes to the file store and --verbose, doctor and an explicit --store keyring say
// why (want, a regular expression-free substring, is the reason); nothing reaches record.
func checkRefused(t *testing.T, addr, record, want string) {
	checkRefusedAs(t, nil, addr, record, want)
}

func checkRefusedAs(t *testing.T, cred *syscall.Credential, addr, record, want string) {
	v := newVictimAs(t, cred, addr)
	code, _, stderr, _ := v.run(victimSecret, "-v", "secrets", "set", "K")
	if code != 0 || !strings.Contains(stderr, `stored secret "K" in the file store`) {
		t.Errorf("secrets set under auto: status %d, want the file store:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "writing to the file store: the keyring (Secret Service) is not available: ") || !strings.Contains(stderr, want) {
		t.Errorf("--verbose does not say why the keyring is not used (want %q):\n%s", want, stderr)
	}
	code, stdout, stderr, _ := v.run("", "-e", "E", "--", "sh", "-c", `printf %s "$K"`)
	if code != 0 || stdout != victimSecret {
		t.Errorf("run: status %d, output %q:\n%s", code, stdout, stderr)
	}
	code, _, stderr, _ = v.run("", "secrets", "doctor")
	if code != 0 || !strings.Contains(stderr, "no keyring here: ") || !strings.Contains(stderr, want) {
		t.Errorf("secrets doctor: status %d, want a line that says why:\n%s", code, stderr)
	}
	code, _, stderr, _ = v.run("other-s3cr3t", "--store", "keyring", "secrets", "set", "K2")
	if code != 125 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "secrun: hint: ") {
		t.Errorf("--store keyring: status %d, want 125 with the reason and a hint:\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(record); len(data) > 0 {
		t.Errorf("the untrusted Secret Service received values:\n%s", data)
	}
}

func TestKeyringRefusesAnotherUsersBus(t *testing.T) {
	dir := trustSetup(t)
	att := attacker(t)
	own := sharedDir(t, att)
	want := fmt.Sprintf("is run by another user, uid %d (%s)", att.Uid, attackerName)
	t.Run("path", func(t *testing.T) {
		record := filepath.Join(own, "record-path")
		addr := startBus(t, dir, att, "unix:path="+filepath.Join(own, "bus"))
		startService(t, dir, att, addr, record)
		checkRefused(t, addr, record, want)
		// the address a bus hands out (with its guid), the plain path, and a list whose
		// first entry is refused all lead to the same check
		checkRefused(t, "unix:path="+filepath.Join(own, "bus"), record, want)
		checkRefused(t, "tcp:host=127.0.0.1,port=1;unix:path="+filepath.Join(own, "bus"), record, want)
	})
	t.Run("abstract", func(t *testing.T) {
		record := filepath.Join(own, "record-abstract")
		addr := startBus(t, dir, att, fmt.Sprintf("unix:abstract=secrun-trust-%d", os.Getpid()))
		startService(t, dir, att, addr, record)
		checkRefused(t, addr, record, want)
	})
}

// TestKeyringRefusesPlantedValues: the keyring index lists K (stored in the user's own
// keyring), and another user's bus at the address offers a K of its choosing; the run must not
// get that value.
func TestKeyringRefusesPlantedValues(t *testing.T) {
	dir := trustSetup(t)
	att := attacker(t)
	shared, own := sharedDir(t, nil), sharedDir(t, att)
	mine := startBus(t, dir, nil, "unix:path="+filepath.Join(shared, "bus"))
	startService(t, dir, nil, mine, filepath.Join(shared, "record"))
	v := newVictim(t, mine)
	if code, _, stderr, _ := v.run(victimSecret, "secrets", "set", "K"); code != 0 || !strings.Contains(stderr, "in the keyring store") {
		t.Fatalf("secrets set on the user's own keyring: status %d:\n%s", code, stderr)
	}
	theirs := startBus(t, dir, att, "unix:path="+filepath.Join(own, "bus"))
	startService(t, dir, att, theirs, filepath.Join(own, "record"), "-plant", "secrun-trust-test/K=planted-by-attacker")
	for i, kv := range v.env {
		if strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			v.env[i] = "DBUS_SESSION_BUS_ADDRESS=" + theirs
		}
	}
	code, stdout, stderr, _ := v.run("", "-e", "E", "--", "sh", "-c", `printf %s "$K"`)
	if strings.Contains(stdout, "planted-by-attacker") {
		t.Fatalf("the run got the value another user's Secret Service chose")
	}
	if code != 125 || !strings.Contains(stderr, "is run by another user") {
		t.Errorf("run: status %d, want 125 with the reason:\n%s", code, stderr)
	}
	code, stdout, stderr, _ = v.run("", "secrets", "get", "K")
	if strings.Contains(stdout, "planted-by-attacker") || code != 125 {
		t.Errorf("secrets get: status %d, output %q:\n%s", code, stdout, stderr)
	}
}

func TestKeyringRefusesAnotherUsersService(t *testing.T) {
	dir := trustSetup(t)
	att := attacker(t)
	shared := sharedDir(t, nil)
	own := sharedDir(t, att)
	record := filepath.Join(own, "record")
	addr := startBus(t, dir, nil, "unix:path="+filepath.Join(shared, "bus"))
	startService(t, dir, att, addr, record)
	checkRefused(t, addr, record, fmt.Sprintf("org.freedesktop.secrets on the session bus belongs to another user, uid %d (%s)", att.Uid, attackerName))
}

func TestKeyringRefusesTCP(t *testing.T) {
	dir := trustSetup(t)
	shared := sharedDir(t, nil)
	record := filepath.Join(shared, "record")
	sock := filepath.Join(shared, "bus")
	addr := startBus(t, dir, nil, "unix:path="+sock)
	startService(t, dir, nil, addr, record)
	// the user's own bus and service, reached over TCP: a relay to the bus's socket
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("unix", sock)
			if err != nil {
				in.Close()
				continue
			}
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	checkRefused(t, fmt.Sprintf("tcp:host=127.0.0.1,port=%d", port), record, "is a TCP address")
}

// TestKeyringCloseHang: a Secret Service of the user's own that hands out values but never
// answers Session.Close must not hold up a run, nor get, list or set.
func TestKeyringCloseHang(t *testing.T) {
	dir := trustSetup(t)
	shared := sharedDir(t, nil)
	record := filepath.Join(shared, "record")
	addr := startBus(t, dir, nil, "unix:path="+filepath.Join(shared, "bus"))
	startService(t, dir, nil, addr, record, "-hang-close")
	v := newVictim(t, addr)
	const limit = 5 * time.Second
	check := func(what string, code int, stderr string, took time.Duration) {
		t.Helper()
		if code != 0 {
			t.Errorf("%s: status %d:\n%s", what, code, stderr)
		}
		if took > limit {
			t.Errorf("%s took %v, more than %v", what, took.Round(time.Millisecond), limit)
		}
	}
	code, _, stderr, took := v.run(victimSecret, "secrets", "set", "K")
	check("secrets set", code, stderr, took)
	if !strings.Contains(stderr, `stored secret "K" in the keyring store`) {
		t.Errorf("the user's own Secret Service was not used:\n%s", stderr)
	}
	code, stdout, stderr, took := v.run("", "-e", "E", "--", "sh", "-c", `printf %s "$K"`)
	check("a run", code, stderr, took)
	if stdout != victimSecret {
		t.Errorf("a run got %q", stdout)
	}
	code, stdout, stderr, took = v.run("", "secrets", "get", "K")
	check("secrets get", code, stderr, took)
	if strings.TrimSpace(stdout) != victimSecret {
		t.Errorf("secrets get printed %q", stdout)
	}
	code, _, stderr, took = v.run("", "secrets", "list", "--values")
	check("secrets list", code, stderr, took)
}

// otherUser returns the credentials of a second throwaway user, the victim of the tests that
// do not run as root.
func otherUser(t *testing.T) *syscall.Credential { return localUser(t, "secrun-victim") }

// TestKeyringUserOwnBus: for a user who is not root, the user's own bus and service are used,
// and so is the user's service on a bus that root runs; another user's bus is refused, and
// so is a service that root runs (only the bus may be root's).
func TestKeyringUserOwnBus(t *testing.T) {
	dir := trustSetup(t)
	me, att := otherUser(t), attacker(t)
	mine := sharedDir(t, me)
	stores := func(t *testing.T, addr, record string) {
		v := newVictimAs(t, me, addr)
		code, _, stderr, _ := v.run(victimSecret, "secrets", "set", "K")
		if code != 0 || !strings.Contains(stderr, `stored secret "K" in the keyring store`) {
			t.Errorf("secrets set: status %d, want the keyring store:\n%s", code, stderr)
		}
		code, stdout, stderr, _ := v.run("", "-e", "E", "--", "sh", "-c", `printf %s "$K"`)
		if code != 0 || stdout != victimSecret {
			t.Errorf("run: status %d, output %q:\n%s", code, stdout, stderr)
		}
		if data, _ := os.ReadFile(record); !strings.Contains(string(data), "K="+victimSecret) {
			t.Errorf("the user's own Secret Service did not get the value")
		}
	}
	t.Run("own", func(t *testing.T) {
		record := filepath.Join(mine, "record-own")
		addr := startBus(t, dir, me, "unix:path="+filepath.Join(mine, "bus-own"))
		startService(t, dir, me, addr, record)
		stores(t, addr, record)
	})
	t.Run("root-bus", func(t *testing.T) {
		record := filepath.Join(mine, "record-root-bus")
		addr := startBus(t, dir, nil, "unix:path="+filepath.Join(sharedDir(t, nil), "bus"))
		startService(t, dir, me, addr, record)
		stores(t, addr, record)
	})
	t.Run("root-service", func(t *testing.T) {
		shared := sharedDir(t, nil)
		record := filepath.Join(shared, "record")
		addr := startBus(t, dir, nil, "unix:path="+filepath.Join(shared, "bus"))
		startService(t, dir, nil, addr, record)
		checkRefusedAs(t, me, addr, record, "org.freedesktop.secrets on the session bus belongs to another user, uid 0 (root)")
	})
	t.Run("attacker-bus", func(t *testing.T) {
		own := sharedDir(t, att)
		record := filepath.Join(own, "record")
		addr := startBus(t, dir, att, "unix:path="+filepath.Join(own, "bus"))
		startService(t, dir, att, addr, record)
		checkRefusedAs(t, me, addr, record, fmt.Sprintf("is run by another user, uid %d (%s)", att.Uid, attackerName))
	})
}
