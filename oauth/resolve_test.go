package oauth

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestEngineResolvesWithTheVault: every entry point of the engine answers
// for a name what vault.Resolve answers — the same typed error, in the
// resolver's words — so the engine has no naming rules of its own.
func TestEngineResolvesWithTheVault(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "many", Env: "dev"}, Type: vault.ClientOAuth2, ClientID: "c",
		Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthClientSecretPost, Endpoints: vault.Endpoints{Token: "https://p.example/token"},
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-client-secret"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []vault.Secret{
		{Meta: vault.Meta{Name: "m1", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "many"},
		{Meta: vault.Meta{Name: "m2", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "many"},
		{Meta: vault.Meta{Name: "key", Env: "dev"}, Type: vault.TypeAPIKey},
	} {
		val := vault.SecretValue{AccessToken: "fake-access-token", Key: "fake-key-123"}
		if _, err := v.PutSecret(ctx, s, &val); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Vault: v}
	entries := map[string]func(TokenRequest) error{
		"Token":      func(r TokenRequest) error { _, err := e.Token(ctx, r, FlowCallbacks{}); return err },
		"Refresh":    func(r TokenRequest) error { _, err := e.Refresh(ctx, r, FlowCallbacks{}); return err },
		"Introspect": func(r TokenRequest) error { _, err := e.Introspect(ctx, r, AccessToken); return err },
		"Revoke":     func(r TokenRequest) error { return e.Revoke(ctx, r) },
	}
	for _, name := range []string{"many", "key", "ghost"} {
		_, want := vault.Resolve(cat, "dev", name, vault.ForToken)
		if want == nil {
			t.Fatalf("the fixture resolves %q", name)
		}
		for entry, run := range entries {
			err := run(TokenRequest{Env: "dev", Name: name})
			if !sameResolveError(err, want) {
				t.Errorf("%s(%s) = %v; want the resolver's %T %q", entry, name, err, want, want)
			}
		}
	}
}

// sameResolveError reports whether err carries want, an error of the
// vault's resolver: the same type inside, and its words in the message.
func sameResolveError(err, want error) bool {
	if err == nil {
		return false
	}
	target := reflect.New(reflect.TypeOf(want))
	return errors.As(err, target.Interface()) && target.Elem().Interface().(error).Error() == want.Error() &&
		strings.Contains(err.Error(), want.Error())
}
