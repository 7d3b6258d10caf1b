package workspace

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/authdeck/authdeck/vault"
)

// ExportOptions say what Export moves.
type ExportOptions struct {
	// Envs are the environments to move; empty means all of them.
	Envs []string
	// SkipValues moves the items without their values (each person,
	// the one exporting included, then sets their own).
	SkipValues bool
}

// ExportReport says what Export moved.
type ExportReport struct {
	Envs, Clients, Secrets, Requests, Values int
}

// Export writes the items of src (a personal workspace) into dst (a team
// workspace), environment by environment, as one change: every item gets a
// file of the folder, and unless SkipValues the values src holds for them
// are copied into dst's store (this person's vault, under the team
// workspace's keys) — never into the folder. Token sets come along as this
// person's own. Nothing is written when anything fails.
func Export(ctx context.Context, src, dst *vault.Vault, opts ExportOptions) (ExportReport, error) {
	var rep ExportReport
	c, err := src.Load()
	if err != nil {
		return rep, err
	}
	envs := opts.Envs
	if len(envs) == 0 {
		for _, e := range c.Environments {
			envs = append(envs, e.Name)
		}
	}
	var b vault.Batch
	declared := map[string][]string{} // secret variables, by environment
	b.Vars, b.SecretVars = map[string]map[string]string{}, map[string]map[string]string{}
	for _, name := range envs {
		e, ok := c.Env(name)
		if !ok {
			return rep, &vault.NotFoundError{Kind: "environment", Name: name}
		}
		ne := vault.Environment{Name: e.Name, Tenant: e.Tenant, Description: e.Description}
		b.Envs = append(b.Envs, ne)
		rep.Envs++
		plain := map[string]string{}
		for _, x := range e.Variables {
			if !x.Secret {
				plain[x.Name] = x.Value
			}
		}
		if len(plain) > 0 {
			b.Vars[e.Name] = plain
		}
		for _, x := range e.Variables {
			if x.Secret {
				declared[e.Name] = append(declared[e.Name], x.Name)
			}
		}
		if e.HasSecretVars() && !opts.SkipValues {
			vars, err := src.Vars(ctx, e.Name)
			if err != nil {
				return rep, fmt.Errorf("reading the secret variables of %q: %w", e.Name, err)
			}
			secret := map[string]string{}
			for _, x := range e.Variables {
				if v, ok := vars[x.Name]; x.Secret && ok {
					secret[x.Name] = v
					rep.Values++
				}
			}
			if len(secret) > 0 {
				b.SecretVars[e.Name] = secret
			}
		}
		for _, ac := range c.ClientsIn(e.Name) {
			it := vault.ClientItem{Client: ac}
			it.Client.ID, it.Client.Shared, it.Client.SharedWith = "", false, nil
			if ac.HasSecret && !opts.SkipValues {
				creds, err := src.ClientCredentials(ctx, ac)
				if err != nil && !errors.Is(err, vault.ErrNotFound) {
					return rep, fmt.Errorf("reading the credentials of auth client %q: %w", ac.Name, err)
				}
				if err == nil && !creds.Empty() {
					it.Creds = &creds
					rep.Values++
				}
			}
			b.Clients = append(b.Clients, it)
			rep.Clients++
		}
		for _, s := range c.SecretsIn(e.Name) {
			if opts.SkipValues && vault.PersonalOnly(s.Type) {
				continue // a token set is nothing but its value
			}
			it := vault.SecretItem{Secret: s}
			it.Secret.ID, it.Secret.Shared, it.Secret.SharedWith = "", false, nil
			if !opts.SkipValues {
				val, err := src.SecretValue(ctx, s)
				if errors.Is(err, vault.ErrNotFound) {
					continue // an item without a value cannot be stored; doctor reports such items
				}
				if err != nil {
					return rep, fmt.Errorf("reading the value of secret %q: %w", s.Name, err)
				}
				it.Value = val
				rep.Values++
			}
			b.Secrets = append(b.Secrets, it)
			rep.Secrets++
		}
		for _, r := range c.RequestsIn(e.Name) {
			r.ID = ""
			b.Requests = append(b.Requests, r)
			rep.Requests++
		}
	}
	if opts.SkipValues {
		if err := exportWithoutValues(dst, b, declared); err != nil {
			return ExportReport{}, err
		}
	} else {
		if _, err := dst.Apply(ctx, b); err != nil {
			return ExportReport{}, err
		}
		// secret variables without a value are declared all the same
		if err := declareSecretVars(dst, declared); err != nil {
			return ExportReport{}, err
		}
	}
	if slices.Contains(envs, c.ActiveEnv) {
		if err := dst.UseEnv(c.ActiveEnv); err != nil {
			return ExportReport{}, err
		}
	}
	return rep, nil
}

// exportWithoutValues writes the items of b with no values: secrets and
// client credentials become references each person fills.
func exportWithoutValues(dst *vault.Vault, b vault.Batch, declared map[string][]string) error {
	now := dst.Now()
	_, err := dst.Catalogs().Update(func(c *vault.Catalog) error {
		for _, e := range b.Envs {
			if _, ok := c.Env(e.Name); ok {
				return &vault.ExistsError{Kind: "environment", Name: e.Name}
			}
			e.ID, e.Created, e.Updated = vault.NewID(), now, now
			for n, v := range b.Vars[e.Name] {
				e.Variables = append(e.Variables, vault.Variable{Name: n, Value: v})
			}
			for _, n := range declared[e.Name] {
				e.Variables = append(e.Variables, vault.Variable{Name: n, Secret: true})
			}
			slices.SortFunc(e.Variables, func(x, y vault.Variable) int { return cmpString(x.Name, y.Name) })
			c.Environments = append(c.Environments, e)
		}
		for _, it := range b.Clients {
			ac := it.Client
			ac.ID, ac.Created, ac.Updated = vault.NewID(), now, now
			if err := ac.Validate(); err != nil {
				return err
			}
			c.Clients = append(c.Clients, ac)
		}
		for _, it := range b.Secrets {
			s := it.Secret
			s.ID, s.Created, s.Updated = vault.NewID(), now, now
			if err := s.Validate(); err != nil {
				return err
			}
			c.Secrets = append(c.Secrets, s)
		}
		for _, r := range b.Requests {
			r.ID, r.Created, r.Updated = vault.NewID(), now, now
			if err := r.Validate(); err != nil {
				return err
			}
			c.Requests = append(c.Requests, r)
		}
		return nil
	})
	return err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// declareSecretVars adds the secret variables of declared that an
// environment does not have yet, with no value.
func declareSecretVars(dst *vault.Vault, declared map[string][]string) error {
	missing := false
	c, err := dst.Load()
	if err != nil {
		return err
	}
	for env, names := range declared {
		e, ok := c.Env(env)
		for _, n := range names {
			if _, has := e.Var(n); ok && !has {
				missing = true
			}
		}
	}
	if !missing {
		return nil
	}
	_, err = dst.Catalogs().Update(func(c *vault.Catalog) error {
		for env, names := range declared {
			e, ok := c.Env(env)
			if !ok {
				continue
			}
			for _, n := range names {
				if _, has := e.Var(n); !has {
					e.Variables = append(e.Variables, vault.Variable{Name: n, Secret: true})
				}
			}
		}
		return nil
	})
	return err
}
