package playground

import (
	"context"
	"fmt"
	"net"
)

// OAuth1 describes the playground's OAuth 1.0a provider and its demo
// consumer, so the demo workspace can add an OAuth 1.0a auth client without
// hard-coding anything. The consumer accepts every signature method:
// HMAC-SHA1, HMAC-SHA256 and PLAINTEXT with ConsumerSecret, RSA-SHA1 and
// RSA-SHA256 with PrivateKeyPEM.
type OAuth1 struct {
	// URL is the provider's base URL, http://127.0.0.1:PORT.
	URL string
	// RequestTokenURL is the temporary-credentials (request token) endpoint.
	RequestTokenURL string
	// AuthorizeURL is the resource owner authorization page.
	AuthorizeURL string
	// AccessTokenURL is the token-credentials (access token) endpoint.
	AccessTokenURL string
	// PhotosURL is the protected resource; it answers only signed requests.
	PhotosURL string
	// ConsumerKey is the demo consumer's key (the auth client's client id).
	ConsumerKey string
	// ConsumerSecret is the demo consumer's secret, regenerated at every start.
	ConsumerSecret string
	// PrivateKeyPEM is the demo consumer's RSA private key (PKCS#8) whose
	// public half the provider holds, regenerated at every start.
	PrivateKeyPEM string
	// User and Password sign in on the authorization page (demo / demo).
	User, Password string
}

// OAuth1Provider is a running OAuth 1.0a provider the playground hosts.
type OAuth1Provider interface {
	// Info describes the provider and its demo consumer.
	Info() OAuth1
	// Close stops the provider and waits for its goroutines.
	Close() error
}

// OAuth1Starter starts an OAuth 1.0a provider listening on addr (a
// loopback IP with a port). Package oauth1demo provides one; the provider
// lives in its own package because the playground also serves the tests of
// package oauth, which the OAuth 1.0a code builds on.
type OAuth1Starter func(ctx context.Context, addr string) (OAuth1Provider, error)

// startOAuth1 runs the configured OAuth 1.0a provider, if any.
func (s *Server) startOAuth1(ctx context.Context, cfg Config) error {
	if cfg.OAuth1 == nil {
		return nil
	}
	host, _, err := net.SplitHostPort(cfg.OAuth1Addr)
	if err != nil {
		return fmt.Errorf("playground: OAuth 1.0a listen address %q: %w", cfg.OAuth1Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("playground: OAuth 1.0a listen address %q is not a loopback IP", cfg.OAuth1Addr)
	}
	p, err := cfg.OAuth1(ctx, cfg.OAuth1Addr)
	if err != nil {
		return fmt.Errorf("playground: starting the OAuth 1.0a provider: %w", err)
	}
	info := p.Info()
	s.OAuth1 = &info
	s.oauth1 = p
	return nil
}
