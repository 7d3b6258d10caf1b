// Package vault holds authdeck's workspace: the model types (environments, auth
// clients, secrets, saved requests), the catalog of non-secret metadata, the
// Store interface with its keychain, encrypted-file and memory backends, and
// the repository that keeps catalog and store consistent.
package vault

import (
	"time"
)

// SecretType names the kind of credential a secret holds. The names follow the
// reference secret service so its JSON imports as-is.
type SecretType string

// Secret types.
const (
	TypeAPIKey      SecretType = "API_KEY"
	TypeSimple      SecretType = "SIMPLE"
	TypeOAuthToken  SecretType = "OA2_AUTHORIZATION_CODE"
	TypeSessionAuth SecretType = "SESSION_AUTH"
	TypePrivateKey  SecretType = "PRIVATE_KEY"
	TypeClientCert  SecretType = "CLIENT_CERT"
	TypeOAuth1Token SecretType = "OA1_TOKEN"
)

// SecretTypes lists every secret type in display order.
var SecretTypes = []SecretType{TypeAPIKey, TypeSimple, TypeOAuthToken, TypeSessionAuth, TypePrivateKey, TypeClientCert, TypeOAuth1Token}

// ClientType says which protocol an auth client speaks.
type ClientType string

// Auth client types.
const (
	ClientOAuth2      ClientType = "OA2_AUTHORIZATION_CODE"
	ClientSessionAuth ClientType = "SESSION_AUTH"
	ClientOAuth1      ClientType = "OAUTH1"
)

// AuthMethod is how an OAuth client authenticates at the token endpoint.
type AuthMethod string

// Client authentication methods; always set explicitly, never guessed.
const (
	AuthClientSecretBasic AuthMethod = "client_secret_basic"
	AuthClientSecretPost  AuthMethod = "client_secret_post"
	AuthClientSecretJWT   AuthMethod = "client_secret_jwt"
	AuthPrivateKeyJWT     AuthMethod = "private_key_jwt"
	AuthNone              AuthMethod = "none"
	AuthTLSClient         AuthMethod = "tls_client_auth"
)

// Signing algorithms of a client's private key (AuthClient.SigningAlg);
// vault/keygen generates keys for each.
const (
	AlgRS256 = "RS256"
	AlgPS256 = "PS256"
	AlgES256 = "ES256"
)

// AuthMethods lists every client authentication method.
var AuthMethods = []AuthMethod{AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone, AuthTLSClient}

// UsesSecret reports whether the method authenticates with the client secret.
func (m AuthMethod) UsesSecret() bool {
	return m == AuthClientSecretBasic || m == AuthClientSecretPost || m == AuthClientSecretJWT
}

// Grant is the OAuth grant an auth client uses to obtain tokens.
type Grant string

// Grants. Password and implicit are legacy and need AllowDeprecated.
const (
	GrantClientCredentials Grant = "client_credentials"
	GrantAuthorizationCode Grant = "authorization_code"
	GrantDeviceCode        Grant = "device_code"
	GrantPassword          Grant = "password"
	GrantImplicit          Grant = "implicit"
	GrantRefreshToken      Grant = "refresh_token"
	// GrantTokenExchange is RFC 8693 token exchange: a token of another
	// credential (the subject) is traded for a new one.
	GrantTokenExchange Grant = "token_exchange"
)

// Grants lists the grants a client can be configured with.
var Grants = []Grant{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantTokenExchange, GrantPassword, GrantImplicit}

// Deprecated reports whether the grant is a legacy one that must be opted into.
func (g Grant) Deprecated() bool { return g == GrantPassword || g == GrantImplicit }

// Placement says where a bearer token goes in a request.
type Placement string

// Bearer token placements (RFC 6750 §2). Body and query carry a warning.
const (
	PlaceHeader Placement = "header"
	PlaceBody   Placement = "body"
	PlaceQuery  Placement = "query"
)

