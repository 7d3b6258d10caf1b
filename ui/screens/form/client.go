package form

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/oauth/clientcreds"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
)

// clientSpec creates or edits an auth client.
type clientSpec struct {
	env  string
	orig *vault.AuthClient

	name, description, typ                                    string
	issuer, authURL, tokenURL, deviceURL, introURL, revokeURL string
	jwksURL, requestTokenURL, userinfoURL, refreshSkew        string
	clientID, grant, method                                   string
	allowDeprecated, insecure                                 bool
	secret                                                    string
	keySource, keyPath, certPath, certKeyPath, signingAlg     string
	scopes, audience, resource, redirectURI, prompt           string
	tokenMethod, authParams, tokenParams                      string
	expires, secretExpires, tenant, hosts                     string
	sessURL, sessAuthType, sessFields, tokenPath, expPath     string
	signatureMethod, callback                                 string
	// DPoP, pushed and signed authorization requests; token exchange.
	dpop, par, requestObject                              bool
	subject, subjectType, actor, actorType, requestedType string
	// OAuth 1.0a: where the RSA key comes from (paste, file, keep), the
	// pasted PEM or its file, and the callback mode (loopback, oob, a
	// registered loopback URL).
	oa1KeySource, oa1KeyPEM, oa1KeyPath, callbackMode string
	// OAuth 1.0a: the realm sent in the Authorization header, and whether
	// bodies that are not forms are signed through oauth_body_hash (set by
	// an import; an edit keeps them).
	realm    string
	bodyHash bool
}

// NewClient returns the form creating an auth client in env.
func NewClient(c *common.Common, env string) *Model {
	return newModel(c, newClientSpec(env))
}

// newClientSpec is a new OAuth 2.0 client's draft with the defaults of
// every protocol filled in, so switching the protocol shows sensible values.
func newClientSpec(env string) *clientSpec {
	return &clientSpec{
		env: env, typ: string(vault.ClientOAuth2), grant: string(vault.GrantClientCredentials),
		method: string(vault.AuthClientSecretBasic), keySource: sourceES256, sessAuthType: string(vault.SessionFormAuth),
		signatureMethod: oauth1.HMACSHA256, oa1KeySource: sourcePaste, callbackMode: callbackLoopback,
	}
}

// EditClient returns the form editing an auth client. Stored credentials are
// kept unless a new secret, key or certificate is given.
func EditClient(c *common.Common, ac vault.AuthClient) *Model {
	s := &clientSpec{env: ac.Env, orig: &ac, keySource: sourceKeep}
	s.name, s.description, s.typ = ac.Name, ac.Description, string(ac.Type)
	s.issuer = ac.Issuer
	e := ac.Endpoints
	s.authURL, s.tokenURL, s.deviceURL, s.introURL, s.revokeURL, s.jwksURL, s.requestTokenURL = e.Authorization, e.Token, e.Device, e.Introspection, e.Revocation, e.JWKS, e.RequestToken
	s.userinfoURL = e.Userinfo
	if ac.RefreshSkew != 0 {
		s.refreshSkew = ac.RefreshSkew.Std().String()
	}
	s.clientID, s.grant, s.method = ac.ClientID, string(ac.Grant), string(ac.AuthMethod)
	s.allowDeprecated, s.insecure = ac.AllowDeprecated, ac.InsecureSkipVerify
	s.signingAlg = ac.SigningAlg
	s.scopes, s.audience, s.resource, s.redirectURI, s.prompt = strings.Join(ac.Scopes, " "), ac.Audience, ac.Resource, ac.RedirectURI, ac.Prompt
	s.tokenMethod, s.authParams, s.tokenParams = ac.TokenMethod, joinParams(ac.AuthParams), joinParams(ac.TokenParams)
	s.expires, s.secretExpires, s.tenant, s.hosts = formatTime(ac.Expiration), formatTime(ac.SecretExpiration), ac.Tenant, strings.Join(ac.AllowedHosts, ", ")
	if t := ac.SessionAuth; t != nil {
		s.sessURL, s.sessAuthType, s.sessFields, s.tokenPath, s.expPath = t.URL, string(t.AuthType), joinParams(t.RequestFields), t.TokenPath, t.ExpirationPath
	} else {
		s.sessAuthType = string(vault.SessionFormAuth)
	}
	s.dpop, s.par, s.requestObject = ac.DPoP, ac.PAR, ac.RequestObject
	if x := ac.Exchange; x != nil {
		s.subject, s.subjectType, s.actor, s.actorType, s.requestedType = x.Subject, x.SubjectTokenType, x.Actor, x.ActorTokenType, x.RequestedTokenType
	}
	s.signatureMethod, s.callback = ac.SignatureMethod, ac.Callback
	s.realm, s.bodyHash = ac.Realm, ac.BodyHash
	if s.signatureMethod == "" {
		s.signatureMethod = oauth1.HMACSHA256
	}
	s.oa1KeySource, s.callbackMode = sourcePaste, callbackModeOf(ac.Callback)
	if s.callbackMode != callbackCustom {
		s.callback = "" // the registered-URL field starts empty when chosen
	}
	if ac.Type == vault.ClientOAuth1 && oauth1.IsRSA(ac.SignatureMethod) && ac.HasSecret {
		s.oa1KeySource = sourceKeep
	}
	return newModel(c, s)
}

