package main

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// countingCatalog counts catalog writes.
type countingCatalog struct {
	vault.CatalogStore
	updates atomic.Int64
}

func (c *countingCatalog) Update(fn func(*vault.Catalog) error) (*vault.Catalog, error) {
	c.updates.Add(1)
	return c.CatalogStore.Update(fn)
}

// The store calls each token command makes, counted twice: at the Store
// interface and, beneath it, as keychain calls (items read, written,
// deleted) on a keychain backend over a fake keyring. A token from the
// vault is one read of the token set and no catalog write; a forced client
// credentials grant reads the client secret and writes the token set in one
// batch, whose undo copy comes from the same item read that finds where to
// write.
func TestTokenStoreCallsPerCommand(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	fake := vaulttest.NewFakeKeyring()
	counted := vaulttest.NewCountingStore(vault.NewKeychainStore(vault.KeychainOptions{Provider: fake, Service: "authdeck-calls-test", Timeout: 5 * time.Second}))
	cat := &countingCatalog{CatalogStore: vault.NewMemoryCatalog()}
	v := vault.New(cat, counted)
	h := newHarnessWith(t, v)
	realNow(h)
	addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, "api:read")

	type counts struct{ gets, sets, deletes, applies, keychain, catalog int64 }
	measure := func(args ...string) counts {
		t.Helper()
		g0, s0, d0, a0 := counted.Counts()
		k0, c0 := fake.Calls(), cat.updates.Load()
		h.must("", args...)
		g, st, d, a := counted.Counts()
		return counts{g - g0, st - s0, d - d0, a - a0, fake.Calls() - k0, cat.updates.Load() - c0}
	}

	// The first token: the client secret is read, the new token set written.
	// The catalog is written twice: the change's intent before the store
	// write, then the change itself, which drops the intent (S-38).
	if c := measure("token", "svc"); c != (counts{gets: 1, applies: 1, keychain: 3, catalog: 2}) {
		t.Errorf("first token: %+v, want 1 get and 1 batch (3 keychain calls), 2 catalog writes (intent, change)", c)
	}
	for _, args := range [][]string{{"token", "svc"}, {"token", "svc", "-f", "header"}, {"token", "svc", "-f", "json"}} {
		if c := measure(args...); c != (counts{gets: 1, keychain: 1}) {
			t.Errorf("%v from the vault: %+v, want exactly 1 get (1 keychain call) and no catalog write", args, c)
		}
	}
	// Forced: client secret read + the write, which replaces the stored
	// set. Replacing a value its item keeps needs no intent: one catalog
	// write.
	for range 2 {
		if c := measure("token", "svc", "--force"); c != (counts{gets: 1, applies: 1, keychain: 3, catalog: 1}) {
			t.Errorf("token --force: %+v, want 1 get and 1 batch (3 keychain calls: read the secret, read the set's item, write it), 1 catalog write", c)
		}
	}
}
