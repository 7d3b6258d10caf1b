// Package oauth is authdeck's OAuth engine: discovery, every grant (client
// credentials, authorization code with PKCE on a loopback redirect, device
// code, refresh, the legacy password and implicit grants, and the reference
// secret service's session auth), client authentication, token storage in the
// vault with refresh ahead of expiry, introspection, revocation, JWT decoding
// and verification, and a redacted transcript of every exchange.
//
// Domain code never prints: a flow reports through FlowCallbacks, which the
// CLI and the TUI supply. Every call is cancellable through its context;
// callbacks may be invoked from goroutines other than the caller's.
//
// The engine is built on golang.org/x/oauth2 (PKCE, the authorization URL,
// device authorization types, oauth2.Token) and writes around what it lacks:
// client assertions, GET token requests, introspection, revocation, refresh
// token rotation, and device polling that survives transport errors.
package oauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Opener opens url in the system browser (S-01: never an embedded view).
type Opener func(ctx context.Context, url string) error

// Engine runs OAuth flows and keeps token sets in a vault. Set the fields
// before first use; the zero value of each optional field has a sensible
// default. An Engine is safe for concurrent use.
type Engine struct {
	// Vault holds clients, secrets and token sets; Fetch works without it.
	Vault *vault.Vault
	// HTTPClient sends every request; nil means a client with a 30 s timeout.
	// A client in the context under oauth2.HTTPClient takes precedence, so
	// tests can point a single call at an httptest server.
	HTTPClient *http.Client
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Sleep waits between device-flow polls; nil means a timer honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// LockDir holds the cross-process lock files that make one refresh per
	// credential (e.g. $AUTHDECK_HOME/locks). Empty means in-process
	// single-flight only.
	LockDir string
	// Opener opens the browser; nil means SystemOpener(os.Getenv).
	Opener Opener
	// CallbackTimeout bounds the wait for the browser redirect; zero means 5 min.
	CallbackTimeout time.Duration
	// LockTimeout bounds the wait for another process's flow; zero means CallbackTimeout + 1 min.
	LockTimeout time.Duration

	mu         sync.Mutex
	disc       map[string]*discEntry
	jwks       map[string]*jwksEntry
	transports map[string]http.RoundTripper
	sems       map[string]chan struct{}
	group      singleflight.Group
	initOnce   sync.Once
	// forced numbers Force requests, which never join another flight.
	forced atomic.Int64
	// dpopNonces holds the latest DPoP-Nonce of each server origin (RFC 9449 §8).
	dpopNonces sync.Map
	// dpopKeys holds parsed DPoP keys by the SHA-256 of their PEM, and
	// dpopByJKT the same keys by thumbprint.
	dpopKeys, dpopByJKT sync.Map
}

func (e *Engine) init() {
	e.initOnce.Do(func() {
		e.disc = map[string]*discEntry{}
		e.jwks = map[string]*jwksEntry{}
		e.transports = map[string]http.RoundTripper{}
		e.sems = map[string]chan struct{}{}
	})
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) sleep(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *Engine) callbackTimeout() time.Duration {
	if e.CallbackTimeout > 0 {
		return e.CallbackTimeout
	}
	return DefaultCallbackTimeout
}

// DefaultCallbackTimeout is how long a flow waits for the browser redirect.
const DefaultCallbackTimeout = 5 * time.Minute

// FlowCallbacks are how a flow talks to the user. Every field is optional.
// They may be called from a goroutine other than the one that started the
// flow, and must not block for long.
type FlowCallbacks struct {
	// Progress reports a step in plain words ("requesting a token from …").
	Progress func(msg string)
	// AuthURL shows the authorization URL (and its QR code) before the
	// browser is opened, so remote users can copy it (S-01).
	AuthURL func(AuthPrompt)
	// DeviceCode shows the user code and the verification URI (S-23).
	DeviceCode func(DevicePrompt)
	// Pasted delivers URLs the user pasted (the "paste the redirected URL"
	// fallback of the authorization code and implicit flows).
	Pasted <-chan string
	// PasteRejected says why a pasted text was not accepted, so the UI can ask again.
	PasteRejected func(error)
	// Credentials asks for the resource owner's username and password (password grant).
	Credentials func(ctx context.Context, client string) (username, password string, err error)
	// Verifier asks for the verifier an OAuth 1.0a provider shows at the
	// end of an out-of-band authorization, or for the address the browser
	// landed on; in a loopback flow it is offered too, for a browser on
	// another machine, and the first answer wins. It must return when ctx ends.
	Verifier func(ctx context.Context, p AuthPrompt) (string, error)
	// BrowserFailed reports that the browser could not be opened (no
	// opener, or it exited with an error), so a UI can say so as a
	// failure; without it the failure is reported through Progress.
	BrowserFailed func(err error)
}

