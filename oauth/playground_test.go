package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// callAPI sends the token to the demo API's /me and returns the status.
func callAPI(t testing.TB, s *playground.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.APIURL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatalf("calling the demo API: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// keyPair makes a private key PEM (PKCS#8) and its public key PEM.
func keyPair(t testing.TB, alg string) (priv, pub string) {
	t.Helper()
	var key any
	var err error
	if alg == "ES256" {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	mustf(t, err, "generating a key")
	der, err := x509.MarshalPKCS8PrivateKey(key)
	mustf(t, err, "encoding the key")
	pubDER, err := x509.MarshalPKIXPublicKey(pemkey.PublicKey(key))
	mustf(t, err, "encoding the public key")
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}

// registerJWTClient registers a private_key_jwt client with a fresh key.
func registerJWTClient(t testing.TB, s *playground.Server, alg string, grants []string, loopback bool) playground.DemoClient {
	t.Helper()
	priv, pub := keyPair(t, alg)
	info, _, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodPrivateKeyJWT, Grants: grants, PublicKey: pub,
		Scopes:           []string{"openid", "offline_access", playground.ScopeAPIRead, playground.ScopeAPIWrite},
		LoopbackRedirect: loopback,
	})
	mustf(t, err, "registering a %s client", alg)
	return playground.DemoClient{ClientID: info.ClientID, AuthMethod: info.AuthMethod, PrivateKeyPEM: priv, SigningAlgorithm: alg, KeyID: info.KeyID, LoopbackRedirect: loopback}
}

// registerSecretClient registers a client_secret_basic/post client.
func registerSecretClient(t testing.TB, s *playground.Server, method string, grants []string) playground.DemoClient {
	t.Helper()
	info, secret, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: method, Grants: grants, LoopbackRedirect: true,
		Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead, playground.ScopeAPIWrite},
	})
	mustf(t, err, "registering a %s client", method)
	return playground.DemoClient{ClientID: info.ClientID, AuthMethod: info.AuthMethod, Secret: secret, LoopbackRedirect: true}
}

// Client credentials with every client authentication method the provider
// speaks, end to end over loopback HTTP; private_key_jwt with ES256, RS256
// and PS256 (S-25). The token works at the demo API, is stored, and the
// second call is served from the vault.
func TestClientCredentialsEveryAuthMethod(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	cc := []string{playground.GrantClientCredentials}
	cases := []struct {
		name string
		dc   playground.DemoClient
	}{
		{"client_secret_basic", demo(t, s, playground.ClientServiceBasic)},
		{"client_secret_post", demo(t, s, playground.ClientServicePost)},
		{"private_key_jwt ES256", demo(t, s, playground.ClientServiceJWT)},
		{"private_key_jwt RS256", registerJWTClient(t, s, "RS256", cc, false)},
		{"private_key_jwt PS256", registerJWTClient(t, s, "PS256", cc, false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t)
			ac, creds := authClient("svc", s, tc.dc, vault.GrantClientCredentials)
			ac.Scopes = []string{playground.ScopeAPIRead}
			putClient(t, e, ac, creds)
			tr := NewTranscript()
			r, err := e.Token(ctxT(t), TokenRequest{Name: "svc", Transcript: tr}, FlowCallbacks{})
			mustf(t, err, "token")
			if r.FromCache || r.AccessToken == "" || !strings.EqualFold(r.TokenType, "bearer") {
				t.Fatalf("result: fromCache=%v token=%d bytes type=%q", r.FromCache, len(r.AccessToken), r.TokenType)
			}
			if got := strings.Join(r.GrantedScopes, " "); got != playground.ScopeAPIRead {
				t.Errorf("granted scopes = %q, want %q", got, playground.ScopeAPIRead)
			}
			if r.ExpiresIn <= 0 || r.Expiry.IsZero() {
				t.Errorf("no expiry: %v", r.ExpiresIn)
			}
			if code := callAPI(t, s, r.AccessToken); code != 200 {
				t.Fatalf("demo API answered %d to the token", code)
			}
			noLeakedSecret(t, "transcript", tr.Text(), secretOf(creds), r.AccessToken)
			again, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
			mustf(t, err, "second token")
			if !again.FromCache || again.AccessToken != r.AccessToken {
				t.Errorf("second call: fromCache=%v same=%v; want the stored token", again.FromCache, again.AccessToken == r.AccessToken)
			}
			sec, err := e.Vault.Secret(vault.DefaultEnv, "svc")
			mustf(t, err, "token secret")
			if sec.Type != vault.TypeOAuthToken || sec.AuthClient != "svc" || sec.TokenExpires == nil {
				t.Errorf("stored secret: %+v", sec)
			}
		})
	}
}

