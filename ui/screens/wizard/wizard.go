// Package wizard is the first step of the new auth client wizard. It
// starts with the protocol: OAuth 2.0 goes on with an issuer URL, whose
// discovery document (RFC 8414 / OpenID Connect Discovery) fills every
// endpoint and says which grants, client authentication methods and scopes
// to offer in the next steps (form.NewFromDiscovery); OAuth 1.0a has no
// discovery, so it goes on with its endpoints entered by hand
// (form.NewOAuth1Client).
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

// Steps of the wizard's first screen.
type step int

const (
	stepProtocol step = iota
	stepIssuer
)

// Protocol is one choice of the wizard's first step.
type Protocol struct {
	// Label and Desc are shown in the list.
	Label, Desc string
	// Type is the auth client type it creates.
	Type vault.ClientType
}

// Protocols are the wizard's choices, in display order.
var Protocols = []Protocol{
	{Label: "OAuth 2.0 / OpenID Connect", Desc: "from an issuer URL: discovery fills the endpoints, then grant, client authentication and scopes", Type: vault.ClientOAuth2},
	{Label: "OAuth 1.0a", Desc: "request-token, authorization and access-token URLs by hand, a consumer key and its secret or RSA key", Type: vault.ClientOAuth1},
}

// Model is the wizard's first step.
type Model struct {
	c      *common.Common
	keys   KeyMap
	env    string
	step   step
	choice int
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
	return &Model{
		c: c, keys: DefaultKeyMap(), env: env, input: in,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner)),
	}
}

// Init shows the protocol choice; the issuer field takes the focus once
// OAuth 2.0 is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// Title names the screen.
func (m *Model) Title() string { return "new auth client" }

// ScreenKey identifies the wizard by its environment.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "wizard", Env: m.env} }

// Capturing is true while the issuer field takes letters.
func (m *Model) Capturing() bool { return m.step == stepIssuer }

// Choice returns the highlighted protocol.
func (m *Model) Choice() Protocol { return Protocols[m.choice] }

// WantsBack is true: esc cancels the wizard here.
func (m *Model) WantsBack() bool { return true }

// Err returns the last discovery error.
func (m *Model) Err() error { return m.err }

// SetSize sizes the field.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(max(20, min(90, w-14)))
}

// ShortHelp lists the bindings of the current step.
func (m *Model) ShortHelp() []key.Binding {
	if m.step == stepProtocol {
		return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Choose, m.keys.Cancel}
	}
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
		if m.step == stepProtocol {
			return m.chooseKey(msg)
		}
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
		if m.step != stepIssuer {
			return nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

// chooseKey moves through the protocols and goes on with the chosen one.
func (m *Model) chooseKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Cancel):
		return common.Pop()
	case key.Matches(k, m.keys.Up):
		m.choice = (m.choice + len(Protocols) - 1) % len(Protocols)
	case key.Matches(k, m.keys.Down):
		m.choice = (m.choice + 1) % len(Protocols)
	case key.Matches(k, m.keys.Choose):
		if Protocols[m.choice].Type == vault.ClientOAuth1 {
			env := m.env
			return tea.Sequence(common.Pop(), common.Push(form.NewOAuth1Client(m.c, env)))
		}
		m.step = stepIssuer
		return m.input.Focus()
	}
	return nil
}

func (m *Model) discover() tea.Cmd {
	issuer := strings.TrimRight(strings.TrimSpace(m.input.Value()), "/")
	if err := vault.CheckURL("issuer", issuer); err != nil {
		m.err = err
		return nil
	}
	if m.c.OAuth2Engine() == nil {
		m.err = errNoEngine
		return nil
	}
	m.seq++
	m.busy, m.err = true, nil
	seq, e := m.seq, m.c.OAuth2Engine()
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
	if m.step == stepProtocol {
		parts := []string{
			s.DetailTitle.Render("New auth client in " + m.env),
			text.Render(s.Muted.Render("Protocol — which kind of authorization server is it?")),
			"",
		}
		for i, p := range Protocols {
			mark, label := "  ", s.Text.Render(p.Label)
			if i == m.choice {
				mark, label = s.Accent.Render("› "), s.ListSelected.Render(p.Label)
			}
			parts = append(parts, mark+label, lipgloss.NewStyle().Width(max(10, w-4)).MarginLeft(4).Render(s.Muted.Render(p.Desc)), "")
		}
		return lipgloss.NewStyle().Padding(0, 1).Render(strings.Join(parts, "\n"))
	}
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
