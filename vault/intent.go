package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// A change that writes the store is recorded in the catalog before the
// store is touched (S-38): an Intent lists the store keys the change writes
// and, for a removal, the items it removes (the tombstones). The catalog
// write that completes the change drops the intent in the same write, so a
// catalog that still holds one after its process is gone tells the next
// command exactly what to look at:
//
//   - a key written for an item the catalog does not have (a pending add
//     that never reached the catalog) is removed from the store: the change
//     is rolled back;
//   - the items a removal names are removed, with every value they own,
//     once its store write has begun (a value it removes is gone): the
//     change is completed; before that, it is rolled back;
//   - a value that an item of the catalog owns is kept, and what the catalog
//     derives from it (a token's scope, expiry, refresh-token flag) is made
//     to match it.
//
// A process that has a change in flight holds the catalog's pending lock
// shared; recovery runs only when it gets the lock exclusively, so it never
// mistakes another live process's change for a crashed one.

// Intent is a change in flight, recorded in the catalog before its store
// writes. It holds no value: store keys, item IDs and, for variables made
// plain, their (non-secret) values.
type Intent struct {
	ID string `json:"id"`
	// Keys are the store keys the change sets or removes.
	Keys []string `json:"keys"`
	// Remove names the items the change removes (tombstones).
	Remove []ItemRef `json:"remove,omitempty"`
	// Plain holds, by environment ID, the variables the change turns from
	// secret to plain, with their new values.
	Plain map[string]map[string]string `json:"plain,omitempty"`
	// Started is when the change began.
	Started time.Time `json:"started"`
}

// ItemRef names a catalog item by kind and ID.
type ItemRef struct {
	Kind string `json:"kind"` // "environment", "auth client", "secret"
	ID   string `json:"id"`
}

// Item kinds an ItemRef names.
const (
	refEnv    = "environment"
	refClient = "auth client"
	refSecret = "secret"
)

// pendingGuard is implemented by catalog stores that several processes
// share (the file catalog): it tells a change in flight from one whose
// process is gone. A CatalogStore without it is guarded within the process
// only.
type pendingGuard interface {
	// HoldPending marks a change in flight until release is called; it
	// waits while a recovery runs.
	HoldPending(ctx context.Context) (release func(), err error)
	// TryRecovery reports whether no change is in flight anywhere; when ok,
	// none can start until release is called.
	TryRecovery() (release func(), ok bool, err error)
}

// rwGuard is a pendingGuard within one process.
type rwGuard struct{ mu sync.RWMutex }

func (g *rwGuard) HoldPending(context.Context) (func(), error) {
	g.mu.RLock()
	return g.mu.RUnlock, nil
}

func (g *rwGuard) TryRecovery() (func(), bool, error) {
	if !g.mu.TryLock() {
		return nil, false, nil
	}
	return g.mu.Unlock, true, nil
}

// guard returns the catalog's pendingGuard, or the vault's own.
func (v *Vault) guard() pendingGuard {
	if g, ok := v.cat.(pendingGuard); ok {
		return g
	}
	return &v.local
}

// putBackError is a failed change whose partial writes could not all be put
// back: the store may hold some of them.
type putBackError struct {
	cause, failed error
}

func (e *putBackError) Error() string {
	return fmt.Sprintf("%v (and putting back the values already changed failed: %v)", e.cause, e.failed)
}

func (e *putBackError) Unwrap() error { return e.cause }

// partial reports whether err leaves store writes that were not put back.
func partial(err error) bool {
	var pb *putBackError
	return errors.As(err, &pb)
}

func dropIntent(c *Catalog, id string) {
	c.Pending = slices.DeleteFunc(c.Pending, func(in Intent) bool { return in.ID == id })
	if len(c.Pending) == 0 {
		c.Pending = nil
	}
}

// change is one repository change: store writes, the catalog change that
// goes with them, and what a crash recovery needs beyond the keys.
type change struct {
	writes []valueWrite
	// shared are values a team workspace's catalog keeps with it.
	shared []Change
	fn     func(*Catalog) error
	remove []ItemRef
	plain  map[string]map[string]string
	// overwrite marks a change that only replaces the values of items the
	// catalog has and keeps, changing nothing of those items but what is
	// derived from their values (see onlyDerivedChanges): it needs no
	// intent.
	overwrite bool
}

