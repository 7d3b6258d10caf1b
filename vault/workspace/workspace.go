// Package workspace keeps a team workspace: authdeck's environments, auth
// clients, secrets' metadata and saved requests as one human-readable file
// each in a folder of a repository, so a team reviews, versions, branches
// and merges them with git. The folder never holds a secret value (S-45):
// each person's values live in their own vault (keychain or encrypted
// file), keyed by the workspace's ID and the item's, and values the whole
// team should have are age-encrypted in the folder to the team's members
// (age X25519 or SSH public keys), one file a value.
//
// A Workspace is a vault.CatalogStore (and a vault.SharingCatalog) over
// the folder, and wraps the person's vault.Store (Store) so that the rest
// of authdeck works on a team workspace as on a personal one.
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

// Options configure a team workspace.
type Options struct {
	// Home is the authdeck home; this person's state of the workspace is
	// kept in Home/workspaces/ID.
	Home string
	// Identity says where this person's keys are (to open shared values).
	Identity IdentityOptions
}

// Workspace is a team workspace folder.
type Workspace struct {
	root     string
	meta     Meta
	stateDir string
	opts     Options

	mu   sync.Mutex // serialises changes within the process (flock is per file descriptor)
	lock *flock.Flock

	idMu   sync.Mutex
	ids    []Identity
	idErr  error
	idDone bool

	// last is the folder as last read (nil: decode lastRaw, its
	// encoding); reads of single items use it, never changing it.
	lastMu  sync.Mutex
	last    *snapshot
	lastRaw []byte

	// loadedRaw is the encoding of the folder Load last read and
	// loadedFP the fingerprint the folder had just before: while the
	// folder keeps that fingerprint, Load decodes it again instead of
	// parsing every file (w.mu guards them, and parses, the number of
	// times the folder was parsed to be read).
	loadedRaw []byte
	loadedFP  string
	parses    int

	// imu and ilock guard the intents file (intents.go); pg is the
	// guard of changes in flight.
	imu   sync.Mutex
	ilock *flock.Flock
	pg    pendingGuard
}

// Open opens the workspace folder at root. Nothing but its workspace file
// is read until Load.
func Open(root string, opts Options) (*Workspace, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	m, err := readMeta(abs)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Path = filepath.Join(abs, fe.Path)
		}
		return nil, err
	}
	if opts.Home == "" {
		if opts.Home, err = local.DefaultHome(); err != nil {
			return nil, err
		}
	}
	w := &Workspace{
		root:     abs,
		meta:     m,
		stateDir: filepath.Join(opts.Home, "workspaces", m.ID),
		opts:     opts,
		lock:     flock.New(filepath.Join(abs, lockFile)),
	}
	w.ilock = flock.New(strings.TrimSuffix(w.IntentsPath(), ".json")+".lock", flock.SetPermissions(0o600))
	w.pg.lock = flock.New(w.pendingLockPath(), flock.SetPermissions(0o600))
	return w, nil
}

// Root returns the folder's absolute path.
func (w *Workspace) Root() string { return w.root }

// Meta returns the workspace file's content.
func (w *Workspace) Meta() Meta { return w.meta }

// Location returns the folder's path (vault.CatalogStore).
func (w *Workspace) Location() string { return w.root }

// StateDir returns where this person's state of the workspace is kept.
func (w *Workspace) StateDir() string { return w.stateDir }

// lockFolder takes the folder's lock. A folder that cannot hold a lock
// file (a read-only checkout) is read without one when readOnly.
func (w *Workspace) lockFolder(readOnly bool) (func(), error) {
	if err := w.lock.Lock(); err != nil {
		if readOnly && (errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err)) {
			return func() {}, nil
		}
		return nil, fmt.Errorf("locking the workspace folder: %w", err)
	}
	return func() { _ = w.lock.Unlock() }, nil
}

