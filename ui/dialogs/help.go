package dialogs

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
)

// Help shows every binding of the active screen and the global ones, built
// from their key maps so it always tells the truth.
type Help struct {
	c      *common.Common
	title  string
	groups [][]key.Binding
	close  key.Binding
	width  int
	height int
}

// NewHelp returns the help overlay for a screen's key map plus the global one.
func NewHelp(c *common.Common, title string, screen, global help.KeyMap) *Help {
	var groups [][]key.Binding
	if screen != nil {
		groups = append(groups, screen.FullHelp()...)
	}
	groups = append(groups, global.FullHelp()...)
	return &Help{c: c, title: title, groups: groups,
		close: key.NewBinding(key.WithKeys("esc", "?", "q"), key.WithHelp("esc/?", "close"))}
}

// SetSize records the screen size.
func (d *Help) SetSize(w, h int) { d.width, d.height = w, h }

// Capturing is false.
func (d *Help) Capturing() bool { return false }

// ShortHelp returns the close binding.
func (d *Help) ShortHelp() []key.Binding { return []key.Binding{d.close} }

// FullHelp returns the close binding.
func (d *Help) FullHelp() [][]key.Binding { return [][]key.Binding{{d.close}} }

// Update closes on esc or ?.
func (d *Help) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, d.close) {
		return common.CloseDialog()
	}
	return nil
}

// View renders the bindings in columns.
func (d *Help) View() string {
	s := d.c.Styles
	h := help.New()
	h.Styles = s.Help
	h.SetWidth(max(20, d.width-10))
	body := h.FullHelpView(d.groups)
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, s.DialogTitle.Render(d.title), truncateLines(body, max(20, d.width-10))))
}
