package vault

import (
	"context"
	"errors"
	"fmt"
)

// SharingCatalog is a CatalogStore that keeps the values of shared items
// itself: a team workspace keeps them in its folder, encrypted to the
// team's recipients (S-45), written in the same change as the catalog.
type SharingCatalog interface {
	CatalogStore
	// UpdateShared is Update that also stores the shared values of
	// shared (keyed as the store keys values: secret/ID, client/ID) in the
	// same change; a change with Delete set removes one. When fn fails
	// nothing is written.
	UpdateShared(shared []Change, fn func(*Catalog) error) (*Catalog, error)
}

// errNotShared means a value was to be shared in a workspace that has no
// team to share it with: only a team workspace (a folder in a repository)
// keeps shared values.
var errNotShared = errors.New("sharing a value with a team needs a team workspace (run 'authdeck init' in a repository)")

// PersonalOnly reports whether secrets of type t are always personal: token
// sets are issued to one person and never shared with a team.
func PersonalOnly(t SecretType) bool {
	return t == TypeOAuthToken || t == TypeOAuth1Token
}

// update runs fn on the catalog, storing shared values in the same change.
func (v *Vault) update(shared []Change, fn func(*Catalog) error) (*Catalog, error) {
	if len(shared) == 0 {
		return v.cat.Update(fn)
	}
	sc, ok := v.cat.(SharingCatalog)
	if !ok {
		return nil, errNotShared
	}
	return sc.UpdateShared(shared, fn)
}

// sharedValue decides where a new value of an item goes. An item that is
// shared (or was: an update never unshares by leaving Shared out; Unshare
// does that) has its value written for the team, and this person's own
// value, which would hide it, removed; any other value is this person's.
func sharedValue(m *Meta, old *Meta, key string, value []byte) ([]valueWrite, []Change) {
	if old != nil && old.Shared {
		m.Shared = true
	}
	if old != nil {
		m.SharedWith = old.SharedWith
	}
	if value == nil {
		return nil, nil
	}
	if m.Shared {
		return []valueWrite{{key: key}}, []Change{setChange(key, value)}
	}
	return []valueWrite{{key: key, value: value}}, nil
}

// checkShareable refuses to share what must stay personal.
func checkShareable(s *Secret) error {
	if s.Shared && PersonalOnly(s.Type) {
		return &ValidationError{Kind: "secret", Name: s.Name, Field: "shared", Msg: "token sets are personal and cannot be shared with a team"}
	}
	return nil
}

// OverrideSecret stores val as this person's own value of s, leaving the
// value the team shares as it is: a person's own value overrides a shared
// one. For a secret that is not shared it is the same as setting its value.
func (v *Vault) OverrideSecret(ctx context.Context, s Secret, val SecretValue) error {
	cur, err := v.Secret(s.Env, s.Name)
	if err != nil {
		return err
	}
	if err := cur.ValidateValue(val); err != nil {
		return err
	}
	id := cur.ID
	_, err = v.commit(ctx, []valueWrite{{key: secretKey(id), value: mustJSON(val)}}, func(c *Catalog) error {
		if _, ok := findSecretByID(c, id); !ok {
			return &NotFoundError{Kind: "secret", Name: s.Name, Env: s.Env}
		}
		return nil
	})
	return err
}

// OverrideClientCredentials stores creds as this person's own credentials
// of auth client ac, leaving the credentials the team shares as they are.
func (v *Vault) OverrideClientCredentials(ctx context.Context, ac AuthClient, creds ClientCredentials) error {
	cur, err := v.Client(ac.Env, ac.Name)
	if err != nil {
		return err
	}
	if err := cur.ValidateCredentials(creds); err != nil {
		return err
	}
	if creds.Empty() {
		return &ValidationError{Kind: "auth client", Name: ac.Name, Field: "credentials", Msg: "are empty"}
	}
	id := cur.ID
	_, err = v.commit(ctx, []valueWrite{{key: clientKey(id), value: mustJSON(creds)}}, func(c *Catalog) error {
		x, ok := findClientByID(c, id)
		if !ok {
			return &NotFoundError{Kind: "auth client", Name: ac.Name, Env: ac.Env}
		}
		if !x.HasSecret {
			for i := range c.Clients {
				if c.Clients[i].ID == id {
					c.Clients[i].HasSecret = true
				}
			}
		}
		return nil
	})
	return err
}

