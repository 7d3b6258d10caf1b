package token

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// A DPoP-bound token set (RFC 9449; S-44): the pane names the key it is
// bound to and whether it is the client's; the copied header uses the DPoP
// scheme and the status says a proof is needed per request.
func TestDPoPBindingShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := uitest.Fixture()
	key, pemText, err := dpop.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ac, err := v.Client("dev", "billing-service")
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := v.ClientCredentials(ctx, ac)
	ac.DPoP, ac.DPoPKeyID = true, key.Thumbprint()
	creds.DPoPKey = pemText
	if _, err := v.PutClient(ctx, ac, &creds); err != nil {
		t.Fatal(err)
	}
	sec := vault.Secret{Meta: vault.Meta{Name: "billing-service", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "billing-service"}
	sec, err = v.PutSecret(ctx, sec, &vault.SecretValue{AccessToken: "opaque-dpop-token", TokenType: "DPoP", DPoPJKT: key.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	c := uitest.NewCommon(v)
	m := New(c, "dev", "billing-service")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 120, 40)
	s := d.Screen()
	if !strings.Contains(s, "bound to") || !strings.Contains(s, "DPoP key "+key.Thumbprint()[:20]) || !strings.Contains(s, "the client's key") {
		t.Fatalf("pane:\n%s", s)
	}
	if strings.Contains(s, pemText[40:70]) {
		t.Fatal("the DPoP private key is on screen")
	}
	d.Press("h")
	if len(h.Copies) != 1 || h.Copies[0].Value != "Authorization: DPoP opaque-dpop-token" {
		t.Fatalf("copied %+v", h.Copies)
	}
	if !strings.Contains(d.Screen(), "needs a DPoP proof") && !strings.Contains(h.LastStatus(), "needs a DPoP proof") {
		t.Errorf("no word about the proof:\n%s", d.Screen())
	}

	// Bound to another key than the client's: said so.
	other, _, _ := dpop.GenerateKey()
	if _, err := v.PutSecret(ctx, sec, &vault.SecretValue{AccessToken: "opaque-dpop-token", TokenType: "DPoP", DPoPJKT: other.Thumbprint()}); err != nil {
		t.Fatal(err)
	}
	m2 := New(c, "dev", "billing-service")
	d2 := uitest.NewBusy(t, uitest.NewHost(c, m2), 120, 40)
	if !strings.Contains(d2.Screen(), "not the client's key") {
		t.Errorf("pane:\n%s", d2.Screen())
	}
}
