// Package demo builds the playground's demo workspace in a vault: two
// environments (dev and staging), an auth client for every demo client of the
// playground (every grant and client authentication method), an API key, a
// basic secret and saved requests — all from the running playground's own
// description, so no credential is written down anywhere. When the
// playground hosts the OAuth 1.0a provider, dev also gets its two demo
// consumers (HMAC-SHA1 and RSA-SHA256) and a saved request to its protected
// photos resource.
package demo

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Environments of the demo workspace.
const (
	EnvDev     = "dev"
	EnvStaging = "staging"
)

// Secret names of the demo workspace.
const (
	SecretAPIKey   = "demo-api-key"
	SecretBasic    = "demo-basic"
	SecretExpiring = "partner-key"
	ClientDevice   = "cli-device"
)

// OAuth 1.0a names of the demo workspace.
const (
	// ClientPhotos signs with HMAC-SHA1 and the consumer secret.
	ClientPhotos = "photos"
	// ClientPhotosRSA signs with RSA-SHA256 and the demo RSA key.
	ClientPhotosRSA = "photos-rsa"
	// RequestPhotos is the saved request to the provider's protected resource.
	RequestPhotos = "photos"
)

// Workspace fills v (a fresh memory vault) with the demo workspace for srv
// and makes dev the active environment.
func Workspace(ctx context.Context, v *vault.Vault, srv *playground.Server) error {
	b, err := Batch(srv, v.Now())
	if err != nil {
		return err
	}
	if _, err := v.Apply(ctx, b); err != nil {
		return fmt.Errorf("building the demo workspace: %w", err)
	}
	if err := v.UseEnv(EnvDev); err != nil {
		return err
	}
	cat, err := v.Load()
	if err != nil {
		return err
	}
	if _, ok := cat.Env(vault.DefaultEnv); ok {
		if err := v.RemoveEnv(ctx, vault.DefaultEnv); err != nil {
			return err
		}
	}
	return nil
}