// RemoveOverride removes this person's own value of a shared secret or auth
// client (kind "secret" or "auth client"), so the team's value is used
// again. An item that is not shared keeps its value: removing it would leave
// the item without one.
func (v *Vault) RemoveOverride(ctx context.Context, kind, env, name string) error {
	var key string
	switch kind {
	case "secret":
		s, err := v.Secret(env, name)
		if err != nil {
			return err
		}
		if !s.Shared {
			return fmt.Errorf("%w: secret %q is not shared; its value is the only one there is", ErrInvalid, name)
		}
		key = secretKey(s.ID)
	case "auth client":
		ac, err := v.Client(env, name)
		if err != nil {
			return err
		}
		if !ac.Shared {
			return fmt.Errorf("%w: auth client %q has no shared credentials; its own are the only ones there are", ErrInvalid, name)
		}
		key = clientKey(ac.ID)
	default:
		return fmt.Errorf("%w: %s values are not shared", ErrInvalid, kind)
	}
	_, err := v.store.Apply(ctx, []Change{deleteChange(key)})
	return err
}

// Unshare makes a shared secret or auth client personal again (kind
// "secret" or "auth client"): the value kept for the team is removed from
// the workspace, and the value this person sees (their own, else the team's)
// becomes their own, so nothing they use is lost. Each teammate then sets
// their own value.
func (v *Vault) Unshare(ctx context.Context, kind, env, name string) error {
	switch kind {
	case "secret":
		s, err := v.Secret(env, name)
		if err != nil {
			return err
		}
		if !s.Shared {
			return fmt.Errorf("%w: secret %q is not shared", ErrInvalid, name)
		}
		return v.unshare(ctx, secretKey(s.ID), s.ID, func(c *Catalog) (*Meta, bool) {
			for i := range c.Secrets {
				if c.Secrets[i].ID == s.ID {
					return &c.Secrets[i].Meta, true
				}
			}
			return nil, false
		}, &NotFoundError{Kind: kind, Name: name, Env: env})
	case "auth client":
		ac, err := v.Client(env, name)
		if err != nil {
			return err
		}
		if !ac.Shared {
			return fmt.Errorf("%w: auth client %q has no shared credentials", ErrInvalid, name)
		}
		return v.unshare(ctx, clientKey(ac.ID), ac.ID, func(c *Catalog) (*Meta, bool) {
			for i := range c.Clients {
				if c.Clients[i].ID == ac.ID {
					return &c.Clients[i].Meta, true
				}
			}
			return nil, false
		}, &NotFoundError{Kind: kind, Name: name, Env: env})
	}
	return fmt.Errorf("%w: %s values are not shared", ErrInvalid, kind)
}

func (v *Vault) unshare(ctx context.Context, key, id string, find func(*Catalog) (*Meta, bool), notFound error) error {
	var writes []valueWrite
	b, err := v.store.Get(ctx, key)
	switch {
	case err == nil:
		writes = append(writes, valueWrite{key: key, value: b})
	case errors.Is(err, ErrNotFound):
		// nobody's value to keep: the item stays without one
	default:
		return err
	}
	_, err = v.commitShared(ctx, writes, []Change{deleteChange(key)}, func(c *Catalog) error {
		m, ok := find(c)
		if !ok {
			return notFound
		}
		m.Shared, m.SharedWith = false, nil
		return nil
	})
	return err
}
