package oauth1_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// photo is what the provider's protected resource answers.
type photo struct {
	User, Consumer, Method, Placement, File, Size string
}

// getPhoto sends a request signed by s to /photos with the parameters in
// placement and returns the answer.
func getPhoto(t *testing.T, s *oauth1.Signer, photosURL string, placement vault.Placement) (int, photo, string) {
	t.Helper()
	var req *http.Request
	var err error
	if placement == vault.PlaceBody {
		req, err = http.NewRequestWithContext(ctxT(t), http.MethodPost, photosURL, strings.NewReader("file=vacation.jpg&size=original"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequestWithContext(ctxT(t), http.MethodGet, photosURL+"?file=vacation.jpg&size=original", nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	cp := *s
	cp.Placement = placement
	if err := cp.Sign(req); err != nil {
		t.Fatal(err)
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p photo
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("photos answer: %v", err)
		}
	}
	return resp.StatusCode, p, string(b)
}

// TestFlowEveryMethod runs the three legs with each signature method
// (alternating POST and GET token requests, as API gateways may want), checks what was
// stored, then calls the protected resource with the stored credentials in
// every placement.
func TestFlowEveryMethod(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	for i, method := range oauth1.Methods {
		tokenMethod := []string{"POST", "GET"}[i%2]
		t.Run(method+"/"+tokenMethod, func(t *testing.T) {
			t.Parallel()
			v, _ := newVault(t, srv, clientSpec{method: method, tokenMethod: tokenMethod})
			var b oauth1provider.Browsers
			e := newEngine(v, &b, approve)
			var prompt oauth.AuthPrompt
			res, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{
				AuthURL: func(p oauth.AuthPrompt) { prompt = p },
			})
			if errs := b.Wait(); len(errs) > 0 {
				t.Fatalf("browser: %v", errs)
			}
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if !prompt.Listening || !strings.HasPrefix(prompt.RedirectURI, "http://127.0.0.1:") || !strings.HasSuffix(prompt.RedirectURI, "/callback") {
				t.Errorf("prompt %+v: want a loopback listener at http://127.0.0.1:{port}/callback (S-02)", prompt)
			}
			if !strings.HasPrefix(prompt.URL, srv.AuthorizeURL+"?oauth_token=") {
				t.Errorf("authorization URL %s", prompt.URL)
			}
			if res.Env != "dev" || res.Client != "photos" || res.Secret != "photos" || res.Token == "" || res.TokenSecret == "" || res.Replaced {
				t.Errorf("result %+v", res)
			}
			sec, err := v.Secret("dev", "photos")
			if err != nil {
				t.Fatal(err)
			}
			if sec.Type != vault.TypeOAuth1Token || sec.AuthClient != "photos" || sec.LastRefresh == nil {
				t.Errorf("stored secret %+v", sec)
			}
			val, err := v.SecretValue(ctxT(t), sec)
			if err != nil {
				t.Fatal(err)
			}
			ac, _ := v.Client("dev", "photos")
			if val.Token != res.Token || val.TokenSecret != res.TokenSecret || val.AuthClientID != ac.ID {
				t.Error("stored value differs from the result")
			}
			s, err := e.Signer(ctxT(t), "", "photos")
			if err != nil {
				t.Fatal(err)
			}
			for _, placement := range []vault.Placement{vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody} {
				status, p, body := getPhoto(t, s, srv.PhotosURL, placement)
				if status != http.StatusOK {
					t.Errorf("%s: status %d: %s", placement, status, body)
					continue
				}
				want := photo{User: "demo", Consumer: consumerKey, Method: method, Placement: string(placement), File: "vacation.jpg", Size: "original"}
				if p != want {
					t.Errorf("%s: got %+v, want %+v", placement, p, want)
				}
			}
		})
	}
}

// TestFlowReplacesOwnSecret checks that authorizing again replaces the
// token secret (same ID, new value) instead of failing on the name.
func TestFlowReplacesOwnSecret(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA256})
	var b oauth1provider.Browsers
	e := newEngine(v, &b, approve)
	first, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Env: "dev", Client: "photos", Secret: "photos-token"}, oauth1.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := v.Secret("dev", "photos-token")
	second, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Env: "dev", Client: "photos", Secret: "photos-token"}, oauth1.Callbacks{})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := v.Secret("dev", "photos-token")
	if !second.Replaced || s1.ID != s2.ID || first.Token == second.Token {
		t.Errorf("second authorization: replaced=%v, IDs %s/%s, new token %v", second.Replaced, s1.ID, s2.ID, first.Token != second.Token)
	}
	// The engine finds the token through the client even under another
	// name, and through the secret itself.
	for _, name := range []string{"photos", "photos-token"} {
		s, err := e.Signer(ctxT(t), "dev", name)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, body := getPhoto(t, s, srv.PhotosURL, vault.PlaceHeader); status != http.StatusOK {
			t.Errorf("signer of %s: status %d: %s", name, status, body)
		}
	}
}

