package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault/jsonpos"
)

// SchemaVersion is the catalog format version this build reads and writes.
const SchemaVersion = 1

// DefaultEnv is the environment a fresh workspace starts with.
const DefaultEnv = "default"

// Catalog is everything authdeck knows except secret values.
type Catalog struct {
	Version      int           `json:"version"`
	ActiveEnv    string        `json:"activeEnv"`
	Environments []Environment `json:"environments"`
	Clients      []AuthClient  `json:"clients"`
	Secrets      []Secret      `json:"secrets"`
	Requests     []Request     `json:"requests"`
	Settings     Settings      `json:"settings"`
	// Pending are the changes in flight: recorded before their store
	// writes, dropped by the catalog write that completes them (S-38).
	Pending []Intent `json:"pending,omitempty"`
}

// NewCatalog returns the catalog of a fresh workspace: one "default" environment.
func NewCatalog() *Catalog {
	return &Catalog{
		Version:      SchemaVersion,
		ActiveEnv:    DefaultEnv,
		Environments: []Environment{{ID: NewID(), Name: DefaultEnv}},
	}
}

// Clone returns a deep copy, so callers can hand snapshots to other goroutines.
func (c *Catalog) Clone() *Catalog {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("vault: catalog does not marshal: %v", err))
	}
	var out Catalog
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("vault: catalog does not unmarshal: %v", err))
	}
	return &out
}

// Env returns the environment with the given name.
func (c *Catalog) Env(name string) (*Environment, bool) {
	for i := range c.Environments {
		if c.Environments[i].Name == name {
			return &c.Environments[i], true
		}
	}
	return nil, false
}

// Client returns the auth client with the given name in env.
func (c *Catalog) Client(env, name string) (*AuthClient, bool) {
	for i := range c.Clients {
		if c.Clients[i].Env == env && c.Clients[i].Name == name {
			return &c.Clients[i], true
		}
	}
	return nil, false
}

// Secret returns the secret with the given name in env.
func (c *Catalog) Secret(env, name string) (*Secret, bool) {
	for i := range c.Secrets {
		if c.Secrets[i].Env == env && c.Secrets[i].Name == name {
			return &c.Secrets[i], true
		}
	}
	return nil, false
}

// Request returns the saved request with the given name in env.
func (c *Catalog) Request(env, name string) (*Request, bool) {
	for i := range c.Requests {
		if c.Requests[i].Env == env && c.Requests[i].Name == name {
			return &c.Requests[i], true
		}
	}
	return nil, false
}

// ClientsIn returns the auth clients of env, in catalog order.
func (c *Catalog) ClientsIn(env string) []AuthClient {
	return inEnv(c.Clients, env, func(x *AuthClient) string { return x.Env })
}

// SecretsIn returns the secrets of env, in catalog order.
func (c *Catalog) SecretsIn(env string) []Secret {
	return inEnv(c.Secrets, env, func(x *Secret) string { return x.Env })
}

// RequestsIn returns the saved requests of env, in catalog order.
func (c *Catalog) RequestsIn(env string) []Request {
	return inEnv(c.Requests, env, func(x *Request) string { return x.Env })
}

// inEnv copies the items of env into a slice of their number: items are a
// few hundred bytes each and a workspace may have thousands, which growing
// the result by appending would copy several times over.
func inEnv[T any](items []T, env string, envOf func(*T) string) []T {
	n := 0
	for i := range items {
		if envOf(&items[i]) == env {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]T, 0, n)
	for i := range items {
		if envOf(&items[i]) == env {
			out = append(out, items[i])
		}
	}
	return out
}

// CatalogStore loads and updates the catalog. Update must keep every field
// of the Catalog it is given, Pending included: the repository records a
// change's intent there before it writes the store. A store shared between
// processes also implements pendingGuard.
type CatalogStore interface {
	// Load returns the current catalog (a fresh one when none exists yet).
	Load() (*Catalog, error)
	// Update runs fn on the latest catalog under an exclusive lock and saves
	// the result; when fn fails nothing is written.
	Update(fn func(*Catalog) error) (*Catalog, error)
	// Location describes where the catalog lives ("memory" or a path).
	Location() string
}

