package oauth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// tokenCalls counts the transcript's requests to the token endpoint.
func tokenCalls(tr *Transcript, step string) int {
	n := 0
	for _, x := range tr.Exchanges() {
		if x.Step == step && x.Method != "" {
			n++
		}
	}
	return n
}

// callAPIWithProof calls GET /me with a DPoP-bound token and a proof.
func callAPIWithProof(t testing.TB, s *playground.Server, key *dpop.Key, token string) int {
	t.Helper()
	u := s.APIURL + "/me"
	proof, err := key.Proof("GET", u, dpop.ProofOptions{AccessToken: token})
	mustf(t, err, "proof")
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set(dpop.HeaderName, proof)
	resp, err := testHTTP.Do(req)
	mustf(t, err, "calling the demo API")
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// dpopClient registers a DPoP-bound client-credentials client and returns
// the auth client with a fresh DPoP key.
func dpopClient(t testing.TB, s *playground.Server) (vault.AuthClient, vault.ClientCredentials, *dpop.Key) {
	t.Helper()
	info, secret, err := s.CreateClient(playground.ClientSpec{AuthMethod: playground.AuthMethodBasic, Grants: []string{playground.GrantClientCredentials}, DPoPBound: true})
	mustf(t, err, "registering")
	key, pemText, err := dpop.GenerateKey()
	mustf(t, err, "key")
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer,
		ClientID: info.ClientID, AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
		Scopes: []string{playground.ScopeAPIRead}, DPoP: true, DPoPKeyID: key.Thumbprint(),
	}
	return ac, vault.ClientCredentials{ClientSecret: secret, DPoPKey: pemText}, key
}

// DPoP on a token request (RFC 9449; S-44): the provider asks for its nonce
// and the engine retries once with it, then reuses it (one round trip);
// the token comes back DPoP-bound to the client's key and works at the
// demo API only with a proof.
func TestDPoPTokenRequest(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	ac, creds, key := dpopClient(t, s)
	e := newEngine(t)
	tr := NewTranscript()
	r, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: creds, Transcript: tr}, FlowCallbacks{})
	mustf(t, err, "fetch\n%s", tr.Text())
	if !strings.EqualFold(r.TokenType, "DPoP") || r.DPoPJKT != key.Thumbprint() {
		t.Fatalf("token type %q, bound to %q", r.TokenType, r.DPoPJKT)
	}
	if n := tokenCalls(tr, "token"); n != 2 || !strings.Contains(tr.Text(), "use_dpop_nonce") {
		t.Errorf("%d token requests for the first DPoP token, want 2 (the nonce retry)\n%s", n, tr.Text())
	}
	if callAPI(t, s, r.AccessToken) != 401 || callAPIWithProof(t, s, key, r.AccessToken) != 200 {
		t.Errorf("the demo API accepted the token without its proof, or refused it with one")
	}
	tr2 := NewTranscript()
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: creds, Transcript: tr2}, FlowCallbacks{})
	mustf(t, err, "second fetch")
	if n := tokenCalls(tr2, "token"); n != 1 {
		t.Errorf("%d token requests with the nonce known, want 1", n)
	}
	if !strings.Contains(tr2.Text(), "DPoP proof signed by key "+key.Thumbprint()) {
		t.Errorf("the transcript does not name the proof key:\n%s", tr2.Text())
	}
	// A client whose DPoP key is not the one it names is refused before any request.
	bad := ac
	bad.DPoPKeyID = "someone-else"
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: bad, Credentials: creds}, FlowCallbacks{})
	kindIs(t, err, KindNotConfigured)
}

// proofMangler rewrites the DPoP header of token requests.
type proofMangler struct {
	base http.RoundTripper
	fn   func(req *http.Request, proof string) string
}

func (m *proofMangler) RoundTrip(req *http.Request) (*http.Response, error) {
	if p := req.Header.Get(dpop.HeaderName); p != "" {
		req = req.Clone(req.Context())
		req.Header.Set(dpop.HeaderName, m.fn(req, p))
	}
	return m.base.RoundTrip(req)
}

