package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/lazyre"
)

// This file imports Insomnia v4 exports (JSON or YAML): requests in their
// folders (request groups, ordered as Insomnia orders them), the base
// environment and its sub-environments (values resolved, since authdeck
// does not expand a variable inside another), and authentication: bearer,
// basic, digest, API key and AWS IAM schemes, and OAuth 2.0 configurations
// as auth clients (secrets to the vault). Folder authentication is
// inherited. {{ _.name }} becomes {{name}}; Insomnia's template tags
// ({% uuid %}, {% now %}) become dynamic variables where one matches, and
// are reported otherwise. gRPC and WebSocket requests are listed as
// skipped.

type insResource struct {
	ID             string              `json:"_id" yaml:"_id"`
	Type           string              `json:"_type" yaml:"_type"`
	ParentID       string              `json:"parentId" yaml:"parentId"`
	Name           string              `json:"name" yaml:"name"`
	Description    string              `json:"description" yaml:"description"`
	URL            string              `json:"url" yaml:"url"`
	Method         string              `json:"method" yaml:"method"`
	Body           insBody             `json:"body" yaml:"body"`
	Parameters     []insPair           `json:"parameters" yaml:"parameters"`
	Headers        []insPair           `json:"headers" yaml:"headers"`
	Authentication map[string]any      `json:"authentication" yaml:"authentication"`
	MetaSortKey    float64             `json:"metaSortKey" yaml:"metaSortKey"`
	Data           map[string]any      `json:"data" yaml:"data"`
	DataOrder      map[string][]string `json:"dataPropertyOrder" yaml:"dataPropertyOrder"`
	IsPrivate      bool                `json:"isPrivate" yaml:"isPrivate"`
	// PreRequestScript and AfterResponseScript are the scripts of a request
	// or a folder (Insomnia 8 and later); authdeck runs none.
	PreRequestScript    string `json:"preRequestScript" yaml:"preRequestScript"`
	AfterResponseScript string `json:"afterResponseScript" yaml:"afterResponseScript"`
}

type insBody struct {
	MimeType string    `json:"mimeType" yaml:"mimeType"`
	Text     string    `json:"text" yaml:"text"`
	Params   []insPair `json:"params" yaml:"params"`
	FileName string    `json:"fileName" yaml:"fileName"`
}

type insPair struct {
	Name     string `json:"name" yaml:"name"`
	Value    string `json:"value" yaml:"value"`
	Disabled bool   `json:"disabled" yaml:"disabled"`
	Type     string `json:"type" yaml:"type"`
	FileName string `json:"fileName" yaml:"fileName"`
}

type insExport struct {
	Type      string        `json:"_type" yaml:"_type"`
	Format    int           `json:"__export_format" yaml:"__export_format"`
	Resources []insResource `json:"resources" yaml:"resources"`
}

var (
	insVarRef   = lazyre.New(`\{\{\s*_\.([^}\s]+)\s*\}\}`)
	insTag      = lazyre.New(`\{%\s*(\w+)([^%]*)%\}`)
	insPlainRef = lazyre.New(`\{\{\s*([^{}]+?)\s*\}\}`)
)

// decodeProblem says where (line and column, 0 when unknown) and why a
// file did not decode.
type decodeProblem struct {
	line, col int
	msg       string
}

// decodeInsomnia decodes an Insomnia export, JSON (checked strictly) or
// YAML.
func decodeInsomnia(data []byte) (insExport, *decodeProblem) {
	var exp insExport
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if err := jsonpos.CheckStrict(data); err != nil {
			var pe *jsonpos.Error
			if errors.As(err, &pe) {
				return exp, &decodeProblem{pe.Line, pe.Col, pe.Msg}
			}
			return exp, &decodeProblem{msg: err.Error()}
		}
		if err := json.Unmarshal(data, &exp); err != nil {
			return exp, &decodeProblem{msg: jsonpos.Describe(data, err)}
		}
		return exp, nil
	}
	err := checkYAML(data)
	if err == nil {
		err = unmarshalYAMLOrJSON(data, &exp)
	}
	if err != nil {
		var ye *yamlError
		if errors.As(err, &ye) {
			return exp, &decodeProblem{ye.Line, ye.Col, ye.Msg}
		}
		return exp, &decodeProblem{msg: err.Error()}
	}
	return exp, nil
}

