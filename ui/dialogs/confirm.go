// Package dialogs holds the boxes drawn over a screen: a confirmation, a
// choice from a list (the environment switcher, "new …"), a one-line prompt
// (a file path, a passphrase, a pasted URL) and the full key help.
//
// A dialog reports its outcome by running the command its opener gave it,
// together with CloseDialog; it never reaches into the screen that opened it.
package dialogs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
)

// ConfirmKeyMap is the confirmation dialog's key map.
type ConfirmKeyMap struct {
	Yes    key.Binding
	No     key.Binding
	Toggle key.Binding
	Submit key.Binding
}

// DefaultConfirmKeyMap returns the confirmation bindings.
func DefaultConfirmKeyMap() ConfirmKeyMap {
	return ConfirmKeyMap{
		Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		Toggle: key.NewBinding(key.WithKeys("left", "right", "h", "l", "tab"), key.WithHelp("←/→", "choose")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
	}
}

// Confirm asks a yes/no question; "no" is the default answer.
type Confirm struct {
	c      *common.Common
	keys   ConfirmKeyMap
	title  string
	body   string
	yes    string
	onYes  tea.Cmd
	choice bool
	width  int
	height int
	// Danger draws the yes button as a destructive action.
	Danger bool
}

// NewConfirm returns a dialog that runs onYes when the user answers yes.
func NewConfirm(c *common.Common, title, body, yesLabel string, onYes tea.Cmd) *Confirm {
	return &Confirm{c: c, keys: DefaultConfirmKeyMap(), title: title, body: body, yes: yesLabel, onYes: onYes}
}

// SetSize records the screen size (the box is centred by the root model).
func (d *Confirm) SetSize(w, h int) { d.width, d.height = w, h }

// Capturing is false: letters are answers, not text.
func (d *Confirm) Capturing() bool { return false }

// ShortHelp returns the dialog's bindings.
func (d *Confirm) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Yes, d.keys.No, d.keys.Toggle, d.keys.Submit}
}

// FullHelp returns the dialog's bindings.
func (d *Confirm) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// Update answers on y/n/enter.
func (d *Confirm) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, d.keys.Yes):
		return tea.Batch(common.CloseDialog(), d.onYes)
	case key.Matches(k, d.keys.No):
		return common.CloseDialog()
	case key.Matches(k, d.keys.Toggle):
		d.choice = !d.choice
	case key.Matches(k, d.keys.Submit):
		if d.choice {
			return tea.Batch(common.CloseDialog(), d.onYes)
		}
		return common.CloseDialog()
	}
	return nil
}

// View renders the box.
func (d *Confirm) View() string {
	s := d.c.Styles
	w := boxWidth(d.width, 60)
	body := lipgloss.NewStyle().Width(w).Render(s.Text.Render(d.body))
	no, yes := s.Button, s.Button
	if d.choice {
		yes = s.ButtonActive
		if d.Danger {
			yes = s.ButtonDanger
		}
	} else {
		no = s.ButtonActive
	}
	buttons := lipgloss.JoinHorizontal(lipgloss.Top, no.Render("No"), "  ", yes.Render(d.yes))
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, s.DialogTitle.Render(d.title), body, "", buttons))
}

// boxWidth is the inner width of a dialog on a screen of width w.
func boxWidth(w, want int) int {
	if w <= 0 {
		return want
	}
	return max(20, min(want, w-8))
}

func truncateLines(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}
