package vault_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// countingCatalog counts the catalog writes.
type countingCatalog struct {
	*vault.MemoryCatalog
	updates atomic.Int64
}

func (c *countingCatalog) Update(fn func(*vault.Catalog) error) (*vault.Catalog, error) {
	c.updates.Add(1)
	return c.MemoryCatalog.Update(fn)
}

// undoFailingStore refuses every batch after the first: a change whose
// catalog write fails cannot put its store write back, as when the process
// dies between the two.
type undoFailingStore struct {
	vault.Store
	applies atomic.Int64
}

func (s *undoFailingStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	if s.applies.Add(1) > 1 {
		return nil, errors.New("killed")
	}
	return s.Store.Apply(ctx, changes)
}

// TestTokenOverwriteNeedsNoIntent: storing a new token set for a secret
// that keeps everything else writes the catalog once (no intent, S-38); a
// change of anything else about the secret still records its intent. When
// the store write lands and the catalog write does not (a crash between
// them), nothing is orphaned or in flight: the catalog's token details are
// the old ones (doctor counts them stale) and the next read of the value
// puts them right.
func TestTokenOverwriteNeedsNoIntent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := &countingCatalog{MemoryCatalog: vault.NewMemoryCatalog()}
	mem := vault.NewMemoryStore()
	v := vault.New(cat, mem)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	put := func(v *vault.Vault, s vault.Secret, scope, expires string) (vault.Secret, int64, error) {
		n := cat.updates.Load()
		saved, err := v.PutSecret(ctx, s, &vault.SecretValue{AccessToken: "at-" + scope, Scope: scope, Expires: expires})
		return saved, cat.updates.Load() - n, err
	}
	s, writes, err := put(v, vault.Secret{Meta: vault.Meta{Name: "tok", Env: "dev"}, Type: vault.TypeOAuthToken}, "read", "2030-01-01T00:00:00Z")
	if err != nil || writes != 2 {
		t.Fatalf("first token set: %d catalog writes (%v), want 2 (intent, change)", writes, err)
	}
	if s, writes, err = put(v, s, "read write", "2030-01-02T00:00:00Z"); err != nil || writes != 1 {
		t.Fatalf("a new token set for the same secret: %d catalog writes (%v), want 1", writes, err)
	}
	s.AllowedHosts = []string{"api.example.com"}
	if s, writes, err = put(v, s, "read", "2030-01-03T00:00:00Z"); err != nil || writes != 2 {
		t.Fatalf("a token set with new allowed hosts: %d catalog writes (%v), want 2 (the hosts must not fall behind the value)", writes, err)
	}

	// A crash between the store write and the catalog write.
	broken := vault.New(cat, &undoFailingStore{Store: mem})
	cat.FailNext = errors.New("killed")
	if _, _, err := put(broken, s, "admin", "2030-01-04T00:00:00Z"); err == nil {
		t.Fatal("the interrupted change reported success")
	}
	got, err := v.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pending != 0 || len(got.Orphans) != 0 || len(got.Unmatched) != 0 || got.Stale != 1 {
		t.Fatalf("after the interrupted token write: %+v, want only 1 stale token", got)
	}
	cur, err := v.Secret("dev", "tok")
	if err != nil {
		t.Fatal(err)
	}
	val, err := v.SecretValue(ctx, cur)
	if err != nil || val.Scope != "admin" {
		t.Fatalf("stored value scope %q (%v), want the new set", val.Scope, err)
	}
	if err := v.HealTokenMeta(cur, val); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Check(ctx); err != nil || !got.Consistent() {
		t.Fatalf("after the next read: %+v (%v), want consistent", got, err)
	}
	if cur, _ := v.Secret("dev", "tok"); cur.Scope != "admin" || cur.TokenExpires == nil || cur.TokenExpires.Day() != 4 {
		t.Errorf("token details after the next read: scope %q, expires %v", cur.Scope, cur.TokenExpires)
	}
	n := cat.updates.Load()
	cur, _ = v.Secret("dev", "tok")
	if err := v.HealTokenMeta(cur, val); err != nil || cat.updates.Load() != n {
		t.Errorf("reading a value that agrees with its details wrote the catalog (%v)", err)
	}
}
