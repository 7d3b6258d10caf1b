package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// benchTokenServer is a loopback token endpoint that checks the client's
// basic credentials and answers with a fixed token.
func benchTokenServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "svc-id" || secret != "svc-secret-value" || r.FormValue("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMifQ.c2ln","token_type":"Bearer","expires_in":3600,"scope":"api:read"}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// The engine budget: a client-credentials fetch costs at most 50 µs more in process
// than a raw http.Client POST to the same loopback server. Compare the two
// sub-benchmarks:
//
//	go test -run '^$' -bench BenchmarkClientCredentialsFetch -benchmem ./oauth/
func BenchmarkClientCredentialsFetch(b *testing.B) {
	srv := benchTokenServer(b)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	b.Run("raw http.Client POST", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("svc-id", "svc-secret-value")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var tok struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
				b.Fatalf("raw POST: %v", err)
			}
		}
	})
	b.Run("engine Fetch", func(b *testing.B) {
		b.ReportAllocs()
		e := &Engine{HTTPClient: hc}
		ac, creds := ccClient(srv.URL + "/token")
		req := FetchRequest{Client: ac, Credentials: *creds}
		ctx := context.Background()
		for b.Loop() {
			r, err := e.Fetch(ctx, req, FlowCallbacks{})
			if err != nil || r.AccessToken == "" {
				b.Fatalf("fetch: %v", err)
			}
		}
	})
}

// The in-process cost of a token served from the vault (memory backend):
// what the TUI and the request console pay per request.
//
//	go test -run '^$' -bench BenchmarkTokenFromVault -benchmem ./oauth/
func BenchmarkTokenFromVault(b *testing.B) {
	e := &Engine{Vault: vault.NewMemory()}
	ctx := context.Background()
	ac, creds := ccClient("https://auth.example/token")
	if _, err := e.Vault.PutClient(ctx, ac, creds); err != nil {
		b.Fatal(err)
	}
	if _, err := e.Vault.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "svc"},
		&vault.SecretValue{AccessToken: "cached-token", TokenType: "Bearer", Scope: "api:read", Expires: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := e.Token(ctx, TokenRequest{Name: "svc"}, FlowCallbacks{})
		if err != nil || !r.FromCache {
			b.Fatal(fmt.Sprint("token: ", err))
		}
	}
}
