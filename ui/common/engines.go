package common

import (
	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/oauth1"
	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// Engines returns the OAuth engines and the request sender over the current
// vault, built by engines.New with the session's EngineConfig; nil when the
// session has none (flows then say so). They are built once per vault and
// kept, so every screen shares the discovery cache and the single-flight
// refreshes, and a switch of vault (and back) finds the engines of that
// vault. Call it from Update or View, never from a command; the engines'
// methods do IO: call those in commands only.
func (c *Common) Engines() *engines.Set {
	if c.EngineConfig == nil {
		return nil
	}
	if c.enginesConfig != c.EngineConfig {
		c.engines, c.enginesConfig = map[*vault.Vault]*engines.Set{}, c.EngineConfig
	}
	s, ok := c.engines[c.Vault]
	if !ok {
		s = engines.New(c.Vault, c.EngineConfig)
		c.engines[c.Vault] = s
	}
	return s
}

// Engine returns the session's Dispatcher (tokens, refresh, revocation and
// introspection for either protocol), nil when the session has no engines.
func (c *Common) Engine() oauth.Protocol {
	if s := c.Engines(); s != nil {
		return s.Engine
	}
	return nil
}

// OAuth2Engine returns the session's OAuth 2.0 engine, for what only it
// does (discovery, JWT verification, trying an auth client); nil when the
// session has no engines.
func (c *Common) OAuth2Engine() *oauth.Engine {
	if s := c.Engines(); s != nil {
		return s.OAuth2
	}
	return nil
}

// OAuth1Engine returns the session's OAuth 1.0a engine, for authorizing
// into a named token secret; nil when the session has no engines.
func (c *Common) OAuth1Engine() *oauth1.Engine {
	if s := c.Engines(); s != nil {
		return s.OAuth1
	}
	return nil
}

// NewSender returns the request sender over the current vault: its tokens
// and signatures come from the session's engines (without engines, OAuth
// credentials are an error). A screen may keep it (it reuses connections)
// while Vault stays the same; SenderFresh tells when it no longer does. Its
// methods do IO: call them in commands only.
func (c *Common) NewSender() *oreq.Sender {
	if s := c.Engines(); s != nil {
		return s.Sender
	}
	return &oreq.Sender{Vault: c.Vault}
}

// SenderFresh reports whether s was made for the current vault (a switch
// makes every kept sender stale).
func (c *Common) SenderFresh(s *oreq.Sender) bool {
	return s != nil && s.Vault == c.Vault
}
