package oauth1_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// TestEngineResolvesWithTheVault: the engine's Signer and Authorize answer
// for a name what the vault's resolver answers — the same typed error, in
// its words — before any leg runs or any value is read.
func TestEngineResolvesWithTheVault(t *testing.T) {
	t.Parallel()
	srv := startProvider(t, oauth1provider.Config{})
	v, store := newVault(t, srv, clientSpec{method: oauth1.HMACSHA1})
	ctx := ctxT(t)
	for _, s := range []vault.Secret{
		{Meta: vault.Meta{Name: "t1", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		{Meta: vault.Meta{Name: "t2", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		{Meta: vault.Meta{Name: "key", Env: "dev"}, Type: vault.TypeAPIKey},
	} {
		if _, err := v.PutSecret(ctx, s, &vault.SecretValue{Token: "fake-token", TokenSecret: "fake-token-secret", Key: "fake-key-123"}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, v, store)
	e := &oauth1.Engine{Vault: v, Opener: func(context.Context, string) error { return errors.New("no leg may run") }}
	for _, name := range []string{"photos", "ghost"} {
		_, want := vault.Resolve(cat, "dev", name, vault.ForRequest)
		if _, err := e.Signer(ctx, "dev", name); !sameResolveError(err, want) {
			t.Errorf("Signer(%s) = %v; want the resolver's %T %q", name, err, want, want)
		}
	}
	_, want := vault.ResolveTokenSecret(cat, "dev", "photos", "key")
	if _, err := e.Authorize(ctx, oauth1.AuthorizeRequest{Env: "dev", Client: "photos", Secret: "key"}, oauth1.Callbacks{}); !sameResolveError(err, want) {
		t.Errorf("Authorize into an API key = %v; want the resolver's %T %q", err, want, want)
	}
	var oe *oauth.Error
	if _, err := e.Authorize(ctx, oauth1.AuthorizeRequest{Env: "dev", Client: "photos", Secret: "key"}, oauth1.Callbacks{}); !errors.As(err, &oe) || oe.Hint == "" {
		t.Errorf("the refusal keeps the resolver's hint: %v", err)
	}
	if after := snapshot(t, v, store); after != before {
		t.Error("a refused name changed the vault")
	}
}

// sameResolveError reports whether err carries want, an error of the
// vault's resolver: the same type inside, and its words in the message.
func sameResolveError(err, want error) bool {
	if err == nil || want == nil {
		return false
	}
	target := reflect.New(reflect.TypeOf(want))
	return errors.As(err, target.Interface()) && target.Elem().Interface().(error).Error() == want.Error() &&
		strings.Contains(err.Error(), want.Error())
}
