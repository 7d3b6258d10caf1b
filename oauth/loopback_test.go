package oauth

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/authdeck/authdeck/vault"
)

// fakeAS is a minimal authorization server for browser-leg tests: the test
// plays the browser, so /authorize is never visited. /token checks PKCE
// against the challenge of the last authorization URL.
type fakeAS struct {
	*httptest.Server
	tokenHits atomic.Int32
	mu        sync.Mutex
	challenge string
	issParam  bool
}

func newFakeAS(t testing.TB, issParam bool) *fakeAS {
	as := &fakeAS{issParam: issParam}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		jsonReply(200, fmt.Sprintf(`{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"authorization_response_iss_parameter_supported":%v}`,
			as.URL, as.URL+"/authorize", as.URL+"/token", as.issParam))(w, r)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		as.tokenHits.Add(1)
		_ = r.ParseForm()
		as.mu.Lock()
		ch := as.challenge
		as.mu.Unlock()
		if r.PostForm.Get("code") != "good-code" || oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) != ch {
			jsonReply(400, `{"error":"invalid_grant"}`)(w, r)
			return
		}
		jsonReply(200, `{"access_token":"loopback-token","token_type":"Bearer","expires_in":300}`)(w, r)
	})
	as.Server = httptest.NewServer(mux)
	t.Cleanup(as.Close)
	return as
}

// codeClient is a public authorization-code client of as.
func codeClient(as *fakeAS, withIssuer bool) vault.AuthClient {
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "app", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		ClientID: "app-id", AuthMethod: vault.AuthNone, Grant: vault.GrantAuthorizationCode,
		Endpoints: vault.Endpoints{Authorization: as.URL + "/authorize", Token: as.URL + "/token"},
	}
	if withIssuer {
		ac.Issuer, ac.Endpoints = as.URL, vault.Endpoints{}
	}
	return ac
}

// capturingOpener hands authorization URLs to the test, which plays the browser.
func capturingOpener(as *fakeAS) (Opener, <-chan *url.URL) {
	ch := make(chan *url.URL, 2)
	return func(_ context.Context, u string) error {
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		as.mu.Lock()
		as.challenge = pu.Query().Get("code_challenge")
		as.mu.Unlock()
		ch <- pu
		return nil
	}, ch
}

// redirectTo builds the browser's GET to the redirect URI.
func redirectTo(auth *url.URL, params url.Values) string {
	return auth.Query().Get("redirect_uri") + "?" + params.Encode()
}

func get(t testing.TB, u string) (*http.Response, string) {
	t.Helper()
	resp, err := testHTTP.Get(u)
	if err != nil {
		t.Fatalf("GET redirect: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// flowResult runs Fetch in the background.
func startFlow(t testing.TB, e *Engine, ac vault.AuthClient, cb FlowCallbacks) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Scopes: []string{"api"}}, cb)
		done <- err
	}()
	return done
}

var loopbackURI = regexp.MustCompile(`^http://127\.0\.0\.1:([1-9][0-9]*)/callback$`)