// Scope override per call: a scope the stored token lacks makes a
// new request with that scope.
func TestClientCredentialsScopeOverride(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	e := newEngine(t)
	ac, creds := authClient("svc", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
	ac.Scopes = []string{playground.ScopeAPIRead}
	putClient(t, e, ac, creds)
	r1, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
	mustf(t, err, "token")
	r2, err := e.Token(ctxT(t), TokenRequest{Name: "svc", Scopes: []string{"api:read api:write"}}, FlowCallbacks{})
	mustf(t, err, "token with override")
	if r2.FromCache || r2.AccessToken == r1.AccessToken {
		t.Fatalf("override served the stored token")
	}
	if got := strings.Join(r2.GrantedScopes, " "); got != "api:read api:write" {
		t.Errorf("granted = %q", got)
	}
	if len(r2.MissingScopes) != 0 {
		t.Errorf("missing = %v", r2.MissingScopes)
	}
}

// signIn runs an authorization code flow with the Browser helper.
func signIn(t *testing.T, e *Engine, name string, cb FlowCallbacks) (*Result, *Transcript) {
	t.Helper()
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	opener, done, opened := browserOpener(b)
	e.Opener = opener
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: name, Transcript: tr}, cb)
	if err != nil {
		select {
		case berr := <-done:
			t.Fatalf("token: %v (browser: %v)\n%s", err, berr, tr.Text())
		default:
			t.Fatalf("token: %v\n%s", err, tr.Text())
		}
	}
	if berr := <-done; berr != nil {
		t.Fatalf("browser: %v", berr)
	}
	if opened.Load() != 1 {
		t.Fatalf("browser opened %d times, want 1", opened.Load())
	}
	return r, tr
}