// TestFlowOutOfBand runs an oob flow: the provider shows the verifier and
// the user types it in.
func TestFlowOutOfBand(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.Plaintext, callback: oauth1.OOB})
	shown := make(chan string, 1)
	var b oauth1provider.Browsers
	e := newEngine(v, &b, func(ctx context.Context, authURL string) error {
		a, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctx, authURL)
		if err != nil {
			return err
		}
		if a.Callback != nil {
			return fmt.Errorf("oob authorization redirected to %s", a.Callback)
		}
		shown <- a.Verifier
		return nil
	})
	var prompted oauth.AuthPrompt
	res, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{
		Verifier: func(ctx context.Context, p oauth.AuthPrompt) (string, error) {
			prompted = p
			select {
			case v := <-shown:
				return "  " + v + "\n", nil // what a user pastes
			case <-ctx.Done():
				return "", ctx.Err()
			}
		},
	})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if err != nil {
		t.Fatal(err)
	}
	if prompted.Listening || prompted.RedirectURI != "" || prompted.URL == "" {
		t.Errorf("oob prompt %+v", prompted)
	}
	if res.Token == "" {
		t.Error("no token")
	}
}

// TestFlowPastedCallbackURL covers a browser on another machine: the
// loopback callback never arrives, and the user pastes the URL the browser
// landed on instead.
func TestFlowPastedCallbackURL(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	landed := make(chan string, 1)
	var b oauth1provider.Browsers
	e := newEngine(v, &b, func(ctx context.Context, authURL string) error {
		a, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctx, authURL)
		if err != nil {
			return err
		}
		landed <- a.Callback.String()
		return nil
	})
	_, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{
		Verifier: func(ctx context.Context, p oauth.AuthPrompt) (string, error) {
			select {
			case u := <-landed:
				return u, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		},
	})
	if errs := b.Wait(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestFlowFailuresStoreNothing runs flows that fail at each leg and checks
// the error (kind, exit code, problem, plain words) and that the vault is
// exactly as before (S-37).
func TestFlowFailuresStoreNothing(t *testing.T) {
	t.Parallel()
	closedURL := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u := "http://" + ln.Addr().String() + "/oauth/request_token"
		ln.Close()
		return u
	}
	// withCallback approves, lets change rewrite the callback URL, and opens it.
	withCallback := func(change func(u *url.URL)) func(ctx context.Context, authURL string) error {
		return func(ctx context.Context, authURL string) error {
			br := oauth1provider.NewBrowser("demo", "demo")
			a, err := br.Authorize(ctx, authURL)
			if err != nil {
				return err
			}
			change(a.Callback)
			resp, err := testHTTP.Get(a.Callback.String())
			if err != nil {
				return err
			}
			resp.Body.Close()
			return nil
		}
	}
	setQuery := func(kv ...string) func(u *url.URL) {
		return func(u *url.URL) {
			q := u.Query()
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == "" {
					q.Del(kv[i])
				} else {
					q.Set(kv[i], kv[i+1])
				}
			}
			u.RawQuery = q.Encode()
		}
	}
	tests := []struct {
		name        string
		spec        clientSpec
		cfg         func(clk *clock) oauth1provider.Config
		browser     func(clk *clock) func(ctx context.Context, authURL string) error
		engine      func(e *oauth1.Engine)
		before      func(t *testing.T, v *vault.Vault, srv *oauth1provider.Server)
		cb          oauth1.Callbacks
		secret      string
		wantKind    oauth.Kind
		wantProblem string
		wantReason  string
	}{
		{
			name: "wrong verifier", spec: clientSpec{method: oauth1.HMACSHA1},
			browser: func(*clock) func(context.Context, string) error {
				return withCallback(setQuery("oauth_verifier", "not-the-verifier"))
			},
			wantKind: oauth.KindRejected, wantProblem: "verifier_invalid", wantReason: "rejected the verifier",
		},
		{
			name: "expired temporary token", spec: clientSpec{method: oauth1.HMACSHA256},
			cfg: func(clk *clock) oauth1provider.Config {
				return oauth1provider.Config{TempTokenLifetime: 2 * time.Second, Now: clk.now}
			},
			browser: func(clk *clock) func(context.Context, string) error {
				return withCallback(func(*url.URL) { clk.advance(3 * time.Second) })
			},
			wantKind: oauth.KindRejected, wantProblem: "token_expired", wantReason: "expired",
		},
		{
			name: "signature mismatch (wrong consumer secret)", spec: clientSpec{method: oauth1.HMACSHA1, secret: "not-the-consumer-secret"},
			wantKind: oauth.KindRejected, wantProblem: "signature_invalid", wantReason: "could not verify the signature",
		},
		{
			name: "signature mismatch (PLAINTEXT)", spec: clientSpec{method: oauth1.Plaintext, secret: "not-the-consumer-secret"},
			wantKind: oauth.KindRejected, wantProblem: "signature_invalid",
		},
		{
			name: "timestamp refused (clock an hour behind)", spec: clientSpec{method: oauth1.RSASHA1},
			engine:   func(e *oauth1.Engine) { e.Now = func() time.Time { return time.Now().Add(-time.Hour) } },
			wantKind: oauth.KindRejected, wantProblem: "timestamp_refused", wantReason: "clock",
		},
		{
			name: "user denies", spec: clientSpec{method: oauth1.RSASHA256},
			browser: func(*clock) func(context.Context, string) error {
				return func(ctx context.Context, authURL string) error {
					br := oauth1provider.NewBrowser("demo", "demo")
					br.Deny = true
					return br.Open(ctx, authURL)
				}
			},
			wantKind: oauth.KindAborted, wantProblem: "user_refused", wantReason: "refused",
		},
		{
			name: "forged callback token", spec: clientSpec{method: oauth1.HMACSHA1},
			browser: func(*clock) func(context.Context, string) error {
				return withCallback(setQuery("oauth_token", "someone-elses"))
			},
			wantKind: oauth.KindAborted, wantReason: "does not belong to this authorization",
		},
		{
			name: "callback without verifier", spec: clientSpec{method: oauth1.HMACSHA1},
			browser:  func(*clock) func(context.Context, string) error { return withCallback(setQuery("oauth_verifier", "")) },
			wantKind: oauth.KindMissingInput, wantReason: "no oauth_verifier",
		},
		{
			name: "timeout waiting for the browser", spec: clientSpec{method: oauth1.HMACSHA1},
			browser: func(*clock) func(context.Context, string) error {
				return func(context.Context, string) error { return nil }
			},
			engine:   func(e *oauth1.Engine) { e.CallbackTimeout = 200 * time.Millisecond },
			wantKind: oauth.KindAborted, wantReason: "timed out",
		},
		{
			name: "oob without a way to type the verifier", spec: clientSpec{method: oauth1.HMACSHA1, callback: oauth1.OOB},
			wantKind: oauth.KindMissingInput, wantReason: "no way to enter the verifier",
		},
		{
			name: "oob verifier left empty", spec: clientSpec{method: oauth1.HMACSHA1, callback: oauth1.OOB},
			cb:       oauth1.Callbacks{Verifier: func(context.Context, oauth.AuthPrompt) (string, error) { return "  \n", nil }},
			wantKind: oauth.KindMissingInput, wantReason: "no verifier was entered",
		},
		{
			name: "oob verifier prompt closed", spec: clientSpec{method: oauth1.HMACSHA1, callback: oauth1.OOB},
			cb: oauth1.Callbacks{Verifier: func(context.Context, oauth.AuthPrompt) (string, error) {
				return "", errors.New("prompt closed")
			}},
			wantKind: oauth.KindMissingInput, wantReason: "no verifier was entered",
		},
		{
			name: "oob verifier with a space", spec: clientSpec{method: oauth1.HMACSHA1, callback: oauth1.OOB},
			cb:       oauth1.Callbacks{Verifier: func(context.Context, oauth.AuthPrompt) (string, error) { return "abc def", nil }},
			wantKind: oauth.KindMissingInput, wantReason: "space or control character at position 4",
		},
		{
			name: "secret name the vault refuses", spec: clientSpec{method: oauth1.HMACSHA1}, secret: "a/b",
			browser: func(*clock) func(context.Context, string) error {
				return func(context.Context, string) error { return errors.New("must not open") }
			},
			wantKind: oauth.KindOther, wantReason: `must not contain "/"`,
		},
		{
			name: "secret name taken by another type", spec: clientSpec{method: oauth1.HMACSHA1},
			before: func(t *testing.T, v *vault.Vault, _ *oauth1provider.Server) {
				_, err := v.PutSecret(ctxT(t), vault.Secret{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k-123456"})
				if err != nil {
					t.Fatal(err)
				}
			},
			wantKind: oauth.KindNotConfigured, wantReason: `secret "photos" is a API_KEY, not OAuth 1.0a token credentials`,
		},
		{
			name: "provider unreachable", spec: clientSpec{method: oauth1.HMACSHA1},
			before: func(t *testing.T, v *vault.Vault, _ *oauth1provider.Server) {
				ac, _ := v.Client("dev", "photos")
				ac.Endpoints.RequestToken = closedURL(t)
				if _, err := v.PutClient(ctxT(t), ac, nil); err != nil {
					t.Fatal(err)
				}
			},
			wantKind: oauth.KindUnreachable, wantReason: "cannot reach",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{}
			cfg := oauth1provider.Config{}
			if tc.cfg != nil {
				cfg = tc.cfg(clk)
			}
			srv := startProvider(t, cfg)
			v, store := newVault(t, srv, tc.spec)
			if tc.before != nil {
				tc.before(t, v, srv)
			}
			browser := approve
			if tc.browser != nil {
				browser = tc.browser(clk)
			}
			var b oauth1provider.Browsers
			e := newEngine(v, &b, browser)
			if tc.engine != nil {
				tc.engine(e)
			}
			tr := &oauth1.Transcript{}
			before := snapshot(t, v, store)
			res, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos", Secret: tc.secret, Record: tr}, tc.cb)
			b.Wait()
			if err == nil {
				t.Fatalf("Authorize succeeded: %+v", res)
			}
			if res != nil {
				t.Error("a result came with the error")
			}
			if got := oauth.KindOf(err); got != tc.wantKind {
				t.Errorf("kind %s, want %s (%v)", got, tc.wantKind, err)
			}
			if !strings.Contains(err.Error(), tc.wantReason) {
				t.Errorf("error %q does not say %q", err, tc.wantReason)
			}
			if after := snapshot(t, v, store); after != before {
				t.Error("the failed flow changed the vault (S-37)")
			}
			if len(b.URLs()) > 0 && tc.secret != "" {
				t.Error("the browser was opened although the flow could not succeed")
			}
			for _, secret := range []string{consumerSecret, "not-the-consumer-secret"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(tr.Text(), secret) {
					t.Error("a consumer secret reached the error or the transcript")
				}
			}
			var oe *oauth1.Error
			if !errors.As(err, &oe) {
				if tc.secret != "" {
					return // the vault's own validation error
				}
				t.Fatalf("error %T %v is not an *oauth1.Error", err, err)
			}
			if oe.Problem != tc.wantProblem || !strings.Contains(err.Error(), tc.wantReason) {
				t.Errorf("problem %q, error %q; want problem %q and %q", oe.Problem, err, tc.wantProblem, tc.wantReason)
			}
			if tc.wantProblem != "" && oe.Hint == "" {
				t.Error("no plain-words hint for a problem report")
			}
			// The OAuth 2.0 view of the same error (for code that knows only oauth.Error).
			var o2 *oauth.Error
			if !errors.As(err, &o2) || o2.Code != tc.wantProblem || o2.Kind != tc.wantKind {
				t.Errorf("as *oauth.Error: %+v", o2)
			}
		})
	}
}

