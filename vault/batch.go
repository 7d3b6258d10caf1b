package vault

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// ClientItem is an auth client to create with its credentials.
type ClientItem struct {
	Client AuthClient
	Creds  *ClientCredentials
}

// SecretItem is a secret to create with its value.
type SecretItem struct {
	Secret Secret
	Value  SecretValue
}

// Batch is a set of new items created all together or not at all (imports).
type Batch struct {
	Envs     []Environment
	Clients  []ClientItem
	Secrets  []SecretItem
	Requests []Request
	// SecretVars are secret environment variables to add, by environment name
	// (an environment of this batch or an existing one).
	SecretVars map[string]map[string]string
	// Vars are plain (catalog) environment variables to add, by environment
	// name; a name that already exists in that environment is a conflict.
	Vars map[string]map[string]string
}

// Empty reports whether the batch creates nothing.
func (b *Batch) Empty() bool {
	return len(b.Envs) == 0 && len(b.Clients) == 0 && len(b.Secrets) == 0 && len(b.Requests) == 0 && len(b.SecretVars) == 0 && len(b.Vars) == 0
}

// Apply validates every item of b against the catalog and itself, then stores
// values and catalog entries. When anything fails, nothing is stored.
func (v *Vault) Apply(ctx context.Context, b Batch) (*Catalog, error) {
	now := v.Now()
	c, err := v.cat.Load()
	if err != nil {
		return nil, err
	}
	if err := b.prepare(now); err != nil {
		return nil, err
	}
	if err := b.validateVars(); err != nil {
		return nil, err
	}
	// The secret variables are written under the ID each environment has
	// now; the merge refuses a catalog where it has another (removed and
	// added again meanwhile), so no value is stored under an ID nobody uses.
	envIDs := map[string]string{}
	for envName := range b.SecretVars {
		if e, ok := c.Env(envName); ok {
			envIDs[envName] = e.ID
		}
	}
	merge := func(c *Catalog) error {
		for envName, id := range envIDs {
			if e, ok := c.Env(envName); !ok || e.ID != id {
				return fmt.Errorf("%w: environment %q was removed or replaced while importing; nothing was stored, run the import again", ErrNotConfigured, envName)
			}
		}
		return b.mergeInto(c, now)
	}
	// Dry run against a copy so conflicts are found before any store write.
	if err := merge(c.Clone()); err != nil {
		return nil, err
	}
	writes, err := v.batchWrites(ctx, c, &b)
	if err != nil {
		return nil, err
	}
	return v.commit(ctx, writes, merge)
}

// prepare validates the batch's items on their own and gives them IDs and
// timestamps.
func (b *Batch) prepare(now time.Time) error {
	for i := range b.Envs {
		e := &b.Envs[i]
		e.ID, e.Created, e.Updated = NewID(), now, now
		if err := e.Validate(); err != nil {
			return err
		}
	}
	for i := range b.Clients {
		it := &b.Clients[i]
		if err := it.Client.Validate(); err != nil {
			return err
		}
		creds := ClientCredentials{}
		if it.Creds != nil {
			creds = *it.Creds
		}
		if err := it.Client.ValidateCredentials(creds); err != nil {
			return err
		}
		it.Client.ID, it.Client.Created, it.Client.Updated = NewID(), now, now
		it.Client.HasSecret = !creds.Empty()
	}
	for i := range b.Secrets {
		it := &b.Secrets[i]
		if err := it.Secret.Validate(); err != nil {
			return err
		}
		if err := it.Secret.ValidateValue(it.Value); err != nil {
			return err
		}
		deriveSecretMeta(&it.Secret, it.Value)
		it.Secret.ID, it.Secret.Created, it.Secret.Updated = NewID(), now, now
	}
	for i := range b.Requests {
		r := &b.Requests[i]
		if err := r.Validate(); err != nil {
			return err
		}
		r.ID, r.Created, r.Updated = NewID(), now, now
	}
	return nil
}

// validateVars checks the names of the batch's variables, and that none is
// both plain and secret.
func (b *Batch) validateVars() error {
	for env, vars := range b.SecretVars {
		for name := range vars {
			if err := ValidateVarName(env, name); err != nil {
				return err
			}
		}
	}
	for env, vars := range b.Vars {
		for name := range vars {
			if err := ValidateVarName(env, name); err != nil {
				return err
			}
			if _, dup := b.SecretVars[env][name]; dup {
				return &ValidationError{Kind: "variable", Name: name, Msg: fmt.Sprintf("is both plain and secret in environment %q", env)}
			}
		}
	}
	return nil
}

