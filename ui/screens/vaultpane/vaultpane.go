// Package vaultpane is the full-pane explanation shown when the vault cannot
// be used (keychain unreachable, locked, too slow): what happened, the
// detail, and what to do — retry, or switch to the encrypted file vault
// with a passphrase. There is no silent fallback: switching is the user's act.
package vaultpane

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// probeKey is read to check a freshly opened vault answers (a missing key is
// the healthy answer).
const probeKey = "authdeck/probe"

// OpenedMsg reports that the file vault was opened and answers.
type OpenedMsg struct{ Vault *vault.Vault }

// checkedMsg reports the outcome of a retry or an open attempt.
type checkedMsg struct {
	vault *vault.Vault
	err   error
}

// Model is the vault pane.
type Model struct {
	c        *common.Common
	keys     KeyMap
	err      error
	openFile func(passphrase string) (*vault.Vault, error)
	busy     string
	width    int
	height   int
}

// New returns the pane explaining err. openFile opens the file vault (nil
// when the build cannot, e.g. in the demo).
func New(c *common.Common, err error, openFile func(string) (*vault.Vault, error)) *Model {
	return &Model{c: c, keys: DefaultKeyMap(), err: err, openFile: openFile}
}

// Init does nothing.
func (m *Model) Init() tea.Cmd { return nil }

// Title names the screen.
func (m *Model) Title() string { return "vault" }

// ScreenKey identifies the screen.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "vault"} }

// Capturing is false.
func (m *Model) Capturing() bool { return false }

// Err returns the problem shown.
func (m *Model) Err() error { return m.err }

// SetSize records the size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// KeyMap returns the bindings that apply.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	k.UseFile.SetEnabled(m.openFile != nil && m.c.Vault.Backend() != vault.BackendFile)
	return k
}

// ShortHelp returns the pane's bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	return []key.Binding{k.UseFile, k.Retry, k.Back}
}

// FullHelp returns the pane's bindings.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update handles retry, the switch to the file vault and their results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.VaultProblemMsg:
		m.err, m.busy = msg.Err, ""
	case checkedMsg:
		m.busy = ""
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		if msg.vault != nil {
			v := msg.vault
			return tea.Sequence(common.Pop(), func() tea.Msg { return OpenedMsg{Vault: v} })
		}
		return tea.Sequence(common.Pop(), common.Status(common.StatusSuccess, "The vault answers again"))
	case tea.KeyPressMsg:
		k := m.KeyMap()
		switch {
		case key.Matches(msg, k.Retry):
			m.busy = "checking the vault…"
			return checkCmd(m.c.Vault, m.c.StoreTimeout, false)
		case key.Matches(msg, k.UseFile):
			open := m.openFile
			timeout := m.c.StoreTimeout
			return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
				Title:  "Encrypted file vault",
				Body:   "Passphrase of the file vault (a new vault is created with it). Secrets already in the keychain stay there.",
				Secret: true,
				Validate: func(s string) error {
					if s == "" {
						return errors.New("the passphrase is required")
					}
					return nil
				},
				OnSubmit: func(pass string) tea.Cmd {
					return func() tea.Msg {
						v, err := open(pass)
						if err != nil {
							return checkedMsg{err: err}
						}
						return checkCmd(v, timeout, true)()
					}
				},
			}))
		case key.Matches(msg, k.Back):
			return common.Pop()
		}
	}
	return nil
}

// checkCmd reads a key that does not exist: not-found means the vault works.
func checkCmd(v *vault.Vault, timeout time.Duration, opened bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		_, err := v.Store().Get(ctx, probeKey)
		if err != nil && !errors.Is(err, vault.ErrNotFound) {
			return checkedMsg{err: err}
		}
		if opened {
			return checkedMsg{vault: v}
		}
		return checkedMsg{}
	}
}

// View renders the explanation.
func (m *Model) View() string {
	s := m.c.Styles
	p := common.Explain(m.err)
	w := max(20, min(90, m.width-8))
	text := lipgloss.NewStyle().Width(w)
	parts := []string{
		s.ErrorTitle.Render(p.Reason),
		"",
		text.Render(s.Text.Render(p.Detail)),
		"",
		text.Render(s.Bold.Render("What to do: ") + s.Text.Render(p.Next)),
	}
	if m.busy != "" {
		parts = append(parts, "", s.Muted.Render(m.busy))
	}
	if m.openFile == nil {
		parts = append(parts, "", s.Muted.Render("This session cannot switch vaults; restart with AUTHDECK_VAULT=file."))
	}
	box := s.ErrorPane.Render(strings.Join(parts, "\n"))
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
}
