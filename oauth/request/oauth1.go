package request

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// OAuthProblem is an OAuth 1.0a provider's problem report about a signed
// request (OAuth Problem Reporting: oauth_problem=signature_invalid, …),
// explained in plain words. Server text is sanitised.
type OAuthProblem struct {
	// Code is the oauth_problem value.
	Code string
	// Advice is the server's oauth_problem_advice.
	Advice string
	// Reason says what the code means.
	Reason string
	// Hint says what to do next.
	Hint string
}

// formContentType gives a form-looking body without a Content-Type the
// form type, as curl -d does, so its parameters are signed (RFC 5849
// §3.4.1.3.1) and the server reads them the same way.
func formContentType(w *wire) {
	if w.get("Content-Type") == "" && len(w.body) > 0 && looksForm(w.body) {
		w.set("Content-Type", "application/x-www-form-urlencoded")
	}
}

// checkOAuth1Placement refuses what the signer would refuse, so a request
// shown without its credential fails the same way it would when sent.
func (c *credential) checkOAuth1Placement(w *wire) error {
	if c.placement != vault.PlaceBody {
		return nil
	}
	switch w.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return &InputError{Field: "placement", Msg: fmt.Sprintf("OAuth 1.0a body placement needs a method with a form body (POST, PUT, PATCH); this is a %s", w.method)}
	}
	ct := w.get("Content-Type")
	if ct == "" && len(w.body) == 0 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/x-www-form-urlencoded" {
		return &InputError{Field: "placement", Msg: fmt.Sprintf("OAuth 1.0a body placement needs an application/x-www-form-urlencoded body (RFC 5849 §3.5.2); this body is %s", orUnknown(ct))}
	}
	return nil
}

// signOAuth1 signs w in place: the Authorization header, the query or the
// form body gets the protocol parameters and the signature, computed over
// the method, the URL and the form body as they will be sent.
func (c *credential) signOAuth1(w *wire, signer oauth.RequestSigner) ([]oauth.Field, bool, error) {
	req, err := http.NewRequest(w.method, w.url.String(), bytes.NewReader(w.body))
	if err != nil {
		return nil, false, &InputError{Field: "url", Msg: err.Error()}
	}
	req.Header = w.httpHeader()
	signed, err := signer.Apply(req, c.placement)
	if err != nil {
		return nil, false, &InputError{Field: "OAuth 1.0a signature", Msg: strings.TrimPrefix(err.Error(), "oauth1: ")}
	}
	replaced := false
	switch c.placement {
	case vault.PlaceQuery:
		w.url.RawQuery = req.URL.RawQuery
	case vault.PlaceBody:
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, false, &InputError{Field: "body", Msg: err.Error()}
		}
		w.body = body
		if w.get("Content-Type") == "" {
			w.set("Content-Type", req.Header.Get("Content-Type"))
		}
	default:
		replaced = w.set("Authorization", req.Header.Get("Authorization"))
	}
	return signed, replaced, nil
}

// shownParam is a protocol parameter for display: value is already
// encoded, or a mask written as is.
type shownParam struct{ name, value string }

// shownProtocol is the display form of the parameters that were signed:
// the token masked to its last characters and the signature hidden,
// unless revealed.
func shownProtocol(ps []oauth.Field, reveal bool) []shownParam {
	out := make([]shownParam, 0, len(ps))
	for _, p := range ps {
		v := oauth1.Encode(p.Value)
		if !reveal {
			switch p.Name {
			case "oauth_token":
				v = MaskedValue(p.Value)
			case "oauth_signature":
				v = mask.Dots
			}
		}
		out = append(out, shownParam{p.Name, v})
	}
	return out
}

// placeholderProtocol shows the parameters of a request that was not
// signed (nothing secret was read): what the catalog knows, and marks
// where the per-request values go.
func (c *credential) placeholderProtocol() []shownParam {
	key, method := "…", "…"
	if ac := c.oa1Client; ac != nil {
		if ac.ClientID != "" {
			key = oauth1.Encode(ac.ClientID)
		}
		if ac.SignatureMethod != "" {
			method = oauth1.Encode(ac.SignatureMethod)
		}
	}
	return []shownParam{
		{"oauth_consumer_key", key},
		{"oauth_token", mask.Dots},
		{"oauth_signature_method", method},
		{"oauth_timestamp", "…"},
		{"oauth_nonce", "…"},
		{"oauth_version", "1.0"},
		{"oauth_signature", mask.Dots},
	}
}

