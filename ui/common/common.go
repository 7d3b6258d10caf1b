package common

import (
	"context"
	"io"
	"log/slog"
	"sync"
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
// a command. The time a passphrase dialog is open (HoldStoreDeadlines) does
// not count: a deadline that falls due then is moved to a full timeout
// after the dialog closes, so typing a passphrase never times a save out.
func StoreContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = DefaultStoreTimeout
	}
	ctx := &storeCtx{done: make(chan struct{})}
	stop := make(chan struct{})
	go func() {
		t := time.NewTimer(timeout)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			held := storeHold.wait()
			if held == nil {
				ctx.end(context.DeadlineExceeded)
				return
			}
			select {
			case <-stop:
				return
			case <-held:
				t.Reset(timeout)
			}
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			close(stop)
			ctx.end(context.Canceled)
		})
	}
}

// storeCtx is a context ended by StoreContext's timer or its cancel.
type storeCtx struct {
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	err  error
}

func (c *storeCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *storeCtx) Done() <-chan struct{}       { return c.done }
func (c *storeCtx) Value(any) any               { return nil }
func (c *storeCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *storeCtx) end(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

// storeHold counts the open holds on store deadlines; released is closed
// when the last one is released.
var storeHold holdState

type holdState struct {
	mu       sync.Mutex
	n        int
	released chan struct{}
}

// wait returns the channel closed when no hold is left, or nil when none is held.
func (h *holdState) wait() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		return nil
	}
	return h.released
}

// HoldStoreDeadlines stops store calls timing out until release is called:
// for the time a dialog waits for the user on behalf of a store call (the
// file vault's passphrase). release may be called more than once.
func HoldStoreDeadlines() (release func()) {
	storeHold.mu.Lock()
	if storeHold.n == 0 {
		storeHold.released = make(chan struct{})
	}
	storeHold.n++
	storeHold.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			storeHold.mu.Lock()
			defer storeHold.mu.Unlock()
			storeHold.n--
			if storeHold.n == 0 {
				close(storeHold.released)
			}
		})
	}
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
