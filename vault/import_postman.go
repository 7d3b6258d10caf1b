package vault

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file imports Postman collections (v2.1, and v2.0 auth blocks) and
// Postman environments. It also holds what the three request importers
// (Postman, curl, .http) share: the secret-aware import, where values that
// look secret go to the vault — as secret variables or secrets — and the
// requests refer to them, so no secret value ever lands in the catalog.

// RequestImportOptions say where imported requests go.
type RequestImportOptions struct {
	// Env is the target environment. It must exist, except for a Postman
	// environment file, which creates an environment of its own name when
	// Env is empty.
	Env string
	// Catalog, when set, is checked so that names already taken are
	// reported (or reused) before anything is stored; nil checks nothing.
	Catalog *Catalog
	// Name names a request that has none of its own (a curl command line);
	// several get "Name 2", "Name 3".
	Name string
	// Values are the target environment's current variable values (secret
	// ones included, see Vault.Vars), so a secret found again reuses the
	// secret variable that already holds it; nil reuses nothing.
	Values map[string]string
}

// checkEnv refuses an import without a target environment, or into one the
// catalog does not have.
func (o RequestImportOptions) checkEnv() error {
	if o.Env == "" {
		return &ValidationError{Kind: "import", Field: "env", Msg: "is required"}
	}
	if o.Catalog != nil {
		if _, ok := o.Catalog.Env(o.Env); !ok {
			return &NotFoundError{Kind: "environment", Name: o.Env}
		}
	}
	return nil
}

// checkText is checkEnv for a text format, which must also be UTF-8.
func (o RequestImportOptions) checkText(data []byte) error {
	if err := o.checkEnv(); err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return &ImportError{Problems: []ImportProblem{{Err: ErrInvalid, Msg: "the file is not UTF-8 text"}}}
	}
	return nil
}

// ---- the shared importer ----

type reqImporter struct {
	opts     RequestImportOptions
	env      string
	batch    Batch
	notes    []Note
	problems []ImportProblem
	// existing environment variables (when a catalog was given)
	existing map[string]Variable
	// names taken in the target environment, including this import's
	vars, secrets, requests map[string]bool
	// dedupe: a secret value → the secret variable holding it; a credential → its secret
	varByValue  map[string]string
	credByValue map[string]string
	// plain variables this import defines (to resolve templated auth blocks)
	defined map[string]string
}

func newReqImporter(opts RequestImportOptions) *reqImporter {
	im := &reqImporter{
		opts: opts, env: opts.Env,
		existing: map[string]Variable{},
		vars:     map[string]bool{}, secrets: map[string]bool{}, requests: map[string]bool{},
		varByValue: map[string]string{}, credByValue: map[string]string{}, defined: map[string]string{},
	}
	im.useEnv(opts.Env)
	return im
}

// useEnv points the import at env, learning the names it already holds.
func (im *reqImporter) useEnv(env string) {
	im.env = env
	c := im.opts.Catalog
	if c == nil || env == "" {
		return
	}
	if e, ok := c.Env(env); ok {
		for _, v := range e.Variables {
			im.existing[v.Name] = v
			im.vars[v.Name] = true
			if val, ok := im.opts.Values[v.Name]; ok && v.Secret && val != "" && env == im.opts.Env {
				im.varByValue[val] = v.Name
			}
		}
	}
	for _, s := range c.SecretsIn(env) {
		im.secrets[s.Name] = true
	}
	for _, x := range c.ClientsIn(env) {
		im.secrets[x.Name] = true
	}
	for _, r := range c.RequestsIn(env) {
		im.requests[r.Name] = true
	}
}

func (im *reqImporter) note(kind NoteKind, item, format string, args ...any) {
	im.notes = append(im.notes, Note{Kind: kind, Item: item, Msg: fmt.Sprintf(format, args...)})
}

func (im *reqImporter) problem(item string, line, col int, class error, format string, args ...any) {
	im.problems = append(im.problems, ImportProblem{Item: item, Line: line, Col: col, Err: class, Msg: fmt.Sprintf(format, args...)})
}

// unique returns base, or base + " 2", " 3"… (sep "_" for variables) not in taken.
func unique(taken map[string]bool, base, sep string) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s%s%d", base, sep, i)
		if !taken[n] {
			return n
		}
	}
}

