package vault

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault/pemkey"
)

// MaxNameLen is the longest name an item may have, in characters.
const MaxNameLen = 100

// ValidateName checks an item name: 1–100 printable characters, no slashes,
// no leading or trailing spaces.
func ValidateName(kind, name string) error {
	fail := func(msg string) error { return &ValidationError{Kind: kind, Name: name, Field: "name", Msg: msg} }
	switch {
	case name == "":
		return &ValidationError{Kind: kind, Field: "name", Msg: "is required"}
	case !utf8.ValidString(name):
		return fail("is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLen:
		return fail(fmt.Sprintf("is longer than %d characters", MaxNameLen))
	case strings.TrimSpace(name) != name:
		return fail("starts or ends with a space")
	case strings.ContainsAny(name, `/\`):
		return fail(`must not contain "/" or "\"`)
	case strings.HasPrefix(name, "-"):
		return fail(`must not start with "-"`)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fail(fmt.Sprintf("contains the control character %U", r))
		}
	}
	return nil
}

// ValidateVarName checks an environment variable name (usable as {{name}}).
func ValidateVarName(env, name string) error {
	if name == "" {
		return &ValidationError{Kind: "variable", Field: "name", Msg: "is required"}
	}
	for _, r := range name {
		if (!isNameRune(r) && r != ' ') || r == '$' {
			return &ValidationError{Kind: "variable", Name: name, Field: "name", Msg: fmt.Sprintf("may only contain letters, digits, '_', '-', '.' and inner spaces (found %q) in environment %q", r, env)}
		}
	}
	if name != strings.TrimSpace(name) || strings.Contains(name, "  ") {
		return &ValidationError{Kind: "variable", Name: name, Field: "name", Msg: fmt.Sprintf("may not start or end with a space or hold two in a row (environment %q)", env)}
	}
	return nil
}

// IsLoopbackHost reports whether host (no port) is a loopback address or "localhost".
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckURL validates an endpoint URL: absolute, http(s), a well-formed host,
// and https unless the host is loopback (S-13). field names it in errors.
func CheckURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %q is not a valid URL: %v", field, raw, unwrapURLError(err))
	}
	if u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute URL (expected https://host/path)", field, raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%s: %q: scheme %q is not http or https", field, raw, u.Scheme)
	}
	host := u.Hostname()
	if err := checkHostname(host); err != nil {
		return fmt.Errorf("%s: %q: %v", field, raw, err)
	}
	if u.Scheme == "http" && !IsLoopbackHost(host) {
		return fmt.Errorf("%s: %q uses plain http on a non-loopback host; use https (plain http is only allowed on 127.0.0.1, ::1 and localhost)", field, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s: %q must not carry credentials in the URL", field, raw)
	}
	return nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkHostname accepts IP literals and DNS names made of letters, digits,
// hyphens and dots.
func checkHostname(host string) error {
	if host == "" {
		return errors.New("no host")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > 253 {
		return errors.New("host name is longer than 253 characters")
	}
	for i, r := range host {
		ok := r == '-' || r == '.' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("invalid character %q in host name %q at position %d", r, host, i+1)
		}
	}
	if strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		return fmt.Errorf("host name %q has an empty label", host)
	}
	return nil
}

// checkTemplateURL validates a URL that may contain placeholders: the
// template must parse, and the URL with every placeholder filled must be valid.
func checkTemplateURL(field, raw string) error {
	t, err := ParseTemplate(raw)
	if err != nil {
		return fmt.Errorf("%s: %v", field, err)
	}
	filled, _ := t.Render(func(string) (string, bool) { return "x", true }, false)
	return CheckURL(field, filled)
}

