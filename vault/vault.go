package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/authdeck/authdeck/vault/pemkey"
)

// Vault is the repository over a catalog and a secret store. Every change
// writes the store first and the catalog last, and undoes the store writes
// when a later step fails, so the two never disagree.
type Vault struct {
	cat   CatalogStore
	store Store
	// Now returns the current time (replaceable in tests).
	Now func() time.Time
	// UndoTimeout bounds the undo of a failed change, per value it puts back.
	UndoTimeout time.Duration
}

// New returns a vault over cat and store.
func New(cat CatalogStore, store Store) *Vault {
	return &Vault{cat: cat, store: store, Now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }, UndoTimeout: 3 * time.Second}
}

// NewMemory returns a vault that keeps catalog and values in memory only.
func NewMemory() *Vault { return New(NewMemoryCatalog(), NewMemoryStore()) }

// Store returns the secret store.
func (v *Vault) Store() Store { return v.store }

// Warmer is implemented by stores that can get ready for their first call
// in the background (connect, open a session), so that this work overlaps
// what the caller does before it needs the store.
type Warmer interface {
	// Warm starts getting ready and returns at once; it never prompts.
	Warm()
}

// Warm lets the store get ready in the background when it can; call it when
// a store call is sure to follow (a token command), never at start-up.
func (v *Vault) Warm() {
	if w, ok := v.store.(Warmer); ok {
		w.Warm()
	}
}

// Catalogs returns the catalog store.
func (v *Vault) Catalogs() CatalogStore { return v.cat }

// Backend returns the store backend name.
func (v *Vault) Backend() string { return v.store.Backend() }

// Load returns the current catalog. It never touches the secret store.
func (v *Vault) Load() (*Catalog, error) { return v.cat.Load() }

// Store keys. Values are keyed by item ID so renames never move secrets.
func secretKey(id string) string { return "secret/" + id }
func clientKey(id string) string { return "client/" + id }
func envKey(id string) string    { return "env/" + id }

// ResolveEnv picks the environment to use: the first non-empty candidate
// (a --env flag, $AUTHDECK_ENV), else the catalog's active environment. The
// environment must exist.
func ResolveEnv(c *Catalog, candidates ...string) (string, error) {
	name := c.ActiveEnv
	for _, cand := range candidates {
		if cand != "" {
			name = cand
			break
		}
	}
	if name == "" {
		name = DefaultEnv
	}
	if _, ok := c.Env(name); !ok {
		return "", &NotFoundError{Kind: "environment", Name: name}
	}
	return name, nil
}

// lookup returns a copy of the item of kind named name in env, as find
// finds it in the current catalog; a missing environment or item is a
// NotFoundError that says which.
func lookup[T any](v *Vault, kind, env, name string, find func(c *Catalog, env, name string) (*T, bool)) (T, error) {
	var zero T
	c, err := v.cat.Load()
	if err != nil {
		return zero, err
	}
	if _, ok := c.Env(env); !ok {
		return zero, &NotFoundError{Kind: "environment", Name: env}
	}
	x, ok := find(c, env, name)
	if !ok {
		return zero, &NotFoundError{Kind: kind, Name: name, Env: env}
	}
	return *x, nil
}

// getJSON reads the value stored under key into out. A value that does not
// decode is reported as corrupt, never returned as found.
func (v *Vault) getJSON(ctx context.Context, key string, out any) error {
	b, err := v.store.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &StoreError{Op: "get", Backend: v.store.Backend(), Key: key, Err: ErrCorrupt}
	}
	return nil
}

// upsert appends x when creating, else puts x in place of the item it
// replaces; finding none is the notFound error.
func upsert[T any](list *[]T, x T, creating bool, replaces func(T) bool, notFound error) error {
	if creating {
		*list = append(*list, x)
		return nil
	}
	i := slices.IndexFunc(*list, replaces)
	if i < 0 {
		return notFound
	}
	(*list)[i] = x
	return nil
}

// removeWhere deletes the items of *list that match; deleting none is the
// notFound error.
func removeWhere[T any](list *[]T, match func(T) bool, notFound error) error {
	n := len(*list)
	*list = slices.DeleteFunc(*list, match)
	if len(*list) == n {
		return notFound
	}
	return nil
}

// valueWrite is one store write of a change: a value to set, or nil to delete.
type valueWrite struct {
	key   string
	value []byte
}

