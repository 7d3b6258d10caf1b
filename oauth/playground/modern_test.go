package playground

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// post sends form with extra headers and returns the decoded answer and
// the response headers.
func post(t testing.TB, u string, form url.Values, header http.Header) (tokenResponse, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := tokenResponse{status: resp.StatusCode, body: map[string]any{}}
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			t.Fatalf("POST %s: status %d, body is not JSON", u, resp.StatusCode)
		}
	}
	return out, resp.Header
}

func basicAuthHeader(id, secret string) http.Header {
	return http.Header{"Authorization": {basicHeader(url.QueryEscape(id), url.QueryEscape(secret))}}
}

func withProof(h http.Header, proof string) http.Header {
	out := http.Header{}
	for k, v := range h {
		out[k] = v
	}
	out.Set(dpop.HeaderName, proof)
	return out
}

func mustProof(t testing.TB, k *dpop.Key, method, u string, o dpop.ProofOptions) string {
	t.Helper()
	p, err := k.Proof(method, u, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantError(t testing.TB, r tokenResponse, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("answer %d %q (%s), want %d %q", r.status, r.str("error"), r.str("error_description"), status, code)
	}
}

var (
	apiNonceOnce sync.Once
	apiNoncePG   *Server
	apiNonceErr  error
)

// dpopPlayground asks for DPoP nonces at the API too.
func dpopPlayground(t testing.TB) *Server {
	t.Helper()
	apiNonceOnce.Do(func() {
		apiNoncePG, apiNonceErr = Start(context.Background(), Config{APIDPoPNonce: true})
		if apiNonceErr == nil {
			extra = append(extra, apiNoncePG)
		}
	})
	if apiNonceErr != nil {
		t.Fatal(apiNonceErr)
	}
	return apiNoncePG
}

// DPoP at the token endpoint and the demo API (RFC 9449; S-44): a bound
// client must send proofs; the server asks for its nonce; a good proof gets
// a DPoP token with cnf.jkt; replayed, mis-signed, wrong-htu and wrong-htm
// proofs are refused; the API wants the DPoP scheme, a proof with ath from
// the bound key, and its own nonce.
func TestDPoPTokenAndResource(t *testing.T) {
	t.Parallel()
	s := dpopPlayground(t)
	info, secret, err := s.CreateClient(ClientSpec{AuthMethod: AuthMethodBasic, Grants: []string{GrantClientCredentials}, DPoPBound: true})
	if err != nil {
		t.Fatal(err)
	}
	auth := basicAuthHeader(info.ClientID, secret)
	tokenURL := s.Endpoints().Token
	form := url.Values{"grant_type": {GrantClientCredentials}}
	key, _, _ := dpop.GenerateKey()

	r, _ := post(t, tokenURL, form, auth)
	wantError(t, r, 400, dpop.ErrInvalidProof)

	r, h := post(t, tokenURL, form, withProof(auth, mustProof(t, key, "POST", tokenURL, dpop.ProofOptions{})))
	wantError(t, r, 400, dpop.ErrUseNonce)
	nonce := h.Get(dpop.NonceHeader)
	if nonce == "" {
		t.Fatal("use_dpop_nonce without a DPoP-Nonce header")
	}

	proof := mustProof(t, key, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce})
	r, _ = post(t, tokenURL, form, withProof(auth, proof))
	if r.status != 200 || r.str("token_type") != dpop.TokenType {
		t.Fatalf("token: %d %v", r.status, r.body)
	}
	tok := r.str("access_token")
	cnf, _ := accessClaims(t, s, tok)["cnf"].(map[string]any)
	if cnf["jkt"] != key.Thumbprint() {
		t.Fatalf("cnf = %v, want jkt %s", cnf, key.Thumbprint())
	}

	// Hostile proofs at the token endpoint.
	otherURL := strings.Replace(tokenURL, "/oauth/token", "/oauth/other", 1)
	parts := strings.Split(mustProof(t, key, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce}), ".")
	sig := []byte(parts[2])
	sig[3] ^= 0x01
	for name, p := range map[string]string{
		"replayed jti":  proof,
		"wrong htu":     mustProof(t, key, "POST", otherURL, dpop.ProofOptions{Nonce: nonce}),
		"wrong htm":     mustProof(t, key, "GET", tokenURL, dpop.ProofOptions{Nonce: nonce}),
		"bad signature": parts[0] + "." + parts[1] + "." + string(sig),
	} {
		r, _ := post(t, tokenURL, form, withProof(auth, p))
		if r.status != 400 || r.str("error") != dpop.ErrInvalidProof {
			t.Errorf("%s: %d %v", name, r.status, r.body)
		}
	}

	// The API.
	me := s.APIURL + "/me"
	call := func(hdr http.Header) (int, http.Header, map[string]any) {
		status, h, body := get(t, me, hdr)
		m := map[string]any{}
		_ = json.Unmarshal(body, &m)
		return status, h, m
	}
	if status, _, _ := call(bearer(tok)); status != 401 {
		t.Errorf("a DPoP-bound token sent as a bearer token: %d", status)
	}
	dpopHdr := func(p string) http.Header {
		return http.Header{"Authorization": {"DPoP " + tok}, dpop.HeaderName: {p}}
	}
	status, h, body := call(dpopHdr(mustProof(t, key, "GET", me, dpop.ProofOptions{AccessToken: tok})))
	if status != 401 || body["error"] != dpop.ErrUseNonce || h.Get(dpop.NonceHeader) == "" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "DPoP ") {
		t.Fatalf("API without its nonce: %d %v %q", status, body, h.Get("WWW-Authenticate"))
	}
	apiNonce := h.Get(dpop.NonceHeader)
	good := mustProof(t, key, "GET", me, dpop.ProofOptions{AccessToken: tok, Nonce: apiNonce})
	status, _, body = call(dpopHdr(good))
	if status != 200 || body["cnf_jkt"] != key.Thumbprint() {
		t.Fatalf("API with a good proof: %d %v", status, body)
	}
	other, _, _ := dpop.GenerateKey()
	for name, p := range map[string]string{
		"replayed":    good,
		"no ath":      mustProof(t, key, "GET", me, dpop.ProofOptions{Nonce: apiNonce}),
		"another key": mustProof(t, other, "GET", me, dpop.ProofOptions{AccessToken: tok, Nonce: apiNonce}),
		"wrong path":  mustProof(t, key, "GET", s.APIURL+"/data", dpop.ProofOptions{AccessToken: tok, Nonce: apiNonce}),
	} {
		if status, _, body := call(dpopHdr(p)); status != 401 || body["error"] != dpop.ErrInvalidProof {
			t.Errorf("API, %s: %d %v", name, status, body)
		}
	}

	// Introspection shows the binding, and the token's type is DPoP (RFC
	// 9449 §6.2).
	r, _ = post(t, s.Endpoints().Introspection, url.Values{"token": {tok}}, auth)
	if c, _ := r.body["cnf"].(map[string]any); r.body["active"] != true || c["jkt"] != key.Thumbprint() || r.body["token_type"] != "DPoP" {
		t.Errorf("introspection: %v", r.body)
	}
}

