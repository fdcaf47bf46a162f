//go:build linux

package integration

import (
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
	"testing"
)

// localUser returns the credentials of the local account name, created with useradd (no home,
// no login shell) when it is missing. Tests that need a second user call it; it needs root,
// so it fails under CI=true without root and skips elsewhere. The accounts are kept for later
// runs.
func localUser(t *testing.T, name string) *syscall.Credential {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root, to add a second user with useradd")
		}
		t.Skip("needs root, to add a second user with useradd")
	}
	u, err := user.Lookup(name)
	if err != nil {
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v\n%s", name, err, out)
		}
		if u, err = user.Lookup(name); err != nil {
			t.Fatal(err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
