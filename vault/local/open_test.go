package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

const (
	// testWorkFactor keeps scrypt cheap in tests (age's default is 18).
	testWorkFactor = 10
	testPass       = "correct horse battery staple"
)

// local.Open picks the backend from AUTHDECK_VAULT (keychain by default),
// and opening — plus loading and listing — makes no store call: no keychain
// call, no passphrase prompt, no vault file.
func TestOpenSelectsBackendWithoutStoreCalls(t *testing.T) {
	// Not parallel: sets AUTHDECK_VAULT.
	cases := []struct {
		env, want string
	}{
		{"", vault.BackendKeychain},
		{"keychain", vault.BackendKeychain},
		{"file", vault.BackendFile},
		{"memory", vault.BackendMemory},
	}
	for _, tc := range cases {
		t.Run("AUTHDECK_VAULT="+tc.env, func(t *testing.T) {
			t.Setenv("AUTHDECK_VAULT", tc.env)
			home := t.TempDir()
			fake := vaulttest.NewFakeKeyring()
			var asked atomic.Int32
			v, err := local.Open(local.Options{
				Home: home, Keyring: fake, FileWorkFactor: testWorkFactor,
				Passphrase: func() (string, error) { asked.Add(1); return testPass, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if v.Backend() != tc.want {
				t.Fatalf("backend = %q, want %q", v.Backend(), tc.want)
			}
			c, err := v.Load()
			if err != nil {
				t.Fatal(err)
			}
			_ = c.SecretsIn(vault.DefaultEnv)
			if n := fake.Calls(); n != 0 {
				t.Errorf("opening and listing made %d keychain calls", n)
			}
			if n := asked.Load(); n != 0 {
				t.Errorf("opening and listing asked for the passphrase %d times", n)
			}
			if _, err := os.Stat(filepath.Join(home, vault.FileVaultName)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("opening created a vault file")
			}
		})
	}
	t.Run("unknown backend", func(t *testing.T) {
		t.Setenv("AUTHDECK_VAULT", "cloud")
		_, err := local.Open(local.Options{Home: t.TempDir()})
		if !errors.Is(err, local.ErrUnknownBackend) || !strings.Contains(err.Error(), "keychain, file or memory") {
			t.Fatalf("err = %v, want ErrUnknownBackend listing the choices", err)
		}
	})
}

// S-28: no silent fallback — when the keychain cannot be reached, a write
// fails with ErrUnavailable (exit 8) naming AUTHDECK_VAULT=file, the backend
// stays keychain, and nothing is written anywhere else.
func TestOpenNoSilentFallback(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	fake := vaulttest.NewFakeKeyring()
	fake.FailWith(vaulttest.ErrDBusNoService)
	v, err := local.Open(local.Options{Home: home, Backend: vault.BackendKeychain, Keyring: fake})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.PutSecret(context.Background(), vault.Secret{Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k"})
	if !errors.Is(err, vault.ErrUnavailable) || !vault.IsStoreFailure(err) || !strings.Contains(err.Error(), "AUTHDECK_VAULT=file") {
		t.Fatalf("err = %v, want ErrUnavailable (a store failure) naming AUTHDECK_VAULT=file", err)
	}
	if v.Backend() != vault.BackendKeychain {
		t.Fatalf("backend switched to %q", v.Backend())
	}
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets) != 0 {
		t.Fatal("the catalog lists a secret whose value was not stored")
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		if e.Name() == vault.FileVaultName {
			t.Fatal("a file vault appeared")
		}
	}
}
