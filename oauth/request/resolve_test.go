package request

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestSenderResolvesWithTheVault: --auth NAME means what the vault's
// resolver says it means for a request — a secret before an auth client of
// the same name, the resolver's typed errors in its words — and a refused
// name sends nothing and reads no value.
func TestSenderResolvesWithTheVault(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	rec := newRecorder(t, "", nil)
	put := func(s vault.Secret) {
		t.Helper()
		s.Env = "dev"
		if _, err := f.v.PutSecret(ctx, s, &vault.SecretValue{AccessToken: "fake-token-set", Key: fakeAPIKey}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"many", "apikey"} {
		ac := vault.AuthClient{
			Meta: vault.Meta{Name: name, Env: "dev"}, Type: vault.ClientOAuth2, ClientID: "c",
			Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthClientSecretPost, Endpoints: vault.Endpoints{Token: "https://p.example/token"},
		}
		if _, err := f.v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-client-secret"}); err != nil {
			t.Fatal(err)
		}
	}
	put(vault.Secret{Meta: vault.Meta{Name: "m1"}, Type: vault.TypeOAuthToken, AuthClient: "many"})
	put(vault.Secret{Meta: vault.Meta{Name: "m2"}, Type: vault.TypeOAuthToken, AuthClient: "many"})
	cat, err := f.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"many", "ghost"} {
		_, want := vault.Resolve(cat, "dev", name, vault.ForRequest)
		before := f.store.Calls()
		_, err := f.sender.Send(ctx, "dev", Spec{URL: rec.URL, Auth: name}, SendOptions{})
		if err == nil || want == nil {
			t.Fatalf("--auth %s sent: %v (resolver: %v)", name, err, want)
		}
		target := reflect.New(reflect.TypeOf(want))
		if !errors.As(err, target.Interface()) || !strings.Contains(err.Error(), want.Error()) {
			t.Errorf("--auth %s = %v; want the resolver's %T %q", name, err, want, want)
		}
		if n := f.store.Calls() - before; n != 0 || len(rec.got()) != 0 || f.tokens.calls.Load() != 0 {
			t.Errorf("--auth %s: %d store calls, %d requests, %d token calls", name, n, len(rec.got()), f.tokens.calls.Load())
		}
	}
	// "apikey" is an auth client and an API key: for a request the secret wins.
	cred, err := vault.Resolve(cat, "dev", "apikey", vault.ForRequest)
	if err != nil || cred.NamedClient || cred.Protocol != vault.ProtocolSecret {
		t.Fatalf("the resolver: %+v, %v", cred, err)
	}
	p, err := f.sender.Prepare(ctx, "dev", Spec{URL: rec.URL, Auth: "apikey"}, false)
	if err != nil || !strings.HasPrefix(p.Credential, `API key "apikey"`) || f.tokens.calls.Load() != 0 {
		t.Errorf("--auth apikey: %+v, %v; want the API key applied", p, err)
	}
}