// TestFlowNonceReuse replays a flow with a pinned nonce and timestamp: the
// provider refuses the second request-token call, and the vault keeps what
// the first flow stored.
func TestFlowNonceReuse(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, store := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	var b oauth1provider.Browsers
	e := newEngine(v, &b, approve)
	now := time.Now()
	e.Now = func() time.Time { return now }
	e.Nonce = func() string { return "the-same-nonce" }
	if _, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{}); err != nil {
		t.Fatalf("first flow: %v", err)
	}
	before := snapshot(t, v, store)
	_, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{})
	b.Wait()
	var oe *oauth1.Error
	if !errors.As(err, &oe) || oe.Problem != "nonce_used" || oe.Op != "request token" || oauth.KindOf(err) != oauth.KindRejected {
		t.Fatalf("second flow: %v", err)
	}
	if !strings.Contains(oe.Reason, "replay") {
		t.Errorf("reason %q does not explain the replay", oe.Reason)
	}
	if snapshot(t, v, store) != before {
		t.Error("the refused flow changed the vault (S-37)")
	}
	// A signed resource request replayed verbatim is refused too.
	s, err := e.Signer(ctxT(t), "dev", "photos")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := getPhoto(t, s, srv.PhotosURL, vault.PlaceHeader); status != http.StatusOK {
		t.Fatalf("first resource request: %d %s", status, body)
	}
	if status, _, body := getPhoto(t, s, srv.PhotosURL, vault.PlaceHeader); status != http.StatusUnauthorized || !strings.Contains(body, "oauth_problem=nonce_used") {
		t.Errorf("replayed resource request: %d %s", status, body)
	}
}

