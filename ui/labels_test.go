package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// rawEnum matches the stored constants a person should never read: secret
// and client types, session bodies, grants in their wire spelling.
var rawEnum = regexp.MustCompile(`\b(API_KEY|SIMPLE|OA2_AUTHORIZATION_CODE|SESSION_AUTH|PRIVATE_KEY|CLIENT_CERT|OA1_TOKEN|OAUTH1|FORM_AUTH|JSON_AUTH|client_credentials|authorization_code|device_code|token_exchange)\b`)

// Every item's detail, token pane, edit form and the dashboard name types
// with one human label; a token set never shows "never expires" beside its
// tokens' expiry.
func TestOneHumanLabelPerType(t *testing.T) {
	t.Parallel()
	d, m, v := fixtureApp(t, 120, 40, func(o *Options) {})
	uitest.AddOAuth1(v)
	d.Send(common.ReloadCatalogMsg{})
	d.Settle()
	checked := 0
	check := func(where string) {
		t.Helper()
		checked++
		s := d.Screen()
		if got := rawEnum.FindAllString(s, -1); len(got) > 0 {
			t.Errorf("%s shows %v:\n%s", where, got, s)
		}
	}
	b := m.Top().(*browse.Model)
	for _, env := range []string{"dev", "staging"} {
		d.Send(common.SwitchEnvMsg{Env: env})
		d.Settle()
		b.List().Select("")
		d.Press("g")
		for i := 0; i < b.List().Len(); i++ {
			it, _ := b.Selected()
			check("the detail of " + it.Name)
			if it.Section == browse.SectionSecrets || it.Section == browse.SectionTokens {
				sec, _ := uitest.Catalog(v).Secret(env, it.Name)
				if ti, _ := sec.Type.Info(); ti.TokenPane {
					s := d.Screen()
					if strings.Contains(s, "never expires") {
						t.Errorf("token set %s says never expires:\n%s", it.Name, s)
					}
					d.Send(common.OpenTokenMsg{Env: env, Secret: it.Name})
					d.Settle()
					check("the token pane of " + it.Name)
					d.Press("esc")
				}
				d.Send(common.EditMsg{Kind: common.EditSecret, Env: env, Name: it.Name, Type: sec.Type})
				d.Settle()
				check("the edit form of " + it.Name)
				d.Press("esc")
			}
			d.Press("down")
		}
	}
	for _, typ := range vault.SecretTypes {
		d.Send(common.EditMsg{Kind: common.EditSecret, Env: "dev", Type: typ})
		d.Settle()
		check("the new " + string(typ) + " form")
		d.Press("esc")
	}
	d.Press("D")
	check("the dashboard")
	if checked < 25 {
		t.Fatalf("only %d screens were looked at", checked)
	}
	// The client-credentials token set is labelled as such.
	d.Press("esc")
	d.Send(common.SwitchEnvMsg{Env: "staging"})
	d.Settle()
	d.Press("/")
	d.Type("reports")
	d.Press("enter", "down")
	if s := d.Screen(); !strings.Contains(s, "OAuth 2.0 token set · client credentials") {
		t.Errorf("the reports token set is not labelled by its grant:\n%s", s)
	}
}
