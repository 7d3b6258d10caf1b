package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Metadata is an authorization server's metadata (RFC 8414, OpenID Connect
// Discovery 1.0): the fields authdeck uses.
type Metadata struct {
	Issuer                            string            `json:"issuer"`
	AuthorizationEndpoint             string            `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string            `json:"token_endpoint,omitempty"`
	DeviceAuthorizationEndpoint       string            `json:"device_authorization_endpoint,omitempty"`
	IntrospectionEndpoint             string            `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint                string            `json:"revocation_endpoint,omitempty"`
	JWKSURI                           string            `json:"jwks_uri,omitempty"`
	UserinfoEndpoint                  string            `json:"userinfo_endpoint,omitempty"`
	ScopesSupported                   []string          `json:"scopes_supported,omitempty"`
	ResponseTypesSupported            []string          `json:"response_types_supported,omitempty"`
	GrantTypesSupported               []string          `json:"grant_types_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string          `json:"token_endpoint_auth_methods_supported,omitempty"`
	CodeChallengeMethodsSupported     []string          `json:"code_challenge_methods_supported,omitempty"`
	AuthorizationResponseIssParameter bool              `json:"authorization_response_iss_parameter_supported,omitempty"`
	IntrospectionAuthMethodsSupported []string          `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	RevocationAuthMethodsSupported    []string          `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	TokenEndpointAuthSigningAlgsSupp  []string          `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	RequestURIParameterSupported      bool              `json:"request_uri_parameter_supported,omitempty"`
	TLSClientCertificateBoundTokens   bool              `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	MTLSEndpointAliases               map[string]string `json:"mtls_endpoint_aliases,omitempty"`
	// PAREndpoint and RequirePAR are RFC 9126 §5 metadata.
	PAREndpoint string `json:"pushed_authorization_request_endpoint,omitempty"`
	RequirePAR  bool   `json:"require_pushed_authorization_requests,omitempty"`
	// DPoPSigningAlgs is RFC 9449 §5.1 metadata: the provider speaks DPoP.
	DPoPSigningAlgs []string `json:"dpop_signing_alg_values_supported,omitempty"`
	// RequestParameterSupported, RequestObjectSigningAlgs and
	// RequireSignedRequestObject describe request objects (RFC 9101 §10.5).
	RequestParameterSupported  bool     `json:"request_parameter_supported,omitempty"`
	RequestObjectSigningAlgs   []string `json:"request_object_signing_alg_values_supported,omitempty"`
	RequireSignedRequestObject bool     `json:"require_signed_request_object,omitempty"`
	// Source is the URL the metadata was read from; empty for manual endpoints.
	Source string `json:"-"`
}

// Endpoints returns the endpoints as the vault model names them.
func (m *Metadata) Endpoints() vault.Endpoints {
	return vault.Endpoints{
		Authorization: m.AuthorizationEndpoint,
		Token:         m.TokenEndpoint,
		Device:        m.DeviceAuthorizationEndpoint,
		Introspection: m.IntrospectionEndpoint,
		Revocation:    m.RevocationEndpoint,
		JWKS:          m.JWKSURI,
		Userinfo:      m.UserinfoEndpoint,
		PAR:           m.PAREndpoint,
	}
}

// DiscoveryURLs returns the metadata URLs tried for issuer, in order: the
// OpenID Connect location, then the RFC 8414 one (path inserted after the host).
func DiscoveryURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("issuer %q is not an absolute URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("issuer %q must not have a query or fragment", issuer)
	}
	oidc := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	as := u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + path
	return []string{oidc, as}, nil
}

// ParseMetadata decodes a discovery document and checks it: the issuer must
// equal the configured issuer exactly (S-11) and every endpoint must be an
// https URL, or http on loopback (S-13). source names the document in errors.
func ParseMetadata(source, issuer string, data []byte) (*Metadata, error) {
	if len(data) > MaxResponseBytes {
		return nil, tooLarge("discovery", 200)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, &Error{
			Kind: KindBadResponse, Op: "discovery",
			Reason: fmt.Sprintf("%s is not a JSON metadata document", source),
			Hint:   "check the issuer URL",
		}
	}
	var m Metadata
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&m); err != nil {
		return nil, &Error{
			Kind: KindBadResponse, Op: "discovery",
			Reason: fmt.Sprintf("%s does not parse (%s)", source, jsonErrorAt(trimmed, err)),
		}
	}
	if m.Issuer == "" {
		return nil, &Error{Kind: KindBadResponse, Op: "discovery", Reason: fmt.Sprintf("%s has no issuer", source)}
	}
	if m.Issuer != issuer {
		return nil, &Error{
			Kind: KindNotConfigured, Op: "discovery",
			Reason: fmt.Sprintf("%s names the issuer %q, not the configured %q; the metadata was refused (S-11)", source, sanitize(m.Issuer, 200), issuer),
			Hint:   "set the auth client's issuer to exactly the provider's issuer (mind a trailing slash), or check that the URL is the right provider",
		}
	}
	for _, e := range []struct{ name, v string }{
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
		{"device_authorization_endpoint", m.DeviceAuthorizationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"jwks_uri", m.JWKSURI},
		{"userinfo_endpoint", m.UserinfoEndpoint},
		{"pushed_authorization_request_endpoint", m.PAREndpoint},
	} {
		if e.v == "" {
			continue
		}
		if err := vault.CheckURL(e.name, e.v); err != nil {
			return nil, &Error{
				Kind: KindBadResponse, Op: "discovery",
				Reason: fmt.Sprintf("%s: %s", source, sanitize(err.Error(), 300)),
			}
		}
	}
	m.Source = source
	return &m, nil
}

// discoveryTTL is how long discovered metadata is reused within a process.
const discoveryTTL = 10 * time.Minute

type discEntry struct {
	md  *Metadata
	at  time.Time
	err error
}

// Discover reads issuer's metadata: /.well-known/openid-configuration, then
// /.well-known/oauth-authorization-server. The result is cached for a while
// per engine. A document naming another issuer is refused (S-11).
func (e *Engine) Discover(ctx context.Context, issuer string) (*Metadata, error) {
	f := e.bareFlow(nil)
	return f.discover(ctx, issuer)
}

func (f *flow) discover(ctx context.Context, issuer string) (*Metadata, error) {
	e := f.e
	if err := vault.CheckURL("issuer", issuer); err != nil {
		return nil, &Error{Kind: KindNotConfigured, Op: "discovery", Reason: err.Error()}
	}
	now := e.now()
	e.mu.Lock()
	if d, ok := e.disc[issuer]; ok && now.Sub(d.at) < discoveryTTL && d.err == nil {
		e.mu.Unlock()
		return d.md, nil
	}
	e.mu.Unlock()
	urls, err := DiscoveryURLs(issuer)
	if err != nil {
		return nil, &Error{Kind: KindNotConfigured, Op: "discovery", Reason: err.Error()}
	}
	var firstErr error
	for _, u := range urls {
		resp, err := f.do(ctx, call{step: "discovery", method: "GET", url: u})
		if err != nil {
			if KindOf(err) == KindAborted {
				return nil, err
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if resp.status == 404 || resp.status == 405 || resp.status == 400 {
			continue
		}
		if resp.status < 200 || resp.status > 299 {
			err := statusError("discovery", resp.status, resp.contentType)
			f.fail(resp.idx, err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		md, err := ParseMetadata(u, issuer, resp.body)
		if err != nil {
			f.fail(resp.idx, err)
			return nil, err
		}
		e.mu.Lock()
		e.disc[issuer] = &discEntry{md: md, at: now}
		e.mu.Unlock()
		return md, nil
	}
	if firstErr != nil {
		var oe *Error
		if errors.As(firstErr, &oe) {
			return nil, firstErr
		}
		return nil, &Error{Kind: KindUnreachable, Op: "discovery", Reason: "the issuer's metadata could not be read", Err: firstErr}
	}
	return nil, &Error{
		Kind: KindNotConfigured, Op: "discovery",
		Reason: fmt.Sprintf("%s publishes no metadata at %s or %s", issuer, urls[0], urls[1]),
		Hint:   "set the endpoints by hand (--token-url, --auth-url, --device-url) instead of an issuer",
	}
}
