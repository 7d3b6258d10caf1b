package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
)

// The item files hold an item's model as authdeck's catalog holds it, in the
// model's field order, less what the folder says by itself or what is
// personal: the name (the file's name), the environment (its directory),
// the times it was created and changed (git has the history; a time that
// changes on every save would make every save a diff), and a token's
// scope, expiry and refresh times (each person's own). Fields at depth 0
// shadow the model's fields of the same JSON name, so they are left out
// of what is written and absorb what a person may write by hand.

// shadow is a JSON field that is never written and takes any value read.
type shadow = json.RawMessage

type envFile struct {
	*vault.Environment
	Name    shadow `json:"name,omitempty"`
	Created shadow `json:"created,omitempty"`
	Updated shadow `json:"updated,omitempty"`
}

type clientFile struct {
	*vault.AuthClient
	Name    shadow `json:"name,omitempty"`
	Env     shadow `json:"env,omitempty"`
	Created shadow `json:"created,omitempty"`
	Updated shadow `json:"updated,omitempty"`
	Shared  shadow `json:"shared,omitempty"`
}

type secretFile struct {
	*vault.Secret
	Name         shadow `json:"name,omitempty"`
	Env          shadow `json:"env,omitempty"`
	Created      shadow `json:"created,omitempty"`
	Updated      shadow `json:"updated,omitempty"`
	Shared       shadow `json:"shared,omitempty"`
	Scope        shadow `json:"scope,omitempty"`
	TokenExpires shadow `json:"tokenExpires,omitempty"`
	HasRefresh   shadow `json:"hasRefresh,omitempty"`
	LastRefresh  shadow `json:"lastRefresh,omitempty"`
}

// encodeJSON writes v as the folder's files are written: two-space
// indent, '<', '>' and '&' as themselves (URLs read as URLs), a final newline.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("workspace: item does not encode: %v", err))
	}
	return b.Bytes()
}

// maxItemFile bounds an item file; a larger one is refused, not read.
const maxItemFile = 4 << 20

// decodeStrict decodes one JSON object of data into v, refusing unknown
// fields, trailing data and duplicate keys, with errors at line:column.
func decodeStrict(path string, data []byte, v any) error {
	if len(data) > maxItemFile {
		return fileErr(path, 0, "is %d bytes; an item file holds at most %d", len(data), maxItemFile)
	}
	if !utf8.Valid(data) {
		return fileErr(path, invalidUTF8Line(data), "is not UTF-8 text")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fileErr(path, 0, "is empty (truncated?)")
	}
	if err := checkDuplicateKeys(path, data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFileErr(path, data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		l, c := jsonpos.LineCol(data, dec.InputOffset())
		return &FileError{Path: path, Line: l, Col: c, Msg: "unexpected data after the item's object"}
	}
	return nil
}

// jsonFileErr places a decoding error in its file.
func jsonFileErr(path string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := jsonpos.LineCol(data, syn.Offset-1)
		return &FileError{Path: path, Line: l, Col: c, Msg: syn.Error()}
	case errors.As(err, &typ):
		l, c := jsonpos.LineCol(data, typ.Offset-1)
		field := typ.Field
		if first, rest, ok := strings.Cut(field, "."); ok && first != "" && first[0] >= 'A' && first[0] <= 'Z' {
			field = rest // the Go type's name says nothing to a person
		}
		if field == "" {
			field = "value"
		}
		return &FileError{Path: path, Line: l, Col: c, Msg: fmt.Sprintf("%s should be %s, not %s", field, typ.Type, typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		l, c := jsonpos.LineCol(data, int64(len(data)))
		return &FileError{Path: path, Line: l, Col: c, Msg: "unexpected end of file (truncated?)"}
	}
	msg := err.Error()
	if k, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name := strings.Trim(k, `"`)
		return fileErr(path, lineOfField(data, name), "unknown field %s (misspelt, or written by a newer authdeck?)", k)
	}
	// Errors of a value's own decoder (a time, a duration) carry no
	// position; they name what was wrong.
	return fileErr(path, 0, "%s", strings.TrimPrefix(msg, "json: "))
}

// checkDuplicateKeys refuses an object that names a key twice: a merge can
// leave both sides' lines, and the decoder would silently keep the last.
func checkDuplicateKeys(path string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool // the next token is a key
	}
	var stack []*frame
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			// syntax errors are reported by the decoder that follows
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					l, _ := jsonpos.LineCol(data, off)
					// the offset is before the separator; the key is on the next non-blank line at most
					return fileErr(path, keyLine(data, off, k, l), "the key %q is given twice (left by a merge?)", k)
				}
				top.keys[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			if top != nil && top.obj {
				top.key = true
			}
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].key = true
			}
			if len(stack) == 0 {
				return nil
			}
			continue
		}
		if top != nil && top.obj {
			top.key = true
		}
	}
}

