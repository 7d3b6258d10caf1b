package vault_test

import (
	"context"
	"errors"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestTokenOverwriteKeptWhenTheCatalogWriteFails (S-39): a new token set is
// stored before the catalog write that records its details; when that
// write fails, the new set stays stored. Putting the old one back would
// bring back a refresh token the server has already replaced (rotation),
// which ends the session; the catalog's details are derived again from
// the stored value on the next read (HealTokenMeta).
func TestTokenOverwriteKeptWhenTheCatalogWriteFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := vault.NewMemoryCatalog()
	v := vault.New(cat, vault.NewMemoryStore())
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	s, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "tok", Env: "dev"}, Type: vault.TypeOAuthToken},
		&vault.SecretValue{AccessToken: "at-1", RefreshToken: "rt-1", Expires: "2030-01-01T00:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	cat.FailNext = errors.New("disk full")
	_, err = v.PutSecret(ctx, s, &vault.SecretValue{AccessToken: "at-2", RefreshToken: "rt-2", Expires: "2030-01-02T00:00:00Z"})
	if err == nil {
		t.Fatal("the failed catalog write was not reported")
	}
	cur, err := v.Secret("dev", "tok")
	if err != nil {
		t.Fatal(err)
	}
	val, err := v.SecretValue(ctx, cur)
	if err != nil {
		t.Fatal(err)
	}
	if val.RefreshToken != "rt-2" {
		t.Fatalf("stored refresh token %q after the failed catalog write, want the new one (rt-2): the old one was put back", val.RefreshToken)
	}
	if err := v.HealTokenMeta(cur, val); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Check(ctx); err != nil || !got.Consistent() {
		t.Fatalf("after the next read: %+v (%v), want consistent", got, err)
	}
}
