package vault

import (
	"bytes"
	"encoding/base64"
)

// vaultValues are the decrypted vault's values. A document in the form
// authdeck writes is checked whole when it is read (so a damaged one is
// refused at once, whichever value is asked for) and kept as it is: the
// first value asked for is read from it, and only a second look makes the
// map of all of them. A command that needs one value — a cached token —
// so decodes one value, not every value of the vault; the map, when made,
// holds every value in one shared array.
type vaultValues struct {
	// doc is the document (of the scan form, checked), until m is made.
	doc []byte
	// m is the map of the values, made on the second look or given.
	m map[string][]byte
	// looked says a value has been read from doc.
	looked bool
}

// valuesOf returns the values of a map.
func valuesOf(m map[string][]byte) *vaultValues { return &vaultValues{m: m} }

// get returns the value of key, which the caller must not change.
func (v *vaultValues) get(key string) ([]byte, bool) {
	if v.m == nil && !v.looked {
		v.looked = true
		var b64 []byte
		found := false
		walkVaultDoc(v.doc, func(k, enc []byte) bool {
			if string(k) == key {
				b64, found = enc, true // the last one, as with the map
			}
			return true
		})
		if !found {
			return nil, false
		}
		val := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
		n, err := base64.StdEncoding.Decode(val, b64)
		return val[:n:n], err == nil
	}
	val, ok := v.all()[key]
	return val, ok
}

// all returns every value, in a map the caller must not change.
func (v *vaultValues) all() map[string][]byte {
	if v.m != nil {
		return v.m
	}
	doc := v.doc
	// Every entry has four quotes: this sizes the map at once.
	m := make(map[string][]byte, bytes.Count(doc, []byte{'"'})/4)
	arena := make([]byte, base64.StdEncoding.DecodedLen(len(doc)))
	used := 0
	walkVaultDoc(doc, func(k, enc []byte) bool {
		n, err := base64.StdEncoding.Decode(arena[used:], enc)
		if err != nil {
			return false // not so: the document was checked
		}
		// Capacity capped, so appending to one never writes into the next.
		m[string(k)] = arena[used : used+n : used+n]
		used += n
		return true
	})
	v.m, v.doc = m, nil
	return m
}

// scanVaultDoc checks the decrypted vault document in the one form
// authdeck writes it — an object of "format", "version" and "values",
// whose keys and strings hold no escapes and whose values are base64 —
// without a general JSON decoder, and returns its values to be read from
// it on demand (see vaultValues).
//
// It answers only for documents it reads whole: ok is false for anything
// else (another layout, escapes, a null, an unknown field, a syntax error,
// a value that is not base64), which parseVaultDoc then reads with the
// general decoder, whose result or error (with its position) stands. When
// ok is true the values are exactly what the general decoder gives
// (FuzzScanVaultDoc checks this).
func scanVaultDoc(plain []byte) (format string, version int, vals *vaultValues, ok bool) {
	var scratch []byte // the largest value's room: each one is decoded to check it
	format, version, ok = walkVaultDoc(plain, func(_, enc []byte) bool {
		n := base64.StdEncoding.DecodedLen(len(enc))
		if cap(scratch) < n {
			scratch = make([]byte, n)
		}
		_, err := base64.StdEncoding.Decode(scratch[:n], enc)
		return err == nil
	})
	if !ok {
		return "", 0, nil, false
	}
	return format, version, &vaultValues{doc: plain}, true
}

// walkVaultDoc reads a document of the scan form, handing each value's key
// and base64 text (both parts of plain) to fn in order; ok is false when
// the document is not of that form or fn returns false.
func walkVaultDoc(plain []byte, fn func(key, b64 []byte) bool) (format string, version int, ok bool) {
	s := docScanner{b: plain}
	if !s.next('{') {
		return "", 0, false
	}
	var seenFormat, seenVersion, seenValues bool
	for first := true; ; first = false {
		s.space()
		if s.peek() == '}' {
			break
		}
		if !first && !s.next(',') {
			return "", 0, false
		}
		key, kok := s.str(false)
		if !kok || !s.next(':') {
			return "", 0, false
		}
		switch string(key) {
		case "format":
			v, vok := s.str(false)
			if !vok || seenFormat {
				return "", 0, false
			}
			format, seenFormat = string(v), true
		case "version":
			v, vok := s.uint()
			if !vok || seenVersion {
				return "", 0, false
			}
			version, seenVersion = v, true
		case "values":
			if seenValues || !s.values(fn) {
				return "", 0, false
			}
			seenValues = true
		default:
			return "", 0, false
		}
	}
	s.pos++ // the closing brace
	s.space()
	if s.pos != len(s.b) {
		return "", 0, false
	}
	return format, version, true
}

// docScanner walks the vault document for scanVaultDoc.
type docScanner struct {
	b   []byte
	pos int
}

// space skips JSON white space.
func (s *docScanner) space() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the byte at the position, or 0 at the end.
func (s *docScanner) peek() byte {
	if s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

// next skips white space and then c, reporting whether c was there.
func (s *docScanner) next(c byte) bool {
	s.space()
	if s.peek() != c {
		return false
	}
	s.pos++
	return true
}

// str reads a string of printable ASCII without escapes and returns its
// content, which aliases the document. A base64 string is left for the
// base64 decoder to check, which refuses every other byte but CR and LF
// (it skips those, and JSON does not allow them raw in a string).
func (s *docScanner) str(b64 bool) ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	rest := s.b[s.pos:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return nil, false
	}
	v := rest[:end]
	if b64 {
		if bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
			return nil, false
		}
	} else {
		for _, c := range v {
			if c < 0x20 || c > 0x7e || c == '\\' {
				return nil, false
			}
		}
	}
	s.pos += end + 1
	return v, true
}

// uint reads a small non-negative integer in JSON's form (no leading zero).
func (s *docScanner) uint() (int, bool) {
	s.space()
	start, n := s.pos, 0
	for s.pos < len(s.b) && '0' <= s.b[s.pos] && s.b[s.pos] <= '9' && s.pos-start < 9 {
		n = n*10 + int(s.b[s.pos]-'0')
		s.pos++
	}
	digits := s.pos - start
	if digits == 0 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	// A longer number, a fraction or an exponent is not of the plain form.
	switch s.peek() {
	case '.', 'e', 'E', '-', '+':
		return 0, false
	}
	if c := s.peek(); '0' <= c && c <= '9' {
		return 0, false
	}
	return n, true
}

// values reads the "values" object, handing each entry to fn.
func (s *docScanner) values(fn func(key, b64 []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	for first := true; ; first = false {
		s.space()
		if s.peek() == '}' {
			s.pos++
			return true
		}
		if !first && !s.next(',') {
			return false
		}
		key, ok := s.str(false)
		if !ok || !s.next(':') {
			return false
		}
		enc, ok := s.str(true)
		if !ok || !fn(key, enc) {
			return false
		}
	}
}
