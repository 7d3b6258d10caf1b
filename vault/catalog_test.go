package vault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// S-32: the catalog is 0600 in a 0700 directory (a looser existing directory
// is tightened), written atomically with no temporary file left behind, and
// carries its schema version.
func TestCatalogFileModesAndAtomicWrite(t *testing.T) {
	t.Parallel()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		t.Fatal(err)
	}
	checkMode(t, home, 0o700)
	v := vault.New(cat, vault.NewMemoryStore())
	for i := range 3 {
		if _, err := v.PutRequest(vault.Request{Name: fmt.Sprint("r", i), Env: vault.DefaultEnv, Method: "GET", URL: "https://example.com/"}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(home, vault.CatalogFileName)
	checkMode(t, path, 0o600)
	checkMode(t, filepath.Join(home, "catalog.lock"), 0o600)
	if left := tempLeftovers(t, home); len(left) != 0 {
		t.Fatalf("temporary files left: %q", left)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["version"]) != fmt.Sprint(vault.SchemaVersion) {
		t.Fatalf("catalog version field = %s, want %d", raw["version"], vault.SchemaVersion)
	}
	c, err := cat.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Requests) != 3 {
		t.Fatalf("catalog has %d requests, want 3", len(c.Requests))
	}
}

// A truncated, corrupt or too-new catalog gives a clear error with the file
// and line:column, and is never overwritten — not by the catalog, not by a
// repository change, whose store writes are undone too.
func TestCatalogCorruptIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	good := func(t *testing.T) []byte {
		home := t.TempDir()
		cat, _ := vault.OpenFileCatalog(home)
		v := vault.New(cat, vault.NewMemoryStore())
		if _, err := v.PutRequest(vault.Request{Name: "r", Env: vault.DefaultEnv, Method: "GET", URL: "https://example.com/"}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(home, vault.CatalogFileName))
		return b
	}
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{"truncated", func(t *testing.T) []byte { g := good(t); return g[:len(g)*2/3] }, "unexpected end of file (truncated?)"},
		{"empty", func(*testing.T) []byte { return nil }, "is empty (truncated?)"},
		{"only spaces", func(*testing.T) []byte { return []byte("  \n") }, "is empty (truncated?)"},
		{"syntax error", func(*testing.T) []byte { return []byte("{\n \"version\": 1,\n \"activeEnv\": \"default\" \"x\"\n}") }, "line 3, column 25"},
		{"wrong type", func(*testing.T) []byte { return []byte("{\n \"version\": 1,\n \"environments\": 7\n}") }, "line 3, column 18"},
		{"no version", func(*testing.T) []byte { return []byte(`{"activeEnv":"default"}`) }, "no schema version"},
		{"newer version", func(*testing.T) []byte { return []byte(`{"version":99}`) }, "upgrade authdeck"},
		{"trailing data", func(t *testing.T) []byte { return append(good(t), []byte("{}")...) }, "unexpected data after"},
		{"binary garbage", func(*testing.T) []byte { return []byte{0x1f, 0x8b, 0x08, 0x00} }, "line 1, column 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			path := filepath.Join(home, vault.CatalogFileName)
			data := tc.data(t)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			cat, err := vault.OpenFileCatalog(home)
			if err != nil {
				t.Fatal(err)
			}
			store := vault.NewMemoryStore()
			v := vault.New(cat, store)
			_, lerr := cat.Load()
			_, uerr := cat.Update(func(c *vault.Catalog) error { c.ActiveEnv = "changed"; return nil })
			_, perr := v.PutSecret(context.Background(), vault.Secret{Meta: vault.Meta{Name: "s", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k"})
			for op, err := range map[string]error{"load": lerr, "update": uerr, "put secret": perr} {
				if !errors.Is(err, vault.ErrCatalogCorrupt) {
					t.Fatalf("%s: err = %v, want ErrCatalogCorrupt", op, err)
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: message %q should name %s and say %q", op, err, path, tc.want)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, data) {
				t.Fatal("the corrupt catalog was overwritten")
			}
			if n := len(store.Keys()); n != 0 {
				t.Fatalf("%d values stored although the catalog could not be written", n)
			}
		})
	}
}

// S-32: killing a process at any moment of its catalog writes leaves the
// old or the new catalog, never a partial one.
func TestCatalogKillSafety(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	prev := 0
	for round := range rounds {
		cmd, out := helper(t, "catalog-churn", "HELPER_HOME="+home, fmt.Sprintf("HELPER_PREFIX=r%d", round))
		waitLine(t, out, "ready", 30*time.Second)
		time.Sleep(time.Duration(rand.IntN(20000)) * time.Microsecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		cat, err := vault.OpenFileCatalog(home)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cat.Load()
		if err != nil {
			t.Fatalf("round %d: after killing the writer the catalog does not load: %v", round, err)
		}
		if len(c.Requests) < prev+1 {
			t.Fatalf("round %d: catalog has %d requests, had %d and the writer saved at least one more", round, len(c.Requests), prev)
		}
		prev = len(c.Requests)
		for _, tmp := range tempLeftovers(t, home) {
			checkMode(t, tmp, 0o600)
		}
	}
}

// S-33: values stored through the repository appear in no file under
// $AUTHDECK_HOME — not in the catalog, not in the file vault (encrypted),
// not in lock files — for the file and the keychain backends.
func TestNoSecretValueInHomeFiles(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{vault.BackendFile, vault.BackendKeychain} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			fake := vaulttest.NewFakeKeyring()
			v, err := local.Open(local.Options{
				Home: home, Backend: backend, Keyring: fake, FileWorkFactor: testWorkFactor,
				Passphrase: func() (string, error) { return testPass, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			secrets := seedWorkspace(t, v)
			err = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, s := range secrets {
					for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s))} {
						if bytes.Contains(data, []byte(form)) {
							t.Errorf("%s holds a stored secret value (%d bytes)", path, len(s))
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if backend == vault.BackendKeychain && fake.Len() == 0 {
				t.Fatal("the keychain holds nothing; the values went elsewhere")
			}
		})
	}
}

// seedWorkspace stores one of every kind of value through v and returns the
// secret strings it stored.
func seedWorkspace(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	ctx := context.Background()
	tag := hex.EncodeToString(vaulttest.RandomBytes(6))
	apiKey := "sk-live-" + tag + "-apikey"
	pass := "pw-" + tag + "-basic"
	clientSecret := "cs-" + tag + "-client"
	varSecret := "var-" + tag + "-secret"
	access := "eyJ-" + tag + "-access"
	refresh := "rt-" + tag + "-refresh"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: apiKey})
	must(err)
	_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "basic", Env: vault.DefaultEnv}, Type: vault.TypeSimple}, &vault.SecretValue{Username: "u", Passphrase: pass})
	must(err)
	_, err = v.PutClient(ctx, testClient("svc"), &vault.ClientCredentials{ClientSecret: clientSecret})
	must(err)
	_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "tok", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "svc"},
		&vault.SecretValue{AccessToken: access, RefreshToken: refresh, Scope: "read"})
	must(err)
	must(v.SetVar(ctx, vault.DefaultEnv, "API_TOKEN", varSecret, true))
	must(v.SetVar(ctx, vault.DefaultEnv, "BASE", "https://api.example.com", false))
	return []string{apiKey, pass, clientSecret, varSecret, access, refresh}
}