func (s *clientSpec) title() string {
	if s.orig != nil {
		return "Edit auth client " + s.orig.Name
	}
	return "New auth client in " + s.env
}

func (s *clientSpec) load(*common.Common) tea.Cmd { return nil }

func (s *clientSpec) loaded(tea.Msg) (bool, error) { return false, nil }

func (s *clientSpec) oauth2() bool  { return s.typ == string(vault.ClientOAuth2) }
func (s *clientSpec) session() bool { return s.typ == string(vault.ClientSessionAuth) }
func (s *clientSpec) oauth1() bool  { return s.typ == string(vault.ClientOAuth1) }

// draft builds the auth client from the fields.
func (s *clientSpec) draft() (vault.AuthClient, error) {
	var ac vault.AuthClient
	if s.orig != nil {
		ac = *s.orig
	}
	ac.Name, ac.Env, ac.Description, ac.Type, ac.Tenant = s.name, s.env, s.description, vault.ClientType(s.typ), s.tenant
	ac.AllowedHosts = splitList(s.hosts)
	var err error
	if ac.Expiration, err = parseTime("expiration", s.expires); err != nil {
		return ac, err
	}
	if ac.SecretExpiration, err = parseTime("secretExpiration", s.secretExpires); err != nil {
		return ac, err
	}
	trim := strings.TrimSpace
	ac.Issuer = trim(s.issuer)
	ac.Endpoints = vault.Endpoints{
		Authorization: trim(s.authURL), Token: trim(s.tokenURL), Device: trim(s.deviceURL),
		Introspection: trim(s.introURL), Revocation: trim(s.revokeURL), JWKS: trim(s.jwksURL), RequestToken: trim(s.requestTokenURL),
		Userinfo: trim(s.userinfoURL),
	}
	ac.ClientID = trim(s.clientID)
	ac.SessionAuth, ac.Grant, ac.AuthMethod = nil, "", ""
	switch {
	case s.session():
		err = s.draftSession(&ac)
	case s.oauth1():
		err = s.draftOAuth1(&ac)
	default:
		err = s.draftOAuth2(&ac)
	}
	return ac, err
}

// draftSession fills a session-auth client: its token request template
// instead of OAuth endpoints.
func (s *clientSpec) draftSession(ac *vault.AuthClient) error {
	fields, err := parseParams("endpoints.auth.requestFields", s.sessFields)
	if err != nil {
		return err
	}
	trim := strings.TrimSpace
	ac.Endpoints, ac.ClientID, ac.Issuer = vault.Endpoints{}, "", ""
	ac.SessionAuth = &vault.SessionTemplate{
		URL: trim(s.sessURL), AuthType: vault.SessionAuthType(s.sessAuthType),
		RequestFields: fields, TokenPath: trim(s.tokenPath), ExpirationPath: trim(s.expPath),
	}
	return nil
}

