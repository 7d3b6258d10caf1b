package oauth1

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// Incoming is a signed request as a server sees it (§3.2): where its
// protocol parameters came from, each of them, and every parameter that is
// signed.
type Incoming struct {
	// Method is the request method.
	Method string
	// URL is the absolute request URL (scheme, Host header, path, query).
	URL *url.URL
	// Placement says where the protocol parameters were found.
	Placement vault.Placement
	// Realm is the header's realm, if any (never signed).
	Realm string
	// Protocol holds each oauth_* parameter except oauth_signature.
	Protocol map[string]string
	// Signature is the decoded oauth_signature.
	Signature string
	// Signed lists the protocol and form body parameters that are signed
	// besides the query (which URL holds).
	Signed []Param
}

// Get returns the protocol parameter name ("oauth_token", …).
func (in *Incoming) Get(name string) string { return in.Protocol[name] }

// BaseString returns the signature base string of the request.
func (in *Incoming) BaseString() (string, error) {
	return baseString(in.Method, in.URL, in.Signed)
}

// Verify checks the request's signature with the shared secrets (HMAC and
// PLAINTEXT) or the consumer's RSA public key. A mismatch wraps
// ErrBadSignature.
func (in *Incoming) Verify(consumerSecret, tokenSecret string, pub crypto.PublicKey) error {
	method := in.Get("oauth_signature_method")
	if method == Plaintext {
		return VerifySignature(method, "", in.Signature, consumerSecret, tokenSecret, pub)
	}
	base, err := in.BaseString()
	if err != nil {
		return err
	}
	return VerifySignature(method, base, in.Signature, consumerSecret, tokenSecret, pub)
}

// ParseRequest reads the protocol parameters of req from its Authorization
// header, its query or its form body — exactly one of them (§3.5) — and
// collects the signed parameters. scheme is the scheme clients use to reach
// the server ("" means https when req came over TLS, else http). A form body
// is read and put back. Errors are *Error values whose Problem is the OAuth
// Problem Reporting code to answer with (parameter_absent,
// parameter_rejected).
func ParseRequest(req *http.Request, scheme string) (*Incoming, error) {
	u := requestURL(req, scheme)
	in := &Incoming{Method: req.Method, URL: u, Protocol: map[string]string{}}
	query, err := ParseForm(u.RawQuery)
	if err != nil {
		return nil, rejectRequest("parameter_rejected", "the query does not parse: %v", err)
	}
	body, isForm, _, err := readForm(req)
	if err != nil {
		return nil, rejectRequest("parameter_rejected", "%v", strings.TrimPrefix(err.Error(), "oauth1: "))
	}
	var bodyParams []Param
	if isForm {
		if bodyParams, err = ParseForm(string(body)); err != nil {
			return nil, rejectRequest("parameter_rejected", "the form body does not parse: %v", err)
		}
	}
	realm, headerParams, err := authorizationParams(req.Header)
	if err != nil {
		return nil, err
	}
	in.Realm = realm
	proto, err := in.protocolSource(headerParams, query, bodyParams)
	if err != nil {
		return nil, err
	}
	if err := in.setProtocol(proto); err != nil {
		return nil, err
	}
	// The query is in URL; the header's protocol parameters and the body are signed too.
	in.Signed = append(in.Signed, headerParams...)
	in.Signed = append(in.Signed, bodyParams...)
	in.Signed = removeSignature(in.Signed)
	return in, nil
}

// rejectRequest is the *Error ParseRequest returns, with the OAuth Problem
// Reporting code to answer with.
func rejectRequest(problem, format string, args ...any) error {
	return &Error{Kind: KindRejected, Op: "request", Problem: problem, Reason: fmt.Sprintf(format, args...)}
}

