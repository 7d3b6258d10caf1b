package form

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// Variable kinds as the new-variable form offers them.
const (
	kindPlain  = "plain"
	kindSecret = "secret"
)

// newVariableSpec creates a variable of an environment: its name, whether
// it is secret, then its value (masked when secret). It saves with the
// vault's SetVar, as 'authdeck env set' does: a secret value goes to the
// vault, never to the catalog.
type newVariableSpec struct {
	env, name, kind string
	// plain and secret are the value as typed on the page the kind shows.
	plain, secret string
}

// NewVariable returns the form that adds a variable to env.
func NewVariable(c *common.Common, env string) *Model {
	return newModel(c, &newVariableSpec{env: env, kind: kindPlain})
}

func (s *newVariableSpec) title() string { return "New variable in " + s.env }

func (s *newVariableSpec) load(*common.Common) tea.Cmd { return nil }

func (s *newVariableSpec) loaded(tea.Msg) (bool, error) { return false, nil }

// checkName validates name as the CLI does and refuses one env already has.
func (s *newVariableSpec) checkName(c *common.Common, name string) error {
	if err := vault.ValidateVarName(s.env, name); err != nil {
		return err
	}
	if c.Catalog == nil {
		return nil
	}
	if e, ok := c.Catalog.Env(s.env); ok {
		if _, taken := e.Var(name); taken {
			return &vault.ExistsError{Kind: "variable", Name: name, Env: s.env}
		}
	}
	return nil
}

func (s *newVariableSpec) groups(c *common.Common) []*huh.Group {
	fills := func() string { return "fills {{" + s.name + "}} in URLs, headers and bodies" }
	return []*huh.Group{
		huh.NewGroup(
			huh.NewInput().Key("name").Title("Name").Description("used as {{name}}").Placeholder("baseUrl").Value(&s.name).
				Validate(func(v string) error {
					if err := s.checkName(c, v); err != nil {
						return nameError(err)
					}
					return nil
				}),
			huh.NewSelect[string]().Key("kind").Title("Kind").Options(
				huh.NewOption("plain: the value is kept with the environment", kindPlain),
				huh.NewOption("secret: the value is kept in the "+c.BackendLabel()+" vault, never in the catalog", kindSecret),
			).Value(&s.kind),
		),
		huh.NewGroup(
			huh.NewInput().Key("value").Title("Value").DescriptionFunc(fills, &s.name).Value(&s.plain),
		).WithHideFunc(func() bool { return s.kind != kindPlain }),
		huh.NewGroup(
			secretInput("secretValue", "Value", "", &s.secret).DescriptionFunc(fills, &s.name).Validate(requiredValue),
		).Description(valueNote(c, false)).WithHideFunc(func() bool { return s.kind != kindSecret }),
	}
}

// nameError is a variable name's problem as the field shows it: the
// vault's message, which names the environment as the CLI's does.
func nameError(err error) error {
	if fe := fieldError(err, "name"); fe != nil {
		return fe
	}
	return err
}

// requiredValue refuses an empty secret value.
func requiredValue(v string) error {
	if v == "" {
		return errors.New("value is required")
	}
	return nil
}

func (s *newVariableSpec) prepare(c *common.Common) (change, error) {
	if err := s.checkName(c, s.name); err != nil {
		return change{}, err
	}
	secret, value := s.kind == kindSecret, s.plain
	if secret {
		if s.secret == "" {
			return change{}, &vault.ValidationError{Kind: "variable", Name: s.name, Field: "value", Msg: "is required"}
		}
		value = s.secret
	}
	return setVarChange(c, s.env, s.name, value, secret), nil
}

// setVarChange is the save of a variable: SetVar, and a status line that
// says where the value went, as 'authdeck env set' prints it.
func setVarChange(c *common.Common, env, name, value string, secret bool) change {
	kind := "plain, kept in the catalog"
	if secret {
		kind = "secret, value in the " + c.BackendLabel() + " vault"
	}
	return change{
		ok:   fmt.Sprintf("Set %s in environment %q (%s)", name, env, kind),
		item: common.ItemRef{Kind: "variable", Env: env, Name: name},
		run: func(ctx context.Context, v *vault.Vault) (string, error) {
			return "", v.SetVar(ctx, env, name, value, secret)
		},
	}
}

// plainVariableSpec changes a plain variable's value; its name and kind
// stay (the browse screen's s key makes it secret).
type plainVariableSpec struct {
	env, name, value string
}

// EditVariable returns the form that changes the value of the plain
// variable x of env, its value field focused and filled in.
func EditVariable(c *common.Common, env string, x vault.Variable) *Model {
	return newModel(c, &plainVariableSpec{env: env, name: x.Name, value: x.Value})
}

func (s *plainVariableSpec) title() string {
	return fmt.Sprintf("Edit the variable %s (%s)", s.name, s.env)
}

func (s *plainVariableSpec) load(*common.Common) tea.Cmd { return nil }

func (s *plainVariableSpec) loaded(tea.Msg) (bool, error) { return false, nil }

func (s *plainVariableSpec) groups(*common.Common) []*huh.Group {
	return []*huh.Group{huh.NewGroup(
		huh.NewInput().Key("value").Title("Value").Description("fills {{" + s.name + "}} in URLs, headers and bodies").Value(&s.value),
	).Description("plain: kept with the environment, shown on screen (s in the list makes it secret)")}
}

func (s *plainVariableSpec) prepare(c *common.Common) (change, error) {
	if c.Catalog != nil {
		if e, ok := c.Catalog.Env(s.env); ok {
			if x, ok := e.Var(s.name); ok && x.Secret {
				// made secret meanwhile: this form would store it plain
				return change{}, fmt.Errorf("%w: variable %q of environment %q is secret now; set its value with enter in the list", vault.ErrInvalid, s.name, s.env)
			}
		}
	}
	return setVarChange(c, s.env, s.name, s.value, false), nil
}
