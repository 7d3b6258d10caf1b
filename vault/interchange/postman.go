package interchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/lazyre"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file imports Postman collections (v2.1, and v2.0 auth blocks);
// postman_auth.go turns their auth blocks into credentials and
// postman_env.go imports Postman environments.

type pmCollection struct {
	Info     *pmInfo          `json:"info"`
	Item     []pmItem         `json:"item"`
	Auth     *pmAuth          `json:"auth"`
	Variable []pmVariable     `json:"variable"`
	Values   []pmVariable     `json:"values"`
	Name     string           `json:"name"`
	Scope    string           `json:"_postman_variable_scope"`
	Requests []map[string]any `json:"requests"` // v1 collections
	Event    []pmEvent        `json:"event"`
}

type pmInfo struct {
	Name   string `json:"name"`
	Schema string `json:"schema"`
}

type pmItem struct {
	Name     string            `json:"name"`
	Item     []pmItem          `json:"item"`
	Request  json.RawMessage   `json:"request"`
	Auth     *pmAuth           `json:"auth"`
	Variable []pmVariable      `json:"variable"`
	Event    []pmEvent         `json:"event"`
	Response []json.RawMessage `json:"response"`
}

// pmEvent is a pre-request or test script; authdeck runs none.
type pmEvent struct {
	Listen string `json:"listen"`
	Script struct {
		Exec json.RawMessage `json:"exec"`
	} `json:"script"`
}

// hasCode reports whether the script holds anything but blank lines.
func (e pmEvent) hasCode() bool {
	var lines []string
	if json.Unmarshal(e.Script.Exec, &lines) == nil {
		return strings.TrimSpace(strings.Join(lines, "")) != ""
	}
	var one string
	_ = json.Unmarshal(e.Script.Exec, &one)
	return strings.TrimSpace(one) != ""
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
	Key         string          `json:"key"`
	Value       string          `json:"value"`
	Disabled    bool            `json:"disabled"`
	Type        string          `json:"type"`
	Src         json.RawMessage `json:"src"`
	ContentType string          `json:"contentType"`
}

// srcs returns a formdata file field's paths (Postman keeps one or a list).
func (kv pmKV) srcs() []string {
	var one string
	if json.Unmarshal(kv.Src, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(kv.Src, &list)
	return list
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
	File       struct {
		Src string `json:"src"`
	} `json:"file"`
	Disabled bool `json:"disabled"`
	Options  struct {
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
	Variable []pmKV          `json:"variable"`
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
func ParsePostman(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		line, col := 0, 0
		msg := jsonpos.Describe(data, err)
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) {
			line, col = jsonpos.LineCol(data, syn.Offset)
			msg = syn.Error()
		} else if errors.As(err, &typ) {
			line, col = jsonpos.LineCol(data, typ.Offset)
			msg = "a Postman file is a JSON object"
		}
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Line: line, Col: col, Err: vault.ErrInvalid, Msg: msg}}}
	}
	// What encoding/json lets pass — bytes that are not UTF-8 (read as
	// U+FFFD) and a key given twice (the last one kept) — is an error, as
	// in the other JSON importers.
	if err := jsonpos.CheckStrict(data); err != nil {
		var pe *jsonpos.Error
		if errors.As(err, &pe) {
			return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Line: pe.Line, Col: pe.Col, Err: vault.ErrInvalid, Msg: pe.Msg}}}
		}
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: vault.ErrInvalid, Msg: err.Error()}}}
	}
	var c pmCollection
	if err := json.Unmarshal(data, &c); err != nil {
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: vault.ErrInvalid, Msg: "not a Postman collection or environment: " + jsonpos.Describe(data, err)}}}
	}
	_, hasValues := top["values"]
	_, hasItems := top["item"]
	switch {
	case hasValues && !hasItems:
		return parsePostmanEnv(c, opts)
	case c.Requests != nil && !hasItems:
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: vault.ErrInvalid, Msg: "this is a Postman collection v1; export it again from Postman as Collection v2.1"}}}
	case !hasItems || c.Info == nil:
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: vault.ErrInvalid, Msg: `not a Postman collection v2.1 (no "info" and "item") or environment (no "values")`}}}
	}
	if s := c.Info.Schema; s != "" && !strings.Contains(s, "v2.1") && !strings.Contains(s, "v2.0") {
		return vault.Batch{}, nil, &ImportError{Problems: []ImportProblem{{Err: vault.ErrInvalid, Msg: fmt.Sprintf("unsupported collection schema %q; export the collection as v2.1", s)}}}
	}
	if err := opts.checkEnv(); err != nil {
		return vault.Batch{}, nil, err
	}
	im := newReqImporter(opts)
	p := &pmParser{im: im, authVars: map[string]bool{}}
	// Variables first: auth blocks may refer to them.
	for _, v := range c.Variable {
		p.variable(v, "the collection")
	}
	p.skippedScripts(fmt.Sprintf("collection %q", c.Info.Name), c.Event, "before or after each of its requests")
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
	key := strings.TrimSpace(v.Key)
	if key != v.Key && key != "" {
		p.im.note(NoteWarning, fmt.Sprintf("variable %q", key), "the name had spaces or line breaks around it in %s; they were removed", from)
	}
	p.im.addVar(key, val, v.Type == "secret" || pmSecretVariable(key, val), from)
}

