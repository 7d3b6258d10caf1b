package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/vault"
)

// ResultMsg reports the end of a change a screen started: what to say, the
// catalog after the change, or the error. The root model shows it and
// delivers the catalog to every screen.
type ResultMsg struct {
	// OK is the success message for the status line.
	OK string
	// Catalog is the catalog after the change (nil when it failed).
	Catalog *vault.Catalog
	// Err is the failure, if any; nothing was changed then (S-37).
	Err error
	// Tag lets the screen that started the change recognise its result.
	Tag string
	// Public is public material to show after the change (a generated
	// key's JWKS to upload); never a secret.
	Public string
	// Item names the item the change created or edited, so a list showing
	// it can keep it selected; zero when the change names none.
	Item ItemRef
}

// ItemRef names an item of an environment. Kind is as the lists and
// 'authdeck doctor' name it: "auth client", "secret", "variable", "request".
type ItemRef struct {
	Kind, Env, Name string
}

// ChangeCmd runs fn against the vault in a command, bounded by timeout, then
// reads the catalog back. Use it for every create, edit and delete.
func ChangeCmd(v *vault.Vault, timeout time.Duration, tag, ok string, fn func(ctx context.Context, v *vault.Vault) error) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := StoreContext(timeout)
		defer cancel()
		if err := fn(ctx, v); err != nil {
			return ResultMsg{Err: err, Tag: tag}
		}
		cat, err := v.Load()
		if err != nil {
			return ResultMsg{Err: err, Tag: tag}
		}
		return ResultMsg{OK: ok, Catalog: cat, Tag: tag}
	}
}

// ErrorCmd reports err: a vault that needs the user opens the vault pane,
// anything else goes to the status line as "reason: detail".
func ErrorCmd(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	p := Explain(err)
	if p.Vault {
		return func() tea.Msg { return VaultProblemMsg{Err: err} }
	}
	return Status(StatusError, p.OneLine())
}

// LoadCatalogCmd reads the catalog; it never touches the secret store.
func LoadCatalogCmd(v *vault.Vault) tea.Cmd {
	return func() tea.Msg {
		cat, err := v.Load()
		if err != nil {
			return CatalogErrMsg{Err: err}
		}
		return CatalogMsg{Catalog: cat}
	}
}