// S-02, S-03: the default redirect URI is http://127.0.0.1:{OS port}/callback
// on a loopback-only listener; two flows get different ports; a registered
// loopback URI keeps its port and path, a portless one gets the bound port.
func TestLoopbackRedirectURI(t *testing.T) {
	t.Parallel()
	a, err := listenLoopback("", false)
	mustf(t, err, "listen")
	defer a.Close()
	b, err := listenLoopback("", false)
	mustf(t, err, "listen")
	defer b.Close()
	ma, mb := loopbackURI.FindStringSubmatch(a.URL), loopbackURI.FindStringSubmatch(b.URL)
	if ma == nil || mb == nil {
		t.Fatalf("redirect URIs %q, %q", a.URL, b.URL)
	}
	if ma[1] == mb[1] {
		t.Errorf("two flows share port %s", ma[1])
	}
	if _, err := net.Dial("tcp", "127.0.0.1:"+ma[1]); err != nil {
		t.Errorf("not listening on 127.0.0.1:%s: %v", ma[1], err)
	}
	if addrs, _ := net.InterfaceAddrs(); len(addrs) > 0 {
		for _, ad := range addrs {
			ip, _, _ := net.ParseCIDR(ad.String())
			if ip == nil || ip.IsLoopback() || ip.To4() == nil {
				continue
			}
			if c, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), ma[1]), 200*time.Millisecond); err == nil {
				c.Close()
				t.Errorf("listener reachable on non-loopback address %s (S-03)", ip)
			}
		}
	}
	portless, err := listenLoopback("http://127.0.0.1/callback", false)
	mustf(t, err, "portless")
	defer portless.Close()
	if loopbackURI.FindStringSubmatch(portless.URL) == nil {
		t.Errorf("portless registered URI became %q", portless.URL)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	fixed, err := listenLoopback(fmt.Sprintf("http://127.0.0.1:%d/oauth/cb", port), false)
	mustf(t, err, "fixed")
	defer fixed.Close()
	if fixed.URL != fmt.Sprintf("http://127.0.0.1:%d/oauth/cb", port) {
		t.Errorf("fixed redirect = %q", fixed.URL)
	}
	remote, err := listenLoopback("https://app.example.com/cb", false)
	if err != nil || remote != nil {
		t.Errorf("a non-loopback registered URI must mean paste-only, got %v, %v", remote, err)
	}
}

// S-06: the callback answers only GET on the exact path; its page has no
// code, token or state, is not cached, sends no referrer and never
// redirects to a URL from the query.
func TestCallbackPage(t *testing.T) {
	t.Parallel()
	l, err := listenLoopback("", false)
	mustf(t, err, "listen")
	defer l.Close()
	resp, err := testHTTP.Post(l.URL+"?code=c&state=s", "text/plain", nil)
	mustf(t, err, "POST")
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Errorf("POST: %d allow=%q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	other, _ := get(t, strings.TrimSuffix(l.URL, "/callback")+"/callback/x?code=c&state=s")
	if other.StatusCode != http.StatusNotFound {
		t.Errorf("other path: %d", other.StatusCode)
	}
	go func() {
		m := <-l.C
		m.Reply(nil)
	}()
	const code, state = "CODE-abcdef123456", "STATE-abcdef123456"
	resp, body := get(t, l.URL+"?"+url.Values{"code": {code}, "state": {state}, "redirect": {"https://evil.example/"}, "next": {"//evil.example"}}.Encode())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("callback: %d", resp.StatusCode)
	}
	for _, bad := range []string{code, state, "evil.example"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	h := resp.Header
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Location") != "" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("headers: %v", h)
	}
	if strings.Contains(strings.ToLower(body), "http-equiv") || strings.Contains(body, "<script") {
		t.Errorf("the page could redirect: %s", body)
	}
}

