package playground

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// Limits of the demo API's utility endpoints.
const (
	MaxBigMB     = 100     // largest /big?mb=N
	MaxSlowMS    = 60000   // longest /slow?ms=N
	maxBodyBytes = 1 << 20 // largest POST /data body
)

// demoAPI is the protected demo resource server. It validates access tokens
// locally: signature against the provider's key (in-process, no network),
// issuer, expiry and audience, and asks the provider's storage whether the
// token was revoked.
type demoAPI struct {
	st        *storage
	issuer    string
	audience  string
	verifier  *op.AccessTokenVerifier
	apiKey    string
	basicUser string
	basicPass string
	// dpop checks the proofs that come with DPoP-bound tokens.
	dpop *dpopChecker
}

func newDemoAPI(st *storage, issuer, audience, apiKey, basicUser, basicPass string) *demoAPI {
	return &demoAPI{
		st:        st,
		issuer:    issuer,
		audience:  audience,
		verifier:  op.NewAccessTokenVerifier(issuer, &op.OpenIDKeySet{Storage: st}),
		apiKey:    apiKey,
		basicUser: basicUser,
		basicPass: basicPass,
	}
}

func (a *demoAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /me", a.bearer("", a.me))
	mux.HandleFunc("POST /me", a.bearer("", a.me))
	mux.HandleFunc("GET /data", a.bearer(ScopeAPIRead, a.getData))
	mux.HandleFunc("POST /data", a.bearer(ScopeAPIWrite, a.postData))
	mux.HandleFunc("GET /apikey", a.withAPIKey)
	mux.HandleFunc("GET /basic", a.withBasic)
	mux.HandleFunc("GET /big", a.big)
	mux.HandleFunc("GET /slow", a.slow)
	mux.HandleFunc("GET /redirect", a.redirect)
	mux.HandleFunc("GET /status/{code}", a.status)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Scope       string `json:"scope,omitempty"`
}

// quote makes a value safe inside an RFC 6750 auth-param quoted string.
func quote(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '\''
		}
		return r
	}, s)
}

// invalidToken answers 401 per RFC 6750 §3.1.
func invalidToken(w http.ResponseWriter, desc string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description="%s"`, quote(desc)))
	writeJSON(w, http.StatusUnauthorized, apiError{Error: "invalid_token", Description: desc})
}

// insufficientScope answers 403 per RFC 6750 §3.1.
func insufficientScope(w http.ResponseWriter, scope string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope="%s"`, quote(scope)))
	writeJSON(w, http.StatusForbidden, apiError{Error: "insufficient_scope", Description: "the token lacks the scope " + scope, Scope: scope})
}

func invalidRequest(w http.ResponseWriter, desc string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_request", error_description="%s"`, quote(desc)))
	writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: desc})
}

// tokenClaims is what a handler learns about a validated token.
type tokenClaims struct {
	Subject  string   `json:"sub"`
	ClientID string   `json:"client_id"`
	Scope    string   `json:"scope"`
	Audience []string `json:"aud"`
	Expires  int64    `json:"exp"`
	// JKT is the thumbprint of the DPoP key a bound token is bound to.
	JKT    string `json:"cnf_jkt,omitempty"`
	scopes []string
}

// bearerToken finds the token in the header, a form body or the query
// (RFC 6750 §2); more than one place is an invalid request (§3.1). A token
// in an "Authorization: DPoP" header (RFC 9449 §7.1) is returned with dpop set.
func bearerToken(r *http.Request) (token string, dpopScheme bool, err error) {
	var found []string
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		switch {
		case !ok || strings.TrimSpace(tok) == "":
			return "", false, errors.New("the Authorization header is not a Bearer or DPoP token")
		case strings.EqualFold(scheme, "DPoP"):
			dpopScheme = true
		case !strings.EqualFold(scheme, "Bearer"):
			return "", false, errors.New("the Authorization header is not a Bearer or DPoP token")
		}
		found = append(found, strings.TrimSpace(tok))
	}
	if r.Method == http.MethodPost {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
			if err := r.ParseForm(); err == nil && r.PostForm.Has("access_token") {
				found = append(found, r.PostForm.Get("access_token"))
			}
		}
	}
	if q := r.URL.Query(); q.Has("access_token") {
		found = append(found, q.Get("access_token"))
	}
	switch len(found) {
	case 0:
		return "", false, nil
	case 1:
		return found[0], dpopScheme, nil
	}
	return "", false, errMultipleTokens
}

var errMultipleTokens = errors.New("the token was sent in more than one place")

