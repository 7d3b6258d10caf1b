package common

import (
	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// OAuth2Engine returns the session's OAuth 2.0 engine over the current
// vault, nil when the session has no engine. While Vault is the one Engine
// was configured with, that is Engine itself; after a switch it is Engine
// rebuilt over the new vault (same HTTP client, opener, timeouts and lock
// dir), built once per switch so every screen shares its discovery cache
// and single-flight refreshes. Call it from Update or View, never from a
// command; its methods do IO: call those in commands only.
func (c *Common) OAuth2Engine() *oauth.Engine {
	switch {
	case c.Engine == nil:
		return nil
	case c.Engine.Vault == c.Vault:
		return c.Engine
	case c.derived != nil && c.derivedFrom == c.Engine && c.derived.Vault == c.Vault:
		return c.derived
	}
	c.derived, c.derivedFrom = engineOver(c.Engine, c.Vault), c.Engine
	return c.derived
}

// engineOver is a new engine like e over v. An oauth.Engine holds a mutex
// and caches and cannot be copied, so its settings are copied one by one;
// TestEngineOverCopiesEverySetting fails when oauth.Engine gains one this
// function does not know.
func engineOver(e *oauth.Engine, v *vault.Vault) *oauth.Engine {
	return &oauth.Engine{
		Vault:           v,
		HTTPClient:      e.HTTPClient,
		Now:             e.Now,
		Sleep:           e.Sleep,
		LockDir:         e.LockDir,
		Opener:          e.Opener,
		CallbackTimeout: e.CallbackTimeout,
		LockTimeout:     e.LockTimeout,
	}
}

// OAuth1Engine returns the session's OAuth 1.0a engine over the current
// vault. It shares the OAuth 2.0 engine's HTTP client, browser opener and
// callback timeout, so a test that injects a browser injects it for both
// protocols. Its methods do IO: call them in commands only.
func (c *Common) OAuth1Engine() *oauth1.Engine {
	e := &oauth1.Engine{Vault: c.Vault}
	if o := c.OAuth2Engine(); o != nil {
		e.HTTPClient, e.Opener, e.CallbackTimeout = o.HTTPClient, o.Opener, o.CallbackTimeout
	}
	return e
}

// NewSender returns a request sender over the current vault: tokens come
// from OAuth2Engine, OAuth 1.0a signatures from OAuth1Engine. A screen may
// keep it (it reuses connections) while Vault stays the same; SenderFresh
// tells when it no longer does. Its methods do IO: call them in commands only.
func (c *Common) NewSender() *oreq.Sender {
	s := &oreq.Sender{Vault: c.Vault, OAuth1: c.OAuth1Engine()}
	if e := c.OAuth2Engine(); e != nil {
		s.Tokens = oreq.EngineTokens{Engine: e}
	}
	return s
}

// SenderFresh reports whether s was made for the current vault (a switch
// makes every kept sender stale).
func (c *Common) SenderFresh(s *oreq.Sender) bool {
	return s != nil && s.Vault == c.Vault
}
