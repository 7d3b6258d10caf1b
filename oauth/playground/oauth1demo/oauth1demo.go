// Package oauth1demo adds the OAuth 1.0a provider of package oauth1provider to
// the playground: Start runs the playground with it, Provider plugs it into
// playground.Config, and AuthClient turns the demo consumer into an auth
// client of the vault for the demo workspace.
//
// It is a package of its own because the playground also serves the tests
// of package oauth, which the OAuth 1.0a code builds on: the playground
// itself cannot import it.
package oauth1demo

import (
	"context"
	"net/url"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// Start runs the playground with the OAuth 1.0a provider (cfg.OAuth1 is set
// to Provider); the Server's OAuth1 field describes it.
func Start(ctx context.Context, cfg playground.Config) (*playground.Server, error) {
	cfg.OAuth1 = Provider
	return playground.Start(ctx, cfg)
}

// Provider starts the OAuth 1.0a provider on addr with one demo consumer
// (a fresh consumer secret and RSA key pair); it is a playground.OAuth1Starter.
func Provider(ctx context.Context, addr string) (playground.OAuth1Provider, error) {
	s, err := oauth1provider.Start(ctx, oauth1provider.Config{Addr: addr})
	if err != nil {
		return nil, err
	}
	return provider{s}, nil
}

type provider struct{ s *oauth1provider.Server }

// Info describes the provider and its demo consumer.
func (p provider) Info() playground.OAuth1 {
	c, _ := p.s.Consumer(oauth1provider.DemoConsumerKey)
	return playground.OAuth1{
		URL: p.s.URL, RequestTokenURL: p.s.RequestTokenURL, AuthorizeURL: p.s.AuthorizeURL,
		AccessTokenURL: p.s.AccessTokenURL, PhotosURL: p.s.PhotosURL,
		ConsumerKey: c.Key, ConsumerSecret: c.Secret, PrivateKeyPEM: c.PrivateKeyPEM,
		User: p.s.User, Password: p.s.Password,
	}
}

// Close stops the provider.
func (p provider) Close() error { return p.s.Close() }

// AuthClient returns the OAuth 1.0a auth client (and the credentials to
// store with it) for the demo consumer of o: named name in environment env,
// signing with method (HMAC-SHA1 when empty), the loopback callback, and
// allowed to send its tokens to the provider's host only. RSA methods get
// the demo private key, the others the consumer secret.
func AuthClient(o playground.OAuth1, env, name, method string) (vault.AuthClient, vault.ClientCredentials) {
	if method == "" {
		method = oauth1.HMACSHA1
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{
			Name: name, Env: env, Description: "OAuth 1.0a demo consumer (" + method + ")",
			AllowedHosts: []string{hostOf(o.URL)},
		},
		Type:            vault.ClientOAuth1,
		Endpoints:       vault.Endpoints{RequestToken: o.RequestTokenURL, Authorization: o.AuthorizeURL, Token: o.AccessTokenURL},
		ClientID:        o.ConsumerKey,
		SignatureMethod: method,
	}
	if oauth1.IsRSA(method) {
		return ac, vault.ClientCredentials{PrivateKey: o.PrivateKeyPEM}
	}
	return ac, vault.ClientCredentials{ClientSecret: o.ConsumerSecret}
}

// hostOf is the host:port of a base URL ("http://127.0.0.1:PORT").
func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}