// ParseInsomnia reads an Insomnia v4 export and returns the batch that
// creates its environments, variables, credentials and requests, and a
// report. On any problem it returns an *ImportError and an empty batch.
func ParseInsomnia(data []byte, opts RequestImportOptions) (vault.Batch, []Note, error) {
	if err := opts.checkText(data); err != nil {
		return vault.Batch{}, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	im := newReqImporter(opts)
	fail := func(line, col int, format string, args ...any) (vault.Batch, []Note, error) {
		im.problem("", line, col, vault.ErrInvalid, format, args...)
		return im.finish()
	}
	exp, bad := decodeInsomnia(data)
	if bad != nil {
		return fail(bad.line, bad.col, "%s", bad.msg)
	}
	if exp.Type != "export" || exp.Format != 4 {
		return fail(0, 0, "not an Insomnia v4 export (_type: export, __export_format: 4)")
	}
	p := &insParser{im: im, byID: map[string]*insResource{}}
	for i := range exp.Resources {
		r := &exp.Resources[i]
		p.byID[r.ID] = r
	}
	p.environments(exp.Resources)
	var reqs []*insResource
	for i := range exp.Resources {
		r := &exp.Resources[i]
		switch r.Type {
		case "request":
			reqs = append(reqs, r)
			p.skippedScripts(r, fmt.Sprintf("request %q", r.Name), "")
		case "request_group":
			p.skippedScripts(r, fmt.Sprintf("folder %q", r.Name), " (Insomnia runs it for each request in the folder)")
		case "grpc_request", "websocket_request", "websocket_payload":
			im.note(NoteSkipped, fmt.Sprintf("%s %q", strings.ReplaceAll(r.Type, "_", " "), r.Name), "only HTTP requests are imported")
		}
	}
	// Insomnia lists a folder's children by metaSortKey.
	sort.SliceStable(reqs, func(i, j int) bool {
		if a, b := p.sortKeyPath(reqs[i]), p.sortKeyPath(reqs[j]); a != b {
			return a < b
		}
		return reqs[i].MetaSortKey < reqs[j].MetaSortKey
	})
	for _, r := range reqs {
		p.request(r)
	}
	return im.finish()
}

// skippedScripts lists a request's or folder's scripts as skipped.
func (p *insParser) skippedScripts(r *insResource, item, when string) {
	for _, s := range []struct{ what, code string }{{"pre-request", r.PreRequestScript}, {"after-response", r.AfterResponseScript}} {
		if strings.TrimSpace(s.code) != "" {
			p.im.note(NoteSkipped, item, "%s script not run%s (authdeck runs no scripts)", s.what, when)
		}
	}
}

type insParser struct {
	im   *reqImporter
	byID map[string]*insResource
	vars map[string]string
}

// groups lists the request groups a resource is in, outermost first.
func (p *insParser) groups(r *insResource) []*insResource {
	var out []*insResource
	seen := map[string]bool{}
	for id := r.ParentID; id != "" && !seen[id]; {
		seen[id] = true
		g := p.byID[id]
		if g == nil || g.Type != "request_group" {
			break
		}
		out = append([]*insResource{g}, out...)
		id = g.ParentID
	}
	return out
}

// path is the folder path of a resource (request groups up to the workspace).
func (p *insParser) path(r *insResource) []string {
	var out []string
	for _, g := range p.groups(r) {
		out = append(out, folderName(g.Name))
	}
	return out
}

// sortKeyPath orders folders as Insomnia shows them.
func (p *insParser) sortKeyPath(r *insResource) string {
	var keys []string
	for _, g := range p.groups(r) {
		keys = append(keys, fmt.Sprintf("%020.3f", g.MetaSortKey+1e15))
	}
	return strings.Join(keys, "/")
}

// environments imports the base environment into the target environment
// and each sub-environment as an environment of its own, values resolved.
func (p *insParser) environments(rs []insResource) {
	base := p.baseEnvironment(rs)
	p.vars = map[string]string{}
	if base == nil {
		return
	}
	flatten(base.Data, "", p.vars)
	var subs []*insResource
	for i := range rs {
		if rs[i].Type == "environment" && rs[i].ParentID == base.ID {
			subs = append(subs, &rs[i])
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].MetaSortKey < subs[j].MetaSortKey })
	target := maps.Clone(p.vars)
	if len(subs) > 0 {
		flatten(subs[0].Data, "", target)
	}
	resolved := resolveVars(target)
	p.vars = resolved
	for _, k := range sortedKeys(resolved) {
		p.im.addVar(varName(k), resolved[k], pmSecretVariable(k, resolved[k]) || (len(subs) > 0 && subs[0].IsPrivate), "the Insomnia environment")
	}
	for _, s := range subs {
		name := strings.TrimSpace(s.Name)
		if name == "" || vault.ValidateName("environment", name) != nil || name == p.im.env {
			continue
		}
		p.im.addEnvVars(name, p.subEnvironmentVars(base, s))
	}
}

