package form

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// The client form for a token exchange client with client_secret_jwt and
// DPoP: the subject is named, the DPoP key is generated into the vault
// with the secret, and editing the secret keeps the key; turning DPoP off
// drops it.
func TestClientFormExchangeSecretJWTAndDPoP(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := NewClient(c, "dev")
	d, h := host(t, c, m)
	fill(d, "gw", "", "")                                             // name, protocol, description
	fill(d, "https://login.example.test", "", "", "", "", "", "", "") // issuer + endpoints
	d.Type("gw-id")
	d.Press("enter")
	d.Press("down", "down", "down", "enter") // grant: token_exchange
	d.Press("enter")                         // deprecated? (not asked)
	d.Press("down", "down", "enter")         // client_secret_jwt
	const secret = "a-client-secret-long-enough-for-hs256-0123456789"
	d.Type(secret)
	d.Press("enter")
	fill(d, "billing-service", "", "", "", "")              // subject, its type, actor, its type, requested type
	fill(d, "api:read", "", "", "", "", "", "", "", "", "") // scopes and parameters
	d.Press("left", "enter")                                // DPoP: yes
	fill(d, "", "")                                         // PAR, request objects: no
	fill(d, "", "", "", "")                                 // metadata
	if h.Popped != 1 {
		t.Fatalf("not saved; banner %q:\n%s", m.Banner(), d.Screen())
	}
	ctx := context.Background()
	ac, err := v.Client("dev", "gw")
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := v.ClientCredentials(ctx, ac)
	key, err := dpop.ParseKey(creds.DPoPKey)
	if err != nil || !ac.DPoP || ac.DPoPKeyID != key.Thumbprint() || creds.ClientSecret != secret ||
		ac.AuthMethod != vault.AuthClientSecretJWT || ac.Grant != vault.GrantTokenExchange || ac.Exchange == nil || ac.Exchange.Subject != "billing-service" {
		t.Fatalf("saved: %+v / dpop key err %v", ac, err)
	}
	if strings.Contains(d.Screen(), secret) {
		t.Fatal("the secret is on screen (S-30)")
	}

	// Editing the secret keeps the DPoP key.
	m2 := EditClient(c, ac)
	d2, h2 := host(t, c, m2)
	fill(d2, "", "", "")
	fill(d2, "", "", "", "", "", "", "", "")
	fill(d2, "", "", "", "")
	const secret2 = "another-client-secret-long-enough-for-hs256-987"
	d2.Type(secret2)
	d2.Press("enter")
	fill(d2, "", "", "", "", "")
	fill(d2, "", "", "", "", "", "", "", "", "", "")
	fill(d2, "", "", "")
	fill(d2, "", "", "", "")
	if h2.Popped != 1 {
		t.Fatalf("edit not saved; banner %q:\n%s", m2.Banner(), d2.Screen())
	}
	ac2, _ := v.Client("dev", "gw")
	creds2, _ := v.ClientCredentials(ctx, ac2)
	if creds2.ClientSecret != secret2 || creds2.DPoPKey != creds.DPoPKey || ac2.DPoPKeyID != key.Thumbprint() {
		t.Fatalf("after the edit: secret changed=%v key kept=%v", creds2.ClientSecret == secret2, creds2.DPoPKey == creds.DPoPKey)
	}

	// Turning DPoP off drops the key and keeps the secret.
	m3 := EditClient(c, ac2)
	d3, h3 := host(t, c, m3)
	fill(d3, "", "", "")
	fill(d3, "", "", "", "", "", "", "", "")
	fill(d3, "", "", "", "")
	d3.Press("enter") // keep the secret
	fill(d3, "", "", "", "", "")
	fill(d3, "", "", "", "", "", "", "", "", "", "")
	d3.Press("right", "enter") // DPoP: no
	fill(d3, "", "")
	fill(d3, "", "", "", "")
	if h3.Popped != 1 {
		t.Fatalf("DPoP off not saved; banner %q:\n%s", m3.Banner(), d3.Screen())
	}
	ac3, _ := v.Client("dev", "gw")
	creds3, _ := v.ClientCredentials(ctx, ac3)
	if ac3.DPoP || ac3.DPoPKeyID != "" || creds3.DPoPKey != "" || creds3.ClientSecret != secret2 {
		t.Fatalf("DPoP off: dpop=%v key=%v secret kept=%v", ac3.DPoP, creds3.DPoPKey != "", creds3.ClientSecret == secret2)
	}
}
