package playground

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Client authentication methods a ClientSpec may ask for.
const (
	AuthMethodBasic         = "client_secret_basic" // secret in HTTP basic (RFC 6749 §2.3.1)
	AuthMethodPost          = "client_secret_post"  // secret in the form body
	AuthMethodSecretJWT     = "client_secret_jwt"   // HS256 client assertion keyed with the secret (RFC 7523)
	AuthMethodPrivateKeyJWT = "private_key_jwt"     // signed client assertion (RFC 7523)
	AuthMethodNone          = "none"                // public client, PKCE instead of a secret
)

// Grant types a ClientSpec may ask for.
const (
	GrantAuthorizationCode = "authorization_code"                              // RFC 6749 §4.1, with PKCE
	GrantRefreshToken      = "refresh_token"                                   // RFC 6749 §6, rotated
	GrantClientCredentials = "client_credentials"                              // RFC 6749 §4.4
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"    // RFC 8628
	GrantPassword          = "password"                                        // RFC 6749 §4.3, legacy
	GrantImplicit          = "implicit"                                        // RFC 6749 §4.2, legacy
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange" // RFC 8693
)

// Scopes the provider knows besides the OpenID Connect ones.
const (
	ScopeAPIRead  = "api:read"  // GET /data
	ScopeAPIWrite = "api:write" // POST /data
)

// KnownScopes lists every scope the provider advertises.
var KnownScopes = []string{
	oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess,
	ScopeAPIRead, ScopeAPIWrite,
}

// LoopbackRedirectPath is the path of the any-port loopback redirect URI
// (http://127.0.0.1:{port}/callback) accepted for clients with LoopbackRedirect.
const LoopbackRedirectPath = "/callback"

// ClientSpec describes a client to register with CreateClient.
type ClientSpec struct {
	// ClientID is generated when empty.
	ClientID string `json:"client_id,omitempty"`
	// Name is a human label.
	Name string `json:"name,omitempty"`
	// Description is free text shown with the client.
	Description string `json:"description,omitempty"`
	// AuthMethod defaults to client_secret_basic.
	AuthMethod string `json:"auth_method,omitempty"`
	// Grants defaults to client_credentials for confidential clients and to
	// authorization_code + refresh_token for public ones.
	Grants []string `json:"grants,omitempty"`
	// Scopes the client may be granted; defaults to api:read api:write.
	Scopes []string `json:"scopes,omitempty"`
	// RedirectURIs are registered exactly.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// LoopbackRedirect accepts http://127.0.0.1:{any port}/callback (RFC 8252 §7.3).
	LoopbackRedirect bool `json:"loopback_redirect,omitempty"`
	// PublicKey is the client's public key for private_key_jwt, as PEM or JWK.
	PublicKey string `json:"public_key,omitempty"`
	// KeyID names PublicKey; defaults to its RFC 7638 thumbprint.
	KeyID string `json:"key_id,omitempty"`
	// AccessTokenLifetime overrides the provider default when positive.
	AccessTokenLifetime time.Duration `json:"-"`
	// Expiration ends the validity of the client secret; nil means never.
	Expiration *time.Time `json:"expiration,omitempty"`
	// DPoPBound makes the client send a DPoP proof with every token request
	// (RFC 9449 §5.2, dpop_bound_access_tokens).
	DPoPBound bool `json:"dpop_bound_access_tokens,omitempty"`
	// RequirePAR makes the client push its authorization requests (RFC 9126 §6).
	RequirePAR bool `json:"require_pushed_authorization_requests,omitempty"`
	// RequireRequestObject makes the client send its authorization requests
	// as signed request objects (RFC 9101 §10.5); it needs private_key_jwt,
	// whose key signs them, or client_secret_jwt, whose secret does (HS256).
	RequireRequestObject bool `json:"require_signed_request_object,omitempty"`
	// ExchangeAudiences are the audiences a token exchange client may ask
	// for; empty means the demo API only.
	ExchangeAudiences []string `json:"exchange_audiences,omitempty"`
}

