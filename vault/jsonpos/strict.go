package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Error is a problem found in a JSON document, with where it is.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

// CheckUTF8 reports the first byte of data that is not UTF-8 text.
func CheckUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			l, c := LineCol(data, int64(i))
			return &Error{Line: l, Col: c, Msg: fmt.Sprintf("byte 0x%02x is not UTF-8 text", data[i])}
		}
		i += n
	}
	return nil
}

// CheckStrict reports what encoding/json lets pass silently in an imported
// document: bytes that are not UTF-8 (it would replace them with U+FFFD)
// and a key given twice in one object (it would keep the last value). A
// syntax error is reported with its position too. Nil means none.
func CheckStrict(data []byte) error {
	if err := CheckUTF8(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var w walker
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF && len(w.stack) == 0 {
				return nil
			}
			return syntaxError(data, dec, err)
		}
		if k, isKey := w.step(tok); isKey && k.dup {
			l, c := LineCol(data, keyStart(data, dec.InputOffset()))
			return &Error{Line: l, Col: c, Msg: fmt.Sprintf("key %q appears twice in one object", k.name)}
		}
	}
}

// frame is one open object or array of the document being walked.
type frame struct {
	object bool
	keys   map[string]bool
	key    bool // the next token of an object is a key
}

// walker follows the nesting of a token stream, remembering each open
// object's keys.
type walker struct{ stack []*frame }

type keyToken struct {
	name string
	dup  bool
}

// step takes the next token; isKey says it was an object's key, and k
// whether that object had it already.
func (w *walker) step(tok json.Token) (k keyToken, isKey bool) {
	var top *frame
	if len(w.stack) > 0 {
		top = w.stack[len(w.stack)-1]
	}
	if top != nil && top.object && top.key {
		if d, ok := tok.(json.Delim); ok && d == '}' {
			w.stack = w.stack[:len(w.stack)-1]
			return k, false
		}
		name, _ := tok.(string)
		k = keyToken{name: name, dup: top.keys[name]}
		top.keys[name] = true
		top.key = false
		return k, true
	}
	if top != nil && top.object {
		top.key = true
	}
	if d, ok := tok.(json.Delim); ok {
		w.delim(d)
	}
	return k, false
}

// delim opens or closes an object or an array.
func (w *walker) delim(d json.Delim) {
	switch d {
	case '{':
		w.stack = append(w.stack, &frame{object: true, keys: map[string]bool{}, key: true})
	case '[':
		w.stack = append(w.stack, &frame{})
	case ']', '}':
		w.stack = w.stack[:len(w.stack)-1]
		if len(w.stack) > 0 && w.stack[len(w.stack)-1].object {
			w.stack[len(w.stack)-1].key = true
		}
	}
}

// syntaxError places a token error: the whole-document decoder places
// syntax errors exactly, the stream's offset is the fallback.
func syntaxError(data []byte, dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	var v any
	if uerr := json.Unmarshal(data, &v); uerr != nil {
		err = uerr
	}
	msg := Describe(data, err)
	var l, c int
	if _, scanErr := fmt.Sscanf(msg, "line %d, column %d:", &l, &c); scanErr == nil {
		return &Error{Line: l, Col: c, Msg: msg[len(fmt.Sprintf("line %d, column %d: ", l, c)):]}
	}
	l, c = LineCol(data, dec.InputOffset())
	return &Error{Line: l, Col: c, Msg: msg}
}

// keyStart finds the opening quote of the string that ends at end.
func keyStart(data []byte, end int64) int64 {
	i := end - 1
	for i >= 0 && data[i] != '"' {
		i--
	}
	for i--; i >= 0; i-- {
		if data[i] != '"' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return i
		}
	}
	return 0
}
