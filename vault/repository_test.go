package vault_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

func ecPEM(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// seedRepo fills a workspace: two environments with plain and secret
// variables, auth clients with and without credentials, secrets of several
// types (one linked to a client) and a saved request.
func seedRepo(t testing.TB, v *vault.Vault) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := v.AddEnv(vault.Environment{Name: "prod"})
	must(err)
	for _, env := range []string{vault.DefaultEnv, "prod"} {
		must(v.SetVar(ctx, env, "BASE", "https://api.example.com", false))
		must(v.SetVar(ctx, env, "TOKEN", "var-secret-"+env, true))
		must(v.SetVar(ctx, env, "OTHER", "other-secret-"+env, true))
		svc := testClient("svc")
		svc.Env = env
		_, err = v.PutClient(ctx, svc, &vault.ClientCredentials{ClientSecret: "client-secret-" + env})
		must(err)
		pub := testClient("pub")
		pub.Env, pub.AuthMethod, pub.Grant = env, vault.AuthNone, vault.GrantDeviceCode
		pub.Endpoints.Device = "https://auth.example.com/device"
		_, err = v.PutClient(ctx, pub, nil)
		must(err)
		_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: env}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "api-key-" + env})
		must(err)
		_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "tok", Env: env}, Type: vault.TypeOAuthToken, AuthClient: "svc"},
			&vault.SecretValue{AccessToken: strings.Repeat("a", 3000), RefreshToken: "refresh-" + env})
		must(err)
		_, err = v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "key", Env: env}, Type: vault.TypePrivateKey}, &vault.SecretValue{PrivateKey: ecPEM(t)})
		must(err)
		_, err = v.PutRequest(vault.Request{Name: "list", Env: env, Method: "GET", URL: "{{BASE}}/items", Auth: "api"})
		must(err)
	}
}

// snapshot is the whole state of a workspace: catalog and every stored value.
type snapshot struct {
	catalog string
	values  map[string]string
}

func snap(t testing.TB, cat vault.CatalogStore, store *vault.MemoryStore) snapshot {
	t.Helper()
	c, err := cat.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{catalog: string(b), values: map[string]string{}}
	for _, k := range store.Keys() {
		v, err := store.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		s.values[k] = string(v)
	}
	return s
}

func sameSnapshot(t *testing.T, before, after snapshot, what string) {
	t.Helper()
	if before.catalog != after.catalog {
		t.Errorf("%s: the catalog changed", what)
	}
	if !maps.Equal(before.values, after.values) {
		t.Errorf("%s: stored values changed: keys before %q, after %q", what, slices.Sorted(maps.Keys(before.values)), slices.Sorted(maps.Keys(after.values)))
	}
}

// repoOp is one repository change, run against a seeded workspace.
type repoOp struct {
	name string
	run  func(ctx context.Context, v *vault.Vault) error
}