// draftOAuth1 fills an OAuth 1.0a client's signing and callback settings.
func (s *clientSpec) draftOAuth1(ac *vault.AuthClient) error {
	ac.SignatureMethod, ac.TokenMethod = s.signatureMethod, s.tokenMethod
	ac.Realm, ac.BodyHash = s.realm, s.bodyHash
	ac.Callback = s.callbackMode
	if s.callbackMode == callbackCustom {
		ac.Callback = strings.TrimSpace(s.callback)
		if err := checkCallback(ac.Name, ac.Callback); err != nil {
			return err
		}
	}
	if !oauth1.IsRSA(ac.SignatureMethod) {
		ac.KeyID = ""
	}
	return nil
}

// draftOAuth2 fills an OAuth 2.0 client: grant, client authentication,
// scopes and the options of the modern extensions.
func (s *clientSpec) draftOAuth2(ac *vault.AuthClient) error {
	trim := strings.TrimSpace
	ac.Grant, ac.AuthMethod = vault.Grant(s.grant), vault.AuthMethod(s.method)
	if ac.Grant == vault.GrantImplicit {
		ac.AuthMethod = ""
	}
	ac.AllowDeprecated = s.allowDeprecated && ac.Grant.Deprecated()
	ac.InsecureSkipVerify = s.insecure
	ac.Scopes = splitList(s.scopes)
	ac.Audience, ac.Resource, ac.RedirectURI, ac.Prompt = trim(s.audience), trim(s.resource), trim(s.redirectURI), trim(s.prompt)
	ac.TokenMethod = s.tokenMethod
	skew, err := s.refreshSkewValue(ac.Name)
	if err != nil {
		return err
	}
	ac.RefreshSkew = skew
	ac.DPoP, ac.PAR, ac.RequestObject = s.dpop, s.par, s.requestObject
	if !ac.DPoP {
		ac.DPoPKeyID = ""
	}
	ac.Exchange = s.exchange(ac.Grant)
	ac.SigningAlg = s.assertionAlg(ac.AuthMethod)
	if ac.AuthParams, err = parseParams("authParams", s.authParams); err != nil {
		return err
	}
	ac.TokenParams, err = parseParams("tokenParams", s.tokenParams)
	return err
}

// refreshSkewValue reads the refresh skew field; empty is none.
func (s *clientSpec) refreshSkewValue(name string) (vault.Duration, error) {
	sk := strings.TrimSpace(s.refreshSkew)
	if sk == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(sk)
	if err != nil || d < 0 {
		return 0, &vault.ValidationError{Kind: "auth client", Name: name, Field: "refreshSkew", Msg: fmt.Sprintf("%q is not a duration (use 30s, 2m)", sk)}
	}
	return vault.Duration(d), nil
}

// exchange is the token-exchange settings of a token-exchange client, nil
// for any other grant or when none is filled in.
func (s *clientSpec) exchange(g vault.Grant) *vault.TokenExchange {
	if g != vault.GrantTokenExchange {
		return nil
	}
	trim := strings.TrimSpace
	x := vault.TokenExchange{Subject: trim(s.subject), SubjectTokenType: s.subjectType, Actor: trim(s.actor), ActorTokenType: s.actorType, RequestedTokenType: s.requestedType}
	if x == (vault.TokenExchange{}) {
		return nil
	}
	return &x
}

// assertionAlg is the signing algorithm of a private_key_jwt client: the
// generated key's, else the one chosen for a key file.
func (s *clientSpec) assertionAlg(m vault.AuthMethod) string {
	if m != vault.AuthPrivateKeyJWT {
		return ""
	}
	if s.keySource == sourceES256 || s.keySource == sourceRS256 {
		return s.keySource
	}
	return s.signingAlg
}

func (s *clientSpec) check() error {
	ac, err := s.draft()
	if err != nil {
		return err
	}
	return ac.Validate()
}

func (s *clientSpec) validator(set func(string), fields ...string) func(string) error {
	return func(v string) error {
		set(v)
		return fieldError(s.check(), fields...)
	}
}

