package dialogs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
)

// Option is one entry of a Choice dialog.
type Option struct {
	Label string
	Desc  string
	// Cmd runs when the option is chosen (after the dialog closes).
	Cmd tea.Cmd
	// Current marks the entry that is in use now (the active environment).
	Current bool
}

// ChoiceKeyMap is the choice dialog's key map.
type ChoiceKeyMap struct {
	Up     key.Binding
	Down   key.Binding
	Choose key.Binding
	Cancel key.Binding
}

// DefaultChoiceKeyMap returns the choice bindings.
func DefaultChoiceKeyMap() ChoiceKeyMap {
	return ChoiceKeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "cancel")),
	}
}

// Choice lets the user pick one option; digits 1–9 pick directly.
type Choice struct {
	c       *common.Common
	keys    ChoiceKeyMap
	title   string
	options []Option
	cursor  int
	width   int
	height  int
}

// NewChoice returns a choice dialog; the cursor starts on the current option.
func NewChoice(c *common.Common, title string, options []Option) *Choice {
	d := &Choice{c: c, keys: DefaultChoiceKeyMap(), title: title, options: options}
	for i, o := range options {
		if o.Current {
			d.cursor = i
		}
	}
	return d
}

// SetSize records the screen size.
func (d *Choice) SetSize(w, h int) { d.width, d.height = w, h }

// Capturing is false.
func (d *Choice) Capturing() bool { return false }

// Cursor returns the highlighted option's index.
func (d *Choice) Cursor() int { return d.cursor }

// ShortHelp returns the dialog's bindings.
func (d *Choice) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Up, d.keys.Down, d.keys.Choose, d.keys.Cancel}
}

// FullHelp returns the dialog's bindings.
func (d *Choice) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// Update moves and chooses.
func (d *Choice) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(d.options) == 0 {
		if ok && key.Matches(k, d.keys.Cancel) {
			return common.CloseDialog()
		}
		return nil
	}
	switch {
	case key.Matches(k, d.keys.Up):
		d.cursor = (d.cursor - 1 + len(d.options)) % len(d.options)
	case key.Matches(k, d.keys.Down):
		d.cursor = (d.cursor + 1) % len(d.options)
	case key.Matches(k, d.keys.Choose):
		return tea.Sequence(common.CloseDialog(), d.options[d.cursor].Cmd)
	case key.Matches(k, d.keys.Cancel):
		return common.CloseDialog()
	default:
		if t := k.Text; len(t) == 1 && t[0] >= '1' && t[0] <= '9' {
			if i := int(t[0] - '1'); i < len(d.options) {
				d.cursor = i
				return tea.Sequence(common.CloseDialog(), d.options[i].Cmd)
			}
		}
	}
	return nil
}

// View renders the options, scrolled so the cursor shows.
func (d *Choice) View() string {
	s := d.c.Styles
	w := boxWidth(d.width, 64)
	maxRows := max(3, d.height-10)
	start := 0
	if d.cursor >= maxRows {
		start = d.cursor - maxRows + 1
	}
	var b strings.Builder
	for i := start; i < len(d.options) && i < start+maxRows; i++ {
		o := d.options[i]
		num := "  "
		if i < 9 {
			num = string(rune('1'+i)) + " "
		}
		label := o.Label
		if o.Current {
			label += " (current)"
		}
		line := num + label
		if o.Desc != "" {
			line += "  " + o.Desc
		}
		line = ansi.Truncate(line, w-2, "…")
		if i == d.cursor {
			b.WriteString(s.ListSelected.Render("▌ " + line + strings.Repeat(" ", max(0, w-2-ansi.StringWidth(line)))))
		} else {
			b.WriteString(s.Text.Render("  "+num+label) + s.Muted.Render(strings.TrimPrefix(line, num+label)))
		}
		if i < len(d.options)-1 {
			b.WriteByte('\n')
		}
	}
	if len(d.options) == 0 {
		b.WriteString(s.Muted.Render("nothing to choose from"))
	}
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, s.DialogTitle.Render(d.title), b.String()))
}
