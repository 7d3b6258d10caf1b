package browse

import "charm.land/bubbles/v2/key"

// KeyMap is the browse screen's key map (the list's own keys come on top).
type KeyMap struct {
	Focus  key.Binding
	Open   key.Binding
	Reveal key.Binding
	Copy   key.Binding
	Token  key.Binding
	New    key.Binding
	Wizard key.Binding
	Edit   key.Binding
	Delete key.Binding
	// Secret makes the selected variable secret, or plain again.
	Secret key.Binding
	Import key.Binding
	// Fold, Expand and Collapse fold and unfold the folders of requests.
	Fold     key.Binding
	Expand   key.Binding
	Collapse key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
}

// DefaultKeyMap returns the browse bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Focus:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "list/detail")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Reveal:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "reveal")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Token:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "get token")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Wizard:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "client wizard")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:   key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "delete")),
		Secret:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "mark secret"), key.WithDisabled()),
		Import:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import")),
		Fold:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "fold/unfold"), key.WithDisabled()),
		Expand:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "unfold"), key.WithDisabled()),
		Collapse: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "fold / to folder"), key.WithDisabled()),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		// the detail pane's paging; the list has its own
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
	}
}