// S-08: a redirect with a missing or different state is rejected before any
// token request; a verified response cannot be replayed. The PKCE verifier
// reaches the token endpoint and matches the S256 challenge (S-07).
func TestStateIsCheckedAndSingleUse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		params func(state string) url.Values
	}{
		{"different state", func(string) url.Values { return url.Values{"code": {"good-code"}, "state": {"forged-state-value-123"}} }},
		{"missing state", func(string) url.Values { return url.Values{"code": {"good-code"}} }},
		{"state twice", func(s string) url.Values { return url.Values{"code": {"good-code"}, "state": {s, "x"}} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := newFakeAS(t, false)
			e := newEngine(t)
			e.CallbackTimeout = 2 * time.Second
			opener, urls := capturingOpener(as)
			e.Opener = opener
			done := startFlow(t, e, codeClient(as, false), FlowCallbacks{})
			au := <-urls
			resp, body := get(t, redirectTo(au, tc.params(au.Query().Get("state"))))
			if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "good-code") {
				t.Errorf("browser page: %d", resp.StatusCode)
			}
			if n := as.tokenHits.Load(); n != 0 {
				t.Errorf("%d token requests after a bad state", n)
			}
			// The refused redirect did not end the sign-in: it times out
			// waiting for the real one, and says what it refused.
			oe := kindIs(t, <-done, KindAborted)
			if !strings.Contains(oe.Reason, "timed out") || !strings.Contains(oe.Reason, "S-08") {
				t.Errorf("reason %q", oe.Reason)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		t.Parallel()
		as := newFakeAS(t, false)
		e := newEngine(t)
		opener, urls := capturingOpener(as)
		e.Opener = opener
		done := startFlow(t, e, codeClient(as, false), FlowCallbacks{})
		au := <-urls
		good := redirectTo(au, url.Values{"code": {"good-code"}, "state": {au.Query().Get("state")}})
		resp, _ := get(t, good)
		mustf(t, <-done, "flow")
		if resp.StatusCode != http.StatusOK || as.tokenHits.Load() != 1 {
			t.Fatalf("first callback: %d, %d token requests", resp.StatusCode, as.tokenHits.Load())
		}
		// The listener is gone (S-05), so a replay cannot even connect...
		if r, err := testHTTP.Get(good); err == nil {
			r.Body.Close()
			t.Errorf("the listener still answers after the flow")
		}
		// ...and the check itself refuses a second use of the same response.
		c := &authCheck{state: "s1"}
		q := url.Values{"code": {"c"}, "state": {"s1"}}
		if _, err := c.verify(q); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := c.verify(q); err == nil || !strings.Contains(err.Error(), "replay") {
			t.Errorf("replay: %v", err)
		}
	})
}

// S-09: an error redirect ends the flow with the sanitised description.
func TestCallbackErrorIsShownSanitised(t *testing.T) {
	t.Parallel()
	as := newFakeAS(t, false)
	e := newEngine(t)
	opener, urls := capturingOpener(as)
	e.Opener = opener
	done := startFlow(t, e, codeClient(as, false), FlowCallbacks{})
	au := <-urls
	get(t, redirectTo(au, url.Values{"error": {"access_denied"}, "error_description": {"User said \"no\" \x1b[2J<script>"}, "state": {au.Query().Get("state")}}))
	oe := kindIs(t, <-done, KindAborted)
	if oe.Code != "access_denied" || oe.Description != "User said 'no' ?[2J<script>" {
		t.Errorf("code %q description %q", oe.Code, oe.Description)
	}
}

// S-10: when the provider advertises RFC 9207, a redirect without iss or
// with another issuer is rejected; the right iss passes.
func TestIssuerParameterMixUpDefence(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		iss     func(as *fakeAS) []string
		advert  bool
		wantErr bool
	}{
		{"advertised, missing", func(*fakeAS) []string { return nil }, true, true},
		{"advertised, other issuer", func(*fakeAS) []string { return []string{"https://attacker.example"} }, true, true},
		{"advertised, right issuer", func(as *fakeAS) []string { return []string{as.URL} }, true, false},
		{"not advertised, other issuer", func(*fakeAS) []string { return []string{"https://attacker.example"} }, false, true},
		{"not advertised, absent", func(*fakeAS) []string { return nil }, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := newFakeAS(t, tc.advert)
			e := newEngine(t)
			opener, urls := capturingOpener(as)
			e.Opener = opener
			done := startFlow(t, e, codeClient(as, true), FlowCallbacks{})
			au := <-urls
			p := url.Values{"code": {"good-code"}, "state": {au.Query().Get("state")}}
			if iss := tc.iss(as); iss != nil {
				p["iss"] = iss
			}
			get(t, redirectTo(au, p))
			err := <-done
			if !tc.wantErr {
				mustf(t, err, "flow")
				return
			}
			oe := kindIs(t, err, KindAborted)
			if !strings.Contains(oe.Reason, "S-10") || as.tokenHits.Load() != 0 {
				t.Errorf("reason %q, %d token requests", oe.Reason, as.tokenHits.Load())
			}
		})
	}
}

