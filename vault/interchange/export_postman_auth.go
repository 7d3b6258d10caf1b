package interchange

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// pmxAuth is a Postman auth block: its type and the type's parameters.
type pmxAuth struct {
	Type   string
	Params []pmxAuthParam
}

type pmxAuthParam struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	Type  string `json:"type"`
}

// MarshalJSON writes {"type": T, T: [{key, value, type}…]}, as v2.1 does.
func (a pmxAuth) MarshalJSON() ([]byte, error) {
	params := a.Params
	if params == nil {
		params = []pmxAuthParam{}
	}
	t, err := json.Marshal(a.Type)
	if err != nil {
		return nil, err
	}
	p, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	return []byte(`{"type":` + string(t) + `,` + string(t) + `:` + string(p) + `}`), nil
}

func (a *pmxAuth) set(key string, value any) {
	typ := "string"
	if _, ok := value.(bool); ok {
		typ = "boolean"
	}
	a.Params = append(a.Params, pmxAuthParam{Key: key, Value: value, Type: typ})
}

// auth is the Postman auth block of a request's credential or scheme; nil
// (Postman's "inherit", which the collection leaves unset: no auth) when it
// has none or none Postman can express, which a note then says.
func (x *pmExporter) auth(r vault.Request, label string) *pmxAuth {
	if r.Scheme != nil {
		return schemeAuth(r.Scheme)
	}
	if r.Auth == "" {
		return nil
	}
	cred, err := vault.Resolve(x.cat, x.env.Name, r.Auth, vault.ForRequest)
	if err != nil {
		x.note(NoteSkipped, label, "credential %q not exported: %v", r.Auth, err)
		return nil
	}
	placement := r.Placement
	if placement == "" && cred.Secret != nil {
		placement = cred.Secret.Placement
	}
	switch cred.Protocol {
	case vault.ProtocolOAuth2:
		return x.oauth2Auth(cred, placement, label)
	case vault.ProtocolOAuth1:
		return x.oauth1Auth(cred, placement, label)
	case vault.ProtocolSecret:
		return x.secretAuth(cred.Secret, label)
	case vault.ProtocolSessionAuth:
	}
	x.noteOnce("noequiv\x00"+r.Auth, NoteSkipped, label, "credential %q (%s) has no Postman equivalent; its requests are exported without auth", r.Auth, cred.Protocol)
	return nil
}

// credVar is the {{variable}} standing for one secret field of a
// credential: named after both, unique among the environment's variables,
// and noted once as needed.
func (x *pmExporter) credVar(cred, field, what string) string {
	key := cred + "\x00" + field
	if name, ok := x.credVars[key]; ok {
		return "{{" + name + "}}"
	}
	name := unique(x.taken, varName(cred+" "+field), "_")
	x.taken[name] = true
	x.credVars[key] = name
	x.needed = append(x.needed, neededVar{name, what})
	return "{{" + name + "}}"
}

// secretAuth writes a secret applied as stored.
func (x *pmExporter) secretAuth(s *vault.Secret, label string) *pmxAuth {
	a := &pmxAuth{}
	switch s.Type {
	case vault.TypeAPIKey:
		a.Type = "apikey"
		value := x.credVar(s.Name, "key", fmt.Sprintf("the key of secret %q (the whole value sent)", s.Name))
		if s.QueryParam != "" {
			a.set("key", s.QueryParam)
			a.set("value", value)
			a.set("in", "query")
			return a
		}
		header := s.HeaderName
		if header == "" {
			header = "Authorization"
		}
		a.set("key", header)
		a.set("value", value)
		a.set("in", "header")
		return a
	case vault.TypeSimple:
		a.Type = "basic"
		a.set("username", x.credVar(s.Name, "username", fmt.Sprintf("the username of secret %q", s.Name)))
		a.set("password", x.credVar(s.Name, "password", fmt.Sprintf("the passphrase of secret %q", s.Name)))
		return a
	case vault.TypeOAuthToken:
		return x.bearer(s.Name, label)
	case vault.TypeSessionAuth, vault.TypePrivateKey, vault.TypeClientCert, vault.TypeOAuth1Token:
		// no Postman auth block: below
	}
	x.noteOnce("noequiv\x00"+s.Name, NoteSkipped, label, "secret %q (%s) has no Postman auth equivalent (Postman keeps client certificates in its settings); its requests are exported without auth", s.Name, s.Type)
	return nil
}

