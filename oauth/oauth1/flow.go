package oauth1

import (
	"context"
	"crypto"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/loopback"
	"github.com/authdeck/authdeck/vault"
)

// DefaultCallbackTimeout is how long a flow waits for the authorization.
const DefaultCallbackTimeout = 5 * time.Minute

// Client is an OAuth 1.0a consumer: the provider's three endpoints, the
// client credentials and how to sign. Build one from an auth client with
// ClientFor, or fill it in; set it up before first use and do not change it
// while a flow runs.
type Client struct {
	// RequestTokenURL is the temporary credential request endpoint.
	RequestTokenURL string
	// AuthorizeURL is the resource owner authorization endpoint.
	AuthorizeURL string
	// AccessTokenURL is the token request endpoint.
	AccessTokenURL string
	// ConsumerKey is the client identifier.
	ConsumerKey string
	// ConsumerSecret is the client shared secret (HMAC and PLAINTEXT).
	ConsumerSecret string
	// Method is the signature method.
	Method string
	// PrivateKey signs with RSA-SHA1 and RSA-SHA256.
	PrivateKey crypto.Signer
	// Callback is OOB, empty for http://127.0.0.1:{OS port}/callback, or a
	// loopback http URL whose port and path are used.
	Callback string
	// TokenMethod is POST (default) or GET, for both token endpoints (some API gateways want GET).
	TokenMethod string
	// Placement is where the protocol parameters go (header by default).
	Placement vault.Placement
	// Realm is sent in the Authorization header when set.
	Realm string
	// BodyHash signs a body that is not a form through oauth_body_hash.
	BodyHash bool
	// AuthParams are extra query parameters of the authorization URL.
	AuthParams []vault.Param
	// TokenParams are extra (signed) parameters of the temporary
	// credentials request, such as a provider's scope.
	TokenParams []vault.Param
	// InsecureSkipVerify turns TLS verification off (S-15; shown by the UI).
	InsecureSkipVerify bool
	// HTTPClient sends the requests; nil means a client with a 30 s timeout.
	// Redirects are never followed: signed requests stay where they were sent.
	HTTPClient *http.Client
	// Opener opens the browser; nil means oauth.SystemOpener(os.Getenv).
	Opener oauth.Opener
	// CallbackTimeout bounds the wait for the authorization; zero means 5 min.
	CallbackTimeout time.Duration
	// Now and Nonce feed the signer (tests pin them); nil means the defaults.
	Now   func() time.Time
	Nonce func() string
}

// ClientFor builds a Client from an OAuth 1.0a auth client of the vault and
// its stored credentials. A missing endpoint, secret or key is
// KindNotConfigured.
func ClientFor(ac vault.AuthClient, creds vault.ClientCredentials) (*Client, error) {
	fail := func(reason, hint string) error {
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: fmt.Sprintf("auth client %q %s", ac.Name, reason), Hint: hint}
	}
	if ac.Type != vault.ClientOAuth1 {
		return nil, fail(fmt.Sprintf("is a %s client, not OAuth 1.0a", ac.Type), "")
	}
	c := &Client{
		RequestTokenURL:    ac.Endpoints.RequestToken,
		AuthorizeURL:       ac.Endpoints.Authorization,
		AccessTokenURL:     ac.Endpoints.Token,
		ConsumerKey:        ac.ClientID,
		ConsumerSecret:     creds.ClientSecret,
		Method:             ac.SignatureMethod,
		Callback:           ac.Callback,
		TokenMethod:        ac.TokenMethod,
		AuthParams:         ac.AuthParams,
		TokenParams:        ac.TokenParams,
		InsecureSkipVerify: ac.InsecureSkipVerify,
		Realm:              ac.Realm,
		BodyHash:           ac.BodyHash,
	}
	if IsRSA(ac.SignatureMethod) {
		if creds.PrivateKey == "" {
			return nil, fail("signs with "+ac.SignatureMethod+" but has no private key stored", "store the RSA private key whose public key is registered with the provider")
		}
		key, err := vault.ParsePrivateKey(creds.PrivateKey)
		if err != nil {
			return nil, fail("has a private key that cannot be used: "+err.Error(), "")
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fail("has a private key that cannot sign", "")
		}
		c.PrivateKey = signer
	} else if creds.ClientSecret == "" && ac.SignatureMethod != "" {
		return nil, fail("signs with "+ac.SignatureMethod+" but has no consumer secret stored", "store the consumer secret with the client (authdeck client add … --client-secret-stdin)")
	}
	if err := c.check(); err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			oe.Reason = fmt.Sprintf("auth client %q: %s", ac.Name, oe.Reason)
		}
		return nil, err
	}
	return c, nil
}

