package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault"
)

// A change that writes this person's store (their keychain or file vault)
// and the folder records its intent first (S-38), as the personal
// workspace does in its catalog: the store keys it writes and the items it
// removes, never a value. A team workspace keeps its intents out of the
// folder — they are one person's, must never be committed, and must never
// conflict in git — in this person's state of the workspace, one file per
// folder path (home/workspaces/ID/intents-HASH.json, beside the kept parse
// of the same folder, parsed-HASH.json). The file exists only while a
// change is in flight or a crash left one: the next command settles what
// it names (completes or rolls back the change) without reading the folder
// when there is none.
//
// Every process with a change in flight holds home/workspaces/ID/
// pending.lock shared; recovery runs only when it gets it exclusively, so
// it never takes another live process's change for a crashed one. The lock
// is the workspace's (all its checkouts keep their values under the same
// keys); the intents file is the folder's, changed under its own lock.

// intentsFormat is the version of the intents file.
const intentsFormat = 1

// intentsFile is this person's record of the changes in flight in one
// checkout of the workspace.
type intentsFile struct {
	Version int `json:"version"`
	// Folder is the workspace folder the intents are of.
	Folder  string         `json:"folder"`
	Pending []vault.Intent `json:"pending"`
}

// rootTag names this folder path among the checkouts of the workspace.
func (w *Workspace) rootTag() string {
	sum := sha256.Sum256([]byte(w.root))
	return hex.EncodeToString(sum[:8])
}

// IntentsPath returns the file that records this person's changes in flight
// in this folder; it exists only while there is one.
func (w *Workspace) IntentsPath() string {
	return filepath.Join(w.stateDir, "intents-"+w.rootTag()+".json")
}

// pendingLockPath is the lock held by changes in flight.
func (w *Workspace) pendingLockPath() string { return filepath.Join(w.stateDir, "pending.lock") }

// parseIntents reads an intents file's bytes (path names it in errors).
func parseIntents(path string, data []byte) (*intentsFile, error) {
	var f intentsFile
	if err := decodeStrict(path, data, &f); err != nil {
		return nil, err
	}
	switch {
	case f.Version == 0:
		return nil, fileErr(path, lineOfField(data, "version"), "no format version")
	case f.Version > intentsFormat:
		return nil, fileErr(path, lineOfField(data, "version"), "format version %d; this authdeck reads up to %d — upgrade authdeck", f.Version, intentsFormat)
	}
	seen := map[string]bool{}
	for i, in := range f.Pending {
		if in.ID == "" || seen[in.ID] {
			return nil, fileErr(path, 0, "interrupted change %d has no ID, or the ID of another", i+1)
		}
		seen[in.ID] = true
		for _, k := range in.Keys {
			if k == "" || strings.ContainsAny(k, "\x00\n") {
				return nil, fileErr(path, 0, "interrupted change %s names an invalid store key %q", in.ID, k)
			}
		}
	}
	return &f, nil
}

// readIntents returns the intents kept for this folder (none: nil).
func (w *Workspace) readIntents() ([]vault.Intent, error) {
	path := w.IntentsPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the interrupted changes: %w", err)
	}
	f, err := parseIntents(path, data)
	if err != nil {
		return nil, fmt.Errorf("%w (the record of this person's interrupted changes, never committed: move it away to go on, then run 'authdeck doctor --repair')", err)
	}
	if f.Folder != w.root {
		return nil, fmt.Errorf("%w: %s records the changes of the folder %s, not %s; move it away to go on", vault.ErrCatalogCorrupt, path, f.Folder, w.root)
	}
	return f.Pending, nil
}

// editIntents changes the intents kept for this folder with fn, under the
// intents lock; the file is written atomically, and removed when none is
// left.
func (w *Workspace) editIntents(fn func([]vault.Intent) []vault.Intent) error {
	w.imu.Lock()
	defer w.imu.Unlock()
	if err := vault.EnsurePrivateDir(w.stateDir); err != nil {
		return err
	}
	if err := w.ilock.Lock(); err != nil {
		return fmt.Errorf("locking the interrupted changes: %w", err)
	}
	defer func() { _ = w.ilock.Unlock() }()
	list, err := w.readIntents()
	if err != nil {
		return err
	}
	out := fn(slices.Clone(list))
	if slices.EqualFunc(list, out, func(a, b vault.Intent) bool { return a.ID == b.ID }) {
		return nil
	}
	path := w.IntentsPath()
	if len(out) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the record of interrupted changes: %w", err)
		}
		syncDir(w.stateDir)
		return nil
	}
	data := encodeJSON(intentsFile{Version: intentsFormat, Folder: w.root, Pending: out})
	if err := vault.WriteFileAtomic(path, data); err != nil {
		return fmt.Errorf("recording a change in flight: %w", err)
	}
	return nil
}

// RecordIntent records a change in flight before it writes the store.
func (w *Workspace) RecordIntent(in vault.Intent) error {
	return w.editIntents(func(list []vault.Intent) []vault.Intent { return append(list, in) })
}

