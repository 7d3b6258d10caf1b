package vault

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
	AuthMethod AuthMethod
	// Catalog, when set, lets secrets link to auth clients already in Env and
	// finds name clashes before anything is stored; nil resolves links within
	// the file only.
	Catalog *Catalog
}

// NoteKind classifies a line of an import report.
type NoteKind string

// Import note kinds.
const (
	// NoteCreated names an item the import creates.
	NoteCreated NoteKind = "create"
	// NoteStored lists the fields of an item that go to the secret store.
	NoteStored NoteKind = "vault"
	// NoteSkipped names input that is not kept, and why.
	NoteSkipped NoteKind = "skip"
	// NoteWarning flags input that was accepted but looks wrong.
	NoteWarning NoteKind = "warning"
)

// Note is one line of an import report. It never contains a secret value.
type Note struct {
	Kind NoteKind `json:"kind"`
	// Item names the item ("secret \"x\""); empty for notes about the whole file.
	Item string `json:"item,omitempty"`
	// Line and Col locate the note in the file (1-based); zero when unknown.
	Line int    `json:"line,omitempty"`
	Col  int    `json:"column,omitempty"`
	Msg  string `json:"message"`
}

// String renders the note as "line 3, column 5: secret "x": message".
func (n Note) String() string {
	return joinWhere(n.Line, n.Col, n.Item, n.Msg)
}

// ImportProblem is one reason an import was refused.
type ImportProblem struct {
	// Item names the item ("auth client \"x\"", "item 2"); empty for the whole file.
	Item string
	// Line and Col locate the problem (1-based); zero when unknown.
	Line, Col int
	Msg       string
	// Err classifies the problem: ErrInvalid, ErrMissingInput, ErrNotConfigured or ErrExists.
	Err error
}

// String renders the problem as "line 3, column 5: secret "x": message".
func (p ImportProblem) String() string { return joinWhere(p.Line, p.Col, p.Item, p.Msg) }

func joinWhere(line, col int, item, msg string) string {
	var b strings.Builder
	if line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", line, col)
	}
	if item != "" {
		b.WriteString(item + ": ")
	}
	b.WriteString(msg)
	return b.String()
}

// ImportError lists every problem found in an imported file; nothing was stored.
type ImportError struct {
	Problems []ImportProblem
}

// Error lists every problem on one line.
func (e *ImportError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d problems: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap exposes each problem's class to errors.Is.
func (e *ImportError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.Err != nil {
			out = append(out, p.Err)
		}
	}
	return out
}

// ExitCode is the code shared by every problem (2 not configured, 3 missing
// input), else 1.
func (e *ImportError) ExitCode() int {
	code := -1
	for _, p := range e.Problems {
		c := ExitOther
		switch {
		case errors.Is(p.Err, ErrMissingInput):
			c = ExitMissingInput
		case errors.Is(p.Err, ErrNotConfigured):
			c = ExitNotConfigured
		}
		if code >= 0 && c != code {
			return ExitOther
		}
		code = c
	}
	if code < 0 {
		return ExitOther
	}
	return code
}

// ImportSecretService parses data against the vault's catalog and stores the
// result all at once; when anything is wrong nothing is stored (S-37).
func (v *Vault) ImportSecretService(ctx context.Context, data []byte, opts SecretServiceOptions) (Batch, []Note, error) {
	c, err := v.Load()
	if err != nil {
		return Batch{}, nil, err
	}
	opts.Catalog = c
	b, notes, err := ParseSecretService(data, opts)
	if err != nil {
		return Batch{}, notes, err
	}
	if _, err := v.Apply(ctx, b); err != nil {
		return Batch{}, notes, err
	}
	return b, notes, nil
}

