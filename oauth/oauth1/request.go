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
	in := &Incoming{Method: req.Method, URL: u, Protocol: map[string]string{}}
	reject := func(problem, format string, args ...any) error {
		return &Error{Kind: KindRejected, Op: "request", Problem: problem, Reason: fmt.Sprintf(format, args...)}
	}
	query, err := ParseForm(u.RawQuery)
	if err != nil {
		return nil, reject("parameter_rejected", "the query does not parse: %v", err)
	}
	body, isForm, _, err := readForm(req)
	if err != nil {
		return nil, reject("parameter_rejected", "%v", strings.TrimPrefix(err.Error(), "oauth1: "))
	}
	var bodyParams []Param
	if isForm {
		if bodyParams, err = ParseForm(string(body)); err != nil {
			return nil, reject("parameter_rejected", "the form body does not parse: %v", err)
		}
	}
	var headerParams []Param
	hasHeader := false
	for _, h := range req.Header.Values("Authorization") {
		realm, ps, err := ParseAuthorization(h)
		if errors.Is(err, errNotOAuth) {
			continue
		}
		if err != nil {
			return nil, reject("parameter_rejected", "the Authorization header does not parse: %v", err)
		}
		if hasHeader {
			return nil, reject("parameter_rejected", "more than one OAuth Authorization header")
		}
		hasHeader, in.Realm, headerParams = true, realm, ps
	}
	sources := 0
	var proto []Param
	for _, src := range []struct {
		where vault.Placement
		ps    []Param
	}{{vault.PlaceHeader, headerParams}, {vault.PlaceQuery, query}, {vault.PlaceBody, bodyParams}} {
		if _, ok := firstProtocol(src.ps); ok {
			sources++
			in.Placement = src.where
			for _, p := range src.ps {
				if strings.HasPrefix(p.Name, "oauth_") {
					proto = append(proto, p)
				}
			}
		}
	}
	if sources == 0 {
		return nil, reject("parameter_absent", "the request carries no OAuth protocol parameters (oauth_consumer_key, oauth_signature, …)")
	}
	if sources > 1 {
		return nil, reject("parameter_rejected", "the protocol parameters must be in one place (the Authorization header, the query or the form body), not spread over several")
	}
	for _, p := range proto {
		if _, dup := in.Protocol[p.Name]; dup || (p.Name == "oauth_signature" && in.Signature != "") {
			return nil, reject("parameter_rejected", "the protocol parameter %s appears more than once", clip(p.Name, 40))
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
		return nil, reject("parameter_absent", "the request lacks %s", strings.Join(absent, ", "))
	}
	// The query is in URL; the header's protocol parameters and the body are signed too.
	in.Signed = append(in.Signed, headerParams...)
	in.Signed = append(in.Signed, bodyParams...)
	in.Signed = removeSignature(in.Signed)
	return in, nil
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
	i := 0
	skipSpace := func() {
		for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
			i++
		}
	}
	for {
		skipSpace()
		if i == len(rest) {
			break
		}
		if len(out) == maxFormParams {
			return "", nil, errTooManyParams
		}
		start := i
		for i < len(rest) && rest[i] != '=' && rest[i] != ',' && rest[i] != ' ' {
			i++
		}
		rawName := rest[start:i]
		if rawName == "" || i == len(rest) || rest[i] != '=' {
			return "", nil, fmt.Errorf("expected name=\"value\" at byte %d", offset+start+1)
		}
		i++
		if i == len(rest) || rest[i] != '"' {
			return "", nil, fmt.Errorf("the value of %s is not quoted (byte %d)", clip(rawName, 40), offset+i+1)
		}
		i++
		var val strings.Builder
		closed := false
		for i < len(rest) {
			c := rest[i]
			if c == '\\' && i+1 < len(rest) {
				val.WriteByte(rest[i+1])
				i += 2
				continue
			}
			i++
			if c == '"' {
				closed = true
				break
			}
			val.WriteByte(c)
		}
		if !closed {
			return "", nil, fmt.Errorf("the value of %s has no closing quote", clip(rawName, 40))
		}
		name, err := decode(rawName, false)
		if err != nil {
			return "", nil, fmt.Errorf("parameter name at byte %d: %w", offset+start+1, err)
		}
		if name == "realm" {
			realm = val.String()
		} else {
			v, err := decode(val.String(), false)
			if err != nil {
				return "", nil, fmt.Errorf("the value of %s: %w", clip(name, 40), err)
			}
			out = append(out, Param{Name: name, Value: v})
		}
		skipSpace()
		if i < len(rest) {
			if rest[i] != ',' {
				return "", nil, fmt.Errorf("expected ',' at byte %d", offset+i+1)
			}
			i++
		}
	}
	return realm, out, nil
}

// drain reads what is left of a body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
}
