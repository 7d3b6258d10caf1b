package oauth

import (
	"context"
	"net/url"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// When discovery says require_signed_request_object, a client that did not
// opt in signs its authorization requests anyway (RFC 9101 §10.5): with its
// private_key_jwt key, and with its secret for client_secret_jwt (HS256);
// the browser URL carries client_id and the request object (and the
// response_type and scope OpenID Connect repeats outside it), and the
// provider, which holds the client to signed requests, issues the tokens.
func TestRequestObjectRequiredByDiscovery(t *testing.T) {
	t.Parallel()
	s, err := playground.Start(context.Background(), playground.Config{RequireSignedRequestObject: true})
	mustf(t, err, "starting the playground")
	t.Cleanup(func() { _ = s.Close() })
	code := []string{playground.GrantAuthorizationCode}
	priv, pub := keyPair(t, "ES256")
	jwtInfo, _, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodPrivateKeyJWT, PublicKey: pub, LoopbackRedirect: true,
		Grants: code, RequireRequestObject: true, Scopes: []string{"openid", playground.ScopeAPIRead},
	})
	mustf(t, err, "registering the private_key_jwt client")
	hsInfo, hsSecret, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodSecretJWT, LoopbackRedirect: true,
		Grants: code, RequireRequestObject: true, Scopes: []string{"openid", playground.ScopeAPIRead},
	})
	mustf(t, err, "registering the client_secret_jwt client")
	cases := []struct {
		name  string
		ac    vault.AuthClient
		creds vault.ClientCredentials
	}{
		{"private_key_jwt", vault.AuthClient{ClientID: jwtInfo.ClientID, AuthMethod: vault.AuthPrivateKeyJWT, KeyID: jwtInfo.KeyID}, vault.ClientCredentials{PrivateKey: priv}},
		{"client_secret_jwt", vault.AuthClient{ClientID: hsInfo.ClientID, AuthMethod: vault.AuthClientSecretJWT}, vault.ClientCredentials{ClientSecret: hsSecret}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t)
			ac := tc.ac
			ac.Meta = vault.Meta{Name: "app", Env: vault.DefaultEnv}
			ac.Type, ac.Issuer, ac.Grant, ac.Scopes = vault.ClientOAuth2, s.Issuer, vault.GrantAuthorizationCode, []string{"openid", playground.ScopeAPIRead}
			putClient(t, e, ac, &tc.creds)
			var prompt AuthPrompt
			r, tr := signIn(t, e, "app", FlowCallbacks{AuthURL: func(p AuthPrompt) { prompt = p }})
			if callAPI(t, s, r.AccessToken) != 200 {
				t.Fatal("the token does not work at the demo API")
			}
			u, err := url.Parse(prompt.URL)
			mustf(t, err, "the authorization URL")
			q := u.Query()
			// OpenID Connect Core §6.1 wants response_type and scope outside
			// the object too; every other parameter rides inside it only.
			for k := range q {
				switch k {
				case "client_id", "request", "response_type", "scope":
				default:
					t.Errorf("the browser URL carries %s outside the request object", k)
				}
			}
			if q.Get("client_id") != ac.ClientID || q.Get("request") == "" {
				t.Errorf("the browser URL carries %v, want client_id and the request object", q)
			}
			noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, secretOf(&tc.creds))
		})
	}
}