// Meta is the metadata every secret and auth client carries.
type Meta struct {
	// ID is a random, stable identifier; stored values are keyed by it.
	ID string `json:"id"`
	// Name is unique per kind within an environment.
	Name string `json:"name"`
	// Env is the name of the environment the item lives in.
	Env string `json:"env"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	// Expiration is when the credential stops being valid; nil means never.
	Expiration *time.Time `json:"expiration,omitempty"`
	// Tenant is an optional ownership label.
	Tenant string `json:"tenant,omitempty"`
	// AllowedHosts limits which hosts the credential may be sent to; empty means any.
	AllowedHosts []string `json:"allowedHosts,omitempty"`
	// Shared marks an item of a team workspace whose value the team shares:
	// it is kept in the workspace folder encrypted to the team's
	// recipients (S-45), and a person's own value still overrides it.
	Shared bool `json:"shared,omitempty"`
	// SharedWith names the team members the shared value is encrypted to.
	SharedWith []string `json:"sharedWith,omitempty"`
	// Created is when the item was first stored.
	Created time.Time `json:"created"`
	// Updated is when the item last changed.
	Updated time.Time `json:"updated"`
}

// Variable is a `{{name}}` substitution of an environment. A secret variable's
// value lives in the store, never in the catalog.
type Variable struct {
	// Name is the variable name used as {{Name}}.
	Name string `json:"name"`
	// Value is the plain value; always empty for secret variables.
	Value string `json:"value,omitempty"`
	// Secret marks a variable whose value is kept in the store.
	Secret bool `json:"secret,omitempty"`
}

// Environment is a named context (dev, staging, prod) holding variables,
// secrets and auth clients.
type Environment struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Tenant      string     `json:"tenant,omitempty"`
	Description string     `json:"description,omitempty"`
	Variables   []Variable `json:"variables,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
}

