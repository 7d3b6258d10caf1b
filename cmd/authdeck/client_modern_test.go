package main

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
)

// client add/edit/show for client_secret_jwt, DPoP (the key generated into
// the vault, shown only by thumbprint; S-44), pushed and signed requests and
// token exchange; wrong combinations are refused with the flag named.
func TestClientAddModernOptions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	const secret = "cs_7f3e9a1b2c4d5e6f7a8b9c0d_0123456789abcdef"
	r := h.must(secret+"\n", addArgs("svc", "--auth-method", "client_secret_jwt", "--client-secret-stdin", "--dpop")...)
	ac, err := h.v.Client(vault.DefaultEnv, "svc")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := h.v.ClientCredentials(ctx, ac)
	if err != nil {
		t.Fatal(err)
	}
	key, err := dpop.ParseKey(creds.DPoPKey)
	if err != nil || !ac.DPoP || ac.DPoPKeyID != key.Thumbprint() || ac.AuthMethod != vault.AuthClientSecretJWT {
		t.Fatalf("stored: dpop=%v keyid=%q method=%s key err=%v", ac.DPoP, ac.DPoPKeyID, ac.AuthMethod, err)
	}
	if !strings.Contains(r.out, "DPoP key (jkt "+key.Thumbprint()+")") {
		t.Errorf("add output:\n%s", r.out)
	}
	show := h.must("", "client", "show", "svc")
	noSecret(t, show, secret, creds.DPoPKey, strings.Split(creds.DPoPKey, "\n")[1])
	if !strings.Contains(show.out, "on; key thumbprint (jkt) "+key.Thumbprint()) {
		t.Errorf("show:\n%s", show.out)
	}
	// --dpop again keeps the key (bound tokens stay usable); --dpop=false drops it.
	h.must("", "client", "edit", "svc", "--dpop")
	again, _ := h.v.Client(vault.DefaultEnv, "svc")
	if again.DPoPKeyID != key.Thumbprint() {
		t.Errorf("--dpop on a client with a key replaced it")
	}
	h.must("", "client", "edit", "svc", "--dpop=false")
	off, _ := h.v.Client(vault.DefaultEnv, "svc")
	offCreds, _ := h.v.ClientCredentials(ctx, off)
	if off.DPoP || off.DPoPKeyID != "" || offCreds.DPoPKey != "" || offCreds.ClientSecret != secret {
		t.Errorf("--dpop=false: dpop=%v key kept=%v secret kept=%v", off.DPoP, offCreds.DPoPKey != "", offCreds.ClientSecret == secret)
	}

	// A client_secret_jwt secret too short for HS256.
	h.expect(exitOther, []string{"--client-secret-stdin", "32 bytes"}, "short\n", addArgs("weak", "--auth-method", "client_secret_jwt", "--client-secret-stdin")...)

	// Pushed and signed authorization requests.
	h.must("", addArgs("fapi", "--grant", "authorization_code", "--auth-method", "private_key_jwt", "--generate-key", "--signing-alg", "ES256",
		"--par", "--request-object", "--par-url", "https://id.example.com/par", "--auth-url", "https://id.example.com/authorize")...)
	fapi, _ := h.v.Client(vault.DefaultEnv, "fapi")
	if !fapi.PAR || !fapi.RequestObject || fapi.Endpoints.PAR != "https://id.example.com/par" {
		t.Errorf("fapi: par=%v jar=%v url=%q", fapi.PAR, fapi.RequestObject, fapi.Endpoints.PAR)
	}
	h.expect(exitOther, []string{"--request-object", "private_key_jwt"}, "cs\n", addArgs("jar", "--grant", "authorization_code",
		"--auth-method", "client_secret_basic", "--client-secret-stdin", "--request-object", "--auth-url", "https://id.example.com/authorize")...)

	// Token exchange.
	r = h.must("gw-secret\n", addArgs("gw", "--auth-method", "client_secret_basic", "--client-secret-stdin", "--grant", "token_exchange",
		"--subject", "svc", "--actor", "nobody", "--requested-token-type", "jwt", "--audience", "https://orders.example.com")...)
	if !strings.Contains(r.err, `no auth client or secret "nobody"`) {
		t.Errorf("no warning about the missing actor:\n%s", r.err)
	}
	gw, _ := h.v.Client(vault.DefaultEnv, "gw")
	if gw.Exchange == nil || gw.Exchange.Subject != "svc" || gw.Exchange.RequestedTokenType != oauth.TokenTypeJWT {
		t.Fatalf("exchange: %+v", gw.Exchange)
	}
	show = h.must("", "client", "show", "gw")
	if !strings.Contains(show.out, "subject:") || !strings.Contains(show.out, oauth.TokenTypeJWT) {
		t.Errorf("show:\n%s", show.out)
	}
	h.expect(exitOther, []string{"--subject-token-type", "not access_token"}, "", "client", "edit", "gw", "--subject-token-type", "bearer")
	h.expect(exitOther, []string{"token_exchange grant"}, "", "client", "edit", "gw", "--grant", "client_credentials")
	h.expect(exitOther, []string{"--subject", "itself"}, "", "client", "edit", "gw", "--subject", "gw")
	// OAuth 2.0 flags on an OAuth 1.0a client are refused.
	h.expect(exitOther, []string{"--dpop"}, "cs\n", "client", "add", "o1", "--oauth1", "--request-token-url", "https://p.example/rt",
		"--auth-url", "https://p.example/a", "--token-url", "https://p.example/at", "--client-id", "ck", "--signature-method", "HMAC-SHA1",
		"--client-secret-stdin", "--dpop")
}
