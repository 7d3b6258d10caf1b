package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Vault is the repository over a catalog and a secret store. Every change
// records its intent in the catalog, writes the store, then the catalog
// (dropping the intent), and undoes the store writes when a later step
// fails, so the two never disagree; a change a crash interrupted is settled
// by Recover.
type Vault struct {
	cat   CatalogStore
	store Store
	// Now returns the current time (replaceable in tests).
	Now func() time.Time
	// UndoTimeout bounds the undo of a failed change, per value it puts back.
	UndoTimeout time.Duration
	// local guards changes in flight when the catalog has no pendingGuard.
	local rwGuard
}

// New returns a vault over cat and store.
func New(cat CatalogStore, store Store) *Vault {
	return &Vault{cat: cat, store: store, Now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }, UndoTimeout: 3 * time.Second}
}

// NewMemory returns a vault that keeps catalog and values in memory only.
func NewMemory() *Vault { return New(NewMemoryCatalog(), NewMemoryStore()) }

// Store returns the secret store.
func (v *Vault) Store() Store { return v.store }

// Warmer is implemented by stores that can get ready for their first call
// in the background (connect, open a session), so that this work overlaps
// what the caller does before it needs the store.
type Warmer interface {
	// Warm starts getting ready and returns at once; it never prompts.
	Warm()
}

// Warm lets the store get ready in the background when it can; call it when
// a store call is sure to follow (a token command), never at start-up.
func (v *Vault) Warm() {
	if w, ok := v.store.(Warmer); ok {
		w.Warm()
	}
}

// Catalogs returns the catalog store.
func (v *Vault) Catalogs() CatalogStore { return v.cat }

// Backend returns the store backend name.
func (v *Vault) Backend() string { return v.store.Backend() }

// Load returns the current catalog. It never touches the secret store.
func (v *Vault) Load() (*Catalog, error) { return v.cat.Load() }

// Store keys. Values are keyed by item ID so renames never move secrets.
func secretKey(id string) string { return "secret/" + id }
func clientKey(id string) string { return "client/" + id }
func envKey(id string) string    { return "env/" + id }

// ResolveEnv picks the environment to use: the first non-empty candidate
// (a --env flag, $AUTHDECK_ENV), else the catalog's active environment. The
// environment must exist.
func ResolveEnv(c *Catalog, candidates ...string) (string, error) {
	name := c.ActiveEnv
	for _, cand := range candidates {
		if cand != "" {
			name = cand
			break
		}
	}
	if name == "" {
		name = DefaultEnv
	}
	if _, ok := c.Env(name); !ok {
		return "", &NotFoundError{Kind: "environment", Name: name}
	}
	return name, nil
}

// lookup returns a copy of the item of kind named name in env, as find
// finds it in the current catalog; a missing environment or item is a
// NotFoundError that says which.
func lookup[T any](v *Vault, kind, env, name string, find func(c *Catalog, env, name string) (*T, bool)) (T, error) {
	var zero T
	c, err := v.cat.Load()
	if err != nil {
		return zero, err
	}
	if _, ok := c.Env(env); !ok {
		return zero, &NotFoundError{Kind: "environment", Name: env}
	}
	x, ok := find(c, env, name)
	if !ok {
		return zero, &NotFoundError{Kind: kind, Name: name, Env: env}
	}
	return *x, nil
}

// getJSON reads the value stored under key into out. A value that does not
// decode is reported as corrupt, never returned as found.
func (v *Vault) getJSON(ctx context.Context, key string, out any) error {
	b, err := v.store.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &StoreError{Op: "get", Backend: v.store.Backend(), Key: key, Err: ErrCorrupt}
	}
	return nil
}

// upsert appends x when creating, else puts x in place of the item it
// replaces; finding none is the notFound error.
func upsert[T any](list *[]T, x T, creating bool, replaces func(T) bool, notFound error) error {
	if creating {
		*list = append(*list, x)
		return nil
	}
	i := slices.IndexFunc(*list, replaces)
	if i < 0 {
		return notFound
	}
	(*list)[i] = x
	return nil
}

