package wizard

import "charm.land/bubbles/v2/key"

// KeyMap is the key map of the wizard's first steps: the protocol choice
// and the issuer URL.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Choose   key.Binding
	Discover key.Binding
	Manual   key.Binding
	Cancel   key.Binding
}

// DefaultKeyMap returns the wizard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Discover: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "discover")),
		Manual:   key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "enter endpoints by hand")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
