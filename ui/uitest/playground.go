package uitest

import (
	"context"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/ui/demo"
	"github.com/authdeck/authdeck/vault"
)

// Demo is a running playground with the demo workspace in a memory vault and
// an engine whose browser is the playground's scripted one.
type Demo struct {
	Server  *playground.Server
	Vault   *vault.Vault
	Engine  *oauth.Engine
	Browser *playground.Browser
}

// StartDemo starts a playground for the test (closed at cleanup), builds the
// demo workspace and an engine that "opens the browser" by signing in as the
// demo user.
func StartDemo(t testing.TB) *Demo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := playground.Start(ctx, playground.Config{DevicePollInterval: time.Second})
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
	e := &oauth.Engine{Vault: v, CallbackTimeout: 30 * time.Second}
	e.Opener = func(ctx context.Context, u string) error {
		// A real browser runs on its own; so does this one.
		go func() {
			c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = b.Open(c, u)
		}()
		return nil
	}
	return &Demo{Server: srv, Vault: v, Engine: e, Browser: b}
}
