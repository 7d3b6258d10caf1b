package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// This file is the repository's environments and their variables.

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
	fn := func(c *Catalog) error {
		e, ok := c.Env(name)
		if !ok || e.ID != envID {
			return &NotFoundError{Kind: "environment", Name: name}
		}
		// Values added by another process since the plan was made would
		// be left in the store with nothing pointing at them.
		if !slices.Equal(envValueKeys(c, name), planned) {
			return fmt.Errorf("environment %q changed while it was being removed (another authdeck process?); nothing was removed, try again", name)
		}
		dropEnv(c, name)
		return nil
	}
	_, err = v.apply(ctx, change{writes: writes, remove: []ItemRef{{Kind: refEnv, ID: envID}}, fn: fn})
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
	var plain map[string]map[string]string
	if !secret && existed && old.Secret {
		// Made plain: a crash after the store write completes it with this value.
		plain = map[string]map[string]string{envID: {name: value}}
	}
	_, err = v.apply(ctx, change{writes: writes, plain: plain, fn: func(c *Catalog) error {
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
	}})
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
