package dialogs

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
)

// Info shows public text (a JWKS to upload, a URL) that the user may copy.
// It must never be given a secret.
type Info struct {
	c         *common.Common
	title     string
	body      string
	copyLabel string
	copy      key.Binding
	close     key.Binding
	width     int
	height    int
}

// NewInfo returns the dialog; copyLabel names body for the status line
// ("" disables copying).
func NewInfo(c *common.Common, title, body, copyLabel string) *Info {
	d := &Info{
		c: c, title: title, body: body, copyLabel: copyLabel,
		copy:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		close: key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close")),
	}
	d.copy.SetEnabled(copyLabel != "")
	return d
}

// SetSize records the screen size.
func (d *Info) SetSize(w, h int) { d.width, d.height = w, h }

// Capturing is false.
func (d *Info) Capturing() bool { return false }

// ShortHelp returns the bindings.
func (d *Info) ShortHelp() []key.Binding { return []key.Binding{d.copy, d.close} }

// FullHelp returns the bindings.
func (d *Info) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// Update copies or closes.
func (d *Info) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, d.copy):
		return common.Copy(d.copyLabel, d.body)
	case key.Matches(k, d.close):
		return common.CloseDialog()
	}
	return nil
}

// View renders the text wrapped to the box.
func (d *Info) View() string {
	s := d.c.Styles
	w := boxWidth(d.width, 80)
	body := lipgloss.NewStyle().Width(w).Render(s.Code.Render(d.body))
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, s.DialogTitle.Render(d.title), body))
}