// bearer sends a token secret's access token as it is.
func (x *pmExporter) bearer(secret, label string) *pmxAuth {
	a := &pmxAuth{Type: "bearer"}
	a.set("token", x.credVar(secret, "access token", fmt.Sprintf("the access token of %q (authdeck token %s)", secret, secret)))
	return a
}

// postmanGrants are the OAuth 2.0 grants Postman's oauth2 helper runs.
var postmanGrants = map[vault.Grant]string{
	vault.GrantClientCredentials: "client_credentials",
	vault.GrantAuthorizationCode: "authorization_code_with_pkce",
	vault.GrantPassword:          "password_credentials",
	vault.GrantImplicit:          "implicit",
}

// oauth2Auth writes an OAuth 2.0 auth client as Postman's oauth2 helper,
// which gets tokens itself; one Postman cannot run (another grant or
// client authentication, endpoints only found by discovery) is written as
// a bearer token from a variable instead.
func (x *pmExporter) oauth2Auth(cred *vault.Credential, placement vault.Placement, label string) *pmxAuth {
	c := cred.Client
	if c == nil {
		return x.bearer(cred.TokenSecret, label)
	}
	why := postmanOAuth2Gap(c)
	if why == "" && placement == vault.PlaceBody {
		why = "it puts the token in the form body, which Postman cannot"
	}
	if why != "" {
		x.noteOnce("oauth2\x00"+c.Name, NoteWarning, label, "auth client %q: %s; the request sends a bearer token from a variable instead", c.Name, why)
		return x.bearer(cred.TokenSecret, label)
	}
	a := &pmxAuth{Type: "oauth2"}
	a.set("tokenName", c.Name)
	a.set("grant_type", postmanGrants[c.Grant])
	if c.Grant == vault.GrantAuthorizationCode {
		a.set("challengeAlgorithm", "S256")
	}
	if c.Endpoints.Authorization != "" && c.Grant != vault.GrantClientCredentials && c.Grant != vault.GrantPassword {
		a.set("authUrl", c.Endpoints.Authorization)
	}
	if c.Endpoints.Token != "" && c.Grant != vault.GrantImplicit {
		a.set("accessTokenUrl", c.Endpoints.Token)
	}
	a.set("clientId", c.ClientID)
	x.oauth2ClientAuth(a, c)
	oauth2Optional(a, c)
	if placement == vault.PlaceQuery {
		a.set("addTokenTo", "queryParams")
	} else {
		a.set("addTokenTo", "header")
	}
	return a
}

// postmanOAuth2Gap says why Postman's oauth2 helper cannot stand for c, or "".
func postmanOAuth2Gap(c *vault.AuthClient) string {
	switch {
	case postmanGrants[c.Grant] == "":
		return fmt.Sprintf("Postman has no %s grant", c.Grant)
	case c.AuthMethod != "" && c.AuthMethod != vault.AuthClientSecretBasic && c.AuthMethod != vault.AuthClientSecretPost && c.AuthMethod != vault.AuthNone:
		return fmt.Sprintf("Postman has no %s client authentication", c.AuthMethod)
	case c.DPoP:
		return "its tokens are DPoP-bound, which Postman cannot prove"
	case c.Endpoints.Token == "" && c.Grant != vault.GrantImplicit,
		c.Endpoints.Authorization == "" && (c.Grant == vault.GrantAuthorizationCode || c.Grant == vault.GrantImplicit):
		return "its endpoints come from discovery, which Postman does not do (run `authdeck client show` and set them)"
	}
	return ""
}

