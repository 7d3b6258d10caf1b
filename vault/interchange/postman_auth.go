package interchange

import (
	"crypto/sha256"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// auth applies a Postman auth block to r: a literal credential goes to the
// vault and r uses it; one made of {{variables}} stays a template.
func (p *pmParser) auth(r *vault.Request, oa ownedAuth, label string) {
	a := oa.auth
	prm := a.params()
	owner := oa.owner
	if owner == "" {
		owner = r.Name
	}
	switch a.Type {
	case "", "noauth":
	case "bearer":
		p.bearerAuth(r, prm, label, owner+" token")
	case "basic":
		p.basicAuth(r, prm, label, owner+" basic")
	case "apikey":
		p.apiKeyAuth(r, prm, label, owner+" api key")
	case "oauth2":
		p.oauth2(r, prm, label, owner+" oauth2")
	case "oauth1":
		p.oauth1(r, prm, label, owner+" oauth1")
	case "digest":
		p.scheme(r, vault.SchemeDigest, prm, label)
	case "awsv4":
		p.scheme(r, vault.SchemeAWSv4, prm, label)
	default:
		p.im.note(NoteSkipped, label, "%s auth is not supported; set up the credential in authdeck", a.Type)
	}
}

// useVars marks the variables the given auth parameters use as auth
// variables (they become secret environment variables).
func (p *pmParser) useVars(prm map[string]string, keys ...string) {
	for _, k := range keys {
		for _, n := range templateVars(prm[k]) {
			p.authVars[n] = true
		}
	}
}

// bearerAuth reads a bearer token.
func (p *pmParser) bearerAuth(r *vault.Request, prm map[string]string, label, credName string) {
	tok := strings.TrimSpace(prm["token"])
	switch {
	case tok == "":
		p.im.note(NoteSkipped, label, "bearer auth without a token")
	case strings.Contains(tok, "{{"):
		p.useVars(prm, "token")
		r.Headers = setHeader(r.Headers, "Authorization", "Bearer "+tok)
	default:
		r.Auth = p.im.addCredential(credName, vault.Secret{Type: vault.TypeAPIKey, HeaderName: "Authorization"}, vault.SecretValue{Key: "Bearer " + tok, HeaderName: "Authorization"}, label+" (bearer auth)")
	}
}

// basicAuth reads a username and password; variables the file defines are
// filled in, others keep the credential a template.
func (p *pmParser) basicAuth(r *vault.Request, prm map[string]string, label, credName string) {
	user, pass := prm["username"], prm["password"]
	if strings.Contains(user+pass, "{{") {
		ru, ok1 := p.resolve(user)
		rp, ok2 := p.resolve(pass)
		if !ok1 || !ok2 {
			// Kept as templates: the environment supplies the values when sent.
			p.scheme(r, vault.SchemeBasic, prm, label)
			return
		}
		user, pass = ru, rp
	}
	if user == "" {
		p.im.note(NoteSkipped, label, "basic auth without a username")
		return
	}
	r.Auth = p.im.addCredential(credName, vault.Secret{Type: vault.TypeSimple}, vault.SecretValue{Username: user, Passphrase: pass}, label+" (basic auth)")
}

// apiKeyAuth reads an API key sent in a header or the query.
func (p *pmParser) apiKeyAuth(r *vault.Request, prm map[string]string, label, credName string) {
	key, value, in := prm["key"], prm["value"], prm["in"]
	if key == "" {
		key = "X-API-Key"
	}
	if strings.Contains(value, "{{") {
		p.useVars(prm, "value")
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
	s := vault.Secret{Type: vault.TypeAPIKey, HeaderName: key}
	if in == "query" {
		s = vault.Secret{Type: vault.TypeAPIKey, QueryParam: key}
	} else if vault.ValidateHeaderName(key) != nil {
		p.im.note(NoteSkipped, label, "API key header %q is not a valid header name", key)
		return
	}
	r.Auth = p.im.addCredential(credName, s, vault.SecretValue{Key: value}, label+" (API key auth)")
}

func setHeader(hs []vault.Header, name, value string) []vault.Header {
	hs = slices.DeleteFunc(hs, func(h vault.Header) bool { return strings.EqualFold(h.Name, name) })
	return append(hs, vault.Header{Name: name, Value: value})
}

// pmGrants maps Postman's grant_type to the grant (none stated is
// authorization code, Postman's default).
var pmGrants = map[string]vault.Grant{
	"client_credentials": vault.GrantClientCredentials, "authorization_code": vault.GrantAuthorizationCode,
	"authorization_code_with_pkce": vault.GrantAuthorizationCode, "password_credentials": vault.GrantPassword,
	"implicit": vault.GrantImplicit, "": vault.GrantAuthorizationCode,
}

// oauth2 turns an oauth2 auth block into an auth client (and the token it
// holds into a token secret linked to it).
func (p *pmParser) oauth2(r *vault.Request, prm map[string]string, label, defaultName string) {
	p.useVars(prm, "clientSecret", "accessToken", "refreshToken", "password")
	if strings.TrimSpace(prm["clientId"]+prm["accessTokenUrl"]+prm["authUrl"]) == "" {
		// Only a token (Postman v2.0 oauth2 blocks): Postman sends it as
		// it is, in the header or as access_token in the query.
		p.oauth2Token(r, prm, label, defaultName)
		return
	}
	g, ok := pmGrants[prm["grant_type"]]
	if !ok {
		p.im.note(NoteSkipped, label, "oauth2 grant %q is not supported", prm["grant_type"])
		return
	}
	resolved, ok := p.oauth2Fields(prm, label)
	if !ok {
		return
	}
	ac := vault.AuthClient{
		Type: vault.ClientOAuth2, Grant: g, ClientID: resolved["clientId"], RedirectURI: resolved["redirect_uri"],
		Endpoints: vault.Endpoints{Token: resolved["accessTokenUrl"], Authorization: resolved["authUrl"]},
		Scopes:    strings.Fields(resolved["scope"]), Audience: resolved["audience"], Resource: resolved["resource"],
	}
	ac.AllowDeprecated = g.Deprecated()
	if g.Deprecated() {
		p.im.note(NoteWarning, label, "oauth2 grant %s is deprecated (RFC 9700); the auth client opts into it explicitly", g)
	}
	if ac.AuthMethod, ok = p.oauth2AuthMethod(prm, resolved["clientSecret"], g, label); !ok {
		return
	}
	var creds *vault.ClientCredentials
	if resolved["clientSecret"] != "" && ac.AuthMethod != vault.AuthNone {
		creds = &vault.ClientCredentials{ClientSecret: resolved["clientSecret"]}
	}
	key := "oauth2\x00" + ac.ClientID + "\x00" + ac.Endpoints.Token + "\x00" + ac.Endpoints.Authorization + "\x00" + string(g)
	name, seen := p.im.credByValue[key]
	if !seen {
		if name, ok = p.oauth2Client(ac, creds, prm, resolved["scope"], key, label, defaultName); !ok {
			return
		}
	}
	r.Auth = name
	if t, ok := p.im.credByValue[key+"\x00token"]; ok {
		r.Auth = t
	}
	switch prm["addTokenTo"] {
	case "queryParams":
		r.Placement = vault.PlaceQuery
	}
}

// oauth2Fields fills in the oauth2 block's client settings from the file's
// variables; false (with a note) when one uses a variable it does not define.
func (p *pmParser) oauth2Fields(prm map[string]string, label string) (map[string]string, bool) {
	resolved := map[string]string{}
	for _, k := range []string{"accessTokenUrl", "authUrl", "clientId", "clientSecret", "scope", "redirect_uri", "audience", "resource"} {
		v, ok := p.resolve(prm[k])
		if !ok {
			p.im.note(NoteSkipped, label, "oauth2 %s uses variables the file does not define; set up the auth client in authdeck", k)
			return nil, false
		}
		resolved[k] = strings.TrimSpace(v)
	}
	return resolved, true
}

// oauth2AuthMethod works out the client authentication method: Postman's
// "body" or "header" (its default when not stated), none without a client
// secret, and no method at all for the implicit grant. False (with a note)
// when it cannot be imported.
func (p *pmParser) oauth2AuthMethod(prm map[string]string, secret string, g vault.Grant, label string) (vault.AuthMethod, bool) {
	var m vault.AuthMethod
	switch prm["client_authentication"] {
	case "body":
		m = vault.AuthClientSecretPost
	case "header":
		m = vault.AuthClientSecretBasic
	case "":
		m = vault.AuthClientSecretBasic
		if secret == "" {
			m = vault.AuthNone
		}
		p.im.note(NoteWarning, label, "oauth2 client authentication not stated; using Postman's default (%s)", m)
	default:
		p.im.note(NoteSkipped, label, "oauth2 client authentication %q is not supported", prm["client_authentication"])
		return "", false
	}
	if m != vault.AuthNone && secret == "" {
		m = vault.AuthNone
	}
	if m == vault.AuthNone && g == vault.GrantClientCredentials {
		p.im.note(NoteSkipped, label, "oauth2 client credentials without a client secret")
		return "", false
	}
	if g == vault.GrantImplicit {
		m = ""
	}
	return m, true
}

// oauth2Client adds the auth client (and the access token the block holds,
// as a token secret linked to it) to the batch under key; false (with a
// note) when the client is not valid.
func (p *pmParser) oauth2Client(ac vault.AuthClient, creds *vault.ClientCredentials, prm map[string]string, scope, key, label, defaultName string) (string, bool) {
	base := prm["tokenName"]
	if base == "" {
		base = defaultName
	}
	ac.Name = itemName(p.im.secrets, base)
	ac.Env = p.im.env
	if err := ac.Validate(); err != nil {
		p.im.note(NoteSkipped, label, "oauth2 auth client not created: %v", err)
		return "", false
	}
	c := vault.ClientCredentials{}
	if creds != nil {
		c = *creds
	}
	if err := ac.ValidateCredentials(c); err != nil {
		p.im.note(NoteSkipped, label, "oauth2 auth client not created: %v", err)
		return "", false
	}
	name := ac.Name
	p.im.secrets[name] = true
	p.im.credByValue[key] = name
	p.im.batch.Clients = append(p.im.batch.Clients, vault.ClientItem{Client: ac, Creds: creds})
	msg := "auth client (" + string(ac.Grant) + ")"
	if creds != nil {
		msg += "; its client secret goes to the vault"
	}
	p.im.note(NoteCreated, fmt.Sprintf("auth client %q", name), "%s", msg)
	if tok := strings.TrimSpace(prm["accessToken"]); tok != "" && !strings.Contains(tok, "{{") {
		sname := p.im.addCredential(name+" token", vault.Secret{Type: vault.TypeOAuthToken, AuthClient: name}, vault.SecretValue{AccessToken: tok, AuthClientID: name, Scope: scope}, label+" (oauth2 access token)")
		p.im.credByValue[key+"\x00token"] = sname
	}
	return name, true
}

// oauth1Fields fills in the oauth1 block's settings from the file's
// variables (secret ones too); false (with a note) when one uses a
// variable it does not define. The realm and private key keep their spaces.
func (p *pmParser) oauth1Fields(prm map[string]string, label string) (map[string]string, bool) {
	resolved := map[string]string{}
	for _, k := range []string{"consumerKey", "consumerSecret", "token", "tokenSecret", "signatureMethod", "realm", "privateKey", "version"} {
		v, ok := p.resolveWithSecrets(prm[k])
		if !ok {
			p.im.note(NoteSkipped, label, "oauth1 %s uses variables the file does not define; define them and import again, or set up the auth client in authdeck", k)
			return nil, false
		}
		if k == "realm" || k == "privateKey" {
			resolved[k] = v
			continue
		}
		resolved[k] = strings.TrimSpace(v)
	}
	return resolved, true
}

// oauth1NotImported says why an oauth1 block is not imported, or "": one
// Postman sends unsigned, or one without a token.
func oauth1NotImported(resolved map[string]string, rsa bool) string {
	switch {
	case resolved["consumerKey"] == "":
		return "oauth1 auth without a consumer key: Postman sends the request unsigned, and so does authdeck"
	case !rsa && resolved["consumerSecret"] == "":
		return "oauth1 auth without a consumer secret: Postman sends the request unsigned, and so does authdeck"
	case resolved["token"] == "":
		return "oauth1 auth without a token (two-legged OAuth 1.0a) is not imported: an OAuth 1.0a auth client without a flow signs with stored token credentials; set the request's credential up in authdeck"
	}
	return ""
}

// oauth2Token keeps the access token of an oauth2 block that names no
// client: a literal goes to the vault as an API key credential, a
// {{variable}} stays a template.
func (p *pmParser) oauth2Token(r *vault.Request, prm map[string]string, label, defaultName string) {
	tok := strings.TrimSpace(prm["accessToken"])
	if tok == "" {
		p.im.note(NoteSkipped, label, "oauth2 auth without a client or a token")
		return
	}
	prefix := strings.TrimSpace(prm["headerPrefix"])
	if prefix == "" {
		prefix = "Bearer"
	}
	query := prm["addTokenTo"] == "queryParams"
	if strings.Contains(tok, "{{") {
		for _, n := range templateVars(tok) {
			p.authVars[n] = true
		}
		if query {
			sep := "?"
			if strings.Contains(r.URL, "?") {
				sep = "&"
			}
			r.URL += sep + "access_token=" + tok
		} else {
			r.Headers = setHeader(r.Headers, "Authorization", prefix+" "+tok)
		}
		return
	}
	s, v := vault.Secret{Type: vault.TypeAPIKey, HeaderName: "Authorization"}, vault.SecretValue{Key: prefix + " " + tok, HeaderName: "Authorization"}
	if query {
		s, v = vault.Secret{Type: vault.TypeAPIKey, QueryParam: "access_token"}, vault.SecretValue{Key: tok}
	}
	r.Auth = p.im.addCredential(defaultName+" token", s, v, label+" (oauth2 access token)")
}

// scheme keeps a basic (from variables), digest or awsv4 auth block as an
// authentication the sender computes from templates. Secret parts
// (password, secret key, session token) become secret variables — a
// literal moves to the vault, a {{variable}} is marked secret — so the
// catalog holds references only.
func (p *pmParser) scheme(r *vault.Request, typ string, prm map[string]string, label string) {
	s := &vault.AuthScheme{Type: typ}
	ok := true
	switch typ {
	case vault.SchemeBasic, vault.SchemeDigest:
		ok = p.passwordScheme(r, s, prm, label)
	case vault.SchemeAWSv4:
		ok = p.awsScheme(r, s, prm, label)
	}
	if !ok {
		return
	}
	r.Auth = ""
	r.Scheme = s
}

// schemeSecret is the reference a scheme's secret part (field) is kept as:
// a {{variable}} as it is (marked secret), a literal moved to a secret
// variable. False (with a note) for text mixed with {{variables}}.
func (p *pmParser) schemeSecret(r *vault.Request, typ, field, v, label string) (string, bool) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", true
	case vault.IsReference(v):
		for _, n := range templateVars(v) {
			p.authVars[n] = true
		}
		return v, true
	case strings.Contains(v, "{{"):
		p.im.note(NoteSkipped, label, "%s auth: the %s mixes text and {{variables}}; put it in one secret variable and refer to it", typ, field)
		return "", false
	}
	return p.im.secretVar(r.Name+" "+field, v, label+" ("+typ+" auth)"), true
}

