package flow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
)

// Messages of a running OAuth 1.0a flow, tagged with the flow's ID like
// the OAuth 2.0 ones (progressMsg, authMsg, exchangeMsg and openedMsg are
// shared).
type (
	// verifierAskMsg says the engine takes a typed verifier now; reply
	// carries it back (buffered, one answer).
	verifierAskMsg struct {
		id    int64
		reply chan string
	}
	oauth1DoneMsg struct {
		id     int64
		result *OAuth1Result
		err    error
	}
)

// OAuth1Result is what an OAuth 1.0a flow pane ended with.
type OAuth1Result struct {
	// Env, Client and Secret name the auth client and the OA1_TOKEN secret.
	Env, Client, Secret string
	// Token and TokenSecret are the token credentials.
	Token, TokenSecret string
	// Method is the client's signature method; ConsumerKey its client id.
	Method, ConsumerKey string
	// Extra lists the other parameters of the provider's answer (user_id, …).
	Extra []oauth1.Param
	// FromCache is set when stored token credentials were shown instead of
	// running the flow.
	FromCache bool
	// Replaced reports that an earlier token secret was overwritten.
	Replaced bool
	// NoFlow is set for a client without flow URLs: its stored token
	// credentials are all there is, and there is no flow to run again.
	NoFlow bool
}

// AuthorizeFunc runs an OAuth 1.0a authorization: oauth1.Engine.Authorize
// or a stand-in with fixed data.
type AuthorizeFunc func(ctx context.Context, req oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error)

// OAuth1Model is the flow pane of an OAuth 1.0a auth client: it runs the
// three legs in a command (temporary credentials, the resource owner's
// approval in the browser, token credentials), shows the authorization URL
// with its QR code, waits on the loopback callback or takes the verifier
// typed into its field (oob, SSH, or a browser on another machine), and
// ends with the stored token credentials, masked, or an explanation.
type OAuth1Model struct {
	pane
	keys OAuth1KeyMap
	req  common.RunFlowMsg

	ask      chan string
	input    textinput.Model
	typing   bool
	inputErr string
	tr       *oauth1.Transcript
	result   *OAuth1Result
	err      error
	client   string
	method   string
	// noFlow: the client names no flow URL, so there is nothing to run
	// (again); it signs with the token credentials stored with it.
	noFlow bool

	authorize AuthorizeFunc
}

// NewOAuth1 returns the OAuth 1.0a pane for req; Init starts the flow.
func NewOAuth1(c *common.Common, req common.RunFlowMsg) *OAuth1Model {
	return newOAuth1(c, req, nil)
}

// newOAuth1 lets tests run the pane on a stand-in authorization.
func newOAuth1(c *common.Common, req common.RunFlowMsg, authorize AuthorizeFunc) *OAuth1Model {
	in := textinput.New()
	in.Prompt = "verifier › "
	in.Placeholder = "the code the provider shows, or the address the browser landed on"
	in.SetStyles(c.Styles.TextInput())
	in.CharLimit = 4096
	return &OAuth1Model{
		pane: newPane(c), keys: DefaultOAuth1KeyMap(), req: req, input: in,
		client: req.Client, authorize: authorize,
	}
}

// NewFor returns the flow pane that runs req: the OAuth 1.0a pane for an
// OAuth 1.0a client or token secret, the OAuth 2.0 one otherwise.
func NewFor(c *common.Common, req common.RunFlowMsg) common.Screen {
	if IsOAuth1(c.Catalog, req) {
		return NewOAuth1(c, req)
	}
	return New(c, req)
}

// IsOAuth1 reports whether req names an OAuth 1.0a client or token secret:
// the protocol the vault resolves it to, or, when it does not resolve (the
// pane then says why), the protocol of the item it names.
func IsOAuth1(cat *vault.Catalog, req common.RunFlowMsg) bool {
	if cat == nil {
		return false
	}
	if cred, err := vault.ResolveTokenSecret(cat, req.Env, req.Client, req.Secret); err == nil {
		return cred.Protocol == vault.ProtocolOAuth1
	}
	if ac, ok := cat.Client(req.Env, req.Client); ok {
		return ac.Type.Protocol() == vault.ProtocolOAuth1
	}
	s, ok := cat.Secret(req.Env, req.Secret)
	return ok && s.Type.Protocol() == vault.ProtocolOAuth1
}

