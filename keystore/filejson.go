package keystore

import (
	"bytes"
	"encoding/base64"
)

// parseStore reads a store file without reflection, because every launch reads the store and
// encoding/json costs more than the rest of the launch's own work. It takes only the shape
// that write produces: one object with the members format, version and secrets; each secret
// an object with the members of fileEntry; every member at most once, in any order, with any
// JSON spacing; strings of printable ASCII without escapes; the version a plain integer. For
// anything else (escapes, null, unknown or repeated members, other types, bad base64 or
// times, a syntax error) it returns false and decode asks encoding/json, which has the last
// word on what the file means and on the message when it is corrupt. Where parseStore
// accepts a file, encoding/json reads it the same way (FuzzParseStore checks it).
//
// With want set (a run's read), only the secrets whose key it accepts have their value
// decoded, and none its times; the others keep only their key, scope and kind, which decode
// checks for every secret. A launch wants a few secrets of a store that may hold hundreds,
// and no times.
func parseStore(data []byte, want func(key string) bool) (fileDoc, bool) {
	r := &jsonReader{data: data}
	var doc fileDoc
	var seen members
	ok := r.object(func(name []byte) bool {
		switch string(name) {
		case "format":
			return seen.once(0) && r.text(&doc.Format)
		case "version":
			return seen.once(1) && r.smallInt(&doc.Version)
		case "secrets":
			// Non-nil even for [], as encoding/json makes it; sized for the file as write
			// makes it, where each secret is an object and no string holds a '{' (one byte
			// counts several times faster than a word).
			doc.Secrets = make([]fileEntry, 0, max(bytes.Count(data, []byte{'{'})-1, 0))
			return seen.once(2) && r.array(func() bool {
				e, ok := r.entry(want)
				doc.Secrets = append(doc.Secrets, e)
				return ok
			})
		}
		return false
	})
	r.space()
	if !ok || r.i != len(data) {
		return fileDoc{}, false
	}
	return doc, true
}

// entry reads one secret: the members of fileEntry, by their JSON names. The value is
// decoded once the key is known (members come in any order), and only when want is nil or
// accepts the key; the times only when want is nil.
func (r *jsonReader) entry(want func(key string) bool) (fileEntry, bool) {
	var e fileEntry
	var seen members
	var value, created, updated []byte // as written, quotes included
	ok := r.object(func(name []byte) bool {
		switch string(name) {
		case "key":
			return seen.once(0) && r.text(&e.Key)
		case "project":
			return seen.once(1) && r.text(&e.Project)
		case "domain":
			return seen.once(2) && r.text(&e.Domain)
		case "kind":
			return seen.once(3) && r.text((*string)(&e.Kind))
		case "value":
			return seen.once(4) && r.quoted(&value)
		case "created":
			return seen.once(5) && r.quoted(&created)
		case "updated":
			return seen.once(6) && r.quoted(&updated)
		}
		return false
	})
	switch {
	case !ok:
		return e, false
	case want != nil:
		return e, !want(e.Key) || value == nil || decodeBase64(value, &e.Value)
	}
	return e, (value == nil || decodeBase64(value, &e.Value)) &&
		(created == nil || e.Created.UnmarshalJSON(created) == nil) &&
		(updated == nil || e.Updated.UnmarshalJSON(updated) == nil)
}

// members records which members of an object were read, by number.
type members uint32

// once reports whether member i is read for the first time.
func (m *members) once(i int) bool {
	first := *m&(1<<i) == 0
	*m |= 1 << i
	return first
}

// jsonReader is a cursor over a JSON text.
type jsonReader struct {
	data []byte
	i    int
}

func (r *jsonReader) space() {
	for r.i < len(r.data) && (r.data[r.i] == ' ' || r.data[r.i] == '\t' || r.data[r.i] == '\n' || r.data[r.i] == '\r') {
		r.i++
	}
}

// skip reads the byte c after optional space.
func (r *jsonReader) skip(c byte) bool {
	r.space()
	if r.i < len(r.data) && r.data[r.i] == c {
		r.i++
		return true
	}
	return false
}

// object reads an object, calling member after each member name to read its value.
func (r *jsonReader) object(member func(name []byte) bool) bool {
	if !r.skip('{') {
		return false
	}
	if r.skip('}') {
		return true
	}
	for {
		name, ok := r.str()
		if !ok || !r.skip(':') || !member(name) {
			return false
		}
		if r.skip('}') {
			return true
		}
		if !r.skip(',') {
			return false
		}
	}
}

// array reads an array, calling elem to read each element.
func (r *jsonReader) array(elem func() bool) bool {
	if !r.skip('[') {
		return false
	}
	if r.skip(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.skip(']') {
			return true
		}
		if !r.skip(',') {
			return false
		}
	}
}

// str reads a string of printable ASCII without escapes and returns its contents, which
// alias the input.
func (r *jsonReader) str() ([]byte, bool) {
	if !r.skip('"') {
		return nil, false
	}
	start := r.i
	for r.i < len(r.data) && plain[r.data[r.i]] {
		r.i++
	}
	if r.i == len(r.data) || r.data[r.i] != '"' {
		return nil, false
	}
	r.i++
	return r.data[start : r.i-1], true
}

// plain marks the bytes that str takes inside a string: printable ASCII except '"' and '\'.
var plain = func() (t [256]bool) {
	for c := ' '; c <= '~'; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// text reads a string into s.
func (r *jsonReader) text(s *string) bool {
	b, ok := r.str()
	*s = string(b)
	return ok
}

// quoted reads a string into q as written, quotes included: time.Time's UnmarshalJSON takes
// it so, as encoding/json hands it over.
func (r *jsonReader) quoted(q *[]byte) bool {
	s, ok := r.str()
	if ok {
		*q = r.data[r.i-len(s)-2 : r.i]
	}
	return ok
}

// decodeBase64 decodes q, a quoted string, into b the way encoding/json reads a []byte.
func decodeBase64(q []byte, b *[]byte) bool {
	s := q[1 : len(q)-1]
	*b = make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(*b, s)
	*b = (*b)[:n]
	return err == nil
}

// smallInt reads a non-negative integer of at most nine digits, without a leading zero.
func (r *jsonReader) smallInt(n *int) bool {
	r.space()
	start := r.i
	for *n = 0; r.i < len(r.data) && r.data[r.i] >= '0' && r.data[r.i] <= '9'; r.i++ {
		*n = *n*10 + int(r.data[r.i]-'0')
	}
	digits := r.i - start
	return digits > 0 && digits <= 9 && (digits == 1 || r.data[start] != '0')
}
