package interchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
)

// This file imports the JSON bodies of the integration-hub secret service:
// secrets of type API_KEY, SIMPLE, OA2_AUTHORIZATION_CODE and
// SESSION_AUTH, and its OAuth and session-auth auth clients. The format's own
// examples carry trailing commas, so those are accepted; every other syntax
// error is reported with its line and column.

// SecretServiceOptions say where imported items go and supply what the
// reference format does not carry.
type SecretServiceOptions struct {
	// Env is the environment every item goes to.
	Env string
	// AuthMethod is used for OAuth auth clients of the file that do not name
	// one: the reference format has no such field, and the method is never
	// guessed (S-27).
	AuthMethod vault.AuthMethod
	// Catalog, when set, lets secrets link to auth clients already in Env and
	// finds name clashes before anything is stored; nil resolves links within
	// the file only.
	Catalog *vault.Catalog
}

// ImportSecretService parses data against v's catalog and stores the
// result all at once; when anything is wrong nothing is stored (S-37).
func ImportSecretService(ctx context.Context, v *vault.Vault, data []byte, opts SecretServiceOptions) (vault.Batch, []Note, error) {
	c, err := v.Load()
	if err != nil {
		return vault.Batch{}, nil, err
	}
	opts.Catalog = c
	b, notes, err := ParseSecretService(data, opts)
	if err != nil {
		return vault.Batch{}, notes, err
	}
	if _, err := v.Apply(ctx, b); err != nil {
		return vault.Batch{}, notes, err
	}
	return b, notes, nil
}

// ParseSecretService reads reference secret-service JSON: one item
// (`{"data": {…}}` or the bare object) or an array of them. It returns the
// batch to create in opts.Env and a report of what goes where; on any
// problem it returns an *ImportError listing all of them and an empty batch.
func ParseSecretService(data []byte, opts SecretServiceOptions) (vault.Batch, []Note, error) {
	if opts.Env == "" {
		return vault.Batch{}, nil, &vault.ValidationError{Kind: "import", Field: "env", Msg: "is required"}
	}
	p := &ssParser{opts: opts}
	clean, commas := p.clean(data)
	p.data = clean
	for _, off := range commas {
		p.note(NoteWarning, "", off, "trailing comma accepted")
	}
	items, ok := p.items()
	if !ok {
		return vault.Batch{}, p.notes, p.err()
	}
	var secrets []ssItem
	for _, it := range items {
		switch it.kind {
		case "client":
			p.parseClient(it)
		case "secret":
			secrets = append(secrets, it)
		}
	}
	for _, it := range secrets {
		p.parseSecret(it)
	}
	if len(p.problems) > 0 {
		return vault.Batch{}, p.notes, p.err()
	}
	return p.batch, p.notes, nil
}

type ssParser struct {
	opts     SecretServiceOptions
	data     []byte
	notes    []Note
	problems []ImportProblem
	batch    vault.Batch
	// clients of the file, for linking secrets by _id or name.
	clients []ssClient
	// lines holds the offset of every line start, so positions cost a
	// binary search instead of a scan from the top of the file.
	lines []int64
}

type ssClient struct {
	refID  string
	name   string
	typ    vault.ClientType
	fields map[string][]string // {{fields.NAME}} → where it is used
}

type ssItem struct {
	n     int // 1-based position in the file
	kind  string
	obj   *jsonObject
	label string
}

func (p *ssParser) pos(off int64) (int, int) {
	if off < 0 {
		return 0, 0
	}
	if p.lines == nil {
		p.lines = []int64{0}
		for i, b := range p.data {
			if b == '\n' {
				p.lines = append(p.lines, int64(i+1))
			}
		}
	}
	off = min(off, int64(len(p.data)))
	// the last line starting at or before off
	i := sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off }) - 1
	return i + 1, int(off-p.lines[i]) + 1
}

func (p *ssParser) problem(item string, off int64, class error, format string, args ...any) {
	l, c := p.pos(off)
	p.problems = append(p.problems, ImportProblem{Item: item, Line: l, Col: c, Msg: fmt.Sprintf(format, args...), Err: class})
}

func (p *ssParser) note(kind NoteKind, item string, off int64, format string, args ...any) {
	l, c := p.pos(off)
	p.notes = append(p.notes, Note{Kind: kind, Item: item, Line: l, Col: c, Msg: fmt.Sprintf(format, args...)})
}

