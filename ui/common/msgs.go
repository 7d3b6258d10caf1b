package common

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/vault"
)

// StatusKind is the tone of a status line message.
type StatusKind int

// Status kinds.
const (
	StatusInfo StatusKind = iota
	StatusSuccess
	StatusWarning
	StatusError
)

// DefaultStatusTTL is how long a status message stays when no TTL is given.
const DefaultStatusTTL = 6 * time.Second

// StatusMsg asks the root model to show a transient message in the status line.
type StatusMsg struct {
	Kind StatusKind
	Text string
	// TTL is how long the message stays; zero means DefaultStatusTTL.
	TTL time.Duration
}

// Status returns a command that shows text in the status line.
func Status(kind StatusKind, text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Kind: kind, Text: text} }
}

// PushMsg asks the root model to put a screen on top of the stack.
type PushMsg struct{ Screen Screen }

// Push returns a command that opens s on top of the current screen.
func Push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }

// PopMsg asks the root model to close the screen on top (never the last one).
type PopMsg struct{}

// Pop returns a command that closes the screen on top.
func Pop() tea.Cmd { return func() tea.Msg { return PopMsg{} } }

// OpenDialogMsg asks the root model to open a dialog over the screen.
type OpenDialogMsg struct{ Dialog Dialog }

// OpenDialog returns a command that opens d.
func OpenDialog(d Dialog) tea.Cmd { return func() tea.Msg { return OpenDialogMsg{Dialog: d} } }

// CloseDialogMsg asks the root model to close the open dialog.
type CloseDialogMsg struct{}

// CloseDialog returns a command that closes the open dialog.
func CloseDialog() tea.Cmd { return func() tea.Msg { return CloseDialogMsg{} } }

// CatalogMsg carries a fresh catalog snapshot (after start-up, a change or an
// environment switch) to every screen. Screens must treat it as read-only.
type CatalogMsg struct {
	Catalog *vault.Catalog
}

// CatalogErrMsg reports that the catalog could not be read.
type CatalogErrMsg struct{ Err error }

// ReloadCatalogMsg asks the root model to read the catalog again.
type ReloadCatalogMsg struct{}

// ReloadCatalog returns a command that asks for a catalog reload.
func ReloadCatalog() tea.Cmd { return func() tea.Msg { return ReloadCatalogMsg{} } }

// CopyMsg asks the root model to copy a value to the clipboard. Label says
// what it is ("access token of api") for the status line; the value itself
// is never shown or logged.
type CopyMsg struct {
	Label string
	Value string
}

// Copy returns a command asking the root model to copy value.
func Copy(label, value string) tea.Cmd {
	return func() tea.Msg { return CopyMsg{Label: label, Value: value} }
}

// VaultProblemMsg reports a store error that needs the user: the keychain is
// unreachable or locked. The root model shows the vault pane.
type VaultProblemMsg struct{ Err error }

// SwitchEnvMsg asks the root model to make env the active environment.
type SwitchEnvMsg struct{ Env string }