// paramOf returns the first value of name in a transcript step's params.
func paramOf(tr *Transcript, step, name string) []string {
	var out []string
	for _, x := range tr.Exchanges() {
		if x.Step != step {
			continue
		}
		for _, p := range x.Params {
			if p.Name == name {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

// Authorization code + PKCE with each client authentication method (public
// client, secret basic with a fixed registered redirect URI, secret post,
// private_key_jwt), the browser leg driven by the playground's Browser
// through the engine's opener. Checks S-02/S-04 (the bound loopback URI in
// both requests), S-07 (S256), then a refresh with rotation (S-20),
// introspection, revocation and JWT verification.
func TestAuthorizationCodeEveryAuthMethod(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	codeGrants := []string{playground.GrantAuthorizationCode, playground.GrantRefreshToken}
	cases := []struct {
		name  string
		dc    playground.DemoClient
		fixed bool
	}{
		{"none (public, PKCE)", demo(t, s, playground.ClientCLI), false},
		{"client_secret_basic, fixed redirect URI", demo(t, s, playground.ClientWeb), true},
		{"client_secret_post", registerSecretClient(t, s, playground.AuthMethodPost, codeGrants), false},
		{"private_key_jwt ES256", registerJWTClient(t, s, "ES256", codeGrants, true), false},
	}
	var fixedPort sync.Mutex // the web client's registered port can serve one flow at a time
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.fixed {
				fixedPort.Lock()
				defer fixedPort.Unlock()
			}
			e := newEngine(t)
			ac, creds := authClient("app", s, tc.dc, vault.GrantAuthorizationCode)
			ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
			ac.Prompt = "consent"
			putClient(t, e, ac, creds)
			var prompt AuthPrompt
			r, tr := signIn(t, e, "app", FlowCallbacks{AuthURL: func(p AuthPrompt) { prompt = p }})
			if r.AccessToken == "" || r.RefreshToken == "" || r.IDToken == "" {
				t.Fatalf("missing tokens: access=%v refresh=%v id=%v", r.AccessToken != "", r.RefreshToken != "", r.IDToken != "")
			}
			if prompt.QR == "" || !prompt.Listening || !strings.HasPrefix(prompt.URL, s.Endpoints().Authorization) {
				t.Errorf("auth prompt: listening=%v qr=%v url prefix ok=%v", prompt.Listening, prompt.QR != "", strings.HasPrefix(prompt.URL, s.Endpoints().Authorization))
			}
			au, _ := url.Parse(prompt.URL)
			q := au.Query()
			// S-07: PKCE S256, S-08: ≥128-bit state, consent: prompt.
			if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 22 || q.Get("prompt") != "consent" {
				t.Errorf("authorization request: method=%q challenge=%d state=%d prompt=%q", q.Get("code_challenge_method"), len(q.Get("code_challenge")), len(q.Get("state")), q.Get("prompt"))
			}
			// S-02, S-04: the bound port in both redirect_uris, identical strings.
			authRedirect := q.Get("redirect_uri")
			tokenRedirect := paramOf(tr, "token", "redirect_uri")
			if len(tokenRedirect) != 1 || tokenRedirect[0] != authRedirect {
				t.Fatalf("redirect_uri: authorization %q, token %v", authRedirect, tokenRedirect)
			}
			if tc.fixed {
				if authRedirect != playground.WebRedirectURI {
					t.Errorf("fixed redirect URI = %q, want %q", authRedirect, playground.WebRedirectURI)
				}
			} else if !strings.HasPrefix(authRedirect, "http://127.0.0.1:") || !strings.HasSuffix(authRedirect, "/callback") || strings.HasPrefix(authRedirect, "http://127.0.0.1:0/") {
				t.Errorf("loopback redirect URI = %q, want http://127.0.0.1:{bound port}/callback", authRedirect)
			}
			if code := callAPI(t, s, r.AccessToken); code != 200 {
				t.Fatalf("demo API answered %d", code)
			}
			if v := e.VerifyJWT(ctxT(t), r.IDToken, VerifyOptions{Issuer: s.Issuer}); v.Status != Verified {
				t.Errorf("ID token verification: %s (%s)", v.Status, v.Reason)
			}
			noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, r.RefreshToken, r.IDToken, secretOf(creds))

			// Refresh: the provider rotates the refresh token; the new one is stored (S-20).
			rr, err := e.Refresh(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
			mustf(t, err, "refresh")
			if !rr.Refreshed || rr.AccessToken == r.AccessToken || rr.RefreshToken == "" {
				t.Fatalf("refresh: refreshed=%v new access=%v", rr.Refreshed, rr.AccessToken != r.AccessToken)
			}
			sec, err := e.Vault.Secret(vault.DefaultEnv, "app")
			mustf(t, err, "secret")
			val, err := e.Vault.SecretValue(ctxT(t), sec)
			mustf(t, err, "value")
			if val.RefreshToken != rr.RefreshToken || val.AccessToken != rr.AccessToken {
				t.Errorf("stored token set is not the refreshed one")
			}
			in, err := e.Introspect(ctxT(t), TokenRequest{Name: "app"}, AccessToken)
			if tc.dc.AuthMethod == playground.AuthMethodNone {
				// Public clients cannot authenticate at the introspection endpoint.
				if err == nil {
					t.Errorf("introspection by a public client succeeded")
				}
			} else {
				mustf(t, err, "introspect")
				if !in.Active || in.ClientID != tc.dc.ClientID {
					t.Errorf("introspection: active=%v client=%q", in.Active, in.ClientID)
				}
			}
			mustf(t, e.Revoke(ctxT(t), TokenRequest{Name: "app"}), "revoke")
			if _, err := e.Vault.Secret(vault.DefaultEnv, "app"); !errors.Is(err, vault.ErrNotConfigured) {
				t.Errorf("token secret still there after revoke: %v", err)
			}
			if code := callAPI(t, s, rr.AccessToken); code != 401 {
				t.Errorf("demo API answered %d to a revoked token, want 401", code)
			}
		})
	}
}

// The device flow with a public and a confidential client: the code and
// the verification URI reach the callback (S-23), the engine waits at least
// the interval between polls (S-24), and the Browser approves meanwhile.
func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	cases := []struct {
		name string
		dc   playground.DemoClient
	}{
		{"none", demo(t, s, playground.ClientCLI)},
		{"client_secret_basic", registerSecretClient(t, s, playground.AuthMethodBasic, []string{playground.GrantDeviceCode, playground.GrantRefreshToken})},
		{"client_secret_post", registerSecretClient(t, s, playground.AuthMethodPost, []string{playground.GrantDeviceCode, playground.GrantRefreshToken})},
		{"private_key_jwt", registerJWTClient(t, s, "ES256", []string{playground.GrantDeviceCode, playground.GrantRefreshToken}, false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t)
			var mu sync.Mutex
			var waits []time.Duration
			e.Sleep = func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				// Waiting the full interval would slow the suite; the
				// requested waits are what S-24 is about.
				return (&Engine{}).sleep(ctx, min(d, 200*time.Millisecond))
			}
			ac, creds := authClient("dev", s, tc.dc, vault.GrantDeviceCode)
			ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
			putClient(t, e, ac, creds)
			approved := make(chan error, 1)
			var prompt DevicePrompt
			cb := FlowCallbacks{DeviceCode: func(p DevicePrompt) {
				prompt = p
				go func() {
					b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
					approved <- b.ApproveDevice(context.Background(), p.VerificationURI, p.UserCode)
				}()
			}}
			e.Opener = func(context.Context, string) error { return nil }
			r, err := e.Token(ctxT(t), TokenRequest{Name: "dev", NoBrowser: true}, cb)
			mustf(t, err, "device flow")
			mustf(t, <-approved, "approving the device")
			if r.AccessToken == "" || r.Grant != "device_code" {
				t.Fatalf("result: grant=%q token=%v", r.Grant, r.AccessToken != "")
			}
			su, _ := url.Parse(s.Issuer)
			if prompt.UserCode == "" || prompt.Host != su.Host || prompt.QR == "" || prompt.Expires.IsZero() {
				t.Errorf("device prompt: code=%v host=%q qr=%v", prompt.UserCode != "", prompt.Host, prompt.QR != "")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(waits) == 0 {
				t.Fatal("no poll waited")
			}
			for i, w := range waits {
				if w < time.Second {
					t.Errorf("wait %d was %s, less than the server's 1s interval (S-24)", i, w)
				}
			}
		})
	}
}