// FileCatalog keeps the catalog in one JSON file under the authdeck home
// directory: 0700 directory, 0600 file, atomic writes, a cross-process lock.
type FileCatalog struct {
	dir  string
	path string
	lock *flock.Flock
	mu   sync.Mutex // serialises Update within the process (flock is per fd)

	// pending is held shared by every process with a change in flight and
	// exclusively by a recovery (pending.lock); held counts this
	// process's changes in flight, the first taking the lock and the last
	// letting it go.
	pmu     sync.Mutex
	pending *flock.Flock
	held    int
}

// pendingLockName is the lock file of changes in flight, beside the catalog.
const pendingLockName = "pending.lock"

// CatalogFileName is the catalog's file name inside the home directory.
const CatalogFileName = "catalog.json"

// OpenFileCatalog prepares dir (creating it 0700) and returns its catalog.
// Nothing is read until Load.
func OpenFileCatalog(dir string) (*FileCatalog, error) {
	if err := EnsurePrivateDir(dir); err != nil {
		return nil, err
	}
	return &FileCatalog{
		dir:     dir,
		path:    filepath.Join(dir, CatalogFileName),
		lock:    flock.New(filepath.Join(dir, "catalog.lock")),
		pending: flock.New(filepath.Join(dir, pendingLockName), flock.SetPermissions(0o600)),
	}, nil
}

// Location returns the catalog file path.
func (f *FileCatalog) Location() string { return f.path }

// Load reads the catalog file. A workspace without one is created on the
// spot, under the lock: the default environment's ID is minted once and
// stored, so every later call and every other process sees the same one,
// and values stored under it before the first change are never orphaned.
func (f *FileCatalog) Load() (*Catalog, error) {
	c, err := f.read()
	if errors.Is(err, fs.ErrNotExist) {
		return f.create()
	}
	return c, err
}

// read reads and parses the catalog file; a missing file is fs.ErrNotExist.
func (f *FileCatalog) read() (*Catalog, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("reading catalog: %w", err)
	}
	return parseCatalog(f.path, data)
}

// create writes a fresh catalog unless another process has written one
// since read found none.
func (f *FileCatalog) create() (*Catalog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.lock.Lock(); err != nil {
		return nil, fmt.Errorf("locking catalog: %w", err)
	}
	defer func() { _ = f.lock.Unlock() }()
	c, err := f.read()
	if !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	c = NewCatalog()
	if err := f.write(c); err != nil {
		return nil, fmt.Errorf("creating the workspace: %w", err)
	}
	return c, nil
}

// preparedChange is a catalog change computed and written aside (synced)
// without the lock, to be put in place by commit.
type preparedChange struct {
	f    *FileCatalog
	fn   func(*Catalog) error
	base []byte // the catalog file the change was computed on
	tmp  string // the changed catalog, aside; empty when there was no file
	c    *Catalog
}

// prepare computes fn's change on the catalog as it is now and writes the
// result beside it, synced, holding no lock: the slow part of a change can
// overlap other work (the store write that comes first) while nothing is
// visible. A catalog that does not read, or fn failing, is an error with
// nothing left aside.
func (f *FileCatalog) prepare(fn func(*Catalog) error) (*preparedChange, error) {
	p := &preparedChange{f: f, fn: fn}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil // commit creates the catalog under the lock, as Update does
	}
	if err != nil {
		return nil, fmt.Errorf("reading catalog: %w", err)
	}
	c, err := parseCatalog(f.path, data)
	if err != nil {
		return nil, err
	}
	if err := fn(c); err != nil {
		return nil, err
	}
	out, err := encodeCatalog(c)
	if err != nil {
		return nil, err
	}
	tmp, err := WriteAside(f.path, out)
	if err != nil {
		return nil, fmt.Errorf("writing catalog: %w", err)
	}
	p.base, p.tmp, p.c = data, tmp, c
	return p, nil
}