// oauth2ClientAuth writes the client authentication: the secret as a variable.
func (x *pmExporter) oauth2ClientAuth(a *pmxAuth, c *vault.AuthClient) {
	switch c.AuthMethod {
	case vault.AuthClientSecretPost:
		a.set("client_authentication", "body")
	case vault.AuthClientSecretBasic:
		a.set("client_authentication", "header")
	default:
		// A public client (or the implicit grant): no secret to send.
		a.set("client_authentication", "body")
		return
	}
	a.set("clientSecret", x.credVar(c.Name, "client secret", fmt.Sprintf("the client secret of auth client %q", c.Name)))
}

// oauth2Optional writes the scope, redirect URI, audience, resource and
// extra parameters the client sets.
func oauth2Optional(a *pmxAuth, c *vault.AuthClient) {
	if len(c.Scopes) > 0 {
		a.set("scope", strings.Join(c.Scopes, " "))
	}
	if c.RedirectURI != "" {
		a.set("redirect_uri", c.RedirectURI)
	}
	if c.Audience != "" {
		a.set("audience", c.Audience)
	}
	if c.Resource != "" {
		a.set("resource", c.Resource)
	}
	if p := postmanParams(c.AuthParams, "request_url"); len(p) > 0 {
		a.set("authRequestParams", p)
	}
	if p := postmanParams(c.TokenParams, "request_body"); len(p) > 0 {
		a.set("tokenRequestParams", p)
	}
}

type pmxExtraParam struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Enabled bool   `json:"enabled"`
	SendAs  string `json:"send_as"`
}

// postmanParams writes extra endpoint parameters as Postman lists them.
func postmanParams(ps []vault.Param, sendAs string) []pmxExtraParam {
	var out []pmxExtraParam
	for _, p := range ps {
		out = append(out, pmxExtraParam{Key: p.Key, Value: p.Value, Enabled: true, SendAs: sendAs})
	}
	return out
}

// oauth1Auth writes an OAuth 1.0a client and its token credentials as
// Postman's oauth1 helper, every secret part a variable.
func (x *pmExporter) oauth1Auth(cred *vault.Credential, placement vault.Placement, label string) *pmxAuth {
	c := cred.Client
	if c == nil {
		x.noteOnce("oauth1\x00"+cred.Name, NoteSkipped, label, "OAuth 1.0a secret %q names no auth client; its requests are exported without auth", cred.Name)
		return nil
	}
	tok := cred.TokenSecret
	a := &pmxAuth{Type: "oauth1"}
	method := c.SignatureMethod
	if method == "" {
		method = "HMAC-SHA1"
	}
	a.set("signatureMethod", method)
	a.set("consumerKey", c.ClientID)
	if strings.HasPrefix(strings.ToUpper(method), "RSA-") {
		a.set("privateKey", x.credVar(c.Name, "private key", fmt.Sprintf("the RSA private key (PEM) of auth client %q", c.Name)))
	} else {
		a.set("consumerSecret", x.credVar(c.Name, "consumer secret", fmt.Sprintf("the consumer secret of auth client %q", c.Name)))
	}
	a.set("token", x.credVar(tok, "token", fmt.Sprintf("the token of OAuth 1.0a secret %q", tok)))
	a.set("tokenSecret", x.credVar(tok, "token secret", fmt.Sprintf("the token secret of OAuth 1.0a secret %q", tok)))
	if c.Realm != "" {
		a.set("realm", c.Realm)
	}
	a.set("version", "1.0")
	a.set("includeBodyHash", c.BodyHash)
	a.set("addParamsToHeader", placement != vault.PlaceQuery && placement != vault.PlaceBody)
	a.set("addEmptyParamsToSign", false)
	return a
}

// schemeAuth writes a request's computed scheme; its parts are already
// literals (user names, regions) or {{variables}}.
func schemeAuth(s *vault.AuthScheme) *pmxAuth {
	a := &pmxAuth{Type: s.Type}
	switch s.Type {
	case vault.SchemeBasic, vault.SchemeDigest:
		a.set("username", s.Username)
		a.set("password", s.Password)
	case vault.SchemeAWSv4:
		a.set("accessKey", s.AccessKey)
		a.set("secretKey", s.SecretKey)
		if s.SessionToken != "" {
			a.set("sessionToken", s.SessionToken)
		}
		a.set("region", s.Region)
		a.set("service", s.Service)
	}
	return a
}