// Denied consent (S-09) and a denied device code end the flow as aborted
// (exit 4) and store nothing.
func TestDeniedConsent(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	t.Run("authorization code", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t)
		ac, creds := authClient("app", s, demo(t, s, playground.ClientCLI), vault.GrantAuthorizationCode)
		ac.Scopes = []string{"openid", playground.ScopeAPIRead}
		ac.Prompt = "consent"
		putClient(t, e, ac, creds)
		b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
		b.Deny = true
		opener, done, _ := browserOpener(b)
		e.Opener = opener
		_, err := e.Token(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
		oe := kindIs(t, err, KindAborted)
		if oe.Code != "access_denied" {
			t.Errorf("code = %q, want access_denied", oe.Code)
		}
		<-done
		if _, err := e.Vault.Secret(vault.DefaultEnv, "app"); !errors.Is(err, vault.ErrNotConfigured) {
			t.Errorf("a token secret was stored after a denied consent: %v", err)
		}
	})
	t.Run("device", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t)
		e.Sleep = func(ctx context.Context, d time.Duration) error { return (&Engine{}).sleep(ctx, 100*time.Millisecond) }
		ac, creds := authClient("dev", s, demo(t, s, playground.ClientCLI), vault.GrantDeviceCode)
		putClient(t, e, ac, creds)
		cb := FlowCallbacks{DeviceCode: func(p DevicePrompt) {
			go func() {
				b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
				b.Deny = true
				_ = b.ApproveDevice(context.Background(), p.VerificationURI, p.UserCode)
			}()
		}}
		_, err := e.Token(ctxT(t), TokenRequest{Name: "dev", NoBrowser: true}, cb)
		oe := kindIs(t, err, KindAborted)
		if oe.Code != "access_denied" {
			t.Errorf("code = %q, want access_denied", oe.Code)
		}
	})
}

