package playground

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// newProvider configures zitadel's OpenID provider on top of st.
func newProvider(issuer string, st *storage, cfg Config) (*op.Provider, error) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	config := &op.Config{
		CryptoKey:                key,
		CryptoKeyId:              "pg",
		DefaultLogoutRedirectURI: pathLoggedOut,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		GrantTypeRefreshToken:    true,
		RequestObjectSupported:   true,
		SupportedUILocales:       []language.Tag{language.English},
		SupportedScopes:          slices.Clone(KnownScopes),
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     cfg.DeviceCodeLifetime,
			PollInterval: cfg.DevicePollInterval,
			UserFormPath: pathDevice,
			UserCode:     op.UserCodeBase20,
		},
	}
	// The issuer is http://127.0.0.1:PORT, which op only accepts with
	// WithAllowInsecure.
	return op.NewProvider(config, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
}

// opServer is op's LegacyServer with the few behaviours the playground needs
// and op does not provide. Everything else is op's.
type opServer struct {
	*op.LegacyServer
	provider *op.Provider
	st       *storage
	issParam bool
	// structuredOnly refuses JWT access tokens at revocation and
	// introspection (Config.StructuredTokensOnly).
	structuredOnly bool
	// requirePAR and requireJAR are what discovery says about pushed and
	// signed authorization requests; parURL is the PAR endpoint.
	requirePAR, requireJAR bool
	parURL                 string
}

// VerifyClient authenticates the client of a token, revocation or device
// request. It extends op's in three ways:
//
//   - private_key_jwt for the client credentials grant: op's LegacyServer only
//     checks a secret for that grant, so the assertion is verified here with
//     op's own JWT profile verifier (signature against the client's
//     registered key, iss = sub = client id, aud = issuer, exp, iat);
//   - client assertions must carry a jti, and a jti is accepted once;
//   - the registered method is enforced (a client_secret_post client may not
//     use basic and vice versa), and failures answer invalid_client with 401.
func (s *opServer) VerifyClient(ctx context.Context, r *op.Request[op.ClientCredentials]) (op.Client, error) {
	c, err := s.verifyClient(ctx, r)
	if err != nil {
		return nil, clientError(err)
	}
	return c, nil
}

func (s *opServer) verifyClient(ctx context.Context, r *op.Request[op.ClientCredentials]) (op.Client, error) {
	cc := r.Data
	if cc.ClientAssertion != "" {
		return s.verifyAssertion(ctx, cc)
	}
	c, err := s.LegacyServer.VerifyClient(ctx, r)
	if err != nil {
		return nil, err
	}
	pc := s.st.client(c.GetID())
	if pc == nil {
		return nil, oidc.ErrInvalidClient()
	}
	_, _, basic := basicAuth(r.Header)
	if err := checkMethod(pc, basic, r.Form.Get("client_secret") != ""); err != nil {
		return nil, err
	}
	return pc, nil
}

// checkMethod refuses a secret sent another way than the client registered.
func checkMethod(c *client, basic, post bool) error {
	switch c.authMethod {
	case oidc.AuthMethodBasic:
		if !basic {
			return oidc.ErrInvalidClient().WithDescription("client %s is registered for client_secret_basic", c.info.ClientID)
		}
	case oidc.AuthMethodPost:
		if !post || basic {
			return oidc.ErrInvalidClient().WithDescription("client %s is registered for client_secret_post", c.info.ClientID)
		}
	case authMethodSecretJWT:
		// Its assertions are checked before; a bare secret is refused.
		return oidc.ErrInvalidClient().WithDescription("client %s is registered for client_secret_jwt: send an HS256 client assertion, not the secret", c.info.ClientID)
	case oidc.AuthMethodNone, oidc.AuthMethodPrivateKeyJWT:
		// no secret to check here
	}
	return nil
}

func basicAuth(h http.Header) (string, string, bool) {
	r := http.Request{Header: h}
	return r.BasicAuth()
}

