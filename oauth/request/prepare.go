package request

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth"
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
	// Params, Form, BodyFile, StripLineBreaks and Scheme are the saved
	// request's parts of the same names (see vault.Request); parts.go
	// renders them.
	Params          []vault.QueryParam
	Form            []vault.FormField
	BodyFile        string
	StripLineBreaks bool
	Scheme          *vault.AuthScheme
}

// SpecFromSaved returns the Spec of a saved request. Disabled headers are
// left out.
func SpecFromSaved(r vault.Request) Spec {
	return Spec{
		Method: r.Method, URL: r.URL, Headers: enabledHeaders(r.Headers), Body: r.Body,
		Auth: r.Auth, Placement: r.Placement, Insecure: r.InsecureSkipVerify,
		Params: slices.Clone(r.Params), Form: slices.Clone(r.Form), BodyFile: r.BodyFile, StripLineBreaks: r.StripLineBreaks,
		Scheme: r.Scheme,
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
	// Source says where a body read when sent comes from: a file, or the
	// parts of a multipart form (files by path), as rendered (masked
	// unless revealed). Curl writes them as curl options.
	Source BodySource
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
	secretVals, err := s.secretVars(ctx, b, need)
	if err != nil {
		return nil, err
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
		return b.varLookup(dyn, secretVals, masked)
	}
	shownBase, err := p.render(lookup(!reveal), false)
	if err != nil {
		return nil, dynamicError(err, dyn)
	}
	b.base = shownBase
	if need {
		if b.base, err = p.render(lookup(false), fetch); err != nil {
			err = dynamicError(err, dyn)
			// The rendered text may quote a secret variable's value (a URL
			// that does not parse): the error is told from the masked
			// rendering, or scrubbed (S-42). The reason of a parse error
			// may quote a piece of the value (an escape such as "%zz"), so
			// an error that quoted a secret keeps only its field.
			if redacted := redactError(err, b.secrets); redacted.Error() != err.Error() {
				return nil, secretRenderError(redacted, shownBase)
			}
			return nil, err
		}
	}
	if err := p.checkDestination(b.base.url); err != nil {
		return nil, err
	}
	b.shown = shownBase.clone()
	prep := Prepared{Method: p.spec.Method, Insecure: p.spec.Insecure, Revealed: reveal}
	if err := s.applyCredential(ctx, b, &prep, reveal, need); err != nil {
		return nil, err
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
	prep.Source = b.shown.source
	b.prep = prep
	return b, nil
}

// secretRenderError stands for an error of rendering the real request
// that quoted a secret variable's value: it names the field that failed
// (the URL as shown, masked), not why.
func secretRenderError(err error, shown *wire) error {
	field := "request"
	var ie *InputError
	if errors.As(err, &ie) && ie.Field != "" {
		field = ie.Field
	}
	what := "is not valid"
	if field == "url" && shown != nil && shown.url != nil {
		what = fmt.Sprintf("%q is not a valid URL", shown.url.String())
	}
	return &InputError{Field: field, Msg: what + " once its secret variables are filled in (the reason is not shown: it would quote a secret value)"}
}

// secretVars reads the values of the secret variables the request uses
// when they are needed, and notes them for scrubbing.
func (s *Sender) secretVars(ctx context.Context, b *built, need bool) (map[string]string, error) {
	p := b.plan
	if !need || len(p.secretVars) == 0 {
		return nil, nil
	}
	vars, err := s.Vault.Vars(ctx, p.env)
	if err != nil {
		return nil, err
	}
	for _, n := range p.secretVars {
		if v := vars[n]; v != "" {
			b.secrets = append(b.secrets, v)
		}
	}
	return vars, nil
}

// varLookup resolves the request's {{variables}}: environment variables,
// secret ones from secretVals (masked on display), and dynamic ones.
func (b *built) varLookup(dyn *dynamic.Values, secretVals map[string]string, masked bool) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := b.plan.e.Var(name)
		switch {
		case !ok && !dynamic.Sensitive(name):
			return dyn.Lookup(name)
		case !ok:
			return b.sensitiveDynamic(dyn, name, masked)
		case !v.Secret:
			return v.Value, true
		case masked:
			return mask.Dots, true
		}
		val, ok := secretVals[name]
		return val, ok
	}
}

// sensitiveDynamic resolves $processEnv and $dotenv: read only when the
// real request is built, masked on display, scrubbed like secrets.
func (b *built) sensitiveDynamic(dyn *dynamic.Values, name string, masked bool) (string, bool) {
	if masked {
		return mask.Dots, true
	}
	val, ok := dyn.Lookup(name)
	if ok && val != "" && !slices.Contains(b.secrets, val) {
		b.secrets = append(b.secrets, val)
	}
	return val, ok
}

// checkDestination refuses to send the credential to a host it is not
// allowed on, or over plain http off loopback unless the request allows
// it. It is checked before any credential value is read.
func (p *plan) checkDestination(u *url.URL) error {
	c := p.cred
	if c == nil {
		return nil
	}
	if list, ok := c.hostAllowed(u.Host); !ok {
		return &HostRefusedError{Credential: c.name, Host: u.Host, Allowed: list}
	}
	if u.Scheme == "http" && !vault.IsLoopbackHost(u.Hostname()) && !p.spec.AllowHTTP {
		return &CredentialError{Credential: c.name, Msg: fmt.Sprintf("refusing to send it over plain http to %s (use https, or allow it explicitly for this request)", u.Host)}
	}
	return nil
}

// applyCredential reads the credential's values when needed, applies them
// to the real wire and (masked unless revealed) to the shown one, and
// describes it in prep.
func (s *Sender) applyCredential(ctx context.Context, b *built, prep *Prepared, reveal, need bool) error {
	c := b.plan.cred
	if c == nil {
		if need {
			b.real = b.base.clone()
		}
		return nil
	}
	if need {
		vals, err := s.fetch(ctx, b.plan.env, c, false)
		if err != nil {
			return err
		}
		b.vals = vals
		for _, x := range []string{vals.key, vals.password, vals.token, basicBlob(vals)} {
			if x != "" {
				b.secrets = append(b.secrets, x)
			}
		}
	}
	shownVals := b.vals
	if !reveal {
		shownVals = maskedValues(b.vals, c)
	}
	var placement vault.Placement
	var warnings []string
	var err error
	if c.oauth1 {
		// The signature covers the request as sent, so the real wire is
		// signed first and the display shows what was signed.
		placement, warnings, err = c.buildOAuth1(b, need, reveal)
	} else {
		placement, warnings, err = c.apply(b.shown, shownVals)
	}
	if err != nil {
		return err
	}
	prep.Placement, prep.Warnings = placement, warnings
	prep.Credential = c.describe(placement, shownVals)
	if need && !c.oauth1 {
		b.real = b.base.clone()
		if _, _, err := c.apply(b.real, b.vals); err != nil {
			return err
		}
	}
	return nil
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
