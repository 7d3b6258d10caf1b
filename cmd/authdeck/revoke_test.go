package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// addPasswordClient stores the playground's legacy password client as pw,
// with the demo user's credentials linked to it, so a token with a refresh
// token comes without a browser.
func addPasswordClient(t *testing.T, v *vault.Vault, s *playground.Server) {
	t.Helper()
	dc, ok := s.Client(playground.ClientLegacyPassword)
	if !ok {
		t.Fatal("no legacy password client")
	}
	ctx := context.Background()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "pw", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2, Issuer: s.Issuer,
		ClientID: dc.ClientID, AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantPassword, AllowDeprecated: true,
		Scopes: []string{"openid", "offline_access", playground.ScopeAPIRead},
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: dc.Secret}); err != nil {
		t.Fatal(err)
	}
	owner := vault.Secret{Meta: vault.Meta{Name: "pw-owner", Env: vault.DefaultEnv}, Type: vault.TypeSimple, AuthClient: "pw"}
	if _, err := v.PutSecret(ctx, owner, &vault.SecretValue{Username: s.User, Passphrase: s.Password}); err != nil {
		t.Fatal(err)
	}
}

// On a provider that cannot revoke or introspect JWT access tokens:
// introspect verifies locally and says so; revoke ends the grant, reports
// the access token's expiry, succeeds and deletes the token set.
func TestTokenRevokeAndIntrospectStructuredProvider(t *testing.T) {
	t.Parallel()
	s, err := playground.Start(context.Background(), playground.Config{StructuredTokensOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := newHarness(t)
	realNow(h)
	addPasswordClient(t, h.v, s)
	tok := strings.TrimSpace(h.must("", "token", "pw").out)

	in := h.must("", "token", "introspect", "pw")
	for _, want := range []string{"Verified locally: the provider does not introspect this token (unsupported_token_type)", "check signature:", "passed: matches key", "check exp:", "check iss:", "active:"} {
		if !strings.Contains(in.out, want) {
			t.Errorf("introspect output lacks %q:\n%s", want, in.out)
		}
	}
	noSecret(t, in, tok)
	js := h.must("", "token", "introspect", "pw", "-f", "json")
	var j struct {
		Active bool `json:"active"`
		Local  struct {
			Reason string `json:"reason"`
			Checks []struct{ Name, Result string }
		} `json:"local_verification"`
	}
	if err := json.Unmarshal([]byte(js.out), &j); err != nil || !j.Active || len(j.Local.Checks) != 5 || j.Local.Checks[0].Result != "passed" {
		t.Errorf("introspect json: %+v %v\n%s", j, err, js.out)
	}
	rin := h.must("", "token", "introspect", "pw", "--refresh-token")
	if strings.Contains(rin.out, "Verified locally") || !strings.Contains(rin.out, "yes") {
		t.Errorf("refresh token introspection:\n%s", rin.out)
	}

	h.expect(1, []string{"exclude each other"}, "", "token", "revoke", "pw", "--refresh-token", "--access-token")
	ra := h.must("", "token", "revoke", "pw", "--access-token")
	if !strings.Contains(ra.out, "The access token of pw cannot be revoked by this provider; it expires at ") || !strings.Contains(ra.out, "Kept the token set unchanged in the vault.") {
		t.Errorf("revoke --access-token output:\n%s", ra.out)
	}
	rv := h.must("", "token", "revoke", "pw", "-v")
	for _, want := range []string{"Revoked the refresh token of pw (the grant has ended).", "The access token of pw cannot be revoked by this provider; it expires at ", "Deleted the token set from the vault."} {
		if !strings.Contains(rv.out, want) {
			t.Errorf("revoke output lacks %q:\n%s", want, rv.out)
		}
	}
	noSecret(t, rv, tok)
	if _, err := h.v.Secret(vault.DefaultEnv, "pw"); !errors.Is(err, vault.ErrNotConfigured) {
		t.Errorf("token set still stored: %v", err)
	}
	h.expect(3, []string{"no token is stored"}, "", "token", "revoke", "pw")
}
