// Package wizard is the first step of the new auth client wizard: an issuer
// URL, whose discovery document (RFC 8414 / OpenID Connect Discovery) fills
// every endpoint and says which grants, client authentication methods and
// scopes to offer in the next steps (form.NewFromDiscovery).
package wizard

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/form"
	"github.com/authdeck/authdeck/vault"
)

// discoveredMsg carries the discovery result.
type discoveredMsg struct {
	seq    int
	issuer string
	md     *oauth.Metadata
	err    error
}

// Model is the wizard's first step.
type Model struct {
	c      *common.Common
	keys   KeyMap
	env    string
	input  textinput.Model
	spin   spinner.Model
	busy   bool
	seq    int
	err    error
	width  int
	height int
}

// New returns the wizard for a new auth client in env.
func New(c *common.Common, env string) *Model {
	in := textinput.New()
	in.Prompt = "issuer › "
	in.Placeholder = "https://login.example.com"
	in.SetStyles(c.Styles.TextInput())
	in.CharLimit = 2048
	if e, ok := c.EnvInfo(); ok {
		if v, ok := e.Var("issuer"); ok && !v.Secret {
			in.SetValue(v.Value)
		}
	}
	return &Model{c: c, keys: DefaultKeyMap(), env: env, input: in,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))}
}

// Init focuses the issuer field.
func (m *Model) Init() tea.Cmd { return m.input.Focus() }

// Title names the screen.
func (m *Model) Title() string { return "new auth client" }

// Capturing is true: the issuer field takes letters.
func (m *Model) Capturing() bool { return true }

// WantsBack is true: esc cancels the wizard here.
func (m *Model) WantsBack() bool { return true }

// Err returns the last discovery error.
func (m *Model) Err() error { return m.err }

// SetSize sizes the field.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(max(20, min(90, w-14)))
}

// ShortHelp lists the bindings.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Discover, m.keys.Manual, m.keys.Cancel}
}

// FullHelp lists the bindings.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update edits the issuer and runs discovery.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if msg.ID != m.spin.ID() || !m.busy {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd
	case discoveredMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.busy = false
		if msg.err != nil {
			m.err = msg.err
			return nil
		}
		env, issuer, md := m.env, msg.issuer, msg.md
		return tea.Sequence(common.Pop(), common.Push(form.NewFromDiscovery(m.c, env, issuer, md)))
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Cancel):
			return common.Pop()
		case key.Matches(msg, m.keys.Manual):
			env := m.env
			return tea.Sequence(common.Pop(), func() tea.Msg { return common.EditMsg{Kind: common.EditClient, Env: env} })
		case key.Matches(msg, m.keys.Discover):
			return m.discover()
		}
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) discover() tea.Cmd {
	issuer := strings.TrimRight(strings.TrimSpace(m.input.Value()), "/")
	if err := vault.CheckURL("issuer", issuer); err != nil {
		m.err = err
		return nil
	}
	if m.c.Engine == nil {
		m.err = errNoEngine
		return nil
	}
	m.seq++
	m.busy, m.err = true, nil
	seq, e := m.seq, m.c.Engine
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		md, err := e.Discover(ctx, issuer)
		return discoveredMsg{seq: seq, issuer: issuer, md: md, err: err}
	})
}

type wizardError string

// Error returns the message.
func (e wizardError) Error() string { return string(e) }

const errNoEngine = wizardError("no OAuth engine in this session")

// View renders the step.
func (m *Model) View() string {
	s := m.c.Styles
	w := max(20, min(90, m.width-4))
	text := lipgloss.NewStyle().Width(w)
	parts := []string{
		s.DetailTitle.Render("New auth client in " + m.env),
		text.Render(s.Muted.Render("Start from the issuer URL: its discovery document fills in every endpoint and tells which grants, client authentication methods and scopes to offer.")),
		"",
		m.input.View(),
	}
	switch {
	case m.busy:
		parts = append(parts, "", m.spin.View()+" "+s.Muted.Render("reading the discovery document…"))
	case m.err != nil:
		p := common.Explain(m.err)
		parts = append(parts, "", text.Render(s.Error.Render("✗ "+p.Reason+": "+p.Detail)))
		if p.Next != "" {
			parts = append(parts, text.Render(s.Muted.Render(p.Next)))
		}
		parts = append(parts, text.Render(s.Muted.Render("No discovery document? ctrl+o enters the endpoints by hand.")))
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(strings.Join(parts, "\n"))
}
