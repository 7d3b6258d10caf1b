package uitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// Demo is a running playground (with its OAuth 1.0a provider) with the demo
// workspace in a memory vault and an engine whose browser is scripted.
type Demo struct {
	Server *playground.Server
	Vault  *vault.Vault
	// Engines configure the engines; their opener is the scripted browser
	// (replace it to script another).
	Engines *engines.Config
	Browser *playground.Browser
	// OAuth1Browser approves OAuth 1.0a authorizations as the demo user.
	OAuth1Browser *oauth1provider.Browser
}

// StartDemo starts a playground with the OAuth 1.0a provider for the test
// (closed at cleanup), builds the demo workspace and an engine that "opens
// the browser" by signing in as the demo user: on the OAuth 1.0a provider's
// pages with its test browser, on the OpenID provider's with the
// playground's.
func StartDemo(t testing.TB) *Demo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := oauth1demo.Start(ctx, playground.Config{DevicePollInterval: time.Second})
	if err != nil {
		cancel()
		t.Fatalf("starting the playground: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Close()
	})
	v := vault.NewMemory()
	if err := demo.Workspace(ctx, v, srv); err != nil {
		t.Fatal(err)
	}
	b := playground.NewBrowser(srv.User, srv.Password)
	b1 := oauth1provider.NewBrowser(srv.OAuth1.User, srv.OAuth1.Password)
	e := &engines.Config{CallbackTimeout: 30 * time.Second}
	oauth1URL := srv.OAuth1.URL + "/"
	e.Opener = func(ctx context.Context, u string) error {
		// A real browser runs on its own, after the opener returned; so does this one.
		go func() {
			c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			if strings.HasPrefix(u, oauth1URL) {
				_ = b1.Open(c, u)
				return
			}
			_ = b.Open(c, u)
		}()
		return nil
	}
	return &Demo{Server: srv, Vault: v, Engines: e, Browser: b, OAuth1Browser: b1}
}
