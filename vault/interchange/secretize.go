package interchange

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/secretlike"
)

// This file moves literal secrets out of imported requests, guided by the
// secretlike guesses, into secret variables and secrets of the batch.

// secretize moves literal secrets out of a request: an Authorization header
// becomes a secret the request uses (when it has no credential yet), other
// secret-looking header, query, form and JSON values become secret variables.
func (im *reqImporter) secretize(r *vault.Request, label string) {
	var kept []vault.Header
	for _, h := range r.Headers {
		if h, keep := im.secretizeHeader(r, h, label); keep {
			kept = append(kept, h)
		}
	}
	r.Headers = kept
	r.URL = im.secretizeURL(r.URL, label)
	r.Body = im.secretizeBody(r, label)
}

// isCredentialHeader reports a header whose value is a credential whatever
// it looks like.
func isCredentialHeader(name string) bool {
	return strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") || strings.EqualFold(name, "Cookie")
}

// secretizeHeader returns header h as the request keeps it, its secret
// value moved to a secret variable; false when it became the request's
// credential instead (an Authorization or API key header of a request
// without one).
func (im *reqImporter) secretizeHeader(r *vault.Request, h vault.Header, label string) (vault.Header, bool) {
	v := strings.TrimSpace(h.Value)
	if v == "" || strings.Contains(v, "{{") {
		return h, true
	}
	where := label + " (header " + h.Name + ")"
	if h.Disabled || r.Scheme != nil && strings.EqualFold(h.Name, "Authorization") {
		// Not sent (disabled, or replaced by the request's scheme), so no
		// credential of the request; a secret value still leaves the catalog.
		if isCredentialHeader(h.Name) || secretlike.Field(h.Name, v) {
			h.Value = im.secretizeValue(h.Name, v, where)
		}
		return h, true
	}
	if strings.EqualFold(h.Name, "Authorization") && r.Auth == "" && im.authorizationCredential(r, v, label) {
		return h, false
	}
	if !isCredentialHeader(h.Name) && !secretlike.Field(h.Name, v) {
		return h, true
	}
	if !isCredentialHeader(h.Name) && r.Auth == "" && !strings.ContainsAny(v, " ") && validHeaderName(h.Name) {
		// An API key header: a secret the request uses, like any credential.
		r.Auth = im.addCredential(r.Name+" "+h.Name, vault.Secret{Type: vault.TypeAPIKey, HeaderName: h.Name}, vault.SecretValue{Key: v}, where)
		return h, false
	}
	return vault.Header{Name: h.Name, Value: im.secretizeValue(h.Name, v, where)}, true
}

// authorizationCredential makes a Bearer or Basic Authorization value the
// request's credential; false for any other scheme.
func (im *reqImporter) authorizationCredential(r *vault.Request, v, label string) bool {
	scheme, rest, _ := strings.Cut(v, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer":
		if rest != "" {
			r.Auth = im.addCredential(r.Name+" token", vault.Secret{Type: vault.TypeAPIKey, HeaderName: "Authorization"}, vault.SecretValue{Key: "Bearer " + rest, HeaderName: "Authorization"}, label+" (Authorization header)")
			return true
		}
	case "basic":
		if user, pass, ok := decodeBasic(rest); ok {
			r.Auth = im.addCredential(r.Name+" basic", vault.Secret{Type: vault.TypeSimple}, vault.SecretValue{Username: user, Passphrase: pass}, label+" (Authorization header)")
			return true
		}
	}
	return false
}

func validHeaderName(h string) bool { return h != "" && vault.ValidateHeaderName(h) == nil }

// secretizeValue replaces a literal with a secret variable reference,
// keeping an auth scheme ("Bearer ") in front of it.
func (im *reqImporter) secretizeValue(name, v, where string) string {
	if scheme, rest, ok := strings.Cut(v, " "); ok {
		switch strings.ToLower(scheme) {
		case "bearer", "basic", "token", "digest", "apikey", "api-key":
			return scheme + " " + im.secretVar(name+"_"+strings.ToLower(scheme), strings.TrimSpace(rest), where)
		}
	}
	return im.secretVar(name, v, where)
}

func decodeBasic(s string) (string, string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", "", false
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok || user == "" || !utf8.ValidString(string(b)) {
		return "", "", false
	}
	return user, pass, true
}