func testClient(name string) vault.AuthClient {
	return vault.AuthClient{
		Meta:       vault.Meta{Name: name, Env: vault.DefaultEnv},
		Type:       vault.ClientOAuth2,
		Endpoints:  vault.Endpoints{Token: "https://auth.example.com/token"},
		ClientID:   "client-" + name,
		AuthMethod: vault.AuthClientSecretBasic,
		Grant:      vault.GrantClientCredentials,
	}
}

// TestFreshCatalogIDMintedOnce: a workspace without a catalog file gets one
// at its first load, so the default environment's ID is the same for every
// later load and for every other process (values stored under it before the
// first change must not be orphaned).
func TestFreshCatalogIDMintedOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "home")
	a, err := vault.OpenFileCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := vault.OpenFileCatalog(dir) // another process
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cat := range []*vault.FileCatalog{a, a, b} {
		c, err := cat.Load()
		if err != nil {
			t.Fatal(err)
		}
		e, ok := c.Env(vault.DefaultEnv)
		if !ok || e.ID == "" {
			t.Fatalf("no default environment: %+v", c.Environments)
		}
		ids = append(ids, e.ID)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("the default environment's ID changed between loads: %v", ids)
	}
	fi, err := os.Stat(filepath.Join(dir, vault.CatalogFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("catalog file after the first load: %v %v", fi, err)
	}
	c, err := b.Update(func(*vault.Catalog) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Env(vault.DefaultEnv); e.ID != ids[0] {
		t.Fatalf("the first write changed the default environment's ID")
	}
}
