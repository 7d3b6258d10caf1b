package vault

// This file is the repository's saved requests and settings.

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
