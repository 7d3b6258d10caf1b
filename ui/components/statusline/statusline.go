// Package statusline shows one transient message at a time; each message
// expires after its time to live with a single timer (no ticking while idle).
package statusline

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault/termsafe"
)

// expireMsg clears the message with the given generation.
type expireMsg struct{ gen int }

// Model is the status line.
type Model struct {
	st    func() *styles.Styles
	kind  common.StatusKind
	text  string
	gen   int
	width int
	// Depth, when set, says how deep the screen stack is; a problem shown
	// on a screen is cleared when that screen is left (LeftScreen).
	Depth func() int
	shown int
}

// New returns an empty status line.
func New(st func() *styles.Styles) *Model { return &Model{st: st} }

// SetWidth sets the line's width.
func (m *Model) SetWidth(w int) { m.width = w }

// Text returns the message shown (empty when none).
func (m *Model) Text() string { return m.text }

// Kind returns the tone of the message shown.
func (m *Model) Kind() common.StatusKind { return m.kind }

// Show displays msg and returns the timer that will clear it.
func (m *Model) Show(msg common.StatusMsg) tea.Cmd {
	m.gen++
	m.kind, m.text = msg.Kind, msg.Text
	if m.Depth != nil {
		m.shown = m.Depth()
	}
	ttl := msg.TTL
	if ttl <= 0 {
		ttl = common.DefaultStatusTTL
		if msg.Kind == common.StatusError {
			ttl *= 2
		}
	}
	gen := m.gen
	return tea.Tick(ttl, func(time.Time) tea.Msg { return expireMsg{gen: gen} })
}

// LeftScreen clears an error or a warning that was shown on a screen deeper
// than depth, the stack's depth now that a screen was left: it was about
// that screen, so it would only be stale here.
func (m *Model) LeftScreen(depth int) {
	if m.text != "" && m.shown > depth && (m.kind == common.StatusError || m.kind == common.StatusWarning) {
		m.text = ""
	}
}

// Update clears the message when its timer fires.
func (m *Model) Update(msg tea.Msg) bool {
	if e, ok := msg.(expireMsg); ok {
		if e.gen == m.gen {
			m.text = ""
		}
		return true
	}
	return false
}

// View renders the message on one line.
func (m *Model) View() string {
	if m.text == "" || m.width <= 0 {
		return ""
	}
	s := m.st()
	style := s.StatusInfo
	icon := "• "
	switch m.kind {
	case common.StatusSuccess:
		style, icon = s.StatusSuccess, "✓ "
	case common.StatusWarning:
		style, icon = s.StatusWarning, "! "
	case common.StatusError:
		style, icon = s.StatusError, "✗ "
	case common.StatusInfo:
		// the info style, as set above
	}
	return style.Render(ansi.Truncate(icon+oneLine(m.text), m.width, "…"))
}

// oneLine turns line breaks and tabs into spaces and shows every other
// control character (C0 and C1) escaped, so a message quoting a server or
// an import cannot drive the terminal (S-40).
func oneLine(s string) string {
	return termsafe.Line(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}
