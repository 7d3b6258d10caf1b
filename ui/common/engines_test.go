package common

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/vault"
)

// TestEnginesFollowTheVault: every consumer derives from Common.Vault — the
// Dispatcher, the OAuth 2.0 and OAuth 1.0a engines and the request sender,
// one set per vault, built by engines.New with the session's configuration
// (opener, HTTP client, timeout) — and a switch back finds the first set.
func TestEnginesFollowTheVault(t *testing.T) {
	t.Parallel()
	first, second := vault.NewMemory(), vault.NewMemory()
	client := &http.Client{}
	opened := 0
	cfg := &engines.Config{
		HTTPClient: client, CallbackTimeout: time.Minute,
		Opener: func(context.Context, string) error { opened++; return nil },
	}
	c := NewCommon(first, nil)
	if c.Engines() != nil || c.Engine() != nil || c.OAuth2Engine() != nil || c.OAuth1Engine() != nil || c.NewSender().Engine != nil {
		t.Fatal("a session without an engine configuration has engines")
	}
	c.EngineConfig = cfg
	set := c.Engines()
	if set == nil || set.OAuth2.Vault != first || c.OAuth2Engine() != set.OAuth2 || c.OAuth1Engine() != set.OAuth1 || c.Engine() != set.Engine {
		t.Fatal("the engines are not the set built over the session's vault")
	}
	kept := c.NewSender()
	if kept != set.Sender || !c.SenderFresh(kept) || kept.Engine != set.Engine {
		t.Fatal("the sender is not the set's, with its tokens from the Dispatcher")
	}

	c.Vault = second // what the vault pane's switch does
	e := c.OAuth2Engine()
	if e == set.OAuth2 || e.Vault != second || c.Engines().Engine.Vault != second {
		t.Fatalf("after the switch the OAuth 2.0 engine is over %p, want the new vault %p", e.Vault, second)
	}
	if e.HTTPClient != client || e.CallbackTimeout != time.Minute {
		t.Error("the new engine lost the configured HTTP client or timeout")
	}
	if err := e.Opener(context.Background(), "http://127.0.0.1/"); err != nil || opened != 1 {
		t.Error("the new engine does not open the configured browser")
	}
	if err := c.OAuth1Engine().Opener(context.Background(), "http://127.0.0.1/"); err != nil || opened != 2 {
		t.Error("the OAuth 1.0a engine does not open the configured browser")
	}
	if c.OAuth2Engine() != e {
		t.Error("each call rebuilt the engine: caches and single-flight would not be shared")
	}
	if o1 := c.OAuth1Engine(); o1.Vault != second || o1.HTTPClient != client || o1.CallbackTimeout != time.Minute {
		t.Error("the OAuth 1.0a engine does not follow the switch with the shared settings")
	}
	if c.SenderFresh(kept) {
		t.Error("a sender of the old vault is still called fresh")
	}
	if s := c.NewSender(); s.Vault != second || s.Engine != c.Engines().Engine {
		t.Error("the new sender is not over the new vault with its engines")
	}

	c.Vault = first // and back
	if c.Engines() != set {
		t.Error("switching back does not return to the first vault's engines")
	}
}
