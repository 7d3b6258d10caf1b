package interchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// This file imports OpenAPI 3.0 and 3.1 documents (JSON or YAML), read
// with kin-openapi (local $refs only: nothing is fetched):
//
//   - the first server becomes the variable baseUrl (its {variables} at
//     their defaults); the others are listed; a relative server URL or none
//     puts {{host}} in front of the paths, for the user to set;
//   - each operation becomes a request in the folder of its first tag,
//     named by its summary (else its operationId): path parameters take
//     their example or default (else a {{variable}}), required query,
//     header and cookie parameters are sent with theirs, optional ones are
//     kept disabled; the body is the media type's example, else one made
//     from its schema (JSON, form or multipart);
//   - securitySchemes become credentials, applied per operation security:
//     oauth2 flows and openIdConnect become auth clients (authorization,
//     token and discovery URLs, the scopes the operations ask for); apiKey
//     (header, query or cookie), http bearer and basic/digest become secret
//     variables (empty, for the user to fill) the request refers to.

// ParseOpenAPI reads an OpenAPI 3.0/3.1 document and returns the batch
// that creates its variables, auth clients and requests, and a report. On
// any problem it returns an *ImportError and an empty batch.
func ParseOpenAPI(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := opts.checkText(data); err != nil {
		return vault.Batch{}, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	im := newReqImporter(opts)
	fail := func(line, col int, format string, args ...any) (vault.Batch, []Note, error) {
		im.problem("", line, col, vault.ErrInvalid, format, args...)
		return im.finish()
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if err := jsonpos.CheckStrict(data); err != nil {
			var pe *jsonpos.Error
			if errors.As(err, &pe) {
				return fail(pe.Line, pe.Col, "%s", pe.Msg)
			}
			return fail(0, 0, "%v", err)
		}
	} else if err := checkYAML(data); err != nil {
		var ye *yamlError
		if errors.As(err, &ye) {
			return fail(ye.Line, ye.Col, "%s", ye.Msg)
		}
		return fail(0, 0, "%v", err)
	}
	var head struct {
		OpenAPI string `json:"openapi" yaml:"openapi"`
		Swagger string `json:"swagger" yaml:"swagger"`
	}
	if err := unmarshalYAMLOrJSON(data, &head); err != nil {
		return fail(0, 0, "not an OpenAPI document: %v", err)
	}
	switch {
	case head.Swagger != "":
		return fail(0, 0, "this is a Swagger %s document; authdeck imports OpenAPI 3.0 and 3.1 (convert it first, for example with swagger2openapi)", head.Swagger)
	case !strings.HasPrefix(head.OpenAPI, "3."):
		return fail(0, 0, "not an OpenAPI 3 document (no \"openapi: 3.x\" field)")
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.IncludeOrigin = true
	loader.Context = context.Background()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return fail(0, 0, "%v", err)
	}
	op := &oaImporter{im: im, doc: doc, clients: map[string]string{}, schemeVars: map[string]string{}, scopes: map[string][]string{}}
	op.servers()
	op.operations()
	op.flushClients()
	return im.finish()
}

type oaImporter struct {
	im  *reqImporter
	doc *openapi3.T
	// prefix goes in front of every path: {{baseUrl}}, or {{host}} and the
	// server's relative path.
	prefix string
	// clients maps a security scheme (and flow) to the auth client made of it.
	clients map[string]string
	// pending are the auth clients to add, with the scopes the operations use.
	pending []*vault.ClientItem
	scopes  map[string][]string
	// schemeVars maps a scheme to the variable that holds its credential.
	schemeVars map[string]string
}

var oaPathParam = lazyre.New(`\{([^{}/]+)\}`)

// servers turns the first server into baseUrl (its variables at their
// defaults: the sender does not expand variables inside variables); a
// relative server URL or none leaves the host to a {{host}} variable the
// user sets.
func (op *oaImporter) servers() {
	op.prefix = "{{baseUrl}}"
	servers := op.doc.Servers
	if len(servers) == 0 || servers[0] == nil || strings.TrimSpace(servers[0].URL) == "" || servers[0].URL == "/" {
		op.prefix = "{{host}}"
		op.im.note(NoteWarning, `variable "host"`, "the document names no server: set host to the API's address (authdeck env set host https://api.example.com) before sending")
		return
	}
	s := servers[0]
	u := oaPathParam.ReplaceAllStringFunc(s.URL, func(m string) string {
		name := m[1 : len(m)-1]
		v := s.Variables[name]
		if v == nil {
			op.im.note(NoteWarning, "server", "variable {%s} of %s has no definition; left as it is", name, s.URL)
			return m
		}
		def := v.Default
		if def == "" && len(v.Enum) > 0 {
			def = v.Enum[0]
		}
		if len(v.Enum) > 1 {
			op.im.note(NoteSkipped, "server", "{%s} is %q; the document also allows %s", name, def, strings.Join(v.Enum, ", "))
		}
		return def
	})
	u = strings.TrimSuffix(u, "/")
	if strings.HasPrefix(u, "/") || !strings.Contains(u, "://") {
		op.prefix = "{{host}}" + u
		op.im.note(NoteWarning, `variable "host"`, "the server URL %q is relative to where the document is served: set host to the API's address (authdeck env set host https://api.example.com) before sending", s.URL)
		return
	}
	op.im.addVar("baseUrl", u, false, "the first server")
	for i, other := range servers[1:] {
		if other == nil {
			continue
		}
		desc := ""
		if other.Description != "" {
			desc = " (" + other.Description + ")"
		}
		op.im.note(NoteSkipped, fmt.Sprintf("server %d", i+2), "%s%s: set baseUrl to it to use it", other.URL, desc)
	}
}

type oaOp struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
	line         int
}

