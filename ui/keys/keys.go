// Package keys holds the TUI's global key bindings: the ones that work on
// every screen unless a text field is capturing input.
package keys

import "charm.land/bubbles/v2/key"

// KeyMap is the global key map.
type KeyMap struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Back      key.Binding
	Env       key.Binding
	Theme     key.Binding
	Dashboard key.Binding
}

// DefaultKeyMap returns the global bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Env:       key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "environment")),
		Theme:     key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "theme")),
		Dashboard: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "token dashboard")),
	}
}

// ShortHelp returns the global bindings shown in the footer.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit}
}

// FullHelp returns the global bindings for the `?` overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Env, k.Dashboard, k.Theme}, {k.Back, k.Help, k.Quit, k.ForceQuit}}
}
