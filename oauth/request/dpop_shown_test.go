package request

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
)

// TestDPoPRequestShownBeforeItsTokenIsFetched: a request with the token of
// an auth client that has DPoP on is shown (authdeck request -v, the request
// console's preview) as it will be sent — the DPoP scheme and a DPoP header
// for the proof made when sent — not as a bearer request, although no token
// has been fetched yet; a client without DPoP is still shown with Bearer.
func TestDPoPRequestShownBeforeItsTokenIsFetched(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	key, pemText, err := dpop.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, ac := range []vault.AuthClient{
		{Meta: vault.Meta{Name: "bound", Env: "dev"}, DPoP: true, DPoPKeyID: key.Thumbprint()},
		{Meta: vault.Meta{Name: "plain", Env: "dev"}},
	} {
		ac.Type, ac.Endpoints.Token, ac.ClientID = vault.ClientOAuth2, "https://id.example.com/token", "app"
		ac.AuthMethod, ac.Grant, ac.Scopes = vault.AuthClientSecretBasic, vault.GrantClientCredentials, []string{"read"}
		creds := &vault.ClientCredentials{ClientSecret: "client-secret-0123456789"}
		if ac.DPoP {
			creds.DPoPKey = pemText
		}
		if _, err := v.PutClient(ctx, ac, creds); err != nil {
			t.Fatalf("%s: %v", ac.Name, err)
		}
	}
	// No token is fetched to show a request: an engine call would fail.
	sender := &Sender{Vault: v, Engine: &oauth.Dispatcher{Vault: v}, NoBrowser: true}

	p, err := sender.Prepare(ctx, "dev", Spec{Method: "GET", URL: "https://api.example.com/me", Auth: "bound"}, false)
	if err != nil {
		t.Fatal(err)
	}
	dump := p.Dump()
	want := "(a proof signed by key " + key.Thumbprint() + ", made when sent)"
	if got := headerValue(p.Headers, "Authorization"); !strings.HasPrefix(got, "DPoP ") {
		t.Errorf("Authorization shown as %q, want the DPoP scheme:\n%s", got, dump)
	}
	if got := headerValue(p.Headers, dpop.HeaderName); got != want {
		t.Errorf("DPoP header shown as %q, want %q:\n%s", got, want, dump)
	}
	if !strings.Contains(p.Credential, "DPoP-bound token") || !strings.Contains(p.Credential, key.Thumbprint()) {
		t.Errorf("credential described as %q", p.Credential)
	}
	// The token goes in the header with its proof, never the query.
	if _, err := sender.Prepare(ctx, "dev", Spec{Method: "GET", URL: "https://api.example.com/me", Auth: "bound", Placement: vault.PlaceQuery}, false); err == nil {
		t.Error("a DPoP-bound token was shown in the URL query")
	}

	p, err = sender.Prepare(ctx, "dev", Spec{Method: "GET", URL: "https://api.example.com/me", Auth: "plain"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := headerValue(p.Headers, "Authorization"); !strings.HasPrefix(got, "Bearer ") || headerValue(p.Headers, dpop.HeaderName) != "" {
		t.Errorf("a bearer client shown as:\n%s", p.Dump())
	}
}

func headerValue(hs []vault.Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}