// oauth1Target resolves what the flow works on: the OAuth 1.0a auth client
// and its token secret (nil before the first authorization).
func oauth1Target(cat *vault.Catalog, req common.RunFlowMsg) (*vault.AuthClient, *vault.Secret, error) {
	cred, err := vault.ResolveTokenSecret(cat, req.Env, req.Client, req.Secret)
	if err != nil {
		return nil, nil, err
	}
	if cred.Protocol != vault.ProtocolOAuth1 {
		what := fmt.Sprintf("auth client %q is not an OAuth 1.0a client (it is %s)", cred.Client.Name, cred.Client.Type)
		if !cred.NamedClient {
			what = fmt.Sprintf("secret %q is a %s, not OAuth 1.0a token credentials", cred.Secret.Name, cred.Secret.Type)
		}
		return nil, nil, &oauth1.Error{Kind: oauth1.KindNotConfigured, Op: "configuration", Reason: what}
	}
	return cred.Client, cred.Secret, nil
}

// Init starts the flow.
func (m *OAuth1Model) Init() tea.Cmd { return m.start() }

// notifyRecorder keeps the legs in the transcript and tells the pane.
type notifyRecorder struct {
	tr     *oauth1.Transcript
	notify func()
}

// Record appends x and asks the pane to redraw the transcript.
func (r notifyRecorder) Record(x oauth.Exchange) {
	r.tr.Record(x)
	r.notify()
}

func (m *OAuth1Model) start() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.id = lastID.Add(1)
	m.state, m.result, m.err, m.cancelled = running, nil, nil, false
	m.steps, m.auth, m.ask, m.inputErr = nil, nil, nil, ""
	m.leaveField()
	m.started = m.c.Now()
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(m.c.Styles.Spinner))
	ac, sec, err := oauth1Target(m.c.Catalog, m.req)
	if err != nil {
		m.state, m.err = failed, err
		return nil
	}
	m.noFlow = !ac.HasOAuth1Flow()
	if m.noFlow && (sec == nil || m.req.Force) {
		// Nothing to run: say so rather than start a flow that cannot be.
		m.client, m.method = ac.Name, ac.SignatureMethod
		m.state, m.err = failed, oauth1.ErrNoTokenNoFlow(ac.Name)
		if sec != nil {
			m.err = oauth1.ErrNoFlow(ac.Name)
		}
		return nil
	}
	authorize := m.authorize
	if authorize == nil {
		e := m.c.OAuth1Engine()
		if e == nil {
			m.state, m.err = failed, fmt.Errorf("no OAuth engine in this session")
			return nil
		}
		authorize = e.Authorize
	}
	m.client, m.method = ac.Name, ac.SignatureMethod
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	events := make(chan tea.Msg, 64)
	m.events = events
	m.tr = &oauth1.Transcript{}
	id := m.id
	send := func(msg tea.Msg) {
		select {
		case events <- msg:
		case <-ctx.Done():
		}
	}
	rec := notifyRecorder{tr: m.tr, notify: func() {
		select { // a redraw trigger only; dropping one is harmless
		case events <- exchangeMsg{id: id}:
		default:
		}
	}}
	cb := oauth1.Callbacks{
		Progress: func(s string) { send(progressMsg{id: id, text: s}) },
		AuthURL:  func(p oauth.AuthPrompt) { send(authMsg{id: id, prompt: p}) },
		BrowserFailed: func(err error) {
			send(openedMsg{id: id, err: err, fromFlow: true})
		},
		Verifier: func(ctx context.Context, _ oauth.AuthPrompt) (string, error) {
			reply := make(chan string, 1)
			send(verifierAskMsg{id: id, reply: reply})
			select {
			case v := <-reply:
				return v, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		},
	}
	target := m.req.Secret
	if sec != nil {
		target = sec.Name
	}
	areq := oauth1.AuthorizeRequest{Env: m.req.Env, Client: ac.Name, Secret: target, NoBrowser: m.c.Remote, Record: rec}
	base := OAuth1Result{Env: m.req.Env, Client: ac.Name, Method: ac.SignatureMethod, ConsumerKey: ac.ClientID, NoFlow: !ac.HasOAuth1Flow()}
	var stored *vault.Secret
	if sec != nil && !m.req.Force {
		s := *sec
		stored = &s
	}
	v, timeout := m.c.Vault, m.c.StoreTimeout
	m.c.Log.Info("flow start", "id", id, "protocol", "oauth1", "env", areq.Env, "client", areq.Client, "secret", target, "force", m.req.Force, "remote", m.c.Remote)
	run := func() tea.Msg {
		if stored != nil {
			sctx, scancel := common.StoreContext(timeout)
			val, err := v.SecretValue(sctx, *stored)
			scancel()
			if err != nil {
				events <- oauth1DoneMsg{id: id, err: err} // buffered; the listener always drains it
				return nil
			}
			if val.Token != "" {
				r := base
				r.Secret, r.Token, r.TokenSecret, r.FromCache = stored.Name, val.Token, val.TokenSecret, true
				events <- oauth1DoneMsg{id: id, result: &r}
				return nil
			}
		}
		res, err := authorize(ctx, areq, cb)
		if err != nil {
			events <- oauth1DoneMsg{id: id, err: err}
			return nil
		}
		r := base
		r.Env, r.Secret, r.Token, r.TokenSecret, r.Extra, r.Replaced = res.Env, res.Secret, res.Token, res.TokenSecret, res.Extra, res.Replaced
		events <- oauth1DoneMsg{id: id, result: &r}
		return nil
	}
	return tea.Batch(m.spin.Tick, run, listen(events))
}

