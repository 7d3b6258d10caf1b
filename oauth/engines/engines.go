// Package engines builds what talks to OAuth providers and APIs over a
// vault — the OAuth 2.0 and OAuth 1.0a engines, the Dispatcher that picks
// between them by the resolved credential, and the request sender — in one
// place, so every front end (the CLI, the TUI, the demo) gets the same
// wiring: one HTTP client, browser opener, lock directory and set of
// timeouts for both protocols.
package engines

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/vault"
)

// Config are the settings every engine shares. The zero value of each
// field has the engines' default.
type Config struct {
	// HTTPClient sends the OAuth requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Opener opens authorization URLs; nil means the system opener honouring
	// $BROWSER. It is read each time a browser opens, so a front end (or a
	// test) may replace it while the engines live.
	Opener oauth.Opener
	// LockDir holds the cross-process lock files of token refreshes; empty
	// means in-process single-flight only.
	LockDir string
	// CallbackTimeout bounds the wait for a browser to come back; zero means 5 min.
	CallbackTimeout time.Duration
	// LockTimeout bounds the wait for another process's flow.
	LockTimeout time.Duration
	// Now returns the current time for the OAuth 2.0 engine (token expiry);
	// nil means time.Now. OAuth 1.0a signatures always carry the real time.
	Now func() time.Time
	// Sleep waits between device-flow polls; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// open opens url with the opener configured now.
func (c *Config) open(ctx context.Context, url string) error {
	if c.Opener != nil {
		return c.Opener(ctx, url)
	}
	return oauth.SystemOpener(os.Getenv)(ctx, url)
}

// Set is everything built over one vault.
type Set struct {
	// Engine hands each credential to the engine of its protocol; use it
	// for tokens, refreshes, revocation and introspection.
	Engine *oauth.Dispatcher
	// OAuth2 is the OAuth 2.0 (and session-auth) engine, for what only it
	// does: discovery, JWT verification, trying an auth client (Fetch).
	OAuth2 *oauth.Engine
	// OAuth1 is the OAuth 1.0a engine, for what only it does: authorizing
	// into a named token secret (Authorize).
	OAuth1 *oauth1.Engine
	// Sender sends requests with credentials applied, its tokens and
	// signatures from Engine. Set its Callbacks and NoBrowser per use.
	Sender *request.Sender
}

// New builds the engines and the sender over v with cfg. cfg is kept, not
// copied: the opener is read from it each time a browser opens.
func New(v *vault.Vault, cfg *Config) *Set {
	if cfg == nil {
		cfg = &Config{}
	}
	open := cfg.open
	o2 := &oauth.Engine{
		Vault:           v,
		HTTPClient:      cfg.HTTPClient,
		Now:             cfg.Now,
		Sleep:           cfg.Sleep,
		LockDir:         cfg.LockDir,
		Opener:          open,
		CallbackTimeout: cfg.CallbackTimeout,
		LockTimeout:     cfg.LockTimeout,
	}
	o1 := &oauth1.Engine{
		Vault:           v,
		HTTPClient:      cfg.HTTPClient,
		Opener:          open,
		CallbackTimeout: cfg.CallbackTimeout,
		// Now stays the real clock: a provider checks OAuth 1.0a timestamps.
	}
	d := &oauth.Dispatcher{Vault: v, OAuth2: o2, OAuth1: o1}
	return &Set{Engine: d, OAuth2: o2, OAuth1: o1, Sender: &request.Sender{Vault: v, Engine: d}}
}