func (s *opServer) verifyAssertion(ctx context.Context, cc *op.ClientCredentials) (op.Client, error) {
	if cc.ClientAssertionType != oidc.ClientAssertionTypeJWTAssertion {
		return nil, oidc.ErrInvalidClient().WithDescription("client_assertion_type must be %s", oidc.ClientAssertionTypeJWTAssertion)
	}
	if isHMACAssertion(cc.ClientAssertion) {
		return s.verifySecretJWT(ctx, cc)
	}
	if !s.provider.AuthMethodPrivateKeyJWTSupported() {
		return nil, oidc.ErrInvalidClient().WithDescription("private_key_jwt not supported")
	}
	verified, err := op.VerifyJWTAssertion(ctx, cc.ClientAssertion, s.provider.JWTProfileVerifier(ctx))
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("client assertion rejected: %s", assertionReason(err)).WithParent(err)
	}
	c := s.st.client(verified.Issuer)
	if c == nil || c.authMethod != oidc.AuthMethodPrivateKeyJWT {
		return nil, oidc.ErrInvalidClient().WithDescription("client is not registered for private_key_jwt")
	}
	if cc.ClientID != "" && cc.ClientID != c.info.ClientID {
		return nil, oidc.ErrInvalidClient().WithDescription("client_id does not match the assertion's issuer")
	}
	if verified.JWTID == "" {
		return nil, oidc.ErrInvalidClient().WithDescription("client assertion has no jti")
	}
	if !s.st.useJTI(c.info.ClientID, verified.JWTID, verified.ExpiresAt.AsTime()) {
		return nil, oidc.ErrInvalidClient().WithDescription("client assertion jti was already used")
	}
	return c, nil
}

// assertionReason turns op's verification error into a short description
// that never echoes the assertion.
func assertionReason(err error) string {
	switch {
	case errors.Is(err, oidc.ErrExpired):
		return "expired"
	case errors.Is(err, oidc.ErrAudience):
		return "aud must be the issuer"
	case errors.Is(err, oidc.ErrSubjectInvalid):
		return "iss and sub must both be the client id"
	case errors.Is(err, oidc.ErrIatMissing), errors.Is(err, oidc.ErrIatInFuture), errors.Is(err, oidc.ErrIatToOld):
		return "bad iat"
	case errors.Is(err, oidc.ErrSignatureUnsupportedAlg):
		return "unsupported signature algorithm (use RS256, PS256 or ES256)"
	case errors.Is(err, oidc.ErrSignatureInvalid), errors.Is(err, oidc.ErrSignatureInvalidPayload):
		return "signature does not verify with the registered key"
	case errors.Is(err, oidc.ErrParse):
		return "not a JWT"
	}
	return "invalid"
}

// clientError makes every client authentication failure an invalid_client
// answered with 401 (RFC 6749 §5.2); op would answer a plain storage error
// as a server error.
func clientError(err error) error {
	var se op.StatusError
	if errors.As(err, &se) {
		return err
	}
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		return op.NewStatusError(oidc.ErrInvalidClient().WithParent(err), http.StatusUnauthorized)
	}
	if oe.ErrorType == oidc.InvalidClient {
		return op.NewStatusError(oe, http.StatusUnauthorized)
	}
	return oe
}

// DeviceAuthorization refuses clients without the device grant before op
// stores anything; op does not check the grant at this endpoint.
func (s *opServer) DeviceAuthorization(ctx context.Context, r *op.ClientRequest[oidc.DeviceAuthorizationRequest]) (*op.Response, error) {
	if !op.ValidateGrantType(r.Client, oidc.GrantTypeDeviceCode) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("device authorization grant not enabled for this client")
	}
	return s.LegacyServer.DeviceAuthorization(ctx, r)
}

