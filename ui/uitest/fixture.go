package uitest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// FixtureNow is the fixed clock of the fixture workspace and golden tests.
var FixtureNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Fixture values are obviously fake so golden files can never hold a real
// secret; tests check the views never show them unmasked anyway.
const (
	FixtureAPIKey       = "example-api-key-not-a-secret-0001"
	FixturePassphrase   = "example-passphrase-not-a-secret"
	FixtureClientSecret = "example-client-secret-not-a-secret"
	FixtureRefresh      = "example-refresh-token-not-a-secret"
)

// FixtureJWT is an unsigned-looking token with fixed claims, for the token
// pane's golden view; its "signature" is a fixed placeholder.
func FixtureJWT() string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := enc(map[string]any{"alg": "RS256", "kid": "fixture-key", "typ": "JWT"})
	claims := enc(map[string]any{
		"iss": "https://login.example.test", "sub": "alice", "aud": "https://api.example.test",
		"exp": FixtureNow.Add(4*time.Minute + 5*time.Second).Unix(), "iat": FixtureNow.Add(-55 * time.Second).Unix(),
		"scope": "api:read", "client_id": "console",
	})
	return head + "." + claims + "." + strings.Repeat("x", 43)
}

// FixtureIDToken is the console token set's ID token, with fixed claims
// and a placeholder signature like FixtureJWT's.
func FixtureIDToken() string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := enc(map[string]any{"alg": "RS256", "kid": "fixture-key", "typ": "JWT"})
	claims := enc(map[string]any{
		"iss": "https://login.example.test", "sub": "alice", "aud": "console", "name": "Alice Example",
		"email": "alice@example.test", "exp": FixtureNow.Add(55 * time.Minute).Unix(), "iat": FixtureNow.Add(-55 * time.Second).Unix(),
	})
	return head + "." + claims + "." + strings.Repeat("y", 43)
}

// Fixture returns a memory vault with a fixed workspace: environments dev
// and staging, auth clients of several grants, secrets of several types
// (one expiring soon, one expired), a token set and saved requests. Its
// clock is FixtureNow.
func Fixture() *vault.Vault {
	v := vault.NewMemory()
	v.Now = func() time.Time { return FixtureNow }
	soon := FixtureNow.Add(3 * 24 * time.Hour)
	past := FixtureNow.Add(-48 * time.Hour)
	tokExp := FixtureNow.Add(4*time.Minute + 5*time.Second)
	lastRefresh := FixtureNow.Add(-55 * time.Second)
	issuer := "https://login.example.test"
	b := vault.Batch{
		Envs: []vault.Environment{
			{Name: "dev", Tenant: "acme", Description: "local development"},
			{Name: "staging", Tenant: "acme-staging"},
		},
		Vars: map[string]map[string]string{"dev": {"api": "https://api.example.test"}},
		Clients: []vault.ClientItem{
			{Client: vault.AuthClient{
				Meta: vault.Meta{Name: "console", Env: "dev", Description: "the admin console"}, Type: vault.ClientOAuth2, Issuer: issuer,
				ClientID: "console", Grant: vault.GrantAuthorizationCode, AuthMethod: vault.AuthNone, Scopes: []string{"openid", "api:read", "api:write"},
			}},
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: "billing-service", Env: "dev"}, Type: vault.ClientOAuth2, Issuer: issuer,
					ClientID: "billing", Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthClientSecretBasic, Scopes: []string{"api:read"}, SecretExpiration: &soon,
				},
				Creds: &vault.ClientCredentials{ClientSecret: FixtureClientSecret},
			},
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: "legacy-app", Env: "dev"}, Type: vault.ClientOAuth2, Issuer: issuer,
					ClientID: "legacy", Grant: vault.GrantPassword, AllowDeprecated: true, AuthMethod: vault.AuthClientSecretPost,
				},
				Creds: &vault.ClientCredentials{ClientSecret: FixtureClientSecret},
			},
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: "reports", Env: "staging"}, Type: vault.ClientOAuth2, Issuer: issuer,
					ClientID: "reports", Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthClientSecretBasic,
				},
				Creds: &vault.ClientCredentials{ClientSecret: FixtureClientSecret},
			},
		},
		Secrets: []vault.SecretItem{
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: "console", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "console"},
				Value:  vault.SecretValue{AccessToken: FixtureJWT(), RefreshToken: FixtureRefresh, IDToken: FixtureIDToken(), TokenType: "Bearer", Scope: "openid api:read", Expires: tokExp.Format(time.RFC3339)},
			},
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: "weather-key", Env: "dev", Description: "third-party weather API", AllowedHosts: []string{"api.weather.test"}}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"},
				Value:  vault.SecretValue{Key: FixtureAPIKey},
			},
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: "partner-basic", Env: "dev", Expiration: &soon}, Type: vault.TypeSimple},
				Value:  vault.SecretValue{Username: "partner", Passphrase: FixturePassphrase},
			},
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: "old-key", Env: "dev", Expiration: &past}, Type: vault.TypeAPIKey},
				Value:  vault.SecretValue{Key: FixtureAPIKey + "-old"},
			},
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: "reports", Env: "staging"}, Type: vault.TypeOAuthToken, AuthClient: "reports"},
				Value:  vault.SecretValue{AccessToken: "opaque-example-token-not-a-secret", TokenType: "Bearer", Scope: "api:read", Expires: FixtureNow.Add(-time.Minute).Format(time.RFC3339)},
			},
		},
		Requests: []vault.Request{
			{Name: "list users", Env: "dev", Method: "GET", URL: "{{api}}/users", Auth: "console"},
			{Name: "create invoice", Env: "dev", Method: "POST", URL: "{{api}}/invoices", Auth: "billing-service", Body: `{"amount": 42}`},
		},
	}
	ctx := context.Background()
	if _, err := v.Apply(ctx, b); err != nil {
		panic(fmt.Sprintf("uitest: fixture: %v", err))
	}
	if err := v.UseEnv("dev"); err != nil {
		panic(err)
	}
	if err := v.RemoveEnv(ctx, vault.DefaultEnv); err != nil {
		panic(err)
	}
	// Refresh metadata comes from the engine in real use; set it directly.
	if _, err := v.Catalogs().Update(func(c *vault.Catalog) error {
		for i := range c.Secrets {
			if c.Secrets[i].Name == "console" {
				c.Secrets[i].LastRefresh = &lastRefresh
			}
		}
		return nil
	}); err != nil {
		panic(err)
	}
	return v
}

