// Command fakesecrets is a Secret Service for the keyring trust tests: it owns
// org.freedesktop.secrets on a bus, keeps items in memory, and appends every value it is given
// to a record file, so that a test can see whether secrun handed a value to it. With
// -hang-close it never answers Session.Close; -plant SERVICE/USERNAME=VALUE holds an item
// from the start. It prints "ready" once it owns the name.
//
//	fakesecrets -bus ADDRESS -record FILE [-hang-close] [-plant SERVICE/USERNAME=VALUE]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	dbus "github.com/godbus/dbus/v5"
)

const (
	name       = "org.freedesktop.secrets"
	root       = dbus.ObjectPath("/org/freedesktop/secrets")
	collection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	session    = dbus.ObjectPath("/org/freedesktop/secrets/session/1")
)

// secret is the Secret Service's (oayays) struct.
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

type item struct {
	attrs map[string]string
	value []byte
}

type service struct {
	conn      *dbus.Conn
	record    string
	hangClose bool

	mu    sync.Mutex
	items map[dbus.ObjectPath]*item
	next  int
}

func main() {
	bus := flag.String("bus", "", "bus address")
	record := flag.String("record", "", "file that receives every stored value")
	hangClose := flag.Bool("hang-close", false, "never answer Session.Close")
	plant := flag.String("plant", "", "an item to hold from the start: SERVICE/USERNAME=VALUE")
	flag.Parse()
	conn, err := dbus.Connect(*bus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakesecrets:", err)
		os.Exit(1)
	}
	s := &service{conn: conn, record: *record, hangClose: *hangClose, items: map[dbus.ObjectPath]*item{}}
	conn.Export(serviceObj{s}, root, "org.freedesktop.Secret.Service")
	conn.Export(collectionObj{s}, collection, "org.freedesktop.Secret.Collection")
	conn.Export(sessionObj{s}, session, "org.freedesktop.Secret.Session")
	if attr, value, ok := strings.Cut(*plant, "="); ok {
		service, username, _ := strings.Cut(attr, "/")
		s.add(map[string]string{"service": service, "username": username}, []byte(value))
	}
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		fmt.Fprintln(os.Stderr, "fakesecrets: cannot own", name, err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}

type serviceObj struct{ s *service }

func (o serviceObj) OpenSession(algorithm string, _ dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	return dbus.MakeVariant(""), session, nil
}

func (o serviceObj) ReadAlias(string) (dbus.ObjectPath, *dbus.Error) { return collection, nil }

func (o serviceObj) Unlock(paths []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	return paths, "/", nil
}

func (o serviceObj) GetSecrets(paths []dbus.ObjectPath, _ dbus.ObjectPath) (map[dbus.ObjectPath]secret, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	out := map[dbus.ObjectPath]secret{}
	for _, p := range paths {
		if it, ok := o.s.items[p]; ok {
			out[p] = secret{Session: session, Parameters: []byte{}, Value: it.value, ContentType: "text/plain"}
		}
	}
	return out, nil
}

type collectionObj struct{ s *service }

func (o collectionObj) SearchItems(attrs map[string]string) ([]dbus.ObjectPath, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	found := []dbus.ObjectPath{}
	for p, it := range o.s.items {
		match := true
		for k, v := range attrs {
			match = match && it.attrs[k] == v
		}
		if match {
			found = append(found, p)
		}
	}
	return found, nil
}

func (o collectionObj) CreateItem(props map[string]dbus.Variant, sec secret, replace bool) (dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	attrs, _ := props["org.freedesktop.Secret.Item.Attributes"].Value().(map[string]string)
	f, err := os.OpenFile(o.s.record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		fmt.Fprintf(f, "%s=%s\n", attrs["username"], strings.ReplaceAll(string(sec.Value), "\n", `\n`))
		f.Close()
	}
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	for p, it := range o.s.items {
		if replace && it.attrs["service"] == attrs["service"] && it.attrs["username"] == attrs["username"] {
			it.value = sec.Value
			return p, "/", nil
		}
	}
	return o.s.add(attrs, sec.Value), "/", nil
}

// add exports a new item; the caller holds s.mu or is alone.
func (s *service) add(attrs map[string]string, value []byte) dbus.ObjectPath {
	s.next++
	p := dbus.ObjectPath(fmt.Sprintf("%s/%d", collection, s.next))
	s.items[p] = &item{attrs: attrs, value: value}
	s.conn.Export(itemObj{s, p}, p, "org.freedesktop.Secret.Item")
	s.conn.Export(propsObj{s, p}, p, "org.freedesktop.DBus.Properties")
	return p
}

type itemObj struct {
	s    *service
	path dbus.ObjectPath
}

func (o itemObj) Delete() (dbus.ObjectPath, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	delete(o.s.items, o.path)
	return "/", nil
}

type propsObj struct {
	s    *service
	path dbus.ObjectPath
}

func (o propsObj) Get(iface, prop string) (dbus.Variant, *dbus.Error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	it, ok := o.s.items[o.path]
	if !ok || prop != "Attributes" {
		return dbus.Variant{}, dbus.MakeFailedError(fmt.Errorf("no property %s", prop))
	}
	return dbus.MakeVariant(it.attrs), nil
}

type sessionObj struct{ s *service }

func (o sessionObj) Close() *dbus.Error {
	if o.s.hangClose {
		select {}
	}
	return nil
}
