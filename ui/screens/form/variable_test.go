package form

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// typedSecret is a secret variable value typed in these tests; the
// screen must never show it.
const typedSecret = "typed-variable-secret-value-0001"

func envVar(t *testing.T, v *vault.Vault, name string) (vault.Variable, bool) {
	t.Helper()
	e, ok := uitest.Catalog(v).Env("dev")
	if !ok {
		t.Fatal("no dev environment")
	}
	return e.Var(name)
}

func resolved(t *testing.T, v *vault.Vault, name string) string {
	t.Helper()
	vals, err := v.Vars(context.Background(), "dev")
	if err != nil {
		t.Fatalf("Vars: %v", err)
	}
	return vals[name]
}

// lastResult is the last change result the form sent.
func lastResult(d *uitest.Driver) (common.ResultMsg, bool) {
	var out common.ResultMsg
	found := false
	for _, msg := range d.Seen() {
		if r, ok := msg.(common.ResultMsg); ok {
			out, found = r, true
		}
	}
	return out, found
}

func TestNewPlainVariable(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewVariable(c, "dev")
	d, h := host(t, c, m)
	fill(d, "baseUrl", "") // name, kind (plain is the default)
	d.Type("https://staging.example.test")
	if !strings.Contains(d.Screen(), "https://staging.example.test") {
		t.Errorf("a plain value is not shown while typed:\n%s", d.Screen())
	}
	d.Press("enter")
	if h.Popped != 1 {
		t.Fatalf("the form did not close; banner %q; screen:\n%s", m.Banner(), d.Screen())
	}
	x, ok := envVar(t, v, "baseUrl")
	if !ok || x.Secret || x.Value != "https://staging.example.test" {
		t.Fatalf("stored %+v", x)
	}
	r, _ := lastResult(d)
	if r.OK != `Set baseUrl in environment "dev" (plain, kept in the catalog)` {
		t.Errorf("the save says %q", r.OK)
	}
	if r.Item != (common.ItemRef{Kind: "variable", Env: "dev", Name: "baseUrl"}) {
		t.Errorf("the result names %+v, not the new variable", r.Item)
	}
}

// TestNewSecretVariable: the value of a secret variable is masked while
// typed and goes to the vault; the catalog holds only its name.
func TestNewSecretVariable(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewVariable(c, "dev")
	d, h := host(t, c, m)
	d.Type("apiToken")
	d.Press("enter", "down", "enter") // kind: secret
	if s := d.Screen(); !strings.Contains(s, "fills {{apiToken}}") {
		t.Fatalf("the value page is not the secret one:\n%s", s)
	}
	d.Type(typedSecret)
	if strings.Contains(d.Screen(), typedSecret[:12]) {
		t.Fatal("the secret value is echoed while typing (S-30)")
	}
	d.Press("enter")
	if h.Popped != 1 {
		t.Fatalf("the form did not close; banner %q; screen:\n%s", m.Banner(), d.Screen())
	}
	x, ok := envVar(t, v, "apiToken")
	if !ok || !x.Secret || x.Value != "" {
		t.Fatalf("the catalog holds %+v (want a secret variable without its value)", x)
	}
	if got := resolved(t, v, "apiToken"); got != typedSecret {
		t.Error("the vault does not hold the typed value")
	}
	if r, _ := lastResult(d); !strings.Contains(r.OK, "secret, value in the memory demo vault") {
		t.Errorf("the save says %q", r.OK)
	}
}