func (cb FlowCallbacks) progress(format string, args ...any) {
	if cb.Progress != nil {
		cb.Progress(fmt.Sprintf(format, args...))
	}
}

// browserFailed reports an opener's failure: to BrowserFailed when set,
// else as a step saying what to do instead.
func (cb FlowCallbacks) browserFailed(err error, instead string) {
	if cb.BrowserFailed != nil {
		cb.BrowserFailed(err)
		return
	}
	cb.progress("could not open a browser (%s); %s", sanitize(err.Error(), 200), instead)
}

// AuthPrompt is what the user needs to finish an authorization in a browser.
type AuthPrompt struct {
	// URL is the authorization URL to open.
	URL string
	// RedirectURI is where the browser comes back.
	RedirectURI string
	// QR is URL as a terminal QR code (half blocks), for a phone or another machine.
	QR string
	// Listening reports whether a loopback listener waits for the redirect;
	// when false the user must paste the redirected URL.
	Listening bool
	// Deprecated is set for the implicit grant (S-12).
	Deprecated bool
}

// DevicePrompt is what the user needs to finish a device-code sign-in.
type DevicePrompt struct {
	// UserCode is the code to enter on the verification page.
	UserCode string
	// VerificationURI is the page to open.
	VerificationURI string
	// VerificationURIComplete is the page with the code filled in, if the server gave one.
	VerificationURIComplete string
	// Host is the verification page's host; tell the user to check it (S-23).
	Host string
	// QR encodes the complete URI (or the plain one) as a terminal QR code.
	QR string
	// Expires is when the code stops working.
	Expires time.Time
	// Interval is the polling interval in force.
	Interval time.Duration
}

// TokenRequest names the credential to get a token for.
type TokenRequest struct {
	// Env is the environment; empty means the catalog's active one.
	Env string
	// Name is an auth client (its token set is the OAuth token secret linked
	// to it, by default the secret of the same name) or an
	// OA2_AUTHORIZATION_CODE or SESSION_AUTH secret.
	Name string
	// Scopes overrides the client's scopes for this call (a per-call scope override).
	Scopes []string
	// Force skips the stored token and any refresh and runs the grant anew.
	Force bool
	// NoBrowser keeps the browser closed; the URL is still shown.
	NoBrowser bool
	// Prompt overrides the client's prompt parameter ("consent", "none", "login").
	Prompt string
	// Grant, when set, runs this grant instead of the client's configured one
	// (the TUI offers the device flow over SSH when the client also allows
	// it). A deprecated grant still needs the client's AllowDeprecated.
	Grant vault.Grant
	// SubjectToken and ActorToken, when set, are the tokens a token_exchange
	// client trades (given at the call, e.g. on stdin), instead of the
	// tokens of the credentials its configuration names.
	SubjectToken, ActorToken string
	// Transcript, when set, records every exchange (also on failure).
	Transcript *Transcript
	// Credential is Name as the vault resolved it; nil means the engine
	// resolves Name itself (vault.Resolve, ForToken). A Dispatcher sets it.
	Credential *vault.Credential
}

