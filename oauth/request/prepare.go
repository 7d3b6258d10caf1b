package request

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/dynamic"
	"github.com/authdeck/authdeck/vault/mask"
)

// Engine gives what an OAuth credential puts on a request: a bearer token
// (for OAuth 2.0 and session-auth credentials, fetched or refreshed as
// needed; with req.Force a fresh one) or a signer (OAuth 1.0a).
// *oauth.Dispatcher satisfies it; this package never depends on how.
type Engine interface {
	RequestAuth(ctx context.Context, req oauth.TokenRequest, cb oauth.FlowCallbacks) (*oauth.RequestAuth, error)
}

// Spec is a request to send. URL, header names and values and the body may
// hold {{variables}} of the environment.
type Spec struct {
	Method  string
	URL     string
	Headers []vault.Header
	Body    string
	// Auth names a secret or auth client of the environment; empty sends no credential.
	Auth string
	// Placement overrides where a bearer token goes; empty means the secret's
	// own placement, else the Authorization header.
	Placement vault.Placement
	// Insecure turns TLS certificate verification off for this request only (S-15).
	Insecure bool
	// AllowHTTP lets a credential go over plain http to a host that is not loopback.
	AllowHTTP bool
	// Timeout bounds the whole exchange, body included; zero means the Sender's.
	Timeout time.Duration
	// Params, Form, BodyFile and Scheme are the saved request's parts of
	// the same names (see vault.Request); parts.go renders them.
	Params   []vault.QueryParam
	Form     []vault.FormField
	BodyFile string
	Scheme   *vault.AuthScheme
}

// SpecFromSaved returns the Spec of a saved request. Disabled headers are
// left out.
func SpecFromSaved(r vault.Request) Spec {
	return Spec{
		Method: r.Method, URL: r.URL, Headers: enabledHeaders(r.Headers), Body: r.Body,
		Auth: r.Auth, Placement: r.Placement, Insecure: r.InsecureSkipVerify,
		Params: slices.Clone(r.Params), Form: slices.Clone(r.Form), BodyFile: r.BodyFile, Scheme: r.Scheme,
	}
}

// enabledHeaders returns the headers that are sent.
func enabledHeaders(hs []vault.Header) []vault.Header {
	out := make([]vault.Header, 0, len(hs))
	for _, h := range hs {
		if !h.Disabled {
			out = append(out, h)
		}
	}
	return out
}

// Prepared is a request as it is (or would be) sent, for display: with
// every credential and secret variable masked unless it was prepared with
// reveal. It never holds a private key.
type Prepared struct {
	Method  string
	URL     string
	Headers []vault.Header
	// Body is the request body; a body that is not UTF-8 text is summarised.
	Body string
	// Credential describes the credential applied (`API key "gh" in header X-API-Key`); empty when none.
	Credential string
	// Placement is where a bearer token went; empty when no token was sent.
	Placement vault.Placement
	// Insecure reports TLS verification turned off.
	Insecure bool
	// Warnings are things the user must see: a token in the query or body, TLS off.
	Warnings []string
	// Revealed says the values are real, not masked.
	Revealed bool
}

// wire is a request being assembled: headers keep their order.
type wire struct {
	method  string
	url     *url.URL
	headers []vault.Header
	body    []byte
}

func (w *wire) clone() *wire {
	c := *w
	u := *w.url
	c.url = &u
	c.headers = slices.Clone(w.headers)
	c.body = slices.Clone(w.body)
	return &c
}

