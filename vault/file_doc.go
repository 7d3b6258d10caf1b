package vault

import (
	"bytes"
	"encoding/base64"
)

// scanVaultDoc reads the decrypted vault document in the one form authdeck
// writes it — an object of "format", "version" and "values", whose keys and
// strings hold no escapes and whose values are base64 — without a general
// JSON decoder: every value is decoded into one shared array, and the map
// is made once at its size, so opening a vault of thousands of values costs
// a handful of allocations instead of one or more per value.
//
// It answers only for documents it reads whole: ok is false for anything
// else (another layout, escapes, a null, an unknown field, a syntax error),
// which parseVaultDoc then reads with the general decoder, whose result or
// error (with its position) stands. When ok is true the values are exactly
// what the general decoder gives (FuzzScanVaultDoc checks this).
func scanVaultDoc(plain []byte) (format string, version int, vals map[string][]byte, ok bool) {
	s := docScanner{b: plain}
	if !s.next('{') {
		return "", 0, nil, false
	}
	var seenFormat, seenVersion, seenValues bool
	for first := true; ; first = false {
		s.space()
		if !first {
			if s.peek() == '}' {
				break
			}
			if !s.next(',') {
				return "", 0, nil, false
			}
		} else if s.peek() == '}' {
			break
		}
		key, kok := s.str(false)
		if !kok || !s.next(':') {
			return "", 0, nil, false
		}
		switch string(key) {
		case "format":
			v, vok := s.str(false)
			if !vok || seenFormat {
				return "", 0, nil, false
			}
			format, seenFormat = string(v), true
		case "version":
			v, vok := s.uint()
			if !vok || seenVersion {
				return "", 0, nil, false
			}
			version, seenVersion = v, true
		case "values":
			if seenValues {
				return "", 0, nil, false
			}
			if vals, ok = s.values(); !ok {
				return "", 0, nil, false
			}
			seenValues = true
		default:
			return "", 0, nil, false
		}
	}
	s.pos++ // the closing brace
	s.space()
	if s.pos != len(s.b) {
		return "", 0, nil, false
	}
	if !seenValues {
		vals = map[string][]byte{}
	}
	return format, version, vals, true
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

// values reads the "values" object: keys to base64 strings, decoded into
// one array that every value is a slice of (capacity capped, so appending
// to one never writes into the next). A key given twice keeps its last
// value, as the general decoder does.
func (s *docScanner) values() (map[string][]byte, bool) {
	if !s.next('{') {
		return nil, false
	}
	// Every entry has four quotes: this sizes the map at once.
	vals := make(map[string][]byte, bytes.Count(s.b[s.pos:], []byte{'"'})/4)
	arena := make([]byte, base64.StdEncoding.DecodedLen(len(s.b)-s.pos))
	used := 0
	for first := true; ; first = false {
		s.space()
		if s.peek() == '}' {
			s.pos++
			return vals, true
		}
		if !first && !s.next(',') {
			return nil, false
		}
		key, ok := s.str(false)
		if !ok || !s.next(':') {
			return nil, false
		}
		enc, ok := s.str(true)
		if !ok {
			return nil, false
		}
		n, err := base64.StdEncoding.Decode(arena[used:], enc)
		if err != nil {
			return nil, false
		}
		vals[string(key)] = arena[used : used+n : used+n]
		used += n
	}
}