// check reports a missing or unusable endpoint, key or setting.
func (c *Client) check() error {
	fail := func(reason, hint string) error {
		return &Error{Kind: KindNotConfigured, Op: "configuration", Reason: reason, Hint: hint}
	}
	for _, e := range []struct{ name, url string }{
		{"request-token", c.RequestTokenURL}, {"authorization", c.AuthorizeURL}, {"access-token", c.AccessTokenURL},
	} {
		if !c.HasFlow() {
			// A client without a flow only signs with stored token
			// credentials; Authorize says so.
			break
		}
		if e.url == "" {
			return fail("has no "+e.name+" endpoint", "set the request-token, authorization and access-token URLs of the provider")
		}
		if err := vault.CheckURL(e.name+" endpoint", e.url); err != nil {
			return fail(err.Error(), "use https (plain http is only allowed on loopback addresses)")
		}
		if u, _ := url.Parse(e.url); u != nil {
			if p, ok := firstProtocolQuery(u.RawQuery); ok {
				return fail(fmt.Sprintf("the %s endpoint's query carries %s; endpoints must not hold protocol parameters (§2)", e.name, p), "")
			}
		}
	}
	if c.ConsumerKey == "" {
		return fail("has no consumer key (client id)", "")
	}
	if err := checkMethod(c.Method); err != nil {
		return fail(err.Error(), "")
	}
	switch c.TokenMethod {
	case "", http.MethodPost, http.MethodGet:
	default:
		return fail(fmt.Sprintf("token method %q is not GET or POST", clip(c.TokenMethod, 20)), "")
	}
	switch c.Placement {
	case "", vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody:
	default:
		return fail(fmt.Sprintf("placement %q is not header, query or body", clip(string(c.Placement), 20)), "")
	}
	if c.Placement == vault.PlaceBody && c.TokenMethod == http.MethodGet {
		return fail("cannot put the protocol parameters in a body with the GET token method", "use the header placement, or POST")
	}
	if IsRSA(c.Method) && c.PrivateKey == nil {
		return fail(c.Method+" needs an RSA private key", "")
	}
	return nil
}

func firstProtocolQuery(raw string) (string, bool) {
	ps, err := ParseForm(raw)
	if err != nil {
		return "", false
	}
	return firstProtocol(ps)
}

// HasFlow reports whether c names any URL of the three-legged flow. A
// client with none signs requests with token credentials it was given
// (stored by hand or imported) and has no flow to run.
func (c *Client) HasFlow() bool {
	return c.RequestTokenURL != "" || c.AuthorizeURL != "" || c.AccessTokenURL != ""
}

// ErrNoFlow is the refusal to run the flow of an auth client (named
// client, or unnamed) that has none: it only signs requests with the
// token credentials stored with it.
func ErrNoFlow(client string) *Error {
	who := "the client"
	if client != "" {
		who = fmt.Sprintf("auth client %q", client)
	}
	return &Error{
		Kind: KindNotConfigured, Op: "configuration",
		Reason: who + " has no flow to run: it names no request-token, authorization or access-token URL and signs requests with the token credentials stored with it",
		Hint:   "send requests with it as they are (authdeck request … --auth NAME); to get new token credentials, store them in its OAuth 1.0a token secret, or give the client the provider's three flow URLs",
	}
}