// Result is what every flow returns: token, granted scopes, expiry, refresh
// token and type.
type Result struct {
	// Protocol is the protocol of the credential; empty means OAuth 2.0.
	Protocol vault.Protocol
	// AccessToken is the bearer token; for OAuth 1.0a, the token of the
	// token credentials (TokenSecret is their shared secret).
	AccessToken string
	// TokenSecret is the OAuth 1.0a token credentials' shared secret.
	TokenSecret string
	// Extra are the other parameters of an OAuth 1.0a provider's answer
	// (user_id, screen_name, …).
	Extra []Field
	// TokenType is as the server sent it ("Bearer", "bearer").
	TokenType string
	// RefreshToken is empty when the server issued none.
	RefreshToken string
	// IDToken is the OpenID Connect ID token, if any.
	IDToken string
	// Scope is the granted scope string (the requested one when the server did not say).
	Scope string
	// RequestedScopes are the scopes asked for.
	RequestedScopes []string
	// GrantedScopes are the scopes granted.
	GrantedScopes []string
	// MissingScopes were requested but not granted.
	MissingScopes []string
	// ExtraScopes were granted without being requested.
	ExtraScopes []string
	// Expiry is when the access token expires; zero when unknown.
	Expiry time.Time
	// ExpiresIn is the remaining lifetime when the result was made; zero when unknown.
	ExpiresIn time.Duration
	// Grant is the grant that produced the token ("refresh_token" after a refresh,
	// "session_auth" for session auth).
	Grant string
	// Deprecated marks tokens from the password or implicit grants (S-12).
	Deprecated bool
	// FromCache reports a stored token that was still valid.
	FromCache bool
	// Refreshed reports a token obtained with the refresh token.
	Refreshed bool
	// Env, Client and Secret name where the token set lives ("" outside the vault).
	Env    string
	Client string
	Secret string
	// Issuer is the auth client's issuer, if configured.
	Issuer string
	// InsecureTLS reports that the token came over TLS without certificate
	// verification, because the auth client turned it off (S-15); show it.
	InsecureTLS bool
	// DPoPJKT is the thumbprint of the DPoP key the token is bound to
	// (token type DPoP, RFC 9449); such a token is only ever sent with a
	// proof made with that key (S-44).
	DPoPJKT string
	// IssuedTokenType is the RFC 8693 issued_token_type of an exchanged token.
	IssuedTokenType string
}

// Bearer returns the Authorization header value ("Bearer …").
func (r *Result) Bearer() string { return "Bearer " + r.AccessToken }

// OAuth2Token returns the result as an *oauth2.Token for x/oauth2 consumers.
func (r *Result) OAuth2Token() *oauth2.Token {
	tt := r.TokenType
	if tt == "" || strings.EqualFold(tt, "bearer") {
		tt = "Bearer"
	}
	t := &oauth2.Token{AccessToken: r.AccessToken, TokenType: tt, RefreshToken: r.RefreshToken, Expiry: r.Expiry}
	if r.IDToken != "" {
		t = t.WithExtra(map[string]any{"id_token": r.IDToken})
	}
	return t
}

// newResult builds a Result from a token response.
func newResult(tok *TokenResponse, requested []string, grant string, now time.Time) *Result {
	r := &Result{
		AccessToken:     tok.AccessToken,
		TokenType:       tok.TokenType,
		RefreshToken:    tok.RefreshToken,
		IDToken:         tok.IDToken,
		RequestedScopes: slices.Clone(requested),
		Grant:           grant,
		DPoPJKT:         tok.DPoPJKT,
		IssuedTokenType: tok.IssuedTokenType,
	}
	if r.TokenType == "" {
		r.TokenType = "Bearer"
	}
	if tok.ScopeSent {
		r.Scope = tok.Scope
	} else {
		// RFC 6749 §5.1: an omitted scope means the requested one was granted.
		r.Scope = strings.Join(requested, " ")
	}
	if tok.ExpiresIn > 0 {
		r.Expiry = now.Add(tok.ExpiresIn)
		r.ExpiresIn = tok.ExpiresIn
	}
	r.setScopes()
	return r
}

func (r *Result) setScopes() {
	r.GrantedScopes = splitScopes(r.Scope)
	r.MissingScopes = scopeDiff(r.RequestedScopes, r.GrantedScopes)
	r.ExtraScopes = scopeDiff(r.GrantedScopes, r.RequestedScopes)
}

// ---- HTTP ----

// defaultHTTPClient is made when a flow first needs it: most commands (a
// token served from the vault) send nothing.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: newTransport()}
})

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}

