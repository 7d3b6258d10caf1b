package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authdeck/authdeck/oauth/internal/loopback"
)

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// flowOptions are the per-call choices of an interactive flow.
type flowOptions struct {
	scopes    []string
	prompt    string
	noBrowser bool
	// exchange is what the token exchange grant trades (Fetch).
	exchange *ExchangeInput
}

// pkce is a PKCE S256 pair (S-07: never plain).
type pkce struct {
	verifier  string
	challenge string
}

// newPKCE makes a fresh verifier from 32 random bytes (oauth2.GenerateVerifier).
func newPKCE() pkce {
	v := oauth2.GenerateVerifier()
	return pkce{verifier: v, challenge: oauth2.S256ChallengeFromVerifier(v)}
}

// authorizationCode runs the authorization code grant with PKCE on a
// loopback redirect (RFC 6749 §4.1, RFC 7636, RFC 8252).
func (f *flow) authorizationCode(ctx context.Context, o flowOptions) (*Result, error) {
	if err := f.needEndpoints(ctx, true, "authorization", "token"); err != nil {
		return nil, err
	}
	l, redirect, err := f.listen(false)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	p := newPKCE()
	f.red.addValue(p.verifier)
	state := randomString(32)
	var nonce string
	if containsScope(o.scopes, "openid") {
		nonce = randomString(16)
	}
	authURL, err := f.secureAuthURL(ctx, f.authURL(redirect, "code", state, nonce, &p, o))
	if err != nil {
		return nil, err
	}
	check := &authCheck{state: state, issuer: f.ac.Issuer}
	if f.md != nil {
		check.requireIss = f.md.AuthorizationResponseIssParameter
		check.issuer = f.md.Issuer
	}
	q, err := f.browserLeg(ctx, l, check, authURL, redirect, o, false)
	if err != nil {
		return nil, err
	}
	code := q.Get("code")
	f.red.addValue(code)
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirect}, // identical to the authorization request's (S-04)
		"code_verifier": {p.verifier},
	}
	tok, err := f.tokenRequest(ctx, "token", form)
	if err != nil {
		return nil, err
	}
	if err := checkNonce(tok.IDToken, nonce); err != nil {
		return nil, err
	}
	return newResult(tok, o.scopes, "authorization_code", f.e.now()), nil
}

// authURL builds the authorization request with x/oauth2: response type,
// client id, the redirect URI, scopes, state, PKCE S256, prompt, nonce,
// resource and the client's extra parameters (as API gateways take them).
func (f *flow) authURL(redirect, responseType, state, nonce string, p *pkce, o flowOptions) string {
	cfg := oauth2.Config{
		ClientID:    f.ac.ClientID,
		Endpoint:    oauth2.Endpoint{AuthURL: f.eps.Authorization},
		RedirectURL: redirect,
		Scopes:      o.scopes,
	}
	var opts []oauth2.AuthCodeOption
	if p != nil {
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", p.challenge), oauth2.SetAuthURLParam("code_challenge_method", "S256"))
	}
	if responseType != "code" {
		opts = append(opts, oauth2.SetAuthURLParam("response_type", responseType))
	}
	prompt := o.prompt
	if prompt == "" {
		prompt = f.ac.Prompt
	}
	if prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	if nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", nonce))
	}
	if f.ac.Resource != "" {
		opts = append(opts, oauth2.SetAuthURLParam("resource", f.ac.Resource))
	}
	if f.ac.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", f.ac.Audience))
	}
	if f.dpop != nil && responseType == "code" {
		// RFC 9449 §10: the code is bound to the key that will redeem it.
		opts = append(opts, oauth2.SetAuthURLParam("dpop_jkt", f.dpop.Thumbprint()))
	}
	reserved := map[string]bool{
		"response_type": true, "client_id": true, "redirect_uri": true, "scope": true, "state": true,
		"code_challenge": true, "code_challenge_method": true, "nonce": true, "dpop_jkt": true, "request": true, "request_uri": true,
	}
	for _, pr := range f.ac.AuthParams {
		if !reserved[pr.Key] {
			opts = append(opts, oauth2.SetAuthURLParam(pr.Key, pr.Value))
		}
	}
	return cfg.AuthCodeURL(state, opts...)
}

// browserLeg shows the URL, opens the browser and waits for the redirect.
func (f *flow) browserLeg(ctx context.Context, l *loopback.Listener, check *authCheck, authURL, redirect string, o flowOptions, deprecated bool) (url.Values, error) {
	u, _ := url.Parse(authURL)
	f.tr.record(Exchange{
		Time: time.Now(), Step: "authorization", Method: "GET", URL: f.red.url(authURL),
		Params: f.red.params(u.Query()), Note: browserNote(l != nil, o.noBrowser),
	})
	if f.cb.AuthURL != nil {
		f.cb.AuthURL(AuthPrompt{URL: authURL, RedirectURI: redirect, QR: QRCode(authURL), Listening: l != nil, Deprecated: deprecated})
	}
	if !o.noBrowser {
		if err := f.e.open(ctx, authURL); err != nil {
			f.cb.browserFailed(err, "open the URL yourself")
		} else {
			f.cb.progress("opened the browser; waiting for the sign-in to finish")
		}
	}
	return f.waitRedirect(ctx, l, check, redirect, f.e.callbackTimeout())
}

func browserNote(listening, noBrowser bool) string {
	var parts []string
	if listening {
		parts = append(parts, "waiting on the loopback redirect")
	} else {
		parts = append(parts, "waiting for the redirected URL to be pasted")
	}
	if noBrowser {
		parts = append(parts, "browser not opened (--no-browser)")
	}
	return strings.Join(parts, "; ")
}

func containsScope(scopes []string, s string) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}

// checkNonce compares the ID token's nonce with the one sent (OpenID Connect
// Core §3.1.3.7), so a token minted for another sign-in is not accepted.
func checkNonce(idToken, nonce string) error {
	if idToken == "" || nonce == "" {
		return nil
	}
	j, err := DecodeJWT(idToken)
	if err != nil {
		return &Error{Kind: KindBadResponse, Op: "token", Reason: "the ID token does not decode: " + err.Error()}
	}
	got, _ := j.Claims["nonce"].(string)
	if subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return &Error{Kind: KindBadResponse, Op: "token", Reason: "the ID token's nonce does not match this sign-in; the token was refused"}
	}
	return nil
}