// ErrNoTokenNoFlow is the refusal of an auth client that has no flow and
// no token credentials stored: nothing can sign for it until they are.
func ErrNoTokenNoFlow(client string) *Error {
	return &Error{
		Kind: KindNotConfigured, Op: "configuration",
		Reason: fmt.Sprintf("auth client %q has no token credentials stored, and no flow to get them (it names no request-token, authorization or access-token URL)", client),
		Hint:   "store its token and token secret in an OAuth 1.0a token secret linked to it (authdeck secret add NAME --type OA1_TOKEN --auth-client " + client + ")",
	}
}

// Signer returns a signer for requests made with tok, the token
// credentials (nil for requests made with the client credentials alone).
func (c *Client) Signer(tok *Credentials) *Signer {
	s := &Signer{
		ConsumerKey: c.ConsumerKey, ConsumerSecret: c.ConsumerSecret, Method: c.Method,
		PrivateKey: c.PrivateKey, Placement: c.Placement, Realm: c.Realm, BodyHash: c.BodyHash, Now: c.Now, Nonce: c.Nonce,
	}
	if tok != nil {
		s.Token, s.TokenSecret = tok.Token, tok.Secret
	}
	return s
}

var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// httpClient returns the client to send with: never following redirects,
// and without TLS verification only when the auth client says so.
func (c *Client) httpClient() (*http.Client, error) {
	base := c.HTTPClient
	if base == nil {
		base = defaultHTTPClient
	}
	hc := *base
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.InsecureSkipVerify {
		var t *http.Transport
		switch bt := base.Transport.(type) {
		case nil:
			t = http.DefaultTransport.(*http.Transport).Clone()
		case *http.Transport:
			t = bt.Clone()
		default:
			return nil, &Error{Kind: KindOther, Op: "configuration", Reason: "the injected HTTP transport cannot turn TLS verification off"}
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		} else {
			t.TLSClientConfig = t.TLSClientConfig.Clone()
		}
		t.TLSClientConfig.InsecureSkipVerify = true
		hc.Transport = t
	}
	return &hc, nil
}

// leg is one signed request to a token endpoint.
type leg struct {
	step     string
	endpoint string
	signer   *Signer
	extra    []Param
	// secretToken marks the issued token as secret: token credentials are
	// stored in the vault and never shown, temporary ones are in the browser's URL anyway.
	secretToken bool
}

// run sends the leg and parses the credentials in the answer. Problem
// reports and HTTP errors become *Error values; every attempt is recorded,
// secrets redacted.
func (c *Client) run(ctx context.Context, l leg, rec Recorder, red *redactor) (*Credentials, error) {
	hc, err := c.httpClient()
	if err != nil {
		return nil, err
	}
	req, err := c.legRequest(ctx, l)
	if err != nil {
		return nil, err
	}
	x := legExchange(req, l.step, red)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		x.Duration = time.Since(start)
		e := transportError(ctx, l.step, l.endpoint, err)
		x.Error, x.Explanation = e.Error(), e.Hint
		rec.Record(x)
		return nil, e
	}
	defer resp.Body.Close()
	defer drain(resp.Body)
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	x.Duration = time.Since(start)
	x.Status, x.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	fail := func(e *Error) (*Credentials, error) {
		if x.BodyNote == "" {
			describeResponse(&x, data, red)
		}
		x.Error = red.scrub(e.Error())
		x.Explanation = e.Hint
		rec.Record(x)
		return nil, e
	}
	if err != nil {
		return fail(transportError(ctx, l.step, l.endpoint, err))
	}
	if len(data) > MaxResponseBytes {
		x.BodyNote = fmt.Sprintf("more than %d bytes, refused", MaxResponseBytes)
		return fail(&Error{Kind: KindBadResponse, Op: l.step, Status: resp.StatusCode, Reason: fmt.Sprintf("the response is larger than %d bytes", MaxResponseBytes)})
	}
	if e := responseError(l.step, resp, data); e != nil {
		return fail(e)
	}
	creds, err := ParseCredentials(data)
	if err != nil {
		return fail(&Error{Kind: KindBadResponse, Op: l.step, Status: resp.StatusCode, Reason: err.Error()})
	}
	red.add(creds.Secret)
	if l.secretToken {
		red.add(creds.Token)
	}
	describeResponse(&x, data, red)
	if l.secretToken {
		for i := range x.Response {
			if x.Response[i].Name == "oauth_token" {
				x.Response[i].Value = oauth.Redacted
			}
		}
	}
	rec.Record(x)
	return creds, nil
}