// Catalog loads v's catalog or panics (fixtures only).
func Catalog(v *vault.Vault) *vault.Catalog {
	c, err := v.Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Secrets lists the fixture's secret values, for tests that check a view
// never shows them.
func Secrets() []string {
	return []string{
		FixtureAPIKey, FixturePassphrase, FixtureClientSecret, FixtureRefresh, FixtureJWT(), FixtureIDToken(),
		FixtureConsumerSecret, FixtureOA1Token, FixtureOA1TokenSecret,
	}
}

// Fake OAuth 1.0a values of AddOAuth1; their first twelve characters are
// distinct from everything a view shows, so tests can look for them.
const (
	FixtureConsumerKey    = "photos-consumer"
	FixtureConsumerSecret = "consumer-secret-example-not-a-secret"
	FixtureOA1Token       = "oa1-token-example-not-a-secret-0001"
	FixtureOA1TokenSecret = "oa1-secret-example-not-a-secret-0002"
)

// AddOAuth1 adds to v's dev environment an OAuth 1.0a auth client
// "photos" (HMAC-SHA1, loopback callback, limited to the provider's host)
// and its token credentials, secret "photos", authorized two hours before
// FixtureNow.
func AddOAuth1(v *vault.Vault) {
	ctx := context.Background()
	base := "https://photos.example.test/oauth"
	b := vault.Batch{
		Clients: []vault.ClientItem{{
			Client: vault.AuthClient{
				Meta: vault.Meta{
					Name: "photos", Env: "dev", Description: "an OAuth 1.0a provider",
					AllowedHosts: []string{"photos.example.test"},
				}, Type: vault.ClientOAuth1,
				Endpoints: vault.Endpoints{RequestToken: base + "/request_token", Authorization: base + "/authorize", Token: base + "/access_token"},
				ClientID:  FixtureConsumerKey, SignatureMethod: "HMAC-SHA1",
			},
			Creds: &vault.ClientCredentials{ClientSecret: FixtureConsumerSecret},
		}},
		Secrets: []vault.SecretItem{{
			Secret: vault.Secret{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
			Value:  vault.SecretValue{Token: FixtureOA1Token, TokenSecret: FixtureOA1TokenSecret},
		}},
	}
	if _, err := v.Apply(ctx, b); err != nil {
		panic(fmt.Sprintf("uitest: OAuth 1.0a fixture: %v", err))
	}
	authorized := FixtureNow.Add(-2 * time.Hour)
	if _, err := v.Catalogs().Update(func(c *vault.Catalog) error {
		for i := range c.Secrets {
			if c.Secrets[i].Name == "photos" && c.Secrets[i].Env == "dev" {
				c.Secrets[i].LastRefresh = &authorized
			}
		}
		return nil
	}); err != nil {
		panic(err)
	}
}

// BigBatch returns n items for the environment "default" (a third auth
// clients, the rest API keys), for start-up and filtering budgets.
func BigBatch(n int) vault.Batch {
	var b vault.Batch
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("item-%04d", i)
		if i%3 == 0 {
			b.Clients = append(b.Clients, vault.ClientItem{Client: vault.AuthClient{
				Meta: vault.Meta{Name: name, Env: vault.DefaultEnv},
				Type: vault.ClientOAuth2, Issuer: "https://login.example.test", ClientID: name, Grant: vault.GrantClientCredentials,
				AuthMethod: vault.AuthClientSecretBasic,
			}, Creds: &vault.ClientCredentials{ClientSecret: FixtureClientSecret}})
			continue
		}
		b.Secrets = append(b.Secrets, vault.SecretItem{
			Secret: vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeAPIKey},
			Value:  vault.SecretValue{Key: FixtureAPIKey},
		})
	}
	return b
}
