package oauth

import (
	"context"
	"net/url"
	"time"
)

// implicit runs the implicit grant (RFC 6749 §4.2): the token comes back in
// the redirect's fragment, which the loopback page turns into a query on
// the same path. It is off unless the client enables deprecated grants and
// its result is labelled deprecated (S-12). There is no refresh token.
func (f *flow) implicit(ctx context.Context, o flowOptions) (*Result, error) {
	if err := f.allowDeprecated("implicit"); err != nil {
		return nil, err
	}
	if err := f.needEndpoints(ctx, false, "authorization"); err != nil {
		return nil, err
	}
	f.tr.note("implicit grant", DeprecatedNote)
	l, redirect, err := f.listen(true)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	state := randomString(32)
	var nonce string
	responseType := "token"
	if containsScope(o.scopes, "openid") {
		// OpenID Connect requires a nonce for implicit; ask for an ID token too.
		nonce = randomString(16)
		responseType = "id_token token"
	}
	authURL := f.authURL(redirect, responseType, state, nonce, nil, o)
	check := &authCheck{state: state, issuer: f.ac.Issuer, implicit: true}
	q, err := f.browserLeg(ctx, l, check, authURL, redirect, o, true)
	if err != nil {
		return nil, err
	}
	tok, err := implicitResponse(q)
	if err != nil {
		return nil, err
	}
	f.red.addValue(tok.AccessToken)
	f.red.addValue(tok.IDToken)
	if err := checkNonce(tok.IDToken, nonce); err != nil {
		return nil, err
	}
	r := newResult(tok, o.scopes, "implicit", f.e.now())
	r.Deprecated = true
	return r, nil
}

// implicitResponse reads the token from the redirect's parameters.
func implicitResponse(q url.Values) (*TokenResponse, error) {
	m := make(map[string]any, len(q))
	for k, v := range q {
		m[k] = v[0]
	}
	tok := &TokenResponse{AccessToken: q.Get("access_token"), TokenType: q.Get("token_type"), IDToken: q.Get("id_token")}
	if s, ok := q["scope"]; ok {
		tok.Scope, tok.ScopeSent = s[0], true
	}
	d, err := parseExpiresIn(m["expires_in"])
	if err != nil {
		return nil, &Error{Kind: KindBadResponse, Op: "authorization", Reason: "expires_in " + err.Error()}
	}
	tok.ExpiresIn = d
	if tok.ExpiresIn > 0 && tok.ExpiresIn < time.Second {
		tok.ExpiresIn = time.Second
	}
	if err := CheckTokenType("authorization", tok.TokenType); err != nil {
		return nil, err
	}
	return tok, nil
}
