package interchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// This file writes an environment's saved requests as a Postman collection
// (v2.1.0); export_postman_auth.go turns their credentials into auth
// blocks and export_postman_url.go splits their URLs as Postman does. Only
// the catalog is read: a secret value cannot end up in the file because
// the exporter never has one. Credentials and secret variables appear as
// {{variables}} the notes name.

// PostmanCollectionSchema is the schema URL a v2.1.0 collection names.
const PostmanCollectionSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

// PostmanExportOptions say what ExportPostman writes.
type PostmanExportOptions struct {
	// Env is the environment whose requests are written.
	Env string
	// Folder, when set, limits the export to the requests filed under this
	// folder path (outermost first); they sit at the collection's top.
	Folder []string
}

type pmxCollection struct {
	Info     pmxInfo       `json:"info"`
	Item     []*pmxItem    `json:"item"`
	Variable []pmxVariable `json:"variable,omitempty"`
}

type pmxInfo struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema"`
}

type pmxVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

// pmxItem is a folder (Item set) or a request (Request set).
type pmxItem struct {
	Name     string       `json:"name"`
	Item     []*pmxItem   `json:"item,omitempty"`
	Request  *pmxRequest  `json:"request,omitempty"`
	Behavior *pmxBehavior `json:"protocolProfileBehavior,omitempty"`
}

type pmxBehavior struct {
	StrictSSL bool `json:"strictSSL"`
}

type pmxRequest struct {
	Method      string      `json:"method"`
	Header      []pmxHeader `json:"header"`
	Body        *pmxBody    `json:"body,omitempty"`
	URL         pmxURL      `json:"url"`
	Auth        *pmxAuth    `json:"auth,omitempty"`
	Description string      `json:"description,omitempty"`
}

type pmxHeader struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled,omitempty"`
}

type pmxBody struct {
	Mode       string          `json:"mode"`
	Raw        *string         `json:"raw,omitempty"`
	URLEncoded []pmxFormParam  `json:"urlencoded,omitempty"`
	FormData   []pmxFormParam  `json:"formdata,omitempty"`
	GraphQL    *pmxGraphQL     `json:"graphql,omitempty"`
	File       *pmxFile        `json:"file,omitempty"`
	Options    *pmxBodyOptions `json:"options,omitempty"`
}

type pmxFormParam struct {
	Key         string  `json:"key"`
	Value       *string `json:"value,omitempty"`
	Src         *string `json:"src,omitempty"`
	Type        string  `json:"type,omitempty"`
	ContentType string  `json:"contentType,omitempty"`
	Disabled    bool    `json:"disabled,omitempty"`
}

type pmxGraphQL struct {
	Query     string `json:"query"`
	Variables string `json:"variables"`
}

type pmxFile struct {
	Src string `json:"src"`
}

type pmxBodyOptions struct {
	Raw struct {
		Language string `json:"language"`
	} `json:"raw"`
}

// ExportPostman writes the saved requests of an environment as a Postman
// collection v2.1.0: folders as item groups, each request's method, URL
// (query and path variables split out), headers (disabled ones kept,
// disabled), body (raw with its language, urlencoded, formdata with file
// fields, GraphQL, file) and its credential as a Postman auth block whose
// secret parts are {{variables}}. The environment's plain variables
// become collection variables; secret ones are left out. Only the catalog
// is read, never a secret value. The notes say which {{variables}} the
// collection needs and what has no Postman equivalent.
func ExportPostman(ctx context.Context, v *vault.Vault, opts PostmanExportOptions) ([]byte, []Note, error) {
	c, err := v.Load()
	if err != nil {
		return nil, nil, err
	}
	e, ok := c.Env(opts.Env)
	if !ok {
		return nil, nil, &vault.NotFoundError{Kind: "environment", Name: opts.Env}
	}
	x := newPmExporter(c, e)
	reqs := requestsUnder(c.RequestsIn(e.Name), opts.Folder)
	if len(opts.Folder) > 0 && len(reqs) == 0 {
		return nil, nil, &vault.NotFoundError{Kind: "folder", Name: vault.FolderPath(opts.Folder), Env: e.Name}
	}
	out := pmxCollection{Info: pmxInfo{Name: e.Name, Schema: PostmanCollectionSchema}, Item: []*pmxItem{}}
	if len(opts.Folder) > 0 {
		out.Info.Name = opts.Folder[len(opts.Folder)-1]
	}
	out.Info.Description = fmt.Sprintf("Saved requests of authdeck environment %q.", e.Name)
	for _, r := range reqs {
		x.add(&out.Item, r.Folder[len(opts.Folder):], x.request(r))
	}
	out.Variable = x.variables(usedVariables(reqs))
	if len(reqs) == 0 {
		x.note(NoteSkipped, "", "environment %q has no saved requests; the collection is empty", e.Name)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // URLs and bodies as written: & not \u0026
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), x.finishNotes(), nil
}