// The password grant (S-12): refused unless the client opts in; with the
// opt-in the token is labelled deprecated. Credentials come from a linked
// SIMPLE secret or the Credentials callback.
func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	dc := demo(t, s, playground.ClientLegacyPassword)
	t.Run("not enabled (S-12)", func(t *testing.T) {
		t.Parallel()
		ac, creds := authClient("legacy", s, dc, vault.GrantPassword)
		ac.AllowDeprecated = false
		_, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds, Username: "demo", Password: "demo"}, FlowCallbacks{})
		kindIs(t, err, KindNotConfigured)
	})
	t.Run("linked SIMPLE secret", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t)
		ac, creds := authClient("legacy", s, dc, vault.GrantPassword)
		ac.Scopes = []string{playground.ScopeAPIRead}
		putClient(t, e, ac, creds)
		_, err := e.Vault.PutSecret(ctxT(t), vault.Secret{Meta: vault.Meta{Name: "owner", Env: vault.DefaultEnv}, Type: vault.TypeSimple, AuthClient: "legacy"},
			&vault.SecretValue{Username: playground.DemoUser, Passphrase: playground.DemoPassword})
		mustf(t, err, "owner secret")
		tr := NewTranscript()
		r, err := e.Token(ctxT(t), TokenRequest{Name: "legacy", Transcript: tr}, FlowCallbacks{})
		mustf(t, err, "password grant")
		if !r.Deprecated || r.Grant != "password" {
			t.Errorf("deprecated=%v grant=%q", r.Deprecated, r.Grant)
		}
		if !strings.Contains(tr.Text(), "deprecated") {
			t.Errorf("transcript does not say the grant is deprecated")
		}
		noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, secretOf(creds), "password="+playground.DemoPassword)
		if code := callAPI(t, s, r.AccessToken); code != 200 {
			t.Errorf("demo API answered %d", code)
		}
	})
	for _, m := range []struct {
		name string
		dc   playground.DemoClient
	}{
		// The playground's password grant takes secret clients only.
		{"client_secret_post", registerSecretClient(t, s, playground.AuthMethodPost, []string{playground.GrantPassword})},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			ac, creds := authClient("legacy", s, m.dc, vault.GrantPassword)
			ac.Scopes = []string{playground.ScopeAPIRead}
			r, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds, Username: playground.DemoUser, Password: playground.DemoPassword}, FlowCallbacks{})
			mustf(t, err, "password grant")
			if code := callAPI(t, s, r.AccessToken); code != 200 || !r.Deprecated {
				t.Errorf("demo API %d, deprecated=%v", code, r.Deprecated)
			}
		})
	}
	t.Run("callback", func(t *testing.T) {
		t.Parallel()
		ac, creds := authClient("legacy", s, dc, vault.GrantPassword)
		asked := 0
		cb := FlowCallbacks{Credentials: func(context.Context, string) (string, string, error) {
			asked++
			return playground.DemoUser, playground.DemoPassword, nil
		}}
		r, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, cb)
		mustf(t, err, "password grant")
		if asked != 1 || !r.Deprecated {
			t.Errorf("asked=%d deprecated=%v", asked, r.Deprecated)
		}
	})
	t.Run("wrong password is rejected (exit 7)", func(t *testing.T) {
		t.Parallel()
		ac, creds := authClient("legacy", s, dc, vault.GrantPassword)
		_, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds, Username: "demo", Password: "wrong"}, FlowCallbacks{})
		oe := kindIs(t, err, KindRejected)
		if oe.Code != "invalid_grant" {
			t.Errorf("code = %q", oe.Code)
		}
	})
}