// DropIntent forgets the change in flight id (it is done, or undone).
func (w *Workspace) DropIntent(id string) error {
	return w.editIntents(func(list []vault.Intent) []vault.Intent {
		return slices.DeleteFunc(list, func(in vault.Intent) bool { return in.ID == id })
	})
}

// Intents returns the changes in flight recorded for this folder, reading
// nothing else.
func (w *Workspace) Intents() ([]vault.Intent, error) { return w.readIntents() }

// syncIntents makes the intents kept match pending, the catalog's after a
// change: the intents it added are recorded, those it dropped forgotten.
func (w *Workspace) syncIntents(before, pending []vault.Intent) error {
	has := func(list []vault.Intent, id string) bool {
		return slices.ContainsFunc(list, func(in vault.Intent) bool { return in.ID == id })
	}
	if slices.EqualFunc(before, pending, func(a, b vault.Intent) bool { return a.ID == b.ID }) {
		return nil
	}
	return w.editIntents(func(list []vault.Intent) []vault.Intent {
		list = slices.DeleteFunc(list, func(in vault.Intent) bool { return has(before, in.ID) && !has(pending, in.ID) })
		for _, in := range pending {
			if !has(before, in.ID) && !has(list, in.ID) {
				list = append(list, in)
			}
		}
		return list
	})
}

// ValuesPerPerson reports that each person keeps their own values of the
// workspace's items: an item whose value this person has not set is one
// still to set, never one to drop (vault's recovery and repair).
func (w *Workspace) ValuesPerPerson() bool { return true }

// MayNeedRecovery reports whether changes in flight are recorded for this
// folder, or files aside of interrupted writes lie in this person's state
// of the workspace: one directory listing, no file read.
func (w *Workspace) MayNeedRecovery() bool {
	entries, err := os.ReadDir(w.stateDir)
	if err != nil {
		return false
	}
	name := filepath.Base(w.IntentsPath())
	for _, e := range entries {
		if e.Name() == name || w.sweepable(e.Name()) {
			return true
		}
	}
	return false
}

// sweepable reports whether name, in the state directory, is a file aside
// that an interrupted write of this folder's state left.
func (w *Workspace) sweepable(name string) bool {
	tag := w.rootTag()
	for _, p := range []string{".intents-" + tag + ".json.tmp-", ".parsed-" + tag + ".json.tmp-", w.stateAsidePrefix(overlayFile)} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// SweepAside removes the files aside that interrupted writes of this
// folder's intents, kept parse and personal state left; the caller holds
// the recovery guard. A change of the folder interrupted once its journal
// was written is finished first (its files aside are its journal's), under
// the folder's lock, which every change holds from its first file aside to
// its last rename; files aside in the folder itself are removed by the
// next read that parses it.
func (w *Workspace) SweepAside() (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockFolder(true)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if err := w.recover(nil); err != nil {
		return 0, err
	}
	w.imu.Lock()
	defer w.imu.Unlock()
	entries, err := os.ReadDir(w.stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if err := w.ilock.Lock(); err != nil {
		return 0, fmt.Errorf("locking the interrupted changes: %w", err)
	}
	defer func() { _ = w.ilock.Unlock() }()
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !w.sweepable(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(w.stateDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}

// pendingGuard is the cross-process guard of changes in flight (see the
// top of this file).
type pendingGuard struct {
	mu   sync.Mutex
	lock *flock.Flock
	held int
}

// HoldPending takes the workspace's pending lock shared for a change in
// flight; it waits while a recovery holds it.
func (w *Workspace) HoldPending(ctx context.Context) (func(), error) {
	g := &w.pg
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held == 0 {
		if err := vault.EnsurePrivateDir(w.stateDir); err != nil {
			return nil, err
		}
		ok, err := g.lock.TryRLockContext(ctx, 5*time.Millisecond)
		if err != nil || !ok {
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("%w: waiting for another authdeck process to settle an interrupted change", vault.ErrTimeout)
			}
			return nil, fmt.Errorf("locking %s: %w", g.lock.Path(), err)
		}
	}
	g.held++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.held--
			if g.held == 0 {
				_ = g.lock.Unlock()
			}
		})
	}, nil
}

// TryRecovery takes the pending lock exclusively when no process, this one
// included, has a change in flight in the workspace.
func (w *Workspace) TryRecovery() (func(), bool, error) {
	g := &w.pg
	g.mu.Lock()
	if g.held > 0 {
		g.mu.Unlock()
		return nil, false, nil
	}
	if err := vault.EnsurePrivateDir(w.stateDir); err != nil {
		g.mu.Unlock()
		return nil, false, err
	}
	excl := flock.New(g.lock.Path(), flock.SetPermissions(0o600))
	ok, err := excl.TryLock()
	if err != nil || !ok {
		g.mu.Unlock()
		if err != nil {
			return nil, false, fmt.Errorf("locking %s: %w", excl.Path(), err)
		}
		return nil, false, nil
	}
	// g.mu stays held: no change of this process starts during recovery.
	return func() {
		_ = excl.Close()
		g.mu.Unlock()
	}, true, nil
}
