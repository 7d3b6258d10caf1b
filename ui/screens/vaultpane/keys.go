package vaultpane

import "charm.land/bubbles/v2/key"

// KeyMap is the vault pane's key map.
type KeyMap struct {
	UseFile key.Binding
	Retry   key.Binding
	Back    key.Binding
}

// DefaultKeyMap returns the vault pane bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		UseFile: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "use the encrypted file vault")),
		Retry:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}
