package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault/jsonpos"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// MaxResponseBytes is the largest response body authdeck reads from an
// authorization server; anything bigger is refused (S-18).
const MaxResponseBytes = 1 << 20

// TokenResponse is a parsed RFC 6749 §5.1 token response.
type TokenResponse struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string
	// Scope is the granted scope string; empty when the server did not say.
	Scope string
	// ScopeSent reports whether the response carried a scope at all.
	ScopeSent bool
	// ExpiresIn is the lifetime the server gave; zero when it gave none.
	ExpiresIn time.Duration
	// IssuedTokenType is the RFC 8693 issued_token_type of an exchange.
	IssuedTokenType string
	// DPoPJKT is the thumbprint of the DPoP key the tokens are bound to,
	// when the server issued token_type DPoP to a proof of that key.
	DPoPJKT string
	// Extra holds the other top-level fields (strings and numbers as text).
	Extra map[string]string
}

// tokenTypes says which token types other than bearer a flow accepts.
type tokenTypes struct {
	// dpop accepts "DPoP": the flow sent a proof (RFC 9449 §5).
	dpop bool
	// notApplicable accepts "N_A": a token exchange that issued something
	// other than an access token (RFC 8693 §2.2.1).
	notApplicable bool
}

// ParseTokenResponse decodes a token endpoint response: JSON (the standard)
// or form-encoded (some older servers), expires_in as a number or a string.
// An "error" field makes it an *Error whatever the HTTP status (S-16), and a
// token type other than bearer (any case) is KindUnsupportedTokenType.
// op names the step in errors ("token request", "refresh").
func ParseTokenResponse(op string, status int, contentType string, body []byte) (*TokenResponse, error) {
	return parseTokenResponse(op, status, contentType, body, tokenTypes{})
}