// ownedAuth is an auth block and the name of what it belongs to (the
// collection, a folder, a request), after which its credential is named.
type ownedAuth struct {
	auth  *pmAuth
	owner string
}

func (p *pmParser) walk(items []pmItem, path []string, auth ownedAuth, depth int) {
	if depth > maxFolderDepth {
		p.im.problem(strings.Join(path, " › "), 0, 0, vault.ErrInvalid, "folders nested deeper than %d levels", maxFolderDepth)
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
			p.skippedScripts(fmt.Sprintf("folder %q", strings.Join(here, " › ")), it.Event, "before or after each request in it")
			p.walk(it.Item, here, a, depth+1)
			continue
		}
		p.request(it.Request, here, a)
		p.skippedParts(it, strings.Join(here, " › "))
	}
}

// skippedParts lists what a request item carries that authdeck does not
// run or keep: its scripts and saved examples.
func (p *pmParser) skippedParts(it pmItem, name string) {
	item := fmt.Sprintf("request %q", name)
	p.skippedScripts(item, it.Event, "")
	if n := len(it.Response); n > 0 {
		p.im.note(NoteSkipped, item, "%d saved example response(s) not imported", n)
	}
}

// skippedScripts lists the scripts of a collection, folder or request item,
// which authdeck does not run; when says when Postman would run those of a
// collection or folder.
func (p *pmParser) skippedScripts(item string, events []pmEvent, when string) {
	for _, e := range events {
		if !e.hasCode() {
			continue
		}
		what := e.Listen
		if what == "prerequest" {
			what = "pre-request"
		}
		if when != "" {
			p.im.note(NoteSkipped, item, "%s script not run (authdeck runs no scripts; Postman runs it %s)", what, when)
			continue
		}
		p.im.note(NoteSkipped, item, "%s script not run (authdeck runs no scripts)", what)
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
		p.im.problem(label, 0, 0, vault.ErrInvalid, "malformed request: %v", err)
		return
	}
	r := vault.Request{Name: path[len(path)-1], Folder: folderPath(path[:len(path)-1]), Method: strings.ToUpper(strings.TrimSpace(pr.Method))}
	if r.Method == "" {
		r.Method = "GET"
	}
	r.Description = pmDescription(pr.Description)
	u, disabledQuery, err := pmURLString(pr.URL)
	if u == "http://" {
		u = ""
	}
	if err != nil {
		p.im.problem(label, 0, 0, vault.ErrInvalid, "url: %v", err)
		return
	}
	if u == "" {
		p.im.note(NoteSkipped, label, "no URL")
		return
	}
	r.URL = u
	r.Params = disabledQuery
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

// pmURLString returns the URL Postman sends and the disabled query
// parameters, kept beside it.
func pmURLString(raw json.RawMessage) (string, []vault.QueryParam, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return "", nil, nil
		}
		return pmFinishURL(strings.TrimSpace(s), pmURL{}), nil, nil
	}
	var u pmURL
	if err := json.Unmarshal(raw, &u); err != nil {
		return "", nil, fmt.Errorf("should be a string or an object")
	}
	var off []vault.QueryParam
	for _, kv := range u.Query {
		if kv.Disabled && kv.Key != "" {
			off = append(off, vault.QueryParam{Name: kv.Key, Value: kv.Value, Disabled: true})
		}
	}
	if u.Raw != "" {
		return pmFinishURL(strings.TrimSpace(u.Raw), u), off, nil
	}
	return pmFinishURL(pmURLFromParts(u), u), off, nil
}

