package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Pushed authorization requests (RFC 9126): the authorization request goes
// to the provider over the back channel, authenticated like a token
// request, and the browser only carries client_id and the request_uri the
// provider answered. authdeck pushes when discovery says the provider
// requires it or the auth client opts in (PAR).

// maxRequestURI bounds the request_uri authdeck accepts.
const maxRequestURI = 2048

// ParsePushResponse decodes a pushed authorization response (RFC 9126
// §2.2): a JSON object with request_uri and expires_in, status 201 (200 is
// tolerated). Errors are token-endpoint errors (§2.3).
func ParsePushResponse(status int, contentType string, body []byte) (requestURI string, expiresIn time.Duration, err error) {
	const op = "pushed authorization"
	m, err := decodeSuccess(op, status, contentType, body)
	if err != nil {
		return "", 0, err
	}
	uri, ok := m["request_uri"].(string)
	switch {
	case !ok || uri == "":
		return "", 0, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "the response has no request_uri"}
	case len(uri) > maxRequestURI:
		return "", 0, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: fmt.Sprintf("the request_uri is longer than %d characters", maxRequestURI)}
	case sanitize(uri, maxRequestURI) != uri || strings.ContainsAny(uri, " \t"):
		return "", 0, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "the request_uri contains spaces or control characters"}
	}
	if expiresIn, err = parseExpiresIn(m["expires_in"]); err != nil {
		return "", 0, &Error{Kind: KindBadResponse, Op: op, Status: status, Reason: "expires_in " + err.Error()}
	}
	return uri, expiresIn, nil
}

// pushes reports whether this flow pushes its authorization request.
func (f *flow) pushes() bool {
	return f.ac.PAR || (f.md != nil && f.md.RequirePAR)
}

// push sends the authorization request params to the PAR endpoint with the
// client's authentication (and a DPoP proof when the client uses DPoP,
// which binds the code to its key) and returns the URL the browser opens:
// the authorization endpoint with client_id and request_uri only.
func (f *flow) push(ctx context.Context, params url.Values) (string, error) {
	if err := f.needEndpoints(ctx, false, "pushed authorization"); err != nil {
		var oe *Error
		if errors.As(err, &oe) && oe.Kind == KindNotConfigured {
			cp := *oe
			cp.Hint = "set the PAR endpoint on the auth client, use an issuer that publishes pushed_authorization_request_endpoint, or turn PAR off for this client"
			return "", &cp
		}
		return "", err
	}
	form := url.Values{}
	for k, vs := range params {
		form[k] = append([]string(nil), vs...)
	}
	header := http.Header{}
	if err := f.authenticate(form, header); err != nil {
		return "", err
	}
	f.cb.progress("pushed authorization: POST %s", f.eps.PAR)
	resp, err := f.doDPoP(ctx, call{step: "pushed authorization", url: f.eps.PAR, form: form, header: header})
	if err != nil {
		return "", err
	}
	uri, exp, err := ParsePushResponse(resp.status, resp.contentType, resp.body)
	if err != nil {
		f.fail(resp.idx, err)
		return "", err
	}
	if exp > 0 {
		f.tr.note("pushed authorization", fmt.Sprintf("the request_uri is good for %s: finish the sign-in before it expires", exp.Round(time.Second)))
	}
	u, err := url.Parse(f.eps.Authorization)
	if err != nil {
		return "", newError(KindNotConfigured, "authorization", "the authorization endpoint is not a URL", "", err)
	}
	q := u.Query()
	q.Set("client_id", f.ac.ClientID)
	q.Set("request_uri", uri)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// signsRequests reports whether this flow sends a request object.
func (f *flow) signsRequests() bool {
	return f.ac.RequestObject || (f.md != nil && f.md.RequireSignedRequestObject)
}

// requestObject wraps the authorization request params into a signed
// request object (RFC 9101): the object carries them all; outside stay
// client_id and, for OpenID Connect providers, response_type and scope.
func (f *flow) requestObject(params url.Values) (url.Values, error) {
	var key any
	alg := f.ac.SigningAlg
	kid := f.ac.KeyID
	switch f.ac.AuthMethod {
	case vault.AuthPrivateKeyJWT:
		k, err := vault.ParsePrivateKey(f.creds.PrivateKey)
		if err != nil {
			return nil, newError(KindNotConfigured, "request object", "the client's private key is not usable: "+err.Error(), "", nil)
		}
		key = k
		if kid == "" {
			kid = pemkey.Thumbprint(k)
		}
	case vault.AuthClientSecretJWT:
		key, alg, kid = []byte(f.creds.ClientSecret), "HS256", ""
	default:
		return nil, newError(KindNotConfigured, "request object",
			fmt.Sprintf("auth client %q would sign its authorization requests (RFC 9101), but %s gives it no signing key", f.ac.Name, f.ac.AuthMethod),
			"use private_key_jwt (or client_secret_jwt) for this client", nil)
	}
	obj, err := SignRequestObject(params, f.ac.ClientID, f.requestObjectAudience(), key, alg, kid, f.e.now())
	if err != nil {
		return nil, newError(KindNotConfigured, "request object", err.Error(), "", nil)
	}
	f.red.addValue(obj)
	out := url.Values{"client_id": {f.ac.ClientID}, "request": {obj}}
	for _, k := range []string{"response_type", "scope"} {
		if v := params.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out, nil
}

// requestObjectAudience is the issuer (RFC 9101 §4: aud is the issuer).
func (f *flow) requestObjectAudience() string {
	if f.md != nil && f.md.Issuer != "" {
		return f.md.Issuer
	}
	return f.assertionAudience()
}

// secureAuthURL turns an authorization URL into what the provider or the
// client asks for: its parameters signed into a request object (RFC 9101)
// and/or pushed to the PAR endpoint (RFC 9126), leaving the browser only
// client_id and request_uri (or the request object). Otherwise the URL is
// returned as it is.
func (f *flow) secureAuthURL(ctx context.Context, authURL string) (string, error) {
	if !f.pushes() && !f.signsRequests() {
		return authURL, nil
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return "", newError(KindNotConfigured, "authorization", "the authorization URL does not parse", "", err)
	}
	params := u.Query()
	if f.signsRequests() {
		if params, err = f.requestObject(params); err != nil {
			return "", err
		}
	}
	if f.pushes() {
		return f.push(ctx, params)
	}
	u.RawQuery = params.Encode()
	return u.String(), nil
}