// keyLine returns the line of the first "key" after off, else fallback.
func keyLine(data []byte, off int64, key string, fallback int) int {
	if off < 0 || off > int64(len(data)) {
		return fallback
	}
	if i := bytes.Index(data[off:], []byte(`"`+key+`"`)); i >= 0 {
		l, _ := jsonpos.LineCol(data, off+int64(i))
		return l
	}
	return fallback
}

func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[n:]
	}
	return line
}

// derivedID is the ID of an item whose file gives none (one written by
// hand): stable for the same kind, environment and name, so values a person
// stores for it stay found. Files authdeck writes always carry their ID.
func derivedID(kind, env, name string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + env + "\x00" + name))
	return hex.EncodeToString(sum[:8])
}

// checkID refuses IDs that could not key a stored value.
func checkID(path string, data []byte, id string) error {
	if len(id) > 64 {
		return fileErr(path, lineOfField(data, "id"), "id is longer than 64 characters")
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fileErr(path, lineOfField(data, "id"), "id %q may only hold letters, digits, '-' and '_'", id)
		}
	}
	return nil
}

// refuseShadowed refuses a name or environment written into a file: the
// file's name and directory say them, and two sources could disagree.
func refuseShadowed(path string, data []byte, fields map[string]shadow) error {
	for _, k := range []string{"name", "env"} {
		if v, ok := fields[k]; ok && len(v) > 0 {
			what := "the file's name is the item's name"
			if k == "env" {
				what = "the directory the file is in is its environment"
			}
			return fileErr(path, lineOfField(data, k), "remove %q: %s", k, what)
		}
	}
	return nil
}

// ---- environments ----

func encodeEnv(e vault.Environment) []byte {
	return encodeJSON(envFile{Environment: &e})
}

func decodeEnv(path string, data []byte, name string) (vault.Environment, error) {
	var e vault.Environment
	f := envFile{Environment: &e}
	if err := decodeStrict(path, data, &f); err != nil {
		return e, err
	}
	if err := refuseShadowed(path, data, map[string]shadow{"name": f.Name}); err != nil {
		return e, err
	}
	e.Name = name
	if len(e.Variables) == 0 {
		e.Variables = nil // "variables": [] reads as none, as it is written
	}
	if e.ID == "" {
		e.ID = derivedID("environment", "", name)
	}
	if err := checkID(path, data, e.ID); err != nil {
		return e, err
	}
	if err := e.Validate(); err != nil {
		return e, validationErr(path, data, err)
	}
	return e, nil
}

// ---- auth clients ----

func encodeClient(ac vault.AuthClient) []byte {
	ac.Shared = false
	return encodeJSON(clientFile{AuthClient: &ac})
}

func decodeClient(path string, data []byte, env, name string) (vault.AuthClient, error) {
	var ac vault.AuthClient
	f := clientFile{AuthClient: &ac}
	if err := decodeStrict(path, data, &f); err != nil {
		return ac, err
	}
	if err := refuseShadowed(path, data, map[string]shadow{"name": f.Name, "env": f.Env}); err != nil {
		return ac, err
	}
	ac.Name, ac.Env = name, env
	if ac.ID == "" {
		ac.ID = derivedID("client", env, name)
	}
	if err := checkID(path, data, ac.ID); err != nil {
		return ac, err
	}
	if err := ac.Validate(); err != nil {
		return ac, validationErr(path, data, err)
	}
	return ac, nil
}

// ---- secrets ----

func encodeSecret(s vault.Secret) []byte {
	s.Shared = false
	s.Scope, s.TokenExpires, s.HasRefresh, s.LastRefresh = "", nil, false, nil
	return encodeJSON(secretFile{Secret: &s})
}

func decodeSecret(path string, data []byte, env, name string) (vault.Secret, error) {
	var s vault.Secret
	f := secretFile{Secret: &s}
	if err := decodeStrict(path, data, &f); err != nil {
		return s, err
	}
	if err := refuseShadowed(path, data, map[string]shadow{"name": f.Name, "env": f.Env}); err != nil {
		return s, err
	}
	s.Name, s.Env = name, env
	if s.ID == "" {
		s.ID = derivedID("secret", env, name)
	}
	if err := checkID(path, data, s.ID); err != nil {
		return s, err
	}
	if vault.PersonalOnly(s.Type) {
		return s, fileErr(path, lineOfField(data, "type"), "%s secrets are token sets, which are personal: they are kept in each person's own vault, never in the workspace folder", s.Type)
	}
	if err := s.Validate(); err != nil {
		return s, validationErr(path, data, err)
	}
	return s, nil
}