// A public client's DPoP-bound refresh token is refreshed only with its
// key; a code bound with dpop_jkt is only redeemed with that key (RFC 9449
// §5, §10).
func TestDPoPRefreshAndCodeBinding(t *testing.T) {
	t.Parallel()
	s := shared
	info, _, err := s.CreateClient(ClientSpec{
		AuthMethod: AuthMethodNone, Grants: []string{GrantAuthorizationCode, GrantRefreshToken},
		LoopbackRedirect: true, Scopes: []string{"openid", "offline_access", ScopeAPIRead},
	})
	if err != nil {
		t.Fatal(err)
	}
	key, _, _ := dpop.GenerateKey()
	other, _, _ := dpop.GenerateKey()
	tokenURL := s.Endpoints().Token
	cfg := userConfig(s, DemoClient{ClientID: info.ClientID, AuthMethod: AuthMethodNone}, loopbackRedirect(50123), "openid", "offline_access", ScopeAPIRead)
	verifier := oauth2.GenerateVerifier()
	_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("dpop_jkt", key.Thumbprint()))
	code := q.Get("code")
	form := url.Values{"grant_type": {GrantAuthorizationCode}, "code": {code}, "redirect_uri": {cfg.RedirectURL}, "client_id": {info.ClientID}, "code_verifier": {verifier}}
	// The server nonce first.
	r, h := post(t, tokenURL, form, http.Header{dpop.HeaderName: {mustProof(t, other, "POST", tokenURL, dpop.ProofOptions{})}})
	wantError(t, r, 400, dpop.ErrUseNonce)
	nonce := h.Get(dpop.NonceHeader)
	r, _ = post(t, tokenURL, form, http.Header{dpop.HeaderName: {mustProof(t, other, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce})}})
	wantError(t, r, 400, "invalid_grant")
	_, q = authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("dpop_jkt", key.Thumbprint()))
	form.Set("code", q.Get("code"))
	r, _ = post(t, tokenURL, form, http.Header{dpop.HeaderName: {mustProof(t, key, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce})}})
	if r.status != 200 || r.str("token_type") != "DPoP" || r.str("refresh_token") == "" {
		t.Fatalf("token: %d %v", r.status, r.body)
	}
	rt := r.str("refresh_token")
	refresh := url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}, "client_id": {info.ClientID}}
	r, _ = post(t, tokenURL, refresh, nil)
	wantError(t, r, 400, "invalid_grant")
	r, _ = post(t, tokenURL, refresh, http.Header{dpop.HeaderName: {mustProof(t, other, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce})}})
	wantError(t, r, 400, "invalid_grant")
	r, _ = post(t, tokenURL, refresh, http.Header{dpop.HeaderName: {mustProof(t, key, "POST", tokenURL, dpop.ProofOptions{Nonce: nonce})}})
	if r.status != 200 || r.str("token_type") != "DPoP" {
		t.Fatalf("refresh with the bound key: %d %v", r.status, r.body)
	}
}