// operations adds a request for each operation, in document order.
func (op *oaImporter) operations() {
	if op.doc.Paths == nil {
		return
	}
	var ops []oaOp
	for _, path := range op.doc.Paths.Keys() {
		item := op.doc.Paths.Value(path)
		if item == nil {
			continue
		}
		for method, o := range item.Operations() {
			line := 0
			if o.Origin != nil && o.Origin.Key != nil {
				line = o.Origin.Key.Line
			} else if item.Origin != nil && item.Origin.Key != nil {
				line = item.Origin.Key.Line
			}
			ops = append(ops, oaOp{path: path, method: strings.ToUpper(method), item: item, op: o, line: line})
		}
	}
	methodOrder := map[string]int{"GET": 0, "PUT": 1, "POST": 2, "DELETE": 3, "OPTIONS": 4, "HEAD": 5, "PATCH": 6, "TRACE": 7}
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].line != ops[j].line {
			return ops[i].line < ops[j].line
		}
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return methodOrder[ops[i].method] < methodOrder[ops[j].method]
	})
	for _, o := range ops {
		op.request(o)
	}
}

// request imports one operation as a saved request.
func (op *oaImporter) request(o oaOp) {
	label := fmt.Sprintf("operation %s %s", o.method, o.path)
	if o.line > 0 {
		label = fmt.Sprintf("operation %s %s (line %d)", o.method, o.path, o.line)
	}
	name := oaRequestName(o)
	r := vault.Request{Name: name, Method: o.method, Description: strings.TrimSpace(o.op.Description)}
	if len(o.op.Tags) > 0 && strings.TrimSpace(o.op.Tags[0]) != "" {
		r.Folder = []string{folderName(o.op.Tags[0])}
	}
	path, cookies := op.params(&r, o.path, oaParameters(o), name)
	r.URL = op.prefix + path
	op.body(&r, o.op, name)
	op.security(&r, o.op, name)
	if len(cookies) > 0 {
		r.Headers = appendCookie(r.Headers, strings.Join(cookies, "; "))
	}
	op.im.secretize(&r, label)
	op.im.addRequest(r, label)
}

// oaRequestName names an operation's request: the first line of its
// summary, else its operation ID, else its method and path.
func oaRequestName(o oaOp) string {
	name := strings.TrimSpace(strings.Split(o.op.Summary, "\n")[0])
	if name == "" {
		name = o.op.OperationID
	}
	if name == "" {
		name = o.method + " " + o.path
	}
	return name
}

