package form

import "charm.land/bubbles/v2/key"

// KeyMap is the form screen's own key map; the focused field adds its keys.
type KeyMap struct {
	Cancel key.Binding
}

// DefaultKeyMap returns the form bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