// varName turns any text into a variable name: letters, digits, '_', '-', '.'.
func varName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	n := strings.Trim(b.String(), "_.-")
	if n == "" {
		n = "secret"
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// itemName makes a valid, unique item name from text.
func itemName(taken map[string]bool, s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '-'
		case !unicode.IsPrint(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimLeft(s, "-")
	if r := []rune(s); len(r) > MaxNameLen-4 {
		s = strings.TrimSpace(string(r[:MaxNameLen-4]))
	}
	if s == "" {
		s = "imported"
	}
	return unique(taken, s, " ")
}

// addVar defines a variable of the file (a Postman collection or
// environment variable, an .http @variable). An existing variable of the
// same name is kept as it is.
func (im *reqImporter) addVar(name, value string, secret bool, from string) {
	if err := ValidateVarName(im.env, name); err != nil {
		im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "not a valid variable name (letters, digits, '_', '-' and '.')")
		return
	}
	if old, ok := im.existing[name]; ok {
		switch {
		case !old.Secret && !secret && old.Value == value:
			im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "already in environment %q with the same value", im.env)
		default:
			im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "already in environment %q; kept the existing value", im.env)
		}
		return
	}
	if im.vars[name] {
		im.note(NoteSkipped, fmt.Sprintf("variable %q", name), "defined again in %s; the first value is kept", from)
		return
	}
	im.vars[name] = true
	if secret {
		if im.batch.SecretVars == nil {
			im.batch.SecretVars = map[string]map[string]string{}
		}
		if im.batch.SecretVars[im.env] == nil {
			im.batch.SecretVars[im.env] = map[string]string{}
		}
		im.batch.SecretVars[im.env][name] = value
		im.varByValue[value] = name
		im.note(NoteStored, fmt.Sprintf("variable %q", name), "secret variable, value goes to the vault (from %s)", from)
		return
	}
	if im.batch.Vars == nil {
		im.batch.Vars = map[string]map[string]string{}
	}
	if im.batch.Vars[im.env] == nil {
		im.batch.Vars[im.env] = map[string]string{}
	}
	im.batch.Vars[im.env][name] = value
	im.defined[name] = value
	im.note(NoteCreated, fmt.Sprintf("variable %q", name), "plain variable (from %s)", from)
}

// secretVar stores a literal secret found in a request as a new secret
// variable and returns the reference to put in its place. The same value
// found twice shares one variable.
func (im *reqImporter) secretVar(base, value, where string) string {
	if name, ok := im.varByValue[value]; ok {
		return "{{" + name + "}}"
	}
	name := unique(im.vars, varName(base), "_")
	im.addVar(name, value, true, where)
	return "{{" + name + "}}"
}

// markSecretVar records that a variable of the file carries a credential
// (it is used by an auth block), so it must be secret.
func (im *reqImporter) markSecretVar(name string) {
	v, ok := im.batch.Vars[im.env][name]
	if !ok {
		return
	}
	delete(im.batch.Vars[im.env], name)
	delete(im.defined, name)
	delete(im.vars, name)
	im.notes = slices.DeleteFunc(im.notes, func(n Note) bool {
		return n.Kind == NoteCreated && n.Item == fmt.Sprintf("variable %q", name)
	})
	im.addVar(name, v, true, "an auth block")
}

// addCredential stores a secret for an auth block or an Authorization
// header and returns its name; the same credential found twice is stored once.
func (im *reqImporter) addCredential(base string, s Secret, v SecretValue, where string) string {
	key := string(s.Type) + "\x00" + s.HeaderName + "\x00" + s.QueryParam + "\x00" + v.Key + "\x00" + v.Username + "\x00" + v.Passphrase
	if name, ok := im.credByValue[key]; ok {
		return name
	}
	s.Name = itemName(im.secrets, base)
	s.Env = im.env
	if err := s.Validate(); err != nil {
		im.problem(fmt.Sprintf("secret %q", s.Name), 0, 0, ErrInvalid, "%v", err)
		return s.Name
	}
	if err := s.ValidateValue(v); err != nil {
		im.problem(fmt.Sprintf("secret %q", s.Name), 0, 0, ErrInvalid, "%v", err)
		return s.Name
	}
	im.secrets[s.Name] = true
	im.credByValue[key] = s.Name
	im.batch.Secrets = append(im.batch.Secrets, SecretItem{Secret: s, Value: v})
	im.note(NoteStored, fmt.Sprintf("secret %q", s.Name), "%s from %s; its value goes to the vault", s.Type, where)
	return s.Name
}

// secretize moves literal secrets out of a request: an Authorization header
// becomes a secret the request uses (when it has no credential yet), other
// secret-looking header, query, form and JSON values become secret variables.
func (im *reqImporter) secretize(r *Request, label string) {
	var kept []Header
	for _, h := range r.Headers {
		v := strings.TrimSpace(h.Value)
		if v == "" || strings.Contains(v, "{{") {
			kept = append(kept, h)
			continue
		}
		if strings.EqualFold(h.Name, "Authorization") && r.Auth == "" {
			scheme, rest, _ := strings.Cut(v, " ")
			rest = strings.TrimSpace(rest)
			switch strings.ToLower(scheme) {
			case "bearer":
				if rest != "" {
					r.Auth = im.addCredential(r.Name+" token", Secret{Type: TypeAPIKey, HeaderName: "Authorization"}, SecretValue{Key: "Bearer " + rest, HeaderName: "Authorization"}, label+" (Authorization header)")
					continue
				}
			case "basic":
				if user, pass, ok := decodeBasic(rest); ok {
					r.Auth = im.addCredential(r.Name+" basic", Secret{Type: TypeSimple}, SecretValue{Username: user, Passphrase: pass}, label+" (Authorization header)")
					continue
				}
			}
		}
		if strings.EqualFold(h.Name, "Authorization") || strings.EqualFold(h.Name, "Proxy-Authorization") || strings.EqualFold(h.Name, "Cookie") || secretlike.Field(h.Name, v) {
			if !strings.EqualFold(h.Name, "Authorization") && !strings.EqualFold(h.Name, "Cookie") && !strings.EqualFold(h.Name, "Proxy-Authorization") && r.Auth == "" && !strings.ContainsAny(v, " ") && validHeaderName(h.Name) {
				// An API key header: a secret the request uses, like any credential.
				r.Auth = im.addCredential(r.Name+" "+h.Name, Secret{Type: TypeAPIKey, HeaderName: h.Name}, SecretValue{Key: v}, label+" (header "+h.Name+")")
				continue
			}
			kept = append(kept, Header{Name: h.Name, Value: im.secretizeValue(h.Name, v, label+" (header "+h.Name+")")})
			continue
		}
		kept = append(kept, h)
	}
	r.Headers = kept
	r.URL = im.secretizeURL(r.URL, label)
	r.Body = im.secretizeBody(r, label)
}