func (p *ssParser) err() error {
	return &ImportError{Problems: slices.Clone(p.problems)}
}

// clean blanks a byte-order mark and trailing commas with spaces, so offsets
// (and so every reported line:column) still match the original text.
func (p *ssParser) clean(data []byte) (out []byte, commas []int64) {
	out = bytes.Clone(data)
	if bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
		copy(out, "   ")
	}
	inString, escaped := false, false
	for i := 0; i < len(out); i++ {
		ch := out[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
			continue
		}
		switch ch {
		case '"':
			inString = true
		case ',':
			j := skipSpace(out, i+1)
			if j < len(out) && (out[j] == '}' || out[j] == ']') {
				out[i] = ' '
				commas = append(commas, int64(i))
			}
		}
	}
	return out, commas
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// items checks the syntax of the whole file and splits it into items.
func (p *ssParser) items() ([]ssItem, bool) {
	raws, ok := p.rawItems()
	if !ok {
		return nil, false
	}
	var out []ssItem
	for i, r := range raws {
		if it, ok := p.item(i+1, r); ok {
			out = append(out, it)
		}
	}
	return out, len(p.problems) == 0
}

// ssRawItem is one item of the file, not yet read, and where it starts.
type ssRawItem struct {
	raw json.RawMessage
	off int64
}

// rawItems checks the whole file (syntax, UTF-8) and splits it into its
// items: the elements of a top-level array, or the one object.
func (p *ssParser) rawItems() ([]ssRawItem, bool) {
	start := skipSpace(p.data, 0)
	if start == len(p.data) {
		p.problem("", -1, vault.ErrInvalid, "the file is empty")
		return nil, false
	}
	if err := json.Unmarshal(p.data, new(json.RawMessage)); err != nil {
		p.syntaxProblem(err)
		return nil, false
	}
	// encoding/json reads bytes that are not UTF-8 as U+FFFD: a name or a
	// value would be imported changed.
	var bad *jsonpos.Error
	if errors.As(jsonpos.CheckUTF8(p.data), &bad) {
		p.problems = append(p.problems, ImportProblem{Line: bad.Line, Col: bad.Col, Msg: bad.Msg, Err: vault.ErrInvalid})
		return nil, false
	}
	if p.data[start] != '[' {
		end := len(bytes.TrimRight(p.data, " \t\r\n"))
		return []ssRawItem{{json.RawMessage(p.data[start:end]), int64(start)}}, true
	}
	var raws []ssRawItem
	dec := json.NewDecoder(bytes.NewReader(p.data))
	if _, err := dec.Token(); err != nil {
		p.syntaxProblem(err)
		return nil, false
	}
	for dec.More() {
		off := skipSpaceComma(p.data, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			p.syntaxProblem(err)
			return nil, false
		}
		raws = append(raws, ssRawItem{raw, int64(off)})
	}
	if len(raws) == 0 {
		p.problem("", int64(start), vault.ErrInvalid, "the array is empty: nothing to import")
		return nil, false
	}
	return raws, true
}

// item reads the n-th item of the file (its "data" object, when it has
// one) and tells a secret from an auth client.
func (p *ssParser) item(n int, r ssRawItem) (ssItem, bool) {
	label := fmt.Sprintf("item %d", n)
	if r.raw[0] != '{' {
		p.problem(label, r.off, vault.ErrInvalid, "expected an object (a secret or an auth client), found %s", jsonKind(r.raw))
		return ssItem{}, false
	}
	o := p.object(label, r.raw, r.off)
	if d, ok := o.vals["data"]; ok {
		if d[0] != '{' {
			p.problem(label, o.offs["data"], vault.ErrInvalid, "data should be an object, found %s", jsonKind(d))
			return ssItem{}, false
		}
		for _, k := range o.keys {
			if k != "data" {
				p.note(NoteSkipped, label, o.offs[k], "%q beside \"data\" (only the data object is read)", k)
			}
		}
		o = p.object(label, d, o.offs["data"])
	}
	it := ssItem{n: n, obj: o, label: label}
	switch {
	case o.has("value"):
		it.kind = "secret"
	case o.has("endpoints"), o.has("clientId"), o.has("tokenPath"), o.has("clientSecret"), o.has("redirectUri"):
		it.kind = "client"
	default:
		p.problem(label, o.base, vault.ErrInvalid, `cannot tell what this is: a secret has "value", an auth client has "endpoints" or "clientId"`)
		return ssItem{}, false
	}
	return it, true
}

