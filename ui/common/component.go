// Package common is the contract between the TUI's root model and its
// screens, dialogs and components: the Component, Screen and Dialog
// interfaces, the intent messages children send upward, the Common state
// every screen shares, and small helpers (masking, time formatting, error
// explanations, the clipboard) that several screens need.
//
// # Writing a screen
//
// A screen lives in ui/screens/<name>/ and has:
//
//   - keys.go with a KeyMap struct and DefaultKeyMap(); match keys with
//     key.Matches and disable bindings that do not apply, so ShortHelp and
//     FullHelp (which the footer and the `?` overlay show) tell the truth;
//   - a model with pointer receivers implementing Screen;
//   - no IO in Update or View: store, network and clipboard work happens in
//     functions named …Cmd that return a typed …Msg, and never touch the model.
//
// The root model sends every screen the window size (SetSize), every non-key
// message (so results reach the screen that asked for them — tag them with an
// ID when more than one can be in flight), and key presses only while the
// screen is on top and no dialog is open. A screen talks back with intent
// messages: Push, Pop, OpenDialog, Status, Copy, CatalogChanged.
//
// The request console adds itself the same way: a type in
// ui/screens/request implementing Screen, opened with Push(screen).
package common

import (
	tea "charm.land/bubbletea/v2"

	"charm.land/bubbles/v2/help"
)

// Component is the smallest unit of the TUI: something with a size, a key
// map for help, an Update that mutates it and returns a command, and a View.
type Component interface {
	help.KeyMap
	// SetSize gives the component the cells it may draw in.
	SetSize(width, height int)
	// Update handles one message and returns a command (or nil).
	Update(msg tea.Msg) tea.Cmd
	// View renders the component in exactly its size (or less).
	View() string
}

// Screen is a full pane the root model shows under the header: the browser,
// a token pane, a flow, a form.
type Screen interface {
	Component
	// Init returns the screen's first command, run when it is pushed.
	Init() tea.Cmd
	// Title names the screen in the header and help; it is for people
	// only (the router compares ScreenKeys).
	Title() string
	// ScreenKey identifies the screen and what it shows, so the router can
	// tell whether the screen asked for is the one on top.
	ScreenKey() ScreenKey
	// Capturing reports whether a text field has the focus, in which case
	// the root model does not treat letters as global keys.
	Capturing() bool
}

// ScreenKey identifies a screen: its kind and, for screens about one item,
// the environment and name of that item.
type ScreenKey struct {
	// Kind is the screen's kind: "browse", "token", "request", "flow"…
	Kind string
	// Env and Name name the item shown, when there is one.
	Env, Name string
}

// Dialog is a box drawn over the active screen. While it is open it gets
// every key press; it closes itself with Close() and reports its outcome by
// returning a command built from what its opener gave it.
type Dialog interface {
	Component
	// Capturing reports whether a text field of the dialog has the focus.
	Capturing() bool
}

// Closer is implemented by screens that hold resources (a running flow, a
// countdown) to release when they leave the stack.
type Closer interface {
	// Close releases what the screen holds; it must not block.
	Close()
}