// Title names the pane.
func (m *OAuth1Model) Title() string { return "token · " + m.client }

// ScreenKey identifies the pane by the client whose flow it runs.
func (m *OAuth1Model) ScreenKey() common.ScreenKey {
	return common.ScreenKey{Kind: "flow", Env: m.req.Env, Name: m.client}
}

// Capturing is true while the verifier field has the focus.
func (m *OAuth1Model) Capturing() bool { return m.typing }

// WantsBack is true while the flow runs (esc cancels it) or the field has
// the focus (esc leaves it).
func (m *OAuth1Model) WantsBack() bool { return m.state == running || m.typing }

// Result returns the flow's result once it succeeded.
func (m *OAuth1Model) Result() *OAuth1Result { return m.result }

// Err returns the flow's error once it failed.
func (m *OAuth1Model) Err() error { return m.err }

// AwaitingVerifier reports whether the engine takes a typed verifier now.
func (m *OAuth1Model) AwaitingVerifier() bool { return m.ask != nil }

// Typing reports whether the verifier field has the focus.
func (m *OAuth1Model) Typing() bool { return m.typing }

// Transcript returns the flow's transcript (secrets redacted).
func (m *OAuth1Model) Transcript() *oauth1.Transcript { return m.tr }

// Close cancels a running flow and forgets the token credentials.
func (m *OAuth1Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	m.result = nil
	m.leaveField()
}

// SetSize records the size.
func (m *OAuth1Model) SetSize(w, h int) {
	m.pane.SetSize(w, h)
	m.input.SetWidth(max(10, min(90, w-16)))
}

// RefreshStyles re-themes the spinner and the field.
func (m *OAuth1Model) RefreshStyles() {
	m.spin.Style = m.c.Styles.Spinner
	m.input.SetStyles(m.c.Styles.TextInput())
}

