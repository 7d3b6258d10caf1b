package dialogs

import (
	"strings"

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
	return &Help{
		c: c, title: title, groups: groups,
		close: key.NewBinding(key.WithKeys("esc", "?", "q"), key.WithHelp("esc/?", "close")),
	}
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

// View renders the bindings in columns, wrapping columns onto more rows
// when the screen is too narrow for all of them.
func (d *Help) View() string {
	s := d.c.Styles
	h := help.New()
	h.Styles = s.Help
	maxW := max(20, d.width-10)
	var rows []string
	var row []string
	roww := 0
	for _, g := range d.groups {
		col := h.FullHelpView([][]key.Binding{g})
		if strings.TrimSpace(col) == "" {
			continue
		}
		w := lipgloss.Width(col)
		if roww > 0 && roww+w+4 > maxW {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, roww = nil, 0
		}
		if roww > 0 {
			row = append(row, "    ")
			roww += 4
		}
		row = append(row, col)
		roww += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	body := strings.Join(rows, "\n\n")
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, s.DialogTitle.Render(d.title), truncateLines(body, maxW)))
}
