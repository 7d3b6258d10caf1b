package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// OAuth 1.0a names are routed, not refused: every entry point that
// resolves a name answers ErrOAuth1 before any store or network call, so a
// caller can hand the name to package oauth1.
func TestResolveRoutesOAuth1(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	store := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
		ClientID:  "ck", SignatureMethod: "HMAC-SHA1"}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-consumer-secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "photos-token", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		&vault.SecretValue{Token: "fake-token", TokenSecret: "fake-token-secret"}); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Vault: v, Opener: func(context.Context, string) error { return errors.New("no browser in this test") }}
	before := store.Calls()
	calls := []struct {
		name string
		run  func(TokenRequest) error
	}{
		{"Token", func(r TokenRequest) error { _, err := e.Token(ctx, r, FlowCallbacks{}); return err }},
		{"Refresh", func(r TokenRequest) error { _, err := e.Refresh(ctx, r, FlowCallbacks{}); return err }},
		{"Introspect", func(r TokenRequest) error { _, err := e.Introspect(ctx, r, AccessToken); return err }},
		{"Revoke", func(r TokenRequest) error { return e.Revoke(ctx, r) }},
	}
	for _, name := range []string{"photos", "photos-token"} {
		for _, c := range calls {
			err := c.run(TokenRequest{Env: "dev", Name: name})
			if !errors.Is(err, ErrOAuth1) || vault.ExitCode(err) != vault.ExitNotConfigured {
				t.Errorf("%s(%s): %v (exit %d), want ErrOAuth1 and exit 2", c.name, name, err, vault.ExitCode(err))
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "OAuth 1.0a") || !strings.Contains(msg, name) || strings.Count(msg, "OAuth 1.0a") != 1 {
				t.Errorf("%s(%s): message %q", c.name, name, msg)
			}
		}
	}
	if n := store.Calls() - before; n != 0 {
		t.Errorf("%d store calls before routing", n)
	}
	// Other names are not routed.
	if _, err := e.Token(ctx, TokenRequest{Env: "dev", Name: "nothing"}, FlowCallbacks{}); errors.Is(err, ErrOAuth1) {
		t.Errorf("an unknown name is routed to OAuth 1.0a: %v", err)
	}
}