// baseEnvironment is the workspace's base environment, or nil.
func (p *insParser) baseEnvironment(rs []insResource) *insResource {
	for i := range rs {
		if rs[i].Type == "environment" && p.byID[rs[i].ParentID] != nil && p.byID[rs[i].ParentID].Type == "workspace" {
			return &rs[i]
		}
	}
	return nil
}

// subEnvironmentVars are the variables of sub-environment s: the target's,
// the base environment's and its own, in that order of precedence, resolved.
func (p *insParser) subEnvironmentVars(base, s *insResource) []httpEnvVar {
	vals := maps.Clone(p.vars)
	flatten(base.Data, "", vals)
	flatten(s.Data, "", vals)
	vals = resolveVars(vals)
	var vars []httpEnvVar
	for _, k := range sortedKeys(vals) {
		vars = append(vars, httpEnvVar{name: varName(k), value: vals[k], secret: s.IsPrivate || pmSecretVariable(k, vals[k]), from: fmt.Sprintf("Insomnia environment %q", s.Name)})
	}
	return vars
}

// flatten turns nested environment data into dotted names (a.b.c).
func flatten(data map[string]any, prefix string, out map[string]string) {
	for k, v := range data {
		name := prefix + k
		switch x := v.(type) {
		case map[string]any:
			flatten(x, name+".", out)
		case string:
			out[name] = x
		case nil:
			out[name] = ""
		default:
			b, _ := json.Marshal(x)
			out[name] = string(b)
		}
	}
}

// resolveVars expands {{ var }} and {{ _.var }} inside values, as
// Insomnia renders them.
func resolveVars(vals map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range vals {
		out[k] = v
	}
	for range 8 {
		changed := false
		for k, v := range out {
			nv := insPlainRef.ReplaceAllStringFunc(v, func(m string) string {
				n := strings.TrimPrefix(strings.TrimSpace(insPlainRef.FindStringSubmatch(m)[1]), "_.")
				if r, ok := out[n]; ok && n != k {
					return r
				}
				return m
			})
			if nv != v {
				out[k], changed = nv, true
			}
		}
		if !changed {
			break
		}
	}
	return out
}

