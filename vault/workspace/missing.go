package workspace

import (
	"context"
	"errors"
	"sort"

	"github.com/authdeck/authdeck/vault"
)

// Unset is an item that has no value for this person yet.
type Unset struct {
	// Kind is "secret", "auth client" or "variable".
	Kind string `json:"kind"`
	Env  string `json:"env"`
	Name string `json:"name"`
	// Shared says the team shares a value that does not open for this person.
	Shared bool `json:"shared,omitempty"`
	// Reason says why the shared value does not open, when it is not that
	// it is encrypted to other keys (a damaged file, a key that does not
	// read).
	Reason string `json:"reason,omitempty"`
	// Hint is the command that sets it.
	Hint string `json:"hint"`
}

// Missing lists what this person still has to set in the environments
// envs (all when empty): secrets and auth client credentials with no value
// of theirs and no shared value they can open, and secret variables with no
// value. It asks the store once per secret and client (and once per
// environment with secret variables), never for token sets, which the
// flows fill. A store that does not answer is an error, not a list.
//
// A shared value is never opened here: whether it opens for this person is
// told from its file's header (probe.go), so listing asks for no key's
// passphrase; the value is opened when it is used.
func Missing(ctx context.Context, v *vault.Vault, envs ...string) ([]Unset, error) {
	c, err := v.Load()
	if err != nil {
		return nil, err
	}
	return MissingIn(ctx, v, c, envs...)
}

// MissingIn is Missing for the items of c, a catalog of v the caller has
// already loaded (the TUI's current one), so the workspace is not read again.
func MissingIn(ctx context.Context, v *vault.Vault, c *vault.Catalog, envs ...string) ([]Unset, error) {
	want := map[string]bool{}
	for _, e := range envs {
		want[e] = true
	}
	in := func(env string) bool { return len(want) == 0 || want[env] }
	var out []Unset
	check := func(kind, env, name string, err error) error {
		var mv *MissingValueError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &mv):
			u := Unset{Kind: kind, Env: env, Name: name, Shared: mv.Shared, Hint: SetHint(kind, env, name)}
			if mv.Shared && mv.Reason != nil && !errors.Is(mv.Reason, ErrNotRecipient) {
				u.Reason = mv.Reason.Error()
			}
			out = append(out, u)
			return nil
		case errors.Is(err, vault.ErrNotFound):
			out = append(out, Unset{Kind: kind, Env: env, Name: name, Hint: SetHint(kind, env, name)})
			return nil
		}
		return err
	}
	for _, s := range c.Secrets {
		if !in(s.Env) || vault.PersonalOnly(s.Type) {
			continue
		}
		err := present(ctx, v, secretKey(s.ID), func() error {
			_, err := v.SecretValue(ctx, s)
			return err
		})
		if errors.Is(err, vault.ErrCorrupt) {
			err = nil // there is a value; doctor reports damaged ones
		}
		if err := check("secret", s.Env, s.Name, err); err != nil {
			return nil, err
		}
	}
	for _, ac := range c.Clients {
		if !in(ac.Env) || !ac.HasSecret {
			continue
		}
		err := present(ctx, v, clientKey(ac.ID), func() error {
			_, err := v.ClientCredentials(ctx, ac)
			return err
		})
		if errors.Is(err, vault.ErrCorrupt) {
			err = nil
		}
		if err := check("auth client", ac.Env, ac.Name, err); err != nil {
			return nil, err
		}
	}
	for _, e := range c.Environments {
		if !in(e.Name) || !e.HasSecretVars() {
			continue
		}
		vars, err := v.Vars(ctx, e.Name)
		if err != nil {
			return nil, err
		}
		for _, x := range e.Variables {
			if _, ok := vars[x.Name]; x.Secret && !ok {
				out = append(out, Unset{Kind: "variable", Env: e.Name, Name: x.Name, Hint: SetHint("variable", e.Name, x.Name)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Env != out[j].Env {
			return out[i].Env < out[j].Env
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// present says whether this person has a value of the item keyed key: nil
// when they have, a MissingValueError or vault.ErrNotFound when they have
// not, another error when the store does not answer. Over a team
// workspace's store it reads their own value and, without one, only the
// header of the team's shared value; over any other store, read reads the
// value.
func present(ctx context.Context, v *vault.Vault, key string, read func() error) error {
	ls, ok := v.Store().(interface{ layers() *layeredStore })
	if !ok {
		return read()
	}
	return ls.layers().present(ctx, key)
}

// layers returns the store itself, and the one a store that embeds it
// (listingStore) is over.
func (s *layeredStore) layers() *layeredStore { return s }

// present is Get's answer without the value: this person's own value is
// read (a keychain read asks for nothing), the team's shared one only
// probed.
func (s *layeredStore) present(ctx context.Context, key string) error {
	_, err := s.p.Get(ctx, s.prefix+key)
	if err == nil || !errors.Is(err, vault.ErrNotFound) {
		return err
	}
	has, opens, why, ferr := s.w.sharedOpens(key)
	switch {
	case ferr != nil:
		return ferr
	case opens:
		return nil
	}
	kind, env, name, _, ok := s.w.itemOf(key)
	if !ok {
		return err
	}
	return &MissingValueError{Kind: kind, Env: env, Name: name, Shared: has, Reason: why, Err: err}
}