func skipSpaceComma(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == ',') {
		i++
	}
	return i
}

func (p *ssParser) syntaxProblem(err error) {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		msg := syn.Error()
		switch {
		case strings.Contains(msg, "after object key:value pair"), strings.Contains(msg, "after array element"):
			msg += " (a missing comma before it?)"
		case strings.Contains(msg, "after top-level value"):
			msg += " (several items must be wrapped in an array: [ {…}, {…} ])"
		case strings.Contains(msg, "unexpected end of JSON input"):
			msg += " (the file is cut short)"
		}
		// The offset counts the byte that was read when the error was found.
		off := syn.Offset - 1
		if strings.Contains(msg, "unexpected end of JSON input") {
			off = int64(len(p.data))
		}
		if off < 0 {
			off = 0
		}
		p.problem("", off, vault.ErrInvalid, "%s", msg)
		return
	}
	p.problem("", -1, vault.ErrInvalid, "%v", err)
}

// jsonObject is a decoded JSON object that remembers where each value starts.
type jsonObject struct {
	base int64
	keys []string
	vals map[string]json.RawMessage
	offs map[string]int64
}

func (o *jsonObject) has(k string) bool {
	v, ok := o.vals[k]
	return ok && string(v) != "null"
}

// object decodes a syntactically valid JSON object found at base.
func (p *ssParser) object(label string, raw json.RawMessage, base int64) *jsonObject {
	o := &jsonObject{base: base, vals: map[string]json.RawMessage{}, offs: map[string]int64{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return o
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return o
		}
		key, _ := t.(string)
		off := int(dec.InputOffset())
		for off < len(raw) && (raw[off] == ':' || raw[off] == ' ' || raw[off] == '\t' || raw[off] == '\n' || raw[off] == '\r') {
			off++
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return o
		}
		if _, dup := o.vals[key]; dup {
			// Which of the two a user meant is not ours to guess: the
			// file is refused, as the other JSON importers refuse it.
			p.problem(label, base+int64(off), vault.ErrInvalid, "key %q appears twice", key)
			continue
		}
		o.keys = append(o.keys, key)
		o.vals[key] = v
		o.offs[key] = base + int64(off)
	}
	return o
}

func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// str returns the string under key ("" when absent or null).
func (p *ssParser) str(label string, o *jsonObject, key, path string) string {
	raw, ok := o.vals[key]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.problem(label, o.offs[key], vault.ErrInvalid, "%s should be a string, found %s", path, jsonKind(raw))
		return ""
	}
	return s
}

// required returns the string under key, reporting it when missing or empty.
func (p *ssParser) required(label string, o *jsonObject, key, path string) string {
	s := p.str(label, o, key, path)
	if s == "" {
		if _, ok := o.vals[key]; ok {
			p.problem(label, o.offs[key], vault.ErrInvalid, "%s is empty", path)
		} else {
			p.problem(label, o.base, vault.ErrInvalid, "%s is missing", path)
		}
	}
	return s
}

func (p *ssParser) sub(label string, o *jsonObject, key, path string) *jsonObject {
	raw, ok := o.vals[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		p.problem(label, o.offs[key], vault.ErrInvalid, "%s should be an object, found %s", path, jsonKind(raw))
		return nil
	}
	return p.object(label, raw, o.offs[key])
}

