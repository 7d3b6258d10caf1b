package wizard

import "charm.land/bubbles/v2/key"

// KeyMap is the wizard's first step key map.
type KeyMap struct {
	Discover key.Binding
	Manual   key.Binding
	Cancel   key.Binding
}

// DefaultKeyMap returns the wizard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Discover: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "discover")),
		Manual:   key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "enter endpoints by hand")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
