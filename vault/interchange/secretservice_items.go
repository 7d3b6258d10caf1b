package interchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// This file reads the items of a secret-service file: auth clients first,
// then the secrets that may link to them.

// clientKnownKeys are the auth-client fields the importer reads; others are
// reported as skipped.
var clientKnownKeys = []string{
	"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts",
	"clientId", "clientSecret", "redirectUri", "endpoints", "issuer", "scope", "scopes", "authMethod", "grant",
	"allowDeprecated", "audience", "resource", "prompt", "tokenPath", "expirationPath", "fields",
}

func (p *ssParser) parseClient(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("auth client %q", name)
	}
	typ := vault.ClientType(p.required(label, o, "type", "type"))
	switch typ {
	case vault.ClientOAuth2, vault.ClientSessionAuth, "":
	default:
		p.problem(label, o.offs["type"], vault.ErrInvalid, "type %q is not %s or %s", typ, vault.ClientOAuth2, vault.ClientSessionAuth)
	}
	ac := vault.AuthClient{Meta: p.meta(label, o, name), Type: typ}
	p.skipUnknown(label, o, "", clientKnownKeys...)
	info := ssClient{refID: p.refID(label, o), name: name, typ: typ, fields: map[string][]string{}}
	var creds *vault.ClientCredentials
	urlsOK := true
	switch typ {
	case vault.ClientOAuth2:
		creds, urlsOK = p.oauth2Client(label, o, &ac)
	case vault.ClientSessionAuth:
		urlsOK = p.sessionAuthClient(label, o, &ac, info.fields)
	case vault.ClientOAuth1:
		// refused above: the format has no OAuth 1.0a clients
	}
	p.checkClientName(label, o, name)
	p.clients = append(p.clients, info)
	if len(p.problems) > before || !urlsOK {
		return
	}
	p.addClient(label, o, ac, creds)
}

// oauth2Client reads an OAuth 2.0 client's settings into ac and returns its
// credentials (nil without a client secret) and whether its URLs are good.
func (p *ssParser) oauth2Client(label string, o *jsonObject, ac *vault.AuthClient) (*vault.ClientCredentials, bool) {
	urlsOK := true
	ac.Grant = vault.GrantAuthorizationCode
	if g := p.str(label, o, "grant", "grant"); g != "" {
		ac.Grant = vault.Grant(g)
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
		urlsOK = p.clientEndpoints(label, ep, &ac.Endpoints) && urlsOK
	}
	if s := p.str(label, o, "scope", "scope"); s != "" {
		ac.Scopes = strings.Fields(s)
	}
	ac.Scopes = append(ac.Scopes, p.strList(label, o, "scopes", "scopes")...)
	ac.Audience = p.str(label, o, "audience", "audience")
	ac.Resource = p.str(label, o, "resource", "resource")
	ac.Prompt = p.str(label, o, "prompt", "prompt")
	ac.AuthMethod = p.authMethod(label, o, ac.Grant)
	creds := p.clientSecret(label, o, ac.AuthMethod)
	for _, k := range []string{"tokenPath", "expirationPath", "fields"} {
		if _, ok := o.vals[k]; ok {
			p.note(NoteSkipped, label, o.offs[k], "%s: only used by SESSION_AUTH clients", k)
		}
	}
	return creds, urlsOK
}

// clientEndpoints reads an OAuth 2.0 client's endpoints object; false
// when one of its URLs is refused.
func (p *ssParser) clientEndpoints(label string, ep *jsonObject, dst *vault.Endpoints) bool {
	urlsOK := true
	for _, e := range []struct {
		key string
		dst *string
	}{
		{"auth", &dst.Authorization},
		{"token", &dst.Token},
		{"device", &dst.Device},
		{"introspection", &dst.Introspection},
		{"revocation", &dst.Revocation},
		{"jwks", &dst.JWKS},
		{"userinfo", &dst.Userinfo},
	} {
		s := p.str(label, ep, e.key, "endpoints."+e.key)
		if s == "" {
			continue
		}
		urlsOK = p.checkURL(label, ep.offs[e.key], "endpoints."+e.key, s, false) && urlsOK
		*e.dst = s
	}
	p.skipUnknown(label, ep, "endpoints.", "auth", "token", "device", "introspection", "revocation", "jwks", "userinfo")
	return urlsOK
}