// batchWrites returns the store writes of the batch's values: client
// credentials, secret values, and each environment's secret variables
// merged into its stored blob.
func (v *Vault) batchWrites(ctx context.Context, c *Catalog, b *Batch) ([]valueWrite, error) {
	var writes []valueWrite
	for _, it := range b.Clients {
		if it.Client.HasSecret {
			writes = append(writes, valueWrite{key: clientKey(it.Client.ID), value: mustJSON(it.Creds)})
		}
	}
	for _, it := range b.Secrets {
		writes = append(writes, valueWrite{key: secretKey(it.Secret.ID), value: mustJSON(it.Value)})
	}
	for envName, vars := range b.SecretVars {
		w, err := v.secretVarsWrite(ctx, c, b, envName, vars)
		if err != nil {
			return nil, err
		}
		writes = append(writes, w)
	}
	return writes, nil
}

// secretVarsWrite returns the write of environment envName's secret
// variables with vars merged in; an environment the batch creates has none
// stored yet.
func (v *Vault) secretVarsWrite(ctx context.Context, c *Catalog, b *Batch, envName string, vars map[string]string) (valueWrite, error) {
	envID, existing := "", map[string]string{}
	if e, ok := c.Env(envName); ok {
		envID = e.ID
		var err error
		existing, err = v.secretVars(ctx, e)
		if err != nil {
			return valueWrite{}, err
		}
	} else {
		for _, e := range b.Envs {
			if e.Name == envName {
				envID = e.ID
			}
		}
	}
	for k, val := range vars {
		existing[k] = val
	}
	return valueWrite{key: envKey(envID), value: mustJSON(existing)}, nil
}

func (b *Batch) mergeInto(c *Catalog, now time.Time) error {
	if err := b.mergeItems(c); err != nil {
		return err
	}
	return b.mergeVars(c, now)
}

// mergeItems adds the batch's environments, clients, secrets and requests
// to c, refusing names c has and references to what it lacks.
func (b *Batch) mergeItems(c *Catalog) error {
	for _, e := range b.Envs {
		if _, ok := c.Env(e.Name); ok {
			return &ExistsError{Kind: "environment", Name: e.Name}
		}
		c.Environments = append(c.Environments, e)
	}
	for _, it := range b.Clients {
		if _, ok := c.Env(it.Client.Env); !ok {
			return &NotFoundError{Kind: "environment", Name: it.Client.Env}
		}
		if _, ok := c.Client(it.Client.Env, it.Client.Name); ok {
			return &ExistsError{Kind: "auth client", Name: it.Client.Name, Env: it.Client.Env}
		}
		c.Clients = append(c.Clients, it.Client)
	}
	for _, it := range b.Secrets {
		s := it.Secret
		if _, ok := c.Env(s.Env); !ok {
			return &NotFoundError{Kind: "environment", Name: s.Env}
		}
		if _, ok := c.Secret(s.Env, s.Name); ok {
			return &ExistsError{Kind: "secret", Name: s.Name, Env: s.Env}
		}
		if s.AuthClient != "" {
			if _, ok := c.Client(s.Env, s.AuthClient); !ok {
				return &NotFoundError{Kind: "auth client", Name: s.AuthClient, Env: s.Env}
			}
		}
		c.Secrets = append(c.Secrets, s)
	}
	for _, r := range b.Requests {
		if _, ok := c.Env(r.Env); !ok {
			return &NotFoundError{Kind: "environment", Name: r.Env}
		}
		if _, ok := c.Request(r.Env, r.Name); ok {
			return &ExistsError{Kind: "request", Name: r.Name, Env: r.Env}
		}
		c.Requests = append(c.Requests, r)
	}
	return nil
}

// mergeVars adds the batch's secret and plain variables to their
// environments in c.
func (b *Batch) mergeVars(c *Catalog, now time.Time) error {
	for envName, vars := range b.SecretVars {
		e, ok := c.Env(envName)
		if !ok {
			return &NotFoundError{Kind: "environment", Name: envName}
		}
		for name := range vars {
			if x, exists := e.Var(name); exists && !x.Secret {
				return fmt.Errorf("%w: variable %q of environment %q already exists as a plain variable", ErrExists, name, envName)
			}
			if _, exists := e.Var(name); !exists {
				e.Variables = append(e.Variables, Variable{Name: name, Secret: true})
			}
		}
		e.Updated = now
	}
	for envName, vars := range b.Vars {
		e, ok := c.Env(envName)
		if !ok {
			return &NotFoundError{Kind: "environment", Name: envName}
		}
		names := make([]string, 0, len(vars))
		for name := range vars {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, exists := e.Var(name); exists {
				return fmt.Errorf("%w: variable %q of environment %q already exists", ErrExists, name, envName)
			}
			e.Variables = append(e.Variables, Variable{Name: name, Value: vars[name]})
		}
		e.Updated = now
	}
	return nil
}