// pmJoin joins a URL part Postman keeps as a list (or as one string).
func pmJoin(r json.RawMessage, sep string) string {
	var list []string
	if json.Unmarshal(r, &list) == nil {
		return strings.Join(list, sep)
	}
	var one string
	_ = json.Unmarshal(r, &one)
	return one
}

// pmURLFromParts rebuilds a URL without a raw form from its protocol,
// host, port, path and enabled query parameters.
func pmURLFromParts(u pmURL) string {
	var b strings.Builder
	if u.Protocol != "" {
		b.WriteString(u.Protocol + "://")
	}
	b.WriteString(pmJoin(u.Host, "."))
	if u.Port != "" {
		b.WriteString(":" + u.Port)
	}
	var segments []string
	if json.Unmarshal(u.Path, &segments) == nil && len(segments) > 0 {
		// Postman sends "/" + the segments joined by "/": an empty first
		// segment (["", "v1"], as a base URL ending in "/" makes) is an
		// empty path segment on the wire ("//v1").
		b.WriteString("/" + strings.Join(segments, "/"))
	} else if path := pmJoin(u.Path, "/"); path != "" {
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
	return b.String()
}

// pmPathVar is a Postman path variable in a URL path: /:name.
var pmPathVar = lazyre.New(`/:([A-Za-z0-9_.\-]+)`)

// pmFinishURL makes a Postman URL what Postman sends: disabled query
// parameters left out, /:name path variables replaced by their values (a
// value may be a {{variable}}; one without a value becomes {{name}}), and
// http:// in front of a URL without a scheme.
func pmFinishURL(raw string, u pmURL) string {
	for _, kv := range u.Query {
		if kv.Disabled {
			raw = strings.Replace(raw, kv.Key+"="+kv.Value, "", 1)
		}
	}
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "?&", "?"), "&&", "&")
	raw = strings.TrimSuffix(strings.TrimSuffix(raw, "&"), "?")
	vals := map[string]string{}
	for _, kv := range u.Variable {
		vals[kv.Key] = kv.Value
	}
	base, query, hasQuery := strings.Cut(raw, "?")
	base = pmPathVar.ReplaceAllStringFunc(base, func(m string) string {
		if v, ok := vals[m[2:]]; ok {
			return "/" + v
		}
		return m
	})
	raw = base
	if hasQuery {
		raw += "?" + query
	}
	if !strings.Contains(base, "://") && !strings.HasPrefix(raw, "{{") {
		raw = "http://" + raw // what Postman does with a URL without a scheme
	}
	return raw
}

func (p *pmParser) headers(raw json.RawMessage, label string) []vault.Header {
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
	var out []vault.Header
	for _, h := range list {
		if strings.TrimSpace(h.Key) == "" {
			continue
		}
		// A disabled header is kept, not sent, as in Postman.
		out = append(out, vault.Header{Name: strings.TrimSpace(h.Key), Value: h.Value, Disabled: h.Disabled})
	}
	return out
}

func hasHeader(hs []vault.Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) && !h.Disabled {
			return true
		}
	}
	return false
}

// body reads a Postman request body into r, one body mode at a time.
func (p *pmParser) body(r *vault.Request, b *pmBody, label string) {
	if b == nil || b.Disabled {
		return
	}
	switch b.Mode {
	case "", "none":
	case "raw":
		pmRawBody(r, b)
	case "urlencoded":
		pmURLEncodedBody(r, b)
	case "graphql":
		pmGraphQLBody(r, b)
	case "formdata":
		p.formDataBody(r, b, label)
	case "file":
		if src := strings.TrimSpace(b.File.Src); src != "" {
			r.BodyFile = src
		} else {
			p.im.note(NoteWarning, label, "file body names no file; sent without a body")
		}
	default:
		p.im.note(NoteSkipped, label, "%s body: only raw, urlencoded, formdata, file and graphql bodies are imported", b.Mode)
	}
}