// validate checks a token locally and returns its claims or a reason.
func (a *demoAPI) validate(ctx context.Context, token string) (*tokenClaims, string) {
	ctx = op.ContextWithIssuer(ctx, a.issuer)
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, a.verifier)
	if err != nil {
		switch {
		case errors.Is(err, oidc.ErrExpired):
			return nil, "the access token expired"
		case errors.Is(err, oidc.ErrIssuerInvalid):
			return nil, "the access token was issued by another issuer"
		case errors.Is(err, oidc.ErrSignatureInvalid), errors.Is(err, oidc.ErrSignatureInvalidPayload),
			errors.Is(err, oidc.ErrSignatureUnsupportedAlg), errors.Is(err, oidc.ErrSignatureMissing):
			return nil, "the access token signature is invalid"
		}
		return nil, "the access token is malformed"
	}
	if !slices.Contains(claims.Audience, a.audience) {
		return nil, "the access token is not meant for this API"
	}
	if !a.st.accessTokenActive(claims.JWTID) {
		return nil, "the access token was revoked"
	}
	tc := &tokenClaims{
		Subject:  claims.Subject,
		ClientID: claims.ClientID,
		Scope:    strings.Join(claims.Scopes, " "),
		Audience: claims.Audience,
		Expires:  claims.Expiration.AsTime().Unix(),
		scopes:   claims.Scopes,
	}
	if cnf, ok := claims.Claims["cnf"].(map[string]any); ok {
		tc.JKT, _ = cnf["jkt"].(string)
	}
	return tc, ""
}

// bearer protects h with a valid access token carrying scope (if not empty).
func (a *demoAPI) bearer(scope string, h func(http.ResponseWriter, *http.Request, *tokenClaims)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, dpopScheme, err := bearerToken(r)
		switch {
		case err != nil:
			invalidRequest(w, err.Error())
			return
		case token == "":
			invalidToken(w, "a bearer access token is required")
			return
		}
		claims, reason := a.validate(r.Context(), token)
		if claims == nil {
			if dpopScheme {
				dpopChallenge(w, "invalid_token", reason, "")
				return
			}
			invalidToken(w, reason)
			return
		}
		if !a.checkDPoP(w, r, token, dpopScheme, claims) {
			return
		}
		if scope != "" && !slices.Contains(claims.scopes, scope) {
			insufficientScope(w, scope)
			return
		}
		h(w, r, claims)
	}
}

// checkDPoP holds DPoP-bound tokens to RFC 9449 §7: sent with the DPoP
// scheme and one proof for this request, made with the bound key, hashing
// the token, carrying the API's nonce when it asks for one, never replayed.
// A bound token sent as a bearer token is refused (§7.2).
func (a *demoAPI) checkDPoP(w http.ResponseWriter, r *http.Request, token string, dpopScheme bool, c *tokenClaims) bool {
	switch {
	case c.JKT == "" && !dpopScheme:
		return true
	case c.JKT == "":
		dpopChallenge(w, "invalid_token", "the token is not DPoP-bound; send it as a Bearer token", "")
		return false
	case !dpopScheme:
		invalidToken(w, "the token is DPoP-bound: send it with Authorization: DPoP and a DPoP proof")
		return false
	}
	proofs := r.Header.Values(dpop.HeaderName)
	if len(proofs) != 1 {
		dpopChallenge(w, dpop.ErrInvalidProof, "exactly one DPoP proof must come with a DPoP-bound token", a.dpop.nonce())
		return false
	}
	if _, derr := a.dpop.checkAt(a.audience+r.URL.EscapedPath(), proofs[0], r.Method, token, c.JKT); derr != nil {
		dpopChallenge(w, derr.Code, derr.Reason, a.dpop.nonce())
		return false
	}
	if n := a.dpop.nonce(); n != "" {
		w.Header().Set(dpop.NonceHeader, n)
	}
	return true
}

// dpopChallenge answers 401 with a DPoP challenge (RFC 9449 §7.1), and a
// fresh nonce when the API uses them.
func dpopChallenge(w http.ResponseWriter, code, desc, nonce string) {
	if nonce != "" {
		w.Header().Set(dpop.NonceHeader, nonce)
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`DPoP error="%s", error_description="%s", algs="%s"`, quote(code), quote(desc), strings.Join(dpopAlgs, " ")))
	writeJSON(w, http.StatusUnauthorized, apiError{Error: code, Description: desc})
}

func (a *demoAPI) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "authdeck playground demo API",
		"endpoints": []string{
			"GET /me (any valid token)", "GET /data (api:read)", "POST /data (api:write)",
			"GET /apikey (X-API-Key)", "GET /basic (HTTP basic)", "GET /big?mb=N", "GET /slow?ms=N",
			"GET /redirect?to=URL", "GET /status/{code}",
		},
	})
}

func (a *demoAPI) me(w http.ResponseWriter, _ *http.Request, c *tokenClaims) {
	writeJSON(w, http.StatusOK, c)
}

