//go:build linux

package keystore

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBusSocket(t *testing.T) {
	for _, c := range []struct {
		entry, socket string
		refused       bool // a transport secrun does not use
		bad           bool // not an address secrun can read
	}{
		{entry: "unix:path=/run/user/1000/bus", socket: "/run/user/1000/bus"},
		{entry: "unix:path=/tmp/dbus-X,guid=0123abcd", socket: "/tmp/dbus-X"},
		{entry: "unix:path=/tmp/a%20b", socket: "/tmp/a b"},
		{entry: "unix:abstract=/tmp/dbus-X,guid=0123abcd", socket: "@/tmp/dbus-X"},
		{entry: "unix:tmpdir=/tmp", refused: true},
		{entry: "unix:dir=/tmp", refused: true},
		{entry: "unix:runtime=yes", refused: true},
		{entry: "tcp:host=127.0.0.1,port=4711", refused: true},
		{entry: "nonce-tcp:host=127.0.0.1,port=4711,noncefile=/tmp/n", refused: true},
		{entry: "unixexec:path=/bin/sh", refused: true},
		{entry: "launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", refused: true},
		{entry: "systemd:", refused: true},
		{entry: "autolaunch:scope=x", refused: true},
		{entry: "no-transport", bad: true},
		{entry: "unix:path", bad: true},
		{entry: "unix:", bad: true},
		{entry: "unix:path=/a,abstract=b", bad: true},
		{entry: "unix:path=%zz", bad: true},
	} {
		got, err := busSocket(c.entry)
		var b badTransport
		switch {
		case c.refused && !errors.As(err, &b):
			t.Errorf("%s: got %q, %v; want a refused transport", c.entry, got, err)
		case c.bad && (err == nil || errors.As(err, &b)):
			t.Errorf("%s: got %q, %v; want a malformed address", c.entry, got, err)
		case !c.refused && !c.bad && (err != nil || got != c.socket):
			t.Errorf("%s: got %q, %v; want %q", c.entry, got, err, c.socket)
		}
	}
}

// A socket that accepts the connection and then never answers must not hold up dialBus past
// its deadline; the socket is this process's own, so the peer check passes.
func TestDialBusSilentPeer(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = dialBus(ctx, "unix:path="+sock)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("dialBus took %v", took)
	}
	if err == nil || !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("dialBus: %v, want: did not answer", err)
	}
	var r refusal
	if errors.As(err, &r) {
		t.Errorf("a silent bus of the user's own is no refusal: %v", err)
	}
}

// Refused entries are skipped and reported together, with the rule once.
func TestDialBusRefusedList(t *testing.T) {
	_, _, err := dialBus(context.Background(), "tcp:host=127.0.0.1,port=1;unix:tmpdir=/tmp")
	var r refusal
	if !errors.As(err, &r) {
		t.Fatalf("dialBus: %v, want a refusal", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "tcp:host=127.0.0.1,port=1 is a TCP address") || !strings.Contains(msg, "unix:tmpdir=/tmp is one a bus listens on") ||
		strings.Count(msg, onlyUnix) != 1 {
		t.Errorf("dialBus: %s", msg)
	}
}