// commit applies writes to the store as one batch, then fn to the catalog.
// When the catalog step fails, the batch is undone with the previous values
// the store handed back, so store and catalog never disagree. With the file
// catalog, the changed catalog is computed and written aside (synced) while
// the store writes, and put in place only once the store write succeeded.
func (v *Vault) commit(ctx context.Context, writes []valueWrite, fn func(*Catalog) error) (*Catalog, error) {
	if len(writes) == 0 {
		return v.cat.Update(fn)
	}
	changes := make([]Change, len(writes))
	for i, w := range writes {
		if w.value == nil {
			changes[i] = DeleteChange(w.key)
		} else {
			changes[i] = SetChange(w.key, w.value)
		}
	}
	type prepared struct {
		p   *preparedChange
		err error
	}
	var ready chan prepared
	if fc, ok := v.cat.(*FileCatalog); ok {
		ready = make(chan prepared, 1)
		go func() {
			p, err := fc.prepare(fn)
			ready <- prepared{p, err}
		}()
	}
	undo, err := v.store.Apply(ctx, changes)
	if ready != nil {
		r := <-ready
		if err != nil {
			if r.p != nil {
				r.p.abort()
			}
			return nil, err
		}
		var c *Catalog
		if err = r.err; err == nil {
			c, err = r.p.commit()
		}
		if err == nil {
			return c, nil
		}
		return nil, v.undo(ctx, undo, err)
	}
	if err != nil {
		return nil, err
	}
	c, err := v.cat.Update(fn)
	if err != nil {
		return nil, v.undo(ctx, undo, err)
	}
	return c, nil
}

// undo puts back what a batch changed after a later step failed with cause.
func (v *Vault) undo(ctx context.Context, undo []Change, cause error) error {
	if len(undo) == 0 {
		return cause
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.UndoTimeout*time.Duration(len(undo)))
	defer cancel()
	if _, err := v.store.Apply(uctx, undo); err != nil {
		return fmt.Errorf("%w (and undoing the partial change failed: %v)", cause, err)
	}
	return cause
}

func mustJSON(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		panic(fmt.Sprintf("vault: value does not marshal: %v", err))
	}
	return b
}

// ---- environments ----

// AddEnv creates an environment.
func (v *Vault) AddEnv(e Environment) (Environment, error) {
	for _, x := range e.Variables {
		if x.Secret {
			return Environment{}, &ValidationError{Kind: "environment", Name: e.Name, Field: "variables", Msg: "add secret variables with SetVar"}
		}
	}
	if err := e.Validate(); err != nil {
		return Environment{}, err
	}
	now := v.Now()
	e.ID, e.Created, e.Updated = NewID(), now, now
	_, err := v.cat.Update(func(c *Catalog) error {
		if _, ok := c.Env(e.Name); ok {
			return &ExistsError{Kind: "environment", Name: e.Name}
		}
		c.Environments = append(c.Environments, e)
		if c.ActiveEnv == "" {
			c.ActiveEnv = e.Name
		}
		return nil
	})
	return e, err
}

// UpdateEnv changes an environment's description or tenant (not its variables).
func (v *Vault) UpdateEnv(name string, fn func(*Environment)) (Environment, error) {
	var out Environment
	_, err := v.cat.Update(func(c *Catalog) error {
		e, ok := c.Env(name)
		if !ok {
			return &NotFoundError{Kind: "environment", Name: name}
		}
		cp := *e
		fn(&cp)
		cp.ID, cp.Name, cp.Variables, cp.Created = e.ID, e.Name, e.Variables, e.Created
		cp.Updated = v.Now()
		if err := cp.Validate(); err != nil {
			return err
		}
		*e = cp
		out = cp
		return nil
	})
	return out, err
}

// UseEnv makes name the active environment.
func (v *Vault) UseEnv(name string) error {
	_, err := v.cat.Update(func(c *Catalog) error {
		if _, ok := c.Env(name); !ok {
			return &NotFoundError{Kind: "environment", Name: name}
		}
		c.ActiveEnv = name
		return nil
	})
	return err
}

// RemoveEnv deletes an environment with all its clients, secrets, requests
// and every stored value of them.
func (v *Vault) RemoveEnv(ctx context.Context, name string) error {
	c, err := v.cat.Load()
	if err != nil {
		return err
	}
	e, ok := c.Env(name)
	if !ok {
		return &NotFoundError{Kind: "environment", Name: name}
	}
	var writes []valueWrite
	if e.HasSecretVars() {
		writes = append(writes, valueWrite{key: envKey(e.ID)})
	}
	for _, x := range c.ClientsIn(name) {
		if x.HasSecret {
			writes = append(writes, valueWrite{key: clientKey(x.ID)})
		}
	}
	for _, x := range c.SecretsIn(name) {
		writes = append(writes, valueWrite{key: secretKey(x.ID)})
	}
	envID := e.ID
	planned := envValueKeys(c, name)
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
		e, ok := c.Env(name)
		if !ok || e.ID != envID {
			return &NotFoundError{Kind: "environment", Name: name}
		}
		// Values added by another process since the plan was made would
		// be left in the store with nothing pointing at them.
		if !slices.Equal(envValueKeys(c, name), planned) {
			return fmt.Errorf("environment %q changed while it was being removed (another authdeck process?); nothing was removed, try again", name)
		}
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
		return nil
	})
	return err
}