// ClientInfo is what the provider keeps about a client, without any secret.
type ClientInfo struct {
	// ClientID identifies the client.
	ClientID string `json:"client_id"`
	// Name is a human label.
	Name string `json:"name,omitempty"`
	// Description is free text shown with the client.
	Description string `json:"description,omitempty"`
	// AuthMethod is how the client authenticates at the token endpoint.
	AuthMethod string `json:"auth_method"`
	// Grants are the grant types the client may use.
	Grants []string `json:"grants"`
	// Scopes are the scopes the client may be granted.
	Scopes []string `json:"scopes"`
	// RedirectURIs are the exactly registered redirect URIs.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// LoopbackRedirect reports whether any loopback port is accepted.
	LoopbackRedirect bool `json:"loopback_redirect,omitempty"`
	// KeyID names the registered public key of a private_key_jwt client.
	KeyID string `json:"key_id,omitempty"`
	// AccessTokenLifetime is the client's access token lifetime (0: provider default).
	AccessTokenLifetime time.Duration `json:"-"`
	// Expiration ends the validity of the client secret; nil means never.
	Expiration *time.Time `json:"expiration,omitempty"`
	// DPoPBound, RequirePAR, RequireRequestObject and ExchangeAudiences are
	// as in ClientSpec.
	DPoPBound            bool     `json:"dpop_bound_access_tokens,omitempty"`
	RequirePAR           bool     `json:"require_pushed_authorization_requests,omitempty"`
	RequireRequestObject bool     `json:"require_signed_request_object,omitempty"`
	ExchangeAudiences    []string `json:"exchange_audiences,omitempty"`
	// CreatedAt is when the client was registered.
	CreatedAt time.Time `json:"created_at"`
}

// client is the stored form of a registered client. It is immutable once
// registered, so op may hold it without locking.
type client struct {
	info       ClientInfo
	secretHash []byte // SHA-256 of the generated secret; the secret itself is never kept…
	// …except for client_secret_jwt, whose assertions are HMACs keyed with
	// the secret: the server must hold it to check them (RFC 7523 §2.2,
	// OpenID Connect Core §9). Only those clients have it.
	hmacKey       []byte
	authMethod    oidc.AuthMethod
	appType       op.ApplicationType
	grants        []oidc.GrantType
	responseTypes []oidc.ResponseType
	key           *jose.JSONWebKey
	loginURL      string
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                       { return c.info.ClientID }
func (c *client) RedirectURIs() []string              { return c.info.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.info.RedirectURIs }
func (c *client) ApplicationType() op.ApplicationType { return c.appType }
func (c *client) AuthMethod() oidc.AuthMethod         { return c.authMethod }
func (c *client) ResponseTypes() []oidc.ResponseType  { return c.responseTypes }
func (c *client) GrantTypes() []oidc.GrantType        { return c.grants }
func (c *client) LoginURL(id string) string {
	return c.loginURL + "?authRequestID=" + url.QueryEscape(id)
}

// AccessTokenType is always JWT: the demo API validates tokens locally.
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return time.Hour }

// DevMode stays off: loopback redirects are accepted by op's native-client
// rules (RFC 8252), not by relaxing validation.
func (c *client) DevMode() bool { return false }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) IsScopeAllowed(scope string) bool     { return slices.Contains(c.info.Scopes, scope) }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }

func (c *client) hasGrant(g oidc.GrantType) bool { return slices.Contains(c.grants, g) }

// secretExpired reports whether the client's secret has passed its expiration.
func (c *client) secretExpired(now time.Time) bool {
	return c.info.Expiration != nil && !now.Before(*c.info.Expiration)
}

// checkSecret compares secret with the stored hash in constant time.
func (c *client) checkSecret(secret string) bool {
	if c.secretHash == nil || secret == "" {
		return false
	}
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], c.secretHash) == 1
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

var errInvalidSpec = errors.New("playground: invalid client spec")

func specError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errInvalidSpec}, args...)...)
}