func validHeaderName(h string) bool { return h != "" && checkHeaderName(h) == nil }

// secretizeValue replaces a literal with a secret variable reference,
// keeping an auth scheme ("Bearer ") in front of it.
func (im *reqImporter) secretizeValue(name, v, where string) string {
	if scheme, rest, ok := strings.Cut(v, " "); ok {
		switch strings.ToLower(scheme) {
		case "bearer", "basic", "token", "digest", "apikey", "api-key":
			return scheme + " " + im.secretVar(name+"_"+strings.ToLower(scheme), strings.TrimSpace(rest), where)
		}
	}
	return im.secretVar(name, v, where)
}

func decodeBasic(s string) (string, string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", "", false
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok || user == "" || !utf8.ValidString(string(b)) {
		return "", "", false
	}
	return user, pass, true
}

// secretizeURL replaces secret-looking query values (and URL userinfo).
func (im *reqImporter) secretizeURL(raw, label string) string {
	qi := strings.IndexByte(raw, '?')
	if qi < 0 {
		return raw
	}
	base, query := raw[:qi], raw[qi+1:]
	frag := ""
	if fi := strings.IndexByte(query, '#'); fi >= 0 {
		query, frag = query[:fi], query[fi:]
	}
	parts := strings.Split(query, "&")
	changed := false
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		if secretlike.Field(dk, dv) {
			parts[i] = k + "=" + im.secretVar(dk, dv, label+" (query parameter "+dk+")")
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return base + "?" + strings.Join(parts, "&") + frag
}

// secretizeBody replaces secret-looking values of a form or JSON body.
func (im *reqImporter) secretizeBody(r *Request, label string) string {
	body := r.Body
	if body == "" {
		return body
	}
	ct := ""
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			ct = strings.ToLower(h.Value)
		}
	}
	trimmed := strings.TrimSpace(body)
	switch {
	case strings.Contains(ct, "json") || (ct == "" && (strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["))):
		if out, ok := im.secretizeJSON(body, label); ok {
			return out
		}
		return body
	case strings.Contains(ct, "x-www-form-urlencoded") || (ct == "" && strings.Contains(body, "=") && !strings.ContainsAny(trimmed, " \n{")):
		parts := strings.Split(body, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				continue
			}
			dk, _ := url.QueryUnescape(k)
			dv, err := url.QueryUnescape(v)
			if err != nil {
				dv = v
			}
			if secretlike.Field(dk, dv) {
				parts[i] = k + "=" + im.secretVar(dk, dv, label+" (form field "+dk+")")
			}
		}
		return strings.Join(parts, "&")
	}
	return body
}

// secretizeJSON replaces the string values of secret-looking members in a
// JSON body, keeping the rest of the text (spacing, order) as it was.
func (im *reqImporter) secretizeJSON(body, label string) (string, bool) {
	if strings.Contains(body, "{{") {
		// A templated body is not JSON until rendered; check its literal members only.
		return im.secretizeJSONText(body, label), true
	}
	if !json.Valid([]byte(body)) {
		return body, false
	}
	return im.secretizeJSONText(body, label), true
}

// secretizeJSONText scans for `"name": "value"` pairs.
func (im *reqImporter) secretizeJSONText(body, label string) string {
	var out strings.Builder
	i := 0
	for i < len(body) {
		if body[i] != '"' {
			out.WriteByte(body[i])
			i++
			continue
		}
		end := jsonStringEnd(body, i)
		key := body[i:end]
		out.WriteString(key)
		i = end
		// a member name is followed by ':' and, for us, a string value
		j := i
		for j < len(body) && strings.ContainsRune(" \t\r\n", rune(body[j])) {
			j++
		}
		if j >= len(body) || body[j] != ':' {
			continue
		}
		k := j + 1
		for k < len(body) && strings.ContainsRune(" \t\r\n", rune(body[k])) {
			k++
		}
		if k >= len(body) || body[k] != '"' {
			continue
		}
		vend := jsonStringEnd(body, k)
		var name, val string
		if json.Unmarshal([]byte(key), &name) != nil || json.Unmarshal([]byte(body[k:vend]), &val) != nil {
			continue
		}
		out.WriteString(body[i:k])
		if secretlike.Field(name, val) {
			ref, _ := json.Marshal(im.secretVar(name, val, label+" (JSON member "+name+")"))
			out.Write(ref)
		} else {
			out.WriteString(body[k:vend])
		}
		i = vend
	}
	return out.String()
}

func jsonStringEnd(s string, i int) int {
	j := i + 1
	for j < len(s) {
		switch s[j] {
		case '\\':
			j += 2
		case '"':
			return j + 1
		default:
			j++
		}
	}
	return len(s)
}

// addRequest validates and adds a request under a unique name.
func (im *reqImporter) addRequest(r Request, label string) {
	r.Env = im.env
	r.Name = itemName(im.requests, r.Name)
	if r.Method == "" {
		r.Method = "GET"
	}
	r.Method = strings.ToUpper(r.Method)
	for _, n := range dynamicVars(r) {
		im.note(NoteWarning, fmt.Sprintf("request %q", r.Name), "uses {{%s}}, which authdeck does not provide; define it as a variable before sending", n)
	}
	if err := r.Validate(); err != nil {
		var ve *ValidationError
		msg := err.Error()
		if errors.As(err, &ve) {
			msg = ve.Field + ": " + ve.Msg
		}
		im.problem(label, 0, 0, ErrInvalid, "%s", msg)
		return
	}
	im.requests[r.Name] = true
	im.batch.Requests = append(im.batch.Requests, r)
	im.note(NoteCreated, fmt.Sprintf("request %q", r.Name), "%s %s", r.Method, r.URL)
}

// dynamicVars lists the {{$…}} placeholders (Postman and REST Client
// built-ins) a request uses.
func dynamicVars(r Request) []string {
	var out []string
	texts := []string{r.URL, r.Body}
	for _, h := range r.Headers {
		texts = append(texts, h.Name, h.Value)
	}
	for _, s := range texts {
		t, err := ParseTemplate(s)
		if err != nil {
			continue
		}
		for _, n := range t.Names() {
			if strings.HasPrefix(n, "$") && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// finish returns the batch, or every problem found.
func (im *reqImporter) finish() (Batch, []Note, error) {
	if len(im.problems) > 0 {
		return Batch{}, im.notes, &ImportError{Problems: im.problems}
	}
	if im.batch.Empty() {
		im.note(NoteSkipped, "", "nothing to import")
	}
	return im.batch, im.notes, nil
}

// ---- Postman ----

type pmCollection struct {
	Info     *pmInfo          `json:"info"`
	Item     []pmItem         `json:"item"`
	Auth     *pmAuth          `json:"auth"`
	Variable []pmVariable     `json:"variable"`
	Values   []pmVariable     `json:"values"`
	Name     string           `json:"name"`
	Scope    string           `json:"_postman_variable_scope"`
	Requests []map[string]any `json:"requests"` // v1 collections
}

type pmInfo struct {
	Name   string `json:"name"`
	Schema string `json:"schema"`
}

type pmItem struct {
	Name     string          `json:"name"`
	Item     []pmItem        `json:"item"`
	Request  json.RawMessage `json:"request"`
	Auth     *pmAuth         `json:"auth"`
	Variable []pmVariable    `json:"variable"`
}

type pmVariable struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Type     string          `json:"type"`
	Disabled bool            `json:"disabled"`
	Enabled  *bool           `json:"enabled"`
}

func (v pmVariable) value() string {
	if len(v.Value) == 0 || string(v.Value) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) == nil {
		return s
	}
	return string(v.Value) // numbers and booleans as written
}

type pmKV struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled"`
	Type     string `json:"type"`
}

type pmRequest struct {
	Method      string          `json:"method"`
	Header      json.RawMessage `json:"header"`
	Body        *pmBody         `json:"body"`
	URL         json.RawMessage `json:"url"`
	Auth        *pmAuth         `json:"auth"`
	Description json.RawMessage `json:"description"`
}

type pmBody struct {
	Mode       string          `json:"mode"`
	Raw        string          `json:"raw"`
	URLEncoded []pmKV          `json:"urlencoded"`
	FormData   []pmKV          `json:"formdata"`
	GraphQL    json.RawMessage `json:"graphql"`
	Disabled   bool            `json:"disabled"`
	Options    struct {
		Raw struct {
			Language string `json:"language"`
		} `json:"raw"`
	} `json:"options"`
}

type pmURL struct {
	Raw      string          `json:"raw"`
	Protocol string          `json:"protocol"`
	Host     json.RawMessage `json:"host"`
	Port     string          `json:"port"`
	Path     json.RawMessage `json:"path"`
	Query    []pmKV          `json:"query"`
}

// pmAuth is an auth block. v2.1 lists parameters as [{key, value}], v2.0 as
// an object; params reads either.
type pmAuth struct {
	Type   string                     `json:"type"`
	Blocks map[string]json.RawMessage `json:"-"`
}

func (a *pmAuth) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	a.Blocks = m
	if t, ok := m["type"]; ok {
		if err := json.Unmarshal(t, &a.Type); err != nil {
			return fmt.Errorf("auth type should be a string")
		}
	}
	return nil
}

