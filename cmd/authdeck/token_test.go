package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

var (
	pgOnce sync.Once
	pgSrv  *playground.Server
	pgErr  error
)

// tokenPlayground is one playground for the command tests.
func tokenPlayground(t *testing.T) *playground.Server {
	t.Helper()
	pgOnce.Do(func() {
		pgSrv, pgErr = playground.Start(context.Background(), playground.Config{DevicePollInterval: time.Second})
	})
	if pgErr != nil {
		t.Fatalf("playground: %v", pgErr)
	}
	return pgSrv
}

// addDemoClient stores a playground demo client as auth client name.
func addDemoClient(t *testing.T, v *vault.Vault, s *playground.Server, name, id string, grant vault.Grant, scopes ...string) playground.DemoClient {
	t.Helper()
	dc, ok := s.Client(id)
	if !ok {
		t.Fatalf("no demo client %s", id)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer,
		ClientID: dc.ClientID, AuthMethod: vault.AuthMethod(dc.AuthMethod), Grant: grant, Scopes: scopes, RedirectURI: dc.RedirectURI,
	}
	if dc.LoopbackRedirect {
		ac.RedirectURI = ""
	}
	var creds *vault.ClientCredentials
	if dc.Secret != "" {
		creds = &vault.ClientCredentials{ClientSecret: dc.Secret}
	}
	if _, err := v.PutClient(context.Background(), ac, creds); err != nil {
		t.Fatalf("client %s: %v", name, err)
	}
	return dc
}

// apiStatus calls the demo API with a bearer token.
func apiStatus(t *testing.T, s *playground.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.APIURL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func realNow(h *harness) {
	h.v.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
}

// `authdeck token` prints the token alone on stdout in each format, serves
// it from the vault the second time, and keeps stderr quiet.
func TestTokenCommandFormats(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	dc := addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, "api:read")
	r := h.runWith(runOpts{env: map[string]string{}}, "", "token", "svc")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	tok := strings.TrimSuffix(r.out, "\n")
	if strings.Count(r.out, "\n") != 1 || tok == "" || r.err != "" {
		t.Fatalf("stdout is not one token line (%d lines), stderr %q", strings.Count(r.out, "\n"), r.err)
	}
	if code := apiStatus(t, s, tok); code != 200 {
		t.Fatalf("the printed token gets %d from the demo API", code)
	}
	hdr := h.must("", "token", "svc", "-f", "header")
	if hdr.out != "Authorization: Bearer "+tok+"\n" {
		t.Errorf("header format differs from the cached token")
	}
	js := h.must("", "token", "svc", "--format", "json")
	var j map[string]any
	if err := json.Unmarshal([]byte(js.out), &j); err != nil {
		t.Fatalf("json: %v", err)
	}
	if j["access_token"] != tok || j["from_cache"] != true || j["has_refresh_token"] != false || j["scope"] != "api:read" || j["expires_in"] == nil {
		t.Errorf("json: %v", j)
	}
	if _, ok := j["refresh_token"]; ok {
		t.Errorf("json carries refresh_token without --reveal")
	}
	noSecret(t, js, dc.Secret)
	h.expect(1, []string{`--format "xml" is not bare, header or json`}, "", "token", "svc", "-f", "xml")
}

// -v prints the transcript on stderr, secrets redacted; --scope overrides.
func TestTokenVerboseAndScope(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	dc := addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, "api:read")
	r := h.must("", "token", "svc", "-v", "--scope", "api:read", "--scope", "api:write", "-f", "json")
	var j struct {
		AccessToken   string   `json:"access_token"`
		GrantedScopes []string `json:"granted_scopes"`
	}
	if err := json.Unmarshal([]byte(r.out), &j); err != nil {
		t.Fatal(err)
	}
	if strings.Join(j.GrantedScopes, " ") != "api:read api:write" {
		t.Errorf("granted %v", j.GrantedScopes)
	}
	for _, want := range []string{"--- transcript (secrets redacted) ---", "→ POST " + s.Endpoints().Token, "Authorization: Basic [redacted]", "scope=api:read api:write", "access_token: [redacted]"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.err)
		}
	}
	noSecret(t, result{err: r.err}, dc.Secret, j.AccessToken)

	// A second -v is served from the vault: it says so instead of staying silent.
	again := h.must("", "token", "svc", "-v", "--scope", "api:read", "--scope", "api:write")
	if strings.TrimSuffix(again.out, "\n") != j.AccessToken {
		t.Errorf("the second call did not print the stored token")
	}
	if !regexp.MustCompile(`reused the stored token set \(expires in \d+m\d+s\); no request was made`).MatchString(again.err) || strings.Contains(again.err, "→ POST") {
		t.Errorf("-v on a stored token: stderr %q", again.err)
	}
}

