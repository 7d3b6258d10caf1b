package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// Store returns the store of this workspace over personal, this person's
// own store (keychain, encrypted file): the values they set are kept there
// under keys of this workspace (ws/ID/secret/…), apart from every other
// workspace's; a value they have not set is the team's shared one, opened
// with their key, when the workspace shares it. Their own value overrides
// the team's.
func (w *Workspace) Store(personal vault.Store) vault.Store {
	ls := &layeredStore{w: w, p: personal, prefix: "ws/" + w.meta.ID + "/"}
	if _, ok := personal.(vault.KeyLister); ok {
		return &listingStore{ls}
	}
	return ls
}

// listingStore is a layeredStore over a store that lists its keys.
type listingStore struct{ *layeredStore }

// ListKeys returns the keys of this workspace's values this person keeps,
// without the workspace's prefix, sorted (never a value): what doctor
// compares with the folder's items.
func (s *listingStore) ListKeys(ctx context.Context) ([]string, error) {
	all, err := s.p.(vault.KeyLister).ListKeys(ctx)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, k := range all {
		if rest, ok := strings.CutPrefix(k, s.prefix); ok {
			keys = append(keys, rest)
		}
	}
	return keys, nil
}

type layeredStore struct {
	w      *Workspace
	p      vault.Store
	prefix string
}

// Get returns this person's value, else the team's shared one; an item
// with neither is a MissingValueError that says what to do.
func (s *layeredStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.p.Get(ctx, s.prefix+key)
	if err == nil || !errors.Is(err, vault.ErrNotFound) {
		return v, err
	}
	if !strings.HasPrefix(key, "secret/") && !strings.HasPrefix(key, "client/") {
		return nil, err
	}
	plain, has, serr := s.w.sharedPlain(key)
	if serr == nil && has {
		return plain, nil
	}
	kind, env, name, _, ok := s.w.itemOf(key)
	if !ok {
		return nil, err
	}
	me := &MissingValueError{Kind: kind, Env: env, Name: name, Err: err}
	if has {
		me.Shared = true
		me.Reason = serr
	}
	return nil, me
}

// Set stores this person's own value.
func (s *layeredStore) Set(ctx context.Context, key string, value []byte) error {
	return s.p.Set(ctx, s.prefix+key, value)
}

// Delete removes this person's own value.
func (s *layeredStore) Delete(ctx context.Context, key string) error {
	return s.p.Delete(ctx, s.prefix+key)
}

// Apply changes this person's own values.
func (s *layeredStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	pc := make([]vault.Change, len(changes))
	for i, c := range changes {
		c.Key = s.prefix + c.Key
		pc[i] = c
	}
	undo, err := s.p.Apply(ctx, pc)
	for i := range undo {
		undo[i].Key = strings.TrimPrefix(undo[i].Key, s.prefix)
	}
	return undo, err
}

// Backend names this person's store.
func (s *layeredStore) Backend() string { return s.p.Backend() }

// Warm lets this person's store get ready, when it can.
func (s *layeredStore) Warm() {
	if w, ok := s.p.(vault.Warmer); ok {
		w.Warm()
	}
}

// Personal returns the store this person's own values are kept in.
func (s *layeredStore) Personal() vault.Store { return s.p }

// KeysShared reports that a value of this workspace no item of the folder
// owns may be another checkout's or another branch's (they share the
// workspace's keys): doctor --repair removes such values only when told.
func (s *layeredStore) KeysShared() bool { return true }

// MissingValueError says that an item of a team workspace has no value for
// this person: they have not set one, and the team shares none they can
// open. It is missing input (vault.ErrMissingInput), not a broken vault,
// and still a vault.ErrNotFound to code that asks the store.
type MissingValueError struct {
	// Kind is "secret" or "auth client".
	Kind string
	Env  string
	Name string
	// Shared says the team shares a value this person cannot open.
	Shared bool
	// Reason says why the shared value does not open.
	Reason error
	// Err is the store's not-found error.
	Err error
}

func (e *MissingValueError) Error() string {
	what := fmt.Sprintf("%s %q of environment %q", e.Kind, e.Name, e.Env)
	set := SetHint(e.Kind, e.Env, e.Name)
	if e.Shared {
		why := "it is not encrypted to your key"
		if e.Reason != nil && !errors.Is(e.Reason, ErrNotRecipient) {
			why = e.Reason.Error()
		}
		return fmt.Sprintf("%s is shared with the team, but the shared value does not open for you (%s): ask a teammate to add your public key ('authdeck team add'), or set your own value ('%s')", what, why, set)
	}
	return fmt.Sprintf("%s has no value for you yet: each person keeps their own; set yours with '%s'", what, set)
}

// Is makes errors.Is(err, vault.ErrMissingInput) true.
func (e *MissingValueError) Is(target error) bool { return target == vault.ErrMissingInput }

// Unwrap returns the store's not-found error.
func (e *MissingValueError) Unwrap() error { return e.Err }

// SetHint is the command that sets this person's value of an item.
func SetHint(kind, env, name string) string {
	q := shellQuote(name)
	e := ""
	if env != "" {
		e = " --env " + shellQuote(env)
	}
	switch kind {
	case "variable":
		return "authdeck env set " + q + " --secret" + e
	}
	return "authdeck secret set " + q + e
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/@+=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