// The implicit grant (S-12): deprecated, its token arrives in the fragment.
// The redirected URL is handed back through the paste fallback, and the
// loopback page that turns a fragment into a query is checked too.
func TestImplicitGrant(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	dc := demo(t, s, playground.ClientLegacyImplicit)
	e := newEngine(t)
	ac, _ := authClient("legacy", s, dc, vault.GrantImplicit)
	ac.Scopes = []string{"openid", playground.ScopeAPIRead}
	putClient(t, e, ac, nil)
	pasted := make(chan string, 1)
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	var pageErr error
	e.Opener = func(ctx context.Context, u string) error {
		go func() {
			target, err := b.Authorize(context.WithoutCancel(ctx), u)
			if err != nil {
				pageErr = err
				close(pasted)
				return
			}
			// The loopback page for the implicit grant carries only a script
			// that moves the fragment into a query on the same path (S-06).
			page := target.Scheme + "://" + target.Host + target.Path
			resp, err := testHTTP.Get(page)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "location.hash") ||
					!strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'sha256-") {
					pageErr = errors.New("the implicit landing page lacks its fragment script or CSP")
				}
			}
			pasted <- target.String()
		}()
		return nil
	}
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: "legacy", Transcript: tr}, FlowCallbacks{Pasted: pasted})
	if pageErr != nil {
		t.Fatal(pageErr)
	}
	mustf(t, err, "implicit grant")
	if !r.Deprecated || r.Grant != "implicit" || r.RefreshToken != "" {
		t.Errorf("deprecated=%v grant=%q refresh=%v", r.Deprecated, r.Grant, r.RefreshToken != "")
	}
	if code := callAPI(t, s, r.AccessToken); code != 200 {
		t.Errorf("demo API answered %d", code)
	}
	noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, r.IDToken)
}

// A token whose expiry is within the skew is refreshed by Token, and the
// refreshed token is what the vault then holds (S-22).
func TestExpiredTokenIsRefreshed(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	e := newEngine(t)
	ac, creds := authClient("short", s, demo(t, s, playground.ClientShort), vault.GrantAuthorizationCode)
	ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
	putClient(t, e, ac, creds)
	first, _ := signIn(t, e, "short", FlowCallbacks{})
	if first.ExpiresIn > 61*time.Second {
		t.Fatalf("short client token lives %s", first.ExpiresIn)
	}
	// 45 s later the 60 s token is inside the 30 s skew.
	e.Now = func() time.Time { return time.Now().Add(45 * time.Second) }
	r, err := e.Token(ctxT(t), TokenRequest{Name: "short"}, FlowCallbacks{})
	mustf(t, err, "token")
	if !r.Refreshed || r.AccessToken == first.AccessToken {
		t.Fatalf("refreshed=%v same token=%v", r.Refreshed, r.AccessToken == first.AccessToken)
	}
	// 10 s later the fresh token is still good.
	e.Now = func() time.Time { return time.Now().Add(10 * time.Second) }
	again, err := e.Token(ctxT(t), TokenRequest{Name: "short"}, FlowCallbacks{})
	mustf(t, err, "token again")
	if !again.FromCache || again.AccessToken != r.AccessToken {
		t.Errorf("fresh token was not served from the vault")
	}
}

