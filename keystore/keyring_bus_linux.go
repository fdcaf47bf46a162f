//go:build linux && !lean

package keystore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strings"
	"time"

	dbus "github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// A session bus address names a socket that anyone may have bound: a unix:path= socket in
// /tmp or an abstract name is free again once its bus has exited (after a logout, in a tmux
// that survived it, on a compute node that a batch job copied the address to). So secrun
// trusts a bus only when it can see who runs it: it connects only to unix:path= and
// unix:abstract= sockets, and uses one only when the process at the other end (SO_PEERCRED of
// that very connection) runs as the user or root. The Secret Service on it must then belong
// to the user: see checkOwner.

// refusal is a bus or service that secrun does not trust with values; its text says why.
type refusal string

func (r refusal) Error() string { return string(r) }

// badTransport is a refused address entry whose transport secrun does not use.
type badTransport string

func (b badTransport) Error() string { return string(b) }

const onlyUnix = "secrun uses only unix:path= and unix:abstract= addresses, whose other end it can check"

// busSocket returns the socket to dial for one entry of a bus address list ("@name" for an
// abstract socket), or the refusal that says why secrun does not use the entry.
func busSocket(entry string) (string, error) {
	transport, params, ok := strings.Cut(entry, ":")
	if !ok {
		return "", fmt.Errorf("the session bus address %q has no transport", entry)
	}
	keys := map[string]string{}
	for _, kv := range strings.Split(params, ",") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return "", fmt.Errorf("the session bus address %q is not key=value pairs", entry)
		}
		u, err := dbus.UnescapeBusAddressValue(v)
		if err != nil {
			return "", fmt.Errorf("the session bus address %q: %w", entry, err)
		}
		keys[k] = u
	}
	switch transport {
	case "unix":
		path, abstract := keys["path"], keys["abstract"]
		switch {
		case path != "" && abstract != "":
			return "", fmt.Errorf("the session bus address %q names both a path and an abstract socket", entry)
		case path != "":
			return path, nil
		case abstract != "":
			return "@" + abstract, nil
		case keys["tmpdir"] != "" || keys["dir"] != "" || keys["runtime"] != "":
			return "", badTransport(fmt.Sprintf("the session bus address %s is one a bus listens on (tmpdir=, dir=, runtime=), not one to connect to", entry))
		}
		return "", fmt.Errorf("the session bus address %q names no socket (path= or abstract=)", entry)
	case "tcp", "nonce-tcp":
		return "", badTransport(fmt.Sprintf("the session bus address %s is a TCP address, whose other end anyone on the network may be", entry))
	}
	return "", badTransport(fmt.Sprintf("the session bus address %s uses the transport %q", entry, transport))
}

// dialBus connects to the first entry of the ';'-separated address list that leads to a bus
// run by the user or root, authenticates and says Hello, all within ctx's deadline. It
// returns the connection and its socket. When no entry is used, the error says why for each;
// it is a refusal when any entry was refused.
func dialBus(ctx context.Context, address string) (*dbus.Conn, *net.UnixConn, error) {
	var reasons []string
	refused, transport := false, false
	for _, entry := range strings.Split(address, ";") {
		if entry == "" {
			continue
		}
		conn, sock, err := dialEntry(ctx, entry)
		if err == nil {
			return conn, sock, nil
		}
		var r refusal
		var b badTransport
		refused = refused || errors.As(err, &r)
		transport = transport || errors.As(err, &b)
		reasons = append(reasons, err.Error())
	}
	if len(reasons) == 0 {
		return nil, nil, fmt.Errorf("the session bus address %q is empty", address)
	}
	if transport {
		reasons = append(reasons, onlyUnix)
	}
	text := strings.Join(reasons, "; ")
	if refused || transport {
		return nil, nil, refusal(text)
	}
	return nil, nil, errors.New(text)
}

func dialEntry(ctx context.Context, entry string) (*dbus.Conn, *net.UnixConn, error) {
	addr, err := busSocket(entry)
	if err != nil {
		return nil, nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", addr)
	if err != nil {
		return nil, nil, err
	}
	sock := c.(*net.UnixConn)
	if err := checkPeer(sock, entry); err != nil {
		sock.Close()
		return nil, nil, err
	}
	// The socket's deadline bounds the authentication and the Hello, which godbus does
	// without a context; it is lifted once the bus has answered.
	deadline, _ := ctx.Deadline()
	sock.SetDeadline(deadline)
	conn, err := dbus.DialUnix(sock)
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		sock.Close()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil, fmt.Errorf("the session bus at %s did not answer within %v", entry, callTimeout)
		}
		return nil, nil, fmt.Errorf("the session bus at %s: %w", entry, err)
	}
	sock.SetDeadline(time.Time{})
	return conn, sock, nil
}

// checkPeer refuses a socket whose other end runs as neither the user nor root. SO_PEERCRED
// gives the process that set the socket listening: the bus daemon, or the systemd that
// activates it.
func checkPeer(sock *net.UnixConn, entry string) error {
	raw, err := sock.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return refusal(fmt.Sprintf("cannot tell who runs the session bus at %s: %v", entry, cerr))
	}
	if me := uint32(os.Geteuid()); cred.Uid != me && cred.Uid != 0 {
		return refusal(fmt.Sprintf("the session bus at %s is run by another user, uid %s; secrun uses only a bus run by you (uid %d) or root",
			entry, describeUID(cred.Uid), me))
	}
	return nil
}

// checkOwner returns the unique name of the connection that owns the Secret Service on the
// bus, after checking that it runs as the user. Calls then go to that unique name, not to
// the well-known one, so a name that changes hands later cannot take them over.
func checkOwner(ctx context.Context, conn *dbus.Conn) (string, error) {
	var owner string
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, ssName).Store(&owner); err != nil {
		return "", err
	}
	var uid uint32
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetConnectionUnixUser", 0, owner).Store(&uid); err != nil {
		return "", err
	}
	if me := uint32(os.Geteuid()); uid != me {
		return "", refusal(fmt.Sprintf("%s on the session bus belongs to another user, uid %s; secrun gives values only to a Secret Service that runs as you (uid %d)",
			ssName, describeUID(uid), me))
	}
	return owner, nil
}

// describeUID is "1001 (alice)", or "1001" when the user has no name.
func describeUID(uid uint32) string {
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil {
		return fmt.Sprintf("%d (%s)", uid, u.Username)
	}
	return fmt.Sprint(uid)
}