// TestFlowVaultWriteFails makes the final store write fail: the flow
// reports a vault error and leaves nothing behind (S-37).
func TestFlowVaultWriteFails(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	mem := vault.NewMemoryStore()
	// Write 1 stores the client credentials; write 2 is the token secret.
	v := vault.New(vault.NewMemoryCatalog(), vaulttest.NewFailingStore(mem, 2))
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if err := v.UseEnv("dev"); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: srv.RequestTokenURL, Authorization: srv.AuthorizeURL, Token: srv.AccessTokenURL},
		ClientID:  consumerKey, SignatureMethod: oauth1.HMACSHA1,
	}
	if _, err := v.PutClient(ctxT(t), ac, &vault.ClientCredentials{ClientSecret: consumerSecret}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, v, mem)
	var b oauth1provider.Browsers
	_, err := newEngine(v, &b, approve).Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{})
	b.Wait()
	if oauth.KindOf(err) != oauth.KindVault {
		t.Fatalf("error %v: kind %s, want %s", err, oauth.KindOf(err), oauth.KindVault)
	}
	if snapshot(t, v, mem) != before {
		t.Error("the failed write left something behind (S-37)")
	}
}

// TestFlowCancelled cancels while the flow waits for the browser.
func TestFlowCancelled(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, store := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	ctx, cancel := context.WithCancel(ctxT(t))
	var b oauth1provider.Browsers
	e := newEngine(v, &b, func(context.Context, string) error { cancel(); return nil })
	before := snapshot(t, v, store)
	_, err := e.Authorize(ctx, oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{})
	b.Wait()
	if oauth.KindOf(err) != oauth.KindAborted || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("error %v (kind %s)", err, oauth.KindOf(err))
	}
	if snapshot(t, v, store) != before {
		t.Error("the cancelled flow changed the vault")
	}
}