// params returns the auth block's parameters as strings.
func (a *pmAuth) params() map[string]string {
	out := map[string]string{}
	raw, ok := a.Blocks[a.Type]
	if !ok {
		return out
	}
	var list []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	toString := func(r json.RawMessage) string {
		var s string
		if json.Unmarshal(r, &s) == nil {
			return s
		}
		return strings.Trim(string(r), `"`)
	}
	if json.Unmarshal(raw, &list) == nil {
		for _, kv := range list {
			out[kv.Key] = toString(kv.Value)
		}
		return out
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			out[k] = toString(v)
		}
	}
	return out
}

// ParsePostman reads a Postman collection (v2.1 or v2.0) or a Postman
// environment and returns the batch to create and a report. Collection
// variables become environment variables (secret ones — by type, name or
// value, or used by an auth block — go to the vault), requests become saved
// requests named by their folder path, and auth blocks (bearer, basic,
// apikey, oauth2) become secrets and auth clients the requests use. On any
// problem it returns an *ImportError listing all of them and an empty batch.
func ParsePostman(data []byte, opts RequestImportOptions) (Batch, []Note, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		line, col := 0, 0
		msg := describeJSONError(data, err)
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) {
			line, col = LineCol(data, syn.Offset)
			msg = syn.Error()
		} else if errors.As(err, &typ) {
			line, col = LineCol(data, typ.Offset)
			msg = "a Postman file is a JSON object"
		}
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Line: line, Col: col, Err: ErrInvalid, Msg: msg}}}
	}
	var c pmCollection
	if err := json.Unmarshal(data, &c); err != nil {
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: ErrInvalid, Msg: "not a Postman collection or environment: " + describeJSONError(data, err)}}}
	}
	_, hasValues := top["values"]
	_, hasItems := top["item"]
	switch {
	case hasValues && !hasItems:
		return parsePostmanEnv(c, opts)
	case c.Requests != nil && !hasItems:
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: ErrInvalid, Msg: "this is a Postman collection v1; export it again from Postman as Collection v2.1"}}}
	case !hasItems || c.Info == nil:
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: ErrInvalid, Msg: `not a Postman collection v2.1 (no "info" and "item") or environment (no "values")`}}}
	}
	if s := c.Info.Schema; s != "" && !strings.Contains(s, "v2.1") && !strings.Contains(s, "v2.0") {
		return Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: ErrInvalid, Msg: fmt.Sprintf("unsupported collection schema %q; export the collection as v2.1", s)}}}
	}
	if err := opts.checkEnv(); err != nil {
		return Batch{}, nil, err
	}
	im := newReqImporter(opts)
	p := &pmParser{im: im, authVars: map[string]bool{}}
	// Variables first: auth blocks may refer to them.
	for _, v := range c.Variable {
		p.variable(v, "the collection")
	}
	p.walk(c.Item, nil, ownedAuth{c.Auth, c.Info.Name}, 0)
	for name := range p.authVars {
		im.markSecretVar(name)
	}
	return im.finish()
}

