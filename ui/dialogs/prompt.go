package dialogs

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
)

// PromptKeyMap is the prompt dialog's key map.
type PromptKeyMap struct {
	Submit key.Binding
	Cancel key.Binding
}

// Prompt asks for one line of text: a path, a passphrase (masked), a URL.
type Prompt struct {
	c        *common.Common
	keys     PromptKeyMap
	title    string
	body     string
	input    textinput.Model
	validate func(string) error
	onSubmit func(string) tea.Cmd
	onCancel func() tea.Cmd
	err      string
	width    int
	height   int
}

// PromptOptions configure a prompt.
type PromptOptions struct {
	Title       string
	Body        string
	Placeholder string
	Value       string
	// Secret masks what is typed (passphrases).
	Secret bool
	// Validate checks the value before submitting; its error is shown under the field.
	Validate func(string) error
	// OnSubmit returns the command to run with the value.
	OnSubmit func(string) tea.Cmd
	// OnCancel, when set, returns the command to run when the prompt is
	// dismissed (esc), for an opener that waits for an answer.
	OnCancel func() tea.Cmd
}

// NewPrompt returns a prompt dialog.
func NewPrompt(c *common.Common, o PromptOptions) *Prompt {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = o.Placeholder
	in.SetValue(o.Value)
	in.SetStyles(c.Styles.TextInput())
	in.CharLimit = 8192
	if o.Secret {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	in.Focus()
	return &Prompt{
		c: c, title: o.Title, body: o.Body, input: in, validate: o.Validate, onSubmit: o.OnSubmit, onCancel: o.OnCancel,
		keys: PromptKeyMap{
			Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
	}
}

// SetSize records the screen size.
func (d *Prompt) SetSize(w, h int) {
	d.width, d.height = w, h
	d.input.SetWidth(boxWidth(w, 64) - 4)
}

// Capturing is true: the field takes letters.
func (d *Prompt) Capturing() bool { return true }

// Value returns what was typed.
func (d *Prompt) Value() string { return d.input.Value() }

// Err returns the validation message shown, if any.
func (d *Prompt) Err() string { return d.err }

// ShortHelp returns the dialog's bindings.
func (d *Prompt) ShortHelp() []key.Binding { return []key.Binding{d.keys.Submit, d.keys.Cancel} }

// FullHelp returns the dialog's bindings.
func (d *Prompt) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// Update edits the field and submits on enter.
func (d *Prompt) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, d.keys.Cancel):
			d.input.SetValue("")
			if d.onCancel != nil {
				return tea.Sequence(common.CloseDialog(), d.onCancel())
			}
			return common.CloseDialog()
		case key.Matches(k, d.keys.Submit):
			v := d.input.Value()
			if d.validate != nil {
				if err := d.validate(v); err != nil {
					d.err = err.Error()
					return nil
				}
			}
			d.input.SetValue("")
			return tea.Sequence(common.CloseDialog(), d.onSubmit(v))
		}
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		d.err = ""
		return cmd
	}
	return nil
}

// View renders the box.
func (d *Prompt) View() string {
	s := d.c.Styles
	w := boxWidth(d.width, 64)
	parts := []string{s.DialogTitle.Render(d.title)}
	if d.body != "" {
		parts = append(parts, lipgloss.NewStyle().Width(w).Render(s.Text.Render(d.body)), "")
	}
	parts = append(parts, d.input.View())
	if d.err != "" {
		parts = append(parts, lipgloss.NewStyle().Width(w).Render(s.Error.Render(d.err)))
	}
	return s.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, parts...))
}