// ValidateHostPattern checks an allowedHosts entry: "api.example.com",
// "*.example.com" or "host:port".
func ValidateHostPattern(p string) error {
	if p == "" {
		return errors.New("empty host pattern")
	}
	if strings.Contains(p, "://") || strings.Contains(p, "/") {
		return fmt.Errorf("host pattern %q must be a host name, not a URL", p)
	}
	host := p
	if h, port, err := net.SplitHostPort(p); err == nil {
		host = h
		if port == "" {
			return fmt.Errorf("host pattern %q has an empty port", p)
		}
	}
	host = strings.TrimPrefix(host, "*.")
	return checkHostname(host)
}

// HostAllowed reports whether hostport (as in URL.Host) matches one of the
// patterns. An empty pattern list allows every host. "*.example.com" matches
// subdomains only; a pattern without a port matches any port.
func HostAllowed(patterns []string, hostport string) bool {
	if len(patterns) == 0 {
		return true
	}
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range patterns {
		ph, pp := strings.ToLower(pat), ""
		if h, p, err := net.SplitHostPort(pat); err == nil {
			ph, pp = strings.ToLower(h), p
		}
		if pp != "" && pp != port {
			continue
		}
		if suffix, ok := strings.CutPrefix(ph, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if host == ph {
			return true
		}
	}
	return false
}

func validateMeta(kind string, m *Meta) error {
	if err := ValidateName(kind, m.Name); err != nil {
		return err
	}
	if m.Env == "" {
		return &ValidationError{Kind: kind, Name: m.Name, Field: "env", Msg: "is required"}
	}
	for _, h := range m.AllowedHosts {
		if err := ValidateHostPattern(h); err != nil {
			return &ValidationError{Kind: kind, Name: m.Name, Field: "allowedHosts", Msg: err.Error()}
		}
	}
	return nil
}

// Validate checks an environment.
func (e *Environment) Validate() error {
	if err := ValidateName("environment", e.Name); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, v := range e.Variables {
		if err := ValidateVarName(e.Name, v.Name); err != nil {
			return err
		}
		if seen[v.Name] {
			return &ValidationError{Kind: "environment", Name: e.Name, Field: "variables", Msg: fmt.Sprintf("variable %q is defined twice", v.Name)}
		}
		seen[v.Name] = true
		if v.Secret && v.Value != "" {
			return &ValidationError{Kind: "environment", Name: e.Name, Field: "variables." + v.Name, Msg: "a secret variable's value must not be kept in the catalog"}
		}
	}
	return nil
}

// clientKind names an auth client in validation errors.
const clientKind = "auth client"

// invalid is a validation error about one of the client's fields.
func (c *AuthClient) invalid(field, msg string) error {
	return &ValidationError{Kind: clientKind, Name: c.Name, Field: field, Msg: msg}
}

// badURL is a validation error carrying a CheckURL message, which names
// the field itself.
func (c *AuthClient) badURL(err error) error {
	return &ValidationError{Kind: clientKind, Name: c.Name, Msg: err.Error()}
}

// firstError runs the checks in order and returns the first failure.
func firstError(checks ...func() error) error {
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks an auth client's configuration; every message names the field.
func (c *AuthClient) Validate() error {
	if err := validateMeta(clientKind, &c.Meta); err != nil {
		return err
	}
	switch c.Type {
	case ClientSessionAuth:
		return c.validateSessionAuth()
	case ClientOAuth1:
		return firstError(c.validateURLs, c.validateOAuth1Flow, c.validateIdentity, c.validateOAuth1Signing)
	case ClientOAuth2:
		return firstError(c.validateURLs, c.validateIdentity,
			c.validateGrant, c.validateExchangeGrant, c.validateRequestObject, c.validateExchangeTypes,
			c.validateDeprecated, c.validateUndiscoveredEndpoints,
			c.validateAuthMethod, c.validateSigningAlg, c.validateParams)
	case "":
		return c.invalid("type", "is required")
	default:
		return c.invalid("type", fmt.Sprintf("%q is not one of %s, %s, %s", c.Type, ClientOAuth2, ClientSessionAuth, ClientOAuth1))
	}
}

// validateSessionAuth checks a SESSION_AUTH client: its login request.
func (c *AuthClient) validateSessionAuth() error {
	s := c.SessionAuth
	if s == nil {
		return c.invalid("sessionAuth", "is required for a SESSION_AUTH client")
	}
	if s.URL == "" {
		return c.invalid("endpoints.auth.url", "is required")
	}
	if err := checkTemplateURL("endpoints.auth.url", s.URL); err != nil {
		return c.badURL(err)
	}
	switch s.AuthType {
	case SessionFormAuth, SessionJSONAuth:
	default:
		return c.invalid("endpoints.auth.authType", fmt.Sprintf("%q is not FORM_AUTH or JSON_AUTH", s.AuthType))
	}
	if s.TokenPath == "" {
		return c.invalid("tokenPath", "is required")
	}
	for i, f := range s.RequestFields {
		if f.Key == "" {
			return c.invalid(fmt.Sprintf("endpoints.auth.requestFields[%d].key", i), "is required")
		}
		if _, err := ParseTemplate(f.Value); err != nil {
			return c.invalid(fmt.Sprintf("endpoints.auth.requestFields[%d].value", i), err.Error())
		}
	}
	return nil
}

// validateURLs checks every URL an OAuth client may name, in the order
// they are reported: issuer, endpoints, redirect URI.
func (c *AuthClient) validateURLs() error {
	for _, e := range []struct{ field, v string }{
		{"issuer", c.Issuer},
		{"endpoints.auth", c.Endpoints.Authorization},
		{"endpoints.token", c.Endpoints.Token},
		{"endpoints.device", c.Endpoints.Device},
		{"endpoints.introspection", c.Endpoints.Introspection},
		{"endpoints.revocation", c.Endpoints.Revocation},
		{"endpoints.jwks", c.Endpoints.JWKS},
		{"endpoints.userinfo", c.Endpoints.Userinfo},
		{"endpoints.requestToken", c.Endpoints.RequestToken},
		{"endpoints.par", c.Endpoints.PAR},
		{"redirectUri", c.RedirectURI},
	} {
		if e.v == "" {
			continue
		}
		if err := CheckURL(e.field, e.v); err != nil {
			return c.badURL(err)
		}
	}
	return nil
}

// validateOAuth1Flow checks that an OAuth 1.0a client names all three flow
// URLs or none. No flow URL at all is a client that only signs, with token
// credentials stored by hand or imported; some of them is a typo.
func (c *AuthClient) validateOAuth1Flow() error {
	if !c.HasOAuth1Flow() {
		return nil
	}
	var missing []string
	for _, e := range []struct{ name, v string }{{"request-token", c.Endpoints.RequestToken}, {"authorization", c.Endpoints.Authorization}, {"access-token", c.Endpoints.Token}} {
		if e.v == "" {
			missing = append(missing, e.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return c.invalid("endpoints", "an OAuth 1.0a client's flow needs the request-token, authorization and access-token URLs; the "+strings.Join(missing, " and ")+" URL is missing (leave all three empty for a client that only signs with stored token credentials)")
}

// validateIdentity checks what every OAuth client has: an ID and, if set,
// the token request's HTTP method.
func (c *AuthClient) validateIdentity() error {
	if c.ClientID == "" {
		return c.invalid("clientId", "is required")
	}
	if c.TokenMethod != "" && c.TokenMethod != "POST" && c.TokenMethod != "GET" {
		return c.invalid("tokenMethod", fmt.Sprintf("%q is not GET or POST", c.TokenMethod))
	}
	return nil
}

// validateOAuth1Signing checks an OAuth 1.0a client's realm and signature method.
func (c *AuthClient) validateOAuth1Signing() error {
	for i := 0; i < len(c.Realm); i++ {
		if b := c.Realm[i]; b < 0x20 || b == 0x7f {
			return c.invalid("realm", fmt.Sprintf("has a control character at byte %d", i+1))
		}
	}
	switch c.SignatureMethod {
	case "HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "RSA-SHA256", "PLAINTEXT":
		return nil
	default:
		return c.invalid("signatureMethod", fmt.Sprintf("%q is not HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256 or PLAINTEXT", c.SignatureMethod))
	}
}

// validateGrant checks that an OAuth 2.0 client names a known grant.
func (c *AuthClient) validateGrant() error {
	switch c.Grant {
	case GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantTokenExchange, GrantPassword, GrantImplicit:
		return nil
	case "":
		return c.invalid("grant", "is required")
	default:
		return c.invalid("grant", fmt.Sprintf("%q is not one of client_credentials, authorization_code, device_code, token_exchange, password, implicit", c.Grant))
	}
}

// validateExchangeGrant refuses token-exchange settings on another grant.
func (c *AuthClient) validateExchangeGrant() error {
	if c.Exchange != nil && c.Grant != GrantTokenExchange {
		return c.invalid("exchange", fmt.Sprintf("the subject, actor and token types apply to the token_exchange grant, not %s", c.Grant))
	}
	return nil
}

// validateRequestObject checks that a client sending signed request objects
// has a key to sign them with.
func (c *AuthClient) validateRequestObject() error {
	if c.RequestObject && c.AuthMethod != AuthPrivateKeyJWT && c.AuthMethod != AuthClientSecretJWT {
		return c.invalid("requestObject", "signed request objects are signed with the client's private_key_jwt key or client_secret_jwt secret; this client uses "+string(c.AuthMethod))
	}
	return nil
}

// validateExchangeTypes checks a token exchange's token type URIs and subject.
func (c *AuthClient) validateExchangeTypes() error {
	x := c.Exchange
	if x == nil {
		return nil
	}
	for _, f := range []struct{ field, v string }{
		{"exchange.subjectTokenType", x.SubjectTokenType},
		{"exchange.actorTokenType", x.ActorTokenType},
		{"exchange.requestedTokenType", x.RequestedTokenType},
	} {
		if f.v != "" && !strings.HasPrefix(f.v, "urn:") {
			return c.invalid(f.field, fmt.Sprintf("%q is not a token type URI (urn:ietf:params:oauth:token-type:…)", f.v))
		}
	}
	if x.Subject != "" && x.Subject == c.Name {
		return c.invalid("exchange.subject", "names the client itself; the subject token comes from another credential")
	}
	return nil
}

// validateDeprecated refuses a deprecated grant the client has not opted into.
func (c *AuthClient) validateDeprecated() error {
	if c.Grant.Deprecated() && !c.AllowDeprecated {
		return c.invalid("grant", fmt.Sprintf("%s is a deprecated grant; enable it explicitly for this client (allowDeprecated)", c.Grant))
	}
	return nil
}

// grantEndpoint is an endpoint a grant cannot work without when there is no
// issuer to discover it from.
type grantEndpoint struct {
	field string
	url   func(*Endpoints) string
	msg   string
}

var (
	authEndpointRequired  = grantEndpoint{"endpoints.auth", func(e *Endpoints) string { return e.Authorization }, "is required (or set issuer for discovery)"}
	tokenEndpointRequired = grantEndpoint{"endpoints.token", func(e *Endpoints) string { return e.Token }, "is required (or set issuer for discovery)"}
)

// grantEndpoints lists, per grant, the endpoints it needs in the order they
// are reported; a grant not listed needs the token endpoint only.
var grantEndpoints = map[Grant][]grantEndpoint{
	GrantImplicit: {authEndpointRequired},
	GrantAuthorizationCode: {
		tokenEndpointRequired,
		{"endpoints.auth", func(e *Endpoints) string { return e.Authorization }, "is required for authorization_code (or set issuer for discovery)"},
	},
	GrantDeviceCode: {
		tokenEndpointRequired,
		{"endpoints.device", func(e *Endpoints) string { return e.Device }, "is required for device_code (or set issuer for discovery)"},
	},
}

// validateUndiscoveredEndpoints checks, for a client without an issuer, that
// the endpoints its grant needs are set.
func (c *AuthClient) validateUndiscoveredEndpoints() error {
	if c.Issuer != "" {
		return nil
	}
	needs, ok := grantEndpoints[c.Grant]
	if !ok {
		needs = []grantEndpoint{tokenEndpointRequired}
	}
	for _, n := range needs {
		if n.url(&c.Endpoints) == "" {
			return c.invalid(n.field, n.msg)
		}
	}
	return nil
}

// validateAuthMethod checks the client authentication method: required and
// known for every grant but implicit, and never none where the grant needs
// a confidential client.
func (c *AuthClient) validateAuthMethod() error {
	if c.Grant != GrantImplicit {
		switch c.AuthMethod {
		case AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone, AuthTLSClient:
		case "":
			return c.invalid("authMethod", "is required (client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none or tls_client_auth); it is never guessed")
		default:
			return c.invalid("authMethod", fmt.Sprintf("%q is not one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none, tls_client_auth", c.AuthMethod))
		}
	}
	if c.AuthMethod == AuthNone && (c.Grant == GrantClientCredentials || c.Grant == GrantTokenExchange) {
		return c.invalid("authMethod", "client_credentials needs client authentication; none is only for public clients using PKCE or the device flow")
	}
	return nil
}

// validateSigningAlg checks the JWS algorithm against the JWT auth method.
func (c *AuthClient) validateSigningAlg() error {
	switch c.AuthMethod {
	case AuthPrivateKeyJWT:
		switch c.SigningAlg {
		case "", "RS256", "PS256", "ES256":
		default:
			return c.invalid("signingAlg", fmt.Sprintf("%q is not RS256, PS256 or ES256", c.SigningAlg))
		}
	case AuthClientSecretJWT:
		if c.SigningAlg != "" && c.SigningAlg != "HS256" {
			return c.invalid("signingAlg", fmt.Sprintf("%q is not HS256, the client_secret_jwt algorithm", c.SigningAlg))
		}
	default:
	}
	return nil
}

// validateParams checks that every extra authorization and token parameter
// has a name.
func (c *AuthClient) validateParams() error {
	for _, list := range []struct {
		field  string
		params []Param
	}{{"authParams", c.AuthParams}, {"tokenParams", c.TokenParams}} {
		for i, p := range list.params {
			if p.Key == "" {
				return c.invalid(fmt.Sprintf("%s[%d]", list.field, i), "has an empty name")
			}
		}
	}
	return nil
}

// ValidateCredentials checks that creds fit the client's authentication method.
func (c *AuthClient) ValidateCredentials(creds ClientCredentials) error {
	return firstError(
		func() error { return c.validateAuthCredentials(creds) },
		func() error { return c.validateDPoPKey(creds) },
		func() error { return c.validateOAuth1Credentials(creds) },
	)
}

// validateAuthCredentials checks the secret, key or certificate the client
// authentication method signs or authenticates with.
func (c *AuthClient) validateAuthCredentials(creds ClientCredentials) error {
	switch c.AuthMethod {
	case AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT:
		if creds.ClientSecret == "" {
			return c.invalid("clientSecret", fmt.Sprintf("is required for %s", c.AuthMethod))
		}
		if c.AuthMethod == AuthClientSecretJWT && len(creds.ClientSecret) < 32 {
			// RFC 7518 §3.2: an HS256 key must have at least 256 bits.
			return c.invalid("clientSecret", "client_secret_jwt signs with the secret as an HS256 key, which needs at least 32 bytes")
		}
	case AuthPrivateKeyJWT:
		if creds.PrivateKey == "" {
			return c.invalid("privateKey", "is required for private_key_jwt (generate one with `authdeck client keygen`)")
		}
		if _, err := ParsePrivateKey(creds.PrivateKey); err != nil {
			return c.invalid("privateKey", err.Error())
		}
	case AuthTLSClient:
		if creds.Cert == "" || creds.CertKey == "" {
			return c.invalid("cert", "a client certificate and its key are required for tls_client_auth")
		}
		if _, err := tls.X509KeyPair([]byte(creds.Cert), []byte(creds.CertKey)); err != nil {
			return c.invalid("cert", "certificate and key do not form a pair: "+err.Error())
		}
	case AuthNone:
		// a public client keeps no credentials
	}
	return nil
}

// validateDPoPKey checks the EC P-256 key a DPoP client signs proofs with.
func (c *AuthClient) validateDPoPKey(creds ClientCredentials) error {
	if !c.DPoP {
		return nil
	}
	if creds.DPoPKey == "" {
		return c.invalid("dpopKey", "is required for DPoP (authdeck client add … --dpop generates one)")
	}
	key, err := ParsePrivateKey(creds.DPoPKey)
	if err != nil {
		return c.invalid("dpopKey", err.Error())
	}
	if _, ok := key.(*ecdsa.PrivateKey); !ok {
		return c.invalid("dpopKey", "DPoP proofs are signed with ES256, which needs an EC P-256 key")
	}
	return nil
}

// validateOAuth1Credentials checks what an OAuth 1.0a signature method is
// keyed with: an RSA key for RSA-*, the consumer secret for HMAC and
// PLAINTEXT (without it every request would be refused by the provider).
func (c *AuthClient) validateOAuth1Credentials(creds ClientCredentials) error {
	if c.Type != ClientOAuth1 || c.SignatureMethod == "" {
		return nil
	}
	if !strings.HasPrefix(c.SignatureMethod, "RSA-") {
		if creds.ClientSecret == "" {
			return c.invalid("clientSecret", "the consumer secret is required for "+c.SignatureMethod)
		}
		return nil
	}
	if creds.PrivateKey == "" {
		return c.invalid("privateKey", "is required for "+c.SignatureMethod)
	}
	key, err := ParsePrivateKey(creds.PrivateKey)
	if err != nil {
		return c.invalid("privateKey", err.Error())
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return c.invalid("privateKey", c.SignatureMethod+" needs an RSA key, not an EC key")
	}
	return nil
}

// ParsePrivateKey parses a PEM private key (PKCS#1, PKCS#8 or SEC 1 EC) and
// accepts RSA keys of at least 2048 bits and EC P-256 keys.
func ParsePrivateKey(pemText string) (any, error) {
	key, err := pemkey.Decode(pemText)
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key has %d bits; at least 2048 are required", k.N.BitLen())
		}
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("EC key on curve %s; only P-256 is supported", k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("unsupported key type %T; use RSA (≥ 2048 bits) or EC P-256", key)
	}
	return key, nil
}

// Validate checks a saved request.
func (r *Request) Validate() error {
	const kind = "request"
	if err := ValidateName(kind, r.Name); err != nil {
		return err
	}
	fail := func(field, msg string) error {
		return &ValidationError{Kind: kind, Name: r.Name, Field: field, Msg: msg}
	}
	if r.Env == "" {
		return fail("env", "is required")
	}
	if r.Method == "" {
		return fail("method", "is required")
	}
	for _, c := range r.Method {
		if c < 'A' || c > 'Z' {
			return fail("method", fmt.Sprintf("%q is not an HTTP method", r.Method))
		}
	}
	if r.URL == "" {
		return fail("url", "is required")
	}
	if _, err := ParseTemplate(r.URL); err != nil {
		return fail("url", err.Error())
	}
	for i, h := range r.Headers {
		if h.Name == "" {
			return fail(fmt.Sprintf("headers[%d]", i), "has an empty name")
		}
		if msg := controlInHTTPValue(h.Value); msg != "" {
			return fail(fmt.Sprintf("headers[%d]", i), fmt.Sprintf("the value of %q %s", h.Name, msg))
		}
	}
	switch r.Placement {
	case "", PlaceHeader, PlaceBody, PlaceQuery:
	default:
		return fail("placement", fmt.Sprintf("%q is not header, body or query", r.Placement))
	}
	return r.validateParts(fail)
}