// Introspect answers RFC 7662 introspection. It is written here rather than
// left to op because op's version authenticates only secrets and
// private_key_jwt, and knows only access tokens: this one takes every client
// authentication the playground speaks (client_secret_jwt too), adds refresh
// tokens, the cnf of DPoP-bound tokens and the act of exchanged ones, and
// can play a provider that refuses structured tokens.
func (s *opServer) Introspect(ctx context.Context, r *op.Request[op.IntrospectionRequest]) (*op.Response, error) {
	cc := r.Data.ClientCredentials
	if cc == nil {
		cc = &op.ClientCredentials{}
	}
	_, _, basic := basicAuth(r.Header)
	c, err := s.authenticateCreds(ctx, cc, basic)
	if err != nil {
		return nil, clientError(err)
	}
	if c.authMethod == oidc.AuthMethodNone {
		return nil, clientError(oidc.ErrInvalidClient().WithDescription("public clients may not introspect tokens"))
	}
	token := ""
	if r.Data.IntrospectionRequest != nil {
		token = r.Data.Token
	}
	resp := new(oidc.IntrospectionResponse)
	if claims, ok := s.accessClaims(ctx, token); ok {
		if s.structuredOnly {
			return nil, op.NewStatusError(unsupportedTokenType("Structured JWT Tokens cannot be introspected via the introspection_endpoint"), http.StatusBadRequest)
		}
		if err := s.st.SetIntrospectionFromToken(ctx, resp, claims.JWTID, claims.Subject, c.info.ClientID); err == nil {
			resp.Active = true
			resp.Actor = claims.Actor
			if cnf, ok := claims.Claims["cnf"]; ok {
				resp.Claims = map[string]any{"cnf": cnf}
				// A DPoP-bound access token is of type DPoP (RFC 9449 §6.2).
				resp.TokenType = "DPoP"
			}
		}
		return op.NewResponse(resp), nil
	}
	if rt, ok := s.st.activeRefresh(token); ok {
		resp.Active = true
		resp.Scope = rt.scopes
		resp.ClientID = rt.clientID
		resp.Subject = rt.subject
		resp.Expiration = oidc.FromTime(rt.expires)
		resp.Issuer = op.IssuerFromContext(ctx)
		resp.TokenType = "refresh_token"
		if rt.jkt != "" {
			resp.Claims = map[string]any{"cnf": map[string]string{"jkt": rt.jkt}}
		}
	}
	return op.NewResponse(resp), nil
}

// accessClaims verifies token as a JWT access token of this provider.
func (s *opServer) accessClaims(ctx context.Context, token string) (*oidc.AccessTokenClaims, bool) {
	if strings.Count(token, ".") != 2 {
		return nil, false
	}
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, s.provider.AccessTokenVerifier(ctx))
	return claims, err == nil
}

// Revocation refuses JWT access tokens when the playground plays a provider
// that cannot revoke structured tokens (RFC 7009 §2.2.1); everything else is
// op's.
func (s *opServer) Revocation(ctx context.Context, r *op.ClientRequest[oidc.RevocationRequest]) (*op.Response, error) {
	if _, ok := s.accessClaims(ctx, r.Data.Token); ok && s.structuredOnly {
		return nil, op.RevocationError(unsupportedTokenType("Structured JWT Tokens cannot be revoked"))
	}
	return s.LegacyServer.Revocation(ctx, r)
}

// unsupportedTokenType is RFC 7009 §2.2.1's error, which oidc does not name.
func unsupportedTokenType(desc string) *oidc.Error {
	return &oidc.Error{ErrorType: "unsupported_token_type", Description: desc}
}

// discoveryDocument extends op's metadata with what the playground adds.
type discoveryDocument struct {
	*oidc.DiscoveryConfiguration
	// AuthorizationResponseIssParameterSupported is RFC 9207 metadata.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
	// PushedAuthorizationRequestEndpoint and RequirePushedAuthorizationRequests are RFC 9126 §5 metadata.
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint,omitempty"`
	RequirePushedAuthorizationRequests bool   `json:"require_pushed_authorization_requests,omitempty"`
	// DPoPSigningAlgValuesSupported is RFC 9449 §5.1 metadata.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
	// RequireSignedRequestObject is RFC 9101 §10.5 metadata.
	RequireSignedRequestObject bool `json:"require_signed_request_object,omitempty"`
}