func (p *ssParser) strList(label string, o *jsonObject, key, path string) []string {
	raw, ok := o.vals[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	var out []string
	if err := json.Unmarshal(raw, &out); err != nil {
		p.problem(label, o.offs[key], vault.ErrInvalid, "%s should be a list of strings, found %s", path, jsonKind(raw))
		return nil
	}
	return out
}

func (p *ssParser) boolean(label string, o *jsonObject, key, path string) bool {
	raw, ok := o.vals[key]
	if !ok || string(raw) == "null" {
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		p.problem(label, o.offs[key], vault.ErrInvalid, "%s should be true or false, found %s", path, jsonKind(raw))
	}
	return b
}

// skipUnknown notes every key of o that the importer did not read.
func (p *ssParser) skipUnknown(label string, o *jsonObject, prefix string, known ...string) {
	for _, k := range o.keys {
		if !slices.Contains(known, k) {
			p.note(NoteSkipped, label, o.offs[k], "%s%s: not a field authdeck knows", prefix, k)
		}
	}
}

// looksPlaceholder reports whether s still holds an example placeholder such as "<token>".
func looksPlaceholder(s string) bool {
	i := strings.IndexByte(s, '<')
	return i >= 0 && strings.IndexByte(s[i:], '>') > 1
}

// checkURL validates a URL field, calling out example placeholders.
func (p *ssParser) checkURL(label string, off int64, path, raw string, template bool) bool {
	if strings.HasPrefix(strings.TrimSpace(raw), "<") && strings.HasSuffix(strings.TrimSpace(raw), ">") {
		p.problem(label, off, vault.ErrInvalid, "%s: %q is not a URL (an example placeholder; put the real URL there)", path, raw)
		return false
	}
	if !template {
		if err := vault.CheckURL(path, raw); err != nil {
			p.problem(label, off, vault.ErrInvalid, "%v", err)
			return false
		}
		return true
	}
	t, err := vault.ParseTemplate(raw)
	if err != nil {
		p.problem(label, off, vault.ErrInvalid, "%s: %v", path, err)
		return false
	}
	filled, _ := t.Render(func(string) (string, bool) { return "x", true }, false)
	if err := vault.CheckURL(path, filled); err != nil {
		// Name the URL as written, placeholders and all, not the filled-in copy.
		msg := strings.Replace(err.Error(), strconv.Quote(filled), strconv.Quote(raw), 1)
		p.problem(label, off, vault.ErrInvalid, "%s", msg)
		return false
	}
	return true
}

// meta reads the metadata every item carries.
func (p *ssParser) meta(label string, o *jsonObject, name string) vault.Meta {
	m := vault.Meta{Name: name, Env: p.opts.Env}
	if err := vault.ValidateName("item", name); err != nil && name != "" {
		var ve *vault.ValidationError
		msg := err.Error()
		if errors.As(err, &ve) {
			msg = ve.Msg
		}
		p.problem(label, o.offs["name"], vault.ErrInvalid, "name %s", msg)
	}
	if t := p.str(label, o, "tenant", "tenant"); t != "" {
		if looksPlaceholder(t) {
			p.note(NoteSkipped, label, o.offs["tenant"], "tenant %q: an example placeholder, not set", t)
		} else {
			m.Tenant = t
		}
	}
	m.Description = p.str(label, o, "description", "description")
	for _, key := range []string{"expiration", "expires"} {
		if !o.has(key) {
			continue
		}
		raw := o.vals[key]
		s := strings.Trim(string(raw), `"`)
		if raw[0] != '"' && jsonKind(raw) != "a number" {
			p.problem(label, o.offs[key], vault.ErrInvalid, "%s should be a date or null, found %s", key, jsonKind(raw))
			continue
		}
		if s == "" {
			continue
		}
		t, err := vault.ParseExpiry(s)
		if err != nil {
			p.problem(label, o.offs[key], vault.ErrInvalid, "%s: %v", key, err)
			continue
		}
		m.Expiration = &t
	}
	for i, h := range p.strList(label, o, "allowedHosts", "allowedHosts") {
		if err := vault.ValidateHostPattern(h); err != nil {
			p.problem(label, o.offs["allowedHosts"], vault.ErrInvalid, "allowedHosts[%d]: %v", i, err)
			continue
		}
		m.AllowedHosts = append(m.AllowedHosts, h)
	}
	return m
}

// refID reads an item's _id, which the reference service assigns; authdeck
// uses it only to link secrets to auth clients of the same file.
func (p *ssParser) refID(label string, o *jsonObject) string {
	id := p.str(label, o, "_id", "_id")
	if id != "" {
		p.note(NoteSkipped, label, o.offs["_id"], "_id %q: used only to link secrets of this file, not kept", id)
	}
	return id
}

// validationProblem turns a *ValidationError from the model's own checks into
// a problem of the item.
func (p *ssParser) validationProblem(label string, off int64, err error) {
	var ve *vault.ValidationError
	if errors.As(err, &ve) {
		switch {
		case ve.Field != "":
			p.problem(label, off, vault.ErrInvalid, "%s: %s", ve.Field, ve.Msg)
		default:
			p.problem(label, off, vault.ErrInvalid, "%s", ve.Msg)
		}
		return
	}
	p.problem(label, off, vault.ErrInvalid, "%v", err)
}
