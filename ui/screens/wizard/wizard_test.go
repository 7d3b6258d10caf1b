package wizard

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/form"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// TestWizardFromIssuer: issuer → discovery fills the endpoints → grant →
// private_key_jwt with a generated key → scopes → save, and the public JWKS
// is shown to upload.
func TestWizardFromIssuer(t *testing.T) {
	t.Parallel()
	dm := uitest.StartDemo(t)
	c := uitest.NewCommon(dm.Vault)
	c.EngineConfig = dm.Engines
	w := New(c, "dev")
	h := uitest.NewHost(c, w)
	d := uitest.New(t, h, 110, 40)
	d.Busy = uitest.StoreBusy // saves still at work hold each step back
	if w.Choice().Type != vault.ClientOAuth2 || w.Capturing() {
		t.Fatalf("the wizard does not start with the protocol choice on OAuth 2.0:\n%s", d.Screen())
	}
	d.Press("enter") // OAuth 2.0: from an issuer URL
	if !strings.Contains(d.Screen(), dm.Server.Issuer) {
		t.Fatalf("the issuer is not prefilled from the environment:\n%s", d.Screen())
	}
	d.Press("enter")
	d.Wait(uitestTimeout, "discovery", func() bool { return len(h.Pushed) > 0 || w.Err() != nil })
	if w.Err() != nil {
		t.Fatalf("discovery failed: %v", w.Err())
	}
	f, ok := h.Pushed[0].(*form.Model)
	if !ok {
		t.Fatalf("pushed %T", h.Pushed[0])
	}
	// Continue in the form the wizard opened.
	fh := uitest.NewHost(c, f)
	fd := uitest.New(t, fh, 110, 40)
	fd.Busy = uitest.StoreBusy // saves still at work hold each step back
	s := fd.Screen()
	for _, want := range []string{"Discovered", "/oauth/token", "/authorize", "/device_authorization"} {
		if !strings.Contains(s, want) {
			t.Errorf("endpoints not shown (%q):\n%s", want, s)
		}
	}
	if !strings.Contains(s, "local-") {
		t.Errorf("the proposed name for a loopback issuer is not local-<port>:\n%s", s)
	}
	for range 40 {
		fd.Send(uitest.Key("backspace"))
	}
	fd.Type("pkjwt")
	fd.Press("enter")
	fd.Type("service-jwt")
	fd.Press("enter")
	fd.Press("up", "enter")                   // grant: client_credentials (above authorization_code)
	fd.Press("down", "down", "down", "enter") // basic, post, client_secret_jwt, private_key_jwt
	if !strings.Contains(fd.Screen(), "Key pair") {
		t.Fatalf("private_key_jwt step missing:\n%s", fd.Screen())
	}
	fd.Press("enter") // generate ES256: no key file asked
	if strings.Contains(fd.Screen(), "Key file") {
		t.Errorf("a key file is asked for a generated key:\n%s", fd.Screen())
	}
	fd.Press("enter")                                          // DPoP: no
	fd.Press("down", "down", "down", "down", "space", "enter") // api:read
	fd.Press("enter")                                          // no extra scopes; no redirect URI for client credentials
	review := fd.Screen()
	for _, want := range []string{"Create this auth client?", "name: pkjwt", "client ID: service-jwt", "grant: client credentials", "client authentication: private_key_jwt", "Create"} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
	if strings.Contains(review, "redirect URI") || strings.Contains(review, "openid") {
		t.Errorf("the review of a client-credentials client names a redirect URI or openid:\n%s", review)
	}
	if fh.Popped != 0 {
		t.Fatal("saved before the review was confirmed")
	}
	fd.Press("enter") // Create
	// A loaded machine may take longer than a settle to save.
	fd.Wait(30*time.Second, "the save", func() bool { return fh.Popped == 1 })
	ac, err := dm.Vault.Client("dev", "pkjwt")
	if err != nil {
		t.Fatal(err)
	}
	if ac.AuthMethod != vault.AuthPrivateKeyJWT || ac.Grant != vault.GrantClientCredentials || ac.Endpoints.Token == "" || ac.Issuer != dm.Server.Issuer || ac.KeyID == "" || !ac.HasSecret {
		t.Errorf("client = %+v", ac)
	}
	if len(ac.Scopes) == 0 || !strings.Contains(strings.Join(ac.Scopes, " "), "api:read") || slices.Contains(ac.Scopes, "openid") {
		t.Errorf("scopes = %v, want api:read and no openid for a machine grant", ac.Scopes)
	}
	if fh.Dialog == nil || !strings.Contains(uitest.ViewString(fh), `"keys"`) || !strings.Contains(uitest.ViewString(fh), "BEGIN PUBLIC KEY") {
		t.Errorf("the public JWKS is not shown:\n%s", uitest.ViewString(fh))
	}
	if strings.Contains(uitest.ViewString(fh), "PRIVATE KEY") {
		t.Error("the private key is shown (S-26)")
	}
}

func TestWizardBadIssuer(t *testing.T) {
	t.Parallel()
	dm := uitest.StartDemo(t)
	c := uitest.NewCommon(dm.Vault)
	c.EngineConfig = dm.Engines
	w := New(c, "dev")
	h := uitest.NewHost(c, w)
	d := uitest.New(t, h, 100, 30)
	d.Busy = uitest.StoreBusy // saves still at work hold each step back
	d.Press("enter")          // OAuth 2.0
	for range 60 {
		d.Send(uitest.Key("backspace"))
	}
	d.Type("http://login.example.test")
	d.Press("enter")
	if w.Err() == nil || !strings.Contains(d.Screen(), "plain http") {
		t.Errorf("a plain-http issuer was accepted (S-13):\n%s", d.Screen())
	}
	// A loopback issuer with no discovery document explains and offers the form.
	for range 60 {
		d.Send(uitest.Key("backspace"))
	}
	d.Type(dm.Server.APIURL)
	d.Press("enter")
	d.Wait(uitestTimeout, "discovery to fail", func() bool { return w.Err() != nil })
	if s := d.Screen(); !strings.Contains(s, "ctrl+o") {
		t.Errorf("no way out offered:\n%s", s)
	}
	d.Press("ctrl+o")
	if len(h.Intents) == 0 {
		t.Fatal("ctrl+o did not ask for the manual form")
	}
	if em, ok := h.Intents[0].(common.EditMsg); !ok || em.Kind != common.EditClient {
		t.Errorf("ctrl+o sent %#v", h.Intents[0])
	}
}
