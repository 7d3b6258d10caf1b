package request

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// countingTokens counts what the sender asks of the real engine.
type countingTokens struct {
	Engine
	calls, forced atomic.Int32
}

func (c *countingTokens) RequestAuth(ctx context.Context, req oauth.TokenRequest, cb oauth.FlowCallbacks) (*oauth.RequestAuth, error) {
	c.calls.Add(1)
	if req.Force {
		c.forced.Add(1)
	}
	return c.Engine.RequestAuth(ctx, req, cb)
}

type playgroundFixture struct {
	srv    *playground.Server
	v      *vault.Vault
	tokens *countingTokens
	sender *Sender
}

// newPlaygroundFixture starts the playground (provider + demo API on
// loopback) and a workspace whose auth clients and secrets point at it; the
// sender gets tokens from the real OAuth engine.
func newPlaygroundFixture(t *testing.T) *playgroundFixture {
	t.Helper()
	ctx := context.Background()
	srv, err := playground.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	client := func(name, id, method string, scopes ...string) {
		dc, ok := srv.Client(id)
		if !ok {
			t.Fatalf("no demo client %s", id)
		}
		ac := vault.AuthClient{
			Meta: vault.Meta{Name: name, Env: "dev"}, Type: vault.ClientOAuth2, Endpoints: vault.Endpoints{Token: srv.Endpoints().Token},
			ClientID: id, AuthMethod: vault.AuthMethod(method), Grant: vault.GrantClientCredentials, Scopes: scopes,
		}
		_, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: dc.Secret})
		must(err)
	}
	client("svc", playground.ClientServiceBasic, "client_secret_basic", playground.ScopeAPIRead, playground.ScopeAPIWrite)
	client("reader", playground.ClientServicePost, "client_secret_post", playground.ScopeAPIRead)
	put := func(s vault.Secret, val vault.SecretValue) {
		t.Helper()
		s.Env = "dev"
		_, err := v.PutSecret(ctx, s, &val)
		must(err)
	}
	put(vault.Secret{Meta: vault.Meta{Name: "demo-key"}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"}, vault.SecretValue{Key: srv.APIKey})
	put(vault.Secret{Meta: vault.Meta{Name: "demo-basic"}, Type: vault.TypeSimple}, vault.SecretValue{Username: srv.BasicUser, Passphrase: srv.BasicPassword})
	// A token the provider never issued, still "valid" by its stored expiry:
	// the API answers 401 invalid_token and the sender must refresh once.
	put(vault.Secret{Meta: vault.Meta{Name: "stale"}, Type: vault.TypeOAuthToken, AuthClient: "svc"},
		vault.SecretValue{AccessToken: "fake-stale-token-0000", Expires: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	must(v.SetVar(ctx, "dev", "api", srv.APIURL, false))
	tokens := &countingTokens{Engine: &oauth.Dispatcher{Vault: v, OAuth2: &oauth.Engine{Vault: v}}}
	return &playgroundFixture{srv: srv, v: v, tokens: tokens, sender: &Sender{Vault: v, Engine: tokens, NoBrowser: true}}
}

func (f *playgroundFixture) send(t *testing.T, spec Spec) *Response {
	t.Helper()
	resp, err := f.sender.Send(context.Background(), "dev", spec, SendOptions{})
	if err != nil {
		t.Fatalf("%s %s: %v", spec.Method, spec.URL, err)
	}
	return resp
}

func TestPlaygroundCredentials(t *testing.T) {
	t.Parallel()
	f := newPlaygroundFixture(t)
	tests := []struct {
		name   string
		spec   Spec
		status int
		body   string
	}{
		{"client credentials token (header)", Spec{URL: "{{api}}/data", Auth: "svc"}, 200, `"items"`},
		{"token in the query (S-14)", Spec{URL: "{{api}}/data", Auth: "svc", Placement: vault.PlaceQuery}, 200, `"items"`},
		{"token in the form body (S-14)", Spec{Method: "POST", URL: "{{api}}/data", Auth: "svc", Placement: vault.PlaceBody, Body: "note=hi"}, 200, `"note":"hi"`},
		{"POST with api:write", Spec{Method: "POST", URL: "{{api}}/data", Auth: "svc", Body: `{"a":1}`, Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}}, 200, `{"a":1}`},
		{"API key", Spec{URL: "{{api}}/apikey", Auth: "demo-key"}, 200, "api_key"},
		{"basic", Spec{URL: "{{api}}/basic", Auth: "demo-basic"}, 200, `"authenticated":"basic"`},
		{"no credential", Spec{URL: "{{api}}/me"}, 401, "invalid_token"},
		{"status passthrough", Spec{URL: "{{api}}/status/503"}, 503, "Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.send(t, tt.spec)
			if resp.StatusCode != tt.status || resp.Body == nil || !strings.Contains(string(resp.Body.Bytes()), tt.body) {
				t.Fatalf("status %d, body %v", resp.StatusCode, resp.Body != nil)
			}
			assertNoPlaygroundSecret(t, f, preparedText(resp.Request)+resp.URL)
		})
	}
}

func assertNoPlaygroundSecret(t *testing.T, f *playgroundFixture, s string) {
	t.Helper()
	for _, v := range []string{f.srv.APIKey, f.srv.BasicPassword} {
		if strings.Contains(s, v) {
			t.Errorf("display text contains a credential (%d chars)", len(v))
		}
	}
	if strings.Contains(s, "eyJ") {
		t.Error("display text contains a JWT")
	}
}

// TestPlaygroundInsufficientScope (S-19): 403 insufficient_scope, no refresh, scope reported.
func TestPlaygroundInsufficientScope(t *testing.T) {
	t.Parallel()
	f := newPlaygroundFixture(t)
	resp := f.send(t, Spec{Method: "POST", URL: "{{api}}/data", Auth: "reader", Body: `{}`, Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}})
	scope, ok := resp.InsufficientScope()
	if resp.StatusCode != http.StatusForbidden || !ok || scope != playground.ScopeAPIWrite {
		t.Fatalf("status %d scope %q", resp.StatusCode, scope)
	}
	if resp.Refreshed || f.tokens.forced.Load() != 0 {
		t.Fatal("insufficient_scope must not trigger a refresh")
	}
}