// legRequest builds and signs the request of leg l, its extra parameters in
// the query of a GET or the form body of a POST.
func (c *Client) legRequest(ctx context.Context, l leg) (*http.Request, error) {
	method := c.TokenMethod
	if method == "" {
		method = http.MethodPost
	}
	u, err := url.Parse(l.endpoint)
	if err != nil {
		return nil, &Error{Kind: KindNotConfigured, Op: l.step, Reason: "the endpoint URL does not parse"}
	}
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(formEncode(l.extra))
	} else if len(l.extra) > 0 {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += formEncode(l.extra)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &Error{Kind: KindNotConfigured, Op: l.step, Reason: "the request cannot be built", Err: err}
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", formType)
	}
	req.Header.Set("Accept", "application/x-www-form-urlencoded, text/plain;q=0.5, */*;q=0.1")
	req.Header.Set("User-Agent", "authdeck")
	if _, err := l.signer.SignRequest(req); err != nil {
		return nil, &Error{Kind: KindNotConfigured, Op: l.step, Reason: strings.TrimPrefix(err.Error(), "oauth1: ")}
	}
	return req, nil
}

// legExchange starts the record of a signed request: its URL, Authorization
// header and form parameters, secrets redacted.
func legExchange(req *http.Request, step string, red *redactor) oauth.Exchange {
	x := oauth.Exchange{Time: time.Now(), Step: step, Method: req.Method, URL: red.url(req.URL.String())}
	if h := req.Header.Get("Authorization"); h != "" {
		x.RequestHeaders = append(x.RequestHeaders, oauth.Field{Name: "Authorization", Value: red.authorization(h)})
	}
	if req.GetBody == nil {
		return x
	}
	if rc, err := req.GetBody(); err == nil {
		b, _ := io.ReadAll(rc)
		if ps, err := ParseForm(string(b)); err == nil {
			x.Params = red.params(ps)
		}
	}
	return x
}

// describeResponse records a form response's parameters, secrets redacted,
// or only the size and type of any other body.
func describeResponse(x *oauth.Exchange, data []byte, red *redactor) {
	if ps, err := ParseForm(strings.TrimSpace(string(data))); err == nil && looksLikeForm(data) {
		x.Response = red.params(ps)
	} else if len(data) > 0 {
		x.BodyNote = fmt.Sprintf("%d bytes of %s, not shown", len(data), orUnknown(x.ContentType))
	}
}

// responseError is the error a leg's response stands for — a problem report
// or a status other than 200 — or nil.
func responseError(step string, resp *http.Response, data []byte) *Error {
	if p := ParseProblem(resp.Header, data); p != nil {
		e := problemError(step, p.Code, p.Advice, resp.StatusCode)
		if resp.StatusCode >= 500 && e.Kind == KindRejected {
			e.Kind = KindUnreachable
		}
		return e
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return &Error{
			Kind: KindNotConfigured, Op: step, Status: resp.StatusCode,
			Reason: fmt.Sprintf("the server redirected (HTTP %d); signed requests do not follow redirects", resp.StatusCode),
			Hint:   "use the final URL as the endpoint",
		}
	case resp.StatusCode == http.StatusUnauthorized:
		return &Error{
			Kind: KindRejected, Op: step, Status: resp.StatusCode,
			Reason: "the server refused the signed request (HTTP 401) without saying why",
			Hint:   "check the consumer key and secret (or the RSA key), the signature method and this computer's clock",
		}
	case resp.StatusCode >= 500:
		return &Error{
			Kind: KindUnreachable, Op: step, Status: resp.StatusCode,
			Reason: fmt.Sprintf("the server failed (HTTP %d)", resp.StatusCode), Hint: "try again later",
		}
	case resp.StatusCode != http.StatusOK:
		return &Error{
			Kind: KindRejected, Op: step, Status: resp.StatusCode,
			Reason: fmt.Sprintf("the server refused the request (HTTP %d)", resp.StatusCode),
			Hint:   "run with -v to see the exchange",
		}
	}
	return nil
}

