package vault

import (
	"context"
	"reflect"

	"github.com/authdeck/authdeck/vault/pemkey"
)

// This file is the repository's auth clients and secrets: their catalog
// entries and the values kept in the store.

// Client returns the auth client named name in env.
func (v *Vault) Client(env, name string) (AuthClient, error) {
	return lookup(v, "auth client", env, name, (*Catalog).Client)
}

// PutClient creates (empty ID) or updates (by ID) an auth client. creds nil
// leaves stored credentials as they are; an empty ClientCredentials removes them.
func (v *Vault) PutClient(ctx context.Context, ac AuthClient, creds *ClientCredentials) (AuthClient, error) {
	if err := ac.Validate(); err != nil {
		return AuthClient{}, err
	}
	if creds != nil {
		// Empty credentials remove the stored ones, which the method may need.
		if err := ac.ValidateCredentials(*creds); err != nil {
			return AuthClient{}, err
		}
	}
	c, err := v.cat.Load()
	if err != nil {
		return AuthClient{}, err
	}
	creating := ac.ID == ""
	if err := checkClientPlacement(c, ac, creating); err != nil {
		return AuthClient{}, err
	}
	now := v.Now()
	var oldMeta *Meta
	if creating {
		ac.ID, ac.Created = NewID(), now
	} else if old, ok := findClientByID(c, ac.ID); ok {
		ac.Created = old.Created
		oldMeta = &old.Meta
		if creds == nil {
			if err := v.keepCredentials(ctx, &ac, old); err != nil {
				return AuthClient{}, err
			}
		}
	}
	ac.Updated = now
	writes, shared, err := clientWrites(&ac, oldMeta, creds, creating)
	if err != nil {
		return AuthClient{}, err
	}
	if err := checkClientSharing(ac, oldMeta, creds); err != nil {
		return AuthClient{}, err
	}
	_, err = v.commitShared(ctx, writes, shared, func(c *Catalog) error {
		if err := checkClientPlacement(c, ac, creating); err != nil {
			return err
		}
		return upsert(&c.Clients, ac, creating, func(x AuthClient) bool { return x.ID == ac.ID },
			&NotFoundError{Kind: "auth client", Name: ac.Name, Env: ac.Env})
	})
	if err != nil {
		return AuthClient{}, err
	}
	return ac, nil
}

// keepCredentials keeps the stored credentials of an updated client (old
// is the catalog's) and checks they still fit it: a changed method, type,
// signature method or newly asked DPoP may need others, and a method that
// needs a secret cannot be chosen without one.
func (v *Vault) keepCredentials(ctx context.Context, ac *AuthClient, old AuthClient) error {
	ac.HasSecret = old.HasSecret
	switch {
	case ac.HasSecret && (ac.AuthMethod != old.AuthMethod || ac.Type != old.Type || ac.SignatureMethod != old.SignatureMethod || ac.DPoP && !old.DPoP):
		// the stored credentials were for another method; check they still fit
		stored, err := v.ClientCredentials(ctx, old)
		if err != nil {
			return err
		}
		return ac.ValidateCredentials(stored)
	case !ac.HasSecret:
		// a method that needs a secret cannot be chosen without one
		return ac.ValidateCredentials(ClientCredentials{})
	}
	return nil
}

// clientWrites returns the store writes (this person's store, and the
// team's for a shared client) of a client's credentials: none when creds
// is nil (stored ones kept), removals when creds is empty.
func clientWrites(ac *AuthClient, oldMeta *Meta, creds *ClientCredentials, creating bool) ([]valueWrite, []Change, error) {
	key := clientKey(ac.ID)
	if creds == nil {
		sharedValue(&ac.Meta, oldMeta, key, nil)
		if creating {
			ac.HasSecret = false
			if err := ac.ValidateCredentials(ClientCredentials{}); err != nil {
				return nil, nil, err
			}
		}
		return nil, nil, nil
	}
	ac.HasSecret = !creds.Empty()
	var blob []byte
	if ac.HasSecret {
		blob = mustJSON(creds)
	}
	writes, shared := sharedValue(&ac.Meta, oldMeta, key, blob)
	if blob == nil {
		// no credentials: neither this person's nor the team's
		writes = []valueWrite{{key: key}}
		if ac.Shared {
			shared = []Change{deleteChange(key)}
			ac.Shared, ac.SharedWith = false, nil
		}
	}
	return writes, shared, nil
}

// checkClientSharing refuses sharing a client's credentials without any:
// a client without them, or one newly shared without giving them.
func checkClientSharing(ac AuthClient, oldMeta *Meta, creds *ClientCredentials) error {
	if ac.Shared && !ac.HasSecret {
		return &ValidationError{Kind: "auth client", Name: ac.Name, Field: "shared", Msg: "sharing an auth client's credentials needs them"}
	}
	if ac.Shared && creds == nil && (oldMeta == nil || !oldMeta.Shared) {
		return &ValidationError{Kind: "auth client", Name: ac.Name, Field: "shared", Msg: "sharing an auth client's credentials needs them"}
	}
	return nil
}

