package browse

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// fixtureAPI is the value of the fixture's plain variable api.
const fixtureAPI = "https://api.example.test"

// variable returns env's variable name as the catalog holds it now.
func variable(t *testing.T, v *vault.Vault, env, name string) (vault.Variable, bool) {
	t.Helper()
	e, ok := uitest.Catalog(v).Env(env)
	if !ok {
		t.Fatalf("no environment %s", env)
	}
	return e.Var(name)
}

// storedValue is what the vault resolves {{name}} of env to.
func storedValue(t *testing.T, v *vault.Vault, env, name string) string {
	t.Helper()
	vals, err := v.Vars(context.Background(), env)
	if err != nil {
		t.Fatalf("Vars: %v", err)
	}
	return vals[name]
}

func lastIntent(h *uitest.Host) any {
	if len(h.Intents) == 0 {
		return nil
	}
	return h.Intents[len(h.Intents)-1]
}

// TestVariableSecretAndPlainAgain: s makes a plain variable secret at once
// (its value leaves the catalog for the vault, the screen never shows it);
// s on a secret one asks, "no" is the default, y makes it plain with the
// same value.
func TestVariableSecretAndPlainAgain(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, h, m := newBrowse(t, v)
	selectName(t, d, m, "api")
	if hb := m.KeyMap().Secret.Help(); !m.KeyMap().Secret.Enabled() || hb.Desc != "mark secret" {
		t.Fatalf("s on a plain variable: enabled %v, help %q", m.KeyMap().Secret.Enabled(), hb.Desc)
	}
	d.Press("s")
	x, ok := variable(t, v, "dev", "api")
	if !ok || !x.Secret || x.Value != "" {
		t.Fatalf("after s the catalog holds %+v (want secret, no value)", x)
	}
	if got := storedValue(t, v, "dev", "api"); got != fixtureAPI {
		t.Fatalf("the vault resolves api to %q, want the value it had", got)
	}
	if it, _ := m.Selected(); it.Name != "api" || it.Hint != "secret" {
		t.Errorf("selection after s = %+v", it)
	}
	if s := d.Screen(); strings.Contains(s, fixtureAPI) {
		t.Errorf("the secret value is on screen:\n%s", s)
	}
	if st := h.LastStatus(); st != "" {
		t.Errorf("s reported %q", st)
	}
	if hb := m.KeyMap().Secret.Help(); hb.Desc != "make plain" {
		t.Errorf("s on a secret variable is offered as %q", hb.Desc)
	}

	d.Press("s")
	if h.Dialog == nil {
		t.Fatal("making a secret variable plain did not ask")
	}
	if s := d.Screen(); !strings.Contains(s, "catalog file") {
		t.Errorf("the question does not say where the value goes:\n%s", s)
	}
	d.Press("enter") // the default answer is no
	if x, _ := variable(t, v, "dev", "api"); !x.Secret {
		t.Fatal("the default answer made the variable plain")
	}
	d.Press("s", "y")
	x, _ = variable(t, v, "dev", "api")
	if x.Secret || x.Value != fixtureAPI {
		t.Fatalf("after y the catalog holds %+v, want plain with its value", x)
	}
}

// TestVariableDeleteAsksAndRemoves: d asks (no by default), y removes the
// variable and its stored value, and the cursor stays where it was in the
// list rather than jumping to the top.
func TestVariableDeleteAsksAndRemoves(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	if err := v.SetVar(context.Background(), "dev", "token", "typed-variable-secret-0001", true); err != nil {
		t.Fatal(err)
	}
	d, _, m := newBrowse(t, v)
	selectName(t, d, m, "token")
	d.Press("d")
	if s := d.Screen(); !strings.Contains(s, "Delete variable token?") || !strings.Contains(s, "vault") {
		t.Fatalf("the question is not about the variable and its stored value:\n%s", s)
	}
	d.Press("enter")
	if _, ok := variable(t, v, "dev", "token"); !ok {
		t.Fatal("the default answer deleted the variable")
	}
	d.Press("d", "y")
	if _, ok := variable(t, v, "dev", "token"); ok {
		t.Fatal("y did not delete the variable")
	}
	if got := storedValue(t, v, "dev", "token"); got != "" {
		t.Error("the secret value is still resolvable after the delete")
	}
	said := ""
	for _, msg := range d.Seen() {
		if r, ok := msg.(common.ResultMsg); ok && r.OK != "" {
			said = r.OK
		}
	}
	if said != `Removed token from environment "dev"` {
		t.Errorf("the delete says %q", said)
	}
	// token was the last variable: the row that took its place is the
	// first request, not the list's top.
	if it, _ := m.Selected(); it.Name != "list users" {
		t.Errorf("after the delete the cursor is on %q", it.Name)
	}
}

