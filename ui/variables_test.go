package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/uitest"
)

// variableSecret is a secret variable's value typed or stored in these
// tests; no screen may show it.
const variableSecret = "typed-variable-secret-value-0001"

// chooseVariable opens n's chooser and takes "Variable" (after "Request").
func chooseVariable(t *testing.T, d *uitest.Driver) {
	t.Helper()
	d.Press("n")
	for range 10 {
		d.Press("down")
	}
	if s := d.Screen(); !strings.Contains(s, "Variable") {
		t.Fatalf("the chooser offers no variable:\n%s", s)
	}
	d.Press("enter")
}

// selectedItem is the browse screen's selection.
func selectedItem(t *testing.T, m *Model) string {
	t.Helper()
	b, ok := m.Top().(*browse.Model)
	if !ok {
		t.Fatalf("top = %T, want browse", m.Top())
	}
	it, _ := b.Selected()
	return it.Name
}

// TestVariableEditorThroughTheApp adds a secret variable from the browse
// screen (n → Variable), then edits, makes plain and deletes it, through
// the root model as a person would: the selection stays on it, the value
// never shows, and each step says what it did as the CLI does.
func TestVariableEditorThroughTheApp(t *testing.T) {
	t.Parallel()
	d, m, v := fixtureApp(t, 120, 40, nil)
	d.Busy = uitest.StoreBusy
	chooseVariable(t, d)
	d.Wait(10*time.Second, "the variable form", func() bool { return strings.Contains(d.Screen(), "New variable in dev") })
	d.Type("apiToken")
	d.Press("enter", "down", "enter")
	d.Type(variableSecret)
	d.Press("enter")
	d.Wait(10*time.Second, "the browse screen", func() bool { _, ok := m.Top().(*browse.Model); return ok })
	if got := selectedItem(t, m); got != "apiToken" {
		t.Errorf("after creating apiToken the cursor is on %q", got)
	}
	s := d.Screen()
	assertNoSecrets(t, "browse after a new variable", s)
	if strings.Contains(s, variableSecret[:12]) {
		t.Fatal("the new secret value is on screen")
	}
	if !strings.Contains(s, `Set apiToken in environment "dev" (secret, value in the memory demo vault)`) {
		t.Errorf("the status does not say where the value went:\n%s", s)
	}
	vals, err := v.Vars(context.Background(), "dev")
	if err != nil || vals["apiToken"] != variableSecret {
		t.Fatalf("the vault does not resolve apiToken to the typed value (err %v)", err)
	}

	// e sets a new value of the secret variable; the cursor stays.
	d.Press("e")
	d.Wait(10*time.Second, "the value form", func() bool { return strings.Contains(d.Screen(), "variable apiToken") })
	d.Type(variableSecret + "-2")
	d.Press("enter")
	d.Wait(10*time.Second, "the browse screen", func() bool { _, ok := m.Top().(*browse.Model); return ok })
	if vals, _ := v.Vars(context.Background(), "dev"); vals["apiToken"] != variableSecret+"-2" {
		t.Error("e did not set the new value")
	}
	if got := selectedItem(t, m); got != "apiToken" {
		t.Errorf("after the edit the cursor is on %q", got)
	}

	// s asks, y makes it plain; d asks, y deletes it.
	d.Press("s", "y")
	e, _ := uitest.Catalog(v).Env("dev")
	if x, _ := e.Var("apiToken"); x.Secret || x.Value != variableSecret+"-2" {
		t.Errorf("after s, y the variable is %+v", x)
	}
	d.Press("d", "y")
	e, _ = uitest.Catalog(v).Env("dev")
	if _, ok := e.Var("apiToken"); ok {
		t.Error("d, y did not delete the variable")
	}
	if s := d.Screen(); !strings.Contains(s, `Removed apiToken from environment "dev"`) {
		t.Errorf("the delete does not say what it removed:\n%s", s)
	}
}

// TestVariableFormErrorsShowAtOnce: a bad name's message (the CLI's) is on
// screen as soon as enter is refused, through the root model's layout.
func TestVariableFormErrorsShowAtOnce(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _, v := fixtureApp(t, size[0], size[1], nil)
			d.Send(common.EditMsg{Kind: common.EditVariable, Env: "dev"})
			d.Settle()
			d.Type("base$url")
			d.Press("enter")
			if s := d.Screen(); !strings.Contains(s, "(found '$')") {
				t.Fatalf("no message on screen:\n%s", s)
			}
			for range len("base$url") {
				d.Press("backspace")
			}
			d.Type("api")
			d.Press("enter")
			if s := d.Screen(); !strings.Contains(s, "already exists") {
				t.Fatalf("duplicate name: no message on screen:\n%s", s)
			}
			if e, _ := uitest.Catalog(v).Env("dev"); len(e.Variables) != 1 {
				t.Errorf("a refused name changed the variables: %+v", e.Variables)
			}
		})
	}
}

// TestGoldenVariables: the Variables section with a secret variable
// selected, and the new-variable form with a secret value typed (masked),
// at 80×24 and 120×40 in every built-in theme. No value of a secret shows.
func TestGoldenVariables(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			name := fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1])
			t.Run("browse_"+name, func(t *testing.T) { goldenVariablesBrowse(t, th.Name, size) })
			t.Run("form_"+name, func(t *testing.T) { goldenVariableForm(t, th.Name, size) })
		}
	}
}

func goldenVariablesBrowse(t *testing.T, theme string, size [2]int) {
	d, m, v := fixtureApp(t, size[0], size[1], func(o *Options) { o.Theme = theme })
	if err := v.SetVar(context.Background(), "dev", "apiToken", variableSecret, true); err != nil {
		t.Fatal(err)
	}
	d.Send(common.ReloadCatalogMsg{})
	d.Settle()
	for range 8 { // past 3 clients, 4 secrets and api
		d.Press("down")
	}
	if got := selectedItem(t, m); got != "apiToken" {
		t.Fatalf("selected %q", got)
	}
	screen := d.Screen()
	assertNoSecrets(t, "variables", screen)
	if strings.Contains(screen, variableSecret[:12]) {
		t.Fatal("the secret variable's value is on screen")
	}
	golden.RequireEqual(t, screen)
}

func goldenVariableForm(t *testing.T, theme string, size [2]int) {
	d, _, _ := fixtureApp(t, size[0], size[1], func(o *Options) { o.Theme = theme })
	d.Send(common.EditMsg{Kind: common.EditVariable, Env: "dev"})
	d.Settle()
	d.Type("apiToken")
	d.Press("enter", "down", "enter")
	d.Type(variableSecret)
	screen := d.Screen()
	if strings.Contains(screen, variableSecret[:12]) {
		t.Fatal("the typed secret value is on screen")
	}
	golden.RequireEqual(t, screen)
}
