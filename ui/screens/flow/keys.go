package flow

import "charm.land/bubbles/v2/key"

// KeyMap is the flow pane's key map.
type KeyMap struct {
	Cancel     key.Binding
	Open       key.Binding
	Paste      key.Binding
	Device     key.Binding
	QR         key.Binding
	Log        key.Binding
	Retry      key.Binding
	Token      key.Binding
	Copy       key.Binding
	CopyHeader key.Binding
	CopyURL    key.Binding
	Back       key.Binding
	Up         key.Binding
	Down       key.Binding
}

// DefaultKeyMap returns the flow bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Cancel:     key.NewBinding(key.WithKeys("x", "esc"), key.WithHelp("x/esc", "cancel")),
		Open:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open browser")),
		Paste:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "paste redirected URL")),
		Device:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "use the device flow")),
		QR:         key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "QR code on its own")),
		Log:        key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "transcript")),
		Retry:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Token:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "token pane")),
		Copy:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		CopyHeader: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "copy header")),
		CopyURL:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy URL")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
	}
}

// OAuth1KeyMap is the key map of the OAuth 1.0a flow pane. While the
// verifier field has the focus only Submit and Leave apply; every other
// key goes into the field.
type OAuth1KeyMap struct {
	Cancel   key.Binding
	Open     key.Binding
	CopyURL  key.Binding
	Verifier key.Binding
	Submit   key.Binding
	Leave    key.Binding
	QR       key.Binding
	Log      key.Binding
	Reauth   key.Binding
	Token    key.Binding
	Copy     key.Binding
	Back     key.Binding
	Up       key.Binding
	Down     key.Binding
}

// DefaultOAuth1KeyMap returns the OAuth 1.0a flow bindings.
func DefaultOAuth1KeyMap() OAuth1KeyMap {
	return OAuth1KeyMap{
		Cancel:   key.NewBinding(key.WithKeys("x", "esc"), key.WithHelp("x/esc", "cancel")),
		Open:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open browser")),
		CopyURL:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy URL")),
		Verifier: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "enter verifier")),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send verifier")),
		Leave:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave the field")),
		QR:       key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "QR code on its own")),
		Log:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "transcript")),
		Reauth:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-authorise")),
		Token:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "token pane")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
	}
}
