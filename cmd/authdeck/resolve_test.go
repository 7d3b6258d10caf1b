package main

import (
	"context"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestCommandsResolveWithTheVault: token, exec, its introspect and revoke
// subcommands and request --auth take NAME to mean what the vault's
// resolver says — its refusals in its words, exit 2 — for OAuth 2.0 and
// OAuth 1.0a clients alike, and nothing is read from the store first.
func TestCommandsResolveWithTheVault(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	clients := []vault.AuthClient{
		{
			Meta: vault.Meta{Name: "many", Env: "default"}, Type: vault.ClientOAuth2, ClientID: "c", Grant: vault.GrantClientCredentials,
			AuthMethod: vault.AuthClientSecretPost, Endpoints: vault.Endpoints{Token: "https://p.example/token"},
		},
		{
			Meta: vault.Meta{Name: "twice", Env: "default"}, Type: vault.ClientOAuth1, ClientID: "ck", SignatureMethod: "HMAC-SHA1",
			Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
		},
	}
	for _, ac := range clients {
		if _, err := h.v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-client-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []vault.Secret{
		{Meta: vault.Meta{Name: "m1", Env: "default"}, Type: vault.TypeOAuthToken, AuthClient: "many"},
		{Meta: vault.Meta{Name: "m2", Env: "default"}, Type: vault.TypeOAuthToken, AuthClient: "many"},
		{Meta: vault.Meta{Name: "t1", Env: "default"}, Type: vault.TypeOAuth1Token, AuthClient: "twice"},
		{Meta: vault.Meta{Name: "t2", Env: "default"}, Type: vault.TypeOAuth1Token, AuthClient: "twice"},
	} {
		if _, err := h.v.PutSecret(ctx, s, &vault.SecretValue{AccessToken: "fake-access", Token: "fake-token", TokenSecret: "fake-token-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	cat := h.catalog()
	for _, name := range []string{"many", "twice", "ghost"} {
		for _, args := range [][]string{
			{"token", name},
			{"token", "introspect", name},
			{"token", "revoke", name},
			{"exec", name, "--", "true"},
			{"request", "GET", "http://127.0.0.1:9/", "--auth", name},
		} {
			use := vault.ForToken
			if args[0] == "request" {
				use = vault.ForRequest
			}
			_, want := vault.Resolve(cat, "default", name, use)
			if want == nil {
				t.Fatalf("the fixture resolves %q", name)
			}
			before := h.store.Calls()
			h.expect(2, []string{want.Error()}, "", args...)
			if n := h.store.Calls() - before; n != 0 {
				t.Errorf("authdeck %v: %d store calls before the name was refused", args, n)
			}
		}
	}
}
