package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// GrantSessionAuth names the session-auth "grant" in results.
const GrantSessionAuth = "session_auth"

// SessionRequest is a rendered session-auth token request.
type SessionRequest struct {
	URL      string
	AuthType vault.SessionAuthType
	// Fields are the request fields with {{fields.NAME}} filled in, in template order.
	Fields []vault.Param
}

// RenderSession fills a session-auth template with a secret's inputFields
// (the secret-service SESSION_AUTH form). Every placeholder without a value is reported at once, by
// name; a URL that is not valid once filled is an error naming it.
func RenderSession(t *vault.SessionTemplate, inputs map[string]string) (*SessionRequest, error) {
	if t == nil {
		return nil, newError(KindNotConfigured, "session auth", "the auth client has no token request template", "", nil)
	}
	var missing, where, malformed []string
	render := func(field, s string) string {
		out, err := vault.RenderFields(s, inputs)
		var me *vault.MissingError
		switch {
		case errors.As(err, &me):
			missing = append(missing, me.Names...)
			where = append(where, field)
		case err != nil:
			malformed = append(malformed, field+": "+err.Error())
		}
		return out
	}
	req := &SessionRequest{AuthType: t.AuthType}
	req.URL = render("endpoints.auth.url", t.URL)
	for i, p := range t.RequestFields {
		req.Fields = append(req.Fields, vault.Param{Key: p.Key, Value: render(fmt.Sprintf("endpoints.auth.requestFields[%d] (%s)", i, p.Key), p.Value)})
	}
	if len(malformed) > 0 {
		return nil, newError(KindNotConfigured, "session auth", "the template is malformed: "+strings.Join(malformed, "; "), "fix the auth client's template", nil)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		missing = dedup(missing)
		names := make([]string, len(missing))
		for i, n := range missing {
			names[i] = "{{" + n + "}}"
		}
		return nil, &Error{
			Kind: KindMissingInput, Op: "session auth",
			Reason: fmt.Sprintf("the secret has no input field for %s (used in %s)", strings.Join(names, ", "), strings.Join(where, ", ")),
			Hint:   "add the field to the secret's inputFields",
			Err:    &vault.MissingError{Names: missing},
		}
	}
	switch t.AuthType {
	case vault.SessionFormAuth, vault.SessionJSONAuth:
	default:
		return nil, newError(KindNotConfigured, "session auth", fmt.Sprintf("authType %q is not FORM_AUTH or JSON_AUTH", sanitize(string(t.AuthType), 40)), "", nil)
	}
	if err := vault.CheckURL("endpoints.auth.url", req.URL); err != nil {
		return nil, newError(KindNotConfigured, "session auth", "the token URL is not valid once filled in: "+err.Error(), "check the template URL and the secret's input fields", nil)
	}
	if t.TokenPath == "" {
		return nil, newError(KindNotConfigured, "session auth", "the auth client has no tokenPath", "", nil)
	}
	return req, nil
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// sessionAuth fetches a session token with the client's template (the
// secret-service SESSION_AUTH form) and reads the token and its expiry from the response.
func (f *flow) sessionAuth(ctx context.Context, inputs map[string]string) (*Result, error) {
	for _, v := range inputs {
		f.red.addValue(v)
	}
	t := f.ac.SessionAuth
	req, err := RenderSession(t, inputs)
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			cp := *oe
			cp.Reason = f.red.scrub(cp.Reason)
			return nil, &cp
		}
		return nil, err
	}
	f.red.addName(lastSegment(t.TokenPath))
	c := call{step: "session auth", url: req.URL}
	if req.AuthType == vault.SessionJSONAuth {
		c.jsonBody = map[string]string{}
		for _, p := range req.Fields {
			c.jsonBody[p.Key] = p.Value
		}
	} else {
		c.form = url.Values{}
		for _, p := range req.Fields {
			c.form.Add(p.Key, p.Value)
		}
	}
	f.cb.progress("session auth: POST %s", f.red.scrub(req.URL))
	resp, err := f.do(ctx, c)
	if err != nil {
		return nil, err
	}
	tok, exp, err := parseSessionResponse(resp.status, resp.contentType, resp.body, t.TokenPath, t.ExpirationPath, f.e.now())
	if err != nil {
		f.fail(resp.idx, err)
		return nil, err
	}
	f.red.addValue(tok)
	r := &Result{AccessToken: tok, TokenType: "Bearer", Grant: GrantSessionAuth}
	if !exp.IsZero() {
		r.Expiry = exp
		r.ExpiresIn = exp.Sub(f.e.now())
	}
	return r, nil
}