func looksLikeForm(b []byte) bool {
	s := strings.TrimSpace(string(b))
	return strings.Contains(s, "=") && !strings.ContainsAny(s, " <>{}\n")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown type"
	}
	return s
}

// transportError is oauth.TransportError as an OAuth 1.0a error.
func transportError(ctx context.Context, step, target string, err error) *Error {
	e := oauth.TransportError(ctx, step, target, err)
	return &Error{Kind: e.Kind, Op: e.Op, Reason: e.Reason, Hint: e.Hint, Err: e.Err}
}

// RequestToken runs the first leg (§2.1): it asks for temporary
// credentials with callback (OOB or the loopback URL) and insists on
// oauth_callback_confirmed=true, the 1.0a guard against session fixation.
func (c *Client) RequestToken(ctx context.Context, callback string, rec Recorder) (*Credentials, error) {
	return c.requestToken(ctx, callback, recorderOr(rec), c.newRedactor())
}

func (c *Client) requestToken(ctx context.Context, callback string, rec Recorder, red *redactor) (*Credentials, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if callback == "" {
		return nil, &Error{Kind: KindNotConfigured, Op: "request token", Reason: "no callback (oob or a URL) to send"}
	}
	s := c.Signer(nil)
	s.Callback = callback
	var extra []Param
	for _, p := range c.TokenParams {
		if !strings.HasPrefix(p.Key, "oauth_") {
			extra = append(extra, Param{Name: p.Key, Value: p.Value})
		}
	}
	tmp, err := c.run(ctx, leg{step: "request token", endpoint: c.RequestTokenURL, signer: s, extra: extra}, rec, red)
	if err != nil {
		return nil, err
	}
	if !tmp.CallbackConfirmed {
		e := &Error{
			Kind: KindBadResponse, Op: "request token",
			Reason: "the server did not confirm the callback (oauth_callback_confirmed=true is missing): it speaks OAuth 1.0 without the 1.0a fix, which is open to session fixation",
			Hint:   "authdeck only runs OAuth 1.0a; check the provider's request-token endpoint",
		}
		rec.Record(oauth.Exchange{Time: time.Now(), Step: "request token", Error: e.Error(), Explanation: e.Hint})
		return nil, e
	}
	return tmp, nil
}

// AuthorizationURL returns the URL that sends the resource owner to
// approve the temporary credentials (§2.2): the authorization endpoint with
// oauth_token and the client's extra parameters.
func (c *Client) AuthorizationURL(tmp *Credentials) (string, error) {
	if tmp == nil || tmp.Token == "" {
		return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: "no temporary token to authorize"}
	}
	u, err := url.Parse(c.AuthorizeURL)
	if err != nil || c.AuthorizeURL == "" {
		return "", &Error{Kind: KindNotConfigured, Op: "authorization", Reason: "the authorization endpoint is missing or does not parse"}
	}
	ps := []Param{{Name: "oauth_token", Value: tmp.Token}}
	for _, p := range c.AuthParams {
		if p.Key != "oauth_token" {
			ps = append(ps, Param{Name: p.Key, Value: p.Value})
		}
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + formEncode(ps)
	} else {
		u.RawQuery = formEncode(ps)
	}
	return u.String(), nil
}

// AccessToken runs the last leg (§2.3): it exchanges the authorized
// temporary credentials and the verifier for token credentials.
func (c *Client) AccessToken(ctx context.Context, tmp *Credentials, verifier string, rec Recorder) (*Credentials, error) {
	red := c.newRedactor()
	red.add(verifier)
	if tmp != nil {
		red.add(tmp.Secret)
	}
	return c.accessToken(ctx, tmp, verifier, recorderOr(rec), red)
}