// KeyMap returns the bindings that apply now.
func (m *OAuth1Model) KeyMap() OAuth1KeyMap {
	k := m.keys
	run, typing := m.state == running, m.typing
	keys := !typing
	k.Cancel.SetEnabled(run && keys)
	k.Back.SetEnabled(!run && keys)
	k.Open.SetEnabled(run && keys && m.auth != nil)
	k.CopyURL.SetEnabled(run && keys && m.auth != nil)
	k.QR.SetEnabled(run && keys && m.auth != nil && m.auth.QR != "")
	k.Verifier.SetEnabled(run && keys && m.ask != nil)
	k.Submit.SetEnabled(typing)
	k.Leave.SetEnabled(typing)
	k.Reauth.SetEnabled(!run && !m.noFlow)
	ok := m.state == succeeded && m.result != nil
	k.Token.SetEnabled(ok && m.result.Secret != "")
	k.Copy.SetEnabled(ok && m.result.Token != "")
	k.Log.SetEnabled(keys && m.tr != nil)
	k.Up.SetEnabled(keys && m.showLog)
	k.Down.SetEnabled(keys && m.showLog)
	if m.showLog {
		k.Log.SetHelp("l", "hide transcript")
	}
	if m.auth != nil && m.auth.Listening {
		k.Verifier.SetHelp("p", "paste callback or verifier")
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *OAuth1Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	switch {
	case m.typing:
		return []key.Binding{k.Submit, k.Leave}
	case m.state == running:
		return []key.Binding{k.Open, k.Verifier, k.CopyURL, k.Log, k.Cancel}
	}
	return []key.Binding{k.Token, k.Copy, k.Reauth, k.Log, k.Back}
}

// FullHelp lists every binding.
func (m *OAuth1Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Open, k.CopyURL, k.Verifier, k.Submit, k.Leave, k.QR, k.Cancel}, {k.Token, k.Copy, k.Reauth}, {k.Log, k.Up, k.Down, k.Back}}
}