// passwordScheme reads a basic or digest block into s; false (with a
// note) when it cannot be imported.
func (p *pmParser) passwordScheme(r *vault.Request, s *vault.AuthScheme, prm map[string]string, label string) bool {
	typ := s.Type
	s.Username = strings.TrimSpace(prm["username"])
	if s.Username == "" {
		p.im.note(NoteSkipped, label, "%s auth without a username", typ)
		return false
	}
	var ok bool
	if s.Password, ok = p.schemeSecret(r, typ, "password", prm["password"], label); !ok {
		return false
	}
	if typ == vault.SchemeDigest && (prm["algorithm"] != "" || prm["qop"] != "") {
		p.im.note(NoteWarning, label, "digest auth: the algorithm, qop and nonce come from the server's challenge; the values saved in the file are not used")
	}
	return true
}

// awsScheme reads an awsv4 block into s; false (with a note) when it
// cannot be imported.
func (p *pmParser) awsScheme(r *vault.Request, s *vault.AuthScheme, prm map[string]string, label string) bool {
	typ := s.Type
	s.AccessKey, s.Region, s.Service = strings.TrimSpace(prm["accessKey"]), strings.TrimSpace(prm["region"]), strings.TrimSpace(prm["service"])
	if s.AccessKey == "" || strings.TrimSpace(prm["secretKey"]) == "" {
		p.im.note(NoteSkipped, label, "awsv4 auth without an access key and a secret key")
		return false
	}
	var ok bool
	if s.SecretKey, ok = p.schemeSecret(r, typ, "secret key", prm["secretKey"], label); !ok {
		return false
	}
	if s.SessionToken, ok = p.schemeSecret(r, typ, "session token", prm["sessionToken"], label); !ok {
		return false
	}
	if s.Service == "" {
		p.im.note(NoteWarning, label, "awsv4 auth names no service; set the request's service before sending")
	}
	return true
}