// Var returns the variable with the given name.
func (e *Environment) Var(name string) (Variable, bool) {
	for _, v := range e.Variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// HasSecretVars reports whether any variable of the environment is secret.
func (e *Environment) HasSecretVars() bool {
	for _, v := range e.Variables {
		if v.Secret {
			return true
		}
	}
	return false
}

// Endpoints are the URLs of an authorization server.
type Endpoints struct {
	Authorization string `json:"authorization,omitempty"`
	Token         string `json:"token,omitempty"`
	Device        string `json:"device,omitempty"`
	Introspection string `json:"introspection,omitempty"`
	Revocation    string `json:"revocation,omitempty"`
	JWKS          string `json:"jwks,omitempty"`
	Userinfo      string `json:"userinfo,omitempty"`
	// OAuth 1.0a temporary-credentials (request token) endpoint.
	RequestToken string `json:"requestToken,omitempty"`
	// PAR is the pushed authorization request endpoint (RFC 9126).
	PAR string `json:"par,omitempty"`
}

// Param is an ordered key/value pair (extra parameters, template fields, headers).
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SessionAuthType is how a session-auth token request sends its fields.
type SessionAuthType string

// Session-auth body encodings.
const (
	SessionFormAuth SessionAuthType = "FORM_AUTH"
	SessionJSONAuth SessionAuthType = "JSON_AUTH"
)

// SessionTemplate is the token request of a SESSION_AUTH client. Field values
// may contain {{fields.NAME}} placeholders filled from a secret's inputFields.
type SessionTemplate struct {
	URL            string          `json:"url"`
	AuthType       SessionAuthType `json:"authType"`
	RequestFields  []Param         `json:"requestFields,omitempty"`
	TokenPath      string          `json:"tokenPath"`
	ExpirationPath string          `json:"expirationPath,omitempty"`
}

// TokenExchange configures the RFC 8693 token exchange grant: where the
// subject (and optional actor) token comes from and what to ask for.
type TokenExchange struct {
	// Subject names the credential of the same environment whose token is
	// exchanged (an auth client or a token secret); empty means the
	// subject token is given at each call (stdin in the CLI).
	Subject string `json:"subject,omitempty"`
	// SubjectTokenType is the subject token's type URI; empty means
	// urn:ietf:params:oauth:token-type:access_token.
	SubjectTokenType string `json:"subjectTokenType,omitempty"`
	// Actor names the credential whose token acts for the subject; optional.
	Actor string `json:"actor,omitempty"`
	// ActorTokenType is the actor token's type URI; empty means an access token.
	ActorTokenType string `json:"actorTokenType,omitempty"`
	// RequestedTokenType is the type URI asked for; empty lets the server choose.
	RequestedTokenType string `json:"requestedTokenType,omitempty"`
}

// AuthClient describes how to obtain tokens from one authorization server.
// Its client secret, private key or client certificate live in the store.
type AuthClient struct {
	Meta
	Type ClientType `json:"type"`
	// Issuer is the OpenID/OAuth issuer used for discovery; optional when
	// endpoints are set by hand.
	Issuer    string    `json:"issuer,omitempty"`
	Endpoints Endpoints `json:"endpoints"`
	ClientID  string    `json:"clientId,omitempty"`
	// AuthMethod is the client authentication method at the token endpoint.
	AuthMethod AuthMethod `json:"authMethod,omitempty"`
	Grant      Grant      `json:"grant,omitempty"`
	Scopes     []string   `json:"scopes,omitempty"`
	Audience   string     `json:"audience,omitempty"`
	Resource   string     `json:"resource,omitempty"`
	// RedirectURI is a registered redirect URI; empty means
	// http://127.0.0.1:{port}/callback with an OS-chosen port.
	RedirectURI string `json:"redirectUri,omitempty"`
	// Prompt is the OpenID prompt parameter (e.g. "consent", "none", "login").
	Prompt string `json:"prompt,omitempty"`
	// AuthParams are extra authorization-endpoint parameters.
	AuthParams []Param `json:"authParams,omitempty"`
	// TokenParams are extra token-endpoint parameters.
	TokenParams []Param `json:"tokenParams,omitempty"`
	// TokenMethod is POST (default) or GET for the token endpoint.
	TokenMethod string `json:"tokenMethod,omitempty"`
	// SigningAlg is the private_key_jwt algorithm: RS256, PS256 or ES256
	// (HS256 for client_secret_jwt).
	SigningAlg string `json:"signingAlg,omitempty"`
	// KeyID is the key id (thumbprint) of the private key used for client assertions.
	KeyID string `json:"keyId,omitempty"`
	// DPoP sender-constrains the client's tokens (RFC 9449) with an ES256
	// key kept with the client credentials.
	DPoP bool `json:"dpop,omitempty"`
	// DPoPKeyID is the RFC 7638 thumbprint of the DPoP key (its jkt).
	DPoPKeyID string `json:"dpopKeyId,omitempty"`
	// PAR pushes authorization requests (RFC 9126) even when the provider
	// does not require it.
	PAR bool `json:"par,omitempty"`
	// RequestObject signs authorization requests as a JWT (RFC 9101) even
	// when the provider does not require it.
	RequestObject bool `json:"requestObject,omitempty"`
	// Exchange configures the token_exchange grant.
	Exchange *TokenExchange `json:"exchange,omitempty"`
	// AllowDeprecated enables the password and implicit grants for this client.
	AllowDeprecated bool `json:"allowDeprecated,omitempty"`
	// InsecureSkipVerify turns TLS verification off for this client (shown in the UI).
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
	// RefreshSkew refreshes tokens this long before expiry; zero means the default (30 s).
	RefreshSkew Duration `json:"refreshSkew,omitempty"`
	// SessionAuth is the token request template of a SESSION_AUTH client.
	SessionAuth *SessionTemplate `json:"sessionAuth,omitempty"`
	// SignatureMethod is the OAuth 1.0a signature method.
	SignatureMethod string `json:"signatureMethod,omitempty"`
	// Callback is the OAuth 1.0a callback ("oob" or empty for loopback).
	Callback string `json:"callback,omitempty"`
	// Realm is the OAuth 1.0a realm sent in the Authorization header
	// (never signed, RFC 5849 §3.5.1); empty sends none.
	Realm string `json:"realm,omitempty"`
	// BodyHash adds oauth_body_hash (the OAuth Request Body Hash
	// extension) to requests whose body is not a form, so the signature
	// covers the body too.
	BodyHash bool `json:"bodyHash,omitempty"`
	// HasSecret says whether client credentials are kept in the store.
	HasSecret bool `json:"hasSecret,omitempty"`
	// SecretExpiration is when the client secret expires, if known.
	SecretExpiration *time.Time `json:"secretExpiration,omitempty"`
}

// ClientCredentials are the stored, secret parts of an auth client.
type ClientCredentials struct {
	ClientSecret string `json:"clientSecret,omitempty"`
	// PrivateKey is a PEM private key for private_key_jwt or OAuth 1.0a RSA signatures.
	PrivateKey string `json:"privateKey,omitempty"`
	// Cert and CertKey are PEM blocks for tls_client_auth.
	Cert    string `json:"cert,omitempty"`
	CertKey string `json:"certKey,omitempty"`
	// DPoPKey is the PEM (PKCS#8) EC P-256 key that signs DPoP proofs.
	DPoPKey string `json:"dpopKey,omitempty"`
}

// Empty reports whether no credential is set.
func (c ClientCredentials) Empty() bool {
	return c == ClientCredentials{}
}

// Secret is a credential's metadata. Its value lives in the store.
type Secret struct {
	Meta
	Type SecretType `json:"type"`
	// AuthClient names the auth client (same environment) a token or session secret belongs to.
	AuthClient string `json:"authClient,omitempty"`
	// HeaderName is the API_KEY header (default Authorization).
	HeaderName string `json:"headerName,omitempty"`
	// QueryParam, when set, sends an API_KEY as this query parameter instead of a header.
	QueryParam string `json:"queryParam,omitempty"`
	// Placement is where a bearer token goes (header by default).
	Placement Placement `json:"placement,omitempty"`
	// Token metadata (not secret) so lists and dashboards need no store call.
	Scope        string     `json:"scope,omitempty"`
	TokenExpires *time.Time `json:"tokenExpires,omitempty"`
	HasRefresh   bool       `json:"hasRefresh,omitempty"`
	LastRefresh  *time.Time `json:"lastRefresh,omitempty"`
	// KeyID is the key id / thumbprint of a PRIVATE_KEY secret.
	KeyID string `json:"keyId,omitempty"`
	// Generated marks a secret whose value authdeck generated.
	Generated bool `json:"generated,omitempty"`
}

// SecretValue holds the secret fields of every secret type. JSON names follow
// the reference secret service.
type SecretValue struct {
	// API_KEY
	Key        string `json:"key,omitempty"`
	HeaderName string `json:"headerName,omitempty"`
	// SIMPLE
	Username   string `json:"username,omitempty"`
	Passphrase string `json:"passphrase,omitempty"`
	// OA2_AUTHORIZATION_CODE and SESSION_AUTH
	AuthClientID string `json:"authClientId,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
	IDToken      string `json:"idToken,omitempty"`
	TokenType    string `json:"tokenType,omitempty"`
	Scope        string `json:"scope,omitempty"`
	// Expires is RFC 3339 (empty = unknown).
	Expires string `json:"expires,omitempty"`
	// DPoPJKT is the thumbprint of the DPoP key the tokens are bound to
	// (the cnf.jkt of RFC 9449); empty for bearer tokens.
	DPoPJKT string `json:"dpopJkt,omitempty"`
	// IssuedTokenType is the RFC 8693 issued_token_type of an exchanged token.
	IssuedTokenType string `json:"issuedTokenType,omitempty"`
	// SESSION_AUTH
	InputFields map[string]string `json:"inputFields,omitempty"`
	// PRIVATE_KEY (PEM) and CLIENT_CERT (Cert + PrivateKey PEM)
	PrivateKey string `json:"privateKey,omitempty"`
	Cert       string `json:"cert,omitempty"`
	// OAuth 1.0a token credentials
	Token       string `json:"token,omitempty"`
	TokenSecret string `json:"tokenSecret,omitempty"`
}

// Header is one HTTP header of a saved request.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Disabled keeps a header that is not sent (as an imported file had it).
	Disabled bool `json:"disabled,omitempty"`
}

// Request is a saved HTTP request resolved in its environment.
type Request struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Env         string   `json:"env"`
	Description string   `json:"description,omitempty"`
	Method      string   `json:"method"`
	URL         string   `json:"url"`
	Headers     []Header `json:"headers,omitempty"`
	Body        string   `json:"body,omitempty"`
	// Auth names a secret or auth client of the environment; empty = none.
	Auth string `json:"auth,omitempty"`
	// Placement overrides the bearer placement of the credential.
	Placement Placement `json:"placement,omitempty"`
	// InsecureSkipVerify turns TLS verification off for this request only.
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
	// Folder is the path of folders the request is filed under, outermost
	// first; empty for a request at the top. Names stay unique in the
	// environment whatever the folder.
	Folder []string `json:"folder,omitempty"`
	// Params are query parameters added to the URL when sent; a disabled
	// one is kept (as an imported file had it) but not sent.
	Params []QueryParam `json:"params,omitempty"`
	// Form is a multipart/form-data body; file parts are read when sent.
	// With a Content-Type header of application/x-www-form-urlencoded it
	// is sent as that instead (text fields only). A request has at most
	// one of Body, Form and BodyFile.
	Form []FormField `json:"form,omitempty"`
	// BodyFile is a file whose content is the body, read when sent.
	BodyFile string `json:"bodyFile,omitempty"`
	// StripLineBreaks sends BodyFile as curl -d @file does: without its
	// line breaks (carriage returns and line feeds), and what follows a
	// carriage return on its line left out (what curl's import keeps).
	StripLineBreaks bool `json:"stripLineBreaks,omitempty"`
	// Scheme is an HTTP authentication computed when sent from
	// {{variables}} (basic, digest, AWS Signature v4); a request has a
	// Scheme or an Auth, not both.
	Scheme  *AuthScheme `json:"scheme,omitempty"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
}

// Settings are user preferences kept in the catalog.
type Settings struct {
	Theme string `json:"theme,omitempty"`
	// ClipboardClear is how long a copied value stays on the clipboard (default 45 s).
	ClipboardClear Duration `json:"clipboardClear,omitempty"`
}

// Duration is a time.Duration that marshals as a Go duration string ("30s").
type Duration time.Duration

// MarshalText encodes the duration as "30s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText parses "30s", "5m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// HasOAuth1Flow reports whether an OAuth 1.0a auth client names any of the
// three-legged flow's URLs (request token, authorization, access token).
// A client with none only signs requests with the token credentials
// stored with it; it has no flow to run.
func (c *AuthClient) HasOAuth1Flow() bool {
	return c.Endpoints.RequestToken != "" || c.Endpoints.Authorization != "" || c.Endpoints.Token != ""
}