// usedVariables returns the {{variables}} the requests refer to.
func usedVariables(reqs []vault.Request) map[string]bool {
	used := map[string]bool{}
	add := func(texts ...string) {
		for _, s := range texts {
			for _, n := range templateNames(s) {
				used[n] = true
			}
		}
	}
	for _, r := range reqs {
		add(r.URL, r.Body, r.BodyFile)
		for _, h := range r.Headers {
			add(h.Name, h.Value)
		}
		for _, p := range r.Params {
			add(p.Name, p.Value)
		}
		for _, f := range r.Form {
			add(f.Name, f.Value, f.File)
		}
		if sc := r.Scheme; sc != nil {
			add(sc.Username, sc.Password, sc.AccessKey, sc.SecretKey, sc.SessionToken, sc.Region, sc.Service)
		}
	}
	return used
}

// templateNames returns the {{names}} s uses (none when it is no template).
func templateNames(s string) []string {
	if !strings.Contains(s, "{{") {
		return nil
	}
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return nil
	}
	return t.Names()
}

// requestsUnder returns the requests filed under folder (all for none).
func requestsUnder(all []vault.Request, folder []string) []vault.Request {
	if len(folder) == 0 {
		return all
	}
	var out []vault.Request
	for _, r := range all {
		if len(r.Folder) >= len(folder) && slices.Equal(r.Folder[:len(folder)], folder) {
			out = append(out, r)
		}
	}
	return out
}

// ParseFolderPath reads a folder path as a user types it: names joined by
// "/" ("Payments/Refunds" or "Payments / Refunds").
func ParseFolderPath(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "/") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// pmExporter holds what the requests of one export share: the catalog,
// the variables credentials are given, and the notes.
type pmExporter struct {
	cat *vault.Catalog
	env *vault.Environment
	// taken holds the variable names in use (the environment's and those
	// given to credentials), so a credential's never shadows another.
	taken map[string]bool
	// credVars maps a credential's field ("name\x00field") to its variable.
	credVars map[string]string
	// needed lists the variables the collection refers to but does not
	// define, in the order first used, with what to set them to.
	needed []neededVar
	notes  []Note
	// warned avoids saying the same thing once per request.
	warned map[string]bool
}

type neededVar struct{ name, what string }

func newPmExporter(c *vault.Catalog, e *vault.Environment) *pmExporter {
	x := &pmExporter{cat: c, env: e, taken: map[string]bool{}, credVars: map[string]string{}, warned: map[string]bool{}}
	for _, v := range e.Variables {
		x.taken[v.Name] = true
	}
	return x
}

func (x *pmExporter) note(kind NoteKind, item, format string, args ...any) {
	x.notes = append(x.notes, Note{Kind: kind, Item: item, Msg: fmt.Sprintf(format, args...)})
}

// noteOnce notes something once per key.
func (x *pmExporter) noteOnce(key string, kind NoteKind, item, format string, args ...any) {
	if x.warned[key] {
		return
	}
	x.warned[key] = true
	x.note(kind, item, format, args...)
}

// variables returns the collection variables: the environment's plain
// ones. Secret ones the requests use (used) are named in the notes instead.
func (x *pmExporter) variables(used map[string]bool) []pmxVariable {
	var out []pmxVariable
	for _, v := range x.env.Variables {
		if v.Secret {
			if used[v.Name] {
				x.needed = append(x.needed, neededVar{v.Name, fmt.Sprintf("the value of secret variable %q (`authdeck export postman-env --with-secrets` writes it)", v.Name)})
			}
			continue
		}
		out = append(out, pmxVariable{Key: v.Name, Value: v.Value, Type: "string"})
	}
	return out
}

// finishNotes adds, after what was left out, one note per variable the
// collection needs from a Postman environment.
func (x *pmExporter) finishNotes() []Note {
	for _, n := range x.needed {
		x.note(NoteSkipped, fmt.Sprintf("variable %q", n.name), "not in the collection (no secret value is exported); set it in a Postman environment to %s", n.what)
	}
	return x.notes
}

// add files it under the folder path, creating the folders it needs.
func (x *pmExporter) add(items *[]*pmxItem, folder []string, it *pmxItem) {
	for _, f := range folder {
		i := slices.IndexFunc(*items, func(c *pmxItem) bool { return c.Request == nil && c.Name == f })
		if i < 0 {
			*items = append(*items, &pmxItem{Name: f, Item: []*pmxItem{}})
			i = len(*items) - 1
		}
		items = &(*items)[i].Item
	}
	*items = append(*items, it)
}

// request turns one saved request into a Postman request item.
func (x *pmExporter) request(r vault.Request) *pmxItem {
	label := fmt.Sprintf("request %q", r.Name)
	pr := &pmxRequest{Method: r.Method, Header: []pmxHeader{}, Description: r.Description}
	for _, h := range r.Headers {
		pr.Header = append(pr.Header, pmxHeader{Key: h.Name, Value: h.Value, Disabled: h.Disabled})
	}
	pr.URL = postmanURL(r.URL, r.Params)
	pr.Body = x.body(r, label)
	pr.Auth = x.auth(r, label)
	it := &pmxItem{Name: r.Name, Request: pr}
	if r.InsecureSkipVerify {
		it.Behavior = &pmxBehavior{StrictSSL: false}
	}
	return it
}

