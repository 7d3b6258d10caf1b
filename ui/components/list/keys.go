package list

import "charm.land/bubbles/v2/key"

// KeyMap is the list's key map.
type KeyMap struct {
	Up           key.Binding
	Down         key.Binding
	PageUp       key.Binding
	PageDown     key.Binding
	Top          key.Binding
	Bottom       key.Binding
	Filter       key.Binding
	ClearFilter  key.Binding
	AcceptFilter key.Binding
	// FilterUp and FilterDown move while the filter has the keyboard:
	// arrows only, since letters are typed into the filter.
	FilterUp   key.Binding
	FilterDown key.Binding
}

// DefaultKeyMap returns the list's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:          key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:       key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"), key.WithDisabled()),
		AcceptFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"), key.WithDisabled()),
		FilterUp:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up"), key.WithDisabled()),
		FilterDown:   key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down"), key.WithDisabled()),
	}
}
