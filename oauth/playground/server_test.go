package playground

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// S-05 (provider side): Close ends both servers, in-flight requests included,
// and leaves no goroutine behind. Not parallel, so that no other test's
// goroutines come and go meanwhile.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := Start(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	c := demoClient(t, s, ClientServiceBasic)
	cfg := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.Secret, TokenURL: s.Endpoints().Token}
	tok, err := cfg.Token(context.WithValue(context.Background(), oauth2.HTTPClient, client))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.APIURL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/me: %v", err)
	} else {
		resp.Body.Close()
	}
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		if resp, err := client.Get(s.APIURL + "/slow?ms=60000"); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond) // let the slow request reach its handler
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %s with a request in flight", d)
	}
	<-slowDone
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, u := range []string{s.Issuer, s.APIURL} {
		if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "http://"), time.Second); err == nil {
			conn.Close()
			t.Fatalf("%s still accepts connections", u)
		}
	}
	transport.CloseIdleConnections()
}

func TestContextCancelCloses(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.Issuer, "http://"), time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("provider still listening after the context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStartConfig(t *testing.T) {
	t.Parallel()
	bad := []Config{
		{Addr: "0.0.0.0:0"},
		{Addr: "localhost:0"},
		{APIAddr: "192.0.2.1:0"},
		{Addr: "127.0.0.1"},
		{DevicePollInterval: 1500 * time.Millisecond},
		{AccessTokenLifetime: 10 * time.Millisecond},
		{ShortAccessTokenLifetime: -time.Second},
		{ClientKeyAlgorithm: "HS256"},
	}
	for _, cfg := range bad {
		if s, err := Start(context.Background(), cfg); err == nil {
			s.Close()
			t.Errorf("Start(%+v) accepted a bad config", cfg)
		}
	}
	// Two playgrounds at once get different ports (S-03 for the provider side).
	a, err := Start(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Issuer == shared.Issuer || a.APIURL == shared.APIURL || a.Clients[0].Secret == shared.Clients[0].Secret {
		t.Fatal("two playgrounds share ports or secrets")
	}
}

func TestClientKeyRS256(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{ClientKeyAlgorithm: "RS256"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := demoClient(t, s, ClientServiceJWT)
	if c.SigningAlgorithm != string(jose.RS256) || !strings.Contains(c.PrivateKeyPEM, "BEGIN PRIVATE KEY") || !strings.Contains(c.PublicKeyPEM, "BEGIN PUBLIC KEY") {
		t.Fatalf("RS256 demo key: alg %q", c.SigningAlgorithm)
	}
	r := postForm(t, s.Endpoints().Token, assertionForm(clientAssertion(t, s, c), ""), "", "")
	if r.status != http.StatusOK {
		t.Fatalf("RS256 assertion: %d %v", r.status, r.body["error_description"])
	}
}

// With RFC 9207 off, neither the metadata nor the responses carry iss.
func TestIssParameterDisabled(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{DisableIssParameter: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, _, body := get(t, s.Endpoints().Discovery, nil)
	if strings.Contains(string(body), "authorization_response_iss_parameter_supported") {
		t.Fatal("iss parameter advertised while disabled")
	}
	cfg := userConfig(s, demoClient(t, s, ClientCLI), loopbackRedirect(45990), ScopeAPIRead)
	_, q := authorize(t, NewBrowser(DemoUser, DemoPassword), cfg, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	if q.Get("code") == "" || q.Has("iss") {
		t.Fatalf("code present %v, iss present %v", q.Get("code") != "", q.Has("iss"))
	}
}

func TestWithIss(t *testing.T) {
	t.Parallel()
	const iss = "http://127.0.0.1:9000"
	origin, _ := url.Parse(iss)
	enc := url.QueryEscape(iss)
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:5000/cb?code=abc&state=xyz", "http://127.0.0.1:5000/cb?code=abc&iss=" + enc + "&state=xyz"},
		{"http://127.0.0.1:5000/cb?error=access_denied&state=s", "http://127.0.0.1:5000/cb?error=access_denied&iss=" + enc + "&state=s"},
		{"http://127.0.0.1:5000/cb#access_token=t&state=s", "http://127.0.0.1:5000/cb#access_token=t&iss=" + enc + "&state=s"},
		{"http://127.0.0.1:5000/cb?code=abc&iss=other", "http://127.0.0.1:5000/cb?code=abc&iss=other"},
		{"http://127.0.0.1:5000/cb?page=2", "http://127.0.0.1:5000/cb?page=2"},
		{iss + "/consent?authRequestID=x&code=1", iss + "/consent?authRequestID=x&code=1"},
		{"/login?authRequestID=x", "/login?authRequestID=x"},
		{"http://127.0.0.1:5000/cb#section", "http://127.0.0.1:5000/cb#section"},
	}
	for _, tt := range tests {
		if got := withIss(tt.in, iss, origin); got != tt.want {
			t.Errorf("withIss(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeUserCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"BCDF-GHJK": "BCDFGHJK", "bcdf ghjk": "BCDFGHJK", " bcdf-ghjk\t": "BCDFGHJK", "": ""} {
		if got := normalizeUserCode(in); got != want {
			t.Errorf("normalizeUserCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// Summary is what `authdeck demo --serve` prints: every credential a
// newcomer needs. The test checks its content without printing it.
func TestSummary(t *testing.T) {
	t.Parallel()
	s := shared
	sum := s.Summary()
	want := []string{
		s.Issuer, s.APIURL, s.Endpoints().Discovery, s.Endpoints().DeviceVerification, s.APIKey, s.BasicUser, s.BasicPassword, s.AdminToken, "demo / demo", "BEGIN PRIVATE KEY", "[legacy, deprecated]", "{any port}",
		"DPoP proofs", "pushed authorization requests", "signed request objects", "a token of " + ClientServiceBasic + " for the demo API",
	}
	for _, c := range s.Clients {
		want = append(want, c.ClientID, c.Name)
		if c.Secret != "" {
			want = append(want, c.Secret)
		}
	}
	for _, w := range want {
		if !strings.Contains(sum, w) {
			t.Errorf("summary lacks an expected entry (%d chars)", len(w))
		}
	}
	if len(s.Clients) != 13 {
		t.Fatalf("%d demo clients, want 13", len(s.Clients))
	}
	for _, c := range s.Clients {
		switch c.AuthMethod {
		case AuthMethodBasic, AuthMethodPost, AuthMethodSecretJWT:
			if len(c.Secret) < 40 {
				t.Errorf("%s: weak or missing secret", c.ClientID)
			}
		default:
			if c.Secret != "" {
				t.Errorf("%s: secret for a %s client", c.ClientID, c.AuthMethod)
			}
		}
	}
}

func TestLoginPages(t *testing.T) {
	t.Parallel()
	s := shared
	for _, path := range []string{"/login?authRequestID=nope", "/consent?authRequestID=nope"} {
		status, hdr, body := get(t, s.Issuer+path, nil)
		if status != http.StatusBadRequest || hdr.Get("Cache-Control") != "no-store" || !strings.Contains(string(body), `id="result"`) {
			t.Fatalf("%s: %d", path, status)
		}
	}
	status, hdr, body := get(t, s.Endpoints().DeviceVerification, nil)
	if status != 200 || hdr.Get("X-Frame-Options") != "DENY" || !strings.Contains(string(body), `name="user_code"`) {
		t.Fatalf("device page: %d", status)
	}
	// Consent without the session's CSRF token is refused.
	resp, err := testHTTP.PostForm(s.Issuer+"/consent", url.Values{"authRequestID": {"x"}, "action": {"allow"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusForbidden {
		t.Fatalf("consent POST without session: %d", resp.StatusCode)
	}
}

func TestTokenResponsesAreNotCached(t *testing.T) {
	t.Parallel()
	s := shared
	c := demoClient(t, s, ClientServiceBasic)
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, s.Endpoints().Token, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.Secret)
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Fatalf("token response cache headers: %q %q", resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
}

// An ES256 provider: discovery, JWKS, tokens and the API all follow the key.
func TestSigningES256(t *testing.T) {
	t.Parallel()
	s, err := Start(context.Background(), Config{SigningAlgorithm: "ES256"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, _, body := get(t, s.Endpoints().Discovery, nil)
	if !strings.Contains(string(body), `"id_token_signing_alg_values_supported":["ES256"]`) {
		t.Fatal("discovery does not list ES256")
	}
	tok := ccToken(t, s, ClientServiceBasic, "")
	if accessClaims(t, s, tok)["client_id"] != ClientServiceBasic {
		t.Fatal("ES256 token claims")
	}
	if status, _, _ := get(t, s.APIURL+"/me", bearer(tok)); status != http.StatusOK {
		t.Fatalf("API rejects an ES256 token: %d", status)
	}
	if _, err := Start(context.Background(), Config{SigningAlgorithm: "HS256"}); err == nil {
		t.Fatal("HS256 accepted")
	}
}

// BenchmarkClientCredentials measures a client credentials token fetch round
// trip over loopback: x/oauth2 client, client_secret_basic, and a JWT access
// token signed with the provider's RS256 (default) or ES256 key.
func BenchmarkClientCredentials(b *testing.B) {
	es, err := Start(context.Background(), Config{SigningAlgorithm: "ES256"})
	if err != nil {
		b.Fatal(err)
	}
	defer es.Close()
	for _, s := range []*Server{shared, es} {
		name := "RS256"
		if s == es {
			name = "ES256"
		}
		b.Run(name, func(b *testing.B) {
			c, _ := s.Client(ClientServiceBasic)
			cfg := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.Secret, TokenURL: s.Endpoints().Token, AuthStyle: oauth2.AuthStyleInHeader}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, testHTTP)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cfg.Token(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
