package browse

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

func newBrowse(t *testing.T, v *vault.Vault) (*uitest.Driver, *uitest.Host, *Model) {
	t.Helper()
	c := uitest.NewCommon(v)
	m := New(c)
	h := uitest.NewHost(c, m)
	d := uitest.New(t, h, 100, 30)
	d.Busy = uitest.StoreBusy // deletes and saves still at work hold each step back
	return d, h, m
}

func selectName(t *testing.T, d *uitest.Driver, m *Model, name string) {
	t.Helper()
	d.Press("g")
	for i := 0; i < 50; i++ {
		if it, ok := m.Selected(); ok && it.Name == name {
			return
		}
		d.Press("down")
	}
	t.Fatalf("%q not found in the list", name)
}

func TestListsActiveEnvironmentWithMarkers(t *testing.T) {
	t.Parallel()
	d, _, _ := newBrowse(t, uitest.Fixture())
	s := d.Screen()
	for _, want := range []string{"AUTH CLIENTS", "SECRETS", "REQUESTS", "console", "weather-key", "list users", "● expires soon", "● expired", "● deprecated"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "reports") {
		t.Error("an item of another environment is listed")
	}
}

// TestRevealRemasksOnLeaving covers S-30: values are masked by default,
// revealed on a key, and masked again when the selection moves.
func TestRevealRemasksOnLeaving(t *testing.T) {
	t.Parallel()
	d, _, m := newBrowse(t, uitest.Fixture())
	selectName(t, d, m, "weather-key")
	if s := d.Screen(); strings.Contains(s, uitest.FixtureAPIKey) || !strings.Contains(s, mask.Dots) {
		t.Fatalf("the key is not masked before reveal:\n%s", s)
	}
	d.Press("v")
	if !m.Revealed() || !strings.Contains(d.Screen(), uitest.FixtureAPIKey) {
		t.Fatalf("v did not reveal the key:\n%s", d.Screen())
	}
	d.Press("down")
	if m.Revealed() {
		t.Fatal("moving on left the value revealed")
	}
	d.Press("up")
	s := d.Screen()
	if strings.Contains(s, uitest.FixtureAPIKey) {
		t.Fatal("the value is shown again after coming back")
	}
	d.Press("v", "v")
	if m.Revealed() {
		t.Fatal("v twice should hide")
	}
	// After a load the masked form shows type, length and at most 4 characters.
	masked := mask.Value("", uitest.FixtureAPIKey).Text()
	if !strings.Contains(d.Screen(), masked) {
		t.Errorf("masked value %q not shown:\n%s", masked, d.Screen())
	}
	m.Close()
	if m.Revealed() {
		t.Error("Close left a value revealed")
	}
}

func TestCopyAndIntents(t *testing.T) {
	t.Parallel()
	d, h, m := newBrowse(t, uitest.Fixture())
	selectName(t, d, m, "partner-basic")
	d.Press("c")
	if len(h.Copies) != 1 || h.Copies[0].Value != uitest.FixturePassphrase || !strings.Contains(h.Copies[0].Label, "passphrase of partner-basic") {
		t.Fatalf("copy = %d copies, label %q", len(h.Copies), labelOf(h.Copies))
	}
	if strings.Contains(d.Screen(), uitest.FixturePassphrase) {
		t.Error("copying revealed the value")
	}
	selectName(t, d, m, "console")
	d.Press("enter")
	if len(h.Intents) == 0 {
		t.Fatal("enter on a client sent nothing")
	}
	if rf, ok := h.Intents[len(h.Intents)-1].(common.RunFlowMsg); !ok || rf.Client != "console" || rf.Env != "dev" {
		t.Errorf("enter on client sent %#v", h.Intents[len(h.Intents)-1])
	}
	d.Press("e")
	if em, ok := h.Intents[len(h.Intents)-1].(common.EditMsg); !ok || em.Kind != common.EditClient || em.Name != "console" {
		t.Errorf("e sent %#v", h.Intents[len(h.Intents)-1])
	}
	d.Press("down", "down", "down") // the console token set
	if it, _ := m.Selected(); it.Name != "console" || it.Section != SectionTokens {
		t.Fatalf("selected %+v", it)
	}
	d.Press("t")
	if ot, ok := h.Intents[len(h.Intents)-1].(common.OpenTokenMsg); !ok || ot.Secret != "console" {
		t.Errorf("t on a token set sent %#v", h.Intents[len(h.Intents)-1])
	}
}

func labelOf(c []common.CopyMsg) string {
	if len(c) == 0 {
		return ""
	}
	return c[0].Label
}

func TestDeleteAsksAndDeletes(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	d, h, m := newBrowse(t, v)
	selectName(t, d, m, "old-key")
	d.Press("d")
	if h.Dialog == nil {
		t.Fatal("delete did not ask")
	}
	d.Press("enter") // the default answer is no
	if _, ok := uitest.Catalog(v).Secret("dev", "old-key"); !ok {
		t.Fatal("enter on the default answer deleted the secret")
	}
	d.Press("d", "y")
	if _, ok := uitest.Catalog(v).Secret("dev", "old-key"); ok {
		t.Fatal("y did not delete the secret")
	}
	if strings.Contains(d.Screen(), "old-key") {
		t.Error("the deleted secret is still listed")
	}
}

func TestDeleteFailureChangesNothing(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	failing := vaulttest.NewFailingStore(v.Store(), 1)
	fv := vault.New(v.Catalogs(), failing)
	d, h, m := newBrowse(t, fv)
	selectName(t, d, m, "weather-key")
	d.Press("d", "y")
	if _, ok := uitest.Catalog(fv).Secret("dev", "weather-key"); !ok {
		t.Fatal("a failed delete removed the catalog entry (S-37)")
	}
	if !strings.Contains(h.LastStatus(), "vault") && len(h.Intents) == 0 {
		t.Errorf("the failure was not reported: status %q", h.LastStatus())
	}
}

func TestFilterThenOpen(t *testing.T) {
	t.Parallel()
	d, h, m := newBrowse(t, uitest.Fixture())
	d.Press("/")
	if !m.Capturing() {
		t.Fatal("the filter does not capture keys")
	}
	d.Type("weath")
	d.Press("enter")
	if it, _ := m.Selected(); it.Name != "weather-key" {
		t.Fatalf("filter selected %q", it.Name)
	}
	if m.Capturing() {
		t.Error("still capturing after enter")
	}
	d.Press("enter") // an API key: enter reveals
	if !m.Revealed() {
		t.Error("enter on an API key did not reveal it")
	}
	_ = h
}

func TestKeyMapTellsTheTruth(t *testing.T) {
	t.Parallel()
	d, h, m := newBrowse(t, uitest.Fixture())
	selectName(t, d, m, "console") // public client: nothing to reveal
	if m.KeyMap().Reveal.Enabled() {
		t.Error("reveal is offered for a public client")
	}
	if h := m.KeyMap().Copy.Help(); h.Desc != "copy client id" {
		t.Errorf("copy help = %q", h.Desc)
	}
	selectName(t, d, m, "list users")
	if m.KeyMap().Token.Enabled() || m.KeyMap().Reveal.Enabled() {
		t.Error("token/reveal offered for a saved request")
	}
	d.Press("e")
	if or, ok := h.Intents[len(h.Intents)-1].(common.OpenRequestMsg); !ok || or.Name != "list users" {
		t.Errorf("e on a request sent %#v", h.Intents[len(h.Intents)-1])
	}
}