func repoOps(t testing.TB) []repoOp {
	secret := func(v *vault.Vault, env, name string) vault.Secret {
		s, err := v.Secret(env, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	client := func(v *vault.Vault, env, name string) vault.AuthClient {
		c, err := v.Client(env, name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pemKey := ecPEM(t)
	return []repoOp{
		{"create secret", func(ctx context.Context, v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "new", Env: "prod"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k"})
			return err
		}},
		{"update secret value", func(ctx context.Context, v *vault.Vault) error {
			s := secret(v, "prod", "tok")
			s.Description = "rotated"
			_, err := v.PutSecret(ctx, s, &vault.SecretValue{AccessToken: "new-access", RefreshToken: "new-refresh"})
			return err
		}},
		{"create client with a key", func(ctx context.Context, v *vault.Vault) error {
			c := testClient("jwt")
			c.Env, c.AuthMethod = "prod", vault.AuthPrivateKeyJWT
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{PrivateKey: pemKey})
			return err
		}},
		{"replace client secret", func(ctx context.Context, v *vault.Vault) error {
			_, err := v.PutClient(ctx, client(v, "prod", "svc"), &vault.ClientCredentials{ClientSecret: "rotated"})
			return err
		}},
		{"remove client credentials", func(ctx context.Context, v *vault.Vault) error {
			c := client(v, "prod", "svc")
			c.AuthMethod, c.Grant = vault.AuthNone, vault.GrantDeviceCode
			c.Endpoints.Device = "https://auth.example.com/device"
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{})
			return err
		}},
		{"add secret variable", func(ctx context.Context, v *vault.Vault) error {
			return v.SetVar(ctx, "prod", "NEW", "new-secret", true)
		}},
		{"change secret variable", func(ctx context.Context, v *vault.Vault) error {
			return v.SetVar(ctx, "prod", "TOKEN", "changed", true)
		}},
		{"secret variable made plain", func(ctx context.Context, v *vault.Vault) error {
			return v.SetVar(ctx, "prod", "TOKEN", "now-plain", false)
		}},
		{"unset secret variable", func(ctx context.Context, v *vault.Vault) error {
			return v.UnsetVar(ctx, "prod", "OTHER")
		}},
		{"remove secret", func(ctx context.Context, v *vault.Vault) error {
			return v.RemoveSecret(ctx, "prod", "key")
		}},
		{"remove client", func(ctx context.Context, v *vault.Vault) error {
			return v.RemoveClient(ctx, "prod", "svc")
		}},
		{"remove environment", func(ctx context.Context, v *vault.Vault) error {
			return v.RemoveEnv(ctx, "prod")
		}},
		{"apply batch", func(ctx context.Context, v *vault.Vault) error {
			c := testClient("batch-client")
			c.Env = "staging"
			_, err := v.Apply(ctx, vault.Batch{
				Envs:       []vault.Environment{{Name: "staging"}},
				Clients:    []vault.ClientItem{{Client: c, Creds: &vault.ClientCredentials{ClientSecret: "batch-secret"}}},
				Secrets:    []vault.SecretItem{{Secret: vault.Secret{Meta: vault.Meta{Name: "b1", Env: "staging"}, Type: vault.TypeAPIKey}, Value: vault.SecretValue{Key: "b1"}}, {Secret: vault.Secret{Meta: vault.Meta{Name: "b2", Env: "prod"}, Type: vault.TypeSimple}, Value: vault.SecretValue{Username: "u", Passphrase: "p"}}},
				SecretVars: map[string]map[string]string{"prod": {"BATCH": "bv"}, "staging": {"S": "sv"}},
			})
			return err
		}},
	}
}

// S-37: a store failure at any step of any change leaves catalog and store
// exactly as they were.
func TestRepositoryStoreFailureChangesNothing(t *testing.T) {
	t.Parallel()
	for _, op := range repoOps(t) {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			for failAt := 1; ; failAt++ {
				if failAt > 30 {
					t.Fatal("the change never succeeded")
				}
				cat, mem := vault.NewMemoryCatalog(), vault.NewMemoryStore()
				seedRepo(t, vault.New(cat, mem))
				before := snap(t, cat, mem)
				err := op.run(ctx, vault.New(cat, vaulttest.NewFailingStore(mem, failAt)))
				if err == nil {
					if failAt == 1 {
						t.Fatal("the change made no store write to fail")
					}
					if after := snap(t, cat, mem); after.catalog == before.catalog && maps.Equal(after.values, before.values) {
						t.Fatal("the successful change changed nothing")
					}
					return
				}
				if !errors.Is(err, vault.ErrUnavailable) {
					t.Fatalf("failing write %d: err = %v, want the injected ErrUnavailable", failAt, err)
				}
				sameSnapshot(t, before, snap(t, cat, mem), fmt.Sprintf("store write %d failed", failAt))
			}
		})
	}
}

// S-37: a catalog failure after the store writes undoes them.
func TestRepositoryCatalogFailureChangesNothing(t *testing.T) {
	t.Parallel()
	for _, op := range repoOps(t) {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			cat, mem := vault.NewMemoryCatalog(), vault.NewMemoryStore()
			v := vault.New(cat, mem)
			seedRepo(t, v)
			before := snap(t, cat, mem)
			diskFull := errors.New("disk full")
			cat.FailNext = diskFull
			if err := op.run(context.Background(), v); !errors.Is(err, diskFull) {
				t.Fatalf("err = %v, want the injected catalog failure", err)
			}
			sameSnapshot(t, before, snap(t, cat, mem), "catalog write failed")
		})
	}
}