// Failures: one line on stderr naming the problem and the next step, the
// exit code of its kind, nothing on stdout.
func TestTokenCommandFailures(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	mac := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"x","token_type":"mac"}`)
	}))
	t.Cleanup(mac.Close)
	h := newHarness(t)
	realNow(h)
	ctx := context.Background()
	addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, "api:read")
	dc, _ := s.Client(playground.ClientServiceBasic)
	bad := vault.AuthClient{
		Meta: vault.Meta{Name: "wrong-secret", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer,
		ClientID: dc.ClientID, AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
	}
	if _, err := h.v.PutClient(ctx, bad, &vault.ClientCredentials{ClientSecret: "not-the-secret"}); err != nil {
		t.Fatal(err)
	}
	down := vault.AuthClient{
		Meta: vault.Meta{Name: "down", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Endpoints: vault.Endpoints{Token: "http://127.0.0.1:1/token"},
		ClientID: "x", AuthMethod: vault.AuthClientSecretPost, Grant: vault.GrantClientCredentials,
	}
	if _, err := h.v.PutClient(ctx, down, &vault.ClientCredentials{ClientSecret: "s3cret-down"}); err != nil {
		t.Fatal(err)
	}
	macc := down
	macc.Name, macc.Endpoints.Token = "mac", mac.URL
	if _, err := h.v.PutClient(ctx, macc, &vault.ClientCredentials{ClientSecret: "s3cret-mac"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"token", "nope"}, 2, []string{`no auth client or secret "nope" in environment "default"`}},
		{[]string{"token", "svc", "--env", "prod"}, 2, []string{`no environment "prod"`}},
		{[]string{"token", "wrong-secret"}, 7, []string{"invalid_client", "client authentication failed", "check the client id"}},
		{[]string{"token", "down"}, 5, []string{"cannot reach 127.0.0.1:1"}},
		{[]string{"token", "mac"}, 6, []string{`"mac" token`, "only bearer tokens are supported"}},
		{[]string{"token", "introspect", "svc"}, 3, []string{`no token is stored for "svc" yet`}},
	}
	for _, tc := range cases {
		r := h.expect(tc.code, tc.want, "", tc.args...)
		if r.out != "" {
			t.Errorf("%v: stdout %q on failure", tc.args, r.out)
		}
		noSecret(t, r, "not-the-secret", "s3cret-down", "s3cret-mac")
	}
}

// pipeRun runs the CLI in the background with stdin as a terminal pipe and
// stderr readable while it runs.
type pipeRun struct {
	stdin  *io.PipeWriter
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	done   chan int
}

func (p *pipeRun) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

func (p *pipeRun) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitFor polls stderr for re (bounded).
func (p *pipeRun) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	for range 600 {
		if m := re.FindStringSubmatch(p.errText()); m != nil {
			return m
		}
		select {
		case code := <-p.done:
			t.Fatalf("exited %d before %s appeared:\n%s", code, re, p.errText())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s never appeared:\n%s", re, p.errText())
	return nil
}

func startCLI(h *harness, args ...string) *pipeRun {
	pr, pw := io.Pipe()
	p := &pipeRun{stdin: pw, done: make(chan int, 1)}
	a := &App{
		IO:        IOStreams{In: pr, Out: &p.stdout, Err: p, InFd: 0},
		Getenv:    func(k string) string { return h.env[k] },
		Now:       time.Now,
		OpenVault: func(*App) (*vault.Vault, error) { return h.v, nil },
	}
	go func() { p.done <- a.Run(args) }()
	return p
}

var authURLLine = regexp.MustCompile(`\n  (http://127\.0\.0\.1:\d+/authorize\?\S+)\n`)

// The browser sign-in from the CLI: the URL and a QR code on stderr, the
// redirected address pasted on the terminal (the remote-session fallback),
// the token alone on stdout, --reveal adding the refresh and ID tokens.
func TestTokenAuthorizationCodeWithPaste(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	addDemoClient(t, h.v, s, "app", playground.ClientCLI, vault.GrantAuthorizationCode, "openid", "offline_access", "api:read")
	p := startCLI(h, "token", "app", "--no-browser", "-f", "json", "--reveal")
	m := p.waitFor(t, authURLLine)
	if !strings.Contains(p.errText(), "▀") && !strings.Contains(p.errText(), "▄") {
		t.Errorf("no QR code on stderr")
	}
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	target, err := b.Authorize(context.Background(), m[1])
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	fmt.Fprintf(p.stdin, "not the address\n%s\n", target)
	code := <-p.done
	p.stdin.Close()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.errText())
	}
	if !strings.Contains(p.errText(), "paste the full address again") {
		t.Errorf("a wrong paste was not reported:\n%s", p.errText())
	}
	var j map[string]any
	if err := json.Unmarshal(p.stdout.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j["refresh_token"] == nil || j["id_token"] == nil || j["has_refresh_token"] != true || j["grant"] != "authorization_code" {
		t.Errorf("json with --reveal: %v", j)
	}
	tok, _ := j["access_token"].(string)
	noSecret(t, result{err: p.errText()}, tok, j["refresh_token"].(string))
	// The refresh and ID tokens stay out of the default JSON.
	plain := h.must("", "token", "app", "-f", "json")
	if strings.Contains(plain.out, `"refresh_token"`) || strings.Contains(plain.out, `"id_token"`) {
		t.Errorf("json without --reveal shows the refresh or ID token")
	}
}