func (w *wire) get(name string) string {
	for _, h := range w.headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// set replaces every header called name (any case) with one value and
// reports whether one was replaced.
func (w *wire) set(name, value string) bool {
	replaced := false
	out := w.headers[:0]
	for _, h := range w.headers {
		if strings.EqualFold(h.Name, name) {
			replaced = true
			continue
		}
		out = append(out, h)
	}
	w.headers = append(out, vault.Header{Name: name, Value: value})
	return replaced
}

func (w *wire) httpHeader() http.Header {
	h := make(http.Header, len(w.headers))
	for _, x := range w.headers {
		h.Add(x.Name, x.Value)
	}
	return h
}

// credential is a resolved Spec.Auth.
type credential struct {
	name string
	// resolved is what the vault's resolver says name means.
	resolved *vault.Credential
	kind     string // for messages: "API key", "basic credentials", "OAuth token", …
	secret   *vault.Secret
	client   *vault.AuthClient
	// token says the value comes from the TokenSource (and can be refreshed).
	token     bool
	placement vault.Placement
	// headerName and queryParam say where an API key goes.
	headerName string
	queryParam string
	// bearer: an API key "Bearer …" in Authorization follows the placement rules.
	bearer bool
	// allowed are the allowedHosts lists that must all match.
	allowed [][]string
	// needsCertOnly: a CLIENT_CERT secret is applied at the TLS layer only.
	certOnly bool
	// oauth1: OAuth 1.0a token credentials sign the request; oa1Client is
	// their auth client, when the catalog has it.
	oauth1    bool
	oa1Client *vault.AuthClient
}

// values are a credential's secret parts, fetched at send time.
type values struct {
	key, username, password, token string
	cert                           *tls.Certificate
	// signer signs OAuth 1.0a requests.
	signer oauth.RequestSigner
	// prover makes the DPoP proof each request with a DPoP-bound token
	// needs (RFC 9449 §7); nil for a bearer token.
	prover oauth.Prover
	// masked marks stand-in values for display: HTTP basic shows as a mask,
	// not as base64 of one.
	masked bool
}

// MaskedValue stands for a credential or secret variable in displays (S-30).
func MaskedValue(v string) string {
	tail := ""
	if n := utf8.RuneCountInString(v); mask.TailLen(n) > 0 {
		r := []rune(v)
		tail = string(r[n-mask.TailLen(n):])
		for _, c := range tail {
			if c < ' ' || c == 0x7f {
				tail = ""
				break
			}
		}
	}
	return mask.Dots + tail
}

// plan is everything known before any value is fetched.
type plan struct {
	env  string
	spec Spec
	cat  *vault.Catalog
	e    *vault.Environment
	cred *credential
	// templates, parsed once
	urlT    vault.Template
	hdrT    [][2]vault.Template
	bodyT   vault.Template
	literal bool // body has no placeholders (or is not text): sent as is
	// secretVars are the secret variables the request uses.
	secretVars []string
	// parts are the templates of params, form, body file and scheme (parts.go).
	parts partsPlan
}

func (s *Sender) plan(env string, spec Spec) (*plan, error) {
	if s.Vault == nil {
		return nil, errors.New("request: Sender.Vault is nil")
	}
	load := s.Catalog
	if load == nil {
		load = s.Vault.Load
	}
	cat, err := load()
	if err != nil {
		return nil, err
	}
	e, ok := cat.Env(env)
	if !ok {
		return nil, &vault.NotFoundError{Kind: "environment", Name: env}
	}
	p := &plan{env: env, spec: spec, cat: cat, e: e}
	method := strings.ToUpper(strings.TrimSpace(spec.Method))
	if method == "" {
		method = http.MethodGet
	}
	for _, c := range method {
		if c > 0x7e || !isTokenChar(byte(c)) { //nolint:gosec // G115: c > 0x7e is ruled out first
			return nil, &InputError{Field: "method", Msg: fmt.Sprintf("%q is not an HTTP method", spec.Method)}
		}
	}
	p.spec.Method = method
	switch spec.Placement {
	case "", vault.PlaceHeader, vault.PlaceBody, vault.PlaceQuery:
	default:
		return nil, &InputError{Field: "placement", Msg: fmt.Sprintf("%q is not header, body or query", spec.Placement)}
	}
	if p.urlT, err = vault.ParseTemplate(strings.TrimSpace(spec.URL)); err != nil {
		return nil, &InputError{Field: "url", Err: err}
	}
	for i, h := range spec.Headers {
		nt, err := vault.ParseTemplate(h.Name)
		if err != nil {
			return nil, &InputError{Field: fmt.Sprintf("header %d name", i+1), Err: err}
		}
		vt, err := vault.ParseTemplate(h.Value)
		if err != nil {
			return nil, &InputError{Field: fmt.Sprintf("header %q", h.Name), Err: err}
		}
		p.hdrT = append(p.hdrT, [2]vault.Template{nt, vt})
	}
	if !strings.Contains(spec.Body, "{{") || !utf8.ValidString(spec.Body) {
		p.literal = true
	} else if p.bodyT, err = vault.ParseTemplate(spec.Body); err != nil {
		return nil, &InputError{Field: "body", Err: err}
	}
	used, err := p.planParts()
	if err != nil {
		return nil, err
	}
	used = append(used, p.urlT.Names()...)
	for _, h := range p.hdrT {
		used = append(used, h[0].Names()...)
		used = append(used, h[1].Names()...)
	}
	if !p.literal {
		used = append(used, p.bodyT.Names()...)
	}
	for _, n := range used {
		if v, ok := e.Var(n); ok && v.Secret && !slices.Contains(p.secretVars, n) {
			p.secretVars = append(p.secretVars, n)
		}
	}
	if spec.Auth != "" {
		if p.cred, err = resolveCredential(cat, env, spec.Auth, spec.Placement); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// resolveCredential resolves name with the vault's resolver and says how
// the sender applies it.
func resolveCredential(cat *vault.Catalog, env, name string, override vault.Placement) (*credential, error) {
	cred, err := vault.Resolve(cat, env, name, vault.ForRequest)
	if err != nil {
		return nil, err
	}
	c := &credential{name: name, resolved: cred}
	if sec := cred.Secret; sec != nil && !cred.NamedClient {
		c.secret = sec
		c.allowed = append(c.allowed, sec.AllowedHosts)
		c.placement = sec.Placement
		switch sec.Type {
		case vault.TypeAPIKey:
			c.kind = "API key"
			c.headerName = sec.HeaderName
			c.queryParam = sec.QueryParam
		case vault.TypeSimple:
			c.kind = "basic credentials"
		case vault.TypeOAuthToken:
			c.kind, c.token = "OAuth token", true
		case vault.TypeSessionAuth:
			c.kind, c.token = "session token", true
		case vault.TypeClientCert:
			c.kind, c.certOnly = "client certificate", true
		case vault.TypePrivateKey:
			return nil, &CredentialError{Credential: name, Msg: "a PRIVATE_KEY secret signs client assertions and cannot be applied to a request; use the auth client that holds it"}
		case vault.TypeOAuth1Token:
			c.kind = "OAuth 1.0a token"
			c.oauth1, c.oa1Client = true, cred.Client
		default:
			return nil, &CredentialError{Credential: name, Msg: fmt.Sprintf("secrets of type %s cannot be applied to a request", sec.Type)}
		}
		if cred.Client != nil {
			c.allowed = append(c.allowed, cred.Client.AllowedHosts)
		}
	} else if ac := cred.Client; cred.Protocol == vault.ProtocolOAuth1 {
		c.kind = "OAuth 1.0a token of auth client"
		c.allowed = append(c.allowed, ac.AllowedHosts)
		c.oauth1, c.oa1Client = true, ac
		if cred.Secret != nil {
			c.allowed = append(c.allowed, cred.Secret.AllowedHosts)
		}
	} else {
		c.client = ac
		c.kind, c.token = "token of auth client", true
		c.allowed = append(c.allowed, ac.AllowedHosts)
	}
	if override != "" {
		c.placement = override
	}
	if c.placement == "" {
		c.placement = vault.PlaceHeader
	}
	return c, nil
}

// hostAllowed checks every allowedHosts list of the credential (S-34).
func (c *credential) hostAllowed(hostport string) ([]string, bool) {
	for _, list := range c.allowed {
		if !vault.HostAllowed(list, hostport) {
			return list, false
		}
	}
	return nil, true
}

// describe is the Prepared.Credential text.
func (c *credential) describe(p vault.Placement, v values) string {
	switch {
	case c.oauth1:
		return c.describeOAuth1()
	case c.certOnly:
		return fmt.Sprintf("client certificate %q%s", c.name, certLabel(v.cert))
	case c.secret != nil && c.secret.Type == vault.TypeAPIKey && c.queryParam != "":
		return fmt.Sprintf("API key %q in query parameter %s", c.name, c.queryParam)
	case c.secret != nil && c.secret.Type == vault.TypeAPIKey && !c.bearer:
		return fmt.Sprintf("API key %q in header %s", c.name, c.apiKeyHeader(v))
	case c.secret != nil && c.secret.Type == vault.TypeSimple:
		return fmt.Sprintf("basic credentials %q (user %s)", c.name, v.username)
	}
	if v.prover != nil {
		return fmt.Sprintf("DPoP-bound token %q in the Authorization header, with a proof signed by key %s", c.name, v.prover.KeyID())
	}
	where := map[vault.Placement]string{vault.PlaceHeader: "Authorization header", vault.PlaceBody: "form body (access_token)", vault.PlaceQuery: "URL query (access_token)"}[p]
	what := c.kind
	if c.bearer {
		what = "bearer token"
	}
	return fmt.Sprintf("%s %q in the %s", what, c.name, where)
}

func certLabel(cert *tls.Certificate) string {
	if cert == nil || len(cert.Certificate) == 0 {
		return ""
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%s, expires %s)", leaf.Subject.String(), leaf.NotAfter.UTC().Format("2006-01-02"))
}

// apiKeyHeader is where an API key goes: the secret's header name (from the
// catalog or, as in the reference format, from the stored value), else
// Authorization.
func (c *credential) apiKeyHeader(values) string {
	if c.headerName != "" {
		return c.headerName
	}
	return "Authorization"
}

// fetch reads the credential's secret parts: from the store, or from the
// engine (a token or a signer). force asks the engine for a fresh token.
func (s *Sender) fetch(ctx context.Context, env string, c *credential, force bool) (values, error) {
	var v values
	fail := func(msg string, err error) (values, error) {
		return values{}, &CredentialError{Credential: c.name, Msg: msg, Err: err}
	}
	if c.oauth1 {
		if s.Engine == nil {
			return fail("no OAuth engine is available to sign with it", nil)
		}
		auth, err := s.Engine.RequestAuth(ctx, oauth.TokenRequest{Env: env, Name: c.name, Credential: c.resolved}, s.Callbacks)
		if err != nil {
			return fail("reading its OAuth 1.0a credentials", err)
		}
		if auth.Signer == nil {
			return fail("the engine gave no signer for its OAuth 1.0a credentials", nil)
		}
		v.signer = auth.Signer
		return v, nil
	}
	if c.secret != nil && !c.token {
		sv, err := s.Vault.SecretValue(ctx, *c.secret)
		if err != nil {
			return fail("reading its value from the vault", err)
		}
		switch c.secret.Type {
		case vault.TypeAPIKey:
			if sv.Key == "" {
				return fail("the stored API key is empty", nil)
			}
			v.key = sv.Key
			if c.headerName == "" && sv.HeaderName != "" {
				c.headerName = sv.HeaderName
			}
		case vault.TypeSimple:
			if sv.Username == "" {
				return fail("the stored username is empty", nil)
			}
			v.username, v.password = sv.Username, sv.Passphrase
		case vault.TypeClientCert:
			cert, err := tls.X509KeyPair([]byte(sv.Cert), []byte(sv.PrivateKey))
			if err != nil {
				return fail("the stored certificate and key do not form a pair", err)
			}
			v.cert = &cert
		case vault.TypeOAuthToken, vault.TypeSessionAuth, vault.TypePrivateKey, vault.TypeOAuth1Token:
			// read by their engines, not here
		}
	}
	if c.token {
		if s.Engine == nil {
			return fail("no OAuth engine is available to fetch its token", nil)
		}
		auth, err := s.Engine.RequestAuth(ctx, oauth.TokenRequest{Env: env, Name: c.name, Force: force, NoBrowser: s.NoBrowser, Credential: c.resolved}, s.Callbacks)
		if err != nil {
			return fail("getting a token", err)
		}
		tok := auth.Token
		if strings.TrimSpace(tok) == "" {
			return fail("the token source returned an empty token", nil)
		}
		v.prover = auth.DPoP
		if strings.ContainsAny(tok, "\r\n") {
			return fail("the token contains a line break", nil)
		}
		v.token = tok
		if c.client != nil && c.client.AuthMethod == vault.AuthTLSClient && c.client.HasSecret {
			// certificate-bound tokens (RFC 8705) need the same certificate at the resource server
			creds, err := s.Vault.ClientCredentials(ctx, *c.client)
			if err != nil {
				return fail("reading the client certificate", err)
			}
			cert, err := tls.X509KeyPair([]byte(creds.Cert), []byte(creds.CertKey))
			if err != nil {
				return fail("the client certificate and key do not form a pair", err)
			}
			v.cert = &cert
		}
	}
	return v, nil
}

// apply puts the credential's values into w. Masked values go into the
// display copy, real ones into the wire copy.
func (c *credential) apply(w *wire, v values) (vault.Placement, []string, error) {
	var warnings []string
	if c.certOnly {
		return "", nil, nil
	}
	if c.oauth1 {
		// Signing needs the whole request; build does it (buildOAuth1).
		return "", nil, &CredentialError{Credential: c.name, Msg: "OAuth 1.0a credentials sign the request and cannot be applied as a value"}
	}
	token := v.token
	if c.secret != nil && c.secret.Type == vault.TypeAPIKey {
		if c.queryParam != "" {
			if c.placement == vault.PlaceBody {
				return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("API key %q is configured as query parameter %s and cannot go in the body", c.name, c.queryParam)}
			}
			q := w.url.Query()
			q.Set(c.queryParam, v.key)
			w.url.RawQuery = q.Encode()
			warnings = append(warnings, fmt.Sprintf("API key %q is sent in the URL query (%s): URLs end up in logs and browser history", c.name, c.queryParam))
			return "", warnings, nil
		}
		header := c.apiKeyHeader(v)
		scheme, rest, _ := strings.Cut(v.key, " ")
		c.bearer = strings.EqualFold(header, "Authorization") && strings.EqualFold(scheme, "Bearer")
		if !c.bearer {
			if c.placement != vault.PlaceHeader {
				return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement %s applies to bearer tokens; API key %q goes in header %s (set a query parameter on the secret to send it in the URL)", c.placement, c.name, header)}
			}
			if w.set(header, v.key) {
				warnings = append(warnings, fmt.Sprintf("header %s was replaced by the credential", header))
			}
			return "", warnings, nil
		}
		token = strings.TrimSpace(rest)
	}
	if c.secret != nil && c.secret.Type == vault.TypeSimple {
		if c.placement != vault.PlaceHeader {
			return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement %s applies to bearer tokens; basic credentials go in the Authorization header", c.placement)}
		}
		value := "Basic " + base64.StdEncoding.EncodeToString([]byte(v.username+":"+v.password))
		if v.masked {
			value = "Basic " + mask.Dots
		}
		if w.set("Authorization", value) {
			warnings = append(warnings, "header Authorization was replaced by the credential")
		}
		return "", warnings, nil
	}
	if v.prover != nil {
		return c.applyDPoP(w, v, token)
	}
	// a bearer token
	switch c.placement {
	case vault.PlaceHeader:
		if w.set("Authorization", "Bearer "+token) {
			warnings = append(warnings, "header Authorization was replaced by the credential")
		}
	case vault.PlaceQuery:
		q := w.url.Query()
		q.Set("access_token", token)
		w.url.RawQuery = q.Encode()
		warnings = append(warnings, "the token is sent in the URL query (S-14): URLs end up in server logs, proxies and history; use it only when the API requires it")
	case vault.PlaceBody:
		switch w.method {
		case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions, http.MethodTrace:
			return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement body needs a request with a form body (POST, PUT, PATCH); this is a %s", w.method)}
		}
		ct := w.get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		switch {
		case ct == "" && (len(w.body) == 0 || looksForm(w.body)):
			w.set("Content-Type", "application/x-www-form-urlencoded")
		case mt == "application/x-www-form-urlencoded":
		default:
			return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("placement body needs an application/x-www-form-urlencoded body (RFC 6750 §2.2); this body is %s", orUnknown(ct))}
		}
		field := "access_token=" + url.QueryEscape(token)
		if len(w.body) > 0 {
			w.body = append(w.body, '&')
		}
		w.body = append(w.body, field...)
		warnings = append(warnings, "the token is sent in the form body (S-14): prefer the Authorization header unless the API requires this")
	}
	return c.placement, warnings, nil
}

// applyDPoP puts a DPoP-bound token on w (RFC 9449 §7.1): the DPoP scheme
// in the Authorization header and a proof for this method and URL, made
// with the token's own key (S-44). A display copy shows where the proof
// goes; the wire gets a fresh one, so a retry is proved anew.
func (c *credential) applyDPoP(w *wire, v values, token string) (vault.Placement, []string, error) {
	if c.placement != vault.PlaceHeader {
		return "", nil, &InputError{Field: "placement", Msg: fmt.Sprintf("%q holds a DPoP-bound token, which goes in the Authorization header with its proof (RFC 9449 §7.1), not the %s", c.name, c.placement)}
	}
	var warnings []string
	if w.set("Authorization", "DPoP "+token) {
		warnings = append(warnings, "header Authorization was replaced by the credential")
	}
	proof := "(a proof signed by key " + v.prover.KeyID() + ", made when sent)"
	if !v.masked {
		p, err := v.prover.Proof(w.method, w.url.String())
		if err != nil {
			return "", nil, &CredentialError{Credential: c.name, Msg: "making the DPoP proof", Err: err}
		}
		proof = p
	}
	if w.set(dpop.HeaderName, proof) {
		warnings = append(warnings, "header DPoP was replaced by the credential's proof")
	}
	return vault.PlaceHeader, warnings, nil
}

// looksForm reports a body written as form fields (a=1&b=2), as curl -d assumes.
func looksForm(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, part := range strings.Split(string(b), "&") {
		k, _, ok := strings.Cut(part, "=")
		if !ok || k == "" || strings.ContainsAny(part, " \t\r\n{}[]\"<>") {
			return false
		}
	}
	return true
}

func orUnknown(ct string) string {
	if ct == "" {
		return "of unknown type (no Content-Type)"
	}
	return ct
}

// render fills the templates; lookup supplies variable values.
// With real, files the request sends are read; else the display says what
// will be read.
func (p *plan) render(lookup func(string) (string, bool), real bool) (*wire, error) {
	wrap := func(field string, err error) error {
		var me *vault.MissingError
		if errors.As(err, &me) {
			return &InputError{Field: field, Msg: fmt.Sprintf("environment %q has no value for", p.env), Err: missingNames(me)}
		}
		return &InputError{Field: field, Err: err}
	}
	raw, err := p.urlT.Render(lookup, false)
	if err != nil {
		return nil, wrap("url", err)
	}
	u, err := parseTarget(raw)
	if err != nil {
		return nil, &InputError{Field: "url", Msg: err.Error()}
	}
	w := &wire{method: p.spec.Method, url: u}
	for i, h := range p.hdrT {
		name, err := h[0].Render(lookup, false)
		if err != nil {
			return nil, wrap(fmt.Sprintf("header %d name", i+1), err)
		}
		name = strings.TrimSpace(name)
		if name == "" || !validHeaderName(name) {
			return nil, &InputError{Field: fmt.Sprintf("header %d", i+1), Msg: fmt.Sprintf("%q is not a valid header name", name)}
		}
		val, err := h[1].Render(lookup, false)
		if err != nil {
			return nil, wrap(fmt.Sprintf("header %q", name), err)
		}
		if strings.ContainsAny(val, "\r\n\x00") {
			return nil, &InputError{Field: fmt.Sprintf("header %q", name), Msg: "value contains a line break or NUL"}
		}
		w.headers = append(w.headers, vault.Header{Name: name, Value: strings.TrimSpace(val)})
	}
	if p.literal {
		w.body = []byte(p.spec.Body)
	} else {
		b, err := p.bodyT.Render(lookup, false)
		if err != nil {
			return nil, wrap("body", err)
		}
		w.body = []byte(b)
	}
	if err := p.renderParts(w, lookup, real); err != nil {
		return nil, err
	}
	return w, nil
}

// missingNames turns a MissingError into an error that reads "{{a}}, {{b}}"
// and still matches vault.ErrMissingInput.
func missingNames(me *vault.MissingError) error {
	return &namesError{me}
}

type namesError struct{ me *vault.MissingError }

func (e *namesError) Error() string { return strings.TrimPrefix(e.me.Error(), "no value for ") }
func (e *namesError) Unwrap() error { return e.me }

func validHeaderName(h string) bool {
	for i := 0; i < len(h); i++ {
		if !isTokenChar(h[i]) {
			return false
		}
	}
	return true
}

// parseTarget checks a request URL: absolute http(s) with a host.
// basicBlob is the base64 of a basic credential as the Authorization header
// carries it, so an echo of the header is scrubbed too.
func basicBlob(v values) string {
	if v.username == "" && v.password == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(v.username + ":" + v.password))
}

