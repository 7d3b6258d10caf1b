package token

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

func oauth1Pane(t *testing.T) (*Model, *uitest.Host, *uitest.Driver, *vault.Vault) {
	t.Helper()
	v := uitest.Fixture()
	uitest.AddOAuth1(v)
	c := uitest.NewCommon(v)
	m := New(c, "dev", "photos")
	h := uitest.NewHost(c, m)
	return m, h, uitest.NewBusy(t, h, 110, 40), v
}

// TestOAuth1TokenPane: OA1 token credentials show the token masked (S-30)
// with reveal, the token secret always masked, the client's signature
// method and consumer key, no expiry and no JWT; only copy, re-authorise
// and delete are offered.
func TestOAuth1TokenPane(t *testing.T) {
	t.Parallel()
	m, h, d, _ := oauth1Pane(t)
	if m.Value() == nil || m.Value().Token != uitest.FixtureOA1Token {
		t.Fatal("the token credentials were not loaded")
	}
	s := d.Screen()
	for _, want := range []string{
		"photos · OAuth 1.0a", "photos-consumer", "HMAC-SHA1", "••••••••0001", "••••••••0002", "never shown",
		"2h 00m ago", "no expiry", "photos.example.test", "SIGNING", "no fixed Authorization header",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("pane lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, uitest.FixtureOA1Token) || strings.Contains(s, uitest.FixtureOA1TokenSecret) {
		t.Fatal("a value is shown before reveal (S-30)")
	}
	k := m.KeyMap()
	for name, on := range map[string]bool{
		"copy header": k.CopyHeader.Enabled(), "refresh": k.Refresh.Enabled(), "introspect": k.Introspect.Enabled(),
		"revoke": k.Revoke.Enabled(), "transcript": k.Log.Enabled(),
	} {
		if on {
			t.Errorf("%s is offered for OAuth 1.0a token credentials", name)
		}
	}
	help := ""
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			help += b.Help().Desc + ";"
		}
	}
	if help != "reveal;copy token;send a request;re-authorise;delete;back;" {
		t.Errorf("short help = %q", help)
	}
	d.Press("h", "r", "I", "R") // disabled: nothing happens
	if h.Dialog != nil || m.Busy() != "" || len(h.Copies) != 0 {
		t.Fatal("a disabled key acted")
	}
	d.Press("v")
	if s := d.Screen(); !strings.Contains(s, uitest.FixtureOA1Token) || strings.Contains(s, uitest.FixtureOA1TokenSecret) {
		t.Fatal("v should reveal the token and only the token")
	}
	m.Blur()
	if m.Revealed() {
		t.Error("covering the pane left the token revealed")
	}
	d.Press("c")
	if len(h.Copies) != 1 || h.Copies[0].Value != uitest.FixtureOA1Token || h.Copies[0].Label != "token of photos" {
		t.Fatalf("c copied %+v", h.Copies)
	}
	d.Press("a")
	if len(h.Intents) == 0 {
		t.Fatal("a sent nothing")
	}
	if rf, ok := h.Intents[len(h.Intents)-1].(common.RunFlowMsg); !ok || rf.Client != "photos" || rf.Secret != "photos" || !rf.Force {
		t.Errorf("a sent %#v", h.Intents[len(h.Intents)-1])
	}
}

// TestOAuth1TokenPaneDelete: d asks first ("no" is the default), then
// deletes the secret and closes the pane; the client stays.
func TestOAuth1TokenPaneDelete(t *testing.T) {
	t.Parallel()
	m, h, d, v := oauth1Pane(t)
	d.Press("d")
	if h.Dialog == nil || !strings.Contains(uitest.ViewString(h), "no revocation request") {
		t.Fatalf("d did not ask first:\n%s", uitest.ViewString(h))
	}
	d.Press("enter") // the default answer keeps it
	if _, ok := uitest.Catalog(v).Secret("dev", "photos"); !ok || h.Popped != 0 {
		t.Fatal("the default answer deleted the secret")
	}
	d.Press("d", "y")
	if _, ok := uitest.Catalog(v).Secret("dev", "photos"); ok {
		t.Fatal("d y did not delete the token credentials")
	}
	if h.Popped != 1 || m.Value() != nil {
		t.Errorf("the pane stayed open (popped %d) or kept the value", h.Popped)
	}
	if _, err := v.Client("dev", "photos"); err != nil {
		t.Errorf("deleting the token removed the client: %v", err)
	}
}
