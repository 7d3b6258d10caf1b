package browse

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// The Variables section edits the environment's variables with the same
// vault calls as 'authdeck env set' and 'env unset': n adds one (the
// chooser's "Variable"), e or enter edits its value (a secret one's is set
// without being shown), s makes it secret (its value moves to the vault)
// or plain again (after a confirmation: the value then sits in the
// catalog), d removes it after a confirmation.

// editVariable opens the form that changes the selected variable's value.
func editVariable(sel selection) tea.Cmd {
	msg := common.EditMsg{Kind: common.EditVariable, Env: sel.env, Name: sel.variable.Name, Value: sel.variable.Secret}
	return func() tea.Msg { return msg }
}

// newVariable opens the form that adds a variable to env.
func newVariable(env string) tea.Cmd {
	return func() tea.Msg { return common.EditMsg{Kind: common.EditVariable, Env: env} }
}

// toggleSecret makes the selected plain variable secret at once, or asks
// before making a secret one plain.
func (m *Model) toggleSecret() tea.Cmd {
	sel, ok := m.resolve()
	if !ok || sel.variable == nil {
		return nil
	}
	env, x := sel.env, *sel.variable
	if !x.Secret {
		ok := fmt.Sprintf("Made %s secret: its value moved to the %s vault", x.Name, m.c.BackendLabel())
		return common.ChangeCmd(m.c.Vault, m.c.StoreTimeout, "variable", ok, func(ctx context.Context, v *vault.Vault) error {
			return moveVar(ctx, v, env, x.Name, true)
		})
	}
	if _, unset := m.unsetOf(sel); unset {
		return common.Status(common.StatusWarning, "You have no value of "+x.Name+" yet: enter sets it")
	}
	return common.OpenDialog(newPlainConfirm(m.c, env, x.Name))
}

// moveVar turns the variable name of env secret or plain, keeping its
// value: SetVar moves the value between the catalog and the vault.
func moveVar(ctx context.Context, v *vault.Vault, env, name string, secret bool) error {
	vals, err := v.Vars(ctx, env)
	if err != nil {
		return err
	}
	val, ok := vals[name]
	if !ok {
		return &vault.NotFoundError{Kind: "value of the variable", Name: name, Env: env}
	}
	return v.SetVar(ctx, env, name, val, secret)
}

// newPlainConfirm asks before a secret variable's value leaves the vault;
// "no" is the default.
func newPlainConfirm(c *common.Common, env, name string) common.Dialog {
	backend := c.BackendLabel()
	body := fmt.Sprintf("Its value leaves the %s vault and is kept as plain text with the environment %s: it shows on screen, in 'authdeck env show' and in the catalog file.", backend, env)
	ok := fmt.Sprintf("Made %s plain: its value now sits in the catalog", name)
	run := common.ChangeCmd(c.Vault, c.StoreTimeout, "variable", ok, func(ctx context.Context, v *vault.Vault) error {
		return moveVar(ctx, v, env, name, false)
	})
	d := dialogs.NewConfirm(c, "Make "+name+" plain?", body, "Make plain", run)
	d.Danger = true
	return d
}

// variableDelete is what the delete confirmation of a variable says and runs.
func variableDelete(c *common.Common, env string, x vault.Variable) (title, body, ok string, run func(context.Context, *vault.Vault) error) {
	title = "Delete variable " + x.Name + "?"
	body = fmt.Sprintf("%s is removed from %s; {{%s}} no longer resolves there.", x.Name, env, x.Name)
	if x.Secret {
		body = fmt.Sprintf("%s and its value in the %s vault are removed from %s; {{%s}} no longer resolves there.", x.Name, c.BackendLabel(), env, x.Name)
	}
	ok = fmt.Sprintf("Removed %s from environment %q", x.Name, env)
	name := x.Name
	run = func(ctx context.Context, v *vault.Vault) error { return v.UnsetVar(ctx, env, name) }
	return title, body, ok, run
}

// listID returns the list ID of the item ref names in cat ("" when gone).
func listID(cat *vault.Catalog, ref common.ItemRef) string {
	switch ref.Kind {
	case "variable":
		if e, ok := cat.Env(ref.Env); ok {
			if _, ok := e.Var(ref.Name); ok {
				return variableID(ref.Name)
			}
		}
	case "secret":
		if x, ok := cat.Secret(ref.Env, ref.Name); ok {
			return x.ID
		}
	case "auth client":
		if x, ok := cat.Client(ref.Env, ref.Name); ok {
			return x.ID
		}
	case "request":
		if x, ok := cat.Request(ref.Env, ref.Name); ok {
			return x.ID
		}
	}
	return ""
}

// noteMade remembers the item a change created or edited, to select it
// when the catalog after the change arrives.
func (m *Model) noteMade(msg common.ResultMsg) {
	if msg.Err == nil && msg.Item.Name != "" {
		m.made = msg.Item
		if msg.Item.Kind == "request" {
			m.openFoldersOf(msg.Catalog, msg.Item.Env, msg.Item.Name)
		}
	}
}

// selectMade moves the cursor to the item noted by noteMade, clearing a
// filter that hides it; otherwise, when the selected item is gone (deleted),
// to the row that took its place.
func (m *Model) selectMade(prevID string, prevIdx int) tea.Cmd {
	ref := m.made
	m.made = common.ItemRef{}
	if id := listID(m.c.Catalog, ref); id != "" && ref.Env == m.c.Env {
		if m.list.Select(id) {
			return nil
		}
		cmd := m.list.ClearFilter()
		m.list.Select(id)
		return cmd
	}
	items := m.list.Items()
	if prevID == "" || len(items) == 0 || listIndex(items, prevID) >= 0 {
		return nil
	}
	m.list.Select(items[max(0, min(prevIdx, len(items)-1))].ID)
	return nil
}

// variableKeys offers s (secret or plain) on a variable and names what e
// and s do to it.
func (m *Model) variableKeys(k *KeyMap, sel selection) {
	k.Secret.SetEnabled(sel.variable != nil)
	if sel.variable == nil {
		return
	}
	k.Edit.SetHelp("e", "edit value")
	if sel.variable.Secret {
		k.Secret.SetHelp("s", "make plain")
	}
}