// buildClient validates spec and turns it into a client. It does not
// generate the secret; the caller does, so that it is shown exactly once.
func buildClient(spec ClientSpec, loginURL string, now time.Time) (*client, error) {
	c := &client{loginURL: loginURL}
	method := spec.AuthMethod
	if method == "" {
		method = AuthMethodBasic
	}
	am, err := oidcAuthMethod(method)
	if err != nil {
		return nil, err
	}
	c.authMethod = am

	grants := spec.Grants
	if len(grants) == 0 {
		grants = defaultGrants(method)
	}
	redirecting, implicit, err := c.addGrants(grants, method)
	if err != nil {
		return nil, err
	}

	scopes := spec.Scopes
	if len(scopes) == 0 {
		scopes = []string{ScopeAPIRead, ScopeAPIWrite}
	}
	for _, s := range scopes {
		if !slices.Contains(KnownScopes, s) {
			return nil, specError("unknown scope %q", s)
		}
	}

	for _, raw := range spec.RedirectURIs {
		if err := validateRedirectURI(raw); err != nil {
			return nil, err
		}
	}
	if redirecting && len(spec.RedirectURIs) == 0 && !spec.LoopbackRedirect {
		return nil, specError("grants with a browser leg need redirect_uris or loopback_redirect")
	}
	redirects := slices.Clone(spec.RedirectURIs)
	if spec.LoopbackRedirect {
		redirects = append(redirects, "http://127.0.0.1"+LoopbackRedirectPath)
	}
	c.appType = applicationType(spec.LoopbackRedirect, implicit, method, redirects, grants)

	if c.key, err = registeredKey(spec, method); err != nil {
		return nil, err
	}
	if err := checkRequestOptions(spec, method, redirecting); err != nil {
		return nil, err
	}

	id := spec.ClientID
	if id == "" {
		id = "client-" + randomToken(9)
	}
	if strings.ContainsAny(id, ":\x00 ") {
		return nil, specError("client id %q contains a reserved character", id)
	}
	var exp *time.Time
	if spec.Expiration != nil {
		t := *spec.Expiration
		exp = &t
	}
	c.info = ClientInfo{
		ClientID:             id,
		Name:                 spec.Name,
		Description:          spec.Description,
		AuthMethod:           method,
		Grants:               grantStrings(c.grants),
		Scopes:               slices.Clone(scopes),
		RedirectURIs:         redirects,
		LoopbackRedirect:     spec.LoopbackRedirect,
		AccessTokenLifetime:  spec.AccessTokenLifetime,
		Expiration:           exp,
		DPoPBound:            spec.DPoPBound,
		RequirePAR:           spec.RequirePAR,
		RequireRequestObject: spec.RequireRequestObject,
		ExchangeAudiences:    slices.Clone(spec.ExchangeAudiences),
		CreatedAt:            now,
	}
	if c.key != nil {
		c.info.KeyID = c.key.KeyID
	}
	return c, nil
}

// oidcAuthMethod maps a spec's token endpoint auth method to op's name for it.
func oidcAuthMethod(method string) (oidc.AuthMethod, error) {
	switch method {
	case AuthMethodBasic:
		return oidc.AuthMethodBasic, nil
	case AuthMethodPost:
		return oidc.AuthMethodPost, nil
	case AuthMethodSecretJWT:
		return authMethodSecretJWT, nil
	case AuthMethodPrivateKeyJWT:
		return oidc.AuthMethodPrivateKeyJWT, nil
	case AuthMethodNone:
		return oidc.AuthMethodNone, nil
	}
	return "", specError("unknown auth method %q", method)
}

