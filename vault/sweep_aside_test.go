package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// TestRecoverSweepsStaleFilesAside (S-37): the temporary files a killed
// process left beside the catalog and the file vault (.catalog.json.tmp-*,
// .vault.age.tmp-*) are removed by the next open's recovery, under the
// locks; other files in the home, and the catalog and values, are left as
// they were.
func TestRecoverSweepsStaleFilesAside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	home := t.TempDir()
	open := func() *vault.Vault {
		t.Helper()
		v, err := local.Open(local.Options{
			Home: home, Backend: vault.BackendFile, FileWorkFactor: testWorkFactor,
			Passphrase: func() (string, error) { return testPass, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := open()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: "dev"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "sweep-test-key-0123"}); err != nil {
		t.Fatal(err)
	}
	stale := []string{".catalog.json.tmp-1234567", ".vault.age.tmp-7654321"}
	kept := []string{"notes.tmp-1", ".other.tmp-2"}
	for _, name := range append(append([]string{}, stale...), kept...) {
		if err := os.WriteFile(filepath.Join(home, name), []byte(`{"half": "a write`), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	v = open()
	r, err := v.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Swept != len(stale) {
		t.Errorf("recovery swept %d files aside, want %d (%s)", r.Swept, len(stale), r)
	}
	vaulttest.CheckSwept(t, home, stale, kept)
	s, err := v.Secret("dev", "api")
	if err != nil {
		t.Fatal(err)
	}
	if val, err := v.SecretValue(ctx, s); err != nil || val.Key != "sweep-test-key-0123" {
		t.Fatalf("the value after the sweep: %v", err)
	}
	// Nothing left to do: a second recovery finds nothing.
	if r, err := v.Recover(ctx); err != nil || !r.Empty() {
		t.Errorf("second recovery: %s, %v", r, err)
	}
}
