package flow

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// This file is the flow pane's side of a token exchange client (RFC 8693)
// that names no subject credential: like `authdeck token NAME
// --subject-token-stdin`, it trades a subject token given at each call,
// which the pane asks for in a masked prompt. The token goes from the
// prompt through a channel to the one flow that sends it, never through a
// message, the model, the log, the screen or the vault.

// subjectGivenMsg says the subject token for flow id is waiting in the
// pane's channel; subjectDismissedMsg says the prompt was closed without one.
type (
	subjectGivenMsg     struct{ id int64 }
	subjectDismissedMsg struct{ id int64 }
)

// needsSubject reports whether the pane's client is a token exchange client
// whose subject token is given at each call.
func (m *Model) needsSubject() bool {
	if m.c.Catalog == nil || m.req.Grant != "" {
		return false
	}
	ac, ok := m.c.Catalog.Client(m.req.Env, m.req.Client)
	return ok && ac.Grant == vault.GrantTokenExchange && (ac.Exchange == nil || ac.Exchange.Subject == "")
}

// missingSubject reports whether err is the engine asking for the subject
// token of such a client (no stored token could stand in for it).
func (m *Model) missingSubject(err error) bool {
	var oe *oauth.Error
	return m.needsSubject() && errors.As(err, &oe) && oe.Kind == oauth.KindMissingInput && oe.Op == "token exchange"
}

// askSubject opens the masked prompt for the subject token; the flow runs
// once it is given.
func (m *Model) askSubject() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.id = lastID.Add(1)
	m.state, m.result, m.err, m.cancelled = askingSubject, nil, nil, false
	m.steps = []string{"waiting for the subject token"}
	m.subject = make(chan string, 1)
	id, ch := m.id, m.subject
	return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title: "Subject token for " + m.req.Client,
		Body: "This client exchanges a token given at each call (RFC 8693 token exchange). Paste the subject token: " +
			"it is sent once to the token endpoint, never stored, shown or logged.",
		Secret:   true,
		Validate: validSubject,
		OnSubmit: func(s string) tea.Cmd {
			return func() tea.Msg {
				select {
				case ch <- strings.TrimSpace(s):
				default: // one is waiting already
				}
				return subjectGivenMsg{id: id}
			}
		},
		OnCancel: func() tea.Cmd { return func() tea.Msg { return subjectDismissedMsg{id: id} } },
	}))
}

// validSubject accepts one token: not empty, no spaces or line breaks.
func validSubject(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return errors.New("paste one token: no spaces or line breaks")
	}
	return nil
}

// updateSubject handles the prompt's answers.
func (m *Model) updateSubject(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case subjectGivenMsg:
		if msg.id != m.id || m.state != askingSubject {
			return nil, true
		}
		var tok string
		select {
		case tok = <-m.subject:
		default:
		}
		m.subject = nil
		if tok == "" {
			return m.askSubject(), true
		}
		return m.startWith(tok), true
	case subjectDismissedMsg:
		if msg.id != m.id || m.state != askingSubject {
			return nil, true
		}
		m.subject = nil
		m.state, m.cancelled = failed, true
		m.steps = append(m.steps, stepCancelled)
		return nil, true
	}
	return nil, false
}

// askingView says what the prompt is for.
func (m *Model) askingView(w int) string {
	s := m.c.Styles
	text := "This token exchange client names no credential to take the subject token from, so one is given at each call " +
		"(as `authdeck token " + m.req.Client + " --subject-token-stdin` reads it). Esc leaves without a token."
	return "\n" + s.Bold.Render("Subject token needed") + "\n" + lipgloss.NewStyle().Width(max(20, w)).Render(s.Text.Render(text))
}
