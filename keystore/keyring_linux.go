//go:build linux && !lean

package keystore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"time"

	dbus "github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// defaultPartSize: the Secret Service has no size limit of its own, but large items are slow;
// values above 64 KiB are split like on the other platforms.
const defaultPartSize = 64 << 10

const (
	ssName       = "org.freedesktop.secrets"
	ssPath       = "/org/freedesktop/secrets"
	ssService    = "org.freedesktop.Secret.Service"
	ssCollection = "org.freedesktop.Secret.Collection"
	ssItem       = "org.freedesktop.Secret.Item"
	ssPrompt     = "org.freedesktop.Secret.Prompt"
	ssSession    = "org.freedesktop.Secret.Session"
)

// Time limits: a call to a Secret Service that answers takes milliseconds; an unlock prompt
// waits for a person.
const (
	callTimeout   = 10 * time.Second
	promptTimeout = 2 * time.Minute
)

// newBackend returns the Secret Service backend.
func newBackend(service string) backend { return &secretService{service: service} }

// secretService talks to the freedesktop Secret Service over one private D-Bus connection,
// opened once per process: a run that needs N secrets makes one connection, one session, N
// searches sent together and one GetSecrets call. It uses go-keyring's secret_service types
// and the item attributes go-keyring uses (service, username), so go-keyring and secret-tool
// see the same items. It never lets godbus look for a bus itself, because godbus would run
// dbus-launch when none is found, which leaves a dbus-daemon behind; it dials the bus itself
// and uses it only when the bus and the Secret Service on it pass the checks of dialBus and
// checkOwner, on the same connection that it then uses.
type secretService struct {
	service    string
	opened     bool
	err        error
	conn       *dbus.Conn
	sock       *net.UnixConn // conn's socket, for its write deadline
	dest       string        // the unique bus name of the Secret Service that checkOwner accepted
	collection dbus.ObjectPath
	session    dbus.ObjectPath
}

func (s *secretService) describe() string { return "Secret Service" }

// busAddress returns the session bus address: DBUS_SESSION_BUS_ADDRESS, else the socket
// /run/user/UID/bus when it exists. It returns "" and the reason when there is neither; then
// no D-Bus call is made at all.
func busAddress() (string, string) {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a, ""
	}
	sock := fmt.Sprintf("/run/user/%d/bus", os.Getuid())
	if fi, err := os.Stat(sock); err == nil && fi.Mode().Type() == fs.ModeSocket {
		return "unix:path=" + sock, ""
	}
	return "", "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and " + sock + " does not exist)"
}

// untrusted is the error of a bus or service that secrun does not trust with values.
func (s *secretService) untrusted(r refusal) error {
	return &UnavailableError{Backend: s.describe(), Reason: string(r), Err: r, Untrusted: true}
}

func (s *secretService) unavailable(reason string, err error) error {
	if err != nil {
		reason += ": " + err.Error()
	}
	return &UnavailableError{Backend: s.describe(), Reason: reason, Err: err}
}

func (s *secretService) open() error {
	if !s.opened {
		s.opened = true
		s.err = s.connect()
		if s.err != nil && s.conn != nil {
			s.conn.Close()
			s.conn, s.sock = nil, nil
		}
	}
	return s.err
}