// flow carries what one run of a grant needs.
type flow struct {
	e     *Engine
	ac    vault.AuthClient
	creds vault.ClientCredentials
	tr    *Transcript
	cb    FlowCallbacks
	red   *redactor
	hc    *http.Client
	// name is the user-facing name (for hints like "authdeck token NAME --force").
	name string
	// md is the discovered metadata (nil for manual endpoints).
	md *Metadata
	// eps are the endpoints in force: manual ones over discovered ones.
	eps vault.Endpoints
	// dpop signs DPoP proofs when the client uses DPoP (RFC 9449).
	dpop *dpop.Key
}

func (e *Engine) bareFlow(tr *Transcript) *flow {
	e.init()
	return &flow{e: e, tr: tr, red: &redactor{}, hc: e.baseClient(context.Background())}
}

func (e *Engine) baseClient(ctx context.Context) *http.Client {
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
		return c
	}
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return defaultHTTPClient()
}

// newFlow prepares a flow for an auth client and its credentials.
func (e *Engine) newFlow(ctx context.Context, ac vault.AuthClient, creds vault.ClientCredentials, tr *Transcript, cb FlowCallbacks) (*flow, error) {
	e.init()
	f := &flow{e: e, ac: ac, creds: creds, tr: tr, cb: cb, red: &redactor{}, name: ac.Name}
	for _, s := range []string{creds.ClientSecret, creds.PrivateKey, creds.CertKey} {
		f.red.addValue(s)
	}
	hc, err := e.clientFor(ctx, ac, creds)
	if err != nil {
		return nil, err
	}
	f.hc = hc
	if f.dpop, err = e.proofKey(ac, creds); err != nil {
		return nil, err
	}
	f.eps = ac.Endpoints
	if ac.InsecureSkipVerify {
		tr.note("tls", "TLS certificate verification is OFF for this auth client (insecureSkipVerify)")
	}
	return f, nil
}

// clientFor returns the HTTP client for an auth client: the base client,
// never following redirects (credentials must not travel to another URL),
// with the client certificate (tls_client_auth) or without TLS verification
// when the client says so (S-15).
func (e *Engine) clientFor(ctx context.Context, ac vault.AuthClient, creds vault.ClientCredentials) (*http.Client, error) {
	base := e.baseClient(ctx)
	hc := *base
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	needCert := ac.AuthMethod == vault.AuthTLSClient
	if !needCert && !ac.InsecureSkipVerify {
		return &hc, nil
	}
	var cert *tls.Certificate
	key := fmt.Sprintf("%p|%t", base.Transport, ac.InsecureSkipVerify)
	if needCert {
		if creds.Cert == "" || creds.CertKey == "" {
			return nil, newError(KindNotConfigured, "client authentication",
				fmt.Sprintf("auth client %q uses tls_client_auth but has no client certificate", ac.Name),
				"store a certificate and key with the client (authdeck client add … --auth-method tls_client_auth)", nil)
		}
		c, err := tls.X509KeyPair([]byte(creds.Cert), []byte(creds.CertKey))
		if err != nil {
			return nil, newError(KindNotConfigured, "client authentication", "the client certificate and key do not form a pair", "", nil)
		}
		cert = &c
		if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
			key += "|" + pemkey.Thumbprint(leaf.PublicKey)
		}
	}
	e.mu.Lock()
	rt, ok := e.transports[key]
	e.mu.Unlock()
	if !ok {
		var t *http.Transport
		switch bt := base.Transport.(type) {
		case nil:
			t = newTransport()
		case *http.Transport:
			t = bt.Clone()
		default:
			return nil, newError(KindOther, "client authentication",
				"the injected HTTP transport cannot carry a client certificate or TLS settings", "", nil)
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		} else {
			t.TLSClientConfig = t.TLSClientConfig.Clone()
		}
		if ac.InsecureSkipVerify {
			t.TLSClientConfig.InsecureSkipVerify = true
		}
		if cert != nil {
			t.TLSClientConfig.Certificates = []tls.Certificate{*cert}
		}
		rt = t
		e.mu.Lock()
		e.transports[key] = rt
		e.mu.Unlock()
	}
	hc.Transport = rt
	return &hc, nil
}

// call is one HTTP request of a flow.
type call struct {
	step   string
	method string
	url    string
	// form is the body of a POST (or the query of a GET).
	form url.Values
	// jsonBody is sent as JSON instead of form (session auth JSON_AUTH).
	jsonBody map[string]string
	header   http.Header
	// note goes into the transcript entry (a DPoP proof, say).
	note string
}

