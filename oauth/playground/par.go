package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// Pushed authorization requests (RFC 9126) are not implemented by zitadel's
// op, and its request objects (RFC 9101) are the OpenID Connect kind that
// needs the parameters repeated outside the object. So the playground
// serves the PAR endpoint itself and sits in front of op's authorization
// endpoint: a request_uri is swapped for the request it stands for, a
// request object is verified (with op's own ParseRequestObject, against the
// client's registered key) and swapped for the parameters it carries, and
// the clients that must push or sign their requests are held to it. op then
// sees an ordinary authorization request.

// pathPAR is the pushed authorization request endpoint.
const pathPAR = "/par"

// requestURIPrefix starts every request_uri (RFC 9126 §2.2).
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// maxPushBytes bounds a pushed request's body.
const maxPushBytes = 64 << 10

type codeBindingKey struct{}

// codeBindingFrom is the DPoP key an authorization request binds its code
// to (RFC 9449 §10), or "".
func codeBindingFrom(ctx context.Context) string {
	s, _ := ctx.Value(codeBindingKey{}).(string)
	return s
}

// pushedRequest is a stored pushed authorization request.
type pushedRequest struct {
	clientID string
	params   url.Values
	expires  time.Time
	// signed reports that params came from a verified request object.
	signed bool
}

// authzFront serves the PAR endpoint and fronts the authorization endpoint.
type authzFront struct {
	srv        *opServer
	st         *storage
	issuer     string
	authPath   string
	lifetime   time.Duration
	requireAll bool
	checker    *dpopChecker
	next       http.Handler

	mu     sync.Mutex
	pushed map[string]*pushedRequest
}

func (a *authzFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case pathPAR:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: "invalid_request", Description: "pushed authorization requests are POSTed"})
			return
		}
		a.push(w, r)
	case a.authPath:
		a.authorize(w, r)
	default:
		a.next.ServeHTTP(w, r)
	}
}

// oauthError answers a JSON endpoint's error: 401 for invalid_client, else 400.
func oauthError(w http.ResponseWriter, err error) {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		oe = oidc.ErrServerError().WithDescription("internal error")
	}
	status := http.StatusBadRequest
	if oe.ErrorType == oidc.InvalidClient {
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, apiError{Error: string(oe.ErrorType), Description: oe.Description})
}

// push serves RFC 9126 §2: authenticate the client, check the request as
// the authorization endpoint would, keep it, answer a request_uri.
func (a *authzFront) push(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPushBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "the body is not a form"})
		return
	}
	ctx := op.ContextWithIssuer(r.Context(), a.issuer)
	c, err := a.srv.authenticate(ctx, r)
	if err != nil {
		oauthError(w, err)
		return
	}
	form := url.Values{}
	for k, vs := range r.PostForm {
		switch k {
		case "client_secret", "client_assertion", "client_assertion_type":
			continue
		}
		form[k] = vs
	}
	for k := range form {
		if len(form[k]) > 1 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: fmt.Sprintf("parameter %s is repeated", k)})
			return
		}
	}
	if form.Has("request_uri") {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "request_uri cannot be pushed (RFC 9126 §2.1)"})
		return
	}
	if id := form.Get("client_id"); id != "" && id != c.info.ClientID {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "client_id is not the authenticated client"})
		return
	}
	form.Set("client_id", c.info.ClientID)
	params, signed, err := a.expand(ctx, c, form)
	if err != nil {
		oauthError(w, err)
		return
	}
	if err := op.ValidateAuthReqRedirectURI(c, params.Get("redirect_uri"), oidc.ResponseType(params.Get("response_type"))); err != nil {
		oauthError(w, err)
		return
	}
	if proofs := r.Header.Values(dpop.HeaderName); len(proofs) > 0 {
		if len(proofs) > 1 {
			tokenError(w, dpop.ErrInvalidProof, "more than one DPoP header")
			return
		}
		p, derr := a.checker.check(proofs[0], http.MethodPost, "", "")
		if derr != nil {
			if n := a.checker.nonce(); n != "" {
				w.Header().Set(dpop.NonceHeader, n)
			}
			tokenError(w, derr.Code, derr.Reason)
			return
		}
		if j := params.Get("dpop_jkt"); j != "" && j != p.JKT {
			tokenError(w, dpop.ErrInvalidProof, "dpop_jkt is not the thumbprint of the proof's key")
			return
		}
		params.Set("dpop_jkt", p.JKT)
	}
	uri := requestURIPrefix + randomToken(24)
	now := time.Now()
	a.mu.Lock()
	for k, p := range a.pushed {
		if now.After(p.expires.Add(time.Minute)) {
			delete(a.pushed, k)
		}
	}
	a.pushed[uri] = &pushedRequest{clientID: c.info.ClientID, params: params, expires: now.Add(a.lifetime), signed: signed}
	a.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"request_uri": uri, "expires_in": int(a.lifetime / time.Second)})
}