// removeWhere deletes the items of *list that match; deleting none is the
// notFound error.
func removeWhere[T any](list *[]T, match func(T) bool, notFound error) error {
	n := len(*list)
	*list = slices.DeleteFunc(*list, match)
	if len(*list) == n {
		return notFound
	}
	return nil
}

// valueWrite is one store write of a change: a value to set, or nil to delete.
type valueWrite struct {
	key   string
	value []byte
}

// commit applies writes to the store as one batch, then fn to the catalog,
// with the change's intent recorded in the catalog first (see apply).
func (v *Vault) commit(ctx context.Context, writes []valueWrite, fn func(*Catalog) error) (*Catalog, error) {
	return v.commitShared(ctx, writes, nil, fn)
}

// commitShared is commit for a change that also stores shared values,
// which a team workspace's catalog keeps itself (SharingCatalog) in the
// same change as the catalog.
func (v *Vault) commitShared(ctx context.Context, writes []valueWrite, shared []Change, fn func(*Catalog) error) (*Catalog, error) {
	if len(shared) > 0 {
		if _, ok := v.cat.(SharingCatalog); !ok {
			return nil, errNotShared
		}
	}
	return v.apply(ctx, change{writes: writes, shared: shared, fn: fn})
}

// commitStore applies changes to the store as one batch, then fn (with the
// shared values) to the catalog. When the catalog step fails, the batch is
// undone with the previous values the store handed back, so store and
// catalog never disagree — unless onFail is keepStored, for values whose
// catalog details are derived from them again on their next read. With the
// file catalog, the changed catalog is computed and written aside (synced)
// while the store writes, and put in place only once the store write
// succeeded.
func (v *Vault) commitStore(ctx context.Context, changes []Change, shared []Change, fn func(*Catalog) error, onFail storeOnFail) (*Catalog, error) {
	type prepared struct {
		p   *preparedChange
		err error
	}
	var ready chan prepared
	if fc, ok := v.cat.(*FileCatalog); ok && len(shared) == 0 {
		ready = make(chan prepared, 1)
		go func() {
			p, err := fc.prepare(fn)
			ready <- prepared{p, err}
		}()
	}
	undo, err := v.store.Apply(ctx, changes)
	crashPoint("store-applied")
	if onFail == keepStored {
		undo = nil
	}
	if ready != nil {
		r := <-ready
		if err != nil {
			if r.p != nil {
				r.p.abort()
			}
			return nil, err
		}
		var c *Catalog
		if err = r.err; err == nil {
			c, err = r.p.commit()
		}
		if err == nil {
			return c, nil
		}
		return nil, v.undo(ctx, undo, onFail.say(err))
	}
	if err != nil {
		return nil, err
	}
	c, err := v.update(shared, fn)
	if err != nil {
		return nil, v.undo(ctx, undo, onFail.say(err))
	}
	return c, nil
}

// storeOnFail says what commitStore does with the store writes when the
// catalog step after them fails.
type storeOnFail bool

const (
	// putBack restores the values the writes replaced.
	putBack storeOnFail = false
	// keepStored leaves the new values stored (see apply's overwrite).
	keepStored storeOnFail = true
)

// say is the error of a failed catalog step, saying what became of the
// store writes when they were kept.
func (f storeOnFail) say(err error) error {
	if f == keepStored {
		return fmt.Errorf("%w (the new value is stored; its details in the catalog are put right when it is next read)", err)
	}
	return err
}

// undo puts back what a batch changed after a later step failed with cause.
func (v *Vault) undo(ctx context.Context, undo []Change, cause error) error {
	if len(undo) == 0 {
		return cause
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.UndoTimeout*time.Duration(len(undo)))
	defer cancel()
	if _, err := v.store.Apply(uctx, undo); err != nil {
		return &putBackError{cause: cause, failed: err}
	}
	return cause
}

func mustJSON(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		panic(fmt.Sprintf("vault: value does not marshal: %v", err))
	}
	return b
}