// body turns a request's body into Postman's body modes.
func (x *pmExporter) body(r vault.Request, label string) *pmxBody {
	ct := contentType(r.Headers)
	switch {
	case r.BodyFile != "":
		if r.StripLineBreaks {
			x.note(NoteWarning, label, "its body file is sent without its line breaks (as curl -d @file sends it); Postman sends the file as it is")
		}
		return &pmxBody{Mode: "file", File: &pmxFile{Src: r.BodyFile}}
	case len(r.Form) > 0 && ct == "application/x-www-form-urlencoded":
		return x.urlencodedForm(r.Form, label)
	case len(r.Form) > 0:
		return formData(r.Form)
	case r.Body == "":
		return nil
	case ct == "application/x-www-form-urlencoded":
		if fields, ok := splitURLEncoded(r.Body); ok {
			return &pmxBody{Mode: "urlencoded", URLEncoded: fields}
		}
	case ct == "application/json":
		if g, ok := postmanGraphQL(r.Body); ok {
			return &pmxBody{Mode: "graphql", GraphQL: g}
		}
	}
	body := r.Body
	b := &pmxBody{Mode: "raw", Raw: &body, Options: &pmxBodyOptions{}}
	b.Options.Raw.Language = rawLanguage(ct)
	return b
}

// urlencodedForm writes a Form sent as application/x-www-form-urlencoded;
// file parts have no place in it (the sender refuses them too).
func (x *pmExporter) urlencodedForm(form []vault.FormField, label string) *pmxBody {
	b := &pmxBody{Mode: "urlencoded", URLEncoded: []pmxFormParam{}}
	for _, f := range form {
		if f.IsFile {
			x.note(NoteSkipped, label, "form field %s is a file, which a urlencoded body cannot carry", f.Name)
			continue
		}
		v := f.Value
		b.URLEncoded = append(b.URLEncoded, pmxFormParam{Key: f.Name, Value: &v, Disabled: f.Disabled})
	}
	return b
}

// formData writes a multipart/form-data body, file parts by their paths.
func formData(form []vault.FormField) *pmxBody {
	b := &pmxBody{Mode: "formdata", FormData: []pmxFormParam{}}
	for _, f := range form {
		p := pmxFormParam{Key: f.Name, Type: "text", ContentType: f.ContentType, Disabled: f.Disabled}
		if f.IsFile {
			src := f.File
			p.Type, p.Src = "file", &src
		} else {
			v := f.Value
			p.Value = &v
		}
		b.FormData = append(b.FormData, p)
	}
	return b
}

// contentType is the media type of the first enabled Content-Type header.
func contentType(hs []vault.Header) string {
	for _, h := range hs {
		if !h.Disabled && strings.EqualFold(h.Name, "Content-Type") {
			mt, _, err := mime.ParseMediaType(h.Value)
			if err != nil {
				return strings.ToLower(strings.TrimSpace(h.Value))
			}
			return mt
		}
	}
	return ""
}

// rawLanguage is the language Postman's raw body editor shows for a media type.
func rawLanguage(mt string) string {
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json"
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return "xml"
	case mt == "text/html":
		return "html"
	case mt == "application/javascript" || mt == "text/javascript":
		return "javascript"
	}
	return "text"
}

// splitURLEncoded splits a form body into Postman's urlencoded fields when
// that is exact: Postman, and authdeck's importer, encode the fields again
// when sending, so a body that would not come out byte for byte the same
// (another escaping of the same text) stays raw.
func splitURLEncoded(body string) ([]pmxFormParam, bool) {
	var out []pmxFormParam
	var again []string
	for _, pair := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || key == "" {
			return nil, false
		}
		again = append(again, url.QueryEscape(key)+"="+escapeTemplateText(val))
		out = append(out, pmxFormParam{Key: key, Value: &val})
	}
	return out, strings.Join(again, "&") == body
}

// escapeTemplateText form-encodes v, leaving {{placeholders}} as they are.
func escapeTemplateText(v string) string {
	t, err := vault.ParseTemplate(v)
	if err != nil {
		return url.QueryEscape(v)
	}
	return t.EscapeText(url.QueryEscape)
}

// postmanGraphQL recognises a GraphQL request body ({"query": …} with
// optional "variables"), as Postman's GraphQL mode sends it, when writing
// it back gives the same bytes.
func postmanGraphQL(body string) (*pmxGraphQL, bool) {
	var g map[string]json.RawMessage
	if json.Unmarshal([]byte(body), &g) != nil || len(g) == 0 || len(g) > 2 {
		return nil, false
	}
	var q string
	if json.Unmarshal(g["query"], &q) != nil || strings.TrimSpace(q) == "" {
		return nil, false
	}
	vars, hasVars := g["variables"]
	if len(g) == 2 && !hasVars {
		return nil, false
	}
	payload := map[string]any{"query": q}
	out := &pmxGraphQL{Query: q}
	if hasVars {
		payload["variables"] = vars
		out.Variables = string(vars)
	}
	again, err := json.Marshal(payload)
	if err != nil || string(again) != body {
		return nil, false
	}
	return out, true
}