// defaultContentType adds a Content-Type header unless r sends one.
func defaultContentType(r *vault.Request, value string) {
	if !hasHeader(r.Headers, "Content-Type") {
		r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: value})
	}
}

// pmRawBody keeps a raw body as written; a JSON or XML one gets its
// Content-Type unless the request sets one.
func pmRawBody(r *vault.Request, b *pmBody) {
	r.Body = b.Raw
	if b.Raw == "" {
		return
	}
	switch b.Options.Raw.Language {
	case "json":
		defaultContentType(r, "application/json")
	case "xml":
		defaultContentType(r, "application/xml")
	}
}

// pmURLEncodedBody form-encodes the enabled fields, keeping placeholders.
func pmURLEncodedBody(r *vault.Request, b *pmBody) {
	var parts []string
	for _, kv := range b.URLEncoded {
		if kv.Disabled {
			continue
		}
		parts = append(parts, url.QueryEscape(kv.Key)+"="+escapeKeepingTemplates(kv.Value))
	}
	r.Body = strings.Join(parts, "&")
	defaultContentType(r, "application/x-www-form-urlencoded")
}

// pmGraphQLBody sends a GraphQL query and its variables as the JSON body a
// GraphQL server reads; variables that are not valid JSON go as a string.
func pmGraphQLBody(r *vault.Request, b *pmBody) {
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
	defaultContentType(r, "application/json")
}

// formDataBody reads multipart form fields; a secret-looking text value
// goes to the vault.
func (p *pmParser) formDataBody(r *vault.Request, b *pmBody, label string) {
	for _, kv := range b.FormData {
		if strings.TrimSpace(kv.Key) == "" {
			continue
		}
		if kv.Type == "file" {
			p.formFiles(r, kv, label)
			continue
		}
		v := kv.Value
		if !kv.Disabled && secretlike.Field(kv.Key, v) {
			v = p.im.secretVar(kv.Key, v, label+" (form field "+kv.Key+")")
		}
		r.Form = append(r.Form, vault.FormField{Name: kv.Key, Value: v, ContentType: kv.ContentType, Disabled: kv.Disabled})
	}
	// The sender sets multipart/form-data with its boundary.
	r.Headers = slices.DeleteFunc(r.Headers, func(h vault.Header) bool { return strings.EqualFold(h.Name, "Content-Type") })
}

// formFiles adds one file field per file a Postman file field names (one
// without a file is sent without one, as Postman does).
func (p *pmParser) formFiles(r *vault.Request, kv pmKV, label string) {
	srcs := kv.srcs()
	if len(srcs) == 0 {
		srcs = []string{""}
	}
	for _, src := range srcs {
		r.Form = append(r.Form, vault.FormField{Name: kv.Key, IsFile: true, File: src, ContentType: kv.ContentType, Disabled: kv.Disabled})
	}
	if len(srcs) == 1 && srcs[0] == "" && !kv.Disabled {
		p.im.note(NoteWarning, label, "form field %s names no file; it is sent without one, as Postman does", kv.Key)
	}
}

// folderPath makes Postman folder names valid folder names: no '/', no
// control characters, no spaces around.
func folderPath(path []string) []string {
	if len(path) == 0 {
		return nil
	}
	out := make([]string, 0, len(path))
	for _, f := range path {
		f = plainName(f)
		if r := []rune(f); len(r) > vault.MaxNameLen {
			f = strings.TrimSpace(string(r[:vault.MaxNameLen]))
		}
		if f == "" {
			f = "unnamed"
		}
		out = append(out, f)
	}
	return out
}

// escapeKeepingTemplates form-encodes v but leaves {{placeholders}} intact.
func escapeKeepingTemplates(v string) string {
	t, err := vault.ParseTemplate(v)
	if err != nil {
		return url.QueryEscape(v)
	}
	return t.EscapeText(url.QueryEscape)
}

// templateVars returns the {{names}} s uses, and whether s is nothing but placeholders and spaces.
func templateVars(s string) []string {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return nil
	}
	return t.Names()
}

// resolve fills {{vars}} from the file's plain variables; ok is false when
// one is unknown (or secret).
func (p *pmParser) resolve(s string) (string, bool) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return s, false
	}
	out, err := t.Render(func(n string) (string, bool) {
		v, ok := p.im.defined[n]
		return v, ok
	}, false)
	return out, err == nil
}