// read reads the folder and this person's state under the lock, finishing
// first any change a crash interrupted. The snapshot it returns is the
// caller's own: the one kept for later reads (last) is another copy. A
// read-only read of a folder unchanged since the last one, in this process
// or (the cache) another, parses no file, and decodes the items' files'
// paths only when full (readFolder).
func (w *Workspace) read(readOnly, full bool) (*snapshot, *overlay, []byte, error) {
	unlock, err := w.lockFolder(readOnly)
	if err != nil {
		return nil, nil, nil, err
	}
	defer unlock()
	if err := w.recover(nil); err != nil {
		return nil, nil, nil, err
	}
	own, err := w.readFolder(readOnly, full)
	if err != nil {
		return nil, nil, nil, err
	}
	ov, ovData, err := w.readOverlay()
	if err != nil {
		return nil, nil, nil, err
	}
	return own, ov, ovData, nil
}

// placed makes a FileError's path absolute, so the person can open it.
func (w *Workspace) placed(err error) error {
	var fe *FileError
	if errors.As(err, &fe) && !filepath.IsAbs(fe.Path) {
		fe.Path = filepath.Join(w.root, filepath.FromSlash(fe.Path))
	}
	return err
}

// setLast keeps s (or, when nil, the folder's encoding raw, decoded when
// first needed) as the folder as last read.
func (w *Workspace) setLast(s *snapshot, raw []byte) {
	w.lastMu.Lock()
	w.last, w.lastRaw = s, raw
	w.lastMu.Unlock()
}

// Load returns the workspace's catalog: the folder's items with this
// person's state (active environment, preferences, token sets) and changes
// in flight (Pending, kept outside the folder: intents.go).
func (w *Workspace) Load() (*vault.Catalog, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ov, _, err := w.read(true, false)
	if err != nil {
		return nil, err
	}
	pending, err := w.readIntents()
	if err != nil {
		return nil, err
	}
	// s is Load's own: the catalog handed out shares nothing with what is
	// kept.
	c := assemble(s, ov)
	c.Pending = pending
	return c, nil
}

// racyWindow is how recent a change may be for the folder's fingerprint to
// be trusted: file times are kept at the kernel's coarse clock, so two
// writes of the same size in one of its ticks could leave the same
// fingerprint. A folder changed this recently is read again each time
// (the rule git's index follows for "racily clean" files).
const racyWindow = 2 * time.Second

// errRacy means the folder changed too recently for its fingerprint.
var errRacy = errors.New("changed too recently to be fingerprinted")

// Update applies fn to the latest catalog and writes what changed: the
// files of the items that changed (and only those), this person's state,
// and the changes in flight: those fn adds to Pending are recorded before
// the folder is written, those it drops forgotten after.
func (w *Workspace) Update(fn func(*vault.Catalog) error) (*vault.Catalog, error) {
	return w.UpdateShared(nil, fn)
}