// S-05: the listener closes after one callback, on cancel, and on timeout,
// and leaves no goroutine behind. Not parallel: it counts goroutines.
func TestListenerClosesWithoutLeaks(t *testing.T) {
	as := newFakeAS(t, false)
	cases := []struct {
		name string
		run  func(t *testing.T, e *Engine, urls <-chan *url.URL, cancel context.CancelFunc, done <-chan error)
		kind Kind
	}{
		{"after the callback", func(t *testing.T, _ *Engine, urls <-chan *url.URL, _ context.CancelFunc, _ <-chan error) {
			au := <-urls
			get(t, redirectTo(au, url.Values{"code": {"good-code"}, "state": {au.Query().Get("state")}}))
		}, -1},
		{"on cancel", func(t *testing.T, _ *Engine, urls <-chan *url.URL, cancel context.CancelFunc, _ <-chan error) {
			<-urls
			cancel()
		}, KindAborted},
		{"on timeout", func(t *testing.T, _ *Engine, urls <-chan *url.URL, _ context.CancelFunc, _ <-chan error) {
			<-urls
		}, KindAborted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			transport := &http.Transport{}
			e := &Engine{HTTPClient: &http.Client{Transport: transport}, CallbackTimeout: 300 * time.Millisecond}
			opener, urls := capturingOpener(as)
			e.Opener = opener
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var redirect string
			cb := FlowCallbacks{AuthURL: func(p AuthPrompt) { redirect = p.RedirectURI }}
			done := make(chan error, 1)
			go func() {
				_, err := e.Fetch(ctx, FetchRequest{Client: codeClient(as, false)}, cb)
				done <- err
			}()
			tc.run(t, e, urls, cancel, done)
			err := <-done
			if tc.kind >= 0 {
				oe := kindIs(t, err, tc.kind)
				if tc.name == "on timeout" && !strings.Contains(oe.Reason, "timed out") {
					t.Errorf("reason %q", oe.Reason)
				}
			} else {
				mustf(t, err, "flow")
			}
			u, _ := url.Parse(redirect)
			if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
				c.Close()
				t.Errorf("the listener on %s is still open", u.Host)
			}
			transport.CloseIdleConnections()
			testTransport.CloseIdleConnections()
			goleak.VerifyNone(t, before)
		})
	}
}

// The paste fallback: with a registered non-loopback redirect URI there is
// no listener, the prompt says so, a pasted text that does not parse is
// reported and the wait goes on, and the right URL finishes the flow.
func TestPastedRedirect(t *testing.T) {
	t.Parallel()
	as := newFakeAS(t, false)
	e := newEngine(t)
	opener, urls := capturingOpener(as)
	e.Opener = opener
	ac := codeClient(as, false)
	ac.RedirectURI = "https://app.example.com/oauth/callback"
	pasted := make(chan string, 3)
	var mu sync.Mutex
	var rejected []error
	var prompt AuthPrompt
	cb := FlowCallbacks{
		Pasted:        pasted,
		PasteRejected: func(err error) { mu.Lock(); rejected = append(rejected, err); mu.Unlock() },
		AuthURL:       func(p AuthPrompt) { prompt = p },
	}
	done := startFlow(t, e, ac, cb)
	au := <-urls
	pasted <- "not a url at all"
	pasted <- "https://other.example.com/oauth/callback?code=good-code&state=" + au.Query().Get("state")
	pasted <- "  " + ac.RedirectURI + "?code=good-code&state=" + au.Query().Get("state") + "\n"
	mustf(t, <-done, "flow")
	mu.Lock()
	defer mu.Unlock()
	if len(rejected) != 2 {
		t.Errorf("%d pastes rejected, want 2: %v", len(rejected), rejected)
	}
	if prompt.Listening || prompt.RedirectURI != ac.RedirectURI || au.Query().Get("redirect_uri") != ac.RedirectURI {
		t.Errorf("prompt listening=%v redirect=%q", prompt.Listening, prompt.RedirectURI)
	}
	// Without a listener and without a paste channel, the flow cannot work.
	_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac}, FlowCallbacks{})
	kindIs(t, err, KindNotConfigured)
}