func (s *clientSpec) urlInput(k, title, desc string, p *string, field string) *huh.Input {
	in := huh.NewInput().Key(k).Title(title).Value(p).Validate(s.validator(func(v string) { *p = v }, field))
	if desc != "" {
		in = in.Description(desc)
	}
	return in
}

func (s *clientSpec) groups(c *common.Common) []*huh.Group {
	grants := make([]huh.Option[string], 0, len(vault.Grants))
	for _, g := range vault.Grants {
		label := g.Label()
		if g.Deprecated() {
			label += " (deprecated)"
		}
		grants = append(grants, huh.NewOption(label, string(g)))
	}
	methods := make([]huh.Option[string], 0, len(vault.AuthMethods))
	for _, m := range vault.AuthMethods {
		methods = append(methods, huh.NewOption(string(m), string(m)))
	}
	keyOpts := []huh.Option[string]{
		huh.NewOption("generate an EC P-256 key (ES256)", sourceES256),
		huh.NewOption("generate an RSA 2048 key (RS256)", sourceRS256),
		huh.NewOption("read a PEM file", sourceFile),
	}
	if s.orig != nil {
		keep := "keep the stored credentials"
		if s.orig.AuthMethod == vault.AuthPrivateKeyJWT && s.orig.KeyID != "" {
			// The stored key is named by its key id, never shown (S-26).
			keep = "keep the stored key (key id " + s.orig.KeyID + ")"
		}
		keyOpts = append([]huh.Option[string]{huh.NewOption(keep, sourceKeep)}, keyOpts...)
	}
	secretDesc := "shown masked"
	if s.orig != nil && s.orig.HasSecret {
		secretDesc = "leave empty to keep the stored secret"
	}
	groups := []*huh.Group{
		huh.NewGroup(
			s.nameInput(c),
			huh.NewSelect[string]().Key("type").Title("Protocol").Options(
				huh.NewOption("OAuth 2.0 / OpenID Connect", string(vault.ClientOAuth2)),
				huh.NewOption("Session auth (templated token request)", string(vault.ClientSessionAuth)),
				huh.NewOption("OAuth 1.0a", string(vault.ClientOAuth1)),
			).Value(&s.typ),
			huh.NewInput().Key("description").Title("Description").Value(&s.description),
		),

		huh.NewGroup(
			s.urlInput("issuer", "Issuer", "discovery fills the endpoints you leave empty", &s.issuer, "issuer"),
			s.urlInput("tokenURL", "Token URL", "", &s.tokenURL, "endpoints.token"),
			s.urlInput("authURL", "Authorization URL", "", &s.authURL, "endpoints.auth"),
			s.urlInput("deviceURL", "Device authorization URL", "", &s.deviceURL, "endpoints.device"),
			s.urlInput("introURL", "Introspection URL", "", &s.introURL, "endpoints.introspection"),
			s.urlInput("revokeURL", "Revocation URL", "", &s.revokeURL, "endpoints.revocation"),
			s.urlInput("jwksURL", "JWKS URL", "", &s.jwksURL, "endpoints.jwks"),
			s.urlInput("userinfoURL", "Userinfo URL", "", &s.userinfoURL, "endpoints.userinfo"),
		).Title("Authorization server").WithHideFunc(func() bool { return !s.oauth2() }),

		huh.NewGroup(
			s.urlInput("sessURL", "Token request URL", "may use {{fields.NAME}}", &s.sessURL, "endpoints.auth.url"),
			huh.NewSelect[string]().Key("authType").Title("Body").Options(
				huh.NewOption(vault.SessionFormAuth.Label(), string(vault.SessionFormAuth)),
				huh.NewOption(vault.SessionJSONAuth.Label(), string(vault.SessionJSONAuth)),
			).Value(&s.sessAuthType),
			huh.NewText().Key("requestFields").Title("Request fields").Description("one name=value per line; values may use {{fields.NAME}}").Value(&s.sessFields).
				Validate(s.validator(func(v string) { s.sessFields = v }, "endpoints.auth.requestFields")),
			huh.NewInput().Key("tokenPath").Title("Token path").Placeholder("access_token").Value(&s.tokenPath).
				Validate(s.validator(func(v string) { s.tokenPath = v }, "tokenPath")),
			huh.NewInput().Key("expirationPath").Title("Expiry path").Placeholder("expires_in").Value(&s.expPath),
		).Title("Session auth").WithHideFunc(func() bool { return !s.session() }),

		huh.NewGroup(
			huh.NewInput().Key("clientID").Title("Client ID").Value(&s.clientID).Validate(s.validator(func(v string) { s.clientID = v }, "clientId")),
			huh.NewSelect[string]().Key("grant").Title("Grant").Options(grants...).Value(&s.grant),
			huh.NewConfirm().Key("allowDeprecated").Title("Enable this deprecated grant?").
				DescriptionFunc(func() string {
					if vault.Grant(s.grant).Deprecated() {
						return s.grant + " is deprecated (OAuth 2.0 Security BCP); it is only used when you enable it here"
					}
					return "only asked for password and implicit"
				}, &s.grant).
				Value(&s.allowDeprecated).Validate(func(v bool) error {
				s.allowDeprecated = v
				return fieldError(s.check(), "grant")
			}),
			huh.NewSelect[string]().Key("authMethod").Title("Client authentication").Description("always explicit, never guessed").Options(methods...).Value(&s.method).
				Validate(func(v string) error {
					s.method = v
					return fieldError(s.check(), "authMethod")
				}),
		).Title("Client").WithHideFunc(func() bool { return !s.oauth2() }),

		huh.NewGroup(
			secretInput("secret", "Client secret", secretDesc, &s.secret),
		).Title("Client secret").WithHideFunc(func() bool { return !s.oauth2() || !vault.AuthMethod(s.method).UsesSecret() }),

		s.exchangeGroup(c),

		huh.NewGroup(
			huh.NewSelect[string]().Key("keySource").Title("Private key").Description("the public key is shown after saving, to upload to the provider").Options(keyOpts...).Value(&s.keySource),
			huh.NewInput().Key("keyPath").Title("Key file").Description("PEM, used when reading a file").Value(&s.keyPath),
			huh.NewSelect[string]().Key("signingAlg").Title("Signing algorithm").Description("for a key from a file").
				Options(huh.NewOption("from the key", ""), huh.NewOption("RS256", "RS256"), huh.NewOption("PS256", "PS256"), huh.NewOption("ES256", "ES256")).Value(&s.signingAlg),
		).Title("private_key_jwt").WithHideFunc(func() bool { return !s.oauth2() || s.method != string(vault.AuthPrivateKeyJWT) }),

		huh.NewGroup(
			huh.NewInput().Key("certPath").Title("Certificate file").Description("PEM; leave empty to keep the stored one").Value(&s.certPath),
			huh.NewInput().Key("certKeyPath").Title("Certificate key file").Value(&s.certKeyPath),
		).Title("tls_client_auth").WithHideFunc(func() bool { return !s.oauth2() || s.method != string(vault.AuthTLSClient) }),

		huh.NewGroup(
			huh.NewInput().Key("scopes").Title("Scopes").Description("space separated").Value(&s.scopes),
			huh.NewInput().Key("audience").Title("Audience").Value(&s.audience),
			huh.NewInput().Key("resource").Title("Resource").Value(&s.resource),
			s.urlInput("redirectURI", "Redirect URI", "empty: http://127.0.0.1:{port}/callback", &s.redirectURI, "redirectUri"),
			huh.NewSelect[string]().Key("prompt").Title("Prompt").Options(huh.NewOption("(provider default)", ""), huh.NewOption("consent", "consent"), huh.NewOption("login", "login"), huh.NewOption("none", "none")).Value(&s.prompt),
			huh.NewText().Key("authParams").Title("Extra authorization parameters").Description("name=value per line").Value(&s.authParams).
				Validate(s.validator(func(v string) { s.authParams = v }, "authParams")),
			huh.NewText().Key("tokenParams").Title("Extra token parameters").Description("name=value per line").Value(&s.tokenParams).
				Validate(s.validator(func(v string) { s.tokenParams = v }, "tokenParams")),
			huh.NewInput().Key("refreshSkew").Title("Refresh ahead of expiry").Description("e.g. 30s (the default), 2m").Value(&s.refreshSkew).
				Validate(s.validator(func(v string) { s.refreshSkew = v }, "refreshSkew")),
			huh.NewSelect[string]().Key("tokenMethod").Title("Token request method").Options(huh.NewOption("POST", ""), huh.NewOption("GET (legacy servers)", "GET")).Value(&s.tokenMethod),
			huh.NewConfirm().Key("insecure").Title("Turn TLS verification off for this client?").Description("only for test servers; shown on every screen that uses it").Value(&s.insecure),
		).Title("Scopes and parameters").WithHideFunc(func() bool { return !s.oauth2() }),

		huh.NewGroup(
			huh.NewConfirm().Key("dpop").Title("Bind the tokens to a key with DPoP (RFC 9449)?").
				Description("an ES256 key is generated into the vault; every token and resource request then carries a proof of it").Value(&s.dpop),
			huh.NewConfirm().Key("par").Title("Push authorization requests (RFC 9126)?").
				Description("also when the provider does not require it; the browser then carries only client_id and request_uri").Value(&s.par),
			huh.NewConfirm().Key("requestObject").Title("Sign authorization requests (RFC 9101)?").
				Description("with the private_key_jwt key or the client_secret_jwt secret; also when the provider does not require it").Value(&s.requestObject).
				Validate(func(v bool) error {
					s.requestObject = v
					return fieldError(s.check(), "requestObject")
				}),
		).Title("Proof of possession and requests").WithHideFunc(func() bool { return !s.oauth2() || s.grant == string(vault.GrantImplicit) }),

		s.whereGroup(),
	}
	groups = append(groups[:1], append(s.oauth1Groups(secretDesc), groups[1:]...)...)
	return groups
}