// sabotageStore runs sabotage right after the first write it forwards, to
// break the catalog between the store step and the catalog step.
type sabotageStore struct {
	vault.Store
	once     sync.Once
	sabotage func()
}

func (s *sabotageStore) Set(ctx context.Context, key string, value []byte) error {
	err := s.Store.Set(ctx, key, value)
	s.once.Do(s.sabotage)
	return err
}

func (s *sabotageStore) Delete(ctx context.Context, key string) error {
	err := s.Store.Delete(ctx, key)
	s.once.Do(s.sabotage)
	return err
}

func (s *sabotageStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	undo, err := s.Store.Apply(ctx, changes)
	s.once.Do(s.sabotage)
	return undo, err
}

// S-37: with the file catalog, a catalog that cannot be read back when the
// change is saved leaves the file and the store as they were.
func TestRepositoryFileCatalogFailureChangesNothing(t *testing.T) {
	t.Parallel()
	for _, op := range repoOps(t) {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			cat, err := vault.OpenFileCatalog(home)
			if err != nil {
				t.Fatal(err)
			}
			mem := vault.NewMemoryStore()
			seedRepo(t, vault.New(cat, mem))
			path := filepath.Join(home, vault.CatalogFileName)
			fileBefore, _ := os.ReadFile(path)
			before := snap(t, cat, mem)
			// Swap the catalog for a directory: the repository's re-read
			// under the lock fails (root ignores read-only modes, so a
			// read-only directory would not).
			store := &sabotageStore{Store: mem, sabotage: func() {
				if err := os.Rename(path, path+".aside"); err != nil {
					t.Error(err)
				}
				if err := os.Mkdir(path, 0o700); err != nil {
					t.Error(err)
				}
			}}
			if err := op.run(context.Background(), vault.New(cat, store)); err == nil {
				t.Fatal("the change succeeded although the catalog could not be read")
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path+".aside", path); err != nil {
				t.Fatal(err)
			}
			// The change's intent could not be dropped from a catalog that
			// could not be written: the next command settles it (S-38).
			if _, err := vault.New(cat, mem).Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			fileAfter, _ := os.ReadFile(path)
			if !bytes.Equal(fileBefore, fileAfter) {
				t.Error("the catalog file changed")
			}
			sameSnapshot(t, before, snap(t, cat, mem), "file catalog failed")
		})
	}
}

// Deleting an item deletes all its stored values and chunks: after removing
// everything, the keychain holds no item at all.
func TestRepositoryDeleteRemovesEveryValueAndChunk(t *testing.T) {
	t.Parallel()
	fake := vaulttest.NewFakeKeyring()
	store := vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: testService, ChunkSize: 256})
	cat := vault.NewMemoryCatalog()
	v := vault.New(cat, store)
	seedRepo(t, v)
	ctx := context.Background()
	c, _ := v.Load()
	tok, _ := c.Secret("prod", "tok")
	itemsOf := func(key string) int {
		n := 0
		for _, u := range fake.Users(testService) {
			if u == key || strings.HasPrefix(u, key+"#") {
				n++
			}
		}
		return n
	}
	if n := itemsOf("secret/" + tok.ID); n < 3 {
		t.Fatalf("the 3 KB token is kept in %d items; want it chunked", n)
	}
	if err := v.RemoveSecret(ctx, "prod", "tok"); err != nil {
		t.Fatal(err)
	}
	if n := itemsOf("secret/" + tok.ID); n != 0 {
		t.Fatalf("%d items of the removed secret remain", n)
	}
	if err := v.RemoveClient(ctx, "prod", "svc"); err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveEnv(ctx, "prod"); err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveEnv(ctx, vault.DefaultEnv); err != nil {
		t.Fatal(err)
	}
	if n := fake.Len(); n != 0 {
		t.Fatalf("%d keychain items left after removing everything: %q", n, fake.Users(testService))
	}
}

