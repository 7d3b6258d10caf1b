package oauth1provider_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/leakcheck"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

var testTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}

var testHTTP = &http.Client{
	Transport: testTransport, Timeout: 20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func TestMain(m *testing.M) {
	os.Exit(leakcheck.Check(m.Run(), testTransport))
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const (
	hmacKey    = "hmac-only"
	hmacSecret = "hmac-consumer-secret"
	rsaKey     = "rsa-only"
)

func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("../../oauth1/testdata/rsa2048.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := vault.ParsePrivateKey(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// start runs a provider with an HMAC-only and an RSA-only consumer.
func start(t *testing.T, cfg oauth1provider.Config) *oauth1provider.Server {
	t.Helper()
	cfg.Consumers = []oauth1provider.Consumer{
		{Key: hmacKey, Secret: hmacSecret},
		{Key: rsaKey, PublicKey: &testKey(t).PublicKey},
	}
	s, err := oauth1provider.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// send signs a request with s (which may be changed by mod) and returns
// status, the problem report and the body.
func send(t *testing.T, method, target string, s oauth1.Signer, body string) (int, string, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctxT(t), method, target, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s.ConsumerKey != "" {
		if err := s.Sign(req); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	problem := ""
	if p := oauth1.ParseProblem(resp.Header, b); p != nil {
		problem = p.Code
	}
	return resp.StatusCode, problem, string(b), resp.Header
}

// temp gets temporary credentials for the HMAC consumer.
func temp(t *testing.T, srv *oauth1provider.Server, callback string) *oauth1.Credentials {
	t.Helper()
	status, problem, body, _ := send(t, "POST", srv.RequestTokenURL, oauth1.Signer{
		ConsumerKey: hmacKey, ConsumerSecret: hmacSecret,
		Method: oauth1.HMACSHA1, Callback: callback,
	}, "")
	if status != http.StatusOK {
		t.Fatalf("request token: %d %s %s", status, problem, body)
	}
	c, err := oauth1.ParseCredentials([]byte(body))
	if err != nil || !c.CallbackConfirmed {
		t.Fatalf("request token answer %q: %v", body, err)
	}
	return c
}

func TestStartConfiguration(t *testing.T) {
	t.Parallel()
	k := &testKey(t).PublicKey
	for _, tc := range []struct {
		name string
		cfg  oauth1provider.Config
		want string
	}{
		{"all interfaces", oauth1provider.Config{Addr: "0.0.0.0:0"}, "not a loopback IP"},
		{"a public address", oauth1provider.Config{Addr: "192.0.2.1:0"}, "not a loopback IP"},
		{"a host name", oauth1provider.Config{Addr: "localhost:0"}, "not a loopback IP"},
		{"no port", oauth1provider.Config{Addr: "127.0.0.1"}, "listen address"},
		{"short lifetime", oauth1provider.Config{TempTokenLifetime: time.Millisecond}, "at least 1s"},
		{"consumer without key", oauth1provider.Config{Consumers: []oauth1provider.Consumer{{Secret: "s"}}}, "needs a key"},
		{"consumer without secret or key", oauth1provider.Config{Consumers: []oauth1provider.Consumer{{Key: "k"}}}, "needs a secret or an RSA public key"},
		{"duplicate consumer", oauth1provider.Config{Consumers: []oauth1provider.Consumer{{Key: "k", Secret: "s"}, {Key: "k", PublicKey: k}}}, "already registered"},
	} {
		s, err := oauth1provider.Start(context.Background(), tc.cfg)
		if err == nil {
			s.Close()
			t.Errorf("%s: started", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestDemoConsumer checks the default consumer: a secret and an RSA key
// pair whose private half the playground can store.
func TestDemoConsumer(t *testing.T) {
	t.Parallel()
	s, err := oauth1provider.Start(context.Background(), oauth1provider.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, ok := s.Consumer(oauth1provider.DemoConsumerKey)
	if !ok || c.Secret == "" || c.PublicKey == nil || len(s.Consumers()) != 1 {
		t.Fatalf("demo consumer %+v", c)
	}
	key, err := vault.ParsePrivateKey(c.PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !key.(*rsa.PrivateKey).PublicKey.Equal(c.PublicKey) {
		t.Error("the demo private key does not match the registered public key")
	}
	if err := s.AddConsumer(oauth1provider.Consumer{Key: "extra", Secret: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Consumer("extra"); !ok {
		t.Error("added consumer not found")
	}
}

// TestStopsWithContext checks that cancelling Start's context stops the server.
func TestStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := oauth1provider.Start(ctx, oauth1provider.Config{Consumers: []oauth1provider.Consumer{{Key: "k", Secret: "s"}}})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := c.Get(s.PhotosURL)
		if err != nil {
			break
		}
		resp.Body.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if resp, err := c.Get(s.PhotosURL); err == nil {
		resp.Body.Close()
		t.Error("the server still answers after its context ended")
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestProblemReports sends requests the provider must refuse and checks
// the status and oauth_problem of each.
func TestProblemReports(t *testing.T) {
	t.Parallel()
	srv := start(t, oauth1provider.Config{})
	hmac := oauth1.Signer{ConsumerKey: hmacKey, ConsumerSecret: hmacSecret, Method: oauth1.HMACSHA1, Callback: oauth1.OOB}
	with := func(mod func(*oauth1.Signer)) oauth1.Signer {
		s := hmac
		mod(&s)
		return s
	}
	tests := []struct {
		name        string
		method      string
		target      string
		signer      oauth1.Signer
		header      string
		wantStatus  int
		wantProblem string
	}{
		{"unsigned", "POST", srv.RequestTokenURL, oauth1.Signer{}, "", 400, "parameter_absent"},
		{"unknown consumer", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.ConsumerKey = "who" }), "", 401, "consumer_key_unknown"},
		{"wrong secret", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.ConsumerSecret = "nope" }), "", 401, "signature_invalid"},
		{"RSA for a consumer without a key", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) {
			s.Method, s.PrivateKey = oauth1.RSASHA1, testKey(t)
		}), "", 400, "signature_method_rejected"},
		{"HMAC for an RSA-only consumer", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.ConsumerKey = rsaKey }), "", 400, "signature_method_rejected"},
		{"RSA signed with another key", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) {
			s.ConsumerKey, s.Method, s.PrivateKey = rsaKey, oauth1.RSASHA256, otherKey(t)
		}), "", 401, "signature_invalid"},
		{"no callback", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.Callback = "" }), "", 400, "parameter_absent"},
		{"script callback", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.Callback = "javascript:alert(1)" }), "", 400, "parameter_rejected"},
		{"token on the first leg", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) { s.Token = "x" }), "", 400, "parameter_rejected"},
		{"stale timestamp", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) {
			s.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
		}), "", 401, "timestamp_refused"},
		{"future timestamp", "POST", srv.RequestTokenURL, with(func(s *oauth1.Signer) {
			s.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
		}), "", 401, "timestamp_refused"},
		{"version 2.0", "POST", srv.RequestTokenURL, oauth1.Signer{}, `OAuth oauth_consumer_key="hmac-only", oauth_signature_method="PLAINTEXT", oauth_version="2.0", oauth_callback="oob", oauth_signature="hmac-consumer-secret%26"`, 400, "version_rejected"},
		{"HMAC without timestamp and nonce", "POST", srv.RequestTokenURL, oauth1.Signer{}, `OAuth oauth_consumer_key="hmac-only", oauth_signature_method="HMAC-SHA1", oauth_callback="oob", oauth_signature="x"`, 400, "parameter_absent"},
		{"bad timestamp", "POST", srv.RequestTokenURL, oauth1.Signer{}, `OAuth oauth_consumer_key="hmac-only", oauth_signature_method="HMAC-SHA1", oauth_timestamp="soon", oauth_nonce="n", oauth_callback="oob", oauth_signature="x"`, 400, "parameter_rejected"},
		{"unknown method", "POST", srv.RequestTokenURL, oauth1.Signer{}, `OAuth oauth_consumer_key="hmac-only", oauth_signature_method="HMAC-MD5", oauth_callback="oob", oauth_signature="x"`, 400, "signature_method_rejected"},
		{"access token without token", "POST", srv.AccessTokenURL, with(func(s *oauth1.Signer) { s.Verifier = "v" }), "", 400, "parameter_absent"},
		{"access token with an unknown token", "POST", srv.AccessTokenURL, with(func(s *oauth1.Signer) { s.Token, s.Verifier = "unknown", "v" }), "", 401, "token_rejected"},
		{"photos without token", "GET", srv.PhotosURL, hmac, "", 401, "token_rejected"},
		{"photos with an unknown token", "GET", srv.PhotosURL, with(func(s *oauth1.Signer) { s.Token = "unknown" }), "", 401, "token_rejected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var status int
			var problem, body string
			var h http.Header
			if tc.header != "" {
				req, _ := http.NewRequestWithContext(ctxT(t), tc.method, tc.target, nil)
				req.Header.Set("Authorization", tc.header)
				resp, err := testHTTP.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				status, body, h = resp.StatusCode, string(b), resp.Header
				if p := oauth1.ParseProblem(resp.Header, b); p != nil {
					problem = p.Code
				}
			} else {
				status, problem, body, h = send(t, tc.method, tc.target, tc.signer, "")
			}
			if status != tc.wantStatus || problem != tc.wantProblem {
				t.Errorf("%d %q (%s); want %d %q", status, problem, body, tc.wantStatus, tc.wantProblem)
			}
			if !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="`+tc.wantProblem+`"`) {
				t.Errorf("WWW-Authenticate %q does not carry the problem", h.Get("WWW-Authenticate"))
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Error("problem report may be cached")
			}
		})
	}
}

// TestPlaintextMayOmitTimestamp checks §3.1: PLAINTEXT requests may leave
// out oauth_timestamp and oauth_nonce.
func TestPlaintextMayOmitTimestamp(t *testing.T) {
	t.Parallel()
	srv := start(t, oauth1provider.Config{})
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, srv.RequestTokenURL, nil)
	req.Header.Set("Authorization", `OAuth realm="Example", oauth_consumer_key="hmac-only", oauth_signature_method="PLAINTEXT", oauth_callback="oob", oauth_signature="hmac-consumer-secret%26"`)
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "oauth_callback_confirmed=true") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

// TestTemporaryCredentialsLifecycle walks the rules of §2: exchange only
// after approval, once, before expiry, with the right verifier.
func TestTemporaryCredentialsLifecycle(t *testing.T) {
	t.Parallel()
	clk := &clock{}
	srv := start(t, oauth1provider.Config{Now: clk.now, TempTokenLifetime: time.Minute})
	exchange := func(tmp *oauth1.Credentials, verifier string) (int, string) {
		status, problem, _, _ := send(t, "POST", srv.AccessTokenURL, oauth1.Signer{
			ConsumerKey: hmacKey, ConsumerSecret: hmacSecret,
			Method: oauth1.HMACSHA256, Token: tmp.Token, TokenSecret: tmp.Secret, Verifier: verifier,
		}, "")
		return status, problem
	}
	approveOOB := func(tmp *oauth1.Credentials) string {
		a, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctxT(t), srv.AuthorizeURL+"?oauth_token="+url.QueryEscape(tmp.Token))
		if err != nil {
			t.Fatal(err)
		}
		if a.Callback != nil || a.Verifier == "" {
			t.Fatalf("oob approval %+v", a)
		}
		return a.Verifier
	}

	tmp := temp(t, srv, oauth1.OOB)
	if status, problem := exchange(tmp, "guess"); status != 401 || problem != "permission_unknown" {
		t.Errorf("before approval: %d %s", status, problem)
	}
	v := approveOOB(tmp)
	if status, problem := exchange(tmp, v); status != 200 {
		t.Errorf("exchange: %d %s", status, problem)
	}
	if status, problem := exchange(tmp, v); status != 401 || problem != "token_used" {
		t.Errorf("second exchange: %d %s", status, problem)
	}

	tmp = temp(t, srv, oauth1.OOB)
	v = approveOOB(tmp)
	if status, problem := exchange(tmp, v+"x"); status != 401 || problem != "verifier_invalid" {
		t.Errorf("wrong verifier: %d %s", status, problem)
	}
	if status, problem := exchange(tmp, v); status != 401 || problem != "token_used" {
		t.Errorf("right verifier after a wrong one: %d %s (a wrong verifier must spend the credentials)", status, problem)
	}

	tmp = temp(t, srv, oauth1.OOB)
	v = approveOOB(tmp)
	clk.advance(2 * time.Minute)
	if status, problem := exchange(tmp, v); status != 401 || problem != "token_expired" {
		t.Errorf("after expiry: %d %s", status, problem)
	}
	tmp = temp(t, srv, oauth1.OOB)
	clk.advance(2 * time.Minute)
	if _, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctxT(t), srv.AuthorizeURL+"?oauth_token="+url.QueryEscape(tmp.Token)); !errors.Is(err, oauth1provider.ErrRefused) {
		t.Errorf("approving expired credentials: %v", err)
	}
}

// TestAuthorizePage checks the login page: the demo user only, a CSRF
// token bound to the request, same-origin posts, one answer per request,
// and headers that keep it out of frames and caches.
func TestAuthorizePage(t *testing.T) {
	t.Parallel()
	srv := start(t, oauth1provider.Config{})
	get := func(target string) (int, http.Header, string) {
		resp, err := testHTTP.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	post := func(form url.Values, origin string) (int, string, string) {
		req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPost, srv.AuthorizeURL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	if status, _, body := get(srv.AuthorizeURL + "?oauth_token=unknown"); status != 400 || !strings.Contains(body, `data-result="unknown"`) {
		t.Errorf("unknown request: %d", status)
	}
	tmp := temp(t, srv, "http://127.0.0.1:9/cb?keep=1")
	status, h, body := get(srv.AuthorizeURL + "?oauth_token=" + url.QueryEscape(tmp.Token))
	if status != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Cache-Control") != "no-store" {
		t.Errorf("page: %d %v", status, h)
	}
	i := strings.Index(body, `name="csrf" value="`)
	if i < 0 {
		t.Fatal("no CSRF field")
	}
	csrf := body[i+len(`name="csrf" value="`):]
	csrf = csrf[:strings.IndexByte(csrf, '"')]
	form := url.Values{"oauth_token": {tmp.Token}, "csrf": {csrf}, "username": {"demo"}, "password": {"demo"}, "action": {"approve"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range form {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	if status, _, _ := post(with("csrf", "forged"), ""); status != 403 {
		t.Errorf("forged CSRF token: %d", status)
	}
	if status, _, _ := post(form, "https://evil.example"); status != 403 {
		t.Errorf("cross-origin post: %d", status)
	}
	if status, _, body := post(with("password", "wrong"), srv.URL); status != 401 || !strings.Contains(body, "Wrong username or password") {
		t.Errorf("wrong password: %d", status)
	}
	status, loc, _ := post(form, srv.URL)
	if status != 302 {
		t.Fatalf("approve: %d", status)
	}
	cb, err := url.Parse(loc)
	if err != nil || cb.Host != "127.0.0.1:9" || cb.Query().Get("keep") != "1" || cb.Query().Get("oauth_token") != tmp.Token || cb.Query().Get("oauth_verifier") == "" {
		t.Errorf("redirect %s: want the callback with its own query, oauth_token and oauth_verifier", loc)
	}
	if status, _, _ := post(form, srv.URL); status != 400 {
		t.Errorf("second answer: %d", status)
	}
	// Deny: the redirect says so and the credentials are spent.
	tmp = temp(t, srv, "http://127.0.0.1:9/cb")
	br := oauth1provider.NewBrowser("demo", "demo")
	br.Deny = true
	a, err := br.Authorize(ctxT(t), srv.AuthorizeURL+"?oauth_token="+url.QueryEscape(tmp.Token))
	if err != nil {
		t.Fatal(err)
	}
	if a.Verifier != "" || a.Callback.Query().Get("denied") != tmp.Token {
		t.Errorf("deny: %+v", a)
	}
	if _, err := oauth1.ParseCallback(a.Callback.RawQuery, tmp.Token); oauth.KindOf(err) != oauth.KindAborted {
		t.Errorf("the client reads the denial as %v", err)
	}
}

// TestPhotosMethods checks the protected resource takes GET and POST only.
func TestPhotosMethods(t *testing.T) {
	t.Parallel()
	srv := start(t, oauth1provider.Config{})
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodPut, srv.PhotosURL, nil)
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// otherKey is an RSA key the provider has never seen.
func otherKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	otherOnce.Do(func() { otherRSA, otherErr = rsa.GenerateKey(rand.Reader, 2048) })
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	return otherRSA
}

var (
	otherOnce sync.Once
	otherRSA  *rsa.PrivateKey
	otherErr  error
)