// TestListenerClosedAfterFlow checks S-05: once the flow is over, the
// callback address no longer answers.
func TestListenerClosedAfterFlow(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	var b oauth1provider.Browsers
	var callback string
	_, err := newEngine(v, &b, approve).Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos"}, oauth1.Callbacks{
		AuthURL: func(p oauth.AuthPrompt) { callback = p.RedirectURI },
	})
	b.Wait()
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	if resp, err := c.Get(callback + "?oauth_token=x&oauth_verifier=y"); err == nil {
		resp.Body.Close()
		t.Fatalf("the callback listener still answers after the flow: %d", resp.StatusCode)
	}
}

// TestTranscriptRedacted runs a flow with a transcript and checks every
// leg is there and that no secret is (oauth_signature, token secrets,
// verifier, consumer secret, the token credentials).
func TestTranscriptRedacted(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, _ := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1, tokenMethod: "POST"})
	verifiers := make(chan string, 1)
	var b oauth1provider.Browsers
	e := newEngine(v, &b, withVerifierSpy(verifiers))
	tr := &oauth1.Transcript{}
	res, err := e.Authorize(ctxT(t), oauth1.AuthorizeRequest{Client: "photos", Record: tr}, oauth1.Callbacks{})
	b.Wait()
	if err != nil {
		t.Fatal(err)
	}
	verifier := <-verifiers
	text := tr.Text()
	var steps []string
	for _, x := range tr.Exchanges() {
		steps = append(steps, x.Step)
		for _, f := range append(append([]oauth.Field{}, x.Params...), x.Response...) {
			if (f.Name == "oauth_signature" || f.Name == "oauth_token_secret" || f.Name == "oauth_verifier") && f.Value != oauth.Redacted {
				t.Errorf("%s: %s is not redacted", x.Step, f.Name)
			}
		}
	}
	if got := strings.Join(steps, ","); got != "request token,authorization,callback,access token" {
		t.Errorf("steps %s", got)
	}
	for name, secret := range map[string]string{
		"consumer secret": consumerSecret, "token secret": res.TokenSecret,
		"token": res.Token, "verifier": verifier, "encoded consumer secret": oauth1.Encode(consumerSecret),
	} {
		if strings.Contains(text, secret) {
			t.Errorf("the transcript contains the %s", name)
		}
	}
	if !strings.Contains(text, `oauth_signature="[redacted]"`) || !strings.Contains(text, "oauth_token_secret: [redacted]") {
		t.Errorf("transcript does not show redacted fields:\n%s", text)
	}
	if !strings.Contains(text, "oauth_consumer_key=\""+consumerKey+"\"") {
		t.Errorf("transcript hides the consumer key, which is not secret:\n%s", text)
	}
}