// envValueKeys lists the store keys of everything env holds, sorted.
func envValueKeys(c *Catalog, env string) []string {
	var keys []string
	if e, ok := c.Env(env); ok && e.HasSecretVars() {
		keys = append(keys, envKey(e.ID))
	}
	for _, x := range c.ClientsIn(env) {
		if x.HasSecret {
			keys = append(keys, clientKey(x.ID))
		}
	}
	for _, x := range c.SecretsIn(env) {
		keys = append(keys, secretKey(x.ID))
	}
	slices.Sort(keys)
	return keys
}

// SetVar sets a variable of env. A secret variable's value goes to the store;
// turning a secret variable plain (or back) moves its value accordingly.
func (v *Vault) SetVar(ctx context.Context, env, name, value string, secret bool) error {
	if err := ValidateVarName(env, name); err != nil {
		return err
	}
	c, err := v.cat.Load()
	if err != nil {
		return err
	}
	e, ok := c.Env(env)
	if !ok {
		return &NotFoundError{Kind: "environment", Name: env}
	}
	old, existed := e.Var(name)
	var writes []valueWrite
	if secret || (existed && old.Secret) {
		vars, err := v.secretVars(ctx, e)
		if err != nil {
			return err
		}
		if secret {
			vars[name] = value
		} else {
			delete(vars, name)
		}
		var blob []byte
		if len(vars) > 0 {
			blob = mustJSON(vars)
		}
		writes = append(writes, valueWrite{key: envKey(e.ID), value: blob})
	}
	envID := e.ID
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
		e, ok := c.Env(env)
		if !ok || e.ID != envID {
			return &NotFoundError{Kind: "environment", Name: env}
		}
		nv := Variable{Name: name, Secret: secret}
		if !secret {
			nv.Value = value
		}
		replaced := false
		for i := range e.Variables {
			if e.Variables[i].Name == name {
				e.Variables[i], replaced = nv, true
			}
		}
		if !replaced {
			e.Variables = append(e.Variables, nv)
		}
		e.Updated = v.Now()
		return nil
	})
	return err
}

// UnsetVar removes a variable (and its stored value when secret).
func (v *Vault) UnsetVar(ctx context.Context, env, name string) error {
	c, err := v.cat.Load()
	if err != nil {
		return err
	}
	e, ok := c.Env(env)
	if !ok {
		return &NotFoundError{Kind: "environment", Name: env}
	}
	old, existed := e.Var(name)
	if !existed {
		return &NotFoundError{Kind: "variable", Name: name, Env: env}
	}
	var writes []valueWrite
	if old.Secret {
		vars, err := v.secretVars(ctx, e)
		if err != nil {
			return err
		}
		delete(vars, name)
		var blob []byte
		if len(vars) > 0 {
			blob = mustJSON(vars)
		}
		writes = append(writes, valueWrite{key: envKey(e.ID), value: blob})
	}
	envID := e.ID
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
		e, ok := c.Env(env)
		if !ok || e.ID != envID {
			return &NotFoundError{Kind: "environment", Name: env}
		}
		e.Variables = slices.DeleteFunc(e.Variables, func(x Variable) bool { return x.Name == name })
		e.Updated = v.Now()
		return nil
	})
	return err
}

func (v *Vault) secretVars(ctx context.Context, e *Environment) (map[string]string, error) {
	vars := map[string]string{}
	if !e.HasSecretVars() {
		return vars, nil
	}
	err := v.getJSON(ctx, envKey(e.ID), &vars)
	if errors.Is(err, ErrNotFound) {
		return vars, nil
	}
	if err != nil {
		return nil, err
	}
	return vars, nil
}

// Vars returns every variable of env with its value; secret values are read
// from the store only when the environment has secret variables.
func (v *Vault) Vars(ctx context.Context, env string) (map[string]string, error) {
	c, err := v.cat.Load()
	if err != nil {
		return nil, err
	}
	e, ok := c.Env(env)
	if !ok {
		return nil, &NotFoundError{Kind: "environment", Name: env}
	}
	secrets, err := v.secretVars(ctx, e)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(e.Variables))
	for _, x := range e.Variables {
		if x.Secret {
			if s, ok := secrets[x.Name]; ok {
				out[x.Name] = s
			}
			continue
		}
		out[x.Name] = x.Value
	}
	return out, nil
}