func parseTokenResponse(op string, status int, contentType string, body []byte, accept tokenTypes) (*TokenResponse, error) {
	fields, err := decodeSuccess(op, status, contentType, body)
	if err != nil {
		return nil, err
	}
	tok := &TokenResponse{Extra: map[string]string{}}
	for k, v := range fields {
		s, ok := scalarString(v)
		switch k {
		case "access_token":
			tok.AccessToken = s
		case "token_type":
			tok.TokenType = s
		case "refresh_token":
			tok.RefreshToken = s
		case "id_token":
			tok.IDToken = s
		case "issued_token_type":
			tok.IssuedTokenType = s
		case "scope":
			tok.Scope, tok.ScopeSent = strings.Join(strings.Fields(s), " "), ok
		case "expires_in":
			d, err := parseExpiresIn(v)
			if err != nil {
				return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "expires_in " + err.Error()}
			}
			tok.ExpiresIn = d
		default:
			if ok {
				tok.Extra[k] = s
			}
		}
		if !ok && v != nil && k != "expires_in" && isTokenField(k) {
			return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: fmt.Sprintf("%s in the token response is not a string", k)}
		}
	}
	if tok.AccessToken == "" {
		return nil, &Error{
			Kind: KindBadResponse, Op: op, Status: status,
			Reason: "the response has no access_token", Hint: "check that the token URL is the provider's token endpoint; run with -v to see the response",
		}
	}
	// A token with an ASCII control character can never be sent in a
	// header (and would drive a terminal it is printed on): refused before
	// anything stores it (S-40).
	for _, f := range []struct{ name, value string }{{"access_token", tok.AccessToken}, {"refresh_token", tok.RefreshToken}} {
		if i := termsafe.IndexCTL(f.value); i >= 0 {
			return nil, &Error{
				Kind: KindBadResponse, Op: op, Status: status,
				Reason: fmt.Sprintf("%s in the token response holds the control character 0x%02x at byte %d, so it could never be sent in a request", f.name, f.value[i], i),
			}
		}
	}
	switch {
	case accept.dpop && strings.EqualFold(tok.TokenType, "DPoP"):
	case accept.notApplicable && tok.TokenType == "N_A":
	case strings.EqualFold(tok.TokenType, "DPoP"):
		return nil, &Error{
			Kind: KindUnsupportedTokenType, Op: op,
			Reason: "the server issued a DPoP-bound token, but this client sends no DPoP proofs, so it could never use it",
			Hint:   "turn DPoP on for the auth client (--dpop), which gives it a key",
		}
	default:
		if err := CheckTokenType(op, tok.TokenType); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

func isTokenField(k string) bool {
	switch k {
	case "access_token", "token_type", "refresh_token", "id_token", "scope", "issued_token_type":
		return true
	}
	return false
}

// CheckTokenType accepts "bearer" in any case (and an omitted type, which
// RFC 6749 forbids but servers send; it is used as bearer) and reports any
// other type as unsupported (KindUnsupportedTokenType).
func CheckTokenType(op, tokenType string) error {
	if tokenType == "" || strings.EqualFold(tokenType, "bearer") {
		return nil
	}
	return &Error{
		Kind: KindUnsupportedTokenType, Op: op,
		Reason: fmt.Sprintf("the server issued a %q token; only bearer tokens are supported", sanitize(tokenType, 40)),
		Hint:   "configure the provider to issue bearer tokens for this client",
	}
}

// decodeSuccess reads the fields of a response that must be a success: an
// error field is an *Error whatever the status (S-16), and so is a status
// outside 2xx.
func decodeSuccess(op string, status int, contentType string, body []byte) (map[string]any, error) {
	fields, err := decodeFields(op, status, contentType, body)
	if err != nil {
		return nil, err
	}
	if e := errorFromFields(op, status, fields); e != nil {
		return nil, e
	}
	if status < 200 || status > 299 {
		return nil, statusError(op, status, contentType)
	}
	return fields, nil
}

// decodeFields reads a JSON object or a form-encoded body into top-level fields.
func decodeFields(op string, status int, contentType string, body []byte) (map[string]any, error) {
	if len(body) > MaxResponseBytes {
		return nil, tooLarge(op, status)
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, &Error{
				Kind: KindBadResponse, Op: op, Status: status,
				Reason: fmt.Sprintf("the response is not valid JSON (%s)", jsonErrorAt(trimmed, err)),
			}
		}
		if dec.More() {
			return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "the response has data after the JSON object"}
		}
		return m, nil
	}
	if mt == "application/x-www-form-urlencoded" || (mt == "text/plain" && looksLikeForm(string(trimmed))) {
		v, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "the form-encoded response does not parse: " + sanitize(err.Error(), 120)}
		}
		m := make(map[string]any, len(v))
		for k, vs := range v {
			m[k] = vs[0]
		}
		return m, nil
	}
	if status < 200 || status > 299 {
		return nil, statusError(op, status, contentType)
	}
	what := mt
	if what == "" {
		what = "a body without a content type"
	}
	if len(trimmed) == 0 {
		what = "an empty body"
	}
	return nil, &Error{
		Kind: KindBadResponse, Op: op, Status: status,
		Reason: fmt.Sprintf("the server answered with %s, not JSON", what),
		Hint:   "check that the URL is the provider's endpoint (an HTML page often means a login page or a proxy); run with -v to see the exchange",
	}
}

func tooLarge(op string, status int) *Error {
	return &Error{
		Kind: KindBadResponse, Op: op, Status: status,
		Reason: fmt.Sprintf("the response is larger than %d bytes and was refused", MaxResponseBytes),
	}
}

// statusError describes an HTTP failure that carried no OAuth error.
func statusError(op string, status int, contentType string) *Error {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" {
		mt = "no content type"
	}
	if status >= 500 {
		return &Error{
			Kind: KindUnreachable, Op: op, Status: status,
			Reason: fmt.Sprintf("the server failed with HTTP %d (%s)", status, mt), Hint: "try again later",
		}
	}
	hint := "check the endpoint URL and the client configuration; run with -v to see the exchange"
	if status == 404 || status == 405 {
		hint = "check the endpoint URL (and the token method GET/POST)"
	}
	return &Error{
		Kind: KindRejected, Op: op, Status: status,
		Reason: fmt.Sprintf("the server answered HTTP %d (%s) without an OAuth error", status, mt), Hint: hint,
	}
}