// ParseRedirectURL is strict about what it accepts.
func TestParseRedirectURL(t *testing.T) {
	t.Parallel()
	const redirect = "http://127.0.0.1:5000/callback"
	cases := []struct {
		in       string
		implicit bool
		wantErr  string
	}{
		{redirect + "?code=abc&state=xyz", false, ""},
		{"  " + redirect + "?code=abc&state=xyz\r\n", false, ""},
		{redirect + "?error=access_denied&state=xyz", false, ""},
		{redirect + "#access_token=t&token_type=bearer&state=xyz", true, ""},
		{"", false, "nothing was pasted"},
		{"code=abc&state=xyz", false, "not an absolute URL"},
		{"http://127.0.0.1:5001/callback?code=abc&state=xyz", false, "does not start with the redirect URI"},
		{"http://127.0.0.1:5000/callbackx?code=abc&state=xyz", false, "does not start with the redirect URI"},
		{redirect, false, "no authorization response"},
		{redirect + "?code=abc", false, "no state"},
		{redirect + "?state=xyz", false, "neither a code nor an error"},
		{redirect + "?code=a b&state=x", false, "space or control character at position"},
		{redirect + "?code=%zz&state=x", false, "do not parse"},
		{strings.Repeat("a", 20000), false, "longer than"},
	}
	for _, tc := range cases {
		_, err := ParseRedirectURL(tc.in, redirect, tc.implicit)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.wantErr)
		}
	}
}

// S-01: the browser is a separate process started from $BROWSER (no shell:
// the URL is one argument, metacharacters stay literal); the URL is also
// handed to the UI, and --no-browser keeps the browser closed.
func TestSystemOpenerAndNoBrowser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "fake-browser")
	mustf(t, os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > "+out+"\n"), 0o700), "script")
	env := map[string]string{"BROWSER": "/nonexistent/browser:" + script + " --new-window %s"}
	opener := SystemOpener(func(k string) string { return env[k] })
	target := "https://auth.example/authorize?a=1&b=$(touch%20x);c=|id&d=>x"
	mustf(t, opener(context.Background(), target), "open")
	var got []byte
	for i := 0; i < 200; i++ {
		if b, err := os.ReadFile(out); err == nil && strings.Count(string(b), "\n") >= 3 {
			got = b
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if want := "2\n--new-window\n" + target + "\n"; string(got) != want {
		t.Errorf("browser got %q, want %q", got, want)
	}
	for _, bad := range []string{"file:///etc/passwd", "javascript:alert(1)", "https://x.example/a b"} {
		if err := opener(context.Background(), bad); err == nil {
			t.Errorf("opened %q", bad)
		}
	}

	as := newFakeAS(t, false)
	e := newEngine(t)
	opened := atomic.Int32{}
	e.Opener = func(context.Context, string) error { opened.Add(1); return nil }
	shown := make(chan AuthPrompt, 1)
	e.CallbackTimeout = 200 * time.Millisecond
	_, err := e.Fetch(ctxT(t), FetchRequest{Client: codeClient(as, false), NoBrowser: true}, FlowCallbacks{AuthURL: func(p AuthPrompt) { shown <- p }})
	kindIs(t, err, KindAborted)
	p := <-shown
	if opened.Load() != 0 || !strings.HasPrefix(p.URL, as.URL+"/authorize?") || p.QR == "" {
		t.Errorf("no-browser: opened %d times, prompt URL %q", opened.Load(), p.URL)
	}
}

// S-33: the browser (and everything it starts) never sees the file vault's
// passphrase; an opener that exits with an error is not reported as having
// opened the page, and the next $BROWSER entry is tried.
func TestSystemOpenerEnvironmentAndFailure(t *testing.T) {
	const passphrase = "vault-passphrase-7a1c"
	t.Setenv("AUTHDECK_PASSPHRASE", passphrase)
	dir := t.TempDir()
	envOut := filepath.Join(dir, "env")
	good := filepath.Join(dir, "good-browser")
	mustf(t, os.WriteFile(good, []byte("#!/bin/sh\nenv > "+envOut+".tmp && mv "+envOut+".tmp "+envOut+"\n"), 0o700), "script")
	bad := filepath.Join(dir, "broken-browser")
	mustf(t, os.WriteFile(bad, []byte("#!/bin/sh\necho 'no DISPLAY' >&2\nexit 3\n"), 0o700), "script")

	only := SystemOpener(func(k string) string { return map[string]string{"BROWSER": bad}[k] })
	err := only(context.Background(), "https://auth.example/authorize")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("a browser that failed was reported as opened (err %v)", err)
	}

	both := SystemOpener(func(k string) string { return map[string]string{"BROWSER": bad + ":" + good}[k] })
	mustf(t, both(context.Background(), "https://auth.example/authorize"), "open")
	var env []byte
	for i := 0; i < 300 && env == nil; i++ {
		env, _ = os.ReadFile(envOut)
		time.Sleep(10 * time.Millisecond)
	}
	if env == nil {
		t.Fatal("the second $BROWSER entry did not run")
	}
	if strings.Contains(string(env), passphrase) || strings.Contains(string(env), "AUTHDECK_PASSPHRASE") {
		t.Error("the browser's environment carries AUTHDECK_PASSPHRASE")
	}
	if !strings.Contains(string(env), "PATH=") {
		t.Error("the browser lost the rest of the environment")
	}
}

// S-07: PKCE S256 with the RFC 7636 Appendix B known answer, a fresh
// 32-byte verifier per flow.
func TestPKCEKnownAnswer(t *testing.T) {
	t.Parallel()
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got := oauth2.S256ChallengeFromVerifier(verifier); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge = %q", got)
	}
	a, b := newPKCE(), newPKCE()
	if len(a.verifier) != 43 || a.verifier == b.verifier || a.challenge != oauth2.S256ChallengeFromVerifier(a.verifier) {
		t.Errorf("verifiers: %d chars, fresh=%v", len(a.verifier), a.verifier != b.verifier)
	}
}

