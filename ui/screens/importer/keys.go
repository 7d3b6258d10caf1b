package importer

import "charm.land/bubbles/v2/key"

// KeyMap is the import screen's key map (used on the report).
type KeyMap struct {
	Import key.Binding
	Edit   key.Binding
	Cancel key.Binding
	Up     key.Binding
	Down   key.Binding
}

// DefaultKeyMap returns the import bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Import: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "import")),
		Edit:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "another file or format")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
	}
}
