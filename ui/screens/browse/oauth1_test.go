package browse

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
)

// selectIn moves to the item called name in section (a client and its
// token secret share the name).
func selectIn(t *testing.T, d *uitest.Driver, m *Model, section, name string) {
	t.Helper()
	d.Press("g")
	for i := 0; i < 50; i++ {
		if it, ok := m.Selected(); ok && it.Name == name && it.Section == section {
			return
		}
		d.Press("down")
	}
	t.Fatalf("%s %q not found in the list", section, name)
}

// TestOAuth1ClientAndTokenSecret: an OAuth 1.0a client's detail shows its
// endpoints, signature method and callback (an RSA key as its key id only,
// S-26); its secret reveals as the consumer secret; enter on the token
// secret opens the token pane and t runs get token for its client.
func TestOAuth1ClientAndTokenSecret(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	uitest.AddOAuth1(v)
	ac, err := v.Client("dev", "photos")
	if err != nil {
		t.Fatal(err)
	}
	rsaClient := ac
	_, key, err := keygen.KeyPair(vault.AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	rsaClient.ID, rsaClient.Name, rsaClient.SignatureMethod, rsaClient.KeyID, rsaClient.Callback = "", "photos-rsa", "RSA-SHA256", "example-key-id", "oob"
	if _, err := v.PutClient(t.Context(), rsaClient, &vault.ClientCredentials{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	d, h, m := newBrowse(t, v)

	selectIn(t, d, m, SectionClients, "photos")
	s := d.Screen()
	for _, want := range []string{"oauth 1.0a", "OAuth 1.0a", "consumer key", uitest.FixtureConsumerKey, "HMAC-SHA1", "loopback", "request token", "photos.example.test/oauth/reque", "consumer secret"} {
		if !strings.Contains(s, want) {
			t.Errorf("client detail lacks %q:\n%s", want, s)
		}
	}
	d.Press("v")
	if s := d.Screen(); !strings.Contains(s, uitest.FixtureConsumerSecret) || !strings.Contains(s, "consumer secret") {
		t.Errorf("v does not reveal the consumer secret under its name:\n%s", s)
	}
	d.Press("v")

	selectIn(t, d, m, SectionClients, "photos-rsa")
	s = d.Screen()
	if !strings.Contains(s, "key id") || !strings.Contains(s, "example-key-id") || !strings.Contains(s, "oob") || strings.Contains(s, "PRIVATE KEY") {
		t.Errorf("RSA client detail:\n%s", s)
	}

	selectIn(t, d, m, SectionTokens, "photos")
	s = d.Screen()
	for _, want := range []string{"oauth1 token", "OAuth 1.0a token", "authorized", "no expiry"} {
		if !strings.Contains(s, want) {
			t.Errorf("token secret detail lacks %q:\n%s", want, s)
		}
	}
	if k := m.KeyMap(); !k.Token.Enabled() || k.Open.Help().Desc != "token pane" {
		t.Errorf("token secret keys: get token %v, enter %q", k.Token.Enabled(), k.Open.Help().Desc)
	}
	d.Press("enter")
	if ot, ok := h.Intents[len(h.Intents)-1].(common.OpenTokenMsg); !ok || ot.Secret != "photos" {
		t.Fatalf("enter sent %#v", h.Intents[len(h.Intents)-1])
	}
	d.Press("t")
	if rf, ok := h.Intents[len(h.Intents)-1].(common.RunFlowMsg); !ok || rf.Client != "photos" || rf.Secret != "photos" || rf.Force {
		t.Fatalf("t sent %#v", h.Intents[len(h.Intents)-1])
	}
}