// Hostile DPoP cases through the engine: after a good token, a proof with a
// bad signature, a replayed jti, the wrong htu or htm each end with
// invalid_dpop_proof (exit code 7) and leave the stored token set as it
// was; a server that wants a nonce but gives none fails the same way.
func TestDPoPHostileProofs(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	cases := []struct {
		name string
		fn   func(k *dpop.Key, req *http.Request, proof, last string) string
	}{
		{"bad signature", func(_ *dpop.Key, _ *http.Request, p, _ string) string {
			parts := strings.Split(p, ".")
			sig := []byte(parts[2])
			if sig[4] == 'A' {
				sig[4] = 'B'
			} else {
				sig[4] = 'A'
			}
			return parts[0] + "." + parts[1] + "." + string(sig)
		}},
		{"replayed jti", func(_ *dpop.Key, _ *http.Request, _, last string) string { return last }},
		{"wrong htu", func(k *dpop.Key, req *http.Request, p, _ string) string {
			q, _ := k.Proof("POST", strings.Replace(req.URL.String(), "/oauth/token", "/oauth/elsewhere", 1), dpop.ProofOptions{Nonce: nonceOf(p)})
			return q
		}},
		{"wrong htm", func(k *dpop.Key, req *http.Request, p, _ string) string {
			q, _ := k.Proof("GET", req.URL.String(), dpop.ProofOptions{Nonce: nonceOf(p)})
			return q
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ac, creds, key := dpopClient(t, s)
			var mu sync.Mutex
			var last string
			var hostile atomic.Bool
			e := newEngine(t)
			e.HTTPClient = &http.Client{Timeout: 20 * time.Second, Transport: &proofMangler{base: testTransport, fn: func(req *http.Request, p string) string {
				mu.Lock()
				defer mu.Unlock()
				if !hostile.Load() {
					last = p
					return p
				}
				return tc.fn(key, req, p, last)
			}}}
			putClient(t, e, ac, &creds)
			_, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
			mustf(t, err, "the first token")
			before, _ := storedValue(t, e, "svc")
			hostile.Store(true)
			_, err = e.Token(ctxT(t), TokenRequest{Name: "svc", Force: true}, FlowCallbacks{})
			if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_dpop_proof" {
				t.Errorf("code %q, want invalid_dpop_proof: %v", oe.Code, err)
			}
			if after, _ := storedValue(t, e, "svc"); after == nil || after.AccessToken != before.AccessToken {
				t.Errorf("the stored token set changed after a refused proof")
			}
		})
	}
	t.Run("nonce asked without one", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if r.Header.Get(dpop.HeaderName) == "" {
				t.Errorf("a token request without a proof")
			}
			jsonReply(400, `{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}`)(w, r)
		}))
		t.Cleanup(srv.Close)
		e := newEngine(t)
		ac, creds := ccClient(srv.URL + "/token")
		_, pemText, _ := dpop.GenerateKey()
		ac.DPoP = true
		creds.DPoPKey = pemText
		putClient(t, e, ac, creds)
		_, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
		if oe := kindIs(t, err, KindRejected); oe.Code != "use_dpop_nonce" || !strings.Contains(oe.Reason, "nonce") {
			t.Errorf("error: %v", err)
		}
		if calls.Load() != 1 {
			t.Errorf("%d requests; without a nonce to send there is nothing to retry", calls.Load())
		}
		if _, err := e.Vault.Secret(vault.DefaultEnv, "svc"); !errors.Is(err, vault.ErrNotConfigured) {
			t.Errorf("a token set was stored: %v", err)
		}
	})
}

// nonceOf is the nonce claim of a proof.
func nonceOf(proof string) string {
	p, err := dpop.Verify(proof, dpop.Expect{Method: "POST", URL: "http://x/", MaxAge: time.Hour})
	if err != nil {
		var de *dpop.Error
		if errors.As(err, &de) {
			// Verify stops at htm/htu; read the claim directly.
			j, jerr := DecodeJWT(proof)
			if jerr == nil {
				n, _ := j.Claims["nonce"].(string)
				return n
			}
		}
		return ""
	}
	return p.Nonce
}