func (s *secretService) connect() error {
	addr, why := busAddress()
	if addr == "" {
		return s.unavailable(why, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	conn, sock, err := dialBus(ctx, addr)
	var r refusal
	switch {
	case errors.As(err, &r):
		return s.untrusted(r)
	case err != nil:
		return s.unavailable("cannot connect to the session bus", err)
	}
	s.conn, s.sock = conn, sock
	ctx, cancel = s.limit(callTimeout)
	defer cancel()
	var owned bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, ssName).Store(&owned); err != nil {
		return s.unavailable("the session bus does not answer", err)
	}
	if !owned {
		var names []string
		if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil || !slices.Contains(names, ssName) {
			return s.unavailable("no Secret Service on the session bus ("+ssName+" is neither running nor activatable)", nil)
		}
		var started uint32
		if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.StartServiceByName", 0, ssName, uint32(0)).Store(&started); err != nil {
			return s.unavailable("the Secret Service could not be started", err)
		}
	}
	s.dest, err = checkOwner(ctx, conn)
	switch {
	case errors.As(err, &r):
		return s.untrusted(r)
	case err != nil:
		return s.unavailable("the session bus does not say who runs the Secret Service", err)
	}
	svc := conn.Object(s.dest, ssPath)
	if err := svc.CallWithContext(ctx, ssService+".ReadAlias", 0, "default").Store(&s.collection); err != nil {
		return s.unavailable("the Secret Service does not answer", err)
	}
	if s.collection == "/" {
		return s.unavailable("the Secret Service has no default collection (no login keyring)", nil)
	}
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.CallWithContext(ctx, ssService+".Unlock", 0, []dbus.ObjectPath{s.collection}).Store(&unlocked, &prompt); err != nil {
		return s.unavailable("the keyring refused to unlock", err)
	}
	if !slices.Contains(unlocked, s.collection) {
		ok, err := s.prompt(prompt)
		if err != nil {
			return s.unavailable("the keyring is locked", err)
		}
		if !ok {
			return s.unavailable("the keyring is locked and was not unlocked (the unlock prompt was dismissed or could not be shown)", nil)
		}
	}
	var ignored dbus.Variant
	if err := svc.CallWithContext(ctx, ssService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &s.session); err != nil {
		return s.unavailable("the Secret Service refused a session", err)
	}
	return nil
}

// limit returns the context of one operation on the Secret Service, which ends d from now,
// and bounds the socket's writes by the same time: godbus writes in the caller's goroutine,
// and a bus that stops reading must not hold a write forever either.
func (s *secretService) limit(d time.Duration) (context.Context, context.CancelFunc) {
	if s.sock != nil {
		s.sock.SetWriteDeadline(time.Now().Add(d))
	}
	return context.WithTimeout(context.Background(), d)
}

// prompt runs a Secret Service prompt (an unlock or a confirmation shown to the user) and
// reports whether it completed without being dismissed. The path "/" means no prompt.
func (s *secretService) prompt(path dbus.ObjectPath) (bool, error) {
	if path == "/" || path == "" {
		return false, nil
	}
	ctx, cancel := s.limit(promptTimeout)
	defer cancel()
	match := []dbus.MatchOption{dbus.WithMatchSender(s.dest), dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(ssPrompt)}
	if err := s.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return false, err
	}
	defer s.conn.RemoveMatchSignalContext(ctx, match...)
	signals := make(chan *dbus.Signal, 4)
	s.conn.Signal(signals)
	defer s.conn.RemoveSignal(signals)
	if err := s.conn.Object(s.dest, path).CallWithContext(ctx, ssPrompt+".Prompt", 0, "").Err; err != nil {
		return false, err
	}
	for {
		select {
		case sig := <-signals:
			if sig.Sender != s.dest || sig.Path != path || sig.Name != ssPrompt+".Completed" || len(sig.Body) < 1 {
				continue
			}
			dismissed, _ := sig.Body[0].(bool)
			return !dismissed, nil
		case <-ctx.Done():
			return false, errors.New("no answer to the prompt within " + promptTimeout.String())
		}
	}
}

// search sends one SearchItems per name at once and returns the first item found for each.
func (s *secretService) search(ctx context.Context, names []string) (map[string]dbus.ObjectPath, error) {
	coll := s.conn.Object(s.dest, s.collection)
	calls := make([]*dbus.Call, len(names))
	done := make(chan *dbus.Call, len(names))
	for i, n := range names {
		calls[i] = coll.GoWithContext(ctx, ssCollection+".SearchItems", 0, done,
			map[string]string{"service": s.service, "username": n})
	}
	for range names {
		<-done
	}
	found := map[string]dbus.ObjectPath{}
	for i, c := range calls {
		var items []dbus.ObjectPath
		if err := c.Store(&items); err != nil {
			return nil, err
		}
		if len(items) > 0 {
			found[names[i]] = items[0]
		}
	}
	return found, nil
}

