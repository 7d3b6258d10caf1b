package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Introspection is an RFC 7662 introspection response.
type Introspection struct {
	// Active says whether the server considers the token usable.
	Active    bool
	Scope     string
	Scopes    []string
	ClientID  string
	Username  string
	TokenType string
	Subject   string
	Issuer    string
	JTI       string
	Audience  []string
	// Expiry, IssuedAt and NotBefore are nil when absent.
	Expiry    *time.Time
	IssuedAt  *time.Time
	NotBefore *time.Time
	// Extra holds the other scalar fields as text, sorted by name in ExtraNames.
	Extra map[string]string
	// Local is set when the provider would not introspect a JWT access
	// token and authdeck verified it itself; Active then means every local
	// check passed.
	Local *LocalVerification
}

// ExtraNames returns the names of the extra fields in sorted order.
func (in *Introspection) ExtraNames() []string {
	names := make([]string, 0, len(in.Extra))
	for k := range in.Extra {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ParseIntrospection decodes an introspection response; "active" is required.
func ParseIntrospection(status int, contentType string, body []byte) (*Introspection, error) {
	const op = "introspection"
	m, err := decodeSuccess(op, status, contentType, body)
	if err != nil {
		return nil, err
	}
	active, ok := m["active"]
	if !ok {
		return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: `the response has no "active" field`}
	}
	in := &Introspection{Extra: map[string]string{}}
	switch a := active.(type) {
	case bool:
		in.Active = a
	case string:
		in.Active = a == "true"
	default:
		return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: `"active" is not a boolean`}
	}
	str := func(k string) string { s, _ := scalarString(m[k]); return s }
	in.Scope = str("scope")
	in.Scopes = splitScopes(in.Scope)
	in.ClientID, in.Username, in.TokenType = str("client_id"), str("username"), str("token_type")
	in.Subject, in.Issuer, in.JTI = str("sub"), str("iss"), str("jti")
	switch a := m["aud"].(type) {
	case string:
		in.Audience = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				in.Audience = append(in.Audience, s)
			}
		}
	}
	in.Expiry, in.IssuedAt, in.NotBefore = numericDate(m["exp"]), numericDate(m["iat"]), numericDate(m["nbf"])
	for k, v := range m {
		switch k {
		case "active", "scope", "client_id", "username", "token_type", "sub", "iss", "jti", "aud", "exp", "iat", "nbf":
			continue
		}
		if s, ok := scalarString(v); ok {
			in.Extra[k] = sanitize(s, 200)
			continue
		}
		// The binding of a sender-constrained token (cnf.jkt of RFC 9449
		// §6.2, cnf.x5t#S256 of RFC 8705) and the actor of an exchanged
		// one (act.sub of RFC 8693 §4.1), as the local verification shows
		// them.
		if o, ok := v.(map[string]any); ok && (k == "cnf" || k == "act") {
			for sub, x := range o {
				if s, ok := scalarString(x); ok {
					in.Extra[k+"."+sub] = sanitize(s, 200)
				}
			}
		}
	}
	return in, nil
}

// introspect asks the introspection endpoint about token.
func (f *flow) introspect(ctx context.Context, token, hint string) (*Introspection, error) {
	if err := f.needEndpoints(ctx, false, "introspection"); err != nil {
		return nil, err
	}
	f.red.addValue(token)
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	header := http.Header{}
	if err := f.authenticate(form, header); err != nil {
		return nil, err
	}
	resp, err := f.do(ctx, call{step: "introspection", url: f.eps.Introspection, form: form, header: header})
	if err != nil {
		return nil, err
	}
	in, err := ParseIntrospection(resp.status, resp.contentType, resp.body)
	if err != nil {
		f.fail(resp.idx, err)
		return nil, err
	}
	return in, nil
}

// TokenKind picks the token of a token set.
type TokenKind string

// Token kinds, as RFC 7009/7662 token_type_hint values.
const (
	AccessToken  TokenKind = "access_token"
	RefreshToken TokenKind = "refresh_token"
)

// Introspect asks the provider about the stored access (or refresh) token of
// req's token set (RFC 7662).
func (e *Engine) Introspect(ctx context.Context, req TokenRequest, which TokenKind) (*Introspection, error) {
	t, val, f, err := e.storedFlow(ctx, req, "introspection")
	if err != nil {
		return nil, err
	}
	tok := val.AccessToken
	if which == RefreshToken {
		tok = val.RefreshToken
	}
	if tok == "" {
		return nil, newError(KindMissingInput, "introspection", fmt.Sprintf("no %s is stored for %q", strings.ReplaceAll(string(which), "_", " "), t.name), "get one with `authdeck token "+t.name+"`", nil)
	}
	if which == AccessToken {
		if err := f.needEndpoints(ctx, false, "introspection"); err != nil {
			if KindOf(err) == KindNotConfigured && f.eps.Introspection == "" {
				if j, jerr := DecodeJWT(tok); jerr == nil {
					return f.verifyLocally(ctx, tok, j, val, "the provider publishes no introspection endpoint"), nil
				}
			}
			return nil, err
		}
	}
	in, err := f.introspect(ctx, tok, string(which))
	if which == AccessToken && isUnsupportedTokenType(err) {
		if j, jerr := DecodeJWT(tok); jerr == nil {
			var oe *Error
			errors.As(err, &oe)
			why := "the provider does not introspect this token (unsupported_token_type)"
			if oe.Description != "" {
				why += `: "` + oe.Description + `"`
			}
			f.tr.note("introspection", "the provider does not introspect JWT access tokens; verifying the token locally against its JWKS")
			return f.verifyLocally(ctx, tok, j, val, why), nil
		}
	}
	return in, err
}

// storedFlow resolves req, reads its stored token set and prepares a flow.
func (e *Engine) storedFlow(ctx context.Context, req TokenRequest, op string) (*target, *vault.SecretValue, *flow, error) {
	t, err := e.resolve(req)
	if err != nil {
		return nil, nil, nil, err
	}
	if t.session || t.client == nil {
		return nil, nil, nil, newError(KindNotConfigured, op, fmt.Sprintf("%q has no OAuth 2.0 auth client to ask", req.Name), "", nil)
	}
	val, err := e.readValue(ctx, t)
	if err != nil {
		return nil, nil, nil, err
	}
	if val == nil {
		return nil, nil, nil, newError(KindMissingInput, op, fmt.Sprintf("no token is stored for %q yet", req.Name), "get one with `authdeck token "+req.Name+"`", nil)
	}
	f, err := e.flowFor(ctx, t, req.Transcript, FlowCallbacks{})
	if err != nil {
		return nil, nil, nil, err
	}
	return t, val, f, nil
}