// client_secret_jwt (HS256 assertion, RFC 7523) end to end: the token is
// stored, works at the API, the assertion never reaches the transcript; a
// wrong secret is invalid_client; a secret too short for HS256 is refused
// before any request.
func TestClientSecretJWTFlow(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	info, secret, err := s.CreateClient(playground.ClientSpec{AuthMethod: playground.AuthMethodSecretJWT, Grants: []string{playground.GrantClientCredentials}})
	mustf(t, err, "registering")
	e := newEngine(t)
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer,
		ClientID: info.ClientID, AuthMethod: vault.AuthClientSecretJWT, Grant: vault.GrantClientCredentials, Scopes: []string{playground.ScopeAPIRead},
	}
	putClient(t, e, ac, &vault.ClientCredentials{ClientSecret: secret})
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: "svc", Transcript: tr}, FlowCallbacks{})
	mustf(t, err, "token")
	if callAPI(t, s, r.AccessToken) != 200 {
		t.Errorf("the token does not work")
	}
	if got := paramOf(tr, "token", "client_assertion_type"); len(got) != 1 || got[0] != JWTBearerAssertionType {
		t.Errorf("client_assertion_type: %v", got)
	}
	noLeakedSecret(t, "transcript", tr.Text(), secret, r.AccessToken)
	if strings.Contains(tr.Text(), "eyJ") {
		t.Errorf("a JWT (the assertion?) is in the transcript:\n%s", tr.Text())
	}
	wrong := ac
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: wrong, Credentials: vault.ClientCredentials{ClientSecret: strings.Repeat("x", 43)}}, FlowCallbacks{})
	if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: wrong, Credentials: vault.ClientCredentials{ClientSecret: "short"}}, FlowCallbacks{})
	kindIs(t, err, KindNotConfigured)
}

var (
	parOnce sync.Once
	parPG   *playground.Server
	parErr  error
)

// parPlayground requires PAR for everyone and keeps request_uris two seconds.
func parPlayground(t testing.TB) *playground.Server {
	t.Helper()
	parOnce.Do(func() {
		parPG, parErr = playground.Start(context.Background(), playground.Config{RequirePAR: true, PARLifetime: 2 * time.Second})
	})
	if parErr != nil {
		t.Fatalf("starting the playground: %v", parErr)
	}
	return parPG
}

// Pushed authorization requests (RFC 9126) with every client
// authentication method: the browser gets only client_id and request_uri;
// pushed because discovery requires it, or because the client opts in.
func TestPARSignIn(t *testing.T) {
	t.Parallel()
	code := []string{playground.GrantAuthorizationCode, playground.GrantRefreshToken}
	cases := []struct {
		name     string
		s        *playground.Server
		dc       func(s *playground.Server) playground.DemoClient
		optIn    bool
		jar      bool
		wantPush bool
	}{
		{"required by discovery, basic", parPlayground(t), func(s *playground.Server) playground.DemoClient {
			return registerSecretClient(t, s, playground.AuthMethodBasic, code)
		}, false, false, true},
		{"required by discovery, post", parPlayground(t), func(s *playground.Server) playground.DemoClient {
			return registerSecretClient(t, s, playground.AuthMethodPost, code)
		}, false, false, true},
		{"required by discovery, private_key_jwt", parPlayground(t), func(s *playground.Server) playground.DemoClient {
			return registerJWTClient(t, s, "ES256", code, true)
		}, false, false, true},
		{"required by discovery, public", parPlayground(t), func(s *playground.Server) playground.DemoClient {
			return demo(t, s, playground.ClientCLI)
		}, false, false, true},
		{"opt-in, client_secret_jwt", sharedPlayground(t), func(s *playground.Server) playground.DemoClient {
			info, secret, err := s.CreateClient(playground.ClientSpec{
				AuthMethod: playground.AuthMethodSecretJWT, Grants: code, LoopbackRedirect: true,
				Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead},
			})
			mustf(t, err, "registering")
			return playground.DemoClient{ClientID: info.ClientID, AuthMethod: info.AuthMethod, Secret: secret, LoopbackRedirect: true}
		}, true, false, true},
		{"request object, by value", sharedPlayground(t), func(s *playground.Server) playground.DemoClient {
			return registerJWTClient(t, s, "ES256", code, true)
		}, false, true, false},
		{"request object, pushed", parPlayground(t), func(s *playground.Server) playground.DemoClient {
			return registerJWTClient(t, s, "RS256", code, true)
		}, false, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dc := tc.dc(tc.s)
			e := newEngine(t)
			ac, creds := authClient("app", tc.s, dc, vault.GrantAuthorizationCode)
			if ac.AuthMethod == vault.AuthMethod(playground.AuthMethodSecretJWT) {
				creds = &vault.ClientCredentials{ClientSecret: dc.Secret}
			}
			ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
			ac.PAR, ac.RequestObject = tc.optIn, tc.jar
			putClient(t, e, ac, creds)
			var prompt AuthPrompt
			r, tr := signIn(t, e, "app", FlowCallbacks{AuthURL: func(p AuthPrompt) { prompt = p }})
			if callAPI(t, tc.s, r.AccessToken) != 200 || r.RefreshToken == "" {
				t.Fatalf("the token does not work")
			}
			u, _ := url.Parse(prompt.URL)
			q := u.Query()
			switch {
			case tc.wantPush:
				if len(q) != 2 || q.Get("client_id") != dc.ClientID || !strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
					t.Errorf("the browser URL carries %v, want client_id and request_uri only", q)
				}
				if tokenCalls(tr, "pushed authorization") != 1 {
					t.Errorf("no pushed authorization request:\n%s", tr.Text())
				}
			case tc.jar:
				if q.Get("request") == "" || q.Has("code_challenge") || q.Has("state") || q.Has("redirect_uri") {
					t.Errorf("the browser URL carries %v, want the request object with the parameters inside", q)
				}
			}
			noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, r.RefreshToken, secretOf(creds))
		})
	}
}

