package oauth

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// requestCounter counts an engine's requests by endpoint path.
type requestCounter struct {
	base http.RoundTripper
	mu   sync.Mutex
	by   map[string]int
}

func (c *requestCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.by[req.URL.Path]++
	c.mu.Unlock()
	return c.base.RoundTrip(req)
}

// take returns the counts so far ("path×n", sorted) and their total, and
// starts counting afresh.
func (c *requestCounter) take() (string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	total := 0
	for p, n := range c.by {
		parts = append(parts, fmt.Sprintf("%s×%d", p, n))
		total += n
	}
	sort.Strings(parts)
	c.by = map[string]int{}
	return strings.Join(parts, " "), total
}

// countingEngine is a fresh engine (no discovery, nonce or token cached)
// whose requests are counted.
func countingEngine(t *testing.T) (*Engine, *requestCounter) {
	t.Helper()
	c := &requestCounter{base: testTransport, by: map[string]int{}}
	e := newEngine(t)
	e.HTTPClient = &http.Client{Transport: c, Timeout: testHTTP.Timeout}
	return e, c
}

// The round trips each flow makes from a fresh process (its engine knows
// no discovery document, nonce or token), against the playground, and what
// DPoP, pushed and signed requests, client_secret_jwt and token exchange add
// to the plain flow: the README's figures. Browser and loopback traffic is
// not counted (it is the same in every code flow). Counts are exact: a flow
// that makes one more request than its protocol needs fails here.
func TestRoundTripsPerFlow(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	ps := parPlayground(t)
	disc := "/.well-known/openid-configuration"
	type row struct {
		flow       string
		run        func(t *testing.T, e *Engine)
		first, hot int    // requests from a fresh engine, then once it knows the server
		extra      string // what the first run adds to the plain flow
	}
	cc := func(name string, ac vault.AuthClient, creds vault.ClientCredentials) func(*testing.T, *Engine) {
		return func(t *testing.T, e *Engine) {
			if _, err := e.Vault.Client(vault.DefaultEnv, ac.Name); err != nil {
				putClient(t, e, ac, &creds)
			}
			_, err := e.Token(ctxT(t), TokenRequest{Name: ac.Name, Force: true}, FlowCallbacks{})
			mustf(t, err, "%s", name)
		}
	}
	basic, basicCreds := authClient("svc", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
	hsClient := demo(t, s, playground.ClientSecretJWT)
	hs, _ := authClient("svc", s, hsClient, vault.GrantClientCredentials)
	hsCreds := &vault.ClientCredentials{ClientSecret: hsClient.Secret}
	dp, dpCreds, _ := dpopClient(t, s)
	code := func(srv *playground.Server, dc playground.DemoClient, par, jar bool) func(*testing.T, *Engine) {
		return func(t *testing.T, e *Engine) {
			ac, creds := authClient("app", srv, dc, vault.GrantAuthorizationCode)
			ac.Scopes = []string{"openid", playground.ScopeAPIRead}
			ac.PAR, ac.RequestObject = par, jar
			if _, err := e.Vault.Client(vault.DefaultEnv, "app"); err == nil {
				// Sign in again: forget the token set of the first run.
				mustf(t, e.Vault.RemoveSecret(ctxT(t), vault.DefaultEnv, "app"), "forgetting the token set")
			} else {
				putClient(t, e, ac, creds)
			}
			signIn(t, e, "app", FlowCallbacks{})
		}
	}
	cli := demo(t, s, playground.ClientCLI)
	jwtClient := registerJWTClient(t, s, "ES256", []string{playground.GrantAuthorizationCode}, true)
	exchangeInfo, exchangeSecret, err := s.CreateClient(playground.ClientSpec{AuthMethod: playground.AuthMethodBasic, Grants: []string{playground.GrantTokenExchange}, Scopes: []string{playground.ScopeAPIRead}})
	mustf(t, err, "registering the exchange client")
	exchange := func(t *testing.T, e *Engine) {
		if _, err := e.Vault.Client(vault.DefaultEnv, "subject"); err != nil {
			sub, subCreds := authClient("subject", s, demo(t, s, playground.ClientServiceBasic), vault.GrantClientCredentials)
			sub.Scopes = []string{playground.ScopeAPIRead}
			putClient(t, e, sub, subCreds)
			putClient(t, e, vault.AuthClient{
				Meta: vault.Meta{Name: "gw", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer, ClientID: exchangeInfo.ClientID,
				AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantTokenExchange, Audience: s.APIURL, Scopes: []string{playground.ScopeAPIRead},
				Exchange: &vault.TokenExchange{Subject: "subject"},
			}, &vault.ClientCredentials{ClientSecret: exchangeSecret})
		}
		_, err := e.Token(ctxT(t), TokenRequest{Name: "gw", Force: true}, FlowCallbacks{})
		mustf(t, err, "exchange")
	}
	rows := []row{
		{"client credentials, client_secret_basic", cc("basic", basic, *basicCreds), 2, 1, "(the plain flow)"},
		{"client credentials, client_secret_jwt", cc("hs256", hs, *hsCreds), 2, 1, "none"},
		{"client credentials, DPoP", cc("dpop", dp, dpCreds), 3, 1, "1 (the token endpoint's nonce, once per process)"},
		{"authorization code + PKCE", code(s, cli, false, false), 2, 1, "(the plain flow)"},
		{"authorization code, PAR (opted in)", code(s, cli, true, false), 3, 2, "1 (the push)"},
		{"authorization code, PAR required by discovery", code(ps, demo(t, ps, playground.ClientCLI), false, false), 3, 2, "1 (the push)"},
		{"authorization code, signed request object, private_key_jwt", code(s, jwtClient, false, true), 2, 1, "none (the object rides in the URL)"},
		{"authorization code, signed request object, pushed", code(s, jwtClient, true, true), 3, 2, "1 (the push)"},
		{"token exchange, subject from another credential", exchange, 3, 1, "1 (the subject's token, while the vault has none)"},
	}
	var report strings.Builder
	for _, r := range rows {
		t.Run(r.flow, func(t *testing.T) {
			e, c := countingEngine(t)
			r.run(t, e)
			firstBy, first := c.take()
			r.run(t, e)
			hotBy, hot := c.take()
			if first != r.first || hot != r.hot {
				t.Errorf("%d requests from a fresh engine (%s), then %d (%s); want %d, then %d", first, firstBy, hot, hotBy, r.first, r.hot)
			}
			if !strings.Contains(firstBy, disc+"×1") || strings.Contains(hotBy, disc) {
				t.Errorf("discovery: fresh %s, then %s; want once per engine", firstBy, hotBy)
			}
			fmt.Fprintf(&report, "| %s | %d | %d | %s |\n", r.flow, first, hot, r.extra)
		})
	}
	t.Logf("round trips per flow (fresh process | server known | added):\n%s", report.String())
}

// The device flow of a DPoP client (RFC 9449 §5; S-44): every poll of the
// token endpoint carries a proof of the client's key, the token comes back
// bound to it and is refreshed with it; the demo API takes it only with a
// proof.
func TestDPoPDeviceFlow(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	e := newEngine(t)
	e.Sleep = func(ctx context.Context, d time.Duration) error {
		return (&Engine{}).sleep(ctx, min(d, 200*time.Millisecond))
	}
	key, pemText, err := dpop.GenerateKey()
	mustf(t, err, "key")
	ac, _ := authClient("dev", s, demo(t, s, playground.ClientCLI), vault.GrantDeviceCode)
	ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
	ac.DPoP, ac.DPoPKeyID = true, key.Thumbprint()
	putClient(t, e, ac, &vault.ClientCredentials{DPoPKey: pemText})
	approved := make(chan error, 1)
	cb := FlowCallbacks{DeviceCode: func(p DevicePrompt) {
		go func() {
			approved <- playground.NewBrowser(playground.DemoUser, playground.DemoPassword).ApproveDevice(context.Background(), p.VerificationURI, p.UserCode)
		}()
	}}
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: "dev", NoBrowser: true, Transcript: tr}, cb)
	mustf(t, err, "device flow\n%s", tr.Text())
	mustf(t, <-approved, "approving the device")
	if r.Grant != "device_code" || r.DPoPJKT != key.Thumbprint() || !strings.EqualFold(r.TokenType, "DPoP") || r.RefreshToken == "" {
		t.Fatalf("result: grant %q, type %q, bound to %q, refresh %v", r.Grant, r.TokenType, r.DPoPJKT, r.RefreshToken != "")
	}
	polls, proved := 0, 0
	for _, x := range tr.Exchanges() {
		if x.Method == "" || !strings.Contains(x.URL, "/oauth/token") {
			continue
		}
		polls++
		if strings.Contains(x.Note, "DPoP proof signed by key "+key.Thumbprint()) {
			proved++
		}
	}
	if polls == 0 || proved != polls {
		t.Errorf("%d of %d token endpoint requests carried a proof\n%s", proved, polls, tr.Text())
	}
	if callAPI(t, s, r.AccessToken) != http.StatusUnauthorized || callAPIWithProof(t, s, key, r.AccessToken) != http.StatusOK {
		t.Error("the demo API took the bound token without its proof, or refused it with one")
	}
	rr, err := e.Refresh(ctxT(t), TokenRequest{Name: "dev"}, FlowCallbacks{})
	mustf(t, err, "refresh")
	if rr.DPoPJKT != key.Thumbprint() || callAPIWithProof(t, s, key, rr.AccessToken) != http.StatusOK {
		t.Errorf("the refreshed token is bound to %q", rr.DPoPJKT)
	}
}