// redactError returns err with every secret value (in any encoding it may
// take) masked in its text, keeping an *InputError's field so callers still
// classify it; an error that quotes no secret is returned as it is.
func redactError(err error, secrets []string) error {
	text := err.Error()
	if scrub(text, secrets) == text {
		return err
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return &InputError{Field: ie.Field, Msg: scrub(strings.TrimPrefix(text, ie.Field+": "), secrets)}
	}
	return errors.New(scrub(text, secrets))
}

func parseTarget(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid URL: %v", raw, unwrapURL(err))
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL (expected https://host/path)", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("the URL must not carry credentials (user:password@); use --auth with a SIMPLE secret")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// built is a request ready to send plus its display form.
type built struct {
	plan  *plan
	base  *wire // rendered, no credential
	real  *wire
	shown *wire
	vals  values
	// secrets are every secret value in the request, for scrubbing displays.
	secrets []string
	prep    Prepared
	// scheme are the rendered values of the request's auth scheme (parts.go).
	scheme schemeValues
	// nonceOK lets a 401 use_dpop_nonce be answered once; nonceRetry says
	// the last exchange asked for it (RFC 9449 §9).
	nonceOK, nonceRetry bool
}

// Prepare renders spec in env and applies its credential, returning the
// request as it would be sent. Without reveal no secret value is read —
// neither the credential nor secret variables — so showing a request (or
// copying it as curl) costs no vault call and no token fetch.
func (s *Sender) Prepare(ctx context.Context, env string, spec Spec, reveal bool) (*Prepared, error) {
	p, err := s.plan(env, spec)
	if err != nil {
		return nil, err
	}
	b, err := s.build(ctx, p, reveal, false)
	if err != nil {
		return nil, err
	}
	prep := b.prep
	return &prep, nil
}

// build renders p. With fetch, secret values are read and the real wire is
// built; the display wire always has them masked (or real, with reveal).
func (s *Sender) build(ctx context.Context, p *plan, reveal, fetch bool) (*built, error) {
	b := &built{plan: p}
	dyn := dynamic.New(time.Now())
	dyn.Getenv, dyn.Dotenv = s.Getenv, s.Dotenv
	need := fetch || reveal
	var secretVals map[string]string
	if need && len(p.secretVars) > 0 {
		vars, err := s.Vault.Vars(ctx, p.env)
		if err != nil {
			return nil, err
		}
		secretVals = vars
		for _, n := range p.secretVars {
			if v := vars[n]; v != "" {
				b.secrets = append(b.secrets, v)
			}
		}
	}
	dyn.Var = func(name string) (string, bool) {
		v, ok := p.e.Var(name)
		if ok && v.Secret {
			val, ok := secretVals[name]
			return val, ok
		}
		return v.Value, ok
	}
	lookup := func(masked bool) func(string) (string, bool) {
		return func(name string) (string, bool) {
			v, ok := p.e.Var(name)
			if !ok {
				if !dynamic.Sensitive(name) {
					return dyn.Lookup(name)
				}
				// $processEnv and $dotenv: read only when the real request
				// is built, masked on display, scrubbed like secrets.
				if masked {
					return mask.Dots, true
				}
				val, ok := dyn.Lookup(name)
				if ok && val != "" && !slices.Contains(b.secrets, val) {
					b.secrets = append(b.secrets, val)
				}
				return val, ok
			}
			if !v.Secret {
				return v.Value, true
			}
			if masked {
				return mask.Dots, true
			}
			val, ok := secretVals[name]
			return val, ok
		}
	}
	shownBase, err := p.render(lookup(!reveal), false)
	if err != nil {
		return nil, dynamicError(err, dyn)
	}
	if need {
		if b.base, err = p.render(lookup(false), fetch); err != nil {
			err = dynamicError(err, dyn)
			// The rendered text may quote a secret variable's value (a URL
			// that does not parse): the error is told from the masked
			// rendering, or scrubbed (S-42).
			return nil, redactError(err, b.secrets)
		}
	} else {
		b.base = shownBase
	}
	// allowedHosts and plain http are checked before any credential value is read.
	if c := p.cred; c != nil {
		if list, ok := c.hostAllowed(b.base.url.Host); !ok {
			return nil, &HostRefusedError{Credential: c.name, Host: b.base.url.Host, Allowed: list}
		}
		if b.base.url.Scheme == "http" && !vault.IsLoopbackHost(b.base.url.Hostname()) && !p.spec.AllowHTTP {
			return nil, &CredentialError{Credential: c.name, Msg: fmt.Sprintf("refusing to send it over plain http to %s (use https, or allow it explicitly for this request)", b.base.url.Host)}
		}
	}
	b.shown = shownBase.clone()
	prep := Prepared{Method: p.spec.Method, Insecure: p.spec.Insecure, Revealed: reveal}
	if c := p.cred; c != nil {
		var shownVals values
		if need {
			if b.vals, err = s.fetch(ctx, p.env, c, false); err != nil {
				return nil, err
			}
			for _, x := range []string{b.vals.key, b.vals.password, b.vals.token, basicBlob(b.vals)} {
				if x != "" {
					b.secrets = append(b.secrets, x)
				}
			}
		}
		if reveal {
			shownVals = b.vals
		} else {
			shownVals = maskedValues(b.vals, c)
		}
		if c.oauth1 {
			// The signature covers the request as sent, so the real wire is
			// signed first and the display shows what was signed.
			placement, warnings, err := c.buildOAuth1(b, need, reveal)
			if err != nil {
				return nil, err
			}
			prep.Placement, prep.Warnings = placement, warnings
			prep.Credential = c.describe(placement, shownVals)
		} else if placement, warnings, err := c.apply(b.shown, shownVals); err != nil {
			return nil, err
		} else {
			prep.Placement, prep.Warnings = placement, warnings
			prep.Credential = c.describe(placement, shownVals)
		}
		if need && !c.oauth1 {
			b.real = b.base.clone()
			if _, _, err := c.apply(b.real, b.vals); err != nil {
				return nil, err
			}
		}
	} else if need {
		b.real = b.base.clone()
	}
	if p.parts.scheme != nil {
		if prep.Credential, err = p.schemeOnBuilt(b, lookup, reveal, need, dyn.Now()); err != nil {
			return nil, err
		}
	}
	if p.spec.Insecure {
		prep.Warnings = append(prep.Warnings, "TLS certificate verification is OFF for this request (S-15)")
	}
	prep.URL = b.shown.url.String()
	prep.Headers = slices.Clone(b.shown.headers)
	prep.Body = displayBody(b.shown.body)
	b.prep = prep
	return b, nil
}

// maskedValues stands in for values not fetched (or not to be shown).
func maskedValues(v values, c *credential) values {
	m := values{cert: v.cert, masked: true, prover: v.prover}
	m.key, m.password, m.token = mask.Dots, mask.Dots, mask.Dots
	if v.key != "" {
		m.key = MaskedValue(v.key)
		if scheme, rest, ok := strings.Cut(v.key, " "); ok && strings.EqualFold(scheme, "Bearer") {
			m.key = scheme + " " + MaskedValue(strings.TrimSpace(rest))
		}
	}
	if v.token != "" {
		m.token = MaskedValue(v.token)
	}
	// A username is not secret and helps to tell credentials apart.
	m.username = v.username
	if m.username == "" {
		m.username = "…"
	}
	if c.secret != nil && c.secret.Type == vault.TypeAPIKey && v.key == "" {
		// Not fetched: the stored value may be "Bearer …". A placement other
		// than the header only makes sense for a bearer key, so show it so.
		m.key = mask.Dots
		if c.placement != vault.PlaceHeader && c.queryParam == "" && strings.EqualFold(c.apiKeyHeader(v), "Authorization") {
			m.key = "Bearer " + mask.Dots
		}
	}
	return m
}

// displayBody returns a request body for display.
func displayBody(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if !utf8.Valid(b) || strings.ContainsRune(string(b), 0) {
		return fmt.Sprintf("(%d bytes of binary data)", len(b))
	}
	return string(b)
}

// dynamicError explains a dynamic variable that had no value (bad
// arguments, an unset environment variable) instead of calling it missing.
func dynamicError(err error, dyn *dynamic.Values) error {
	var me *vault.MissingError
	if !errors.As(err, &me) {
		return err
	}
	for _, n := range me.Names {
		if derr := dyn.Err(n); derr != nil {
			return &InputError{Field: "{{" + n + "}}", Err: derr}
		}
	}
	return err
}