// A pushed request whose request_uri expired before the browser came back
// ends with invalid_request_uri (exit 7), nothing stored; a client that must
// sign its requests but does not is refused by the provider.
func TestPARExpiredAndJARRequired(t *testing.T) {
	t.Parallel()
	s := parPlayground(t)
	dc := registerSecretClient(t, s, playground.AuthMethodBasic, []string{playground.GrantAuthorizationCode})
	e := newEngine(t)
	ac, creds := authClient("app", s, dc, vault.GrantAuthorizationCode)
	ac.Scopes = []string{"openid", playground.ScopeAPIRead}
	putClient(t, e, ac, creds)
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	e.Opener = func(ctx context.Context, u string) error {
		go func() {
			time.Sleep(2500 * time.Millisecond) // longer than the request_uri lives
			_ = b.Open(context.WithoutCancel(ctx), u)
		}()
		return nil
	}
	_, err := e.Token(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
	if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_request_uri" {
		t.Errorf("expired request_uri: %v", err)
	}
	if _, err := e.Vault.Secret(vault.DefaultEnv, "app"); !errors.Is(err, vault.ErrNotConfigured) {
		t.Errorf("a token set was stored: %v", err)
	}

	s2 := sharedPlayground(t)
	priv, pub := keyPair(t, "ES256")
	info, _, err := s2.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodPrivateKeyJWT, PublicKey: pub, LoopbackRedirect: true,
		Grants: []string{playground.GrantAuthorizationCode}, RequireRequestObject: true, Scopes: []string{"openid", playground.ScopeAPIRead},
	})
	mustf(t, err, "registering")
	e2 := newEngine(t)
	ac2 := vault.AuthClient{
		Meta: vault.Meta{Name: "jar", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s2.Issuer, ClientID: info.ClientID,
		AuthMethod: vault.AuthPrivateKeyJWT, Grant: vault.GrantAuthorizationCode, Scopes: []string{"openid", playground.ScopeAPIRead}, KeyID: info.KeyID,
	}
	putClient(t, e2, ac2, &vault.ClientCredentials{PrivateKey: priv})
	opener, done, _ := browserOpener(playground.NewBrowser(playground.DemoUser, playground.DemoPassword))
	e2.Opener = opener
	_, err = e2.Token(ctxT(t), TokenRequest{Name: "jar"}, FlowCallbacks{})
	<-done
	if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_request" || !strings.Contains(oe.Description, "signed request object") {
		t.Errorf("unsigned request for a JAR client: %v", err)
	}
	// A client that signs with neither key kind cannot send request objects
	// (the vault refuses the setting; the engine refuses it too, as when
	// discovery requires signed requests).
	ac3 := ac
	ac3.Name, ac3.RequestObject = "nosign", true
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: ac3, Credentials: *creds}, FlowCallbacks{})
	kindIs(t, err, KindNotConfigured)
}