// maxFolderDepth bounds folder nesting (a hostile file cannot recurse forever).
const maxFolderDepth = 64

type pmParser struct {
	im *reqImporter
	// authVars are variables an auth block uses: secret whatever their name.
	authVars map[string]bool
}

func (p *pmParser) variable(v pmVariable, from string) {
	if v.Disabled || (v.Enabled != nil && !*v.Enabled) {
		p.im.note(NoteSkipped, fmt.Sprintf("variable %q", v.Key), "disabled in %s", from)
		return
	}
	val := v.value()
	secret := v.Type == "secret" || secretlike.Variable(v.Key, val)
	p.im.addVar(v.Key, val, secret, from)
}

// ownedAuth is an auth block and the name of what it belongs to (the
// collection, a folder, a request), after which its credential is named.
type ownedAuth struct {
	auth  *pmAuth
	owner string
}

func (p *pmParser) walk(items []pmItem, path []string, auth ownedAuth, depth int) {
	if depth > maxFolderDepth {
		p.im.problem(strings.Join(path, " › "), 0, 0, ErrInvalid, "folders nested deeper than %d levels", maxFolderDepth)
		return
	}
	for _, it := range items {
		name := strings.TrimSpace(it.Name)
		if name == "" {
			name = "unnamed"
		}
		here := append(slices.Clone(path), name)
		for _, v := range it.Variable {
			p.variable(v, fmt.Sprintf("folder %q", name))
		}
		a := auth
		if it.Auth != nil && it.Auth.Type != "inherit" {
			a = ownedAuth{it.Auth, strings.Join(here, " › ")}
		}
		if len(it.Request) == 0 || string(it.Request) == "null" {
			if it.Item == nil {
				p.im.note(NoteSkipped, fmt.Sprintf("item %q", name), "neither a folder nor a request")
				continue
			}
			p.walk(it.Item, here, a, depth+1)
			continue
		}
		p.request(it.Request, here, a)
	}
}