// TestForgedCallbackAnswers400AndKeepsWaiting: a redirect with another
// state, a code or state given twice, or bytes that are not UTF-8 gets 400
// and the listener keeps waiting; the real redirect then completes the
// sign-in with one token request.
func TestForgedCallbackAnswers400AndKeepsWaiting(t *testing.T) {
	t.Parallel()
	as := newFakeAS(t, false)
	e := newEngine(t)
	opener, urls := capturingOpener(as)
	e.Opener = opener
	done := startFlow(t, e, codeClient(as, false), FlowCallbacks{})
	au := <-urls
	state := au.Query().Get("state")
	redirect := au.Query().Get("redirect_uri")
	for _, raw := range []string{
		url.Values{"code": {"forged-code"}, "state": {"forged-state-value-123"}}.Encode(),
		url.Values{"code": {"good-code", "forged-code"}, "state": {state}}.Encode(),
		url.Values{"code": {"good-code"}, "state": {state, state}}.Encode(),
		"code=good%ffcode&state=" + url.QueryEscape(state),
	} {
		resp, _ := get(t, redirect+"?"+raw)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: browser page %d, want 400", raw, resp.StatusCode)
		}
		select {
		case err := <-done:
			t.Fatalf("%s ended the sign-in: %v", raw, err)
		default:
		}
	}
	if n := as.tokenHits.Load(); n != 0 {
		t.Fatalf("%d token requests after refused redirects", n)
	}
	resp, _ := get(t, redirectTo(au, url.Values{"code": {"good-code"}, "state": {state}}))
	mustf(t, <-done, "flow")
	if resp.StatusCode != http.StatusOK || as.tokenHits.Load() != 1 {
		t.Fatalf("the real redirect: %d, %d token requests", resp.StatusCode, as.tokenHits.Load())
	}
}