// expand replaces a request object by the parameters it carries, after
// checking it (signature with the client's registered key, iss, aud, exp);
// without one, the parameters are returned as they are.
func (a *authzFront) expand(ctx context.Context, c *client, form url.Values) (url.Values, bool, error) {
	obj := form.Get("request")
	if obj == "" {
		return form, false, nil
	}
	invalid := func(format string, args ...any) error {
		e := oidc.ErrInvalidRequest().WithDescription(format, args...)
		e.ErrorType = "invalid_request_object"
		return e
	}
	parts := strings.Split(obj, ".")
	if len(parts) != 3 {
		return nil, false, invalid("the request object is not a signed JWT (encrypted request objects are not supported)")
	}
	payload, err := decodeSegment(parts[1])
	if err != nil {
		return nil, false, invalid("the request object's payload is not base64url")
	}
	claims := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, false, invalid("the request object's payload is not a JSON object")
	}
	// op checks the signature, iss = client_id and aud; it needs the outer
	// response_type to equal the object's, which RFC 9101 does not ask of
	// clients, so the object's own is given to it.
	rt, _ := claims["response_type"].(string)
	ar := &oidc.AuthRequest{ClientID: c.info.ClientID, ResponseType: oidc.ResponseType(rt), RequestParam: obj}
	if c.authMethod == authMethodSecretJWT {
		// op verifies request objects with registered public keys only; an
		// HS256 object keyed with the client's secret is checked here.
		if desc := verifyHMACRequestObject(obj, c, a.issuer); desc != "" {
			return nil, false, invalid("the request object was refused: %s", desc)
		}
	} else if err := op.ParseRequestObject(ctx, ar, a.st, a.issuer); err != nil {
		desc := "the request object was refused"
		var oe *oidc.Error
		if errors.As(err, &oe) && oe.Description != "" {
			desc += ": " + oe.Description
		}
		return nil, false, invalid("%s", desc)
	}
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		return nil, false, invalid("the request object has no exp")
	}
	if sec, err := exp.Int64(); err != nil || !time.Now().Before(time.Unix(sec, 0)) {
		return nil, false, invalid("the request object expired")
	}
	out := url.Values{}
	for k, v := range claims {
		switch k {
		case "iss", "aud", "exp", "iat", "nbf", "jti", "request", "request_uri":
			continue
		}
		switch x := v.(type) {
		case string:
			out.Set(k, x)
		case json.Number:
			out.Set(k, x.String())
		case bool:
			out.Set(k, strconv.FormatBool(x))
		default:
			b, _ := json.Marshal(x)
			out.Set(k, string(b))
		}
	}
	if id := out.Get("client_id"); id != "" && id != c.info.ClientID {
		return nil, false, invalid("the request object names another client")
	}
	out.Set("client_id", c.info.ClientID)
	return out, true, nil
}