// secretizeURL replaces secret-looking query values (and URL userinfo).
func (im *reqImporter) secretizeURL(raw, label string) string {
	qi := strings.IndexByte(raw, '?')
	if qi < 0 {
		return raw
	}
	base, query := raw[:qi], raw[qi+1:]
	frag := ""
	if fi := strings.IndexByte(query, '#'); fi >= 0 {
		query, frag = query[:fi], query[fi:]
	}
	parts := strings.Split(query, "&")
	changed := false
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		if secretlike.Field(dk, dv) {
			// The vault keeps the value as the URL carries it (still
			// percent-encoded), so it is sent back byte for byte.
			parts[i] = k + "=" + im.secretVar(dk, v, label+" (query parameter "+dk+")")
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return base + "?" + strings.Join(parts, "&") + frag
}

// secretizeBody replaces secret-looking values of a form or JSON body.
func (im *reqImporter) secretizeBody(r *vault.Request, label string) string {
	body := r.Body
	if body == "" {
		return body
	}
	ct := ""
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			ct = strings.ToLower(h.Value)
		}
	}
	trimmed := strings.TrimSpace(body)
	jsonText := strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")
	switch {
	// A JSON body sent as a form (curl -d '{…}' without a Content-Type
	// says application/x-www-form-urlencoded) is scanned as what it is.
	case strings.Contains(ct, "json") || (jsonText && (ct == "" || strings.Contains(ct, "x-www-form-urlencoded") || strings.HasPrefix(ct, "text/"))):
		if out, ok := im.secretizeJSON(body, label); ok || !strings.Contains(ct, "x-www-form-urlencoded") {
			return out
		}
		return im.secretizeForm(body, label)
	case strings.Contains(ct, "x-www-form-urlencoded") || (ct == "" && strings.Contains(body, "=") && !strings.ContainsAny(trimmed, " \n{")):
		return im.secretizeForm(body, label)
	}
	return body
}

// secretizeForm replaces secret-looking values of a form body.
func (im *reqImporter) secretizeForm(body, label string) string {
	parts := strings.Split(body, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dk, _ := url.QueryUnescape(k)
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		if secretlike.Field(dk, dv) {
			// Kept form-encoded, as the body carries it, so "+", "%"
			// and "&" in a secret reach the server unchanged.
			parts[i] = k + "=" + im.secretVar(dk, v, label+" (form field "+dk+")")
		}
	}
	return strings.Join(parts, "&")
}

// secretizeJSON replaces the string values of secret-looking members in a
// JSON body, keeping the rest of the text (spacing, order) as it was.
func (im *reqImporter) secretizeJSON(body, label string) (string, bool) {
	if strings.Contains(body, "{{") {
		// A templated body is not JSON until rendered; check its literal members only.
		return im.secretizeJSONText(body, label), true
	}
	if !json.Valid([]byte(body)) {
		return body, false
	}
	return im.secretizeJSONText(body, label), true
}

// secretizeJSONText scans for `"name": "value"` pairs.
func (im *reqImporter) secretizeJSONText(body, label string) string {
	var out strings.Builder
	i := 0
	for i < len(body) {
		if body[i] != '"' {
			out.WriteByte(body[i])
			i++
			continue
		}
		end := jsonStringEnd(body, i)
		key := body[i:end]
		out.WriteString(key)
		i = end
		// a member name is followed by ':' and, for us, a string value
		j := i
		for j < len(body) && strings.ContainsRune(" \t\r\n", rune(body[j])) {
			j++
		}
		if j >= len(body) || body[j] != ':' {
			continue
		}
		k := j + 1
		for k < len(body) && strings.ContainsRune(" \t\r\n", rune(body[k])) {
			k++
		}
		if k >= len(body) || body[k] != '"' {
			continue
		}
		vend := jsonStringEnd(body, k)
		var name, val string
		if json.Unmarshal([]byte(key), &name) != nil || json.Unmarshal([]byte(body[k:vend]), &val) != nil {
			continue
		}
		out.WriteString(body[i:k])
		if secretlike.Field(name, val) {
			// Kept with its JSON escapes (the text between the quotes), so
			// a secret holding " or \ renders back into valid JSON.
			ref, _ := json.Marshal(im.secretVar(name, body[k+1:vend-1], label+" (JSON member "+name+")"))
			out.Write(ref)
		} else {
			out.WriteString(body[k:vend])
		}
		i = vend
	}
	return out.String()
}

func jsonStringEnd(s string, i int) int {
	j := i + 1
	for j < len(s) {
		switch s[j] {
		case '\\':
			j += 2
		case '"':
			return j + 1
		default:
			j++
		}
	}
	return len(s)
}