// oaParameters lists the path item's and the operation's parameters in
// the order they are first named; the operation's override the path
// item's (same name and in).
func oaParameters(o oaOp) []*openapi3.Parameter {
	params := map[string]*openapi3.Parameter{}
	var order []string
	for _, list := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, pr := range list {
			if pr == nil || pr.Value == nil {
				continue
			}
			key := pr.Value.In + "\x00" + pr.Value.Name
			if _, ok := params[key]; !ok {
				order = append(order, key)
			}
			params[key] = pr.Value
		}
	}
	out := make([]*openapi3.Parameter, len(order))
	for i, key := range order {
		out[i] = params[key]
	}
	return out
}

// params fills the path's {parameters} and adds the query parameters and
// headers to r, each with its example; it returns the filled path and the
// required cookies (name=value). A required parameter without an example
// becomes a {{variable}} to set before sending.
func (op *oaImporter) params(r *vault.Request, path string, params []*openapi3.Parameter, name string) (string, []string) {
	var cookies []string
	for _, p := range params {
		val, ok := paramExample(p)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", op.pathParamValue(p, val, ok, name))
		case "query":
			if !ok && p.Required {
				val = paramPlaceholder(p)
				op.im.note(NoteWarning, fmt.Sprintf("request %q", name), "required query parameter %s has no example: set {{%s}} before sending", p.Name, varName(p.Name))
			}
			r.Params = append(r.Params, vault.QueryParam{Name: p.Name, Value: val, Disabled: !p.Required})
		case "header":
			if oaManagedHeader(p.Name) {
				continue
			}
			if !ok && p.Required {
				val = paramPlaceholder(p)
			}
			r.Headers = append(r.Headers, vault.Header{Name: p.Name, Value: val, Disabled: !p.Required})
		case "cookie":
			if !p.Required {
				continue
			}
			if !ok {
				val = paramPlaceholder(p)
			}
			cookies = append(cookies, p.Name+"="+val)
		}
	}
	return path, cookies
}

// pathParamValue is what a path parameter's {name} is replaced with: its
// example, escaped, else (with a note) a {{variable}} to set.
func (op *oaImporter) pathParamValue(p *openapi3.Parameter, val string, ok bool, name string) string {
	if ok {
		return url.PathEscape(val)
	}
	op.im.note(NoteWarning, fmt.Sprintf("request %q", name), "path parameter %s has no example: set {{%s}} before sending", p.Name, varName(p.Name))
	return paramPlaceholder(p)
}

// paramPlaceholder is the {{variable}} that stands for a parameter without
// an example.
func paramPlaceholder(p *openapi3.Parameter) string {
	return "{{" + varName(p.Name) + "}}"
}

// oaManagedHeader reports a header parameter the document's media types
// and security set, not the parameter.
func oaManagedHeader(name string) bool {
	return strings.EqualFold(name, "Accept") || strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "Authorization")
}

func appendCookie(hs []vault.Header, c string) []vault.Header {
	for k, h := range hs {
		if strings.EqualFold(h.Name, "Cookie") && !h.Disabled {
			hs[k].Value = h.Value + "; " + c
			return hs
		}
	}
	return append(hs, vault.Header{Name: "Cookie", Value: c})
}

// folderName makes a tag a valid folder name.
func folderName(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "/", "-")), " ")
	if r := []rune(s); len(r) > vault.MaxNameLen {
		s = strings.TrimSpace(string(r[:vault.MaxNameLen]))
	}
	return s
}