// TestNewVariableRefusesBadInput: the CLI's own messages, shown at once in
// the form, which stays open on the field; nothing is stored.
func TestNewVariableRefusesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		typed []string
		want  string
	}{
		{"empty name", []string{""}, "name is required"},
		{"dollar", []string{"a$b"}, "may only contain letters, digits, '_', '-', '.' and inner spaces (found '$')"},
		{"brace", []string{"a}b"}, `(found '}')`},
		{"outer space", []string{" a"}, "may not start or end with a space"},
		{"taken", []string{"api"}, `variable "api" already exists in environment "dev"`},
		{"empty secret", []string{"tok", "down", "enter", ""}, "value is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := uitest.Fixture()
			c := uitest.NewCommon(v)
			m := NewVariable(c, "dev")
			d, h := host(t, c, m)
			before := uitest.Catalog(v)
			typeKeys(d, tt.typed)
			if s := d.Screen(); !strings.Contains(s, tt.want) {
				t.Errorf("screen lacks %q:\n%s", tt.want, s)
			}
			if h.Popped != 0 {
				t.Error("the form closed")
			}
			e, _ := uitest.Catalog(v).Env("dev")
			was, _ := before.Env("dev")
			if len(e.Variables) != len(was.Variables) {
				t.Errorf("variables went from %d to %d", len(was.Variables), len(e.Variables))
			}
		})
	}
}

// typeKeys presses "down" and "enter" as keys and fills anything else.
func typeKeys(d *uitest.Driver, keys []string) {
	for _, k := range keys {
		switch k {
		case "down", "enter":
			d.Press(k)
		default:
			fill(d, k)
		}
	}
}

// TestNewSecretVariableStoreFailure covers S-37: the vault refusing the
// write leaves no variable, and the form says why and stays open.
func TestNewSecretVariableStoreFailure(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	fv := vault.New(v.Catalogs(), vaulttest.NewFailingStore(v.Store(), 1))
	c := uitest.NewCommon(fv)
	m := NewVariable(c, "dev")
	d, h := host(t, c, m)
	d.Type("apiToken")
	d.Press("enter", "down", "enter")
	d.Type(typedSecret)
	d.Press("enter")
	d.Wait(saveBusy, "the failure to show", func() bool { return m.Banner() != "" })
	if h.Popped != 0 {
		t.Fatal("the form closed after a failed save")
	}
	if strings.Contains(m.Banner(), typedSecret[:12]) || strings.Contains(d.Screen(), typedSecret[:12]) {
		t.Error("the error shows the value")
	}
	if _, ok := envVar(t, fv, "apiToken"); ok {
		t.Error("a failed save left the variable in the catalog")
	}
}

// TestEditPlainVariable: the value is filled in and focused; the edit
// keeps the variable plain and names it for the list.
func TestEditPlainVariable(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	x, _ := envVar(t, v, "api")
	m := EditVariable(c, "dev", x)
	d, h := host(t, c, m)
	if !strings.Contains(d.Screen(), "https://api.example.test") {
		t.Fatalf("the current value is not filled in:\n%s", d.Screen())
	}
	for range len("example.test") {
		d.Send(uitest.Key("backspace"))
	}
	d.Type("other.test")
	d.Press("enter")
	if h.Popped != 1 {
		t.Fatalf("the form did not close; banner %q", m.Banner())
	}
	if got, _ := envVar(t, v, "api"); got.Value != "https://api.other.test" || got.Secret {
		t.Errorf("stored %+v", got)
	}
	if r, _ := lastResult(d); r.Item.Name != "api" {
		t.Errorf("the result names %+v", r.Item)
	}
}

// TestEditPlainVariableMadeSecretMeanwhile: a variable made secret after
// the form opened is not written back plain.
func TestEditPlainVariableMadeSecretMeanwhile(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	x, _ := envVar(t, v, "api")
	m := EditVariable(c, "dev", x)
	d, h := host(t, c, m)
	if err := v.SetVar(context.Background(), "dev", "api", "https://api.example.test", true); err != nil {
		t.Fatal(err)
	}
	c.Catalog = uitest.Catalog(v)
	d.Press("enter")
	if h.Popped != 0 || !strings.Contains(m.Banner(), "is secret now") {
		t.Fatalf("popped %d, banner %q", h.Popped, m.Banner())
	}
	if got, _ := envVar(t, v, "api"); !got.Secret {
		t.Error("the variable was made plain again")
	}
}