// Token exchange (RFC 8693): another client's token traded for one for the
// demo API, with an actor; a denied audience is invalid_target (exit 7).
func TestTokenExchangeGrant(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	info, secret, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodBasic, Grants: []string{playground.GrantTokenExchange},
		Scopes: []string{playground.ScopeAPIRead},
	})
	mustf(t, err, "registering")
	e := newEngine(t)
	subject := ccTokenFor(t, e, s, playground.ClientServiceBasic)
	actor := ccTokenFor(t, e, s, playground.ClientServicePost)
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "x", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer, ClientID: info.ClientID,
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantTokenExchange, Audience: s.APIURL,
	}
	f, err := e.newFlow(ctxT(t), ac, vault.ClientCredentials{ClientSecret: secret}, NewTranscript(), FlowCallbacks{})
	mustf(t, err, "flow")
	r, err := f.tokenExchange(ctxT(t), ExchangeInput{SubjectToken: subject, ActorToken: actor}, []string{playground.ScopeAPIRead})
	mustf(t, err, "exchange")
	if r.IssuedTokenType != TokenTypeAccessToken || r.Grant != "token_exchange" || callAPI(t, s, r.AccessToken) != 200 {
		t.Fatalf("exchanged: type %q grant %q", r.IssuedTokenType, r.Grant)
	}
	noLeakedSecret(t, "transcript", f.tr.Text(), subject, actor, r.AccessToken, secret)
	ac.Audience = "https://elsewhere.example"
	f, _ = e.newFlow(ctxT(t), ac, vault.ClientCredentials{ClientSecret: secret}, nil, FlowCallbacks{})
	_, err = f.tokenExchange(ctxT(t), ExchangeInput{SubjectToken: subject}, nil)
	if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_target" {
		t.Errorf("denied exchange: %v", err)
	}
	_, err = f.tokenExchange(ctxT(t), ExchangeInput{}, nil)
	kindIs(t, err, KindMissingInput)
}

// ccTokenFor fetches a client-credentials token of a demo client.
func ccTokenFor(t *testing.T, e *Engine, s *playground.Server, id string) string {
	t.Helper()
	ac, creds := authClient(id, s, demo(t, s, id), vault.GrantClientCredentials)
	ac.Scopes = []string{playground.ScopeAPIRead}
	r, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	mustf(t, err, "token of %s", id)
	return r.AccessToken
}