func lastSegment(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// parseSessionResponse reads the token at tokenPath and the expiry at
// expirationPath from a session-auth JSON response. The expiry is a number
// of seconds (from now), a Unix time, or a date.
func parseSessionResponse(status int, contentType string, body []byte, tokenPath, expirationPath string, now time.Time) (string, time.Time, error) {
	const op = "session auth"
	if len(body) > MaxResponseBytes {
		return "", time.Time{}, tooLarge(op, status)
	}
	trimmed := bytes.TrimSpace(body)
	var doc any
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return "", time.Time{}, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: fmt.Sprintf("the response is not valid JSON (%s)", jsonErrorAt(trimmed, err))}
		}
	}
	if m, ok := doc.(map[string]any); ok {
		if e := errorFromFields(op, status, m); e != nil && (status >= 400 || e.Code != "") {
			return "", time.Time{}, e
		}
	}
	if status < 200 || status > 299 {
		return "", time.Time{}, statusError(op, status, contentType)
	}
	if doc == nil {
		_, err := decodeFields(op, status, contentType, body)
		if err == nil {
			err = &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "the response is not JSON, so tokenPath cannot be read"}
		}
		return "", time.Time{}, err
	}
	v, err := LookupPath(doc, tokenPath)
	if err != nil {
		return "", time.Time{}, &Error{
			Kind: KindBadResponse, Op: op, Status: status, Reason: "tokenPath " + err.Error(),
			Hint: "fix the auth client's tokenPath to point at the token in the response (run with -v to see the response's field names)",
		}
	}
	tok, ok := v.(string)
	if !ok || tok == "" {
		return "", time.Time{}, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: fmt.Sprintf("tokenPath %q is not a non-empty string in the response", tokenPath)}
	}
	var exp time.Time
	if expirationPath != "" {
		ev, err := LookupPath(doc, expirationPath)
		if err != nil {
			return "", time.Time{}, &Error{
				Kind: KindBadResponse, Op: op, Status: status, Reason: "expirationPath " + err.Error(),
				Hint: "fix the auth client's expirationPath, or clear it when the response has no expiry",
			}
		}
		exp, err = sessionExpiry(ev, now)
		if err != nil {
			return "", time.Time{}, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: fmt.Sprintf("expirationPath %q: %v", expirationPath, err)}
		}
	}
	return tok, exp, nil
}

// LookupPath follows a dotted path ("data.tokens.0.value") into decoded
// JSON; numeric segments index arrays. The error says where the path stops
// matching and what is there instead.
func LookupPath(doc any, path string) (any, error) {
	if path == "" {
		return nil, errors.New("is empty")
	}
	cur := doc
	segs := strings.Split(path, ".")
	for i, s := range segs {
		at := strings.Join(segs[:i], ".")
		if at == "" {
			at = "the top level"
		} else {
			at = fmt.Sprintf("%q", at)
		}
		switch x := cur.(type) {
		case map[string]any:
			next, ok := x[s]
			if !ok {
				return nil, fmt.Errorf("%q matches nothing: %s has no key %q (keys: %s)", path, at, sanitize(s, 60), keyList(x))
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(x) {
				return nil, fmt.Errorf("%q matches nothing: %s is a list of %d, %q is not an index in it", path, at, len(x), sanitize(s, 60))
			}
			cur = x[n]
		default:
			return nil, fmt.Errorf("%q matches nothing: %s is a %s, not an object", path, at, jsonKind(x))
		}
	}
	return cur, nil
}

func keyList(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, sanitize(k, 40))
	}
	sort.Strings(keys)
	if len(keys) > 12 {
		keys = append(keys[:12], "…")
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// sessionExpiry reads an expiry value: seconds from now, Unix seconds (or
// milliseconds) when the number is that large, or a date string.
func sessionExpiry(v any, now time.Time) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return time.Time{}, fmt.Errorf("is a %s, not a number of seconds or a date", jsonKind(v))
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0) || f < 0:
			return time.Time{}, fmt.Errorf("%q is not a usable number of seconds", sanitize(s, 40))
		case f >= 1e12 && f < 1e14:
			return time.UnixMilli(int64(f)).UTC(), nil
		case f >= 1e9 && f < 1e12:
			return time.Unix(int64(f), 0).UTC(), nil
		case f < maxLifetime.Seconds():
			return now.Add(time.Duration(f * float64(time.Second))), nil
		}
		return time.Time{}, fmt.Errorf("%q is too large to be an expiry", sanitize(s, 40))
	}
	t, err := vault.ParseExpiry(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a number of seconds nor a date", sanitize(s, 60))
	}
	return t, nil
}