// oauth1 turns an oauth1 auth block into an OAuth 1.0a auth client
// without a flow (a Postman block names no flow URL) that signs with the
// block's token credentials, stored as an OA1_TOKEN secret linked to it:
// the consumer secret (or RSA private key) goes to the vault with the
// client, the token and its secret with the token secret. The block's
// signature method, realm, body hash and placement (the Authorization
// header, or the URL query — the form body for a POST or PUT with one —
// as Postman puts them) are kept.
func (p *pmParser) oauth1(r *vault.Request, prm map[string]string, label, defaultName string) {
	p.useVars(prm, "consumerSecret", "token", "tokenSecret", "privateKey")
	resolved, ok := p.oauth1Fields(prm, label)
	if !ok {
		return
	}
	method := strings.ToUpper(resolved["signatureMethod"])
	if method == "" {
		method = "HMAC-SHA1" // Postman's default
	}
	rsa := strings.HasPrefix(method, "RSA-")
	if why := oauth1NotImported(resolved, rsa); why != "" {
		p.im.note(NoteSkipped, label, "%s", why)
		return
	}
	if n, t := strings.TrimSpace(prm["nonce"]), strings.TrimSpace(prm["timestamp"]); n != "" || t != "" {
		p.im.note(NoteWarning, label, "oauth1: the block's fixed nonce and timestamp are not reused; each request gets a fresh nonce and the current time (a server refuses a nonce it has seen)")
	}
	if v := resolved["version"]; v != "" && v != "1.0" {
		p.im.note(NoteWarning, label, "oauth1 version %q: authdeck signs OAuth 1.0a and sends oauth_version=1.0", v)
	}
	ac := vault.AuthClient{
		Type: vault.ClientOAuth1, ClientID: resolved["consumerKey"], SignatureMethod: method,
		Realm: resolved["realm"], BodyHash: prm["includeBodyHash"] == "true",
	}
	creds := vault.ClientCredentials{ClientSecret: resolved["consumerSecret"]}
	if rsa {
		creds = vault.ClientCredentials{PrivateKey: strings.TrimSpace(resolved["privateKey"])}
	}
	sum := sha256.Sum256([]byte(creds.ClientSecret + "\x00" + creds.PrivateKey))
	key := "oauth1\x00" + ac.ClientID + "\x00" + method + "\x00" + ac.Realm + "\x00" + fmt.Sprint(ac.BodyHash) + "\x00" + string(sum[:])
	name, seen := p.im.credByValue[key]
	if !seen {
		ac.Name = itemName(p.im.secrets, defaultName)
		ac.Env = p.im.env
		if err := ac.Validate(); err != nil {
			p.im.note(NoteSkipped, label, "oauth1 auth client not created: %v", err)
			return
		}
		if err := ac.ValidateCredentials(creds); err != nil {
			p.im.note(NoteSkipped, label, "oauth1 auth client not created: %v", err)
			return
		}
		name = ac.Name
		p.im.secrets[name] = true
		p.im.credByValue[key] = name
		p.im.batch.Clients = append(p.im.batch.Clients, vault.ClientItem{Client: ac, Creds: &creds})
		what := "consumer secret"
		if rsa {
			what = "RSA private key"
		}
		p.im.note(NoteCreated, fmt.Sprintf("auth client %q", name), "OAuth 1.0a auth client (%s, no flow: it signs with the token credentials imported with it); its %s goes to the vault", method, what)
	}
	r.Auth = p.im.addCredential(name+" token", vault.Secret{Type: vault.TypeOAuth1Token, AuthClient: name},
		vault.SecretValue{Token: resolved["token"], TokenSecret: resolved["tokenSecret"]}, label+" (oauth1 token credentials)")
	r.Scheme = nil
	switch {
	case prm["addParamsToHeader"] == "false" && (r.Method == http.MethodPost || r.Method == http.MethodPut) && isFormRequest(r):
		r.Placement = vault.PlaceBody
	case prm["addParamsToHeader"] == "false":
		r.Placement = vault.PlaceQuery
	default:
		r.Placement = ""
	}
}

// isFormRequest reports whether r's body is an
// application/x-www-form-urlencoded form.
func isFormRequest(r *vault.Request) bool {
	for _, h := range r.Headers {
		if !h.Disabled && strings.EqualFold(h.Name, "Content-Type") {
			mt, _, err := mime.ParseMediaType(h.Value)
			return err == nil && mt == "application/x-www-form-urlencoded"
		}
	}
	return false
}

// resolveWithSecrets renders s with the file's variables, secret ones
// included: an auth client's stored values are whole, not templates.
func (p *pmParser) resolveWithSecrets(s string) (string, bool) {
	t, err := vault.ParseTemplate(s)
	if err != nil {
		return s, false
	}
	out, err := t.Render(func(n string) (string, bool) {
		if v, ok := p.im.defined[n]; ok {
			return v, true
		}
		v, ok := p.im.batch.SecretVars[p.im.env][n]
		return v, ok
	}, false)
	return out, err == nil
}