// apply runs ch: the intent is recorded in the catalog, the store written
// (with the catalog change prepared aside meanwhile, for the file catalog),
// then the catalog changed and the intent dropped in one write. When a step
// fails the store is put back and the intent dropped; when putting back
// fails too, the intent stays for the next command to settle.
func (v *Vault) apply(ctx context.Context, ch change) (*Catalog, error) {
	if len(ch.writes) == 0 {
		return v.update(ch.shared, ch.fn)
	}
	changes := make([]Change, len(ch.writes))
	keys := make([]string, len(ch.writes))
	for i, w := range ch.writes {
		keys[i] = w.key
		if w.value == nil {
			changes[i] = deleteChange(w.key)
		} else {
			changes[i] = setChange(w.key, w.value)
		}
	}
	release, err := v.guard().HoldPending(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if ch.overwrite && len(ch.remove) == 0 && len(ch.plain) == 0 {
		// Nothing to roll back or complete after a crash: each item keeps
		// a value it owns, at worst with the metadata derived from the old
		// one, which the next read of the value (HealTokenMeta) or doctor
		// --repair derives again. One catalog write (and its syncs) less
		// per stored token. Nor is the new value taken back when the
		// catalog write fails: a replaced refresh token is dead at its
		// server, so the old token set would end the session.
		return v.commitStore(ctx, changes, ch.shared, ch.fn, keepStored)
	}
	in := Intent{ID: NewID(), Keys: keys, Remove: ch.remove, Plain: ch.plain, Started: time.Now().UTC().Truncate(time.Second)}
	ik, keeps := v.cat.(intentKeeper)
	if keeps {
		err = ik.RecordIntent(in)
	} else {
		_, err = v.cat.Update(func(c *Catalog) error {
			c.Pending = append(c.Pending, in)
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	crashPoint("intent-recorded")
	done := func(c *Catalog) error {
		if err := ch.fn(c); err != nil {
			return err
		}
		dropIntent(c, in.ID)
		return nil
	}
	c, err := v.commitStore(ctx, changes, ch.shared, done, putBack)
	if err == nil {
		return c, nil
	}
	if !partial(err) {
		if keeps {
			_ = ik.DropIntent(in.ID)
		} else {
			_, _ = v.cat.Update(func(c *Catalog) error { dropIntent(c, in.ID); return nil })
		}
	}
	return nil, err
}

// Recovery says what settling interrupted changes did.
type Recovery struct {
	// Settled counts the interrupted changes finished or rolled back.
	Settled int
	// Removed counts the store values removed because no item owned them.
	Removed int
	// Dropped lists the catalog items removed (removals completed, or items
	// whose value was gone), as "kind name".
	Dropped []string
	// Fixed counts the catalog items changed to match their value.
	Fixed int
	// Swept counts the stale files aside of interrupted catalog and file
	// vault writes removed.
	Swept int
	// Busy says another authdeck process has a change in flight, so
	// nothing was looked at this time.
	Busy bool
}

// Empty reports whether recovery found nothing to do.
func (r Recovery) Empty() bool {
	return r.Settled == 0 && r.Removed == 0 && len(r.Dropped) == 0 && r.Fixed == 0 && r.Swept == 0
}

// String says what was done, in one line.
func (r Recovery) String() string {
	var parts []string
	if r.Settled > 0 {
		parts = append(parts, plural(r.Settled, "interrupted change")+" settled")
	}
	if r.Removed > 0 {
		parts = append(parts, plural(r.Removed, "value")+" no item owned removed")
	}
	if len(r.Dropped) > 0 {
		parts = append(parts, "removed "+strings.Join(r.Dropped, ", "))
	}
	if r.Fixed > 0 {
		parts = append(parts, plural(r.Fixed, "item")+" made to match its value")
	}
	if r.Swept > 0 {
		parts = append(parts, plural(r.Swept, "stale temporary file")+" removed")
	}
	return strings.Join(parts, "; ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// asideSweeper is implemented by catalogs that write changes aside (the
// file catalog): it tells whether files aside may be left and removes them.
type asideSweeper interface {
	// mayNeedRecovery reports cheaply whether the catalog may hold intents
	// or stale files aside (false positives allowed).
	mayNeedRecovery() bool
	// sweepAside removes the files aside of interrupted writes; the caller
	// holds the recovery guard, so no change of this catalog is in flight.
	sweepAside() (int, error)
}

// intentKeeper is implemented by catalogs that keep their intents apart
// from their items (a team workspace keeps them in this person's state,
// outside the folder, so that they are never committed): recording or
// dropping one writes only that record, and whether recovery has anything
// to do is known without reading the items. Load still returns the
// intents in Catalog.Pending, and an Update that drops one from Pending
// drops it from the record once the items are written.
type intentKeeper interface {
	// RecordIntent adds in to the intents kept, durably.
	RecordIntent(in Intent) error
	// DropIntent removes the intent id from those kept.
	DropIntent(id string) error
	// Intents returns the intents kept, reading nothing else.
	Intents() ([]Intent, error)
	// MayNeedRecovery reports cheaply whether intents are kept or files
	// aside of interrupted writes are left (false positives allowed).
	MayNeedRecovery() bool
	// SweepAside finishes or removes what interrupted writes of the
	// catalog left aside; the caller holds the recovery guard.
	SweepAside() (int, error)
}

// perPersonValues is implemented by catalogs whose items are shared by
// several people, each keeping their own values (a team workspace): an
// item whose value this person has not set is not out of step with the
// store, it is a value still to set, and is never removed for it. Only a
// removal an intent names removes an item.
type perPersonValues interface {
	ValuesPerPerson() bool
}

// personaler is implemented by stores that wrap the store a person's own
// values are kept in (a team workspace's): recovery sweeps the files an
// interrupted write of that store left.
type personaler interface {
	Personal() Store
}

// personalStore returns the store s wraps, or s.
func personalStore(s Store) Store {
	if p, ok := s.(personaler); ok {
		return p.Personal()
	}
	return s
}

// CrashPoint marks an instant of a change at which the crash test (a build
// with the authdeck_crashtest tag) may kill the process; in every other
// build it does nothing. Packages that write part of a change (a team
// workspace, its folder) mark their instants with it.
func CrashPoint(name string) { crashPoint(name) }

// storeSweeper is implemented by stores that write files aside (the file
// vault): it removes those an interrupted write left, under the store's own
// lock.
type storeSweeper interface {
	sweepAside(ctx context.Context) (int, error)
}

// Recover settles the changes that processes now gone left in flight: it
// rolls back pending adds, completes removals and removes the values no
// item owns that those changes wrote, then sweeps stale catalog files
// aside (S-38). It does nothing, cheaply, when nothing was left; when
// another process has a change in flight it leaves everything for later.
func (v *Vault) Recover(ctx context.Context) (Recovery, error) {
	var r Recovery
	sw, sweeps := v.cat.(asideSweeper)
	ik, keeps := v.cat.(intentKeeper)
	switch {
	case sweeps && !sw.mayNeedRecovery():
		return r, nil
	case keeps && !ik.MayNeedRecovery() && !storeMayHaveAside(v.store):
		return r, nil
	case !sweeps && !keeps:
		c, err := v.cat.Load()
		if err != nil || len(c.Pending) == 0 {
			return r, err
		}
	}
	release, ok, err := v.guard().TryRecovery()
	if err != nil {
		return r, err
	}
	if !ok {
		r.Busy = true
		return r, nil
	}
	defer release()
	switch {
	case sweeps:
		r.Swept, err = sw.sweepAside()
	case keeps:
		r.Swept, err = ik.SweepAside()
	}
	if err != nil {
		return r, err
	}
	if ss, ok := personalStore(v.store).(storeSweeper); ok {
		n, err := ss.sweepAside(ctx)
		if err != nil {
			return r, err
		}
		r.Swept += n
	}
	var pending []Intent
	if keeps {
		// Only the intents: the items are read when there is one to settle.
		pending, err = ik.Intents()
	} else {
		var c *Catalog
		if c, err = v.cat.Load(); err == nil {
			pending = c.Pending
		}
	}
	if err != nil {
		return r, err
	}
	for _, in := range pending {
		if err := v.settle(ctx, in, &r); err != nil {
			return r, fmt.Errorf("finishing an interrupted change: %w", err)
		}
		r.Settled++
	}
	return r, nil
}

// keyOwner splits a store key into its kind and item ID.
func keyOwner(key string) (kind, id string) {
	switch {
	case strings.HasPrefix(key, "secret/"):
		return refSecret, strings.TrimPrefix(key, "secret/")
	case strings.HasPrefix(key, "client/"):
		return refClient, strings.TrimPrefix(key, "client/")
	case strings.HasPrefix(key, "env/"):
		return refEnv, strings.TrimPrefix(key, "env/")
	case strings.HasPrefix(key, "doctor/"):
		return "doctor", strings.TrimPrefix(key, "doctor/")
	}
	return "", ""
}

// dropItem removes the item ref names from c, with what depends on it (an
// environment's items; a client's links), and returns the store keys its
// values were under and how to name it; found is false when c has no such
// item.
func dropItem(c *Catalog, ref ItemRef) (keys []string, name string, found bool) {
	switch ref.Kind {
	case refSecret:
		s, ok := findSecretByID(c, ref.ID)
		if !ok {
			return nil, "", false
		}
		c.Secrets = slices.DeleteFunc(c.Secrets, func(x Secret) bool { return x.ID == ref.ID })
		return []string{secretKey(s.ID)}, fmt.Sprintf("secret %q", s.Name), true
	case refClient:
		ac, ok := findClientByID(c, ref.ID)
		if !ok {
			return nil, "", false
		}
		dropClient(c, ac)
		return []string{clientKey(ac.ID)}, fmt.Sprintf("auth client %q", ac.Name), true
	case refEnv:
		i := slices.IndexFunc(c.Environments, func(e Environment) bool { return e.ID == ref.ID })
		if i < 0 {
			return nil, "", false
		}
		name := c.Environments[i].Name
		keys = envValueKeys(c, name)
		if !slices.Contains(keys, envKey(ref.ID)) {
			keys = append(keys, envKey(ref.ID))
		}
		dropEnv(c, name)
		return keys, fmt.Sprintf("environment %q", name), true
	}
	return nil, "", false
}

// dropClient removes ac and unlinks its secrets, so a later client of the
// same name never inherits tokens issued to this one.
func dropClient(c *Catalog, ac AuthClient) {
	c.Clients = slices.DeleteFunc(c.Clients, func(x AuthClient) bool { return x.ID == ac.ID })
	for i := range c.Secrets {
		if c.Secrets[i].Env == ac.Env && c.Secrets[i].AuthClient == ac.Name {
			c.Secrets[i].AuthClient = ""
		}
	}
}

// dropEnv removes environment name with everything in it.
func dropEnv(c *Catalog, name string) {
	c.Environments = slices.DeleteFunc(c.Environments, func(x Environment) bool { return x.Name == name })
	c.Clients = slices.DeleteFunc(c.Clients, func(x AuthClient) bool { return x.Env == name })
	c.Secrets = slices.DeleteFunc(c.Secrets, func(x Secret) bool { return x.Env == name })
	c.Requests = slices.DeleteFunc(c.Requests, func(x Request) bool { return x.Env == name })
	if c.ActiveEnv == name {
		c.ActiveEnv = ""
		if len(c.Environments) > 0 {
			c.ActiveEnv = c.Environments[0].Name
		}
	}
}

// present reads key: its value, or found false when the store has none.
// Any other failure (a locked or unreachable store) stops the settling.
func (v *Vault) present(ctx context.Context, key string) (val []byte, found bool, err error) {
	b, err := v.store.Get(ctx, key)
	switch {
	case err == nil:
		return b, true, nil
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case errors.Is(err, ErrCorrupt):
		// A damaged value is still there: it is owned or removed like any.
		return nil, true, nil
	}
	return nil, false, err
}

// reconciliation is what settling a set of keys decided: store changes to
// make, then catalog fixes to make on the latest catalog.
type reconciliation struct {
	changes []Change
	fixes   []func(*Catalog)
	removed int
	dropped []string
	fixed   int
	// orphans are the keys removed because no item owns them; unmatched
	// describes the items (and variables) whose value is gone.
	orphans   []string
	unmatched []string
	// perPerson says an item without this person's value is one still to
	// set (a team workspace), not one to drop.
	perPerson bool
}

// valuesPerPerson reports whether each person keeps their own values of
// the catalog's items (a team workspace).
func (v *Vault) valuesPerPerson() bool {
	pp, ok := v.cat.(perPersonValues)
	return ok && pp.ValuesPerPerson()
}

// reconcile decides, for each key, how store and catalog c agree again: a
// value no item owns is removed; an item whose value is gone is dropped
// (a secret), loses the flag (a client's credentials) or the variable (an
// environment's secret variable, made plain when plain has its value); an
// environment's stored variables the catalog does not list are removed;
// a token's metadata is derived again from its value.
func (v *Vault) reconcile(ctx context.Context, c *Catalog, keys []string, plain map[string]map[string]string) (*reconciliation, error) {
	rc := &reconciliation{perPerson: v.valuesPerPerson()}
	for _, key := range keys {
		kind, id := keyOwner(key)
		if kind == "" || sharedItem(c, kind, id) {
			// A shared item's value is the team's, left as it is: reading
			// it would open it, with a key's passphrase, for nothing.
			continue
		}
		val, found, err := v.present(ctx, key)
		if err != nil {
			return nil, err
		}
		switch kind {
		case "doctor":
			if found {
				rc.remove(key)
			}
		case refSecret:
			rc.secret(c, key, id, val, found)
		case refClient:
			rc.client(c, key, id, found)
		case refEnv:
			if err := rc.env(c, key, id, val, found, plain[id]); err != nil {
				return nil, err
			}
		}
	}
	return rc, nil
}

// sharedItem reports whether the item of kind with id is one whose value a
// team shares (secret and client reconcile leave those alone).
func sharedItem(c *Catalog, kind, id string) bool {
	switch kind {
	case refSecret:
		s, ok := findSecretByID(c, id)
		return ok && s.Shared
	case refClient:
		ac, ok := findClientByID(c, id)
		return ok && ac.Shared
	}
	return false
}

// secret reconciles a secret's stored value (val, when found) with the
// catalog: a value no secret owns is removed, a secret without its value is
// dropped, and metadata that differs from the value's is derived again.
func (rc *reconciliation) secret(c *Catalog, key, id string, val []byte, found bool) {
	s, owned := findSecretByID(c, id)
	switch {
	case !owned && found:
		rc.remove(key)
	case owned && s.Shared:
		// A team's value lives in the team workspace, not this store.
	case owned && !found && rc.perPerson:
		// A value this person has still to set.
	case owned && !found:
		rc.dropped = append(rc.dropped, fmt.Sprintf("secret %q (its value is gone)", s.Name))
		rc.unmatched = append(rc.unmatched, fmt.Sprintf("secret %q of environment %q has no value", s.Name, s.Env))
		rc.fixes = append(rc.fixes, func(c *Catalog) {
			c.Secrets = slices.DeleteFunc(c.Secrets, func(x Secret) bool { return x.ID == id })
		})
	case owned && val != nil:
		rc.secretMeta(s, id, val)
	}
}

// secretMeta derives a secret's metadata (token expiry, scope, …) again
// from its stored value when the catalog's differs.
func (rc *reconciliation) secretMeta(s Secret, id string, val []byte) {
	var sv SecretValue
	if json.Unmarshal(val, &sv) != nil {
		return
	}
	want := s
	deriveSecretMeta(&want, sv)
	if !metaDiffers(s, want) {
		return
	}
	rc.fixed++
	rc.fixes = append(rc.fixes, func(c *Catalog) {
		for i := range c.Secrets {
			if c.Secrets[i].ID == id {
				deriveSecretMeta(&c.Secrets[i], sv)
			}
		}
	})
}

// client reconciles an auth client's stored credentials with the catalog:
// credentials no client owns are removed, a client whose credentials are
// gone loses the flag that says it has them.
func (rc *reconciliation) client(c *Catalog, key, id string, found bool) {
	ac, exists := findClientByID(c, id)
	owned := exists && ac.HasSecret
	switch {
	case exists && ac.Shared:
		// A team's value lives in the team workspace, not this store.
	case !owned && found:
		rc.remove(key)
	case owned && !found && rc.perPerson:
		// Credentials this person has still to set.
	case owned && !found:
		rc.fixed++
		rc.unmatched = append(rc.unmatched, fmt.Sprintf("auth client %q of environment %q has no stored credentials", ac.Name, ac.Env))
		rc.fixes = append(rc.fixes, func(c *Catalog) {
			for i := range c.Clients {
				if c.Clients[i].ID == id {
					c.Clients[i].HasSecret = false
				}
			}
		})
	}
}

func (rc *reconciliation) remove(key string) {
	rc.changes = append(rc.changes, deleteChange(key))
	rc.orphans = append(rc.orphans, key)
	rc.removed++
}

// env reconciles an environment's stored secret variables with the names
// the catalog lists as secret.
func (rc *reconciliation) env(c *Catalog, key, id string, val []byte, found bool, plain map[string]string) error {
	i := slices.IndexFunc(c.Environments, func(e Environment) bool { return e.ID == id })
	if i < 0 {
		if found {
			rc.remove(key)
		}
		return nil
	}
	e := c.Environments[i]
	stored := map[string]string{}
	if found {
		if val == nil || json.Unmarshal(val, &stored) != nil {
			return nil // damaged: doctor reports it; nothing here can tell what it held
		}
	}
	listed := map[string]bool{}
	for _, x := range e.Variables {
		if x.Secret {
			listed[x.Name] = true
		}
	}
	pruned := false
	for name := range stored {
		if !listed[name] {
			delete(stored, name)
			pruned = true
		}
	}
	switch {
	case found && len(stored) == 0:
		rc.remove(key)
	case pruned:
		rc.changes = append(rc.changes, setChange(key, mustJSON(stored)))
		rc.orphans = append(rc.orphans, key+" (variables the catalog does not list)")
		rc.removed++
	}
	for name := range listed {
		if _, ok := stored[name]; !ok {
			value, made := plain[name]
			if !made && rc.perPerson {
				continue // a value this person has still to set
			}
			rc.missingVar(e, name, value, made)
		}
	}
	return nil
}

// missingVar drops environment e's secret variable name, whose value is
// gone, or makes it plain when made (the plain value it had).
func (rc *reconciliation) missingVar(e Environment, name, value string, made bool) {
	id := e.ID
	rc.fixed++
	rc.unmatched = append(rc.unmatched, fmt.Sprintf("secret variable %q of environment %q has no value", name, e.Name))
	rc.fixes = append(rc.fixes, func(c *Catalog) {
		for i := range c.Environments {
			e := &c.Environments[i]
			if e.ID != id {
				continue
			}
			if !made {
				e.Variables = slices.DeleteFunc(e.Variables, func(x Variable) bool { return x.Name == name && x.Secret })
				continue
			}
			for j := range e.Variables {
				if e.Variables[j].Name == name && e.Variables[j].Secret {
					e.Variables[j] = Variable{Name: name, Value: value}
				}
			}
		}
	})
}

// metaDiffers reports whether the metadata derived from a secret's value
// differs between a and b.
func metaDiffers(a, b Secret) bool {
	if a.Scope != b.Scope || a.HasRefresh != b.HasRefresh || a.HeaderName != b.HeaderName || a.KeyID != b.KeyID {
		return true
	}
	switch {
	case a.TokenExpires == nil && b.TokenExpires == nil:
		return false
	case a.TokenExpires == nil || b.TokenExpires == nil:
		return true
	}
	return !a.TokenExpires.Equal(*b.TokenExpires)
}

// settle finishes or rolls back one interrupted change: the removals it
// names are completed, then every key it wrote is reconciled, the store
// first and the catalog (dropping the intent) last, so a crash while
// settling leaves the intent to be settled again.
func (v *Vault) settle(ctx context.Context, in Intent, r *Recovery) error {
	c, err := v.cat.Load()
	if err != nil {
		return err
	}
	work := c.Clone()
	keys := slices.Clone(in.Keys)
	var dropped []string
	remove := in.Remove
	if len(remove) > 0 {
		// The store write is a removal's point of no return: while every
		// value it was to remove is still there, it is rolled back (the
		// items stay); once one is gone, it is completed.
		begun := false
		for _, key := range in.Keys {
			_, found, err := v.present(ctx, key)
			if err != nil {
				return err
			}
			if !found {
				begun = true
				break
			}
		}
		if !begun {
			remove = nil
		}
	}
	for _, ref := range remove {
		k, name, found := dropItem(work, ref)
		if found {
			dropped = append(dropped, name)
		}
		for _, key := range k {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	rc, err := v.reconcile(ctx, work, keys, in.Plain)
	if err != nil {
		return err
	}
	if len(rc.changes) > 0 {
		if _, err := v.store.Apply(ctx, rc.changes); err != nil {
			return err
		}
	}
	crashPoint("settle-store-done")
	if _, err := v.cat.Update(func(c *Catalog) error {
		for _, ref := range remove {
			dropItem(c, ref)
		}
		for _, fix := range rc.fixes {
			fix(c)
		}
		dropIntent(c, in.ID)
		return nil
	}); err != nil {
		return err
	}
	r.Removed += rc.removed
	r.Fixed += rc.fixed
	r.Dropped = append(r.Dropped, dropped...)
	r.Dropped = append(r.Dropped, rc.dropped...)
	return nil
}