// Update handles the flow's messages and keys.
func (m *OAuth1Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.update(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case exchangeMsg:
		if msg.id != m.id {
			return nil
		}
		m.refreshLog()
		return listen(m.events)
	case verifierAskMsg:
		if msg.id != m.id {
			return nil
		}
		m.ask = msg.reply
		// Out of band, or over SSH, the typed verifier is the way back: the
		// field has the focus at once. Otherwise p opens it.
		if m.c.Remote || (m.auth != nil && !m.auth.Listening) {
			return tea.Batch(listen(m.events), m.enterField())
		}
		return listen(m.events)
	case oauth1DoneMsg:
		if msg.id != m.id {
			return nil
		}
		return m.finish(msg)
	case tea.PasteMsg:
		if m.typing {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			m.inputErr = ""
			return cmd
		}
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return nil
}

func (m *OAuth1Model) finish(msg oauth1DoneMsg) tea.Cmd {
	m.refreshLog()
	m.ask = nil
	m.leaveField()
	took := m.c.Now().Sub(m.started).Round(time.Millisecond)
	m.settleCancel(msg.err != nil)
	if msg.err != nil {
		// oauth1 and vault errors never carry a secret value, so they may be logged
		m.c.Log.Warn("flow failed", "id", msg.id, "protocol", "oauth1", "client", m.client, "kind", oauth.KindOf(msg.err).String(), "took", took, "err", msg.err)
		m.state, m.err = failed, msg.err
		if common.Explain(msg.err).Vault {
			return common.ErrorCmd(msg.err)
		}
		return nil
	}
	m.c.Log.Info("flow done", "id", msg.id, "protocol", "oauth1", "client", m.client, "secret", msg.result.Secret, "cached", msg.result.FromCache, "took", took)
	m.state, m.result = succeeded, msg.result
	text := "Authorized " + m.client + "; the token credentials are stored in " + msg.result.Secret
	switch {
	case msg.result.FromCache && msg.result.NoFlow:
		text = "Stored token credentials of " + m.client + "; it has no flow to run, requests are signed with them"
	case msg.result.FromCache:
		text = "Stored token credentials of " + m.client + " (r authorizes again)"
	}
	return tea.Batch(common.ReloadCatalog(), common.Status(common.StatusSuccess, text))
}

// enterField gives the verifier field the focus.
func (m *OAuth1Model) enterField() tea.Cmd {
	m.typing = true
	return m.input.Focus()
}

// leaveField takes the focus away and forgets what was typed.
func (m *OAuth1Model) leaveField() {
	m.typing = false
	m.input.Blur()
	m.input.SetValue("")
}

func (m *OAuth1Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
	if m.typing {
		switch {
		case key.Matches(k, km.Submit):
			return m.submitVerifier()
		case key.Matches(k, km.Leave):
			m.leaveField()
			m.inputErr = ""
			return nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		m.inputErr = ""
		return cmd
	}
	switch {
	case key.Matches(k, km.Cancel):
		m.userCancel()
		return nil
	case key.Matches(k, km.Back):
		return common.Pop()
	case key.Matches(k, km.Log):
		m.showLog = !m.showLog
		m.refreshLog()
		return nil
	case key.Matches(k, km.QR):
		m.qrAlone = !m.qrAlone
		return nil
	case key.Matches(k, km.Up, km.Down):
		var cmd tea.Cmd
		m.log, cmd = m.log.Update(k)
		return cmd
	case key.Matches(k, km.Verifier):
		return m.enterField()
	case key.Matches(k, km.Open):
		return m.openBrowser()
	case key.Matches(k, km.CopyURL):
		return common.Copy("authorization URL", m.auth.URL)
	case key.Matches(k, km.Reauth):
		m.req.Force = true
		if m.result != nil {
			m.req.Secret = m.result.Secret // authorize into the secret just shown
		}
		return m.start()
	case key.Matches(k, km.Token):
		env, name := m.result.Env, m.result.Secret
		return func() tea.Msg { return common.OpenTokenMsg{Env: env, Secret: name} }
	case key.Matches(k, km.Copy):
		return common.Copy("token of "+m.client, m.result.Token)
	}
	return nil
}

// submitVerifier hands what was typed to the waiting flow and forgets it:
// the verifier is short-lived and never kept, logged or shown again.
func (m *OAuth1Model) submitVerifier() tea.Cmd {
	v := strings.TrimSpace(m.input.Value())
	if v == "" {
		m.inputErr = "Type the verifier the provider shows after you approve, or paste the address the browser landed on."
		return nil
	}
	reply := m.ask
	m.ask = nil
	m.leaveField()
	if reply == nil {
		return nil
	}
	m.steps = append(m.steps, "verifier entered")
	return func() tea.Msg {
		select {
		case reply <- v:
		default: // the flow has one already
		}
		return nil
	}
}

func (m *OAuth1Model) openBrowser() tea.Cmd { return m.open(m.auth.URL) }

func (m *OAuth1Model) refreshLog() {
	if m.tr != nil {
		m.setLog(m.tr.Text())
	}
}

// View renders the pane.
func (m *OAuth1Model) View() string {
	if m.width <= 0 {
		return ""
	}
	s := m.c.Styles
	w := m.width - 4
	if m.state == running && m.qrAlone && m.auth != nil && m.auth.QR != "" {
		return qrAloneView(m.c, m.auth.QR, m.width, m.height)
	}
	sub := "OAuth 1.0a"
	if m.method != "" {
		sub += " · " + m.method
	}
	parts := []string{
		s.DetailTitle.Render("Token for "+m.client) + s.Muted.Render("  "+sub+" · "+m.req.Env),
		stepsBlock(m.c, m.steps, m.state == running, m.spin, m.width),
	}
	switch m.state {
	case running:
		if m.auth != nil {
			parts = append(parts, m.authView(w))
		}
	case succeeded:
		parts = append(parts, m.resultView(w))
	case failed:
		parts = append(parts, m.endView(m.err, w))
	case askingSubject:
		// An OAuth 1.0a flow never asks for a subject token.
	}
	body := lipgloss.JoinVertical(lipgloss.Left, parts...)
	if m.showLog {
		logBox := s.Pane.Width(m.width - 2).Render(s.PaneTitle.Render("Transcript (secrets redacted)") + "\n" + m.log.View())
		body = clip(body, max(3, m.height-lipgloss.Height(logBox)))
		body = lipgloss.JoinVertical(lipgloss.Left, body, logBox)
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(clip(body, m.height))
}

func (m *OAuth1Model) authView(w int) string {
	s := m.c.Styles
	a := m.auth
	lines := []string{"", s.Bold.Render("Approve the access in your browser"), s.Link.Render(wrapURL(a.URL, w))}
	lines = append(lines, m.browserLine()...)
	switch {
	case m.c.Remote && a.Listening:
		lines = append(lines, "", s.Warning.Render("This is an SSH session: no browser can open here."),
			s.Text.Render("Open the URL on your own machine (u copies it, the QR code works from a phone). The provider sends the browser back to "+a.RedirectURI+" on this server; when your browser cannot reach it, paste the address it lands on, or the verifier the page shows, below."))
	case m.c.Remote:
		lines = append(lines, "", s.Warning.Render("This is an SSH session: no browser can open here."),
			s.Text.Render("Open the URL on your own machine (u copies it, the QR code works from a phone), approve, and type the verifier the provider shows below."))
	case a.Listening:
		lines = append(lines, s.Muted.Render("Waiting for the browser to come back to "+a.RedirectURI+" — o opens it again, p takes the verifier (or the address the browser landed on) if it cannot."))
	default:
		lines = append(lines, s.Muted.Render("Out of band: after you approve, the provider shows a verifier. Type it below and press enter."))
	}
	if m.typing || (m.ask != nil && (m.c.Remote || !a.Listening)) {
		lines = append(lines, "", m.input.View())
		if !m.typing {
			lines = append(lines, s.Faint.Render("p puts the cursor back in the field"))
		}
	}
	if m.inputErr != "" {
		lines = append(lines, s.Error.Render(m.inputErr))
	}
	return qrBlock(m.c, lines, a.QR, w, m.height)
}

func (m *OAuth1Model) resultView(w int) string {
	s := m.c.Styles
	r := m.result
	row := func(label, value string) string {
		return ansi.Truncate(s.DetailLabel.Render(fmt.Sprintf("%-16s", label))+value, max(10, w), "…")
	}
	head := s.Success.Render("✓ Authorized") + s.Muted.Render(" (OAuth 1.0a three-legged flow)")
	switch {
	case r.FromCache && r.NoFlow:
		head = s.Success.Render("✓ Stored token credentials") + s.Muted.Render(" (the client has no flow to run: no request-token, authorization or access-token URL)")
	case r.FromCache:
		head = s.Success.Render("✓ Stored token credentials") + s.Muted.Render(" (r authorizes again)")
	}
	stored := r.Secret + " in " + r.Env
	if r.Replaced {
		stored += " (replaced the earlier token)"
	}
	lines := []string{
		"", head,
		row("stored as", s.Text.Render(stored)),
		row("token", s.Masked.Render(common.MaskedText(r.Token))),
		row("token secret", s.Masked.Render(common.MaskedText(r.TokenSecret))),
		row("signature", s.Text.Render(r.Method)),
		row("consumer key", s.Text.Render(r.ConsumerKey)),
	}
	for _, p := range r.Extra {
		lines = append(lines, row(oneLine(p.Name), s.Text.Render(oneLine(p.Value))))
	}
	note := "OAuth 1.0a signs every request on its own (nonce, timestamp, signature), so there is no header to copy: send requests with this client from the request console (auth " + r.Client + ")."
	lines = append(lines, "", lipgloss.NewStyle().Width(max(20, w)).Render(s.Muted.Render(note)))
	return strings.Join(lines, "\n")
}