func (a *demoAPI) getData(w http.ResponseWriter, _ *http.Request, c *tokenClaims) {
	writeJSON(w, http.StatusOK, map[string]any{
		"owner": c.Subject,
		"items": []map[string]any{
			{"id": 1, "name": "alpha", "status": "active"},
			{"id": 2, "name": "beta", "status": "paused"},
			{"id": 3, "name": "gamma", "status": "active"},
		},
	})
}

// postData echoes the JSON body (or the fields of a form body, without the
// access token).
func (a *demoAPI) postData(w http.ResponseWriter, r *http.Request, _ *tokenClaims) {
	if r.PostForm != nil {
		echo := map[string]string{}
		for k, v := range r.PostForm {
			if k != "access_token" && len(v) > 0 {
				echo[k] = v[0]
			}
		}
		writeJSON(w, http.StatusOK, echo)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: "too_large", Description: "the body exceeds 1 MiB"})
		return
	}
	if !json.Valid(body) {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_json", Description: "the body is not valid JSON"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (a *demoAPI) withAPIKey(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("X-API-Key")
	if key == "" {
		key = r.URL.Query().Get("api_key")
	}
	if key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(a.apiKey)) != 1 {
		w.Header().Set("WWW-Authenticate", `APIKey realm="authdeck-demo", header="X-API-Key"`)
		writeJSON(w, http.StatusUnauthorized, apiError{Error: "invalid_api_key", Description: "send the demo API key in X-API-Key or ?api_key="})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"authenticated": "api_key", "message": "hello, API key holder"})
}

func (a *demoAPI) withBasic(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(a.basicUser)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(a.basicPass)) == 1
	if !ok || !userOK || !passOK {
		w.Header().Set("WWW-Authenticate", `Basic realm="authdeck-demo", charset="UTF-8"`)
		writeJSON(w, http.StatusUnauthorized, apiError{Error: "invalid_credentials", Description: "HTTP basic credentials required"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"authenticated": "basic", "user": user})
}

func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s must be an integer from %d to %d", name, min, max)
	}
	return n, nil
}

// big streams exactly mb MiB of valid JSON: {"items":[{...},...]}.
func (a *demoAPI) big(w http.ResponseWriter, r *http.Request) {
	mb, err := intParam(r, "mb", 1, 1, MaxBigMB)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: err.Error()})
		return
	}
	total := mb << 20
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(total))
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	writeBigJSON(bw, total)
}

// writeBigJSON writes a JSON document of exactly total bytes (total ≥ 4 KiB).
func writeBigJSON(w io.Writer, total int) {
	const (
		head     = `{"items":[`
		tail     = "]}\n"
		itemSize = 1024 // bytes per item, including the separating comma
	)
	written := 0
	put := func(s string) {
		n, _ := io.WriteString(w, s)
		written += n
	}
	put(head)
	for i := 0; ; i++ {
		remaining := total - written - len(tail)
		if remaining < 2*itemSize {
			put(bigItem(i, remaining))
			break
		}
		put(bigItem(i, itemSize-1) + ",")
	}
	put(tail)
}

// bigItem renders item i padded to exactly size bytes.
func bigItem(i, size int) string {
	base := fmt.Sprintf(`{"id":%d,"name":"item %d","active":%t,"score":%d.%02d,"tags":["demo","bulk"],"pad":""}`,
		i, i, i%3 != 0, i%1000, i%100)
	pad := size - len(base)
	if pad < 0 {
		pad = 0
	}
	return base[:len(base)-2] + strings.Repeat("x", pad) + `"}`
}

func (a *demoAPI) slow(w http.ResponseWriter, r *http.Request) {
	ms, err := intParam(r, "ms", 1000, 0, MaxSlowMS)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: err.Error()})
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		writeJSON(w, http.StatusOK, map[string]int{"slept_ms": ms})
	case <-r.Context().Done():
	}
}

func (a *demoAPI) redirect(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	u, err := url.Parse(to)
	if to == "" || err != nil || (u.IsAbs() && u.Scheme != "http" && u.Scheme != "https") || (!u.IsAbs() && !strings.HasPrefix(to, "/")) {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "to must be an http(s) URL or an absolute path"})
		return
	}
	http.Redirect(w, r, to, http.StatusFound) //nolint:gosec // G710: the demo API redirects where asked, so the request console's redirect handling can be tried
}

func (a *demoAPI) status(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.PathValue("code"))
	if err != nil || code < 200 || code > 599 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Description: "status must be from 200 to 599"})
		return
	}
	if code == http.StatusNoContent || code == http.StatusNotModified {
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, map[string]any{"status": code, "text": http.StatusText(code)})
}