// paramExample is a parameter's example, else its schema's example,
// default or first enum value, as text.
func paramExample(p *openapi3.Parameter) (string, bool) {
	if p.Example != nil {
		return scalarText(p.Example), true
	}
	for _, k := range sortedKeys(p.Examples) {
		if ex := p.Examples[k]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return scalarText(ex.Value.Value), true
		}
	}
	if p.Schema != nil && p.Schema.Value != nil {
		s := p.Schema.Value
		for _, v := range []any{s.Example, s.Default, s.Const} {
			if v != nil {
				return scalarText(v), true
			}
		}
		if len(s.Examples) > 0 {
			return scalarText(s.Examples[0]), true
		}
		if len(s.Enum) > 0 {
			return scalarText(s.Enum[0]), true
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scalarText renders an example value: a string as it is, arrays as
// comma-separated values (the default "form" style), others as JSON.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalarText(e)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// body sets the request body from the operation's request body: an
// example of its preferred media type, else one made from its schema.
func (op *oaImporter) body(r *vault.Request, o *openapi3.Operation, name string) {
	if o.RequestBody == nil || o.RequestBody.Value == nil || len(o.RequestBody.Value.Content) == 0 {
		return
	}
	content := o.RequestBody.Value.Content
	mt := preferredMediaType(content)
	media := content[mt]
	if media == nil {
		return
	}
	example, found := mediaExample(media)
	if !found {
		return
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: mt})
		obj, _ := example.(map[string]any)
		vals := url.Values{}
		for _, k := range sortedKeys(obj) {
			vals.Set(k, scalarText(obj[k]))
		}
		r.Body = vals.Encode()
	case mt == "multipart/form-data":
		op.multipartBody(r, media, example, name)
	case strings.Contains(mt, "json"):
		r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: mt})
		b, err := json.MarshalIndent(example, "", "  ")
		if err == nil {
			r.Body = string(b)
		}
	default:
		r.Headers = append(r.Headers, vault.Header{Name: "Content-Type", Value: mt})
		if s, ok := example.(string); ok {
			r.Body = s
		} else if b, err := json.Marshal(example); err == nil {
			r.Body = string(b)
		}
	}
}

// mediaTypePreference ranks request body media types: JSON, then any JSON
// flavour, then forms, then whatever comes first in name order.
var mediaTypePreference = []func(string) bool{
	func(m string) bool { return m == "application/json" },
	func(m string) bool { return strings.HasSuffix(m, "+json") || strings.Contains(m, "/json") },
	func(m string) bool { return m == "application/x-www-form-urlencoded" },
	func(m string) bool { return m == "multipart/form-data" },
	func(string) bool { return true },
}

// preferredMediaType picks the media type the request body is made from.
func preferredMediaType(content openapi3.Content) string {
	keys := sortedKeys(content)
	for _, pref := range mediaTypePreference {
		for _, k := range keys {
			if pref(k) {
				return k
			}
		}
	}
	return ""
}

// mediaExample is a media type's example (the first named one in name
// order), else one made from its schema; false when it has neither.
func mediaExample(media *openapi3.MediaType) (any, bool) {
	if media.Example != nil {
		return media.Example, true
	}
	for _, k := range sortedKeys(media.Examples) {
		if ex := media.Examples[k]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value, true
		}
	}
	if media.Schema != nil {
		return schemaExample(media.Schema, 0, map[*openapi3.Schema]bool{}), true
	}
	return nil, false
}

// multipartBody makes form fields of an example object; a field the
// schema says is binary is a file field to choose before sending.
func (op *oaImporter) multipartBody(r *vault.Request, media *openapi3.MediaType, example any, name string) {
	obj, _ := example.(map[string]any)
	props := map[string]*openapi3.SchemaRef{}
	if media.Schema != nil && media.Schema.Value != nil {
		props = media.Schema.Value.Properties
	}
	for _, k := range sortedKeys(obj) {
		if s := props[k]; s != nil && s.Value != nil && (s.Value.Format == "binary" || s.Value.Format == "byte" || s.Value.ContentMediaType != "") {
			r.Form = append(r.Form, vault.FormField{Name: k, IsFile: true})
			op.im.note(NoteWarning, fmt.Sprintf("request %q", name), "form field %s is a file: choose it before sending", k)
			continue
		}
		r.Form = append(r.Form, vault.FormField{Name: k, Value: scalarText(obj[k])})
	}
}