// authMethod returns the client's authentication method: the file's, else
// the import's; never guessed (a problem when neither says, except for the
// implicit grant, which has no token endpoint).
func (p *ssParser) authMethod(label string, o *jsonObject, grant vault.Grant) vault.AuthMethod {
	m := vault.AuthMethod(p.str(label, o, "authMethod", "authMethod"))
	if m != "" || grant == vault.GrantImplicit {
		return m
	}
	m = p.opts.AuthMethod
	if m == "" {
		p.problem(label, o.base, vault.ErrMissingInput, "authMethod: the file does not say how the client authenticates at the token endpoint and it is never guessed; choose one for the import (client_secret_basic, client_secret_post, private_key_jwt, none or tls_client_auth; CLI: --auth-method)")
	}
	return m
}

// clientSecret returns the credentials holding the file's clientSecret, or
// nil when there is none or the method uses none.
func (p *ssParser) clientSecret(label string, o *jsonObject, method vault.AuthMethod) *vault.ClientCredentials {
	secret := p.str(label, o, "clientSecret", "clientSecret")
	if secret == "" {
		return nil
	}
	if method == vault.AuthNone {
		p.note(NoteSkipped, label, o.offs["clientSecret"], "clientSecret: not stored, the auth method is none")
		return nil
	}
	if looksPlaceholder(secret) {
		p.note(NoteWarning, label, o.offs["clientSecret"], "clientSecret looks like an example placeholder (<…>)")
	}
	return &vault.ClientCredentials{ClientSecret: secret}
}

// sessionAuthClient reads a session-auth client's token request template
// into ac, recording the {{fields.NAME}} it uses; false when its URL is
// refused.
func (p *ssParser) sessionAuthClient(label string, o *jsonObject, ac *vault.AuthClient, fields map[string][]string) bool {
	urlsOK := true
	st := &vault.SessionTemplate{
		TokenPath:      p.required(label, o, "tokenPath", "tokenPath"),
		ExpirationPath: p.str(label, o, "expirationPath", "expirationPath"),
	}
	ac.SessionAuth = st
	if auth := p.sessionAuthEndpoint(label, o); auth != nil {
		st.URL = p.required(label, auth, "url", "endpoints.auth.url")
		if st.URL != "" {
			urlsOK = p.checkURL(label, auth.offs["url"], "endpoints.auth.url", st.URL, true)
			p.useFields(fields, st.URL, "endpoints.auth.url")
		}
		st.AuthType = vault.SessionAuthType(p.required(label, auth, "authType", "endpoints.auth.authType"))
		p.requestFields(label, auth, st, fields)
		p.skipUnknown(label, auth, "endpoints.auth.", "url", "authType", "requestFields")
	}
	p.sessionAuthUnused(label, o)
	return urlsOK
}