// TestVariableDeleteFailureChangesNothing covers S-37 for variables: a
// store that fails the write leaves the variable and its value.
func TestVariableDeleteFailureChangesNothing(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	if err := v.SetVar(context.Background(), "dev", "token", "typed-variable-secret-0001", true); err != nil {
		t.Fatal(err)
	}
	fv := vault.New(v.Catalogs(), vaulttest.NewFailingStore(v.Store(), 1))
	d, h, m := newBrowse(t, fv)
	selectName(t, d, m, "token")
	d.Press("d", "y")
	if _, ok := variable(t, fv, "dev", "token"); !ok {
		t.Fatal("a failed delete removed the variable")
	}
	if got := storedValue(t, v, "dev", "token"); got != "typed-variable-secret-0001" {
		t.Error("a failed delete lost the stored value")
	}
	if h.LastStatus() == "" && len(h.Intents) == 0 {
		t.Error("the failure was not reported")
	}
}

// TestVariableEditIntents: enter and e open the value form of the selected
// variable (the secret one's without showing it); n offers "Variable".
func TestVariableEditIntents(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	if err := v.SetVar(context.Background(), "dev", "token", "typed-variable-secret-0001", true); err != nil {
		t.Fatal(err)
	}
	d, h, m := newBrowse(t, v)
	selectName(t, d, m, "api")
	if hb := m.KeyMap().Open.Help(); hb.Desc != "edit value" {
		t.Errorf("enter on a plain variable is offered as %q", hb.Desc)
	}
	for _, k := range []string{"enter", "e"} {
		d.Press(k)
		if em, ok := lastIntent(h).(common.EditMsg); !ok || em.Kind != common.EditVariable || em.Name != "api" || em.Env != "dev" || em.Value {
			t.Errorf("%s on a plain variable sent %#v", k, lastIntent(h))
		}
	}
	selectName(t, d, m, "token")
	d.Press("e")
	if em, ok := lastIntent(h).(common.EditMsg); !ok || em.Kind != common.EditVariable || em.Name != "token" || !em.Value {
		t.Errorf("e on a secret variable sent %#v", lastIntent(h))
	}
	if strings.Contains(d.Screen(), "typed-variable-secret") {
		t.Error("a secret variable's value is on screen")
	}
	d.Press("n")
	if !strings.Contains(d.Screen(), "Variable") {
		t.Fatalf("the chooser offers no variable:\n%s", d.Screen())
	}
}

// TestSelectionFollowsTheChange: the result of a change that names an item
// moves the cursor to it, clearing a filter that hides it.
func TestSelectionFollowsTheChange(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, _, m := newBrowse(t, v)
	d.Press("/")
	d.Type("weath")
	d.Press("enter")
	if it, _ := m.Selected(); it.Name != "weather-key" {
		t.Fatalf("filter selected %q", it.Name)
	}
	if err := v.SetVar(context.Background(), "dev", "region", "eu-1", false); err != nil {
		t.Fatal(err)
	}
	d.Send(common.ResultMsg{OK: "Set region", Catalog: uitest.Catalog(v), Item: common.ItemRef{Kind: "variable", Env: "dev", Name: "region"}})
	d.Settle()
	if it, _ := m.Selected(); it.Name != "region" || it.Section != SectionVariables {
		t.Fatalf("after the change the cursor is on %+v", it)
	}
	if m.List().Query() != "" {
		t.Error("the filter hiding the new item is still on")
	}
	if s := d.Screen(); !strings.Contains(s, "eu-1") {
		t.Errorf("the detail does not show the new variable:\n%s", s)
	}
}