// schemaExample makes an example value from a schema, as Swagger UI does.
func schemaExample(ref *openapi3.SchemaRef, depth int, seen map[*openapi3.Schema]bool) any {
	if ref == nil || ref.Value == nil || depth > 12 {
		return nil
	}
	s := ref.Value
	if seen[s] {
		return nil
	}
	if v, ok := givenExample(s); ok {
		return v
	}
	seen[s] = true
	defer delete(seen, s)
	if len(s.AllOf) > 0 {
		return allOfExample(s, depth, seen)
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) > 0 {
			return schemaExample(alts[0], depth+1, seen)
		}
	}
	switch schemaType(s) {
	case "object":
		return objectExample(s, depth, seen)
	case "array":
		if item := schemaExample(s.Items, depth+1, seen); item != nil {
			return []any{item}
		}
		return []any{}
	case "integer", "number":
		return 0
	case "boolean":
		return true
	case "string":
		return stringExample(s.Format)
	}
	return nil
}

// givenExample is the value a schema gives itself: its example, const,
// default, first of its examples or first enum value.
func givenExample(s *openapi3.Schema) (any, bool) {
	for _, v := range []any{s.Example, s.Const, s.Default} {
		if v != nil {
			return v, true
		}
	}
	if len(s.Examples) > 0 {
		return s.Examples[0], true
	}
	if len(s.Enum) > 0 {
		return s.Enum[0], true
	}
	return nil, false
}

// allOfExample merges the examples of an allOf's schemas and the schema's
// own properties.
func allOfExample(s *openapi3.Schema, depth int, seen map[*openapi3.Schema]bool) map[string]any {
	merged := map[string]any{}
	for _, sub := range s.AllOf {
		if m, ok := schemaExample(sub, depth+1, seen).(map[string]any); ok {
			for k, v := range m {
				merged[k] = v
			}
		}
	}
	for k, v := range objectExample(s, depth, seen) {
		merged[k] = v
	}
	return merged
}

// schemaType is a schema's first type other than null; an untyped schema
// with properties is an object.
func schemaType(s *openapi3.Schema) string {
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if t != "null" {
				return t
			}
		}
	}
	if len(s.Properties) > 0 {
		return "object"
	}
	return ""
}

// stringExample is an example string of the given format.
func stringExample(format string) string {
	switch format {
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "date":
		return "2024-01-01"
	case "email":
		return "user@example.com"
	case "uuid":
		return "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	case "uri", "url":
		return "https://example.com"
	}
	return "string"
}

func objectExample(s *openapi3.Schema, depth int, seen map[*openapi3.Schema]bool) map[string]any {
	out := map[string]any{}
	for _, k := range sortedKeys(s.Properties) {
		p := s.Properties[k]
		if p != nil && p.Value != nil && p.Value.ReadOnly {
			continue
		}
		if v := schemaExample(p, depth+1, seen); v != nil {
			out[k] = v
		}
	}
	return out
}

// security applies the operation's security requirement (else the
// document's): the first alternative that names any scheme.
func (op *oaImporter) security(r *vault.Request, o *openapi3.Operation, name string) {
	reqs := op.doc.Security
	if o.Security != nil {
		reqs = *o.Security
	}
	var req openapi3.SecurityRequirement
	for _, alt := range reqs {
		if len(alt) > 0 {
			req = alt
			break
		}
	}
	for _, schemeName := range sortedKeys(req) {
		var ref *openapi3.SecuritySchemeRef
		if op.doc.Components != nil {
			ref = op.doc.Components.SecuritySchemes[schemeName]
		}
		if ref == nil || ref.Value == nil {
			op.im.note(NoteWarning, fmt.Sprintf("request %q", name), "security scheme %q is not defined in components", schemeName)
			continue
		}
		s := ref.Value
		switch strings.ToLower(s.Type) {
		case "apikey":
			op.apiKeyScheme(r, schemeName, s)
		case "http":
			op.httpScheme(r, schemeName, s)
		case "oauth2", "openidconnect":
			if c := op.client(schemeName, s, req[schemeName]); c != "" && r.Auth == "" {
				r.Auth = c
			}
		default:
			op.im.note(NoteSkipped, fmt.Sprintf("request %q", name), "security scheme %q of type %s (a client certificate is set on the request with --cert)", schemeName, s.Type)
		}
	}
}