func findClientByID(c *Catalog, id string) (AuthClient, bool) {
	for _, x := range c.Clients {
		if x.ID == id {
			return x, true
		}
	}
	return AuthClient{}, false
}

func checkClientPlacement(c *Catalog, ac AuthClient, creating bool) error {
	if _, ok := c.Env(ac.Env); !ok {
		return &NotFoundError{Kind: "environment", Name: ac.Env}
	}
	if x, ok := c.Client(ac.Env, ac.Name); ok && (creating || x.ID != ac.ID) {
		return &ExistsError{Kind: "auth client", Name: ac.Name, Env: ac.Env}
	}
	if !creating {
		if _, ok := findClientByID(c, ac.ID); !ok {
			return &NotFoundError{Kind: "auth client", Name: ac.Name, Env: ac.Env}
		}
	}
	return nil
}

// ClientCredentials reads an auth client's stored credentials (empty when it has none).
func (v *Vault) ClientCredentials(ctx context.Context, ac AuthClient) (ClientCredentials, error) {
	var creds ClientCredentials
	if !ac.HasSecret {
		return creds, nil
	}
	err := v.getJSON(ctx, clientKey(ac.ID), &creds)
	return creds, err
}

// RemoveClient deletes an auth client and its stored credentials. Secrets
// linked to it are kept (they still hold their tokens) but lose the link.
func (v *Vault) RemoveClient(ctx context.Context, env, name string) error {
	ac, err := v.Client(env, name)
	if err != nil {
		return err
	}
	var writes []valueWrite
	if ac.HasSecret {
		writes = append(writes, valueWrite{key: clientKey(ac.ID)})
	}
	_, err = v.apply(ctx, change{writes: writes, remove: []ItemRef{{Kind: refClient, ID: ac.ID}}, fn: func(c *Catalog) error {
		if _, ok := findClientByID(c, ac.ID); !ok {
			return &NotFoundError{Kind: "auth client", Name: name, Env: env}
		}
		dropClient(c, ac)
		return nil
	}})
	return err
}

// Secret returns the secret named name in env.
func (v *Vault) Secret(env, name string) (Secret, error) {
	return lookup(v, "secret", env, name, (*Catalog).Secret)
}

// PutSecret creates (empty ID) or updates (by ID) a secret. val nil keeps the
// stored value (only valid for updates). Token metadata shown in lists
// (scope, expiry, refresh-token presence) is derived from val.
func (v *Vault) PutSecret(ctx context.Context, s Secret, val *SecretValue) (Secret, error) {
	if err := s.Validate(); err != nil {
		return Secret{}, err
	}
	creating := s.ID == ""
	if creating && val == nil {
		return Secret{}, &ValidationError{Kind: "secret", Name: s.Name, Field: "value", Msg: "is required"}
	}
	if val != nil {
		if err := s.ValidateValue(*val); err != nil {
			return Secret{}, err
		}
		deriveSecretMeta(&s, *val)
	}
	c, err := v.cat.Load()
	if err != nil {
		return Secret{}, err
	}
	if err := checkSecretPlacement(c, s, creating); err != nil {
		return Secret{}, err
	}
	now := v.Now()
	var oldMeta *Meta
	overwrite := false
	if creating {
		s.ID, s.Created = NewID(), now
	} else if old, ok := findSecretByID(c, s.ID); ok {
		s.Created = old.Created
		if val == nil && old.Type != s.Type {
			return Secret{}, &ValidationError{Kind: "secret", Name: s.Name, Field: "type", Msg: "changing the type needs a new value"}
		}
		oldMeta = &old.Meta
		overwrite = val != nil && onlyDerivedChanges(old, s)
	}
	s.Updated = now
	var blob []byte
	if val != nil {
		blob = mustJSON(val)
	}
	writes, shared := sharedValue(&s.Meta, oldMeta, secretKey(s.ID), blob)
	if err := checkShareable(&s); err != nil {
		return Secret{}, err
	}
	if s.Shared && val == nil && (oldMeta == nil || !oldMeta.Shared) {
		return Secret{}, &ValidationError{Kind: "secret", Name: s.Name, Field: "shared", Msg: "sharing a secret needs its value"}
	}
	fn := func(c *Catalog) error {
		if err := checkSecretPlacement(c, s, creating); err != nil {
			return err
		}
		return upsert(&c.Secrets, s, creating, func(x Secret) bool { return x.ID == s.ID },
			&NotFoundError{Kind: "secret", Name: s.Name, Env: s.Env})
	}
	if overwrite && len(shared) == 0 && !s.Shared {
		_, err = v.apply(ctx, change{writes: writes, fn: fn, overwrite: true})
	} else {
		_, err = v.commitShared(ctx, writes, shared, fn)
	}
	if err != nil {
		return Secret{}, err
	}
	return s, nil
}

