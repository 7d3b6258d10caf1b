package demo

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestWorkspaceCoversEveryGrantAndMethod: the demo workspace is built from
// the running playground and holds a client for every grant and client
// authentication method the playground offers, in two environments.
func TestWorkspaceCoversEveryGrantAndMethod(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := playground.Start(ctx, playground.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	v := vault.NewMemory()
	if err := Workspace(ctx, v, srv); err != nil {
		t.Fatal(err)
	}
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if cat.ActiveEnv != EnvDev || len(cat.Environments) != 2 {
		t.Fatalf("environments = %d, active %q", len(cat.Environments), cat.ActiveEnv)
	}
	grants := map[vault.Grant]bool{}
	methods := map[vault.AuthMethod]bool{}
	for _, c := range cat.ClientsIn(EnvDev) {
		grants[c.Grant] = true
		if c.AuthMethod != "" {
			methods[c.AuthMethod] = true
		}
		if err := c.Validate(); err != nil {
			t.Errorf("client %s: %v", c.Name, err)
		}
		creds, err := v.ClientCredentials(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ValidateCredentials(creds); err != nil {
			t.Errorf("client %s credentials: %v", c.Name, err)
		}
	}
	for _, g := range vault.Grants {
		if !grants[g] {
			t.Errorf("no demo client with grant %s", g)
		}
	}
	for _, m := range []vault.AuthMethod{vault.AuthClientSecretBasic, vault.AuthClientSecretPost, vault.AuthPrivateKeyJWT, vault.AuthNone} {
		if !methods[m] {
			t.Errorf("no demo client authenticating with %s", m)
		}
	}
	key, ok := cat.Secret(EnvDev, SecretAPIKey)
	if !ok {
		t.Fatal("no API key")
	}
	val, err := v.SecretValue(ctx, *key)
	if err != nil || val.Key != srv.APIKey {
		t.Error("the API key is not the playground's")
	}
	if len(cat.RequestsIn(EnvDev)) == 0 || len(cat.ClientsIn(EnvStaging)) == 0 {
		t.Error("requests or staging clients missing")
	}
	if exp, ok := cat.Secret(EnvDev, SecretExpiring); !ok || vault.ExpiryOf(exp.Expiration, v.Now()) != vault.ExpiringSoon {
		t.Error("no secret that expires soon (for the expiry marker)")
	}
}