// apiKeyScheme sends an API key scheme's credential, a secret
// {{variable}}, in the header, query parameter or cookie it names.
func (op *oaImporter) apiKeyScheme(r *vault.Request, schemeName string, s *openapi3.SecurityScheme) {
	v := op.secretVar(schemeName)
	switch s.In {
	case "header":
		r.Headers = append(r.Headers, vault.Header{Name: s.Name, Value: "{{" + v + "}}"})
	case "query":
		r.Params = append(r.Params, vault.QueryParam{Name: s.Name, Value: "{{" + v + "}}"})
	case "cookie":
		r.Headers = appendCookie(r.Headers, s.Name+"={{"+v+"}}")
	}
}

// httpScheme applies an HTTP auth scheme: basic and digest as the
// request's auth scheme with {{variables}}, any other (bearer…) as an
// Authorization header with a secret {{variable}}.
func (op *oaImporter) httpScheme(r *vault.Request, schemeName string, s *openapi3.SecurityScheme) {
	switch strings.ToLower(s.Scheme) {
	case "basic", "digest":
		user, pass := op.userPass(schemeName)
		r.Scheme = &vault.AuthScheme{Type: strings.ToLower(s.Scheme), Username: "{{" + user + "}}", Password: "{{" + pass + "}}"}
	default:
		scheme := s.Scheme
		if strings.EqualFold(scheme, "bearer") {
			scheme = "Bearer"
		}
		r.Headers = append(r.Headers, vault.Header{Name: "Authorization", Value: scheme + " {{" + op.secretVar(schemeName) + "}}"})
	}
}

// secretVar is the (empty) secret variable that holds a scheme's credential.
func (op *oaImporter) secretVar(scheme string) string {
	if v, ok := op.schemeVars[scheme]; ok {
		return v
	}
	v := unique(op.im.vars, varName(scheme), "_")
	op.im.addVar(v, "", true, fmt.Sprintf("security scheme %q (set its value with 'authdeck env set %s --secret')", scheme, v))
	op.schemeVars[scheme] = v
	return v
}

func (op *oaImporter) userPass(scheme string) (string, string) {
	if v, ok := op.schemeVars[scheme]; ok {
		return v + "_username", v + "_password"
	}
	base := unique(op.im.vars, varName(scheme), "_")
	op.schemeVars[scheme] = base
	op.im.addVar(base+"_username", "", false, fmt.Sprintf("security scheme %q", scheme))
	op.im.addVar(base+"_password", "", true, fmt.Sprintf("security scheme %q (set its value with 'authdeck env set %s_password --secret')", scheme, base))
	return base + "_username", base + "_password"
}