// TestPlaygroundRefreshOnInvalidToken (S-19): the API rejects a stale token
// with 401 invalid_token; exactly one refresh, one retry, success.
func TestPlaygroundRefreshOnInvalidToken(t *testing.T) {
	t.Parallel()
	f := newPlaygroundFixture(t)
	resp := f.send(t, Spec{URL: "{{api}}/me", Auth: "stale"})
	if resp.StatusCode != http.StatusOK || !resp.Refreshed {
		t.Fatalf("status %d refreshed %v", resp.StatusCode, resp.Refreshed)
	}
	if f.tokens.forced.Load() != 1 || f.tokens.calls.Load() != 2 {
		t.Fatalf("token calls %d (forced %d), want 2 (1)", f.tokens.calls.Load(), f.tokens.forced.Load())
	}
	// The fresh token was stored: the next request needs no refresh.
	resp = f.send(t, Spec{URL: "{{api}}/me", Auth: "stale"})
	if resp.StatusCode != http.StatusOK || resp.Refreshed || f.tokens.forced.Load() != 1 {
		t.Fatalf("second request: status %d refreshed %v", resp.StatusCode, resp.Refreshed)
	}
}

func TestPlaygroundBigSlowRedirect(t *testing.T) {
	t.Parallel()
	f := newPlaygroundFixture(t)
	resp := f.send(t, Spec{URL: "{{api}}/big?mb=10", Auth: "svc"})
	if resp.StatusCode != http.StatusOK || resp.Body == nil || resp.Body.Size() != 10<<20 || resp.Kind != KindJSON {
		t.Fatalf("big: status %d kind %v", resp.StatusCode, resp.Kind)
	}
	p, err := PrettyJSON(context.Background(), resp.Body.Bytes())
	if err != nil || p.Len() < 10_000 {
		t.Fatalf("pretty: %v", err)
	}

	_, err = f.sender.Send(context.Background(), "dev", Spec{URL: "{{api}}/slow?ms=5000", Timeout: 150 * time.Millisecond}, SendOptions{})
	var te *TransportError
	if !errors.As(err, &te) || te.Reason != "timed out" {
		t.Fatalf("slow: %v", err)
	}

	// The API redirects to another host; the token must not follow.
	other := newRecorder(t, "127.0.0.2:0", nil)
	resp = f.send(t, Spec{URL: "{{api}}/redirect?to=" + other.URL + "/elsewhere", Auth: "svc"})
	got := other.got()
	if resp.StatusCode != http.StatusOK || len(got) != 1 || got[0].Header.Get("Authorization") != "" {
		t.Fatalf("redirect: status %d, requests %d", resp.StatusCode, len(got))
	}
	if len(resp.Redirects) != 1 || resp.Redirects[0].Status != http.StatusFound || !resp.Redirects[0].Stripped {
		t.Fatalf("redirects %+v", resp.Redirects)
	}
}
