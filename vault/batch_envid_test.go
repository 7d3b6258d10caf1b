package vault_test

import (
	"context"
	"errors"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// staleCatalog answers Load with a snapshot taken earlier, as another
// process sees the catalog before a concurrent change; Update works on the
// real one.
type staleCatalog struct {
	vault.CatalogStore
	snap *vault.Catalog
}

func (s staleCatalog) Load() (*vault.Catalog, error) { return s.snap.Clone(), nil }

// An environment removed and added again between an import's read and its
// write has a new ID: the secret variables must not go under the old one.
func TestApplyRefusesReplacedEnvironment(t *testing.T) {
	ctx := context.Background()
	cat := vault.NewMemoryCatalog()
	store := vault.NewMemoryStore()
	v := vault.New(cat, store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	before, _ := cat.Load()
	if err := v.RemoveEnv(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	stale := vault.New(staleCatalog{cat, before}, store)
	_, err := stale.Apply(ctx, vault.Batch{SecretVars: map[string]map[string]string{"dev": {"password": "hunter2"}}})
	if !errors.Is(err, vault.ErrNotConfigured) {
		t.Fatalf("Apply against a replaced environment: %v, want ErrNotConfigured", err)
	}
	vars, err := v.Vars(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vars["password"]; ok {
		t.Fatal("the variable was stored although the import failed")
	}
	if keys := store.Keys(); len(keys) != 0 {
		t.Fatalf("values left in the store: %v", keys)
	}
	// With a current catalog the same batch goes through.
	if _, err := v.Apply(ctx, vault.Batch{SecretVars: map[string]map[string]string{"dev": {"password": "hunter2"}}}); err != nil {
		t.Fatal(err)
	}
	if vars, _ := v.Vars(ctx, "dev"); vars["password"] != "hunter2" {
		t.Fatalf("password = %q", vars["password"])
	}
}