// text rewrites Insomnia's templating into authdeck's.
func (p *insParser) text(s, item string) string {
	s = insVarRef.ReplaceAllStringFunc(s, func(m string) string {
		return "{{" + varName(insVarRef.FindStringSubmatch(m)[1]) + "}}"
	})
	s = insPlainRef.ReplaceAllStringFunc(s, func(m string) string {
		n := strings.TrimSpace(insPlainRef.FindStringSubmatch(m)[1])
		if strings.HasPrefix(n, "$") {
			return "{{" + n + "}}"
		}
		return "{{" + varName(n) + "}}"
	})
	return insTag.ReplaceAllStringFunc(s, func(m string) string {
		sm := insTag.FindStringSubmatch(m)
		args := strings.TrimSpace(sm[2])
		switch sm[1] {
		case "uuid":
			return "{{$guid}}"
		case "now":
			switch {
			case strings.Contains(args, "millis"):
				return "{{$datetime \"x\"}}"
			case strings.Contains(args, "unix"):
				return "{{$timestamp}}"
			}
			return "{{$isoTimestamp}}"
		}
		p.im.note(NoteWarning, item, "Insomnia template tag {%% %s %%} is not run; it stays as written", sm[1])
		return m
	})
}

func (p *insParser) request(r *insResource) {
	item := fmt.Sprintf("request %q", r.Name)
	folder := p.path(r)
	req := vault.Request{Name: r.Name, Method: strings.ToUpper(strings.TrimSpace(r.Method)), URL: p.text(strings.TrimSpace(r.URL), item), Folder: folder, Description: r.Description}
	if req.Name == "" {
		req.Name = req.Method + " " + req.URL
	}
	if !strings.Contains(req.URL, "://") && !strings.HasPrefix(req.URL, "{{") && req.URL != "" {
		req.URL = "http://" + req.URL // as Insomnia sends it
	}
	for _, q := range r.Parameters {
		if strings.TrimSpace(q.Name) == "" {
			continue
		}
		req.Params = append(req.Params, vault.QueryParam{Name: p.text(q.Name, item), Value: p.text(q.Value, item), Disabled: q.Disabled})
	}
	for _, h := range r.Headers {
		if strings.TrimSpace(h.Name) == "" {
			continue
		}
		req.Headers = append(req.Headers, vault.Header{Name: p.text(h.Name, item), Value: p.text(h.Value, item), Disabled: h.Disabled})
	}
	p.body(&req, r, item)
	p.auth(&req, p.inheritedAuth(r), item)
	label := fmt.Sprintf("request %q", strings.Join(append(folder, r.Name), " › "))
	p.im.secretize(&req, label)
	p.im.addRequest(req, label)
}

// inheritedAuth is the auth a request uses: its own, else that of the
// nearest request group that sets one ("inherit" passes it on). The groups
// are walked once each, so parent IDs that loop end the walk.
func (p *insParser) inheritedAuth(r *insResource) map[string]any {
	if a := r.Authentication; len(a) > 0 && a["type"] != "inherit" {
		return a
	}
	groups := p.groups(r)
	for i := len(groups) - 1; i >= 0; i-- {
		if a := groups[i].Authentication; len(a) > 0 && a["type"] != "inherit" {
			return a
		}
	}
	return r.Authentication
}

// body reads an Insomnia request body into req, by its MIME type.
func (p *insParser) body(req *vault.Request, r *insResource, item string) {
	b := r.Body
	switch {
	case b.MimeType == "application/x-www-form-urlencoded":
		p.urlEncodedBody(req, b, item)
	case b.MimeType == "multipart/form-data":
		p.multipartBody(req, b, item)
	case b.MimeType == "application/graphql":
		// Insomnia keeps {"query", "variables"} and sends it as JSON.
		req.Body = p.text(b.Text, item)
		for k, h := range req.Headers {
			if strings.EqualFold(h.Name, "Content-Type") && strings.Contains(h.Value, "graphql") {
				req.Headers[k].Value = "application/json"
			}
		}
		defaultContentType(req, "application/json")
	case b.FileName != "":
		req.BodyFile = b.FileName
		if b.MimeType != "" {
			defaultContentType(req, b.MimeType)
		}
	case b.Text != "":
		req.Body = p.text(b.Text, item)
		if b.MimeType != "" {
			defaultContentType(req, b.MimeType)
		}
	}
}