// UpdateShared is Update that also stores shared values, encrypted to the
// team's members, beside their items' files (vault.SharingCatalog).
func (w *Workspace) UpdateShared(shared []vault.Change, fn func(*vault.Catalog) error) (*vault.Catalog, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockFolder(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := w.recover(nil); err != nil {
		return nil, err
	}
	s, err := readSnapshot(w.root)
	if err != nil {
		return nil, w.placed(err)
	}
	ov, ovData, err := w.readOverlay()
	if err != nil {
		return nil, err
	}
	before, err := w.readIntents()
	if err != nil {
		return nil, err
	}
	c := assemble(s, ov)
	c.Pending = slices.Clone(before)
	if err := fn(c); err != nil {
		return nil, err
	}
	ops, err := w.plan(s, ovData, c, shared)
	if err != nil {
		return nil, err
	}
	added := slices.ContainsFunc(c.Pending, func(in vault.Intent) bool {
		return !slices.ContainsFunc(before, func(b vault.Intent) bool { return b.ID == in.ID })
	})
	if added {
		if err := w.syncIntents(before, c.Pending); err != nil {
			return nil, err
		}
	}
	if err := w.apply(ops); err != nil {
		return nil, err
	}
	w.setLast(nil, nil)
	vault.CrashPoint("folder-written")
	// The folder is written: the change is done. An intent it dropped
	// that cannot be forgotten now is found done by the next command.
	_ = w.syncIntents(before, c.Pending)
	return c, nil
}

// assemble builds the catalog from the folder and this person's state.
func assemble(s *snapshot, ov *overlay) *vault.Catalog {
	c := &vault.Catalog{
		Version:      vault.SchemaVersion,
		Settings:     ov.Settings,
		Environments: slices.Clip(s.envs),
		Clients:      slices.Clip(s.clients),
		Requests:     slices.Clip(s.requests),
	}
	envs := map[string]bool{}
	for _, e := range c.Environments {
		envs[e.Name] = true
	}
	c.Secrets = make([]vault.Secret, 0, len(s.secrets)+len(ov.Secrets))
	for _, x := range s.secrets {
		if r, ok := ov.Runtime[x.ID]; ok {
			r.applyTo(&x)
		}
		c.Secrets = append(c.Secrets, x)
	}
	for _, x := range ov.Secrets {
		if envs[x.Env] {
			c.Secrets = append(c.Secrets, x)
		}
	}
	c.ActiveEnv = ov.ActiveEnv
	if !envs[c.ActiveEnv] {
		c.ActiveEnv = ""
		if envs[vault.DefaultEnv] {
			c.ActiveEnv = vault.DefaultEnv
		} else if len(c.Environments) > 0 {
			names := make([]string, 0, len(envs))
			for n := range envs {
				names = append(names, n)
			}
			sort.Strings(names)
			c.ActiveEnv = names[0]
		}
	}
	return c
}

// Members returns the team the workspace shares values with.
func (w *Workspace) Members() ([]Member, error) {
	s, err := w.snapshot()
	if err != nil {
		return nil, err
	}
	return slices.Clone(s.members), nil
}

// snapshot returns the folder as last read, reading it when needed. The
// caller only reads it.
func (w *Workspace) snapshot() (*snapshot, error) {
	w.lastMu.Lock()
	s, raw := w.last, w.lastRaw
	w.lastMu.Unlock()
	if s != nil {
		return s, nil
	}
	if raw != nil {
		if d, _, err := decodeCache(raw); err == nil {
			w.lastMu.Lock()
			if w.last == nil && len(w.lastRaw) > 0 && &w.lastRaw[0] == &raw[0] {
				w.last = d
			}
			w.lastMu.Unlock()
			return d, nil
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	s, _, _, err := w.read(true, true)
	return s, err
}

// Identities returns this person's keys, read once.
func (w *Workspace) Identities() ([]Identity, error) {
	w.idMu.Lock()
	defer w.idMu.Unlock()
	if !w.idDone {
		opts := w.opts.Identity
		if len(opts.Paths) == 0 {
			home, _ := os.UserHomeDir()
			opts.Paths = DefaultIdentityPaths(home, w.opts.Home)
			opts.Explicit = false
		}
		w.ids, w.idErr = LoadIdentities(opts)
		w.idDone = true
	}
	return w.ids, w.idErr
}

// sharedPlain opens the shared value of the item keyed key (secret/ID,
// client/ID). It reports false when the item has no shared value.
func (w *Workspace) sharedPlain(key string) ([]byte, bool, error) {
	rel, ok, err := w.sharedFile(key)
	if err != nil || !ok {
		return nil, false, err
	}
	data, err := os.ReadFile(w.abs(rel))
	if err != nil {
		return nil, true, fmt.Errorf("reading %s: %w", rel, err)
	}
	ids, err := w.Identities()
	if err != nil {
		return nil, true, err
	}
	plain, err := decryptShared(data, ids)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", rel, err)
	}
	return plain, true, nil
}

// itemOf names the item a store key belongs to, from the folder as last read.
func (w *Workspace) itemOf(key string) (kind, env, name string, shared, ok bool) {
	s, err := w.snapshot()
	if err != nil {
		return "", "", "", false, false
	}
	for _, x := range s.secrets {
		if secretKey(x.ID) == key {
			return "secret", x.Env, x.Name, x.Shared, true
		}
	}
	for _, x := range s.clients {
		if clientKey(x.ID) == key {
			return "auth client", x.Env, x.Name, x.Shared, true
		}
	}
	return "", "", "", false, false
}