func (c *Client) accessToken(ctx context.Context, tmp *Credentials, verifier string, rec Recorder, red *redactor) (*Credentials, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if tmp == nil || tmp.Token == "" {
		return nil, &Error{Kind: KindMissingInput, Op: "access token", Reason: "no temporary credentials to exchange"}
	}
	if verifier == "" {
		return nil, &Error{Kind: KindMissingInput, Op: "access token", Reason: "no verifier to send"}
	}
	s := c.Signer(tmp)
	s.Verifier = verifier
	tok, err := c.run(ctx, leg{step: "access token", endpoint: c.AccessTokenURL, signer: s, secretToken: true}, rec, red)
	if err != nil {
		return nil, err
	}
	red.add(tok.Token)
	return tok, nil
}

func (c *Client) newRedactor() *redactor {
	r := &redactor{}
	r.add(c.ConsumerSecret)
	return r
}

func recorderOr(r Recorder) Recorder {
	if r == nil {
		return noRecorder{}
	}
	return r
}

// Callbacks are how the flow talks to the user. Every field is optional,
// but an out-of-band flow needs Verifier. They may be called from other
// goroutines and must not block for long (Verifier excepted).
type Callbacks struct {
	// Progress reports a step in plain words.
	Progress func(msg string)
	// AuthURL shows the authorization URL (and its QR code) before the
	// browser is opened, so remote users can copy it (S-01).
	AuthURL func(oauth.AuthPrompt)
	// Verifier asks the user for the verifier the provider shows at the end
	// of an out-of-band authorization, or for the callback URL the browser
	// landed on. In a loopback flow it is offered too, for a browser on
	// another machine; the first answer wins. It must return when ctx ends.
	Verifier func(ctx context.Context, p oauth.AuthPrompt) (string, error)
	// BrowserFailed reports that the browser could not be opened, so a UI
	// can say so as a failure; without it the failure goes to Progress.
	BrowserFailed func(err error)
}

func (cb Callbacks) progress(format string, args ...any) {
	if cb.Progress != nil {
		cb.Progress(fmt.Sprintf(format, args...))
	}
}

// Options are the per-run choices of Authorize.
type Options struct {
	// NoBrowser keeps the browser closed; the URL is still shown.
	NoBrowser bool
	// Record receives each leg, secrets redacted; nil records nothing.
	Record Recorder
}

// Authorize runs the three legs: temporary credentials, the resource
// owner's approval in the browser (back through the loopback listener, or a
// verifier typed in for oob), and token credentials. Nothing is stored.
func (c *Client) Authorize(ctx context.Context, opts Options, cb Callbacks) (*Credentials, error) {
	if !c.HasFlow() {
		return nil, ErrNoFlow("")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	rec := recorderOr(opts.Record)
	red := c.newRedactor()
	oob := c.Callback == OOB
	var l *loopback.Listener
	callback := OOB
	if !oob {
		var err error
		if l, err = listen(c.Callback); err != nil {
			return nil, err
		}
		defer l.Close()
		callback = l.URL
	} else if cb.Verifier == nil {
		return nil, &Error{
			Kind: KindMissingInput, Op: "authorization", Reason: "the client uses the out-of-band (oob) callback, but there is no way to enter the verifier here",
			Hint: "run the flow in a terminal or the TUI, or use the loopback callback",
		}
	}
	cb.progress("requesting temporary credentials from %s", hostOf(c.RequestTokenURL))
	tmp, err := c.requestToken(ctx, callback, rec, red)
	if err != nil {
		return nil, err
	}
	authURL, err := c.AuthorizationURL(tmp)
	if err != nil {
		return nil, err
	}
	verifier, err := c.browserLeg(ctx, l, tmp, authURL, opts, cb, rec, red)
	if err != nil {
		return nil, err
	}
	red.add(verifier)
	cb.progress("exchanging the verifier for token credentials at %s", hostOf(c.AccessTokenURL))
	return c.accessToken(ctx, tmp, verifier, rec, red)
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// showAuthorization records the authorization step, hands the prompt to
// cb.AuthURL and, unless opts.NoBrowser, opens the browser on authURL.
func (c *Client) showAuthorization(ctx context.Context, l *loopback.Listener, authURL string, opts Options, cb Callbacks, rec Recorder, red *redactor) oauth.AuthPrompt {
	prompt := oauth.AuthPrompt{URL: authURL, QR: oauth.QRCode(authURL), Listening: l != nil}
	note := "waiting for the verifier to be entered (oob)"
	if l != nil {
		prompt.RedirectURI = l.URL
		note = "waiting on the loopback callback " + l.URL
	}
	if opts.NoBrowser {
		note += "; browser not opened (--no-browser)"
	}
	rec.Record(oauth.Exchange{Time: time.Now(), Step: "authorization", Method: http.MethodGet, URL: red.url(authURL), Note: note})
	if cb.AuthURL != nil {
		cb.AuthURL(prompt)
	}
	if opts.NoBrowser {
		return prompt
	}
	open := c.Opener
	if open == nil {
		open = oauth.SystemOpener(os.Getenv)
	}
	if err := open(ctx, authURL); err != nil {
		if cb.BrowserFailed != nil {
			cb.BrowserFailed(err)
		} else {
			cb.progress("could not open a browser (%s); open the URL yourself", sanitize(err.Error(), 200))
		}
	} else {
		cb.progress("opened the browser; waiting for the authorization")
	}
	return prompt
}

// typedVerifierError is the error of a verifier prompt that ended without
// an answer.
func typedVerifierError(err error) error {
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: KindAborted, Op: "authorization", Reason: "cancelled while waiting for the verifier", Err: err}
	}
	return &Error{Kind: KindMissingInput, Op: "authorization", Reason: "no verifier was entered", Err: err}
}