// ParseSecretService reads reference secret-service JSON: one item
// (`{"data": {…}}` or the bare object) or an array of them. It returns the
// batch to create in opts.Env and a report of what goes where; on any
// problem it returns an *ImportError listing all of them and an empty batch.
func ParseSecretService(data []byte, opts SecretServiceOptions) (Batch, []Note, error) {
	if opts.Env == "" {
		return Batch{}, nil, &ValidationError{Kind: "import", Field: "env", Msg: "is required"}
	}
	p := &ssParser{opts: opts}
	clean, commas := p.clean(data)
	p.data = clean
	for _, off := range commas {
		p.note(NoteWarning, "", off, "trailing comma accepted")
	}
	items, ok := p.items()
	if !ok {
		return Batch{}, p.notes, p.err()
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
		return Batch{}, p.notes, p.err()
	}
	return p.batch, p.notes, nil
}

// ---- parser state ----

type ssParser struct {
	opts     SecretServiceOptions
	data     []byte
	notes    []Note
	problems []ImportProblem
	batch    Batch
	// clients of the file, for linking secrets by _id or name.
	clients []ssClient
	// lines holds the offset of every line start, so positions cost a
	// binary search instead of a scan from the top of the file.
	lines []int64
}

type ssClient struct {
	refID  string
	name   string
	typ    ClientType
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
	start := skipSpace(p.data, 0)
	if start == len(p.data) {
		p.problem("", -1, ErrInvalid, "the file is empty")
		return nil, false
	}
	if err := json.Unmarshal(p.data, new(json.RawMessage)); err != nil {
		p.syntaxProblem(err)
		return nil, false
	}
	type rawItem struct {
		raw json.RawMessage
		off int64
	}
	var raws []rawItem
	if p.data[start] == '[' {
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
			raws = append(raws, rawItem{raw, int64(off)})
		}
		if len(raws) == 0 {
			p.problem("", int64(start), ErrInvalid, "the array is empty: nothing to import")
			return nil, false
		}
	} else {
		end := len(bytes.TrimRight(p.data, " \t\r\n"))
		raws = append(raws, rawItem{json.RawMessage(p.data[start:end]), int64(start)})
	}
	var out []ssItem
	for i, r := range raws {
		label := fmt.Sprintf("item %d", i+1)
		if r.raw[0] != '{' {
			p.problem(label, r.off, ErrInvalid, "expected an object (a secret or an auth client), found %s", jsonKind(r.raw))
			continue
		}
		o := p.object(label, r.raw, r.off)
		if d, ok := o.vals["data"]; ok {
			if d[0] != '{' {
				p.problem(label, o.offs["data"], ErrInvalid, "data should be an object, found %s", jsonKind(d))
				continue
			}
			for _, k := range o.keys {
				if k != "data" {
					p.note(NoteSkipped, label, o.offs[k], "%q beside \"data\" (only the data object is read)", k)
				}
			}
			o = p.object(label, d, o.offs["data"])
		}
		it := ssItem{n: i + 1, obj: o, label: label}
		switch {
		case o.has("value"):
			it.kind = "secret"
		case o.has("endpoints"), o.has("clientId"), o.has("tokenPath"), o.has("clientSecret"), o.has("redirectUri"):
			it.kind = "client"
		default:
			p.problem(label, o.base, ErrInvalid, `cannot tell what this is: a secret has "value", an auth client has "endpoints" or "clientId"`)
			continue
		}
		out = append(out, it)
	}
	return out, len(p.problems) == 0
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
		p.problem("", off, ErrInvalid, "%s", msg)
		return
	}
	p.problem("", -1, ErrInvalid, "%v", err)
}

// ---- JSON objects with positions ----

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
			p.note(NoteWarning, label, base+int64(off), "%q appears twice; the last one is used", key)
		} else {
			o.keys = append(o.keys, key)
		}
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
		p.problem(label, o.offs[key], ErrInvalid, "%s should be a string, found %s", path, jsonKind(raw))
		return ""
	}
	return s
}