// errorFromFields returns the *Error of an OAuth error response, or nil.
func errorFromFields(op string, status int, m map[string]any) *Error {
	raw, ok := m["error"]
	if !ok || raw == nil {
		return nil
	}
	code, _ := scalarString(raw)
	if code == "" {
		if status >= 200 && status <= 299 {
			return nil
		}
		code = "unknown_error"
	}
	desc, _ := scalarString(m["error_description"])
	uri, _ := scalarString(m["error_uri"])
	return oauthError(op, code, desc, uri, status)
}

// scalarString renders a JSON scalar as text; ok is false for objects, arrays and null.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// maxLifetime bounds expires_in (100 years) so a hostile value cannot overflow.
const maxLifetime = 100 * 365 * 24 * time.Hour

// parseExpiresIn accepts a JSON number or a string holding a number of seconds.
func parseExpiresIn(v any) (time.Duration, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return 0, nil
		}
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return 0, fmt.Errorf("is not a number of seconds")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", sanitize(s, 40))
	}
	if f < 0 {
		return 0, fmt.Errorf("%q is negative", sanitize(s, 40))
	}
	d := time.Duration(f * float64(time.Second))
	if f > maxLifetime.Seconds() {
		d = maxLifetime
	}
	return d, nil
}

// jsonErrorAt describes a JSON error with its line and column.
func jsonErrorAt(data []byte, err error) string {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	msg := sanitize(err.Error(), 120)
	if off < 0 {
		return msg
	}
	line, col := jsonpos.LineCol(data, off)
	return fmt.Sprintf("line %d, column %d: %s", line, col, msg)
}

// splitScopes splits a space-separated scope string, dropping duplicates.
func splitScopes(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(s) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// scopeDiff returns the scopes in a that are not in b.
func scopeDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// tokenRequest sends a token-endpoint request of the given grant: client
// authentication, the client's extra token parameters, audience
// and resource, POST or GET as configured. It parses the answer and records
// the explanation of any error in the transcript.
func (f *flow) tokenRequest(ctx context.Context, step string, form url.Values) (*TokenResponse, error) {
	if err := f.needEndpoints(ctx, false, "token"); err != nil {
		return nil, err
	}
	header := http.Header{}
	addParams(form, f.ac.TokenParams, "grant_type", "code", "code_verifier", "redirect_uri", "refresh_token",
		"client_id", "client_secret", "client_assertion", "client_assertion_type", "device_code", "username", "password",
		"subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type")
	if f.ac.Audience != "" && form.Get("audience") == "" {
		form.Set("audience", f.ac.Audience)
	}
	if f.ac.Resource != "" && form.Get("resource") == "" {
		form.Set("resource", f.ac.Resource)
	}
	if err := f.authenticate(form, header); err != nil {
		return nil, err
	}
	method := http.MethodPost
	if strings.EqualFold(f.ac.TokenMethod, http.MethodGet) {
		method = http.MethodGet
	}
	if step != "device poll" {
		f.cb.progress("%s: %s %s", step, method, f.eps.Token)
	}
	resp, err := f.doDPoP(ctx, call{step: step, method: method, url: f.eps.Token, form: form, header: header})
	if err != nil {
		return nil, err
	}
	accept := tokenTypes{dpop: f.dpop != nil, notApplicable: form.Get("grant_type") == TokenExchangeGrantType}
	tok, err := parseTokenResponse(step, resp.status, resp.contentType, resp.body, accept)
	if err != nil {
		if step == "refresh" {
			err = refreshError(err, f.name)
		}
		f.fail(resp.idx, err)
		return nil, err
	}
	for _, s := range []string{tok.AccessToken, tok.RefreshToken, tok.IDToken} {
		f.red.addValue(s)
	}
	if f.dpop != nil {
		if strings.EqualFold(tok.TokenType, "DPoP") {
			tok.DPoPJKT = f.dpop.Thumbprint()
		} else {
			f.tr.note(step, "the server ignored the DPoP proof and issued a bearer token, which is not bound to the client's key")
		}
	}
	return tok, nil
}
