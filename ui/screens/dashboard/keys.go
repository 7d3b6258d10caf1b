package dashboard

import "charm.land/bubbles/v2/key"

// KeyMap is the token dashboard's key map.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding
	Refresh  key.Binding
	Reauth   key.Binding
	Copy     key.Binding
	Revoke   key.Binding
	Delete   key.Binding
	Back     key.Binding
}

// DefaultKeyMap returns the dashboard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "token pane")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Reauth:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "re-authorise")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		Revoke:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "revoke")),
		Delete:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}