// requestURL is the URL clients used to reach the server with req; an empty
// scheme means https when req came over TLS, else http.
func requestURL(req *http.Request, scheme string) *url.URL {
	if scheme == "" {
		scheme = "http"
		if req.TLS != nil {
			scheme = "https"
		}
	}
	u := &url.URL{Scheme: scheme, Host: req.Host, Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	if u.Host == "" {
		u.Host = req.URL.Host
	}
	return u
}

// authorizationParams returns the realm and parameters of the request's one
// OAuth Authorization header, skipping headers of other schemes; two OAuth
// headers are refused.
func authorizationParams(h http.Header) (string, []Param, error) {
	var realm string
	var params []Param
	hasHeader := false
	for _, v := range h.Values("Authorization") {
		r, ps, err := ParseAuthorization(v)
		if errors.Is(err, errNotOAuth) {
			continue
		}
		if err != nil {
			return "", nil, rejectRequest("parameter_rejected", "the Authorization header does not parse: %v", err)
		}
		if hasHeader {
			return "", nil, rejectRequest("parameter_rejected", "more than one OAuth Authorization header")
		}
		hasHeader, realm, params = true, r, ps
	}
	return realm, params, nil
}

// protocolSource finds the one place (header, query or body) that carries
// protocol parameters, records it as the request's placement and returns
// its oauth_ parameters.
func (in *Incoming) protocolSource(header, query, body []Param) ([]Param, error) {
	sources := 0
	var proto []Param
	for _, src := range []struct {
		where vault.Placement
		ps    []Param
	}{{vault.PlaceHeader, header}, {vault.PlaceQuery, query}, {vault.PlaceBody, body}} {
		if _, ok := firstProtocol(src.ps); !ok {
			continue
		}
		sources++
		in.Placement = src.where
		for _, p := range src.ps {
			if strings.HasPrefix(p.Name, "oauth_") {
				proto = append(proto, p)
			}
		}
	}
	if sources == 0 {
		return nil, rejectRequest("parameter_absent", "the request carries no OAuth protocol parameters (oauth_consumer_key, oauth_signature, …)")
	}
	if sources > 1 {
		return nil, rejectRequest("parameter_rejected", "the protocol parameters must be in one place (the Authorization header, the query or the form body), not spread over several")
	}
	return proto, nil
}

// setProtocol fills in.Protocol and in.Signature from proto, refusing a
// repeated parameter and requiring the consumer key, signature method and
// signature.
func (in *Incoming) setProtocol(proto []Param) error {
	for _, p := range proto {
		if _, dup := in.Protocol[p.Name]; dup || (p.Name == "oauth_signature" && in.Signature != "") {
			return rejectRequest("parameter_rejected", "the protocol parameter %s appears more than once", clip(p.Name, 40))
		}
		if p.Name == "oauth_signature" {
			in.Signature = p.Value
			continue
		}
		in.Protocol[p.Name] = p.Value
	}
	var absent []string
	for _, name := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature"} {
		if name == "oauth_signature" && in.Signature != "" || in.Protocol[name] != "" {
			continue
		}
		absent = append(absent, name)
	}
	if len(absent) > 0 {
		return rejectRequest("parameter_absent", "the request lacks %s", strings.Join(absent, ", "))
	}
	return nil
}

func removeSignature(ps []Param) []Param {
	out := ps[:0]
	for _, p := range ps {
		if p.Name != "oauth_signature" {
			out = append(out, p)
		}
	}
	return out
}

// ParseAuthorization parses an "OAuth" Authorization header value (§3.5.1)
// into its realm and its decoded parameters. A header of another scheme
// returns an error; a malformed one says where.
func ParseAuthorization(h string) (string, []Param, error) {
	s := strings.TrimLeft(h, " \t")
	scheme, rest, _ := strings.Cut(s, " ")
	if !strings.EqualFold(scheme, "OAuth") {
		return "", nil, errNotOAuth
	}
	offset := len(h) - len(rest)
	var realm string
	var out []Param
	i := skipSpace(rest, 0)
	for i < len(rest) {
		if len(out) == maxFormParams {
			return "", nil, errTooManyParams
		}
		start := i
		rawName, val, next, err := authParam(rest, i, offset)
		if err != nil {
			return "", nil, err
		}
		name, err := decode(rawName, false)
		if err != nil {
			return "", nil, fmt.Errorf("parameter name at byte %d: %w", offset+start+1, err)
		}
		if name == "realm" {
			realm = val
		} else {
			v, err := decode(val, false)
			if err != nil {
				return "", nil, fmt.Errorf("the value of %s: %w", clip(name, 40), err)
			}
			out = append(out, Param{Name: name, Value: v})
		}
		i = skipSpace(rest, next)
		if i < len(rest) {
			if rest[i] != ',' {
				return "", nil, fmt.Errorf("expected ',' at byte %d", offset+i+1)
			}
			i = skipSpace(rest, i+1)
		}
	}
	return realm, out, nil
}

// skipSpace returns the index of the first byte at or after i in s that is
// not a space or a tab.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// authParam reads one name="value" pair of an Authorization header's
// parameters (rest, which starts offset bytes into the header) from byte i:
// the raw name, the unquoted but still percent-encoded value and the index
// after the closing quote.
func authParam(rest string, i, offset int) (rawName, value string, next int, err error) {
	start := i
	for i < len(rest) && rest[i] != '=' && rest[i] != ',' && rest[i] != ' ' {
		i++
	}
	rawName = rest[start:i]
	if rawName == "" || i == len(rest) || rest[i] != '=' {
		return "", "", 0, fmt.Errorf("expected name=\"value\" at byte %d", offset+start+1)
	}
	i++
	if i == len(rest) || rest[i] != '"' {
		return "", "", 0, fmt.Errorf("the value of %s is not quoted (byte %d)", clip(rawName, 40), offset+i+1)
	}
	i++
	var val strings.Builder
	for i < len(rest) {
		c := rest[i]
		if c == '\\' && i+1 < len(rest) {
			val.WriteByte(rest[i+1])
			i += 2
			continue
		}
		i++
		if c == '"' {
			return rawName, val.String(), i, nil
		}
		val.WriteByte(c)
	}
	return "", "", 0, fmt.Errorf("the value of %s has no closing quote", clip(rawName, 40))
}

// drain reads what is left of a body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
}
