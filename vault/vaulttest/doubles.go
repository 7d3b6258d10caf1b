package vaulttest

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/authdeck/authdeck/vault"
)

// CountingStore wraps a vault.Store and counts calls, so tests can assert
// that an operation (listing, start-up) makes no store calls.
type CountingStore struct {
	vault.Store
	gets, sets, deletes, applies atomic.Int64
}

// NewCountingStore wraps s.
func NewCountingStore(s vault.Store) *CountingStore { return &CountingStore{Store: s} }

// Get counts and forwards.
func (c *CountingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, key)
}

// Set counts and forwards.
func (c *CountingStore) Set(ctx context.Context, key string, value []byte) error {
	c.sets.Add(1)
	return c.Store.Set(ctx, key, value)
}

// Delete counts and forwards.
func (c *CountingStore) Delete(ctx context.Context, key string) error {
	c.deletes.Add(1)
	return c.Store.Delete(ctx, key)
}

// Apply counts one call for the whole batch and forwards.
func (c *CountingStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	c.applies.Add(1)
	return c.Store.Apply(ctx, changes)
}

// Calls returns the total number of calls so far (a batch counts as one).
func (c *CountingStore) Calls() int64 {
	return c.gets.Load() + c.sets.Load() + c.deletes.Load() + c.applies.Load()
}

// Counts returns the calls so far by kind: Get, Set, Delete, Apply.
func (c *CountingStore) Counts() (gets, sets, deletes, applies int64) {
	return c.gets.Load(), c.sets.Load(), c.deletes.Load(), c.applies.Load()
}

// FailingStore wraps a vault.Store and fails the Nth write (Set or Delete,
// each change of a batch counting as one) from now, for tests that prove a
// failed step leaves everything as it was.
type FailingStore struct {
	vault.Store
	mu     sync.Mutex
	failAt int
	writes int
	// FailWith is the error the failing write wraps (vault.ErrUnavailable by default).
	FailWith error
}

// NewFailingStore wraps s; the failAt-th write (1-based) fails. Zero never fails.
func NewFailingStore(s vault.Store, failAt int) *FailingStore {
	return &FailingStore{Store: s, failAt: failAt, FailWith: vault.ErrUnavailable}
}

func (f *FailingStore) shouldFail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	return f.failAt > 0 && f.writes == f.failAt
}

// Set fails on the configured write, else forwards.
func (f *FailingStore) Set(ctx context.Context, key string, value []byte) error {
	if f.shouldFail() {
		return &vault.StoreError{Op: "set", Backend: f.Backend(), Key: key, Err: f.FailWith}
	}
	return f.Store.Set(ctx, key, value)
}

// Delete fails on the configured write, else forwards.
func (f *FailingStore) Delete(ctx context.Context, key string) error {
	if f.shouldFail() {
		return &vault.StoreError{Op: "delete", Backend: f.Backend(), Key: key, Err: f.FailWith}
	}
	return f.Store.Delete(ctx, key)
}

// Apply makes the batch one change at a time, each a write that may be the
// failing one, and puts back what it had changed when one fails: the way the
// keychain applies a batch.
func (f *FailingStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	return vault.ApplyEach(ctx, f, changes)
}