// A DPoP-bound token set is stored with its binding, reused from the vault,
// refreshed with its own key; a client whose key changed is refused the
// refresh before any request (S-44), and a bound token is never handed out
// for a bearer request.
func TestDPoPTokenSetLifecycle(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	info, _, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodNone, LoopbackRedirect: true,
		Grants: []string{playground.GrantAuthorizationCode, playground.GrantRefreshToken}, Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead},
	})
	mustf(t, err, "registering")
	key, pemText, _ := dpop.GenerateKey()
	e := newEngine(t)
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "app", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer, ClientID: info.ClientID,
		AuthMethod: vault.AuthNone, Grant: vault.GrantAuthorizationCode, Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead},
		DPoP: true, DPoPKeyID: key.Thumbprint(),
	}
	ac = putClient(t, e, ac, &vault.ClientCredentials{DPoPKey: pemText})
	var prompt AuthPrompt
	r, _ := signIn(t, e, "app", FlowCallbacks{AuthURL: func(p AuthPrompt) { prompt = p }})
	if r.DPoPJKT != key.Thumbprint() || !strings.EqualFold(r.TokenType, "DPoP") {
		t.Fatalf("token: type %q bound to %q", r.TokenType, r.DPoPJKT)
	}
	if u, _ := url.Parse(prompt.URL); u.Query().Get("dpop_jkt") != key.Thumbprint() {
		t.Errorf("the authorization request does not bind the code to the key: %v", u.Query())
	}
	v, _ := storedValue(t, e, "app")
	if v.DPoPJKT != key.Thumbprint() {
		t.Fatalf("stored binding %q", v.DPoPJKT)
	}
	cached, err := e.Token(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
	mustf(t, err, "cached")
	if !cached.FromCache || cached.DPoPJKT != key.Thumbprint() {
		t.Errorf("the DPoP token was not reused from the vault: %+v", cached.FromCache)
	}
	ra, err := e.RequestAuth(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
	mustf(t, err, "request auth")
	if ra.DPoP == nil || ra.DPoP.KeyID() != key.Thumbprint() {
		t.Fatalf("request auth without its prover")
	}
	proof, err := ra.DPoP.Proof("GET", s.APIURL+"/me")
	mustf(t, err, "proof")
	req, _ := http.NewRequest(http.MethodGet, s.APIURL+"/me", nil)
	req.Header.Set("Authorization", "DPoP "+ra.Token)
	req.Header.Set(dpop.HeaderName, proof)
	resp, err := testHTTP.Do(req)
	mustf(t, err, "API")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the API refused the prover's proof: %d", resp.StatusCode)
	}
	rr, err := e.Refresh(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
	mustf(t, err, "refresh with the bound key")
	if rr.DPoPJKT != key.Thumbprint() {
		t.Errorf("refreshed token bound to %q", rr.DPoPJKT)
	}
	// The client gets another key: the stored refresh token is not sent.
	other, otherPEM, _ := dpop.GenerateKey()
	ac.DPoPKeyID = other.Thumbprint()
	putClient(t, e, ac, &vault.ClientCredentials{DPoPKey: otherPEM})
	tr := NewTranscript()
	_, err = e.Refresh(ctxT(t), TokenRequest{Name: "app", Transcript: tr}, FlowCallbacks{})
	if oe := kindIs(t, err, KindNotConfigured); !strings.Contains(oe.Reason, "only refreshed with its own key") {
		t.Errorf("refresh with another key: %v", err)
	}
	if tokenCalls(tr, "refresh") != 0 {
		t.Errorf("a refresh request was sent with another key")
	}
	if _, err := e.RequestAuth(ctxT(t), TokenRequest{Name: "app", NoBrowser: true}, FlowCallbacks{}); err == nil {
		t.Errorf("request auth handed out a token bound to another key")
	}
}

// The token exchange grant through the vault: the subject token comes
// from another credential of the workspace (its own flow runs), or is given
// with the call (stdin); the actor is optional; a loop of exchanges is
// caught; the exchanged token is stored like any token set.
func TestTokenExchangeThroughTheVault(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	info, secret, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodBasic, Grants: []string{playground.GrantTokenExchange},
		Scopes: []string{playground.ScopeAPIRead},
	})
	mustf(t, err, "registering")
	e := newEngine(t)
	sub, subCreds := authClient("upstream", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
	sub.Scopes = []string{playground.ScopeAPIRead}
	putClient(t, e, sub, subCreds)
	act, actCreds := authClient("acting", s, demo(t, s, playground.ClientServicePost), vault.GrantClientCredentials)
	act.Scopes = []string{playground.ScopeAPIRead}
	putClient(t, e, act, actCreds)
	x := vault.AuthClient{
		Meta: vault.Meta{Name: "downstream", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer, ClientID: info.ClientID,
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantTokenExchange, Audience: s.APIURL, Scopes: []string{playground.ScopeAPIRead},
		Exchange: &vault.TokenExchange{Subject: "upstream", Actor: "acting"},
	}
	x = putClient(t, e, x, &vault.ClientCredentials{ClientSecret: secret})
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: "downstream", Transcript: tr}, FlowCallbacks{})
	mustf(t, err, "exchange\n%s", tr.Text())
	if r.Grant != "token_exchange" || r.IssuedTokenType != TokenTypeAccessToken || callAPI(t, s, r.AccessToken) != 200 {
		t.Fatalf("result: %+v", r.Grant)
	}
	j, _ := DecodeJWT(r.AccessToken)
	if act, _ := j.Claims["act"].(map[string]any); act["sub"] != playground.ClientServicePost || j.Subject != playground.ClientServiceBasic {
		t.Errorf("claims: sub %q act %v", j.Subject, j.Claims["act"])
	}
	if _, ok := storedValue(t, e, "upstream"); !ok {
		t.Errorf("the subject's own token set was not stored")
	}
	if v, _ := storedValue(t, e, "downstream"); v.IssuedTokenType != TokenTypeAccessToken {
		t.Errorf("stored issued type %q", v.IssuedTokenType)
	}
	// Given with the call.
	given := ccTokenFor(t, e, s, playground.ClientServicePost)
	x.Exchange = &vault.TokenExchange{}
	putClient(t, e, x, nil)
	r2, err := e.Token(ctxT(t), TokenRequest{Name: "downstream", Force: true, SubjectToken: given}, FlowCallbacks{})
	mustf(t, err, "exchange of a given token")
	if j, _ := DecodeJWT(r2.AccessToken); j.Subject != playground.ClientServicePost {
		t.Errorf("the given subject was not the one exchanged: %q", j.Subject)
	}
	_, err = e.Token(ctxT(t), TokenRequest{Name: "downstream", Force: true}, FlowCallbacks{})
	kindIs(t, err, KindMissingInput)
	// A loop: downstream exchanges loopback's token, which exchanges downstream's.
	loop := x
	loop.ID, loop.Name, loop.Exchange = "", "loopback", &vault.TokenExchange{Subject: "downstream"}
	putClient(t, e, loop, &vault.ClientCredentials{ClientSecret: secret})
	x.Exchange = &vault.TokenExchange{Subject: "loopback"}
	putClient(t, e, x, nil)
	_, err = e.Token(ctxT(t), TokenRequest{Name: "downstream", Force: true}, FlowCallbacks{})
	if oe := kindIs(t, err, KindNotConfigured); !strings.Contains(oe.Reason, "circle") {
		t.Errorf("loop: %v", err)
	}
}