// withVerifierSpy approves and reports the verifier it saw.
func withVerifierSpy(ch chan<- string) func(ctx context.Context, authURL string) error {
	return func(ctx context.Context, authURL string) error {
		a, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctx, authURL)
		if err != nil {
			return err
		}
		ch <- a.Verifier
		resp, err := testHTTP.Get(a.Callback.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
}

// TestClientStepByStep drives the legs one at a time, as a UI that shows
// each step would, with the protocol parameters in the query (GET) and in
// the form body (POST).
func TestClientStepByStep(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	for _, tc := range []struct {
		placement   vault.Placement
		tokenMethod string
	}{{vault.PlaceQuery, "GET"}, {vault.PlaceBody, "POST"}, {vault.PlaceHeader, "GET"}} {
		t.Run(string(tc.placement)+"/"+tc.tokenMethod, func(t *testing.T) {
			t.Parallel()
			c := &oauth1.Client{
				RequestTokenURL: srv.RequestTokenURL, AuthorizeURL: srv.AuthorizeURL, AccessTokenURL: srv.AccessTokenURL,
				ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, Method: oauth1.HMACSHA256, Placement: tc.placement,
				TokenMethod: tc.tokenMethod, HTTPClient: testHTTP, AuthParams: []vault.Param{{Key: "lang", Value: "en"}, {Key: "oauth_token", Value: "ignored"}},
			}
			tr := &oauth1.Transcript{}
			tmp, err := c.RequestToken(ctxT(t), oauth1.OOB, tr)
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := c.AuthorizationURL(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if want := srv.AuthorizeURL + "?oauth_token=" + oauth1.Encode(tmp.Token) + "&lang=en"; authURL != want {
				t.Errorf("authorization URL %s, want %s", authURL, want)
			}
			a, err := oauth1provider.NewBrowser("demo", "demo").Authorize(ctxT(t), authURL)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.AccessToken(ctxT(t), tmp, a.Verifier, tr)
			if err != nil {
				t.Fatal(err)
			}
			if status, p, body := getPhoto(t, c.Signer(tok), srv.PhotosURL, tc.placement); status != http.StatusOK || p.User != "demo" {
				t.Errorf("photos: %d %s", status, body)
			}
			xs := tr.Exchanges()
			if len(xs) != 2 || xs[0].Method != tc.tokenMethod || xs[1].Method != tc.tokenMethod {
				t.Errorf("transcript %+v", xs)
			}
			if strings.Contains(tr.Text(), a.Verifier) || strings.Contains(tr.Text(), tok.Secret) {
				t.Error("a secret reached the transcript")
			}
			if _, err := c.AccessToken(ctxT(t), tmp, "", nil); oauth.KindOf(err) != oauth.KindMissingInput {
				t.Errorf("no verifier: %v", err)
			}
		})
	}
}