// client returns the auth client made of an oauth2 or openIdConnect
// scheme (its first usable flow), recording the scopes the operation asks for.
func (op *oaImporter) client(schemeName string, s *openapi3.SecurityScheme, scopes []string) string {
	if name, ok := op.clients[schemeName]; ok {
		op.addScopes(name, scopes)
		return name
	}
	c := vault.AuthClient{Type: vault.ClientOAuth2, ClientID: "CLIENT_ID", AuthMethod: vault.AuthNone}
	c.Description = strings.TrimSpace(s.Description)
	how := ""
	switch {
	case strings.EqualFold(s.Type, "openIdConnect"):
		issuer := strings.TrimSuffix(strings.TrimSuffix(s.OpenIdConnectUrl, "/.well-known/openid-configuration"), "/")
		if issuer == "" {
			op.im.note(NoteSkipped, fmt.Sprintf("security scheme %q", schemeName), "openIdConnect without openIdConnectUrl")
			op.clients[schemeName] = ""
			return ""
		}
		c.Issuer, c.Grant = issuer, vault.GrantAuthorizationCode
		how = "OpenID Connect, endpoints from the issuer's discovery document"
	case s.Flows != nil && s.Flows.AuthorizationCode != nil:
		f := s.Flows.AuthorizationCode
		c.Grant, c.Endpoints.Authorization, c.Endpoints.Token = vault.GrantAuthorizationCode, f.AuthorizationURL, f.TokenURL
		how = "authorization code flow with PKCE"
	case s.Flows != nil && s.Flows.ClientCredentials != nil:
		f := s.Flows.ClientCredentials
		op.im.note(NoteSkipped, fmt.Sprintf("security scheme %q", schemeName), "client credentials flow (token URL %s): a client secret is needed, which the document does not hold; add the client with 'authdeck client add %s --grant client_credentials --token-url %s --auth-method client_secret_basic --client-id ID' (it asks for the secret)", f.TokenURL, ShellQuote(schemeName), ShellQuote(f.TokenURL))
		op.clients[schemeName] = ""
		return ""
	case s.Flows != nil && s.Flows.Implicit != nil:
		// A retired flow (RFC 9700), kept because it is the one the API
		// offers: the client opts into it explicitly, with a warning.
		c.Grant, c.Endpoints.Authorization, c.AuthMethod, c.AllowDeprecated = vault.GrantImplicit, s.Flows.Implicit.AuthorizationURL, "", true
		op.im.note(NoteWarning, fmt.Sprintf("security scheme %q", schemeName), "only the implicit flow, which OAuth 2.1 retires (RFC 9700): the auth client opts into it; ask the provider for the authorization code flow")
		how = "implicit flow"
	case s.Flows != nil && s.Flows.Password != nil:
		c.Grant, c.Endpoints.Token, c.AllowDeprecated = vault.GrantPassword, s.Flows.Password.TokenURL, true
		op.im.note(NoteWarning, fmt.Sprintf("security scheme %q", schemeName), "only the password flow, which OAuth 2.1 retires (RFC 9700): the auth client opts into it; ask the provider for the authorization code flow")
		how = "password flow"
	default:
		op.im.note(NoteSkipped, fmt.Sprintf("security scheme %q", schemeName), "no flow")
		op.clients[schemeName] = ""
		return ""
	}
	if s.Flows != nil && s.Flows.AuthorizationCode != nil && s.Flows.ClientCredentials != nil {
		op.im.note(NoteSkipped, fmt.Sprintf("security scheme %q", schemeName), "its client credentials flow too (token URL %s); add a second client for it with 'authdeck client add'", s.Flows.ClientCredentials.TokenURL)
	}
	c.Name = itemName(op.im.secrets, schemeName)
	c.Env = op.im.env
	if err := c.Validate(); err != nil {
		// An endpoint authdeck refuses (plain http to a remote host): the
		// requests are imported without the client, and the report says why.
		op.im.note(NoteSkipped, fmt.Sprintf("security scheme %q", schemeName), "no auth client: %v", err)
		op.clients[schemeName] = ""
		return ""
	}
	op.im.secrets[c.Name] = true
	op.clients[schemeName] = c.Name
	item := &vault.ClientItem{Client: c}
	op.pending = append(op.pending, item)
	op.addScopes(c.Name, scopes)
	op.im.note(NoteCreated, fmt.Sprintf("auth client %q", c.Name), "%s; set its client id (and secret, if it has one) with 'authdeck client edit %s' before getting a token", how, ShellQuote(c.Name))
	return c.Name
}

func (op *oaImporter) addScopes(client string, scopes []string) {
	for _, s := range scopes {
		if !slices.Contains(op.scopes[client], s) {
			op.scopes[client] = append(op.scopes[client], s)
		}
	}
}

// flushClients adds the auth clients with the scopes the operations ask for.
func (op *oaImporter) flushClients() {
	for _, it := range op.pending {
		it.Client.Scopes = op.scopes[it.Client.Name]
		if err := it.Client.Validate(); err != nil {
			op.im.problem(fmt.Sprintf("auth client %q", it.Client.Name), 0, 0, vault.ErrInvalid, "%v", err)
			continue
		}
		op.im.batch.Clients = append(op.im.batch.Clients, *it)
	}
}
