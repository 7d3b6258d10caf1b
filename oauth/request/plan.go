package request

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
)

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
	if p.spec.Method, err = checkMethod(spec.Method); err != nil {
		return nil, err
	}
	switch spec.Placement {
	case "", vault.PlaceHeader, vault.PlaceBody, vault.PlaceQuery:
	default:
		return nil, &InputError{Field: "placement", Msg: fmt.Sprintf("%q is not header, body or query", spec.Placement)}
	}
	if err := p.planTemplates(); err != nil {
		return nil, err
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

// checkMethod upper-cases a request method (GET when empty) and checks
// that it is an HTTP token.
func checkMethod(m string) (string, error) {
	method := strings.ToUpper(strings.TrimSpace(m))
	if method == "" {
		method = http.MethodGet
	}
	for _, c := range method {
		if c > 0x7e || !isTokenChar(byte(c)) { //nolint:gosec // G115: c > 0x7e is ruled out first
			return "", &InputError{Field: "method", Msg: fmt.Sprintf("%q is not an HTTP method", m)}
		}
	}
	return method, nil
}

// planTemplates parses the URL, the headers and (unless it is sent as
// it is) the body.
func (p *plan) planTemplates() error {
	spec := p.spec
	var err error
	if p.urlT, err = vault.ParseTemplate(strings.TrimSpace(spec.URL)); err != nil {
		return &InputError{Field: "url", Err: err}
	}
	for i, h := range spec.Headers {
		nt, err := vault.ParseTemplate(h.Name)
		if err != nil {
			return &InputError{Field: fmt.Sprintf("header %d name", i+1), Err: err}
		}
		vt, err := vault.ParseTemplate(h.Value)
		if err != nil {
			return &InputError{Field: fmt.Sprintf("header %q", h.Name), Err: err}
		}
		p.hdrT = append(p.hdrT, [2]vault.Template{nt, vt})
	}
	if !strings.Contains(spec.Body, "{{") || !utf8.ValidString(spec.Body) {
		p.literal = true
	} else if p.bodyT, err = vault.ParseTemplate(spec.Body); err != nil {
		return &InputError{Field: "body", Err: err}
	}
	return nil
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

// parseTarget checks a request URL: absolute http(s) with a host.
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