var (
	parOnce sync.Once
	parPG   *Server
	parErr  error
)

// parPlayground has one-second request_uris.
func parPlayground(t testing.TB) *Server {
	t.Helper()
	parOnce.Do(func() {
		parPG, parErr = Start(context.Background(), Config{PARLifetime: time.Second, NoDPoPNonce: true})
		if parErr == nil {
			extra = append(extra, parPG)
		}
	})
	if parErr != nil {
		t.Fatal(parErr)
	}
	return parPG
}

// Pushed authorization requests (RFC 9126): a PAR-only client is refused
// at the authorization endpoint; pushed, the browser URL carries only
// client_id and request_uri; a request_uri works once and expires; a
// request_uri cannot be pushed; a DPoP proof at PAR binds the code.
func TestPushedAuthorizationRequests(t *testing.T) {
	t.Parallel()
	s := parPlayground(t)
	info, secret, err := s.CreateClient(ClientSpec{
		AuthMethod: AuthMethodPost, Grants: []string{GrantAuthorizationCode},
		LoopbackRedirect: true, RequirePAR: true, Scopes: []string{"openid", ScopeAPIRead},
	})
	if err != nil {
		t.Fatal(err)
	}
	redirect := loopbackRedirect(50124)
	cfg := &oauth2.Config{ClientID: info.ClientID, ClientSecret: secret, Endpoint: endpoint(s, oauth2.AuthStyleInParams), RedirectURL: redirect, Scopes: []string{"openid", ScopeAPIRead}}
	b := NewBrowser(DemoUser, DemoPassword)
	// Not pushed: an error on the redirect URI.
	_, q := authorize(t, b, cfg)
	if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "push") {
		t.Fatalf("unpushed request: %v", q)
	}
	verifier := oauth2.GenerateVerifier()
	push := func(extra url.Values, hdr http.Header) tokenResponse {
		form := url.Values{
			"client_id": {info.ClientID}, "client_secret": {secret}, "response_type": {"code"}, "redirect_uri": {redirect},
			"scope": {"openid " + ScopeAPIRead}, "state": {"st8"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
		}
		for k, v := range extra {
			form[k] = v
		}
		r, _ := post(t, s.Endpoints().PushedAuthorization, form, hdr)
		return r
	}
	r := push(nil, nil)
	uri := r.str("request_uri")
	if r.status != 201 || !strings.HasPrefix(uri, requestURIPrefix) || r.body["expires_in"] != float64(1) {
		t.Fatalf("push: %d %v", r.status, r.body)
	}
	authURL := s.Endpoints().Authorization + "?" + url.Values{"client_id": {info.ClientID}, "request_uri": {uri}}.Encode()
	back, err := b.Authorize(ctxT(t), authURL)
	if err != nil {
		t.Fatal(err)
	}
	if back.Query().Get("state") != "st8" || back.Query().Get("code") == "" || back.Query().Get("iss") != s.Issuer {
		t.Fatalf("redirect: %v", back.Query())
	}
	tok, err := cfg.Exchange(ctxT(t), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("exchange: %v", err)
	}
	// Used once only.
	if _, err := b.Authorize(ctxT(t), authURL); err == nil {
		t.Error("a request_uri worked twice")
	}
	// Expired: the error comes back on the redirect URI.
	r = push(nil, nil)
	time.Sleep(1100 * time.Millisecond)
	back, err = b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+url.Values{"client_id": {info.ClientID}, "request_uri": {r.str("request_uri")}}.Encode())
	if err != nil || back.Query().Get("error") != "invalid_request_uri" || back.Query().Get("state") != "st8" {
		t.Fatalf("expired request_uri: %v %v", back, err)
	}
	// Refused pushes.
	wantError(t, push(url.Values{"request_uri": {"urn:x"}}, nil), 400, "invalid_request")
	wantError(t, push(url.Values{"client_secret": {"wrong"}}, nil), 401, "invalid_client")
	wantError(t, push(url.Values{"redirect_uri": {"http://127.0.0.1:50124/elsewhere"}}, nil), 400, "invalid_request")
	// A DPoP proof at PAR binds the code to its key.
	key, _, _ := dpop.GenerateKey()
	other, _, _ := dpop.GenerateKey()
	r = push(nil, http.Header{dpop.HeaderName: {mustProof(t, key, "POST", s.Endpoints().PushedAuthorization, dpop.ProofOptions{})}})
	back, err = b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+url.Values{"client_id": {info.ClientID}, "request_uri": {r.str("request_uri")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{
		"grant_type": {GrantAuthorizationCode}, "code": {back.Query().Get("code")}, "redirect_uri": {redirect},
		"client_id": {info.ClientID}, "client_secret": {secret}, "code_verifier": {verifier},
	}
	r, _ = post(t, s.Endpoints().Token, form, http.Header{dpop.HeaderName: {mustProof(t, other, "POST", s.Endpoints().Token, dpop.ProofOptions{})}})
	wantError(t, r, 400, "invalid_grant")

	// Discovery names the endpoint.
	_, _, body := get(t, s.Endpoints().Discovery, nil)
	var d map[string]any
	_ = json.Unmarshal(body, &d)
	if d["pushed_authorization_request_endpoint"] != s.Endpoints().PushedAuthorization || d["dpop_signing_alg_values_supported"] == nil {
		t.Errorf("discovery: %v", d)
	}
}

// signRequestObject signs params as an RFC 9101 request object with key.
func signRequestObject(t testing.TB, s *Server, clientID, privPEM, kid string, params map[string]any, exp time.Time) string {
	t.Helper()
	block, _ := pem.Decode([]byte(privPEM))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("oauth-authz-req+jwt").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": clientID, "aud": s.Issuer, "client_id": clientID, "exp": exp.Unix(), "iat": time.Now().Unix()}
	for k, v := range params {
		claims[k] = v
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Signed request objects (RFC 9101): a client that must sign is refused
// without one; a good object works by value and pushed, with only
// client_id (and the object) outside; a forged, expired or foreign object
// is refused.
func TestRequestObjects(t *testing.T) {
	t.Parallel()
	s := parPlayground(t)
	jwtClient := demoClient(t, s, ClientServiceJWT)
	info, _, err := s.CreateClient(ClientSpec{
		AuthMethod: AuthMethodPrivateKeyJWT, PublicKey: jwtClient.PublicKeyPEM, Grants: []string{GrantAuthorizationCode},
		LoopbackRedirect: true, RequireRequestObject: true, Scopes: []string{"openid", ScopeAPIRead},
	})
	if err != nil {
		t.Fatal(err)
	}
	redirect := loopbackRedirect(50125)
	b := NewBrowser(DemoUser, DemoPassword)
	params := map[string]any{
		"response_type": "code", "redirect_uri": redirect, "scope": "openid " + ScopeAPIRead, "state": "s1",
		"code_challenge": oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()), "code_challenge_method": "S256",
	}
	plain := s.Endpoints().Authorization + "?" + url.Values{"client_id": {info.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid"}, "state": {"s1"}}.Encode()
	back, err := b.Authorize(ctxT(t), plain)
	if err != nil || back.Query().Get("error") != "invalid_request" {
		t.Fatalf("unsigned request: %v %v", back, err)
	}
	obj := signRequestObject(t, s, info.ClientID, jwtClient.PrivateKeyPEM, info.KeyID, params, time.Now().Add(time.Minute))
	back, err = b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+url.Values{"client_id": {info.ClientID}, "request": {obj}}.Encode())
	if err != nil || back.Query().Get("code") == "" || back.Query().Get("state") != "s1" {
		t.Fatalf("by value: %v %v", back, err)
	}
	// Pushed, authenticated with private_key_jwt.
	assertion := signAssertion(t, s.Issuer, info.ClientID, jwtClient.PrivateKeyPEM, jose.ES256, info.KeyID)
	r, _ := post(t, s.Endpoints().PushedAuthorization, url.Values{
		"client_id": {info.ClientID}, "request": {obj},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
	}, nil)
	if r.status != 201 {
		t.Fatalf("push a request object: %d %v", r.status, r.body)
	}
	back, err = b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+url.Values{"client_id": {info.ClientID}, "request_uri": {r.str("request_uri")}}.Encode())
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("pushed object: %v %v", back, err)
	}
	// Refused objects.
	expired := signRequestObject(t, s, info.ClientID, jwtClient.PrivateKeyPEM, info.KeyID, params, time.Now().Add(-time.Minute))
	parts := strings.Split(obj, ".")
	forged := parts[0] + "." + strings.Split(expired, ".")[1] + "." + parts[2]
	for name, o := range map[string]string{"expired": expired, "forged": forged, "not a JWT": "abc"} {
		if _, err := b.Authorize(ctxT(t), s.Endpoints().Authorization+"?"+url.Values{"client_id": {info.ClientID}, "request": {o}}.Encode()); err == nil {
			t.Errorf("%s request object accepted", name)
		}
	}
}

// hs256Assertion signs a client_secret_jwt assertion.
func hs256Assertion(t testing.TB, s *Server, clientID, secret, jti string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	out, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: clientID, Subject: clientID, Audience: jwt.Audience{s.Issuer},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: jti,
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// client_secret_jwt: an HS256 assertion keyed with the secret works at the
// token and introspection endpoints; a replayed jti, a wrong secret, or the
// bare secret are refused.
func TestClientSecretJWT(t *testing.T) {
	t.Parallel()
	s := shared
	info, secret, err := s.CreateClient(ClientSpec{AuthMethod: AuthMethodSecretJWT, Grants: []string{GrantClientCredentials}})
	if err != nil || secret == "" {
		t.Fatalf("create: %v", err)
	}
	a := hs256Assertion(t, s, info.ClientID, secret, randomToken(9))
	r := postForm(t, s.Endpoints().Token, assertionForm(a, ScopeAPIRead), "", "")
	if r.status != 200 || r.str("access_token") == "" {
		t.Fatalf("token: %d %v", r.status, r.body)
	}
	wantError(t, postForm(t, s.Endpoints().Token, assertionForm(a, ScopeAPIRead), "", ""), 401, "invalid_client")
	wantError(t, postForm(t, s.Endpoints().Token, assertionForm(hs256Assertion(t, s, info.ClientID, strings.Repeat("w", 43), randomToken(9)), ""), "", ""), 401, "invalid_client")
	wantError(t, postForm(t, s.Endpoints().Token, url.Values{"grant_type": {GrantClientCredentials}}, info.ClientID, secret), 401, "invalid_client")
	intro := url.Values{
		"token": {r.str("access_token")}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion": {hs256Assertion(t, s, info.ClientID, secret, randomToken(9))},
	}
	ir := postForm(t, s.Endpoints().Introspection, intro, "", "")
	if ir.body["active"] != true || ir.str("client_id") != info.ClientID {
		t.Errorf("introspection: %d %v", ir.status, ir.body)
	}
}

// Token exchange (RFC 8693) through op: a token of another client is traded
// for one for the demo API, with an actor; exchanges the policy denies
// answer invalid_target, a revoked subject invalid_grant.
func TestTokenExchange(t *testing.T) {
	t.Parallel()
	s := shared
	info, secret, err := s.CreateClient(ClientSpec{AuthMethod: AuthMethodBasic, Grants: []string{GrantTokenExchange}, Scopes: []string{ScopeAPIRead, ScopeAPIWrite}})
	if err != nil {
		t.Fatal(err)
	}
	subject := ccToken(t, s, ClientServiceBasic, ScopeAPIRead)
	actor := ccToken(t, s, ClientServicePost, ScopeAPIRead)
	const at = "urn:ietf:params:oauth:token-type:access_token"
	form := func(extra url.Values) url.Values {
		f := url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {subject}, "subject_token_type": {at}, "audience": {s.APIURL}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	r := postForm(t, s.Endpoints().Token, form(url.Values{"actor_token": {actor}, "actor_token_type": {at}}), info.ClientID, secret)
	if r.status != 200 || r.str("issued_token_type") != at || !strings.EqualFold(r.str("token_type"), "bearer") {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	claims := accessClaims(t, s, r.str("access_token"))
	if act, _ := claims["act"].(map[string]any); act["sub"] != ClientServicePost || claims["sub"] != ClientServiceBasic || claims["scope"] != ScopeAPIRead {
		t.Errorf("claims: %v", claims)
	}
	if status, _, _ := get(t, s.APIURL+"/data", bearer(r.str("access_token"))); status != 200 {
		t.Errorf("the exchanged token at the API: %d", status)
	}
	wantError(t, postForm(t, s.Endpoints().Token, form(url.Values{"audience": {"https://elsewhere.example"}}), info.ClientID, secret), 400, "invalid_target")
	wantError(t, postForm(t, s.Endpoints().Token, form(url.Values{"audience": nil}), info.ClientID, secret), 400, "invalid_target")
	wantError(t, postForm(t, s.Endpoints().Token, form(url.Values{"scope": {ScopeAPIWrite}}), info.ClientID, secret), 400, "invalid_scope")
	wantError(t, postForm(t, s.Endpoints().Token, form(url.Values{"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"}}), info.ClientID, secret), 400, "invalid_request")
	// Not this client's grant.
	basic := demoClient(t, s, ClientServiceBasic)
	if r := postForm(t, s.Endpoints().Token, form(nil), basic.ClientID, basic.Secret); r.status == 200 {
		t.Errorf("a client without the grant exchanged a token")
	}
	// A revoked subject.
	rv := postForm(t, s.Endpoints().Revocation, url.Values{"token": {subject}, "token_type_hint": {"access_token"}}, basic.ClientID, basic.Secret)
	if rv.status != 200 {
		t.Fatalf("revoke: %d", rv.status)
	}
	if r := postForm(t, s.Endpoints().Token, form(nil), info.ClientID, secret); r.status != 400 {
		t.Errorf("a revoked subject was exchanged: %d %v", r.status, r.body)
	}
}
