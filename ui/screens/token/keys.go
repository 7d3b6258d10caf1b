package token

import "charm.land/bubbles/v2/key"

// KeyMap is the token pane's key map.
type KeyMap struct {
	Reveal     key.Binding
	Copy       key.Binding
	CopyHeader key.Binding
	Refresh    key.Binding
	Introspect key.Binding
	Revoke     key.Binding
	Reauth     key.Binding
	Delete     key.Binding
	Send       key.Binding
	Log        key.Binding
	Up         key.Binding
	Down       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Back       key.Binding
}

// DefaultKeyMap returns the token pane bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Reveal:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "reveal")),
		Copy:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		CopyHeader: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "copy header")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Introspect: key.NewBinding(key.WithKeys("I"), key.WithHelp("I", "introspect")),
		Revoke:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "revoke")),
		Reauth:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "re-authorise")),
		Delete:     key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete")),
		Send:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send a request")),
		Log:        key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "transcript")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}
