package request

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
)

// redirectPolicy follows redirects like curl -L, except that a credential
// never goes to another origin (scheme, host and port): Authorization,
// cookies, the API key header, headers carrying secret variables, a query
// credential and the Referer are removed; a credential that cannot be
// removed (a client certificate, a token in a re-sent form body) stops the
// redirect there.
func (s *Sender) redirectPolicy(b *built, resp *Response) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		first := via[0].URL
		prev := via[len(via)-1]
		rd := Redirect{From: scrub(maskQuery(prev.URL, b), b.secrets), To: scrub(maskQuery(req.URL, b), b.secrets)}
		if req.Response != nil {
			rd.Status = req.Response.StatusCode
		}
		cross := false
		for _, r := range append(via[1:], req) {
			if !sameOrigin(first, r.URL) {
				cross = true
			}
		}
		if !cross {
			if err := s.sameOriginHop(req, b, resp); err != nil {
				return err
			}
			resp.Redirects = append(resp.Redirects, rd)
			return nil
		}
		if why := crossOriginRefusal(req, b); why != "" {
			resp.Notes = append(resp.Notes, fmt.Sprintf("redirect to %s not followed: %s", originOf(req.URL), why))
			return http.ErrUseLastResponse
		}
		rd.Stripped = stripCredential(req, b)
		if c := b.plan.cred; rd.Stripped && c != nil {
			resp.Notes = append(resp.Notes, fmt.Sprintf("credential %q not forwarded on the redirect to %s", c.name, originOf(req.URL)))
		}
		resp.Redirects = append(resp.Redirects, rd)
		return nil
	}
}

// sameOriginHop carries the credential to the next hop on the same
// origin: an OAuth 1.0a request is signed again, and a DPoP proof, which
// names one method and URL, is made again.
func (s *Sender) sameOriginHop(req *http.Request, b *built, resp *Response) error {
	if c := b.plan.cred; c != nil && c.oauth1 && b.vals.signer != nil {
		if err := s.resignRedirect(req, b, resp); err != nil {
			return err
		}
	}
	if pr := b.vals.prover; pr != nil && req.Header.Get(dpop.HeaderName) != "" {
		proof, err := pr.Proof(req.Method, req.URL.String())
		if err != nil {
			return err
		}
		req.Header.Set(dpop.HeaderName, proof)
	}
	return nil
}

// crossOriginRefusal says why a redirect to another origin is not
// followed, or "": the credential would go along and cannot be removed.
func crossOriginRefusal(req *http.Request, b *built) string {
	c := b.plan.cred
	if c != nil && b.vals.cert != nil {
		return "the client certificate would be offered to another origin"
	}
	if c != nil && c.placement == vault.PlaceBody && req.GetBody != nil && !c.certOnly {
		return "it would re-send the form body carrying the token to another origin"
	}
	// A 307 or 308 re-sends the body; one that carries a secret (a
	// secret variable, a credential value) is a credential like any
	// header, and cannot be stripped (S-41).
	if req.GetBody != nil && bodyCarriesSecret(b) {
		return "it would re-send a body carrying a secret to another origin"
	}
	return ""
}

// stripCredential removes the credential from a redirect to another
// origin (headers, Referer, query credential) and reports whether there
// was one.
func stripCredential(req *http.Request, b *built) bool {
	stripped := false
	for _, name := range sensitiveHeaders(b) {
		if req.Header.Get(name) != "" {
			stripped = true
		}
		req.Header.Del(name)
	}
	req.Header.Del("Referer")
	c := b.plan.cred
	if c == nil {
		return stripped
	}
	if c.oauth1 && stripProtocolQuery(req.URL) {
		stripped = true
	}
	if stripQueryCredential(req.URL, []string{c.queryParam, "access_token"}, b.secrets) {
		stripped = true
	}
	// Go's client may already have dropped Authorization; either way the
	// credential did not go along.
	return stripped || !c.certOnly
}

// stripQueryCredential removes the query parameters among params whose
// value is one of the secrets.
func stripQueryCredential(u *url.URL, params, secrets []string) bool {
	stripped := false
	q := u.Query()
	for _, param := range params {
		if param == "" || !q.Has(param) {
			continue
		}
		for _, secret := range secrets {
			if q.Get(param) == secret {
				q.Del(param)
				u.RawQuery = q.Encode()
				stripped = true
			}
		}
	}
	return stripped
}

// bodyCarriesSecret reports whether the request body holds a secret value,
// as it is or in the encodings a body puts it in (form and JSON escaping).
func bodyCarriesSecret(b *built) bool {
	if b.real == nil || len(b.real.body) == 0 {
		return false
	}
	body := string(b.real.body)
	for _, secret := range b.secrets {
		if secret == "" {
			continue
		}
		quoted, _ := json.Marshal(secret)
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), string(quoted[1 : len(quoted)-1])} {
			if strings.Contains(body, form) {
				return true
			}
		}
	}
	return false
}

// sensitiveHeaders are the headers removed on a cross-origin redirect.
func sensitiveHeaders(b *built) []string {
	names := []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2", dpop.HeaderName}
	if c := b.plan.cred; c != nil && c.headerName != "" {
		names = append(names, c.headerName)
	}
	// headers whose value carries a secret variable
	for i, h := range b.base.headers {
		if i < len(b.plan.hdrT) {
			for _, n := range b.plan.hdrT[i][1].Names() {
				if v, ok := b.plan.e.Var(n); ok && v.Secret {
					names = append(names, h.Name)
				}
			}
		}
	}
	return names
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }
