package common

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
)

// DefaultStoreTimeout bounds every store call the TUI makes, on top of the
// backend's own timeout, so a stuck keychain can never freeze a screen.
const DefaultStoreTimeout = 5 * time.Second

// Common is the state every screen shares. The root model owns it and
// changes it only inside Update; commands must copy what they need (the vault
// pointer, the environment name) before they run.
type Common struct {
	// Styles are the current theme's styles; replaced when the theme changes.
	Styles *styles.Styles
	// Vault is the workspace. Its methods may do IO: call them in commands
	// only. Switching it (the vault pane's file vault) is all it takes: the
	// OAuth engines and the request sender are derived from it (engines.go).
	Vault *vault.Vault
	// EngineConfig is how the OAuth engines are set up (HTTP client,
	// browser opener, timeouts, lock dir); nil when the TUI has no engines
	// (flows then say so). Screens use Engines, which follows Vault.
	EngineConfig *engines.Config
	// Catalog is the latest catalog snapshot (read-only).
	Catalog *vault.Catalog
	// Env is the active environment.
	Env string
	// Home is the authdeck home directory ("" for the demo).
	Home string
	// Remote is true over SSH, where no local browser or clipboard exists.
	Remote bool
	// Clipboard copies values and clears them again.
	Clipboard *Clipboard
	// Now returns the current time (fixed in golden tests).
	Now func() time.Time
	// Log writes to a file only (the TUI owns stdout) and never receives a secret.
	Log *slog.Logger
	// StoreTimeout bounds each store call.
	StoreTimeout time.Duration
	// Width and Height are the terminal's size.
	Width, Height int

	// engines were built with enginesConfig, one set per vault (see Engines).
	engines       map[*vault.Vault]*engines.Set
	enginesConfig *engines.Config
}

// NewCommon returns a Common over v with defaults for everything else.
func NewCommon(v *vault.Vault, st *styles.Styles) *Common {
	return &Common{
		Styles:       st,
		Vault:        v,
		Now:          time.Now,
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		StoreTimeout: DefaultStoreTimeout,
		Clipboard:    NewClipboard(ClipboardOptions{}),
	}
}

// StoreContext returns a context bounded by the store timeout, for use inside
// a command.
func StoreContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = DefaultStoreTimeout
	}
	return context.WithTimeout(context.Background(), timeout)
}

// EnvInfo returns the active environment of the current catalog.
func (c *Common) EnvInfo() (vault.Environment, bool) {
	if c.Catalog == nil {
		return vault.Environment{}, false
	}
	e, ok := c.Catalog.Env(c.Env)
	if !ok {
		return vault.Environment{}, false
	}
	return *e, true
}

// BackendLabel names the vault backend for the header.
func (c *Common) BackendLabel() string {
	if c.Vault == nil {
		return ""
	}
	return vault.BackendLabel(c.Vault.Backend())
}