func (s *secretService) fetch(names []string) (map[string][]byte, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	ctx, cancel := s.limit(callTimeout)
	defer cancel()
	found, err := s.search(ctx, names)
	if err != nil || len(found) == 0 {
		return map[string][]byte{}, err
	}
	paths := make([]dbus.ObjectPath, 0, len(found))
	for _, p := range found {
		paths = append(paths, p)
	}
	var secrets map[dbus.ObjectPath]ss.Secret
	if err := s.conn.Object(s.dest, ssPath).CallWithContext(ctx, ssService+".GetSecrets", 0, paths, s.session).Store(&secrets); err != nil {
		return nil, err
	}
	values := make(map[string][]byte, len(found))
	for n, p := range found {
		if sec, ok := secrets[p]; ok {
			values[n] = sec.Value
		}
	}
	return values, nil
}

func (s *secretService) store(name, label string, value []byte) error {
	if err := s.open(); err != nil {
		return err
	}
	ctx, cancel := s.limit(callTimeout)
	defer cancel()
	props := map[string]dbus.Variant{
		ssItem + ".Label":      dbus.MakeVariant(label),
		ssItem + ".Attributes": dbus.MakeVariant(map[string]string{"service": s.service, "username": name}),
	}
	secret := ss.Secret{Session: s.session, Parameters: []byte{}, Value: value, ContentType: "text/plain; charset=utf8"}
	var item, prompt dbus.ObjectPath
	if err := s.conn.Object(s.dest, s.collection).CallWithContext(ctx, ssCollection+".CreateItem", 0, props, secret, true).Store(&item, &prompt); err != nil {
		return err
	}
	if item == "/" {
		if ok, err := s.prompt(prompt); err != nil || !ok {
			return errors.Join(errors.New("the keyring did not confirm the new item"), err)
		}
	}
	return nil
}

func (s *secretService) remove(names []string) error {
	if err := s.open(); err != nil {
		return err
	}
	ctx, cancel := s.limit(callTimeout)
	defer cancel()
	for round := 0; round < 3 && len(names) > 0; round++ {
		found, err := s.search(ctx, names)
		if err != nil {
			return err
		}
		names = names[:0]
		for n, p := range found {
			var prompt dbus.ObjectPath
			if err := s.conn.Object(s.dest, p).CallWithContext(ctx, ssItem+".Delete", 0).Store(&prompt); err != nil {
				return err
			}
			if ok, err := s.prompt(prompt); prompt != "/" && (err != nil || !ok) {
				return errors.Join(errors.New("the keyring did not confirm the deletion"), err)
			}
			names = append(names, n) // look again: a name may have had two items
		}
	}
	return nil
}

// names lists the username attribute of every item of service secrun in the collection.
func (s *secretService) names() ([]string, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	ctx, cancel := s.limit(callTimeout)
	defer cancel()
	var items []dbus.ObjectPath
	if err := s.conn.Object(s.dest, s.collection).CallWithContext(ctx, ssCollection+".SearchItems", 0,
		map[string]string{"service": s.service}).Store(&items); err != nil {
		return nil, err
	}
	calls := make([]*dbus.Call, len(items))
	done := make(chan *dbus.Call, len(items))
	for i, p := range items {
		calls[i] = s.conn.Object(s.dest, p).GoWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, done, ssItem, "Attributes")
	}
	for range items {
		<-done
	}
	var names []string
	for _, c := range calls {
		var v dbus.Variant
		if err := c.Store(&v); err != nil {
			return nil, err
		}
		if attrs, ok := v.Value().(map[string]string); ok && attrs["service"] == s.service {
			names = append(names, attrs["username"])
		}
	}
	return names, nil
}

// close ends the session and the connection. Session.Close is sent without waiting for an
// answer: the service ends the session when the connection closes anyway, and a service
// that stops answering must not hold up the command or a printed value.
func (s *secretService) close() {
	if s.conn != nil {
		if s.session != "" {
			ctx, cancel := s.limit(callTimeout)
			s.conn.Object(s.dest, s.session).CallWithContext(ctx, ssSession+".Close", dbus.FlagNoReplyExpected)
			cancel()
		}
		s.conn.Close()
		s.conn, s.sock = nil, nil
	}
}
