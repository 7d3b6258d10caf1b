package request

import "charm.land/bubbles/v2/key"

// KeyMap is the request console's key map.
type KeyMap struct {
	Send       key.Binding
	Cancel     key.Binding
	Next       key.Binding
	Prev       key.Binding
	Tab        key.Binding
	Placement  key.Binding
	Insecure   key.Binding
	CopyCurl   key.Binding
	CopyReveal key.Binding
	Save       key.Binding
	History    key.Binding
	SaveBody   key.Binding
	Discard    key.Binding
	Load       key.Binding
	Up         key.Binding
	Down       key.Binding
	Back       key.Binding
	BodyType   key.Binding
	CopyBody   key.Binding
	// Leave moves from a composer field to the response; SendLine sends
	// from a one-line field.
	Leave    key.Binding
	SendLine key.Binding
}

// DefaultKeyMap returns the request console bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Send:       key.NewBinding(key.WithKeys("ctrl+s", "alt+enter"), key.WithHelp("ctrl+s", "send")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Tab:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "body/headers/timing/request")),
		Placement:  key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "token placement")),
		Insecure:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "TLS verification")),
		CopyCurl:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy as curl (masked)")),
		CopyReveal: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy as curl with credentials")),
		Save:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "save request")),
		History:    key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "history")),
		SaveBody:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "save body to file")),
		Discard:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "discard body file")),
		Load:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "load")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		BodyType:   key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "body: raw/form/multipart/file")),
		CopyBody:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy response body")),
		Leave:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "to the response")),
		SendLine:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
	}
}
