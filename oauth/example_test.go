package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// A client credentials client: the first Token call asks the token
// endpoint, the second is answered from the token set stored in the vault.
func ExampleEngine_Token() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if id, secret, ok := r.BasicAuth(); !ok || id != "my-app" || secret != "example-secret" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": "invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "scope": "read"}`)
	}))
	defer srv.Close()

	ctx := context.Background()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		fmt.Println(err)
		return
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "api", Env: "dev"}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: srv.URL + "/token"}, ClientID: "my-app",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{"read"},
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "example-secret"}); err != nil {
		fmt.Println(err)
		return
	}

	e := &oauth.Engine{Vault: v}
	for range 2 {
		res, err := e.Token(ctx, oauth.TokenRequest{Env: "dev", Name: "api"}, oauth.FlowCallbacks{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.AccessToken, res.TokenType, "from the vault:", res.FromCache, "token endpoint calls:", calls.Load())
	}
	// Output:
	// at-1 Bearer from the vault: false token endpoint calls: 1
	// at-1 Bearer from the vault: true token endpoint calls: 1
}

// TokenTypeURI turns the short names of RFC 8693 token types into their
// URIs and keeps URIs as they are.
func ExampleTokenTypeURI() {
	for _, s := range []string{"access_token", "jwt", "urn:example:custom"} {
		u, err := oauth.TokenTypeURI(s)
		fmt.Println(u, err)
	}
	// Output:
	// urn:ietf:params:oauth:token-type:access_token <nil>
	// urn:ietf:params:oauth:token-type:jwt <nil>
	// urn:example:custom <nil>
}