// tokenTypeOptions are the RFC 8693 token types a form offers.
func tokenTypeOptions(none string) []huh.Option[string] {
	return []huh.Option[string]{
		huh.NewOption(none, ""),
		huh.NewOption("access_token", "urn:ietf:params:oauth:token-type:access_token"),
		huh.NewOption("refresh_token", "urn:ietf:params:oauth:token-type:refresh_token"),
		huh.NewOption("id_token", "urn:ietf:params:oauth:token-type:id_token"),
		huh.NewOption("jwt", "urn:ietf:params:oauth:token-type:jwt"),
	}
}

// exchangeGroup asks what a token exchange client trades (RFC 8693): the
// credential of the workspace whose token is the subject (or none: given at
// each call), an optional actor, and the token types.
func (s *clientSpec) exchangeGroup(c *common.Common) *huh.Group {
	names := "auth clients and token secrets of " + s.env
	if c.Catalog != nil {
		var list []string
		for _, x := range c.Catalog.ClientsIn(s.env) {
			if x.Type != vault.ClientOAuth1 && (s.orig == nil || x.ID != s.orig.ID) {
				list = append(list, x.Name)
			}
		}
		if len(list) > 0 {
			names = "e.g. " + strings.Join(list[:min(len(list), 4)], ", ")
		}
	}
	return huh.NewGroup(
		huh.NewInput().Key("subject").Title("Subject").Description("the credential whose token is exchanged ("+names+"); empty: given at each call").
			Value(&s.subject).Validate(s.validator(func(v string) { s.subject = v }, "exchange.subject")),
		huh.NewSelect[string]().Key("subjectType").Title("Subject token type").Options(tokenTypeOptions("access_token (default)")...).Value(&s.subjectType),
		huh.NewInput().Key("actor").Title("Actor").Description("optional: the credential whose token acts for the subject").Value(&s.actor),
		huh.NewSelect[string]().Key("actorType").Title("Actor token type").Options(tokenTypeOptions("access_token (default)")...).Value(&s.actorType),
		huh.NewSelect[string]().Key("requestedType").Title("Requested token type").Options(tokenTypeOptions("(the provider chooses)")...).Value(&s.requestedType),
	).Title("Token exchange").WithHideFunc(func() bool { return !s.oauth2() || s.grant != string(vault.GrantTokenExchange) })
}