// authorize serves the authorization endpoint's front.
func (a *authzFront) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		a.next.ServeHTTP(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		renderResult(w, http.StatusBadRequest, "Invalid request", "error", "The authorization request does not parse.")
		return
	}
	q := r.Form
	ctx := op.ContextWithIssuer(r.Context(), a.issuer)
	c := a.st.client(q.Get("client_id"))
	var params url.Values
	signed := false
	if uri := q.Get("request_uri"); uri != "" {
		a.mu.Lock()
		p := a.pushed[uri]
		delete(a.pushed, uri) // one use only (RFC 9126 §4)
		a.mu.Unlock()
		switch {
		case p == nil:
			renderResult(w, http.StatusBadRequest, "Invalid request", "error", "invalid_request_uri: the request_uri is unknown or was already used.")
			return
		case p.clientID != q.Get("client_id"):
			renderResult(w, http.StatusBadRequest, "Invalid request", "error", "invalid_request_uri: the request_uri belongs to another client.")
			return
		case time.Now().After(p.expires):
			// The redirect URI was checked when the request was pushed.
			a.errorRedirect(w, r, p.params, "invalid_request_uri", "the pushed authorization request expired; push it again")
			return
		}
		params, signed = p.params, p.signed
	} else {
		if c == nil {
			a.next.ServeHTTP(w, r)
			return
		}
		if c.info.RequirePAR || a.requireAll {
			a.refuse(w, r, c, q, "this client must push its authorization requests (RFC 9126)")
			return
		}
		var err error
		params, signed, err = a.expand(ctx, c, q)
		if err != nil {
			var oe *oidc.Error
			errors.As(err, &oe)
			renderResult(w, http.StatusBadRequest, "Invalid request", "error", string(oe.ErrorType)+": "+oe.Description)
			return
		}
	}
	if c != nil && c.info.RequireRequestObject && !signed {
		a.refuse(w, r, c, params, "this client must send a signed request object (RFC 9101)")
		return
	}
	if jkt := params.Get("dpop_jkt"); jkt != "" {
		if !oidc.ValidDPoPJKT(jkt) {
			a.refuse(w, r, c, params, "dpop_jkt is not a JWK SHA-256 thumbprint")
			return
		}
		ctx = context.WithValue(r.Context(), codeBindingKey{}, jkt)
		r = r.WithContext(ctx)
	}
	clean := url.Values{}
	for k, vs := range params {
		if k != "dpop_jkt" && k != "request_uri" {
			clean[k] = vs
		}
	}
	r2 := r.Clone(r.Context())
	r2.Method = http.MethodGet
	r2.Body, r2.ContentLength = http.NoBody, 0
	r2.Header.Del("Content-Type")
	r2.URL.RawQuery = clean.Encode()
	r2.Form, r2.PostForm = nil, nil
	a.next.ServeHTTP(w, r2)
}

// refuse answers an authorization request the client may not make: an
// error redirect when its redirect URI is the client's, else a page.
func (a *authzFront) refuse(w http.ResponseWriter, r *http.Request, c *client, params url.Values, desc string) {
	if c != nil && op.ValidateAuthReqRedirectURI(c, params.Get("redirect_uri"), oidc.ResponseType(params.Get("response_type"))) == nil {
		a.errorRedirect(w, r, params, "invalid_request", desc)
		return
	}
	renderResult(w, http.StatusBadRequest, "Invalid request", "error", "invalid_request: "+desc)
}

// errorRedirect sends an authorization error to the request's (checked)
// redirect URI, in the query, with its state.
func (a *authzFront) errorRedirect(w http.ResponseWriter, r *http.Request, params url.Values, code, desc string) {
	u, err := url.Parse(params.Get("redirect_uri"))
	if err != nil {
		renderResult(w, http.StatusBadRequest, "Invalid request", "error", code+": "+desc)
		return
	}
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if st := params.Get("state"); st != "" {
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// verifyHMACRequestObject checks an HS256 request object of a
// client_secret_jwt client (RFC 9101 §10.1): the signature with the
// client's secret, iss the client and aud the issuer. It returns what is
// wrong, or "".
func verifyHMACRequestObject(obj string, c *client, issuer string) string {
	jws, err := jose.ParseSignedCompact(obj, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil || len(jws.Signatures) != 1 || c.hmacKey == nil {
		return "not an HS256 JWS"
	}
	payload, err := jws.Verify(c.hmacKey)
	if err != nil {
		return "the signature does not verify with the client's secret"
	}
	var claims struct {
		Issuer   string   `json:"iss"`
		Audience audience `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "the claims do not parse"
	}
	if claims.Issuer != c.info.ClientID {
		return "iss is not the client id"
	}
	if !slices.Contains(claims.Audience, issuer) {
		return "aud is not the issuer"
	}
	return ""
}