// Batch describes the demo workspace for srv.
func Batch(srv *playground.Server, now time.Time) (vault.Batch, error) {
	api, err := url.Parse(srv.APIURL)
	if err != nil {
		return vault.Batch{}, fmt.Errorf("playground API URL: %w", err)
	}
	b := vault.Batch{
		Envs: []vault.Environment{
			{Name: EnvDev, Tenant: "acme-dev", Description: "the playground on this machine"},
			{Name: EnvStaging, Tenant: "acme-staging", Description: "a second environment on the same playground"},
		},
		Vars: map[string]map[string]string{
			EnvDev:     {"issuer": srv.Issuer, "api": srv.APIURL},
			EnvStaging: {"issuer": srv.Issuer, "api": srv.APIURL},
		},
	}
	for _, dc := range srv.Clients {
		ac, creds, err := client(srv, dc, EnvDev)
		if err != nil {
			return vault.Batch{}, err
		}
		b.Clients = append(b.Clients, vault.ClientItem{Client: ac, Creds: creds})
		if dc.ClientID == playground.ClientCLI {
			dev := ac
			dev.Name, dev.Grant = ClientDevice, vault.GrantDeviceCode
			dev.Description = "The CLI client signing in with the device flow (RFC 8628)."
			b.Clients = append(b.Clients, vault.ClientItem{Client: dev})
		}
		if dc.ClientID == playground.ClientServiceBasic || dc.ClientID == playground.ClientCLI {
			st, stCreds, err := client(srv, dc, EnvStaging)
			if err != nil {
				return vault.Batch{}, err
			}
			st.Tenant = "acme-staging"
			b.Clients = append(b.Clients, vault.ClientItem{Client: st, Creds: stCreds})
		}
	}
	apiHost := []string{api.Host}
	soon := now.Add(3 * 24 * time.Hour)
	partner, err := keygen.SecretValue(keygen.DefaultSecretBytes)
	if err != nil {
		return vault.Batch{}, err
	}
	b.Secrets = []vault.SecretItem{
		{
			Secret: vault.Secret{Meta: vault.Meta{Name: SecretAPIKey, Env: EnvDev, Description: "The demo API's key (GET /apikey)", AllowedHosts: apiHost}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"},
			Value:  vault.SecretValue{Key: srv.APIKey, HeaderName: "X-API-Key"},
		},
		{
			Secret: vault.Secret{Meta: vault.Meta{Name: SecretBasic, Env: EnvDev, Description: "HTTP basic for GET /basic", AllowedHosts: apiHost}, Type: vault.TypeSimple},
			Value:  vault.SecretValue{Username: srv.BasicUser, Passphrase: srv.BasicPassword},
		},
		{
			Secret: vault.Secret{Meta: vault.Meta{Name: SecretExpiring, Env: EnvDev, Description: "A generated partner key that expires soon", Expiration: &soon}, Type: vault.TypeAPIKey, Generated: true},
			Value:  vault.SecretValue{Key: partner},
		},
		{
			Secret: vault.Secret{Meta: vault.Meta{Name: SecretAPIKey, Env: EnvStaging, Description: "The demo API's key, staging copy", AllowedHosts: apiHost}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"},
			Value:  vault.SecretValue{Key: srv.APIKey, HeaderName: "X-API-Key"},
		},
	}
	b.Requests = []vault.Request{
		{Name: "me", Env: EnvDev, Method: "GET", URL: "{{api}}/me", Auth: playground.ClientCLI, Description: "who the token belongs to"},
		{Name: "read data", Env: EnvDev, Method: "GET", URL: "{{api}}/data", Auth: playground.ClientServiceBasic},
		{
			Name: "write data", Env: EnvDev, Method: "POST", URL: "{{api}}/data", Auth: playground.ClientServiceJWT,
			Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"note": "hello from authdeck"}`,
		},
		{Name: "api key", Env: EnvDev, Method: "GET", URL: "{{api}}/apikey", Auth: SecretAPIKey},
		{Name: "basic", Env: EnvDev, Method: "GET", URL: "{{api}}/basic", Auth: SecretBasic},
		{
			Name: "read data (DPoP)", Env: EnvDev, Method: "GET", URL: "{{api}}/data", Auth: playground.ClientServiceDPoP,
			Description: "a DPoP-bound token: each request carries a proof the demo API checks",
		},
		{
			Name: "me (exchanged)", Env: EnvDev, Method: "GET", URL: "{{api}}/me", Auth: playground.ClientExchange,
			Description: "a token exchanged from service-basic's token (RFC 8693)",
		},
		{Name: "me", Env: EnvStaging, Method: "GET", URL: "{{api}}/me", Auth: playground.ClientServiceBasic},
	}
	if o := srv.OAuth1; o != nil {
		for _, x := range []struct{ name, method string }{{ClientPhotos, oauth1.HMACSHA1}, {ClientPhotosRSA, oauth1.RSASHA256}} {
			ac, creds := oauth1demo.AuthClient(*o, EnvDev, x.name, x.method)
			if oauth1.IsRSA(x.method) {
				// The key id stands for the key wherever the client is shown (S-26).
				key, err := vault.ParsePrivateKey(creds.PrivateKey)
				if err != nil {
					return vault.Batch{}, fmt.Errorf("the OAuth 1.0a demo key: %w", err)
				}
				ac.KeyID = pemkey.Thumbprint(key)
			}
			b.Clients = append(b.Clients, vault.ClientItem{Client: ac, Creds: &creds})
		}
		b.Requests = append(b.Requests, vault.Request{
			Name: RequestPhotos, Env: EnvDev, Method: "GET", URL: o.PhotosURL + "?file=vacation.jpg",
			Auth: ClientPhotos, Description: "a photo behind OAuth 1.0a (authorize photos first: enter on the client)",
		})
	}
	return b, nil
}

// client maps a playground demo client to an auth client of env; a
// DPoP-bound client gets a fresh DPoP key.
func client(srv *playground.Server, dc playground.DemoClient, env string) (vault.AuthClient, *vault.ClientCredentials, error) {
	ac := vault.AuthClient{
		Meta:        vault.Meta{Name: dc.ClientID, Env: env, Description: dc.Description},
		Type:        vault.ClientOAuth2,
		Issuer:      srv.Issuer,
		ClientID:    dc.ClientID,
		AuthMethod:  vault.AuthMethod(dc.AuthMethod),
		Scopes:      slices.Clone(dc.Scopes),
		RedirectURI: dc.RedirectURI,
	}
	has := func(g string) bool { return slices.Contains(dc.Grants, g) }
	switch {
	case has(playground.GrantPassword):
		ac.Grant, ac.AllowDeprecated = vault.GrantPassword, true
	case has(playground.GrantImplicit):
		ac.Grant, ac.AllowDeprecated, ac.AuthMethod = vault.GrantImplicit, true, ""
	case dc.ShortLived || has(playground.GrantAuthorizationCode):
		ac.Grant = vault.GrantAuthorizationCode
	case has(playground.GrantClientCredentials):
		ac.Grant = vault.GrantClientCredentials
	case has(playground.GrantDeviceCode) || has("device_code"):
		ac.Grant = vault.GrantDeviceCode
	case has(playground.GrantTokenExchange):
		ac.Grant, ac.Audience = vault.GrantTokenExchange, srv.APIURL
		ac.Exchange = &vault.TokenExchange{Subject: dc.ExchangeSubject}
	}
	ac.PAR, ac.RequestObject = dc.RequirePAR, dc.RequireRequestObject
	var creds *vault.ClientCredentials
	switch {
	case dc.PrivateKeyPEM != "":
		creds = &vault.ClientCredentials{PrivateKey: dc.PrivateKeyPEM}
		ac.KeyID, ac.SigningAlg = dc.KeyID, dc.SigningAlgorithm
	case dc.Secret != "":
		creds = &vault.ClientCredentials{ClientSecret: dc.Secret}
	}
	if dc.DPoPBound {
		key, pemText, err := dpop.GenerateKey()
		if err != nil {
			return ac, nil, fmt.Errorf("the DPoP key of %s: %w", dc.ClientID, err)
		}
		if creds == nil {
			creds = &vault.ClientCredentials{}
		}
		creds.DPoPKey = pemText
		ac.DPoP, ac.DPoPKeyID = true, key.Thumbprint()
	}
	return ac, creds, nil
}
