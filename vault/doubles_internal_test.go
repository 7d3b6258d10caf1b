package vault

import (
	"context"
	"sync"
	"sync/atomic"
)

// The internal tests cannot import vaulttest (it imports vault), so they keep
// the two store doubles they need here.

// countingStore counts calls to the store it wraps.
type countingStore struct {
	Store
	calls atomic.Int64
}

func newCountingStore(s Store) *countingStore { return &countingStore{Store: s} }

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.calls.Add(1)
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Set(ctx context.Context, key string, value []byte) error {
	c.calls.Add(1)
	return c.Store.Set(ctx, key, value)
}

func (c *countingStore) Delete(ctx context.Context, key string) error {
	c.calls.Add(1)
	return c.Store.Delete(ctx, key)
}

func (c *countingStore) Calls() int64 { return c.calls.Load() }

// failingStore fails the failAt-th write (1-based) with ErrUnavailable.
type failingStore struct {
	Store
	mu             sync.Mutex
	failAt, writes int
}

func newFailingStore(s Store, failAt int) *failingStore {
	return &failingStore{Store: s, failAt: failAt}
}

func (f *failingStore) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	return f.failAt > 0 && f.writes == f.failAt
}

func (f *failingStore) Set(ctx context.Context, key string, value []byte) error {
	if f.fail() {
		return &StoreError{Op: "set", Backend: f.Backend(), Key: key, Err: ErrUnavailable}
	}
	return f.Store.Set(ctx, key, value)
}

func (f *failingStore) Delete(ctx context.Context, key string) error {
	if f.fail() {
		return &StoreError{Op: "delete", Backend: f.Backend(), Key: key, Err: ErrUnavailable}
	}
	return f.Store.Delete(ctx, key)
}