// S-37: duplicate names, invalid names and unknown environments are refused
// with an error naming what is wrong, and change nothing.
func TestRepositoryRefusesBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(v *vault.Vault) error
		want error
		msg  string
	}{
		{"duplicate secret", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: "prod"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "x"})
			return err
		}, vault.ErrExists, `secret "api" already exists in environment "prod"`},
		{"duplicate client", func(v *vault.Vault) error {
			c := testClient("svc")
			c.Env = "prod"
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{ClientSecret: "x"})
			return err
		}, vault.ErrExists, `auth client "svc" already exists`},
		{"duplicate environment", func(v *vault.Vault) error { _, err := v.AddEnv(vault.Environment{Name: "prod"}); return err }, vault.ErrExists, `environment "prod" already exists`},
		{"duplicate request", func(v *vault.Vault) error {
			_, err := v.PutRequest(vault.Request{Name: "list", Env: "prod", Method: "GET", URL: "https://example.com/"})
			return err
		}, vault.ErrExists, `request "list" already exists`},
		{"rename secret onto another", func(v *vault.Vault) error {
			s, _ := v.Secret("prod", "key")
			s.Name = "api"
			_, err := v.PutSecret(ctx, s, nil)
			return err
		}, vault.ErrExists, `secret "api" already exists`},
		{"empty secret name", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Env: "prod"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "x"})
			return err
		}, vault.ErrInvalid, "name: is required"},
		{"slash in a name", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "a/b", Env: "prod"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "x"})
			return err
		}, vault.ErrInvalid, `name: must not contain "/"`},
		{"control character in a client name", func(v *vault.Vault) error {
			c := testClient("bad\x07name")
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{ClientSecret: "x"})
			return err
		}, vault.ErrInvalid, "control character"},
		{"bad variable name", func(v *vault.Vault) error { return v.SetVar(ctx, "prod", "no/slashes", "x", true) }, vault.ErrInvalid, "may only contain"},
		{"unknown type", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "t", Env: "prod"}, Type: "PASSWORD"}, &vault.SecretValue{Key: "x"})
			return err
		}, vault.ErrInvalid, `type: "PASSWORD" is not one of`},
		{"secret in unknown environment", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "s", Env: "nowhere"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "x"})
			return err
		}, vault.ErrNotConfigured, `no environment "nowhere"`},
		{"client in unknown environment", func(v *vault.Vault) error {
			c := testClient("c")
			c.Env = "nowhere"
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{ClientSecret: "x"})
			return err
		}, vault.ErrNotConfigured, `no environment "nowhere"`},
		{"variable in unknown environment", func(v *vault.Vault) error { return v.SetVar(ctx, "nowhere", "X", "x", true) }, vault.ErrNotConfigured, `no environment "nowhere"`},
		{"remove unknown environment", func(v *vault.Vault) error { return v.RemoveEnv(ctx, "nowhere") }, vault.ErrNotConfigured, `no environment "nowhere"`},
		{"remove unknown secret", func(v *vault.Vault) error { return v.RemoveSecret(ctx, "prod", "nope") }, vault.ErrNotConfigured, `no secret "nope" in environment "prod"`},
		{"token for unknown client", func(v *vault.Vault) error {
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "t", Env: "prod"}, Type: vault.TypeOAuthToken, AuthClient: "ghost"}, &vault.SecretValue{AccessToken: "a"})
			return err
		}, vault.ErrNotConfigured, `no auth client "ghost"`},
		{"method needing a secret without one", func(v *vault.Vault) error {
			c, _ := v.Client("prod", "pub")
			c.AuthMethod = vault.AuthClientSecretBasic
			_, err := v.PutClient(ctx, c, nil)
			return err
		}, vault.ErrInvalid, "clientSecret: is required for client_secret_basic"},
		{"removing a secret the method needs", func(v *vault.Vault) error {
			c, _ := v.Client("prod", "svc")
			_, err := v.PutClient(ctx, c, &vault.ClientCredentials{})
			return err
		}, vault.ErrInvalid, "clientSecret: is required"},
		{"batch with a duplicate inside", func(v *vault.Vault) error {
			_, err := v.Apply(ctx, vault.Batch{Secrets: []vault.SecretItem{
				{Secret: vault.Secret{Meta: vault.Meta{Name: "fresh", Env: "prod"}, Type: vault.TypeAPIKey}, Value: vault.SecretValue{Key: "1"}},
				{Secret: vault.Secret{Meta: vault.Meta{Name: "api", Env: "prod"}, Type: vault.TypeAPIKey}, Value: vault.SecretValue{Key: "2"}},
			}})
			return err
		}, vault.ErrExists, `secret "api" already exists`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cat, mem := vault.NewMemoryCatalog(), vault.NewMemoryStore()
			v := vault.New(cat, mem)
			seedRepo(t, v)
			before := snap(t, cat, mem)
			err := tc.run(v)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q does not say %q", err, tc.msg)
			}
			sameSnapshot(t, before, snap(t, cat, mem), tc.name)
		})
	}
}