// urlEncodedBody form-encodes the enabled fields.
func (p *insParser) urlEncodedBody(req *vault.Request, b insBody, item string) {
	var parts []string
	for _, f := range b.Params {
		if f.Disabled {
			continue
		}
		parts = append(parts, formEscape(p.text(f.Name, item))+"="+formEscape(p.text(f.Value, item)))
	}
	req.Body = strings.Join(parts, "&")
	defaultContentType(req, b.MimeType)
}

// multipartBody reads the form fields; the sender sets the multipart
// Content-Type with its boundary, so the request's own is dropped.
func (p *insParser) multipartBody(req *vault.Request, b insBody, item string) {
	for _, f := range b.Params {
		ff := vault.FormField{Name: p.text(f.Name, item), Disabled: f.Disabled}
		if f.Type == "file" {
			ff.IsFile, ff.File = true, f.FileName
		} else {
			ff.Value = p.text(f.Value, item)
		}
		req.Form = append(req.Form, ff)
	}
	out := req.Headers[:0]
	for _, h := range req.Headers {
		if !strings.EqualFold(h.Name, "Content-Type") {
			out = append(out, h)
		}
	}
	req.Headers = out
}

func authStr(a map[string]any, k string) string {
	switch v := a[k].(type) {
	case string:
		return v
	case nil:
		return ""
	case bool:
		return fmt.Sprint(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// ref makes a value a {{reference}}: a template stays, a literal goes to
// the vault as a secret variable.
func (p *insParser) ref(v, base, item string) string {
	v = p.text(v, item)
	if strings.Contains(v, "{{") {
		return v
	}
	return p.im.secretVar(base, v, item)
}

func (p *insParser) auth(req *vault.Request, a map[string]any, item string) {
	if len(a) == 0 || a["disabled"] == true {
		return
	}
	typ := authStr(a, "type")
	switch typ {
	case "bearer":
		prefix := authStr(a, "prefix")
		if prefix == "" {
			prefix = "Bearer"
		}
		req.Headers = append(req.Headers, vault.Header{Name: "Authorization", Value: prefix + " " + p.text(authStr(a, "token"), item)})
	case "basic", "digest":
		pass := authStr(a, "password")
		if pass != "" {
			pass = p.ref(pass, req.Name+" password", item)
		}
		req.Scheme = &vault.AuthScheme{Type: typ, Username: p.text(authStr(a, "username"), item), Password: pass}
	case "apikey":
		key, val := p.text(authStr(a, "key"), item), authStr(a, "value")
		val = p.ref(val, key, item)
		if authStr(a, "addTo") == "queryParams" {
			req.Params = append(req.Params, vault.QueryParam{Name: key, Value: val})
		} else {
			req.Headers = append(req.Headers, vault.Header{Name: key, Value: val})
		}
	case "iam":
		req.Scheme = &vault.AuthScheme{
			Type: vault.SchemeAWSv4, AccessKey: p.text(authStr(a, "accessKeyId"), item),
			SecretKey: p.ref(authStr(a, "secretAccessKey"), req.Name+" aws secret key", item), Region: p.text(authStr(a, "region"), item), Service: p.text(authStr(a, "service"), item),
		}
		if st := authStr(a, "sessionToken"); st != "" {
			req.Scheme.SessionToken = p.ref(st, req.Name+" aws session token", item)
		}
	case "oauth2":
		req.Auth = p.oauth2(a, item)
	case "none", "":
	default:
		p.im.note(NoteSkipped, item, "%s authentication is not imported", typ)
	}
}

// oauth2 makes an auth client of an OAuth 2.0 configuration; the same
// configuration in many requests makes one client.
func (p *insParser) oauth2(a map[string]any, item string) string {
	resolve := func(k string) string { return renderKnown(p.text(authStr(a, k), item), p.vars) }
	grant := map[string]vault.Grant{"authorization_code": vault.GrantAuthorizationCode, "client_credentials": vault.GrantClientCredentials, "password": vault.GrantPassword, "implicit": vault.GrantImplicit}[authStr(a, "grantType")]
	if grant == "" {
		p.im.note(NoteSkipped, item, "OAuth 2.0 grant %q is not supported", authStr(a, "grantType"))
		return ""
	}
	c := vault.AuthClient{
		Type: vault.ClientOAuth2, Grant: grant, ClientID: resolve("clientId"),
		Endpoints: vault.Endpoints{Authorization: resolve("authorizationUrl"), Token: resolve("accessTokenUrl")},
	}
	if s := resolve("scope"); s != "" {
		c.Scopes = strings.Fields(s)
	}
	if aud := resolve("audience"); aud != "" {
		c.Audience = aud
	}
	if u := resolve("redirectUrl"); u != "" && strings.Contains(u, "://") {
		c.RedirectURI = u
	}
	if grant.Deprecated() {
		c.AllowDeprecated = true
		p.im.note(NoteWarning, item, "OAuth 2.0 %s grant: a deprecated grant, enabled for this client as the collection uses it", grant)
	}
	secret := resolve("clientSecret")
	switch {
	case secret != "" && authStr(a, "credentialsInBody") == "true":
		c.AuthMethod = vault.AuthClientSecretPost
	case secret != "":
		c.AuthMethod = vault.AuthClientSecretBasic
	default:
		c.AuthMethod = vault.AuthNone
	}
	if strings.Contains(c.ClientID+c.Endpoints.Token+c.Endpoints.Authorization+secret, "{{") {
		p.im.note(NoteSkipped, item, "OAuth 2.0 settings use variables that the environment does not define; create the client with 'authdeck client add'")
		return ""
	}
	key := strings.Join([]string{string(c.Grant), c.ClientID, c.Endpoints.Token, c.Endpoints.Authorization, strings.Join(c.Scopes, " "), secret}, "\x00")
	if name, ok := p.im.credByValue[key]; ok {
		return name
	}
	c.Name = itemName(p.im.secrets, "oauth2 "+c.ClientID)
	c.Env = p.im.env
	var creds *vault.ClientCredentials
	if secret != "" {
		creds = &vault.ClientCredentials{ClientSecret: secret}
	}
	if err := c.Validate(); err != nil {
		p.im.note(NoteSkipped, item, "OAuth 2.0 settings do not make a usable auth client: %v", err)
		return ""
	}
	if err := c.ValidateCredentials(derefCreds(creds)); err != nil {
		p.im.note(NoteSkipped, item, "OAuth 2.0 settings do not make a usable auth client: %v", err)
		return ""
	}
	p.im.secrets[c.Name] = true
	p.im.credByValue[key] = c.Name
	p.im.batch.Clients = append(p.im.batch.Clients, vault.ClientItem{Client: c, Creds: creds})
	what := "auth client (" + string(grant) + ")"
	if creds != nil {
		what += "; its client secret goes to the vault"
	}
	p.im.note(NoteCreated, fmt.Sprintf("auth client %q", c.Name), "%s", what)
	return c.Name
}

func derefCreds(c *vault.ClientCredentials) vault.ClientCredentials {
	if c == nil {
		return vault.ClientCredentials{}
	}
	return *c
}

// renderKnown fills {{name}} placeholders whose value is known.
func renderKnown(s string, vars map[string]string) string {
	return insPlainRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[strings.TrimSpace(insPlainRef.FindStringSubmatch(m)[1])]; ok {
			return v
		}
		return m
	})
}
