package form

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

func TestNameFromIssuer(t *testing.T) {
	t.Parallel()
	for issuer, want := range map[string]string{
		"https://login.example.com":            "login-example-com",
		"https://auth.example.com/realms/acme": "auth-example-com",
		"http://127.0.0.1:9096":                "local-9096",
		"http://localhost:8080/realms/acme/":   "local-8080-acme",
		"http://[::1]:4444/oidc":               "local-4444-oidc",
		"https://10.1.2.3/tenant-a/v2.0":       "host-v2.0",
		"not a url at all %":                   "",
	} {
		if got := nameFromIssuer(issuer); got != want {
			t.Errorf("nameFromIssuer(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func discovered() *oauth.Metadata {
	return &oauth.Metadata{
		Issuer:                            "https://login.example.com",
		AuthorizationEndpoint:             "https://login.example.com/authorize",
		TokenEndpoint:                     "https://login.example.com/token",
		ScopesSupported:                   []string{"openid", "profile", "api:read"},
		GrantTypesSupported:               []string{"authorization_code", "client_credentials"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		Source:                            "https://login.example.com/.well-known/openid-configuration",
	}
}

// TestDiscoveryWizardSignIn: a sign-in grant gets openid pre-checked and is
// asked for its redirect URI; the last page reviews it all, and nothing is
// saved before it is confirmed.
func TestDiscoveryWizardSignIn(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := NewFromDiscovery(c, "dev", "https://login.example.com", discovered())
	d, h := host(t, c, m)
	if s := d.Screen(); !strings.Contains(s, "login-example-com") {
		t.Fatalf("the proposed name is not the issuer's host:\n%s", s)
	}
	fill(d, "", "web-app") // name as proposed, client ID
	fill(d, "")            // grant: authorization code, the default
	fill(d, "")            // client_secret_basic
	fill(d, "not-a-real-secret-1")
	if s := d.Screen(); !strings.Contains(s, "Scopes") {
		t.Fatalf("not on the scopes page:\n%s", s)
	}
	fill(d, "", "") // scopes as pre-checked, no others
	if s := d.Screen(); !strings.Contains(s, "Redirect URI") {
		t.Fatalf("a sign-in grant is not asked for its redirect URI:\n%s", s)
	}
	fill(d, "")
	review := d.Screen()
	for _, want := range []string{"name: login-example-com", "client ID: web-app", "grant: authorization code", "scopes: openid", "redirect URI: http://127.0.0.1:{port}/callback"} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
	if strings.Contains(review, "not-a-real-secret-1") {
		t.Error("the review shows the client secret")
	}
	if _, ok := uitest.Catalog(c.Vault).Client("dev", "login-example-com"); ok || h.Popped != 0 {
		t.Fatal("saved before the review was confirmed")
	}
	d.Press("enter")
	d.Wait(30*time.Second, "the save", func() bool { return h.Popped == 1 })
	ac, ok := uitest.Catalog(c.Vault).Client("dev", "login-example-com")
	if !ok {
		t.Fatal("not saved")
	}
	if ac.Grant != vault.GrantAuthorizationCode || !slices.Equal(ac.Scopes, []string{"openid"}) {
		t.Errorf("client = grant %s scopes %v", ac.Grant, ac.Scopes)
	}
}

// TestDiscoveryWizardMachineGrant: choosing client credentials drops the
// pre-checked openid and asks no redirect URI.
func TestDiscoveryWizardMachineGrant(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := NewFromDiscovery(c, "dev", "https://login.example.com", discovered())
	d, h := host(t, c, m)
	fill(d, "", "machine")
	d.Press("up", "enter") // grant: client credentials, listed first
	fill(d, "", "not-a-real-secret-2")
	fill(d, "", "") // scopes: nothing checked, no others
	review := d.Screen()
	if !strings.Contains(review, "Create this auth client?") {
		t.Fatalf("not on the review page (was a redirect URI asked?):\n%s", review)
	}
	if strings.Contains(review, "openid") || strings.Contains(review, "redirect URI") {
		t.Errorf("a client-credentials review names openid or a redirect URI:\n%s", review)
	}
	d.Press("enter")
	d.Wait(30*time.Second, "the save", func() bool { return h.Popped == 1 })
	ac, ok := uitest.Catalog(c.Vault).Client("dev", "login-example-com")
	if !ok {
		t.Fatal("not saved")
	}
	if ac.Grant != vault.GrantClientCredentials || len(ac.Scopes) != 0 {
		t.Errorf("client = grant %s scopes %v", ac.Grant, ac.Scopes)
	}
}
