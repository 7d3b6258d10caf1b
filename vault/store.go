package vault

import (
	"context"
	"sync"
)

// Store keeps secret values under string keys. Implementations must be safe
// for concurrent use, must never log or wrap a value into an error, and return
// errors that wrap ErrNotFound, ErrLocked, ErrUnavailable, ErrTimeout,
// ErrTooLarge or ErrCorrupt.
type Store interface {
	// Get returns the value stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key, replacing any previous value.
	Set(ctx context.Context, key string, value []byte) error
	// Delete removes the value (and every chunk of it); a missing key is ErrNotFound.
	Delete(ctx context.Context, key string) error
	// Apply makes every change of a batch or none of them, with as few
	// backend writes as the backend allows (the file vault: one). It
	// returns the changes that undo the batch (each changed key's previous
	// value, or its removal), so a caller whose next step fails can put the
	// store back with one more Apply. A batch naming one key twice is
	// ErrInvalid; removing a key that holds nothing changes nothing.
	Apply(ctx context.Context, changes []Change) ([]Change, error)
	// Backend names the backend: "keychain", "file" or "memory".
	Backend() string
}

// Backend names.
const (
	BackendKeychain = "keychain"
	BackendFile     = "file"
	BackendMemory   = "memory"
)

// BackendLabel is how the UI names a backend.
func BackendLabel(name string) string {
	switch name {
	case BackendKeychain:
		return "keychain"
	case BackendFile:
		return "encrypted file"
	case BackendMemory:
		return "memory demo"
	}
	return name
}

// MemoryStore is a Store that keeps values in process memory and never persists them.
type MemoryStore struct {
	mu     sync.RWMutex
	values map[string][]byte
}

// NewMemoryStore returns an empty memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{values: map[string][]byte{}}
}

// Get returns a copy of the value under key.
func (m *MemoryStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &StoreError{Op: "get", Backend: BackendMemory, Key: key, Err: ErrTimeout}
	}
	m.mu.RLock()
	v, ok := m.values[key]
	m.mu.RUnlock()
	if !ok {
		return nil, &StoreError{Op: "get", Backend: BackendMemory, Key: key, Err: ErrNotFound}
	}
	return append([]byte(nil), v...), nil
}

// Set stores a copy of value under key.
func (m *MemoryStore) Set(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return &StoreError{Op: "set", Backend: BackendMemory, Key: key, Err: ErrTimeout}
	}
	m.mu.Lock()
	m.values[key] = append([]byte(nil), value...)
	m.mu.Unlock()
	return nil
}

// Delete removes key.
func (m *MemoryStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return &StoreError{Op: "delete", Backend: BackendMemory, Key: key, Err: ErrTimeout}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.values[key]; !ok {
		return &StoreError{Op: "delete", Backend: BackendMemory, Key: key, Err: ErrNotFound}
	}
	delete(m.values, key)
	return nil
}

// Apply makes every change at once, under the store's lock.
func (m *MemoryStore) Apply(ctx context.Context, changes []Change) ([]Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, &StoreError{Op: "apply", Backend: BackendMemory, Key: batchKey(changes), Err: ErrTimeout}
	}
	if err := checkBatch(changes); err != nil {
		return nil, &StoreError{Op: "apply", Backend: BackendMemory, Err: err}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	undo := make([]Change, 0, len(changes))
	for _, c := range changes {
		prev, had := m.values[c.Key]
		if c.Delete {
			if !had {
				continue
			}
			delete(m.values, c.Key)
		} else {
			m.values[c.Key] = append([]byte(nil), c.Value...)
		}
		undo = append(undo, undoOf(c.Key, prev, had))
	}
	return undo, nil
}

// Backend returns "memory".
func (m *MemoryStore) Backend() string { return BackendMemory }

// Keys returns the stored keys (for tests and diagnostics; never values).
func (m *MemoryStore) Keys() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	keys := make([]string, 0, len(m.values))
	for k := range m.values {
		keys = append(keys, k)
	}
	return keys
}