var deviceLines = regexp.MustCompile(`To sign in, open (\S+)\nand enter the code:\n\n    (\S+)\n`)

// The device flow from the CLI: code and page on stderr, with the host to check (S-23).
func TestTokenDeviceFlow(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	addDemoClient(t, h.v, s, "tv", playground.ClientCLI, vault.GrantDeviceCode, "openid", "api:read")
	p := startCLI(h, "token", "tv", "--no-browser")
	m := p.waitFor(t, deviceLines)
	b := playground.NewBrowser(playground.DemoUser, playground.DemoPassword)
	if err := b.ApproveDevice(context.Background(), m[1], m[2]); err != nil {
		t.Fatalf("approve: %v", err)
	}
	code := <-p.done
	p.stdin.Close()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.errText())
	}
	host := strings.TrimPrefix(s.Issuer, "http://")
	if !strings.Contains(p.errText(), "Check that the page is on "+host) {
		t.Errorf("no domain warning:\n%s", p.errText())
	}
	if apiStatus(t, s, strings.TrimSpace(p.stdout.String())) != 200 {
		t.Errorf("device token refused by the demo API")
	}
}

// introspect and revoke: the provider's answer, then the tokens revoked and
// removed from the vault.
func TestTokenIntrospectAndRevoke(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, "api:read")
	tok := strings.TrimSpace(h.must("", "token", "svc").out)
	in := h.must("", "token", "introspect", "svc")
	for _, want := range []string{"active:", "yes", "scope:", "api:read", "client id:", playground.ClientServiceBasic, "expires:"} {
		if !strings.Contains(in.out, want) {
			t.Errorf("introspect output lacks %q:\n%s", want, in.out)
		}
	}
	js := h.must("", "token", "introspect", "svc", "-f", "json")
	var j map[string]any
	if err := json.Unmarshal([]byte(js.out), &j); err != nil || j["active"] != true {
		t.Errorf("introspect json: %v %v", j, err)
	}
	noSecret(t, in, tok)
	rv := h.must("", "token", "revoke", "svc", "-v")
	if !strings.Contains(rv.out, "Revoked the access token of svc.") || !strings.Contains(rv.out, "Deleted the token set from the vault.") || !strings.Contains(rv.err, "[revocation]") {
		t.Errorf("revoke output: %s / %s", rv.out, rv.err)
	}
	noSecret(t, rv, tok)
	if apiStatus(t, s, tok) != 401 {
		t.Errorf("the revoked token still works")
	}
	h.expect(3, []string{"no token is stored"}, "", "token", "revoke", "svc")
}