// Discovery against the playground fills every endpoint; a JWT access token
// verifies against its JWKS, a tampered one fails, no JWKS says not verified.
func TestDiscoveryAndJWTVerification(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	e := newEngine(t)
	md, err := e.Discover(ctxT(t), s.Issuer)
	mustf(t, err, "discover")
	ep := s.Endpoints()
	if md.TokenEndpoint != ep.Token || md.AuthorizationEndpoint != ep.Authorization || md.DeviceAuthorizationEndpoint != ep.DeviceAuthorization ||
		md.JWKSURI != ep.JWKS || md.RevocationEndpoint != ep.Revocation || md.IntrospectionEndpoint != ep.Introspection {
		t.Errorf("discovered endpoints differ from the provider's: %+v", md)
	}
	if !md.AuthorizationResponseIssParameter {
		t.Errorf("the playground advertises RFC 9207 but discovery did not read it")
	}
	ac, creds := authClient("svc", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
	r, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	mustf(t, err, "fetch")
	if v := e.VerifyJWT(ctxT(t), r.AccessToken, VerifyOptions{Issuer: s.Issuer}); v.Status != Verified {
		t.Fatalf("verify: %s (%s)", v.Status, v.Reason)
	}
	parts := strings.Split(r.AccessToken, ".")
	sig := []byte(parts[2])
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	if v := e.VerifyJWT(ctxT(t), tampered, VerifyOptions{Issuer: s.Issuer}); v.Status != VerifyFailed {
		t.Errorf("tampered token: %s (%s), want failed", v.Status, v.Reason)
	}
	if v := e.VerifyJWT(ctxT(t), r.AccessToken, VerifyOptions{}); v.Status != NotVerified {
		t.Errorf("no JWKS: %s, want not verified", v.Status)
	}
	j, err := DecodeJWT(r.AccessToken)
	mustf(t, err, "decode")
	if j.Issuer != s.Issuer || j.Expiry == nil || len(j.Times(time.Now())) == 0 {
		t.Errorf("decoded: iss=%q exp=%v", j.Issuer, j.Expiry)
	}
}

func secretOf(c *vault.ClientCredentials) string {
	if c == nil {
		return ""
	}
	return c.ClientSecret
}

// apiCall sends the token to the demo API and returns the status and the
// WWW-Authenticate header.
func apiCall(t testing.TB, s *playground.Server, method, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.APIURL+path, strings.NewReader(`{"x":1}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatalf("calling the demo API: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// S-19 (engine side; the request console drives it): after a resource
// server's 401 invalid_token, one Refresh yields a token it accepts; after
// 403 insufficient_scope there is no refresh — a token for the scope the
// server names is requested instead, and the refresh token stays unused.
func TestResourceServerChallenges(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	t.Run("401 invalid_token: refresh once", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t)
		ac, creds := authClient("app", s, demo(t, s, playground.ClientShort), vault.GrantAuthorizationCode)
		ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
		putClient(t, e, ac, creds)
		first, _ := signIn(t, e, "app", FlowCallbacks{})
		// Revoke only the access token, as a server-side logout would.
		f, err := e.newFlow(ctxT(t), ac, *creds, nil, FlowCallbacks{})
		mustf(t, err, "flow")
		mustf(t, f.revoke(ctxT(t), first.AccessToken, string(AccessToken)), "revoke the access token")
		code, challenge := apiCall(t, s, http.MethodGet, "/me", first.AccessToken)
		if code != 401 || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Fatalf("revoked token: %d %q", code, challenge)
		}
		r, err := e.Refresh(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
		mustf(t, err, "refresh")
		if code, _ := apiCall(t, s, http.MethodGet, "/me", r.AccessToken); code != 200 {
			t.Errorf("after one refresh the API answers %d", code)
		}
	})
	t.Run("403 insufficient_scope: the scope asked for, no refresh", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t)
		ac, creds := authClient("svc", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
		ac.Scopes = []string{playground.ScopeAPIRead}
		putClient(t, e, ac, creds)
		r, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
		mustf(t, err, "token")
		code, challenge := apiCall(t, s, http.MethodPost, "/data", r.AccessToken)
		if code != 403 || !strings.Contains(challenge, `scope="api:write"`) {
			t.Fatalf("read-only token on POST /data: %d %q", code, challenge)
		}
		tr := NewTranscript()
		w, err := e.Token(ctxT(t), TokenRequest{Name: "svc", Scopes: []string{playground.ScopeAPIWrite}, Transcript: tr}, FlowCallbacks{})
		mustf(t, err, "token for api:write")
		if w.Refreshed || len(paramOf(tr, "refresh", "grant_type")) != 0 || strings.Join(w.GrantedScopes, " ") != playground.ScopeAPIWrite {
			t.Errorf("refreshed=%v granted=%v", w.Refreshed, w.GrantedScopes)
		}
		if code, _ := apiCall(t, s, http.MethodPost, "/data", w.AccessToken); code != 200 && code != 201 {
			t.Errorf("token with the asked-for scope: %d", code)
		}
	})
}