// defaultGrants are the grants of a spec that names none: a public client
// signs users in, a confidential one gets tokens for itself.
func defaultGrants(method string) []string {
	if method == AuthMethodNone {
		return []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	return []string{GrantClientCredentials}
}

// addGrants registers grants (and the response types they imply) on c and
// reports whether any has a browser leg and whether implicit is among them.
func (c *client) addGrants(grants []string, method string) (redirecting, implicit bool, err error) {
	for _, g := range grants {
		if g == "device_code" {
			g = GrantDeviceCode
		}
		switch g {
		case GrantAuthorizationCode:
			redirecting = true
			c.responseTypes = append(c.responseTypes, oidc.ResponseTypeCode)
		case GrantImplicit:
			redirecting, implicit = true, true
			c.responseTypes = append(c.responseTypes, responseTypeToken, oidc.ResponseTypeIDToken, oidc.ResponseTypeIDTokenOnly)
		case GrantClientCredentials, GrantPassword, GrantTokenExchange:
			if method == AuthMethodNone {
				return false, false, specError("grant %s needs an authenticated client", g)
			}
		case GrantRefreshToken, GrantDeviceCode:
		default:
			return false, false, specError("unknown grant %q", g)
		}
		if !slices.Contains(c.grants, oidc.GrantType(g)) {
			c.grants = append(c.grants, oidc.GrantType(g))
		}
	}
	return redirecting, implicit, nil
}

// applicationType is the op application type of a client with these
// redirects and grants.
func applicationType(loopback, implicit bool, method string, redirects, grants []string) op.ApplicationType {
	switch {
	case loopback:
		// op accepts any port for a registered loopback URI of a native
		// client (RFC 8252 §7.3), so registering the portless form is enough.
		return op.ApplicationTypeNative
	case (implicit || method == AuthMethodNone) && allLoopback(redirects):
		// A public client redirecting to loopback is a native app (RFC 8252).
		return op.ApplicationTypeNative
	case implicit && !slices.Contains(grants, GrantAuthorizationCode):
		return op.ApplicationTypeUserAgent
	default:
		return op.ApplicationTypeWeb
	}
}

// registeredKey parses the spec's public key, which only private_key_jwt uses
// and requires.
func registeredKey(spec ClientSpec, method string) (*jose.JSONWebKey, error) {
	if method != AuthMethodPrivateKeyJWT {
		if spec.PublicKey != "" {
			return nil, specError("a public key is only used with private_key_jwt")
		}
		return nil, nil
	}
	if spec.PublicKey == "" {
		return nil, specError("private_key_jwt needs a public key")
	}
	return parsePublicKey(spec.PublicKey, spec.KeyID)
}

// checkRequestOptions checks the lifetime, the pushed and signed
// authorization request options and the token exchange audiences.
func checkRequestOptions(spec ClientSpec, method string, redirecting bool) error {
	if spec.AccessTokenLifetime < 0 {
		return specError("negative access token lifetime")
	}
	if spec.RequireRequestObject && method != AuthMethodPrivateKeyJWT && method != AuthMethodSecretJWT {
		return specError("signed request objects are verified with the client's registered key or, for client_secret_jwt, its secret; use one of those methods")
	}
	if (spec.RequirePAR || spec.RequireRequestObject) && !redirecting {
		return specError("pushed and signed authorization requests need a grant with a browser leg")
	}
	for _, a := range spec.ExchangeAudiences {
		if u, err := url.Parse(a); err != nil || a == "" || strings.ContainsAny(a, " \x00") || (u.IsAbs() && u.Host == "") {
			return specError("exchange audience %q is not a URI or a name", a)
		}
	}
	return nil
}

// responseTypeToken is the plain OAuth 2.0 implicit response type, which oidc
// does not name.
const responseTypeToken oidc.ResponseType = "token"

// authMethodSecretJWT is client_secret_jwt, which oidc does not name.
const authMethodSecretJWT oidc.AuthMethod = AuthMethodSecretJWT

func grantStrings(gs []oidc.GrantType) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = string(g)
	}
	return out
}

// validateRedirectURI allows https anywhere and http on loopback only.
func validateRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return specError("redirect uri %q is not an absolute URL", raw)
	}
	if u.Fragment != "" {
		return specError("redirect uri %q has a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return specError("redirect uri %q uses http on a non-loopback host", raw)
	default:
		return specError("redirect uri %q has unsupported scheme", raw)
	}
}

func allLoopback(uris []string) bool {
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
			return false
		}
	}
	return len(uris) > 0
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cloneInfo returns a copy that shares no slices with the stored record.
func cloneInfo(in ClientInfo) ClientInfo {
	out := in
	out.Grants = slices.Clone(in.Grants)
	out.Scopes = slices.Clone(in.Scopes)
	out.RedirectURIs = slices.Clone(in.RedirectURIs)
	out.ExchangeAudiences = slices.Clone(in.ExchangeAudiences)
	if in.Expiration != nil {
		t := *in.Expiration
		out.Expiration = &t
	}
	return out
}