// ---- auth clients ----

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
	if creating {
		ac.ID, ac.Created = NewID(), now
	} else if old, ok := findClientByID(c, ac.ID); ok {
		ac.Created = old.Created
		if creds == nil {
			ac.HasSecret = old.HasSecret
			switch {
			case ac.HasSecret && (ac.AuthMethod != old.AuthMethod || ac.Type != old.Type || ac.SignatureMethod != old.SignatureMethod || ac.DPoP && !old.DPoP):
				// the stored credentials were for another method; check they still fit
				stored, err := v.ClientCredentials(ctx, old)
				if err != nil {
					return AuthClient{}, err
				}
				if err := ac.ValidateCredentials(stored); err != nil {
					return AuthClient{}, err
				}
			case !ac.HasSecret:
				// a method that needs a secret cannot be chosen without one
				if err := ac.ValidateCredentials(ClientCredentials{}); err != nil {
					return AuthClient{}, err
				}
			}
		}
	}
	ac.Updated = now
	var writes []valueWrite
	if creds != nil {
		ac.HasSecret = !creds.Empty()
		w := valueWrite{key: clientKey(ac.ID)}
		if ac.HasSecret {
			w.value = mustJSON(creds)
		}
		writes = append(writes, w)
	} else if creating {
		ac.HasSecret = false
		if err := ac.ValidateCredentials(ClientCredentials{}); err != nil {
			return AuthClient{}, err
		}
	}
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
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
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
		if err := removeWhere(&c.Clients, func(x AuthClient) bool { return x.ID == ac.ID }, &NotFoundError{Kind: "auth client", Name: name, Env: env}); err != nil {
			return err
		}
		// Unlink its secrets, so a later client of the same name never
		// inherits tokens issued to this one.
		for i := range c.Secrets {
			if c.Secrets[i].Env == env && c.Secrets[i].AuthClient == name {
				c.Secrets[i].AuthClient = ""
			}
		}
		return nil
	})
	return err
}

// ---- secrets ----

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
	if creating {
		s.ID, s.Created = NewID(), now
	} else if old, ok := findSecretByID(c, s.ID); ok {
		s.Created = old.Created
		if val == nil && old.Type != s.Type {
			return Secret{}, &ValidationError{Kind: "secret", Name: s.Name, Field: "type", Msg: "changing the type needs a new value"}
		}
	}
	s.Updated = now
	var writes []valueWrite
	if val != nil {
		writes = append(writes, valueWrite{key: secretKey(s.ID), value: mustJSON(val)})
	}
	_, err = v.commit(ctx, writes, func(c *Catalog) error {
		if err := checkSecretPlacement(c, s, creating); err != nil {
			return err
		}
		return upsert(&c.Secrets, s, creating, func(x Secret) bool { return x.ID == s.ID },
			&NotFoundError{Kind: "secret", Name: s.Name, Env: s.Env})
	})
	if err != nil {
		return Secret{}, err
	}
	return s, nil
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
	_, err = v.commit(ctx, []valueWrite{{key: secretKey(s.ID)}}, func(c *Catalog) error {
		return removeWhere(&c.Secrets, func(x Secret) bool { return x.ID == s.ID }, &NotFoundError{Kind: "secret", Name: name, Env: env})
	})
	return err
}

// ---- requests ----

// SavedRequest returns the saved request named name in env.
func (v *Vault) SavedRequest(env, name string) (Request, error) {
	return lookup(v, "request", env, name, (*Catalog).Request)
}

// PutRequest creates (empty ID) or updates (by ID) a saved request.
func (v *Vault) PutRequest(r Request) (Request, error) {
	if err := r.Validate(); err != nil {
		return Request{}, err
	}
	creating := r.ID == ""
	now := v.Now()
	if creating {
		r.ID, r.Created = NewID(), now
	}
	r.Updated = now
	_, err := v.cat.Update(func(c *Catalog) error {
		if _, ok := c.Env(r.Env); !ok {
			return &NotFoundError{Kind: "environment", Name: r.Env}
		}
		if x, ok := c.Request(r.Env, r.Name); ok && (creating || x.ID != r.ID) {
			return &ExistsError{Kind: "request", Name: r.Name, Env: r.Env}
		}
		if creating {
			c.Requests = append(c.Requests, r)
			return nil
		}
		for i := range c.Requests {
			if c.Requests[i].ID == r.ID {
				r.Created = c.Requests[i].Created
				c.Requests[i] = r
				return nil
			}
		}
		return &NotFoundError{Kind: "request", Name: r.Name, Env: r.Env}
	})
	if err != nil {
		return Request{}, err
	}
	return r, nil
}

// RemoveRequest deletes a saved request.
func (v *Vault) RemoveRequest(env, name string) error {
	_, err := v.cat.Update(func(c *Catalog) error {
		return removeWhere(&c.Requests, func(x Request) bool { return x.Env == env && x.Name == name }, &NotFoundError{Kind: "request", Name: name, Env: env})
	})
	return err
}

// UpdateSettings changes the user preferences kept in the catalog.
func (v *Vault) UpdateSettings(fn func(*Settings)) error {
	_, err := v.cat.Update(func(c *Catalog) error {
		fn(&c.Settings)
		return nil
	})
	return err
}