// required returns the string under key, reporting it when missing or empty.
func (p *ssParser) required(label string, o *jsonObject, key, path string) string {
	s := p.str(label, o, key, path)
	if s == "" {
		if _, ok := o.vals[key]; ok {
			p.problem(label, o.offs[key], ErrInvalid, "%s is empty", path)
		} else {
			p.problem(label, o.base, ErrInvalid, "%s is missing", path)
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
		p.problem(label, o.offs[key], ErrInvalid, "%s should be an object, found %s", path, jsonKind(raw))
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
		p.problem(label, o.offs[key], ErrInvalid, "%s should be a list of strings, found %s", path, jsonKind(raw))
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
		p.problem(label, o.offs[key], ErrInvalid, "%s should be true or false, found %s", path, jsonKind(raw))
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
		p.problem(label, off, ErrInvalid, "%s: %q is not a URL (an example placeholder; put the real URL there)", path, raw)
		return false
	}
	if !template {
		if err := CheckURL(path, raw); err != nil {
			p.problem(label, off, ErrInvalid, "%v", err)
			return false
		}
		return true
	}
	t, err := ParseTemplate(raw)
	if err != nil {
		p.problem(label, off, ErrInvalid, "%s: %v", path, err)
		return false
	}
	filled, _ := t.Render(func(string) (string, bool) { return "x", true }, false)
	if err := CheckURL(path, filled); err != nil {
		// Name the URL as written, placeholders and all, not the filled-in copy.
		msg := strings.Replace(err.Error(), strconv.Quote(filled), strconv.Quote(raw), 1)
		p.problem(label, off, ErrInvalid, "%s", msg)
		return false
	}
	return true
}

// meta reads the metadata every item carries.
func (p *ssParser) meta(label string, o *jsonObject, name string) Meta {
	m := Meta{Name: name, Env: p.opts.Env}
	if err := ValidateName("item", name); err != nil && name != "" {
		var ve *ValidationError
		msg := err.Error()
		if errors.As(err, &ve) {
			msg = ve.Msg
		}
		p.problem(label, o.offs["name"], ErrInvalid, "name %s", msg)
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
			p.problem(label, o.offs[key], ErrInvalid, "%s should be a date or null, found %s", key, jsonKind(raw))
			continue
		}
		if s == "" {
			continue
		}
		t, err := ParseExpiry(s)
		if err != nil {
			p.problem(label, o.offs[key], ErrInvalid, "%s: %v", key, err)
			continue
		}
		m.Expiration = &t
	}
	for i, h := range p.strList(label, o, "allowedHosts", "allowedHosts") {
		if err := ValidateHostPattern(h); err != nil {
			p.problem(label, o.offs["allowedHosts"], ErrInvalid, "allowedHosts[%d]: %v", i, err)
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
	var ve *ValidationError
	if errors.As(err, &ve) {
		switch {
		case ve.Field != "":
			p.problem(label, off, ErrInvalid, "%s: %s", ve.Field, ve.Msg)
		default:
			p.problem(label, off, ErrInvalid, "%s", ve.Msg)
		}
		return
	}
	p.problem(label, off, ErrInvalid, "%v", err)
}

// ---- auth clients ----

var clientKnownKeys = []string{"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts",
	"clientId", "clientSecret", "redirectUri", "endpoints", "issuer", "scope", "scopes", "authMethod", "grant",
	"allowDeprecated", "audience", "resource", "prompt", "tokenPath", "expirationPath", "fields"}

func (p *ssParser) parseClient(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("auth client %q", name)
	}
	typ := ClientType(p.required(label, o, "type", "type"))
	switch typ {
	case ClientOAuth2, ClientSessionAuth, "":
	default:
		p.problem(label, o.offs["type"], ErrInvalid, "type %q is not %s or %s", typ, ClientOAuth2, ClientSessionAuth)
	}
	ac := AuthClient{Meta: p.meta(label, o, name), Type: typ}
	p.skipUnknown(label, o, "", clientKnownKeys...)
	info := ssClient{refID: p.refID(label, o), name: name, typ: typ, fields: map[string][]string{}}
	var creds *ClientCredentials
	urlsOK := true
	switch typ {
	case ClientOAuth2:
		ac.Grant = GrantAuthorizationCode
		if g := p.str(label, o, "grant", "grant"); g != "" {
			ac.Grant = Grant(g)
		}
		ac.AllowDeprecated = p.boolean(label, o, "allowDeprecated", "allowDeprecated")
		ac.ClientID = p.required(label, o, "clientId", "clientId")
		if looksPlaceholder(ac.ClientID) {
			p.note(NoteWarning, label, o.offs["clientId"], "clientId %q looks like an example placeholder", ac.ClientID)
		}
		if iss := p.str(label, o, "issuer", "issuer"); iss != "" {
			urlsOK = p.checkURL(label, o.offs["issuer"], "issuer", iss, false) && urlsOK
			ac.Issuer = iss
		}
		if r := p.str(label, o, "redirectUri", "redirectUri"); r != "" {
			urlsOK = p.checkURL(label, o.offs["redirectUri"], "redirectUri", r, false) && urlsOK
			ac.RedirectURI = r
		}
		if ep := p.sub(label, o, "endpoints", "endpoints"); ep != nil {
			for _, e := range []struct {
				key string
				dst *string
			}{
				{"auth", &ac.Endpoints.Authorization}, {"token", &ac.Endpoints.Token}, {"device", &ac.Endpoints.Device},
				{"introspection", &ac.Endpoints.Introspection}, {"revocation", &ac.Endpoints.Revocation},
				{"jwks", &ac.Endpoints.JWKS}, {"userinfo", &ac.Endpoints.Userinfo},
			} {
				s := p.str(label, ep, e.key, "endpoints."+e.key)
				if s == "" {
					continue
				}
				urlsOK = p.checkURL(label, ep.offs[e.key], "endpoints."+e.key, s, false) && urlsOK
				*e.dst = s
			}
			p.skipUnknown(label, ep, "endpoints.", "auth", "token", "device", "introspection", "revocation", "jwks", "userinfo")
		}
		if s := p.str(label, o, "scope", "scope"); s != "" {
			ac.Scopes = strings.Fields(s)
		}
		ac.Scopes = append(ac.Scopes, p.strList(label, o, "scopes", "scopes")...)
		ac.Audience = p.str(label, o, "audience", "audience")
		ac.Resource = p.str(label, o, "resource", "resource")
		ac.Prompt = p.str(label, o, "prompt", "prompt")
		ac.AuthMethod = AuthMethod(p.str(label, o, "authMethod", "authMethod"))
		if ac.AuthMethod == "" && ac.Grant != GrantImplicit {
			ac.AuthMethod = p.opts.AuthMethod
			if ac.AuthMethod == "" {
				p.problem(label, o.base, ErrMissingInput, "authMethod: the file does not say how the client authenticates at the token endpoint and it is never guessed; choose one for the import (client_secret_basic, client_secret_post, private_key_jwt, none or tls_client_auth; CLI: --auth-method)")
			}
		}
		secret := p.str(label, o, "clientSecret", "clientSecret")
		if secret != "" {
			if ac.AuthMethod == AuthNone {
				p.note(NoteSkipped, label, o.offs["clientSecret"], "clientSecret: not stored, the auth method is none")
			} else {
				creds = &ClientCredentials{ClientSecret: secret}
				if looksPlaceholder(secret) {
					p.note(NoteWarning, label, o.offs["clientSecret"], "clientSecret looks like an example placeholder (<…>)")
				}
			}
		}
		for _, k := range []string{"tokenPath", "expirationPath", "fields"} {
			if _, ok := o.vals[k]; ok {
				p.note(NoteSkipped, label, o.offs[k], "%s: only used by SESSION_AUTH clients", k)
			}
		}
	case ClientSessionAuth:
		st := &SessionTemplate{
			TokenPath:      p.required(label, o, "tokenPath", "tokenPath"),
			ExpirationPath: p.str(label, o, "expirationPath", "expirationPath"),
		}
		ac.SessionAuth = st
		ep := p.sub(label, o, "endpoints", "endpoints")
		var auth *jsonObject
		if ep == nil {
			p.problem(label, o.base, ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
		} else {
			auth = p.sub(label, ep, "auth", "endpoints.auth")
			if auth == nil {
				p.problem(label, ep.base, ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
			}
			p.skipUnknown(label, ep, "endpoints.", "auth")
		}
		if auth != nil {
			st.URL = p.required(label, auth, "url", "endpoints.auth.url")
			if st.URL != "" {
				urlsOK = p.checkURL(label, auth.offs["url"], "endpoints.auth.url", st.URL, true) && urlsOK
				p.useFields(info.fields, st.URL, "endpoints.auth.url")
			}
			st.AuthType = SessionAuthType(p.required(label, auth, "authType", "endpoints.auth.authType"))
			p.requestFields(label, auth, st, info.fields)
			p.skipUnknown(label, auth, "endpoints.auth.", "url", "authType", "requestFields")
		}
		if raw, ok := o.vals["fields"]; ok {
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil && string(raw) != "null" {
				p.problem(label, o.offs["fields"], ErrInvalid, "fields should be a list, found %s", jsonKind(raw))
			} else {
				p.note(NoteSkipped, label, o.offs["fields"], "fields (%d entries): input fields are taken from the {{fields.NAME}} placeholders", len(list))
			}
		}
		for _, k := range []string{"clientId", "clientSecret", "redirectUri", "authMethod", "grant", "scope", "scopes", "issuer"} {
			if _, ok := o.vals[k]; ok {
				p.note(NoteSkipped, label, o.offs[k], "%s: not used by SESSION_AUTH clients (the token request template says what is sent)", k)
			}
		}
	}
	if name != "" {
		for _, c := range p.clients {
			if c.name == name {
				p.problem(label, o.offs["name"], ErrExists, "the file has two auth clients named %q", name)
			}
		}
		if cat := p.opts.Catalog; cat != nil {
			if _, ok := cat.Client(p.opts.Env, name); ok {
				p.problem(label, o.offs["name"], ErrExists, "auth client %q already exists in environment %q", name, p.opts.Env)
			}
		}
	}
	p.clients = append(p.clients, info)
	if len(p.problems) > before || !urlsOK {
		return
	}
	if err := ac.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	cc := ClientCredentials{}
	if creds != nil {
		cc = *creds
	}
	if err := ac.ValidateCredentials(cc); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	p.batch.Clients = append(p.batch.Clients, ClientItem{Client: ac, Creds: creds})
	detail := string(ac.Type)
	if ac.Type == ClientOAuth2 {
		detail += ", " + string(ac.Grant) + ", " + string(ac.AuthMethod)
	}
	p.note(NoteCreated, label, o.base, "%s", detail)
	if creds != nil {
		p.note(NoteStored, label, o.offs["clientSecret"], "clientSecret")
	}
}

// secretFieldKey reports whether a request field name suggests a credential,
// which should come from a secret's inputFields rather than sit in the catalog.
func secretFieldKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"secret", "password", "passphrase", "token", "key", "assertion"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func (p *ssParser) requestFields(label string, auth *jsonObject, st *SessionTemplate, uses map[string][]string) {
	raw, ok := auth.vals["requestFields"]
	if !ok || string(raw) == "null" {
		return
	}
	if raw[0] != '[' {
		p.problem(label, auth.offs["requestFields"], ErrInvalid, "endpoints.auth.requestFields should be a list, found %s", jsonKind(raw))
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token()
	base := auth.offs["requestFields"]
	for i := 0; dec.More(); i++ {
		off := base + int64(skipSpaceComma(raw, int(dec.InputOffset())))
		var el json.RawMessage
		if err := dec.Decode(&el); err != nil {
			return
		}
		path := fmt.Sprintf("endpoints.auth.requestFields[%d]", i)
		if el[0] != '{' {
			p.problem(label, off, ErrInvalid, "%s should be an object {\"key\": …, \"value\": …}, found %s", path, jsonKind(el))
			continue
		}
		f := p.object(label, el, off)
		key := p.required(label, f, "key", path+".key")
		val := p.str(label, f, "value", path+".value")
		p.skipUnknown(label, f, path+".", "key", "value")
		t, err := ParseTemplate(val)
		if err != nil {
			p.problem(label, f.offs["value"], ErrInvalid, "%s.value: %v", path, err)
			continue
		}
		if key != "" && val != "" && len(t.Names()) == 0 && secretFieldKey(key) {
			p.note(NoteWarning, label, f.offs["value"], "%s (%s) holds a literal value, which is kept in the catalog, not the vault; use {{fields.%s}} and put the value in each secret's inputFields", path, key, key)
		}
		p.useFields(uses, val, fmt.Sprintf("%s (%s)", path, key))
		st.RequestFields = append(st.RequestFields, Param{Key: key, Value: val})
	}
}

func (p *ssParser) useFields(uses map[string][]string, s, where string) {
	t, err := ParseTemplate(s)
	if err != nil {
		return
	}
	for _, f := range t.FieldNames() {
		uses[f] = append(uses[f], where)
	}
}

// ---- secrets ----

var secretKnownKeys = []string{"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts", "value"}

func (p *ssParser) parseSecret(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("secret %q", name)
	}
	typ := SecretType(p.required(label, o, "type", "type"))
	s := Secret{Meta: p.meta(label, o, name), Type: typ}
	p.refID(label, o)
	p.skipUnknown(label, o, "", secretKnownKeys...)
	vo := p.sub(label, o, "value", "value")
	if vo == nil {
		if before == len(p.problems) {
			p.problem(label, o.offs["value"], ErrInvalid, "value should be an object")
		}
		return
	}
	var val SecretValue
	str := func(key string) string { return p.str(label, vo, key, "value."+key) }
	var known []string
	var secretFields []string
	set := func(key string, dst *string, secret bool) {
		known = append(known, key)
		*dst = str(key)
		if *dst != "" && secret {
			secretFields = append(secretFields, key)
			if looksPlaceholder(*dst) {
				p.note(NoteWarning, label, vo.offs[key], "value.%s looks like an example placeholder (<…>)", key)
			}
		}
	}
	var clientRef string
	switch typ {
	case TypeAPIKey:
		set("key", &val.Key, true)
		set("headerName", &val.HeaderName, false)
		if val.HeaderName != "" {
			secretFields = append(secretFields, "headerName")
		}
		if q := str("queryParam"); q != "" {
			s.QueryParam = q
		}
		known = append(known, "queryParam")
	case TypeSimple:
		set("username", &val.Username, false)
		if val.Username != "" {
			secretFields = append(secretFields, "username")
		}
		set("passphrase", &val.Passphrase, true)
	case TypeOAuthToken:
		set("authClientId", &clientRef, false)
		set("accessToken", &val.AccessToken, true)
		set("refreshToken", &val.RefreshToken, true)
		set("idToken", &val.IDToken, true)
		set("tokenType", &val.TokenType, false)
		set("scope", &val.Scope, false)
		known = append(known, "expires")
		if raw, ok := vo.vals["expires"]; ok && string(raw) != "null" {
			switch jsonKind(raw) {
			case "a string", "a number":
				val.Expires = strings.Trim(string(raw), `"`)
				if val.Expires != "" {
					t, err := ParseExpiry(val.Expires)
					if err != nil {
						p.problem(label, vo.offs["expires"], ErrInvalid, "value.expires: %v", err)
					} else {
						val.Expires = t.Format("2006-01-02T15:04:05Z07:00")
					}
				}
			default:
				p.problem(label, vo.offs["expires"], ErrInvalid, "value.expires should be a date, Unix seconds or empty, found %s", jsonKind(raw))
			}
		}
	case TypeSessionAuth:
		set("authClientId", &clientRef, false)
		known = append(known, "inputFields")
		if f := p.sub(label, vo, "inputFields", "value.inputFields"); f != nil {
			val.InputFields = map[string]string{}
			for _, k := range f.keys {
				raw := f.vals[k]
				var v string
				if err := json.Unmarshal(raw, &v); err != nil {
					p.problem(label, f.offs[k], ErrInvalid, "value.inputFields.%s should be a string, found %s", k, jsonKind(raw))
					continue
				}
				val.InputFields[k] = v
				secretFields = append(secretFields, "inputFields."+k)
				if looksPlaceholder(v) {
					p.note(NoteWarning, label, f.offs[k], "value.inputFields.%s looks like an example placeholder (<…>)", k)
				}
			}
		}
	case "":
	default:
		p.problem(label, o.offs["type"], ErrInvalid, "type %q is not one of the secret service's types (API_KEY, SIMPLE, OA2_AUTHORIZATION_CODE, SESSION_AUTH)", typ)
		return
	}
	p.skipUnknown(label, vo, "value.", known...)
	if clientRef != "" {
		p.link(label, vo.offs["authClientId"], &s, clientRef, val.InputFields)
	} else if typ == TypeSessionAuth {
		p.problem(label, vo.base, ErrInvalid, "value.authClientId is missing (the SESSION_AUTH auth client that fetches the token)")
	}
	if name != "" {
		for _, x := range p.batch.Secrets {
			if x.Secret.Name == name {
				p.problem(label, o.offs["name"], ErrExists, "the file has two secrets named %q", name)
			}
		}
		if cat := p.opts.Catalog; cat != nil {
			if _, ok := cat.Secret(p.opts.Env, name); ok {
				p.problem(label, o.offs["name"], ErrExists, "secret %q already exists in environment %q", name, p.opts.Env)
			}
		}
	}
	if len(p.problems) > before {
		return
	}
	if err := s.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	if err := s.ValidateValue(val); err != nil {
		p.validationProblem(label, vo.base, err)
		return
	}
	p.batch.Secrets = append(p.batch.Secrets, SecretItem{Secret: s, Value: val})
	detail := string(s.Type)
	if s.AuthClient != "" {
		detail += ", auth client " + strconv.Quote(s.AuthClient)
	}
	p.note(NoteCreated, label, o.base, "%s", detail)
	if len(secretFields) > 0 {
		p.note(NoteStored, label, vo.base, "%s", strings.Join(secretFields, ", "))
	}
}

// link resolves a secret's authClientId to an auth client of the file (by
// _id or name) or of the environment (by name or ID), and checks that the
// secret's inputFields give every {{fields.NAME}} that client uses.
func (p *ssParser) link(label string, off int64, s *Secret, ref string, inputs map[string]string) {
	var found *ssClient
	for i := range p.clients {
		c := &p.clients[i]
		if (c.refID != "" && c.refID == ref) || c.name == ref {
			found = c
			break
		}
	}
	if found == nil && p.opts.Catalog != nil {
		for _, c := range p.opts.Catalog.ClientsIn(p.opts.Env) {
			if c.Name == ref || c.ID == ref {
				fc := ssClient{name: c.Name, typ: c.Type, fields: map[string][]string{}}
				if c.SessionAuth != nil {
					p.useFields(fc.fields, c.SessionAuth.URL, "url")
					for i, f := range c.SessionAuth.RequestFields {
						p.useFields(fc.fields, f.Value, fmt.Sprintf("requestFields[%d] (%s)", i, f.Key))
					}
				}
				found = &fc
				break
			}
		}
	}
	if found == nil {
		where := "this file (by _id or name)"
		if p.opts.Catalog != nil {
			where += fmt.Sprintf(" or environment %q", p.opts.Env)
		}
		hint := ""
		if looksPlaceholder(ref) {
			hint = " — it is an example placeholder; put the auth client's _id or name there"
		}
		p.problem(label, off, ErrNotConfigured, "value.authClientId %q matches no auth client in %s%s", ref, where, hint)
		return
	}
	want := ClientOAuth2
	if s.Type == TypeSessionAuth {
		want = ClientSessionAuth
	}
	if found.typ != want {
		p.problem(label, off, ErrInvalid, "value.authClientId: auth client %q is %s, but a %s secret needs a %s client", found.name, found.typ, s.Type, want)
		return
	}
	s.AuthClient = found.name
	if s.Type != TypeSessionAuth {
		return
	}
	var missing []string
	for f := range found.fields {
		if _, ok := inputs[f]; !ok {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	for _, f := range missing {
		p.problem(label, off, ErrMissingInput, "value.inputFields has no %q: auth client %q uses {{fields.%s}} in %s", f, found.name, f, strings.Join(found.fields[f], ", "))
	}
	var unused []string
	for f := range inputs {
		if _, ok := found.fields[f]; !ok {
			unused = append(unused, f)
		}
	}
	sort.Strings(unused)
	for _, f := range unused {
		p.note(NoteWarning, label, off, "value.inputFields.%s is not used by auth client %q", f, found.name)
	}
}
