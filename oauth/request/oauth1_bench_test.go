package request

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
)

// BenchmarkSendOAuth1 measures what signing adds to a request through the
// Sender (reading the client credentials and the token from the vault,
// building the base string, signing), on loopback, against an API key
// sent the same way.
func BenchmarkSendOAuth1(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	s := redirectWorkspace(b) // "photos": HMAC-SHA256 with its token
	ctx := context.Background()
	_, keyPEM, err := keygen.KeyPair(vault.AlgRS256)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, method string }{{"hmac1", oauth1.HMACSHA1}, {"rsa256", oauth1.RSASHA256}} {
		ac := vault.AuthClient{
			Meta: vault.Meta{Name: c.name, Env: "dev"}, Type: vault.ClientOAuth1,
			Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
			ClientID:  "ck", SignatureMethod: c.method,
		}
		creds := &vault.ClientCredentials{ClientSecret: fakeConsumerSecret}
		if oauth1.IsRSA(c.method) {
			creds = &vault.ClientCredentials{PrivateKey: keyPEM}
		}
		if _, err := s.Vault.PutClient(ctx, ac, creds); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Vault.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: c.name, Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: c.name},
			&vault.SecretValue{Token: fakeOA1Token, TokenSecret: fakeOA1TokenSecret}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Vault.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "apikey", Env: "dev"}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"},
		&vault.SecretValue{Key: fakeAPIKey}); err != nil {
		b.Fatal(err)
	}
	defer s.CloseIdleConnections()
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"api-key", Spec{URL: srv.URL + "/photos?file=a.jpg", Auth: "apikey"}},
		{"oauth1-hmac-sha1-header", Spec{URL: srv.URL + "/photos?file=a.jpg", Auth: "hmac1"}},
		{"oauth1-hmac-sha256-form-body", Spec{Method: "POST", URL: srv.URL + "/photos?file=a.jpg", Auth: "photos", Placement: vault.PlaceBody, Body: "size=original"}},
		{"oauth1-rsa-sha256-header", Spec{URL: srv.URL + "/photos?file=a.jpg", Auth: "rsa256"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := s.Send(ctx, "dev", tc.spec, SendOptions{})
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatal(err)
				}
			}
		})
	}
}