// browserLeg shows the URL, opens the browser and waits for the verifier:
// from the listener, or typed in through cb.Verifier.
func (c *Client) browserLeg(ctx context.Context, l *loopback.Listener, tmp *Credentials, authURL string, opts Options, cb Callbacks, rec Recorder, red *redactor) (string, error) {
	prompt := c.showAuthorization(ctx, l, authURL, opts, cb, rec, red)
	timeout := c.CallbackTimeout
	if timeout <= 0 {
		timeout = DefaultCallbackTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	type typed struct {
		s   string
		err error
	}
	var typedCh chan typed
	if cb.Verifier != nil {
		askCtx, cancel := context.WithCancel(ctx)
		answer := make(chan typed, 1)
		typedCh = answer
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err := cb.Verifier(askCtx, prompt)
			answer <- typed{s, err}
		}()
		// The question goes away with the flow; wait so no goroutine outlives it.
		defer func() { cancel(); <-done }()
	}
	var listenCh chan loopback.Callback
	if l != nil {
		listenCh = l.C
	}
	record := func(step string, ps []Param, err error) {
		x := oauth.Exchange{Time: time.Now(), Step: step, Params: red.params(ps)}
		if err != nil {
			x.Error = red.scrub(err.Error())
			var oe *Error
			if errors.As(err, &oe) {
				x.Explanation = oe.Hint
			}
		}
		rec.Record(x)
	}
	for {
		select {
		case <-ctx.Done():
			return "", &Error{Kind: KindAborted, Op: "authorization", Reason: "cancelled while waiting for the authorization", Err: ctx.Err()}
		case <-timer.C:
			return "", &Error{
				Kind: KindAborted, Op: "authorization", Reason: fmt.Sprintf("timed out after %s waiting for the authorization", timeout),
				Hint: "start again and approve the access sooner",
			}
		case m := <-listenCh:
			v, err := ParseCallback(m.RawQuery, tmp.Token)
			m.Reply(err)
			ps, _ := ParseForm(m.RawQuery)
			record("callback", ps, err)
			return v, err
		case t := <-typedCh:
			typedCh = nil
			if t.err != nil {
				if ctx.Err() != nil || l != nil {
					// The loopback callback may still come.
					continue
				}
				return "", typedVerifierError(t.err)
			}
			v, err := parseTyped(t.s, tmp.Token)
			red.add(v)
			record("verifier entered", nil, err)
			return v, err
		}
	}
}