// sessionAuthEndpoint returns a session-auth client's endpoints.auth object
// (nil, with a problem, when it is missing).
func (p *ssParser) sessionAuthEndpoint(label string, o *jsonObject) *jsonObject {
	ep := p.sub(label, o, "endpoints", "endpoints")
	if ep == nil {
		p.problem(label, o.base, vault.ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
		return nil
	}
	auth := p.sub(label, ep, "auth", "endpoints.auth")
	if auth == nil {
		p.problem(label, ep.base, vault.ErrInvalid, "endpoints.auth is missing (the token request: url, authType, requestFields)")
	}
	p.skipUnknown(label, ep, "endpoints.", "auth")
	return auth
}

// sessionAuthUnused notes the fields a session-auth client does not use.
func (p *ssParser) sessionAuthUnused(label string, o *jsonObject) {
	if raw, ok := o.vals["fields"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil && string(raw) != "null" {
			p.problem(label, o.offs["fields"], vault.ErrInvalid, "fields should be a list, found %s", jsonKind(raw))
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

// checkClientName refuses a client name the file or the environment
// already has.
func (p *ssParser) checkClientName(label string, o *jsonObject, name string) {
	if name == "" {
		return
	}
	for _, c := range p.clients {
		if c.name == name {
			p.problem(label, o.offs["name"], vault.ErrExists, "the file has two auth clients named %q", name)
		}
	}
	if cat := p.opts.Catalog; cat != nil {
		if _, ok := cat.Client(p.opts.Env, name); ok {
			p.problem(label, o.offs["name"], vault.ErrExists, "auth client %q already exists in environment %q", name, p.opts.Env)
		}
	}
}

// addClient validates a client read without problems and adds it to the
// batch.
func (p *ssParser) addClient(label string, o *jsonObject, ac vault.AuthClient, creds *vault.ClientCredentials) {
	if err := ac.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	cc := vault.ClientCredentials{}
	if creds != nil {
		cc = *creds
	}
	if err := ac.ValidateCredentials(cc); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	p.batch.Clients = append(p.batch.Clients, vault.ClientItem{Client: ac, Creds: creds})
	detail := string(ac.Type)
	if ac.Type == vault.ClientOAuth2 {
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

func (p *ssParser) requestFields(label string, auth *jsonObject, st *vault.SessionTemplate, uses map[string][]string) {
	raw, ok := auth.vals["requestFields"]
	if !ok || string(raw) == "null" {
		return
	}
	if raw[0] != '[' {
		p.problem(label, auth.offs["requestFields"], vault.ErrInvalid, "endpoints.auth.requestFields should be a list, found %s", jsonKind(raw))
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
			p.problem(label, off, vault.ErrInvalid, "%s should be an object {\"key\": …, \"value\": …}, found %s", path, jsonKind(el))
			continue
		}
		f := p.object(label, el, off)
		key := p.required(label, f, "key", path+".key")
		val := p.str(label, f, "value", path+".value")
		p.skipUnknown(label, f, path+".", "key", "value")
		t, err := vault.ParseTemplate(val)
		if err != nil {
			p.problem(label, f.offs["value"], vault.ErrInvalid, "%s.value: %v", path, err)
			continue
		}
		if key != "" && val != "" && len(t.Names()) == 0 && secretFieldKey(key) {
			p.note(NoteWarning, label, f.offs["value"], "%s (%s) holds a literal value, which is kept in the catalog, not the vault; use {{fields.%s}} and put the value in each secret's inputFields", path, key, key)
		}
		p.useFields(uses, val, fmt.Sprintf("%s (%s)", path, key))
		st.RequestFields = append(st.RequestFields, vault.Param{Key: key, Value: val})
	}
}

func (p *ssParser) useFields(uses map[string][]string, s, where string) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return
	}
	for _, f := range t.FieldNames() {
		uses[f] = append(uses[f], where)
	}
}

var secretKnownKeys = []string{"_id", "name", "type", "tenant", "description", "expiration", "expires", "allowedHosts", "value"}

func (p *ssParser) parseSecret(it ssItem) {
	o := it.obj
	before := len(p.problems)
	name := p.required(it.label, o, "name", "name")
	label := it.label
	if name != "" {
		label = fmt.Sprintf("secret %q", name)
	}
	typ := vault.SecretType(p.required(label, o, "type", "type"))
	s := vault.Secret{Meta: p.meta(label, o, name), Type: typ}
	p.refID(label, o)
	p.skipUnknown(label, o, "", secretKnownKeys...)
	vo := p.sub(label, o, "value", "value")
	if vo == nil {
		if before == len(p.problems) {
			p.problem(label, o.offs["value"], vault.ErrInvalid, "value should be an object")
		}
		return
	}
	r := &ssValueReader{p: p, label: label, vo: vo}
	if !r.read(typ, &s) {
		p.problem(label, o.offs["type"], vault.ErrInvalid, "type %q is not one of the secret service's types (API_KEY, SIMPLE, OA2_AUTHORIZATION_CODE, SESSION_AUTH)", typ)
		return
	}
	p.skipUnknown(label, vo, "value.", r.known...)
	if r.clientRef != "" {
		p.link(label, vo.offs["authClientId"], &s, r.clientRef, r.val.InputFields)
	} else if typ == vault.TypeSessionAuth {
		p.problem(label, vo.base, vault.ErrInvalid, "value.authClientId is missing (the SESSION_AUTH auth client that fetches the token)")
	}
	p.checkSecretName(label, o, name)
	if len(p.problems) > before {
		return
	}
	p.addSecret(label, o, vo, s, r.val, r.secretFields)
}

// ssValueReader reads a secret's "value" object.
type ssValueReader struct {
	p     *ssParser
	label string
	vo    *jsonObject
	// val is the value read, clientRef its authClientId.
	val       vault.SecretValue
	clientRef string
	// known are the keys read; secretFields those stored in the vault.
	known        []string
	secretFields []string
}

// read reads the value of a secret of type typ (and the settings of s it
// holds); false for a type the format does not have.
func (r *ssValueReader) read(typ vault.SecretType, s *vault.Secret) bool {
	switch typ {
	case vault.TypeAPIKey:
		r.set("key", &r.val.Key, true)
		r.set("headerName", &r.val.HeaderName, false)
		if r.val.HeaderName != "" {
			r.secretFields = append(r.secretFields, "headerName")
		}
		if q := r.str("queryParam"); q != "" {
			s.QueryParam = q
		}
		r.known = append(r.known, "queryParam")
	case vault.TypeSimple:
		r.set("username", &r.val.Username, false)
		if r.val.Username != "" {
			r.secretFields = append(r.secretFields, "username")
		}
		r.set("passphrase", &r.val.Passphrase, true)
	case vault.TypeOAuthToken:
		r.token()
	case vault.TypeSessionAuth:
		r.set("authClientId", &r.clientRef, false)
		r.known = append(r.known, "inputFields")
		r.inputFields()
	case "":
	default:
		return false
	}
	return true
}

func (r *ssValueReader) str(key string) string { return r.p.str(r.label, r.vo, key, "value."+key) }

// set reads the string at key into dst; a non-empty secret one is stored
// in the vault (and noted when it looks like a placeholder).
func (r *ssValueReader) set(key string, dst *string, secret bool) {
	r.known = append(r.known, key)
	*dst = r.str(key)
	if *dst != "" && secret {
		r.secretFields = append(r.secretFields, key)
		if looksPlaceholder(*dst) {
			r.p.note(NoteWarning, r.label, r.vo.offs[key], "value.%s looks like an example placeholder (<…>)", key)
		}
	}
}

// token reads an OAuth token set.
func (r *ssValueReader) token() {
	r.set("authClientId", &r.clientRef, false)
	r.set("accessToken", &r.val.AccessToken, true)
	r.set("refreshToken", &r.val.RefreshToken, true)
	r.set("idToken", &r.val.IDToken, true)
	r.set("tokenType", &r.val.TokenType, false)
	r.set("scope", &r.val.Scope, false)
	r.known = append(r.known, "expires")
	raw, ok := r.vo.vals["expires"]
	if !ok || string(raw) == "null" {
		return
	}
	switch jsonKind(raw) {
	case "a string", "a number":
		r.val.Expires = strings.Trim(string(raw), `"`)
		if r.val.Expires == "" {
			return
		}
		t, err := vault.ParseExpiry(r.val.Expires)
		if err != nil {
			r.p.problem(r.label, r.vo.offs["expires"], vault.ErrInvalid, "value.expires: %v", err)
			return
		}
		r.val.Expires = t.Format("2006-01-02T15:04:05Z07:00")
	default:
		r.p.problem(r.label, r.vo.offs["expires"], vault.ErrInvalid, "value.expires should be a date, Unix seconds or empty, found %s", jsonKind(raw))
	}
}

// inputFields reads a session-auth secret's inputFields, every one stored
// in the vault.
func (r *ssValueReader) inputFields() {
	f := r.p.sub(r.label, r.vo, "inputFields", "value.inputFields")
	if f == nil {
		return
	}
	r.val.InputFields = map[string]string{}
	for _, k := range f.keys {
		raw := f.vals[k]
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			r.p.problem(r.label, f.offs[k], vault.ErrInvalid, "value.inputFields.%s should be a string, found %s", k, jsonKind(raw))
			continue
		}
		r.val.InputFields[k] = v
		r.secretFields = append(r.secretFields, "inputFields."+k)
		if looksPlaceholder(v) {
			r.p.note(NoteWarning, r.label, f.offs[k], "value.inputFields.%s looks like an example placeholder (<…>)", k)
		}
	}
}

// checkSecretName refuses a secret name the file or the environment
// already has.
func (p *ssParser) checkSecretName(label string, o *jsonObject, name string) {
	if name == "" {
		return
	}
	for _, x := range p.batch.Secrets {
		if x.Secret.Name == name {
			p.problem(label, o.offs["name"], vault.ErrExists, "the file has two secrets named %q", name)
		}
	}
	if cat := p.opts.Catalog; cat != nil {
		if _, ok := cat.Secret(p.opts.Env, name); ok {
			p.problem(label, o.offs["name"], vault.ErrExists, "secret %q already exists in environment %q", name, p.opts.Env)
		}
	}
}

// addSecret validates a secret read without problems and adds it to the
// batch.
func (p *ssParser) addSecret(label string, o, vo *jsonObject, s vault.Secret, val vault.SecretValue, secretFields []string) {
	if err := s.Validate(); err != nil {
		p.validationProblem(label, o.base, err)
		return
	}
	if err := s.ValidateValue(val); err != nil {
		p.validationProblem(label, vo.base, err)
		return
	}
	p.batch.Secrets = append(p.batch.Secrets, vault.SecretItem{Secret: s, Value: val})
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
func (p *ssParser) link(label string, off int64, s *vault.Secret, ref string, inputs map[string]string) {
	found := p.linkedClient(ref)
	if found == nil {
		where := "this file (by _id or name)"
		if p.opts.Catalog != nil {
			where += fmt.Sprintf(" or environment %q", p.opts.Env)
		}
		hint := ""
		if looksPlaceholder(ref) {
			hint = " — it is an example placeholder; put the auth client's _id or name there"
		}
		p.problem(label, off, vault.ErrNotConfigured, "value.authClientId %q matches no auth client in %s%s", ref, where, hint)
		return
	}
	want := vault.ClientOAuth2
	if s.Type == vault.TypeSessionAuth {
		want = vault.ClientSessionAuth
	}
	if found.typ != want {
		p.problem(label, off, vault.ErrInvalid, "value.authClientId: auth client %q is %s, but a %s secret needs a %s client", found.name, found.typ, s.Type, want)
		return
	}
	s.AuthClient = found.name
	if s.Type == vault.TypeSessionAuth {
		p.checkInputFields(label, off, found, inputs)
	}
}

// linkedClient returns the auth client ref names: one of the file's (by
// _id or name), else one of the environment's (by name or ID, with the
// {{fields.NAME}} its session-auth template uses); nil when none.
func (p *ssParser) linkedClient(ref string) *ssClient {
	for i := range p.clients {
		c := &p.clients[i]
		if (c.refID != "" && c.refID == ref) || c.name == ref {
			return c
		}
	}
	if p.opts.Catalog == nil {
		return nil
	}
	for _, c := range p.opts.Catalog.ClientsIn(p.opts.Env) {
		if c.Name != ref && c.ID != ref {
			continue
		}
		fc := ssClient{name: c.Name, typ: c.Type, fields: map[string][]string{}}
		if c.SessionAuth != nil {
			p.useFields(fc.fields, c.SessionAuth.URL, "url")
			for i, f := range c.SessionAuth.RequestFields {
				p.useFields(fc.fields, f.Value, fmt.Sprintf("requestFields[%d] (%s)", i, f.Key))
			}
		}
		return &fc
	}
	return nil
}

// checkInputFields refuses a session-auth secret whose inputFields lack a
// field its client uses, and notes the ones it does not use.
func (p *ssParser) checkInputFields(label string, off int64, client *ssClient, inputs map[string]string) {
	var missing []string
	for f := range client.fields {
		if _, ok := inputs[f]; !ok {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	for _, f := range missing {
		p.problem(label, off, vault.ErrMissingInput, "value.inputFields has no %q: auth client %q uses {{fields.%s}} in %s", f, client.name, f, strings.Join(client.fields[f], ", "))
	}
	var unused []string
	for f := range inputs {
		if _, ok := client.fields[f]; !ok {
			unused = append(unused, f)
		}
	}
	sort.Strings(unused)
	for _, f := range unused {
		p.note(NoteWarning, label, off, "value.inputFields.%s is not used by auth client %q", f, client.name)
	}
}