// nameInput is the client's name, checked against the vault's rules and
// the other clients of the environment.
func (s *clientSpec) nameInput(c *common.Common) *huh.Input {
	return huh.NewInput().Key("name").Title("Name").Value(&s.name).Validate(func(v string) error {
		s.name = v
		if err := fieldError(s.check(), "name"); err != nil {
			return err
		}
		if c.Catalog != nil {
			if x, ok := c.Catalog.Client(s.env, v); ok && (s.orig == nil || x.ID != s.orig.ID) {
				return &vault.ExistsError{Kind: "auth client", Name: v, Env: s.env}
			}
		}
		return nil
	})
}

// whereGroup holds what every client type has: expiry, tenant and the
// hosts its credentials may be sent to.
func (s *clientSpec) whereGroup() *huh.Group {
	return huh.NewGroup(
		huh.NewInput().Key("expiration").Title("Client expires").Placeholder("2027-01-31").Value(&s.expires).
			Validate(s.validator(func(v string) { s.expires = v }, "expiration")),
		huh.NewInput().Key("secretExpiration").Title("Client secret expires").Placeholder("2027-01-31").Value(&s.secretExpires).
			Validate(s.validator(func(v string) { s.secretExpires = v }, "secretExpiration")),
		huh.NewInput().Key("tenant").Title("Tenant").Value(&s.tenant),
		huh.NewInput().Key("allowedHosts").Title("Allowed hosts").Description("comma separated; requests with this client go to these hosts only").Value(&s.hosts).
			Validate(s.validator(func(v string) { s.hosts = v }, "allowedHosts")),
	).Title("Where and how long")
}

