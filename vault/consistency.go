package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KeyLister is implemented by stores that can list their keys (never
// values), so that values no catalog item owns can be found.
type KeyLister interface {
	// ListKeys returns every key the store holds, sorted.
	ListKeys(ctx context.Context) ([]string, error)
}

// errNotListable means the store cannot list its keys.
var errNotListable = errors.New("the store cannot list its keys")

// Consistency is what Check found out of step between catalog and store.
type Consistency struct {
	// Pending counts the changes still in flight in the catalog.
	Pending int
	// Orphans are store keys that no catalog item owns.
	Orphans []string
	// Unmatched describes catalog items whose value is gone.
	Unmatched []string
	// Stale counts the secrets whose catalog metadata (scope, expiry,
	// refresh-token flag) differs from their value.
	Stale int
	// Listed says the store listed its keys, so Orphans is complete; a
	// store that cannot list only shows orphans that changes in flight name.
	Listed bool
	// Shared says the store is shared by every workspace of this user (the
	// keychain): a key this catalog does not own may be another
	// workspace's (another AUTHDECK_HOME), so Repair leaves them unless told.
	Shared bool
	// Others counts keys of the store that are not authdeck's own kinds
	// (another workspace's namespace), never touched.
	Others int
}

// Consistent reports whether nothing is out of step.
func (c Consistency) Consistent() bool {
	return c.Pending == 0 && len(c.Orphans) == 0 && len(c.Unmatched) == 0 && c.Stale == 0
}

// ownedKeys lists the store keys the catalog's items own.
func ownedKeys(c *Catalog) []string {
	var keys []string
	for _, e := range c.Environments {
		if e.HasSecretVars() {
			keys = append(keys, envKey(e.ID))
		}
	}
	for _, x := range c.Clients {
		if x.HasSecret {
			keys = append(keys, clientKey(x.ID))
		}
	}
	for _, x := range c.Secrets {
		keys = append(keys, secretKey(x.ID))
	}
	return keys
}

// allKeys returns the owned keys with the store's own (those of authdeck's
// kinds), and how many others the store holds; listed is false when the
// store cannot list.
func (v *Vault) allKeys(ctx context.Context, c *Catalog) (keys []string, others int, listed bool, err error) {
	keys = ownedKeys(c)
	for _, in := range c.Pending {
		keys = append(keys, in.Keys...)
	}
	if kl, ok := v.store.(KeyLister); ok {
		stored, err := kl.ListKeys(ctx)
		switch {
		case err == nil:
			listed = true
			for _, k := range stored {
				if kind, _ := keyOwner(k); kind == "" {
					others++
					continue
				}
				keys = append(keys, k)
			}
		case !errors.Is(err, errNotListable):
			return nil, 0, false, err
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), others, listed, nil
}

// sharedStore reports whether the store is shared by every workspace of
// the user, so that keys this catalog does not own may be another's.
func (v *Vault) sharedStore() bool {
	if ks, ok := v.store.(keysShared); ok {
		return ks.KeysShared()
	}
	return v.store.Backend() == BackendKeychain
}

// keysShared is implemented by stores whose keys other catalogs may own
// too (a team workspace's values, shared by every checkout and branch of
// its folder), whatever the backend.
type keysShared interface {
	KeysShared() bool
}

// storeMayHaveAside reports whether the store, or the one it wraps, may
// have left files aside (only the file vault writes any).
func storeMayHaveAside(s Store) bool {
	f, ok := personalStore(s).(*FileStore)
	if !ok {
		return false
	}
	dirs := map[string][]string{}
	for _, p := range []string{f.path, f.idPath} {
		dirs[filepath.Dir(p)] = append(dirs[filepath.Dir(p)], "."+filepath.Base(p)+".tmp-")
	}
	for dir, prefixes := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			for _, prefix := range prefixes {
				if strings.HasPrefix(e.Name(), prefix) {
					return true
				}
			}
		}
	}
	return false
}

// Check compares catalog and store without changing either: changes left
// in flight, values no item owns, items whose value is gone (S-38).
func (v *Vault) Check(ctx context.Context) (Consistency, error) {
	var out Consistency
	c, err := v.cat.Load()
	if err != nil {
		return out, err
	}
	keys, others, listed, err := v.allKeys(ctx, c)
	if err != nil {
		return out, err
	}
	rc, err := v.reconcile(ctx, c, keys, nil)
	if err != nil {
		return out, err
	}
	out.Pending, out.Listed, out.Shared, out.Others = len(c.Pending), listed, v.sharedStore(), others
	out.Orphans, out.Unmatched = rc.orphans, rc.unmatched
	out.Stale = rc.fixed - len(rc.unmatched)
	return out, nil
}