func (p *pmParser) request(raw json.RawMessage, path []string, inherited ownedAuth) {
	label := fmt.Sprintf("request %q", strings.Join(path, " › "))
	var pr pmRequest
	var s string
	if json.Unmarshal(raw, &s) == nil {
		pr.URL, _ = json.Marshal(s)
		pr.Method = "GET"
	} else if err := json.Unmarshal(raw, &pr); err != nil {
		p.im.problem(label, 0, 0, ErrInvalid, "malformed request: %v", err)
		return
	}
	r := Request{Name: strings.Join(path, " › "), Method: strings.ToUpper(strings.TrimSpace(pr.Method))}
	if r.Method == "" {
		r.Method = "GET"
	}
	r.Description = pmDescription(pr.Description)
	u, err := pmURLString(pr.URL)
	if err != nil {
		p.im.problem(label, 0, 0, ErrInvalid, "url: %v", err)
		return
	}
	if u == "" {
		p.im.note(NoteSkipped, label, "no URL")
		return
	}
	r.URL = u
	r.Headers = p.headers(pr.Header, label)
	p.body(&r, pr.Body, label)
	a := inherited
	if pr.Auth != nil && pr.Auth.Type != "inherit" {
		a = ownedAuth{pr.Auth, r.Name}
	}
	if a.auth != nil {
		p.auth(&r, a, label)
	}
	p.im.secretize(&r, label)
	p.im.addRequest(r, label)
}

func pmDescription(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var d struct {
		Content string `json:"content"`
	}
	_ = json.Unmarshal(raw, &d)
	return d.Content
}

func pmURLString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s), nil
	}
	var u pmURL
	if err := json.Unmarshal(raw, &u); err != nil {
		return "", fmt.Errorf("should be a string or an object")
	}
	if u.Raw != "" {
		return strings.TrimSpace(u.Raw), nil
	}
	// Rebuild from parts.
	joinParts := func(r json.RawMessage, sep string) string {
		var list []string
		if json.Unmarshal(r, &list) == nil {
			return strings.Join(list, sep)
		}
		var one string
		_ = json.Unmarshal(r, &one)
		return one
	}
	var b strings.Builder
	if u.Protocol != "" {
		b.WriteString(u.Protocol + "://")
	}
	b.WriteString(joinParts(u.Host, "."))
	if u.Port != "" {
		b.WriteString(":" + u.Port)
	}
	if path := joinParts(u.Path, "/"); path != "" {
		b.WriteString("/" + strings.TrimPrefix(path, "/"))
	}
	var q []string
	for _, kv := range u.Query {
		if !kv.Disabled {
			q = append(q, kv.Key+"="+kv.Value)
		}
	}
	if len(q) > 0 {
		b.WriteString("?" + strings.Join(q, "&"))
	}
	return b.String(), nil
}

