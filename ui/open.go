package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/dashboard"
	"github.com/authdeck/authdeck/ui/screens/flow"
	"github.com/authdeck/authdeck/ui/screens/form"
	"github.com/authdeck/authdeck/ui/screens/importer"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/screens/wizard"
	"github.com/authdeck/authdeck/vault"
)

// routeOpen turns the "open this" intents into screens.
func (m *Model) routeOpen(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.EditMsg:
		return m.openEdit(msg), true
	case common.OpenRequestMsg:
		return m.push(m.opts.RequestScreen(m.c, msg)), true
	case common.OpenTokenMsg:
		if m.Top().ScreenKey() == (common.ScreenKey{Kind: "token", Env: msg.Env, Name: msg.Secret}) {
			return nil, true
		}
		return m.push(token.New(m.c, msg.Env, msg.Secret)), true
	case common.RunFlowMsg:
		switch m.Top().(type) {
		case *flow.Model, *flow.OAuth1Model:
			m.pop()
		}
		return m.push(flow.NewFor(m.c, msg)), true
	case common.OpenWizardMsg:
		return m.push(wizard.New(m.c, msg.Env)), true
	case common.OpenImportMsg:
		return m.push(importer.New(m.c, msg.Env)), true
	}
	return nil, false
}

func (m *Model) openEdit(msg common.EditMsg) tea.Cmd {
	cat := m.c.Catalog
	if cat == nil {
		return nil
	}
	switch msg.Kind {
	case common.EditEnvironment:
		return m.push(form.NewEnvironment(m.c))
	case common.EditVariable:
		return m.openVariable(cat, msg)
	case common.EditClient:
		if msg.Name == "" {
			return m.push(form.NewClient(m.c, msg.Env))
		}
		ac, ok := cat.Client(msg.Env, msg.Name)
		if !ok {
			return common.ErrorCmd(&vault.NotFoundError{Kind: "auth client", Name: msg.Name, Env: msg.Env})
		}
		if msg.Value {
			return m.push(form.SetClientCredentials(m.c, *ac))
		}
		return m.push(form.EditClient(m.c, *ac))
	case common.EditSecret:
		if msg.Name == "" {
			return m.push(form.NewSecret(m.c, msg.Env, msg.Type))
		}
		s, ok := cat.Secret(msg.Env, msg.Name)
		if !ok {
			return common.ErrorCmd(&vault.NotFoundError{Kind: "secret", Name: msg.Name, Env: msg.Env})
		}
		if msg.Value {
			return m.push(form.SetSecretValue(m.c, *s))
		}
		return m.push(form.EditSecret(m.c, *s))
	}
	return nil
}

// openVariable opens the form adding a variable, setting a secret one's
// value, or editing a plain one's.
func (m *Model) openVariable(cat *vault.Catalog, msg common.EditMsg) tea.Cmd {
	e, ok := cat.Env(msg.Env)
	if !ok {
		return common.ErrorCmd(&vault.NotFoundError{Kind: "environment", Name: msg.Env})
	}
	if msg.Name == "" {
		return m.push(form.NewVariable(m.c, msg.Env))
	}
	x, ok := e.Var(msg.Name)
	switch {
	case !ok:
		return common.ErrorCmd(&vault.NotFoundError{Kind: "variable", Name: msg.Name, Env: msg.Env})
	case x.Secret:
		return m.push(form.SetVariable(m.c, msg.Env, msg.Name))
	}
	return m.push(form.EditVariable(m.c, msg.Env, x))
}

func (m *Model) openDashboard() tea.Cmd {
	if _, ok := m.Top().(*dashboard.Model); ok {
		return nil
	}
	return m.push(dashboard.New(m.c))
}