// commit takes the lock and puts the prepared catalog in place when the
// file is still the one it was computed on; when another change came in
// between, it runs fn again on the latest catalog, as Update does.
func (p *preparedChange) commit() (*Catalog, error) {
	f := p.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.lock.Lock(); err != nil {
		p.abort()
		return nil, fmt.Errorf("locking catalog: %w", err)
	}
	defer func() { _ = f.lock.Unlock() }()
	if p.tmp != "" {
		now, err := os.ReadFile(f.path)
		if err == nil && bytes.Equal(now, p.base) {
			if err := putInPlace(p.tmp, f.path); err != nil {
				return nil, fmt.Errorf("writing catalog: %w", err)
			}
			return p.c, nil
		}
		p.abort()
	}
	c, err := f.read()
	if errors.Is(err, fs.ErrNotExist) {
		c, err = NewCatalog(), nil
	}
	if err != nil {
		return nil, err
	}
	if err := p.fn(c); err != nil {
		return nil, err
	}
	if err := f.write(c); err != nil {
		return nil, err
	}
	return c, nil
}

// abort removes the prepared catalog.
func (p *preparedChange) abort() {
	if p.tmp != "" {
		_ = os.Remove(p.tmp)
		p.tmp = ""
	}
}

func encodeCatalog(c *Catalog) ([]byte, error) {
	c.Version = SchemaVersion
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encoding catalog: %w", err)
	}
	return append(data, '\n'), nil
}

// write saves c atomically; the caller holds the lock.
func (f *FileCatalog) write(c *Catalog) error {
	data, err := encodeCatalog(c)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(f.path, data); err != nil {
		return fmt.Errorf("writing catalog: %w", err)
	}
	return nil
}

// parseCatalog decodes catalog bytes; errors name the file and the line:column.
func parseCatalog(path string, data []byte) (*Catalog, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: %s is empty (truncated?); it was left untouched — restore it from a backup or move it away to start afresh", ErrCatalogCorrupt, path)
	}
	var c Catalog
	envs, clients, secrets, requests := catalogLens(data)
	c.Environments, c.Clients = sized[Environment](envs), sized[AuthClient](clients)
	c.Secrets, c.Requests = sized[Secret](secrets), sized[Request](requests)
	// goccy/go-json decodes about 3× faster than encoding/json, which
	// keeps start-up within budget at 10,000 items (see BenchmarkCatalogLoad).
	// Only a file it rejects is parsed again with encoding/json, whose
	// errors give the line:column.
	if err := gojson.UnmarshalWithOption(data, &c, gojson.DecodeNoCopyString()); err != nil {
		return nil, catalogParseError(path, data, err)
	}
	if c.Version == 0 {
		return nil, fmt.Errorf("%w: %s: no schema version", ErrCatalogCorrupt, path)
	}
	if c.Version > SchemaVersion {
		return nil, fmt.Errorf("%w: %s has schema version %d; this authdeck reads up to %d — upgrade authdeck", ErrCatalogCorrupt, path, c.Version, SchemaVersion)
	}
	return &c, nil
}

// sized returns an empty list with room for n items, or nil for none: a
// list the file does not have stays nil, as the decoder leaves it.
func sized[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, 0, n)
}

// catalogParseError describes why data is not a catalog, in encoding/json's
// terms (line:column).
func catalogParseError(path string, data []byte, fastErr error) error {
	var c Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&c)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s: %s; it was left untouched — restore it from a backup or move it away to start afresh", ErrCatalogCorrupt, path, jsonpos.Describe(data, err))
	case dec.More():
		return fmt.Errorf("%w: %s: unexpected data after the catalog object", ErrCatalogCorrupt, path)
	}
	return fmt.Errorf("%w: %s: %v; it was left untouched — restore it from a backup or move it away to start afresh", ErrCatalogCorrupt, path, fastErr)
}

// Update locks the catalog across processes, re-reads it, applies fn and
// writes the result atomically.
func (f *FileCatalog) Update(fn func(*Catalog) error) (*Catalog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.lock.Lock(); err != nil {
		return nil, fmt.Errorf("locking catalog: %w", err)
	}
	defer func() { _ = f.lock.Unlock() }()
	c, err := f.read()
	if errors.Is(err, fs.ErrNotExist) {
		c, err = NewCatalog(), nil
	}
	if err != nil {
		return nil, err
	}
	if err := fn(c); err != nil {
		return nil, err
	}
	if err := f.write(c); err != nil {
		return nil, err
	}
	return c, nil
}