func (p *pmParser) headers(raw json.RawMessage, label string) []Header {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []pmKV
	if err := json.Unmarshal(raw, &list); err != nil {
		// v2.0 allowed a "K: V\n" string
		var s string
		if json.Unmarshal(raw, &s) != nil {
			p.im.note(NoteSkipped, label, "headers in an unknown form")
			return nil
		}
		for _, line := range strings.Split(s, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) != "" {
				list = append(list, pmKV{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
			}
		}
	}
	var out []Header
	for _, h := range list {
		if h.Disabled {
			p.im.note(NoteSkipped, label, "disabled header %s", h.Key)
			continue
		}
		if strings.TrimSpace(h.Key) == "" {
			continue
		}
		out = append(out, Header{Name: strings.TrimSpace(h.Key), Value: h.Value})
	}
	return out
}

func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

func (p *pmParser) body(r *Request, b *pmBody, label string) {
	if b == nil || b.Disabled {
		return
	}
	switch b.Mode {
	case "", "none":
	case "raw":
		r.Body = b.Raw
		if b.Raw != "" && !hasHeader(r.Headers, "Content-Type") {
			switch b.Options.Raw.Language {
			case "json":
				r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/json"})
			case "xml":
				r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/xml"})
			}
		}
	case "urlencoded":
		var parts []string
		for _, kv := range b.URLEncoded {
			if kv.Disabled {
				continue
			}
			parts = append(parts, url.QueryEscape(kv.Key)+"="+escapeKeepingTemplates(kv.Value))
		}
		r.Body = strings.Join(parts, "&")
		if !hasHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
	case "graphql":
		var g struct {
			Query     string `json:"query"`
			Variables string `json:"variables"`
		}
		_ = json.Unmarshal(b.GraphQL, &g)
		payload := map[string]any{"query": g.Query}
		if strings.TrimSpace(g.Variables) != "" {
			payload["variables"] = json.RawMessage(g.Variables)
			if !json.Valid([]byte(g.Variables)) {
				payload["variables"] = g.Variables
			}
		}
		out, _ := json.Marshal(payload)
		r.Body = string(out)
		if !hasHeader(r.Headers, "Content-Type") {
			r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/json"})
		}
	default:
		p.im.note(NoteSkipped, label, "%s body: only raw, urlencoded and graphql bodies are imported", b.Mode)
	}
}

// escapeKeepingTemplates form-encodes v but leaves {{placeholders}} intact.
func escapeKeepingTemplates(v string) string {
	t, err := ParseTemplate(v)
	if err != nil {
		return url.QueryEscape(v)
	}
	var b strings.Builder
	for _, part := range t.parts {
		if part.name != "" {
			b.WriteString("{{" + part.name + "}}")
		} else {
			b.WriteString(url.QueryEscape(part.text))
		}
	}
	return b.String()
}

// templateVars returns the {{names}} s uses, and whether s is nothing but placeholders and spaces.
func templateVars(s string) []string {
	t, err := ParseTemplate(s)
	if err != nil {
		return nil
	}
	return t.Names()
}

// resolve fills {{vars}} from the file's plain variables; ok is false when
// one is unknown (or secret).
func (p *pmParser) resolve(s string) (string, bool) {
	t, err := ParseTemplate(s)
	if err != nil {
		return s, false
	}
	out, err := t.Render(func(n string) (string, bool) {
		v, ok := p.im.defined[n]
		return v, ok
	}, false)
	return out, err == nil
}

func (p *pmParser) auth(r *Request, oa ownedAuth, label string) {
	a := oa.auth
	prm := a.params()
	credName := func(what string) string {
		owner := oa.owner
		if owner == "" {
			owner = r.Name
		}
		return owner + " " + what
	}
	useVars := func(keys ...string) {
		for _, k := range keys {
			for _, n := range templateVars(prm[k]) {
				p.authVars[n] = true
			}
		}
	}
	switch a.Type {
	case "", "noauth":
	case "bearer":
		tok := strings.TrimSpace(prm["token"])
		switch {
		case tok == "":
			p.im.note(NoteSkipped, label, "bearer auth without a token")
		case strings.Contains(tok, "{{"):
			useVars("token")
			r.Headers = setHeader(r.Headers, "Authorization", "Bearer "+tok)
		default:
			r.Auth = p.im.addCredential(credName("token"), Secret{Type: TypeAPIKey, HeaderName: "Authorization"}, SecretValue{Key: "Bearer " + tok, HeaderName: "Authorization"}, label+" (bearer auth)")
		}
	case "basic":
		user, pass := prm["username"], prm["password"]
		if strings.Contains(user+pass, "{{") {
			ru, ok1 := p.resolve(user)
			rp, ok2 := p.resolve(pass)
			if !ok1 || !ok2 {
				useVars("username", "password")
				p.im.note(NoteSkipped, label, "basic auth built from variables that the file does not define; create a SIMPLE secret and use it with this request")
				return
			}
			user, pass = ru, rp
		}
		if user == "" {
			p.im.note(NoteSkipped, label, "basic auth without a username")
			return
		}
		r.Auth = p.im.addCredential(credName("basic"), Secret{Type: TypeSimple}, SecretValue{Username: user, Passphrase: pass}, label+" (basic auth)")
	case "apikey":
		key, value, in := prm["key"], prm["value"], prm["in"]
		if key == "" {
			key = "X-API-Key"
		}
		if strings.Contains(value, "{{") {
			useVars("value")
			if in == "query" {
				sep := "?"
				if strings.Contains(r.URL, "?") {
					sep = "&"
				}
				r.URL += sep + url.QueryEscape(key) + "=" + value
			} else {
				r.Headers = setHeader(r.Headers, key, value)
			}
			return
		}
		s := Secret{Type: TypeAPIKey, HeaderName: key}
		if in == "query" {
			s = Secret{Type: TypeAPIKey, QueryParam: key}
		} else if checkHeaderName(key) != nil {
			p.im.note(NoteSkipped, label, "API key header %q is not a valid header name", key)
			return
		}
		r.Auth = p.im.addCredential(credName("api key"), s, SecretValue{Key: value}, label+" (API key auth)")
	case "oauth2":
		p.oauth2(r, prm, label, credName("oauth2"))
	default:
		p.im.note(NoteSkipped, label, "%s auth is not supported; set up the credential in authdeck", a.Type)
	}
}

func setHeader(hs []Header, name, value string) []Header {
	hs = slices.DeleteFunc(hs, func(h Header) bool { return strings.EqualFold(h.Name, name) })
	return append(hs, Header{Name: name, Value: value})
}

// oauth2 turns an oauth2 auth block into an auth client (and the token it
// holds into a token secret linked to it).
func (p *pmParser) oauth2(r *Request, prm map[string]string, label, defaultName string) {
	for _, k := range []string{"clientSecret", "accessToken", "refreshToken", "password"} {
		for _, n := range templateVars(prm[k]) {
			p.authVars[n] = true
		}
	}
	grant := map[string]Grant{
		"client_credentials": GrantClientCredentials, "authorization_code": GrantAuthorizationCode,
		"authorization_code_with_pkce": GrantAuthorizationCode, "password_credentials": GrantPassword,
		"implicit": GrantImplicit, "": GrantAuthorizationCode,
	}
	g, ok := grant[prm["grant_type"]]
	if !ok {
		p.im.note(NoteSkipped, label, "oauth2 grant %q is not supported", prm["grant_type"])
		return
	}
	resolved := map[string]string{}
	for _, k := range []string{"accessTokenUrl", "authUrl", "clientId", "clientSecret", "scope", "redirect_uri", "audience", "resource"} {
		v, ok := p.resolve(prm[k])
		if !ok {
			p.im.note(NoteSkipped, label, "oauth2 %s uses variables the file does not define; set up the auth client in authdeck", k)
			return
		}
		resolved[k] = strings.TrimSpace(v)
	}
	ac := AuthClient{
		Type: ClientOAuth2, Grant: g, ClientID: resolved["clientId"], RedirectURI: resolved["redirect_uri"],
		Endpoints: Endpoints{Token: resolved["accessTokenUrl"], Authorization: resolved["authUrl"]},
		Scopes:    strings.Fields(resolved["scope"]), Audience: resolved["audience"], Resource: resolved["resource"],
	}
	ac.AllowDeprecated = g.Deprecated()
	if g.Deprecated() {
		p.im.note(NoteWarning, label, "oauth2 grant %s is deprecated (RFC 9700); the auth client opts into it explicitly", g)
	}
	switch prm["client_authentication"] {
	case "body":
		ac.AuthMethod = AuthClientSecretPost
	case "header":
		ac.AuthMethod = AuthClientSecretBasic
	case "":
		ac.AuthMethod = AuthClientSecretBasic
		if resolved["clientSecret"] == "" {
			ac.AuthMethod = AuthNone
		}
		p.im.note(NoteWarning, label, "oauth2 client authentication not stated; using Postman's default (%s)", ac.AuthMethod)
	default:
		p.im.note(NoteSkipped, label, "oauth2 client authentication %q is not supported", prm["client_authentication"])
		return
	}
	if ac.AuthMethod != AuthNone && resolved["clientSecret"] == "" {
		ac.AuthMethod = AuthNone
	}
	if ac.AuthMethod == AuthNone && g == GrantClientCredentials {
		p.im.note(NoteSkipped, label, "oauth2 client credentials without a client secret")
		return
	}
	if g == GrantImplicit {
		ac.AuthMethod = ""
	}
	var creds *ClientCredentials
	if resolved["clientSecret"] != "" && ac.AuthMethod != AuthNone {
		creds = &ClientCredentials{ClientSecret: resolved["clientSecret"]}
	}
	key := "oauth2\x00" + ac.ClientID + "\x00" + ac.Endpoints.Token + "\x00" + ac.Endpoints.Authorization + "\x00" + string(g)
	name, seen := p.im.credByValue[key]
	if !seen {
		base := prm["tokenName"]
		if base == "" {
			base = defaultName
		}
		ac.Name = itemName(p.im.secrets, base)
		ac.Env = p.im.env
		if err := ac.Validate(); err != nil {
			p.im.note(NoteSkipped, label, "oauth2 auth client not created: %v", err)
			return
		}
		c := ClientCredentials{}
		if creds != nil {
			c = *creds
		}
		if err := ac.ValidateCredentials(c); err != nil {
			p.im.note(NoteSkipped, label, "oauth2 auth client not created: %v", err)
			return
		}
		name = ac.Name
		p.im.secrets[name] = true
		p.im.credByValue[key] = name
		p.im.batch.Clients = append(p.im.batch.Clients, ClientItem{Client: ac, Creds: creds})
		msg := "auth client (" + string(g) + ")"
		if creds != nil {
			msg += "; its client secret goes to the vault"
		}
		p.im.note(NoteCreated, fmt.Sprintf("auth client %q", name), "%s", msg)
		if tok := strings.TrimSpace(prm["accessToken"]); tok != "" && !strings.Contains(tok, "{{") {
			sname := p.im.addCredential(name+" token", Secret{Type: TypeOAuthToken, AuthClient: name}, SecretValue{AccessToken: tok, AuthClientID: name, Scope: resolved["scope"]}, label+" (oauth2 access token)")
			p.im.credByValue[key+"\x00token"] = sname
		}
	}
	r.Auth = name
	if t, ok := p.im.credByValue[key+"\x00token"]; ok {
		r.Auth = t
	}
	switch prm["addTokenTo"] {
	case "queryParams":
		r.Placement = PlaceQuery
	}
}

// parsePostmanEnv imports a Postman environment's variables.
func parsePostmanEnv(c pmCollection, opts RequestImportOptions) (Batch, []Note, error) {
	im := newReqImporter(opts)
	env := opts.Env
	if env == "" {
		env = strings.TrimSpace(c.Name)
		if env == "" {
			return Batch{}, nil, &ValidationError{Kind: "import", Field: "env", Msg: "is required (the environment file has no name)"}
		}
		if err := ValidateName("environment", env); err != nil {
			return Batch{}, nil, err
		}
		exists := false
		if opts.Catalog != nil {
			_, exists = opts.Catalog.Env(env)
		}
		if !exists {
			im.batch.Envs = append(im.batch.Envs, Environment{Name: env})
			im.note(NoteCreated, fmt.Sprintf("environment %q", env), "from the Postman environment")
		}
		im.useEnv(env)
	} else if opts.Catalog != nil {
		if _, ok := opts.Catalog.Env(env); !ok {
			return Batch{}, nil, &NotFoundError{Kind: "environment", Name: env}
		}
	}
	p := &pmParser{im: im}
	for _, v := range c.Values {
		p.variable(v, "the Postman environment")
	}
	return im.finish()
}
