package form

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// envSpec creates an environment.
type envSpec struct {
	name, tenant, description string
}

// NewEnvironment returns the form that creates an environment.
func NewEnvironment(c *common.Common) *Model { return newModel(c, &envSpec{}) }

func (s *envSpec) title() string { return "New environment" }

func (s *envSpec) load(*common.Common) tea.Cmd { return nil }

func (s *envSpec) loaded(tea.Msg) (bool, error) { return false, nil }

func (s *envSpec) env(name string) vault.Environment {
	return vault.Environment{Name: name, Tenant: s.tenant, Description: s.description}
}

func (s *envSpec) groups(c *common.Common) []*huh.Group {
	return []*huh.Group{huh.NewGroup(
		huh.NewInput().Key("name").Title("Name").Placeholder("staging").Value(&s.name).Validate(func(v string) error {
			e := s.env(v)
			if err := fieldError(e.Validate(), "name"); err != nil {
				return err
			}
			if c.Catalog != nil {
				if _, ok := c.Catalog.Env(v); ok {
					return &vault.ExistsError{Kind: "environment", Name: v}
				}
			}
			return nil
		}),
		huh.NewInput().Key("tenant").Title("Tenant").Description("optional ownership label").Value(&s.tenant),
		huh.NewInput().Key("description").Title("Description").Value(&s.description),
	)}
}

func (s *envSpec) prepare(*common.Common) (change, error) {
	e := s.env(s.name)
	if err := e.Validate(); err != nil {
		return change{}, err
	}
	return change{ok: "Created environment " + e.Name + " (E switches to it)", run: func(_ context.Context, v *vault.Vault) (string, error) {
		_, err := v.AddEnv(e)
		return "", err
	}}, nil
}