// Repair settles the changes left in flight, then makes catalog and store
// agree: values no item owns are removed (in a shared store, only when
// pruneShared is set), items whose value is gone are removed (secrets) or
// lose it (a client's credentials, a secret variable), and token metadata
// is derived again from the values. It returns what it did and what is
// still out of step.
func (v *Vault) Repair(ctx context.Context, pruneShared bool) (Recovery, Consistency, error) {
	r, err := v.Recover(ctx)
	if err != nil {
		return r, Consistency{}, err
	}
	if r.Busy {
		return r, Consistency{}, fmt.Errorf("another authdeck process has a change in flight; run the repair again when it is done")
	}
	release, ok, err := v.guard().TryRecovery()
	if err != nil {
		return r, Consistency{}, err
	}
	if !ok {
		return r, Consistency{}, fmt.Errorf("another authdeck process has a change in flight; run the repair again when it is done")
	}
	c, err := v.cat.Load()
	if err != nil {
		release()
		return r, Consistency{}, err
	}
	keys, _, _, err := v.allKeys(ctx, c)
	if err == nil {
		if v.sharedStore() && !pruneShared {
			owned := ownedKeys(c)
			keys = slices.DeleteFunc(keys, func(k string) bool {
				kind, _ := keyOwner(k)
				return kind != "doctor" && !slices.Contains(owned, k)
			})
		}
		err = v.fix(ctx, keys, &r)
	}
	release()
	if err != nil {
		return r, Consistency{}, err
	}
	left, err := v.Check(ctx)
	return r, left, err
}

// fix reconciles keys with the catalog: the store first, the catalog last.
func (v *Vault) fix(ctx context.Context, keys []string, r *Recovery) error {
	c, err := v.cat.Load()
	if err != nil {
		return err
	}
	rc, err := v.reconcile(ctx, c, keys, nil)
	if err != nil {
		return err
	}
	if len(rc.changes) > 0 {
		if _, err := v.store.Apply(ctx, rc.changes); err != nil {
			return err
		}
	}
	if len(rc.fixes) > 0 {
		if _, err := v.cat.Update(func(c *Catalog) error {
			for _, f := range rc.fixes {
				f(c)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	r.Removed += rc.removed
	r.Fixed += rc.fixed
	r.Dropped = append(r.Dropped, rc.dropped...)
	return nil
}

// ListKeys returns the memory store's keys, sorted.
func (m *MemoryStore) ListKeys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, &StoreError{Op: "list", Backend: BackendMemory, Err: ErrTimeout}
	}
	keys := m.Keys()
	slices.Sort(keys)
	return keys, nil
}

// ListKeys returns the file vault's keys, sorted; a vault not written yet
// holds none.
func (f *FileStore) ListKeys(ctx context.Context) ([]string, error) {
	if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return f.Keys(ctx)
}

// keyringLister is implemented by keyrings that can list the accounts they
// hold for a service (the Secret Service).
type keyringLister interface {
	// List returns the account names stored for service.
	List(service string) ([]string, error)
}

// ListKeys returns the keys of the values the keychain holds for this
// service (chunk items are parts of those), sorted; a keyring that cannot
// list is errNotListable.
func (k *KeychainStore) ListKeys(ctx context.Context) ([]string, error) {
	kl, ok := k.provider.(keyringLister)
	if !ok {
		return nil, k.fail("list", "", errNotListable)
	}
	if err := k.begin(ctx); err != nil {
		return nil, k.fail("list", "", err)
	}
	defer k.end()
	var users []string
	err := k.call(ctx, func() error {
		var err error
		users, err = kl.List(k.service)
		return err
	})
	if err != nil {
		return nil, k.fail("list", "", err)
	}
	var keys []string
	for _, u := range users {
		if strings.Contains(u, "#") {
			continue // a chunk of a value
		}
		keys = append(keys, strings.NewReplacer("%23", "#", "%25", "%").Replace(u))
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// sweepAside removes the files aside that interrupted writes of the vault
// file and its identity left, under the vault's lock (every write holds it
// from the file aside to the rename).
func (f *FileStore) sweepAside(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	err := f.locked(ctx, func() error {
		for _, p := range []string{f.path, f.idPath} {
			k, err := sweepFiles(filepath.Dir(p), "."+filepath.Base(p)+".tmp-")
			n += k
			if err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