// placeShown puts display parameters where the placement says, the way
// signOAuth1 puts the real ones.
func (c *credential) placeShown(w *wire, ps []shownParam) bool {
	pairs := make([]string, len(ps))
	quoted := make([]string, len(ps))
	for i, p := range ps {
		pairs[i] = p.name + "=" + p.value
		quoted[i] = p.name + `="` + p.value + `"`
	}
	switch c.placement {
	case vault.PlaceQuery:
		if w.url.RawQuery != "" {
			w.url.RawQuery += "&"
		}
		w.url.RawQuery += strings.Join(pairs, "&")
	case vault.PlaceBody:
		if len(w.body) > 0 {
			w.body = append(w.body, '&')
		}
		w.body = append(w.body, strings.Join(pairs, "&")...)
		if w.get("Content-Type") == "" {
			w.set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		if ac := c.oa1Client; ac != nil && ac.Realm != "" {
			// As the signer writes it (oauth1.AuthorizationHeader): first, quoted, never signed.
			quoted = append([]string{`realm="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(ac.Realm) + `"`}, quoted...)
		}
		return w.set("Authorization", "OAuth "+strings.Join(quoted, ", "))
	}
	return false
}

// buildOAuth1 signs b's real wire (when the values were fetched) and
// shows the protocol parameters on its display wire, masked unless
// revealed. It returns the placement and the warnings to show.
func (c *credential) buildOAuth1(b *built, need, reveal bool) (vault.Placement, []string, error) {
	formContentType(b.shown)
	if err := c.checkOAuth1Placement(b.shown); err != nil {
		return "", nil, err
	}
	shown := c.placeholderProtocol()
	var replaced bool
	if need {
		b.real = b.base.clone()
		formContentType(b.real)
		signed, r, err := c.signOAuth1(b.real, b.vals.signer)
		if err != nil {
			return "", nil, err
		}
		replaced = r
		b.secrets = append(b.secrets, oauth1Secrets(b.vals.signer, signed)...)
		shown = shownProtocol(signed, reveal)
	}
	if c.placeShown(b.shown, shown) {
		replaced = true
	}
	var warnings []string
	if replaced {
		warnings = append(warnings, "header Authorization was replaced by the credential")
	}
	if c.placement == vault.PlaceQuery {
		warnings = append(warnings, "the OAuth 1.0a parameters are sent in the URL query: the token and the signature end up in server logs, proxies and history; use it only when the API requires it")
	}
	return c.placement, warnings, nil
}

// oauth1Secrets are the values to scrub from anything shown: the shared
// secrets, the token and the signature, raw and percent-encoded.
func oauth1Secrets(s oauth.RequestSigner, signed []oauth.Field) []string {
	var out []string
	add := func(v string) {
		if v == "" {
			return
		}
		out = append(out, v)
		if e := oauth1.Encode(v); e != v {
			out = append(out, e)
		}
		if q := url.QueryEscape(v); q != v {
			out = append(out, q)
		}
	}
	if s != nil {
		for _, v := range s.Secrets() {
			add(v)
		}
	}
	for _, p := range signed {
		if p.Name == "oauth_signature" {
			add(p.Value)
		}
	}
	return out
}

// describeOAuth1 is the Prepared.Credential text.
func (c *credential) describeOAuth1() string {
	where := map[vault.Placement]string{vault.PlaceHeader: "Authorization header", vault.PlaceBody: "form body", vault.PlaceQuery: "URL query"}[c.placement]
	method := ""
	if c.oa1Client != nil && c.oa1Client.SignatureMethod != "" {
		method = ", " + c.oa1Client.SignatureMethod
	}
	return fmt.Sprintf("%s %q (signed%s) in the %s", c.kind, c.name, method, where)
}

// stripProtocolQuery removes oauth_* parameters from u's query, so a
// redirect that echoes them neither carries them to another origin nor
// stops a new signature. It reports whether any was there.
func stripProtocolQuery(u *url.URL) bool {
	if !strings.Contains(strings.ToLower(u.RawQuery), "oauth") {
		return false
	}
	parts := strings.Split(u.RawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		if dn, err := url.QueryUnescape(name); err == nil && strings.HasPrefix(dn, "oauth_") {
			continue
		}
		kept = append(kept, p)
	}
	stripped := len(kept) != len(parts)
	u.RawQuery = strings.Join(kept, "&")
	return stripped
}

// resignRedirect signs a same-origin redirect anew: the old signature
// covers the old URL and its nonce is spent, so forwarding it would only
// be refused. A form body carrying the parameters cannot be re-signed for
// a new request, so that redirect is not followed.
func (s *Sender) resignRedirect(req *http.Request, b *built, resp *Response) error {
	c := b.plan.cred
	signer := b.vals.signer
	if c.placement == vault.PlaceBody {
		resp.Notes = append(resp.Notes, fmt.Sprintf("redirect to %s not followed: the OAuth 1.0a parameters are in the form body, which cannot be signed again for the redirected request", scrub(req.URL.Redacted(), b.secrets)))
		return http.ErrUseLastResponse
	}
	req.Header.Del("Authorization")
	stripProtocolQuery(req.URL)
	signed, err := signer.Apply(req, c.placement)
	if err != nil {
		resp.Notes = append(resp.Notes, fmt.Sprintf("redirect to %s not followed: it could not be signed: %s", scrub(req.URL.Redacted(), b.secrets), strings.TrimPrefix(err.Error(), "oauth1: ")))
		return http.ErrUseLastResponse
	}
	resp.secrets = append(resp.secrets, oauth1Secrets(nil, signed)...)
	resp.Notes = append(resp.Notes, fmt.Sprintf("the request was signed again (new nonce and signature) for the redirect to %s", scrub(maskQuery(req.URL, b), resp.secrets)))
	return nil
}

// oauthProblem reads a problem report from a response to a signed request.
func oauthProblem(h http.Header, body []byte) *OAuthProblem {
	p := oauth1.ParseProblem(h, body)
	if p == nil {
		return nil
	}
	code := printable(p.Code, 64)
	reason, hint := oauth1.Explain(code)
	return &OAuthProblem{Code: code, Advice: printable(p.Advice, 300), Reason: reason, Hint: hint}
}

// printable keeps printable ASCII so server text cannot drive a terminal,
// cut to max bytes.
func printable(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return strings.TrimSpace(b.String())
}