// credentials returns the new credentials to store: nil keeps the stored
// ones; generate names the algorithm of a key to generate when saving.
func (s *clientSpec) credentials(ac vault.AuthClient) (creds *vault.ClientCredentials, generate string, keyPath, certPath, certKeyPath string) {
	switch {
	case ac.AuthMethod.UsesSecret():
		if s.secret != "" {
			return &vault.ClientCredentials{ClientSecret: s.secret}, "", "", "", ""
		}
	case ac.AuthMethod == vault.AuthPrivateKeyJWT:
		switch s.keySource {
		case sourceES256, sourceRS256:
			return nil, s.keySource, "", "", ""
		case sourceFile:
			return nil, "", expandHome(s.keyPath), "", ""
		}
	case ac.AuthMethod == vault.AuthTLSClient:
		if s.certPath != "" || s.certKeyPath != "" {
			return nil, "", "", expandHome(s.certPath), expandHome(s.certKeyPath)
		}
	case ac.AuthMethod == vault.AuthNone || ac.Type == vault.ClientSessionAuth || ac.Grant == vault.GrantImplicit:
		if s.orig != nil && s.orig.HasSecret {
			return &vault.ClientCredentials{}, "", "", "", "" // a public client keeps no secret
		}
	}
	return nil, "", "", "", ""
}

func (s *clientSpec) prepare(*common.Common) (change, error) {
	ac, err := s.draft()
	if err != nil {
		return change{}, err
	}
	if err := ac.Validate(); err != nil {
		return change{}, err
	}
	if ac.Type == vault.ClientOAuth1 {
		return s.prepareOAuth1(ac)
	}
	creds, generate, keyPath, certPath, certKeyPath := s.credentials(ac)
	files := keyFiles{key: keyPath, cert: certPath, certKey: certKeyPath}
	if err := s.checkCredentials(ac, creds, generate, files); err != nil {
		return change{}, err
	}
	verb := "Created"
	if s.orig != nil {
		verb = "Saved"
	}
	return change{ok: fmt.Sprintf("%s auth client %s", verb, ac.Name), item: common.ItemRef{Kind: "auth client", Env: ac.Env, Name: ac.Name}, run: func(ctx context.Context, v *vault.Vault) (string, error) {
		public, err := newKeyMaterial(&ac, &creds, generate, files)
		if err != nil {
			return "", err
		}
		if creds, err = s.withDPoPKey(ctx, v, &ac, creds); err != nil {
			return "", err
		}
		_, err = v.PutClient(ctx, ac, creds)
		return public, err
	}}, nil
}

// keyFiles are the PEM files the form names: a private_key_jwt key, or a
// tls_client_auth certificate and its key.
type keyFiles struct{ key, cert, certKey string }

func (f keyFiles) none() bool { return f.key == "" && f.cert == "" }

// checkCredentials refuses, before anything is written, a client whose
// method needs a credential the form gives nothing for (a new client, or
// one whose method changed), and credentials the client would refuse.
func (s *clientSpec) checkCredentials(ac vault.AuthClient, creds *vault.ClientCredentials, generate string, files keyFiles) error {
	needsNew := s.orig == nil || s.orig.AuthMethod != ac.AuthMethod
	field := clientcreds.Missing(ac, vault.ClientCredentials{})
	if ac.Type == vault.ClientOAuth2 && field != "" && creds == nil && generate == "" && files.none() && needsNew {
		return &vault.ValidationError{Kind: "auth client", Name: ac.Name, Field: field, Msg: fmt.Sprintf("is required for %s", ac.AuthMethod)}
	}
	if creds == nil || creds.Empty() {
		return nil
	}
	// The DPoP key is kept or generated when saving (withDPoPKey).
	probe := ac
	probe.DPoP = false
	return probe.ValidateCredentials(*creds)
}

// newKeyMaterial reads the named key files or generates a key, and makes
// them the client's credentials (a new key or certificate replaces the
// stored ones). It returns the public key to show for a generated one.
func newKeyMaterial(ac *vault.AuthClient, creds **vault.ClientCredentials, generate string, files keyFiles) (string, error) {
	g := clientcreds.Given{Generate: generate, AlgChosen: ac.SigningAlg != ""}
	var err error
	switch {
	case files.key != "":
		g.Key, err = readPEM(files.key)
	case files.cert != "" || files.certKey != "":
		if g.Cert, err = readPEM(files.cert); err == nil {
			g.CertKey, err = readPEM(files.certKey)
		}
	}
	if err != nil {
		return "", err
	}
	if g.Generate == "" && g.Key == "" && g.Cert == "" {
		return "", nil
	}
	*creds = &vault.ClientCredentials{}
	key, err := clientcreds.Apply(ac, *creds, g)
	if err != nil || generate == "" {
		return "", err
	}
	return publicKeyText(key, generate)
}

// withDPoPKey keeps the client's DPoP key with credentials that replace the
// stored ones, generates one when DPoP is turned on and drops it when it is
// turned off. nil credentials stay nil when the key does not change.
func (s *clientSpec) withDPoPKey(ctx context.Context, v *vault.Vault, ac *vault.AuthClient, creds *vault.ClientCredentials) (*vault.ClientCredentials, error) {
	if ac.Type != vault.ClientOAuth2 {
		return creds, nil
	}
	was := s.orig != nil && s.orig.DPoP
	if creds == nil && was == ac.DPoP {
		return nil, nil
	}
	var stored vault.ClientCredentials
	if s.orig != nil && s.orig.HasSecret {
		var err error
		if stored, err = v.ClientCredentials(ctx, *s.orig); err != nil {
			return nil, err
		}
	}
	if creds == nil {
		cp := stored
		creds = &cp
	} else {
		creds.DPoPKey = stored.DPoPKey
	}
	if _, err := clientcreds.Apply(ac, creds, clientcreds.Given{DPoP: &ac.DPoP}); err != nil {
		return nil, err
	}
	return creds, nil
}

// publicKeyText is the public half of a generated key as the provider
// registers it: a JWKS, then PEM.
func publicKeyText(key any, alg string) (string, error) {
	jwks, err := keygen.PublicJWKS(key, alg)
	if err != nil {
		return "", err
	}
	pub, err := keygen.PublicKeyPEM(key)
	if err != nil {
		return "", err
	}
	return string(jwks) + "\n\n" + pub, nil
}