// MemoryCatalog is a CatalogStore that lives in process memory only.
type MemoryCatalog struct {
	mu sync.Mutex
	c  *Catalog
	// FailNext makes the next Update fail with this error (for consistency tests).
	FailNext error
}

// NewMemoryCatalog returns a fresh in-memory catalog.
func NewMemoryCatalog() *MemoryCatalog { return &MemoryCatalog{c: NewCatalog()} }

// Location returns "memory".
func (m *MemoryCatalog) Location() string { return "memory" }

// Load returns a copy of the catalog.
func (m *MemoryCatalog) Load() (*Catalog, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c.Clone(), nil
}

// Update applies fn to a copy and keeps it when fn succeeds.
func (m *MemoryCatalog) Update(fn func(*Catalog) error) (*Catalog, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.FailNext; err != nil {
		m.FailNext = nil
		return nil, err
	}
	c := m.c.Clone()
	if err := fn(c); err != nil {
		return nil, err
	}
	m.c = c
	return c.Clone(), nil
}

// HoldPending takes the pending lock shared for a change in flight; it
// waits while a recovery holds it (S-38).
func (f *FileCatalog) HoldPending(ctx context.Context) (func(), error) {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	if f.held == 0 {
		ok, err := f.pending.TryRLockContext(ctx, 5*time.Millisecond)
		if err != nil || !ok {
			if cerr := ctx.Err(); cerr != nil {
				return nil, ctxTimeout(cerr)
			}
			return nil, fmt.Errorf("locking %s: %w", f.pending.Path(), err)
		}
	}
	f.held++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.pmu.Lock()
			defer f.pmu.Unlock()
			f.held--
			if f.held == 0 {
				_ = f.pending.Unlock()
			}
		})
	}, nil
}

// TryRecovery takes the pending lock exclusively when no process, this one
// included, has a change in flight.
func (f *FileCatalog) TryRecovery() (func(), bool, error) {
	f.pmu.Lock()
	if f.held > 0 {
		f.pmu.Unlock()
		return nil, false, nil
	}
	excl := flock.New(f.pending.Path(), flock.SetPermissions(0o600))
	ok, err := excl.TryLock()
	if err != nil || !ok {
		f.pmu.Unlock()
		if err != nil {
			return nil, false, fmt.Errorf("locking %s: %w", excl.Path(), err)
		}
		return nil, false, nil
	}
	// f.pmu stays held: no change of this process starts during recovery.
	return func() {
		_ = excl.Close()
		f.pmu.Unlock()
	}, true, nil
}

// asidePrefix starts the names of catalog files written aside.
func (f *FileCatalog) asidePrefix() string { return "." + filepath.Base(f.path) + ".tmp-" }

// mayNeedRecovery reports whether the catalog file mentions changes in
// flight or files written aside lie beside it; it reads the file but parses
// nothing.
func (f *FileCatalog) mayNeedRecovery() bool {
	if fileContains(f.path, []byte(`"pending":`)) {
		return true
	}
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		// The catalog's files aside, and those of a file vault kept beside it.
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
			return true
		}
	}
	return false
}

// fileContains reports whether the file at path contains needle, reading
// it in pieces through one small buffer (the catalog of a large workspace
// is read whole once, by Load). A file that does not read contains nothing.
func fileContains(path string, needle []byte) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	buf := make([]byte, 32<<10)
	kept := 0 // the end of the previous piece, where needle may start
	for {
		n, err := fh.Read(buf[kept:])
		if n > 0 {
			end := kept + n
			if bytes.Contains(buf[:end], needle) {
				return true
			}
			kept = min(end, len(needle)-1)
			copy(buf, buf[end-kept:end])
		}
		if err != nil {
			return false
		}
	}
}

// sweepAside removes the catalog files aside that interrupted writes left,
// under the catalog lock; the caller holds the pending lock exclusively, so
// no change is being prepared aside.
func (f *FileCatalog) sweepAside() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.lock.Lock(); err != nil {
		return 0, fmt.Errorf("locking catalog: %w", err)
	}
	defer func() { _ = f.lock.Unlock() }()
	return sweepFiles(f.dir, f.asidePrefix())
}