// response is what came back, already size-checked.
type response struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
	// idx is the transcript entry of the exchange.
	idx int
}

// do sends c, records it in the transcript (secrets redacted) and reads at
// most MaxResponseBytes of the answer. Transport failures become *Error of
// kind KindUnreachable (or KindAborted when ctx was cancelled).
func (f *flow) do(ctx context.Context, c call) (*response, error) {
	if err := vault.CheckURL(c.step+" endpoint", c.url); err != nil {
		return nil, &Error{
			Kind: KindNotConfigured, Op: c.step, Reason: err.Error(),
			Hint: "use https (plain http is only allowed on loopback addresses)",
		}
	}
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	// Redacting for a transcript nobody reads would only cost time.
	recording := f.tr != nil
	target, body, contentType, params, err := f.encode(c, method, recording)
	if err != nil {
		return nil, err
	}
	// The caller's cancelling stops the request until it has been sent
	// whole: from then on the server may have acted on it (issued a token,
	// rotated the refresh token), so its answer is awaited, for at most
	// PersistTimeout more, and read whole, and a token the server issued is
	// never dropped (S-39).
	rctx, rcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer rcancel()
	var sent atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		if !sent.Load() {
			rcancel()
			return
		}
		time.AfterFunc(PersistTimeout, rcancel)
	})
	trace := &httptrace.ClientTrace{WroteRequest: func(w httptrace.WroteRequestInfo) {
		if w.Err == nil {
			sent.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(rctx, trace), method, target, body)
	if err != nil {
		return nil, newError(KindNotConfigured, c.step, "the request URL is not valid", "", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "authdeck")
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	x := Exchange{Time: time.Now(), Step: c.step, Method: method, Params: params, Note: c.note}
	if recording {
		x.URL = f.red.url(target)
		for _, h := range []string{"Authorization", "Content-Type"} {
			if v := req.Header.Get(h); v != "" {
				x.RequestHeaders = append(x.RequestHeaders, f.red.header(h, v))
			}
		}
	}
	start := time.Now()
	resp, err := f.hc.Do(req)
	stop()
	if err != nil {
		x.Duration = time.Since(start)
		e := TransportError(ctx, c.step, c.url, err)
		x.Error = e.Error()
		x.Explanation = e.Hint
		f.tr.record(x)
		return nil, e
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	x.Duration = time.Since(start)
	x.Status = resp.StatusCode
	x.ContentType = resp.Header.Get("Content-Type")
	if err != nil {
		e := TransportError(ctx, c.step, c.url, err)
		x.Error = e.Error()
		f.tr.record(x)
		return nil, e
	}
	if len(data) > MaxResponseBytes {
		e := tooLarge(c.step, resp.StatusCode)
		x.BodyNote = fmt.Sprintf("more than %d bytes, refused", MaxResponseBytes)
		x.Error = e.Error()
		f.tr.record(x)
		return nil, e
	}
	if recording {
		x.Response, x.BodyNote = f.red.body(x.ContentType, data)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Credentials must not follow a redirect to another URL.
		loc := f.red.url(resp.Header.Get("Location"))
		e := &Error{
			Kind: KindNotConfigured, Op: c.step, Status: resp.StatusCode,
			Reason: fmt.Sprintf("the server redirected (HTTP %d) to %s; requests carrying credentials do not follow redirects", resp.StatusCode, sanitize(loc, 200)),
			Hint:   "use the final URL as the endpoint",
		}
		x.Error = e.Error()
		f.tr.record(x)
		return nil, e
	}
	idx := f.tr.record(x)
	return &response{status: resp.StatusCode, contentType: x.ContentType, header: resp.Header, body: data, idx: idx}, nil
}

// encode puts c's parameters where method takes them: a JSON body, the
// query of a GET or a form body. It returns the URL to send to, the body
// and its type, and, when recording, the parameters for the transcript,
// secrets redacted.
func (f *flow) encode(c call, method string, recording bool) (target string, body io.Reader, contentType string, params []Field, err error) {
	target = c.url
	switch {
	case c.jsonBody != nil:
		b, err := json.Marshal(c.jsonBody)
		if err != nil {
			return "", nil, "", nil, newError(KindOther, c.step, "encoding the request", "", err)
		}
		if recording {
			params = f.jsonParams(c.jsonBody)
		}
		return target, bytes.NewReader(b), "application/json", params, nil
	case method == http.MethodGet && len(c.form) > 0:
		u, _ := url.Parse(c.url)
		q := u.Query()
		for k, vs := range c.form {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
		return u.String(), nil, "", nil, nil
	case c.form != nil:
		if recording {
			params = f.red.params(c.form)
		}
		return target, strings.NewReader(c.form.Encode()), "application/x-www-form-urlencoded", params, nil
	}
	return target, nil, "", nil, nil
}

// jsonParams lists a JSON body's members in key order, secrets redacted.
func (f *flow) jsonParams(body map[string]string) []Field {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var params []Field
	for _, k := range keys {
		params = append(params, f.red.field(k, body[k]))
	}
	return params
}

// fail adds err (and its plain-words explanation) to transcript entry idx.
func (f *flow) fail(idx int, err error) {
	if err == nil {
		return
	}
	f.tr.update(idx, func(x *Exchange) {
		x.Error = f.red.scrub(err.Error())
		var oe *Error
		if errors.As(err, &oe) && oe.Hint != "" {
			x.Explanation = oe.Reason + " — " + oe.Hint
			if oe.Code == "" {
				x.Explanation = oe.Hint
			}
		}
	})
}

// needEndpoints fills f.eps from discovery when the client has an issuer and
// any of the needed endpoints is missing, or when discovery is needed for
// the RFC 9207 issuer check (authorization code). Manual endpoints win.
func (f *flow) needEndpoints(ctx context.Context, forIss bool, need ...string) error {
	missing := false
	for _, n := range need {
		if endpointOf(f.eps, n) == "" {
			missing = true
		}
	}
	if f.ac.Issuer != "" && (missing || forIss) && f.md == nil {
		md, err := f.discover(ctx, f.ac.Issuer)
		switch {
		case err == nil:
			f.md = md
			d := md.Endpoints()
			fill := func(dst *string, src string) {
				if *dst == "" {
					*dst = src
				}
			}
			fill(&f.eps.Authorization, d.Authorization)
			fill(&f.eps.Token, d.Token)
			fill(&f.eps.Device, d.Device)
			fill(&f.eps.Introspection, d.Introspection)
			fill(&f.eps.Revocation, d.Revocation)
			fill(&f.eps.JWKS, d.JWKS)
			fill(&f.eps.Userinfo, d.Userinfo)
			fill(&f.eps.PAR, d.PAR)
		case missing:
			return err
		default:
			f.tr.note("discovery", "discovery failed; using the configured endpoints: "+err.Error())
		}
	}
	for _, n := range need {
		if endpointOf(f.eps, n) == "" {
			hint := "set it on the auth client, or set an issuer that publishes it"
			return &Error{
				Kind: KindNotConfigured, Op: "configuration",
				Reason: fmt.Sprintf("auth client %q has no %s endpoint", f.ac.Name, n), Hint: hint,
			}
		}
	}
	return nil
}

func endpointOf(e vault.Endpoints, name string) string {
	switch name {
	case "authorization":
		return e.Authorization
	case "token":
		return e.Token
	case "device authorization":
		return e.Device
	case "introspection":
		return e.Introspection
	case "revocation":
		return e.Revocation
	case "jwks":
		return e.JWKS
	case "pushed authorization":
		return e.PAR
	}
	return ""
}

// scopesFor returns the scopes to request: the override, else the client's.
func scopesFor(ac vault.AuthClient, override []string) []string {
	var in []string
	if len(override) > 0 {
		in = override
	} else {
		in = ac.Scopes
	}
	var out []string
	for _, s := range in {
		out = append(out, strings.Fields(s)...)
	}
	return splitScopes(strings.Join(out, " "))
}

// addParams appends extra parameters (vendor extensions) without overriding protocol ones.
func addParams(v url.Values, extra []vault.Param, reserved ...string) {
	for _, p := range extra {
		if slices.Contains(reserved, p.Key) {
			continue
		}
		v.Add(p.Key, p.Value)
	}
}
