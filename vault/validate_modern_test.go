package vault

import (
	"context"
	"strings"
	"testing"
)

// The newer OAuth client settings: client_secret_jwt needs a secret long
// enough to be an HS256 key, DPoP needs an EC P-256 key, token exchange is a
// grant with token type URIs, and turning DPoP on for a stored client checks
// that its credentials carry the key.
func TestValidateModernClientSettings(t *testing.T) {
	t.Parallel()
	_, ecPEM, err := generateTestKey(AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	_, rsaPEM, err := generateTestKey(AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("s", 32)
	base := func() AuthClient {
		return AuthClient{
			Meta: Meta{Name: "c", Env: DefaultEnv}, Type: ClientOAuth2, ClientID: "id", Endpoints: Endpoints{Token: "https://as.example/token"},
			Grant: GrantClientCredentials, AuthMethod: AuthClientSecretJWT,
		}
	}
	tests := []struct {
		name  string
		edit  func(*AuthClient)
		creds ClientCredentials
		field string // "" = valid
	}{
		{"client_secret_jwt", nil, ClientCredentials{ClientSecret: long}, ""},
		{"client_secret_jwt short secret", nil, ClientCredentials{ClientSecret: "short"}, "clientSecret"},
		{"client_secret_jwt no secret", nil, ClientCredentials{}, "clientSecret"},
		{"client_secret_jwt RS256", func(c *AuthClient) { c.SigningAlg = "RS256" }, ClientCredentials{ClientSecret: long}, "signingAlg"},
		{"dpop", func(c *AuthClient) { c.DPoP = true }, ClientCredentials{ClientSecret: long, DPoPKey: ecPEM}, ""},
		{"dpop without key", func(c *AuthClient) { c.DPoP = true }, ClientCredentials{ClientSecret: long}, "dpopKey"},
		{"dpop RSA key", func(c *AuthClient) { c.DPoP = true }, ClientCredentials{ClientSecret: long, DPoPKey: rsaPEM}, "dpopKey"},
		{"token exchange", func(c *AuthClient) {
			c.Grant = GrantTokenExchange
			c.Exchange = &TokenExchange{Subject: "other", SubjectTokenType: "urn:ietf:params:oauth:token-type:access_token"}
		}, ClientCredentials{ClientSecret: long}, ""},
		{"token exchange bad type", func(c *AuthClient) {
			c.Grant = GrantTokenExchange
			c.Exchange = &TokenExchange{RequestedTokenType: "access_token"}
		}, ClientCredentials{ClientSecret: long}, "exchange.requestedTokenType"},
		{"token exchange of itself", func(c *AuthClient) {
			c.Grant = GrantTokenExchange
			c.Exchange = &TokenExchange{Subject: "c"}
		}, ClientCredentials{ClientSecret: long}, "exchange.subject"},
		{"token exchange public", func(c *AuthClient) {
			c.Grant, c.AuthMethod = GrantTokenExchange, AuthNone
		}, ClientCredentials{}, "authMethod"},
	}
	for _, tt := range tests {
		c := base()
		if tt.edit != nil {
			tt.edit(&c)
		}
		err := c.Validate()
		if err == nil {
			err = c.ValidateCredentials(tt.creds)
		}
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field+":")):
			t.Errorf("%s: %v, want an error about %s", tt.name, err, tt.field)
		}
	}

	v := NewMemory()
	ctx := context.Background()
	c := base()
	c.Env = DefaultEnv
	stored, err := v.PutClient(ctx, c, &ClientCredentials{ClientSecret: long})
	if err != nil {
		t.Fatal(err)
	}
	stored.DPoP = true
	if _, err := v.PutClient(ctx, stored, nil); err == nil || !strings.Contains(err.Error(), "dpopKey") {
		t.Errorf("DPoP turned on without a key: %v", err)
	}
}