// onlyDerivedChanges reports whether next differs from old only in what
// is derived from a token set's value (scope, expiry, refresh-token flag)
// and when it was refreshed and updated: storing a new token for a secret
// that keeps everything else. Anything else (hosts, placement, type…)
// must never be left behind its value by a crash, so such a change
// records its intent.
func onlyDerivedChanges(old, next Secret) bool {
	if next.Type != TypeOAuthToken && next.Type != TypeSessionAuth {
		return false
	}
	old.Scope, old.TokenExpires, old.HasRefresh = next.Scope, next.TokenExpires, next.HasRefresh
	old.LastRefresh, old.Updated = next.LastRefresh, next.Updated
	return reflect.DeepEqual(old, next)
}

// HealTokenMeta makes the catalog's token metadata of s (scope, expiry,
// refresh-token flag) match val, the value just read from the store, when
// they differ: after a crash between storing a token and writing the
// catalog, the next read puts the lists right. It writes nothing when
// they agree (the usual case).
func (v *Vault) HealTokenMeta(s Secret, val SecretValue) error {
	if s.Shared || (s.Type != TypeOAuthToken && s.Type != TypeSessionAuth) {
		return nil
	}
	want := s
	deriveSecretMeta(&want, val)
	if !metaDiffers(s, want) {
		return nil
	}
	_, err := v.cat.Update(func(c *Catalog) error {
		for i := range c.Secrets {
			if x := &c.Secrets[i]; x.ID == s.ID && !metaDiffers(*x, s) {
				x.Scope, x.TokenExpires, x.HasRefresh = want.Scope, want.TokenExpires, want.HasRefresh
			}
		}
		return nil
	})
	return err
}

func deriveSecretMeta(s *Secret, val SecretValue) {
	switch s.Type {
	case TypeOAuthToken, TypeSessionAuth:
		s.Scope = val.Scope
		s.HasRefresh = val.RefreshToken != ""
		s.TokenExpires = nil
		if val.Expires != "" {
			if t, err := ParseExpiry(val.Expires); err == nil {
				s.TokenExpires = &t
			}
		}
	case TypeAPIKey:
		if val.HeaderName != "" && s.HeaderName == "" {
			s.HeaderName = val.HeaderName
		}
	case TypePrivateKey:
		if s.KeyID == "" {
			if key, err := ParsePrivateKey(val.PrivateKey); err == nil {
				s.KeyID = pemkey.Thumbprint(key)
			}
		}
	case TypeSimple, TypeClientCert, TypeOAuth1Token:
		// no metadata derived from the value
	}
}

func findSecretByID(c *Catalog, id string) (Secret, bool) {
	for _, x := range c.Secrets {
		if x.ID == id {
			return x, true
		}
	}
	return Secret{}, false
}

func checkSecretPlacement(c *Catalog, s Secret, creating bool) error {
	if _, ok := c.Env(s.Env); !ok {
		return &NotFoundError{Kind: "environment", Name: s.Env}
	}
	if x, ok := c.Secret(s.Env, s.Name); ok && (creating || x.ID != s.ID) {
		return &ExistsError{Kind: "secret", Name: s.Name, Env: s.Env}
	}
	if !creating {
		if _, ok := findSecretByID(c, s.ID); !ok {
			return &NotFoundError{Kind: "secret", Name: s.Name, Env: s.Env}
		}
	}
	if s.AuthClient != "" {
		if _, ok := c.Client(s.Env, s.AuthClient); !ok {
			return &NotFoundError{Kind: "auth client", Name: s.AuthClient, Env: s.Env}
		}
	}
	return nil
}

// SecretValue reads a secret's stored value.
func (v *Vault) SecretValue(ctx context.Context, s Secret) (SecretValue, error) {
	var val SecretValue
	err := v.getJSON(ctx, secretKey(s.ID), &val)
	return val, err
}

// RemoveSecret deletes a secret and its stored value.
func (v *Vault) RemoveSecret(ctx context.Context, env, name string) error {
	s, err := v.Secret(env, name)
	if err != nil {
		return err
	}
	_, err = v.apply(ctx, change{writes: []valueWrite{{key: secretKey(s.ID)}}, remove: []ItemRef{{Kind: refSecret, ID: s.ID}}, fn: func(c *Catalog) error {
		return removeWhere(&c.Secrets, func(x Secret) bool { return x.ID == s.ID }, &NotFoundError{Kind: "secret", Name: name, Env: env})
	}})
	return err
}