// Listing — loading the catalog and the list helpers the TUI and the CLI
// use — makes zero store calls.
func TestListingMakesNoStoreCalls(t *testing.T) {
	t.Parallel()
	cat, mem := vault.NewMemoryCatalog(), vault.NewMemoryStore()
	seedRepo(t, vault.New(cat, mem))
	counting := vaulttest.NewCountingStore(mem)
	v := vault.New(cat, counting)
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	env, err := vault.ResolveEnv(c, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Environments {
		_ = c.ClientsIn(e.Name)
		_ = c.SecretsIn(e.Name)
		_ = c.RequestsIn(e.Name)
	}
	if _, err := v.Secret(env, "api"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Client(env, "svc"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.SavedRequest(env, "list"); err != nil {
		t.Fatal(err)
	}
	if n := len(c.SecretsIn(env)); n != 3 {
		t.Fatalf("listed %d secrets, want 3", n)
	}
	if n := counting.Calls(); n != 0 {
		t.Fatalf("listing made %d store calls, want 0", n)
	}
	// Reading a value is what touches the store.
	s, _ := v.Secret(env, "api")
	if _, err := v.SecretValue(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if n := counting.Calls(); n != 1 {
		t.Fatalf("reading one value made %d store calls, want 1", n)
	}
}

// Removing an auth client unlinks its tokens, so a new client of the same
// name does not inherit them.
func TestRemoveClientUnlinksSecrets(t *testing.T) {
	t.Parallel()
	v := vault.NewMemory()
	seedRepo(t, v)
	ctx := context.Background()
	if err := v.RemoveClient(ctx, "prod", "svc"); err != nil {
		t.Fatal(err)
	}
	tok, err := v.Secret("prod", "tok")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AuthClient != "" {
		t.Fatalf("token still linked to removed client %q", tok.AuthClient)
	}
	other, _ := v.Secret(vault.DefaultEnv, "tok")
	if other.AuthClient != "svc" {
		t.Fatalf("the token of another environment lost its link")
	}
	// The unlinked secret can still be edited.
	tok.Description = "orphaned"
	if _, err := v.PutSecret(ctx, tok, nil); err != nil {
		t.Fatalf("editing the unlinked token: %v", err)
	}
}

// A value the store reports as corrupt can be repaired (replaced) and
// removed through the repository.
func TestCorruptValueCanBeReplacedAndRemoved(t *testing.T) {
	t.Parallel()
	fake := vaulttest.NewFakeKeyring()
	v := vault.New(vault.NewMemoryCatalog(), vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: testService}))
	ctx := context.Background()
	s, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "api", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	fake.PutItem(testService, "secret/"+s.ID, "adk1:v:0000000000000000:AAAA")
	if _, err := v.SecretValue(ctx, s); !errors.Is(err, vault.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if _, err := v.PutSecret(ctx, s, &vault.SecretValue{Key: "k2"}); err != nil {
		t.Fatalf("replacing a corrupt value: %v", err)
	}
	if got, err := v.SecretValue(ctx, s); err != nil || got.Key != "k2" {
		t.Fatalf("after repair: %+v, %v", got.Key, err)
	}
	fake.PutItem(testService, "secret/"+s.ID, "garbage")
	if err := v.RemoveSecret(ctx, vault.DefaultEnv, "api"); err != nil {
		t.Fatalf("removing a secret with a corrupt value: %v", err)
	}
	if n := fake.Len(); n != 0 {
		t.Fatalf("%d items left", n)
	}
}