// Discovery serves op's document, adjusted to what the playground really
// offers: the password grant and the plain "token" response type (legacy,
// per client), no JWT bearer grant, the assertion algorithms op's verifier
// accepts, and RFC 9207 when enabled.
func (s *opServer) Discovery(ctx context.Context, r *op.Request[struct{}]) (*op.Response, error) {
	resp, err := s.LegacyServer.Discovery(ctx, r)
	if err != nil {
		return nil, err
	}
	base, ok := resp.Data.(*oidc.DiscoveryConfiguration)
	if !ok {
		return resp, nil
	}
	d := *base
	d.GrantTypesSupported = slices.DeleteFunc(slices.Clone(d.GrantTypesSupported), func(g oidc.GrantType) bool {
		return g == oidc.GrantTypeBearer
	})
	d.GrantTypesSupported = append(d.GrantTypesSupported, oidc.GrantType(GrantPassword))
	d.ResponseTypesSupported = append(slices.Clone(d.ResponseTypesSupported), string(responseTypeToken))
	d.ResponseModesSupported = []string{string(oidc.ResponseModeQuery), string(oidc.ResponseModeFragment)}
	algs := []string{string(jose.RS256), string(jose.PS256), string(jose.ES256), string(jose.HS256)}
	d.TokenEndpointAuthSigningAlgValuesSupported = algs
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = algs
	d.RevocationEndpointAuthSigningAlgValuesSupported = algs
	methods := []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, authMethodSecretJWT, oidc.AuthMethodPrivateKeyJWT}
	d.TokenEndpointAuthMethodsSupported = append(slices.Clone(methods), oidc.AuthMethodNone)
	d.RevocationEndpointAuthMethodsSupported = append(slices.Clone(methods), oidc.AuthMethodNone)
	d.IntrospectionEndpointAuthMethodsSupported = methods
	d.RequestObjectSigningAlgValuesSupported = algs // HS256: client_secret_jwt clients, keyed with the secret
	d.RequestParameterSupported = true
	if !slices.Contains(d.GrantTypesSupported, oidc.GrantTypeTokenExchange) {
		d.GrantTypesSupported = append(d.GrantTypesSupported, oidc.GrantTypeTokenExchange)
	}
	out := op.NewResponse(discoveryDocument{
		DiscoveryConfiguration: &d, AuthorizationResponseIssParameterSupported: s.issParam,
		PushedAuthorizationRequestEndpoint: s.parURL, RequirePushedAuthorizationRequests: s.requirePAR,
		DPoPSigningAlgValuesSupported: dpopAlgs, RequireSignedRequestObject: s.requireJAR,
	})
	out.Header = resp.Header
	return out, nil
}

// issParameter adds the RFC 9207 "iss" parameter to authorization responses.
// op does not implement RFC 9207, so the redirects that carry an
// authorization response (from the authorization endpoint, its callback and
// the login pages) get it appended on their way out.
func issParameter(issuer string, paths []string, next http.Handler) http.Handler {
	origin, _ := url.Parse(issuer)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(paths, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&issWriter{ResponseWriter: w, issuer: issuer, origin: origin}, r)
	})
}

type issWriter struct {
	http.ResponseWriter
	issuer      string
	origin      *url.URL
	wroteHeader bool
}

func (w *issWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		if code == http.StatusFound || code == http.StatusSeeOther {
			if loc := w.Header().Get("Location"); loc != "" {
				w.Header().Set("Location", withIss(loc, w.issuer, w.origin))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *issWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// withIss appends iss to an authorization response URL: in the fragment when
// the response is there, else in the query. Redirects within the provider
// and URLs that are not authorization responses are left alone.
func withIss(loc, issuer string, origin *url.URL) string {
	u, err := url.Parse(loc)
	if err != nil || !u.IsAbs() || (u.Scheme == origin.Scheme && u.Host == origin.Host) {
		return loc
	}
	isResponse := func(v url.Values) bool {
		return v.Has("code") || v.Has("error") || v.Has("access_token") || v.Has("id_token")
	}
	if u.RawFragment != "" || u.Fragment != "" {
		frag, err := url.ParseQuery(u.EscapedFragment())
		if err == nil && isResponse(frag) && !frag.Has("iss") {
			frag.Set("iss", issuer)
			u.RawFragment = frag.Encode()
			u.Fragment, _ = url.PathUnescape(u.RawFragment)
			return u.String()
		}
		return loc
	}
	q := u.Query()
	if !isResponse(q) || q.Has("iss") {
		return loc
	}
	q.Set("iss", issuer)
	u.RawQuery = q.Encode()
	return u.String()
}

// noStore marks token endpoint responses uncacheable (RFC 6749 §5.1).
func noStore(paths []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(paths, r.URL.Path) {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
		}
		next.ServeHTTP(w, r)
	})
}

// endBrowserSession signs the browser out at the end-session endpoint before
// op handles the request; op's storage hook has no access to the cookie.
func endBrowserSession(path string, ss *sessions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			ss.destroy(w, r)
		}
		next.ServeHTTP(w, r)
	})
}

const pathLoggedOut = "/logged-out"

func loggedOut(w http.ResponseWriter, _ *http.Request) {
	renderResult(w, http.StatusOK, "Signed out", "signed-out", "You are signed out of the playground provider.")
}
