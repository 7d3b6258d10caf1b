// Package flow is the pane that runs an OAuth flow: a spinner while it
// works, the authorization URL (with a QR code, a key to open the browser
// and a paste-the-redirect fallback) or the device code, a cancel key, the
// engine's transcript, and the result — or an explanation of what failed and
// what to do next. OAuth 1.0a clients get a pane of their own (OAuth1Model,
// picked by NewFor) that runs the three-legged flow and takes a typed
// verifier for out-of-band callbacks and SSH sessions.
//
// The engine reports through callbacks on its own goroutine; they are
// forwarded into the program through a channel that a command reads, so the
// model only changes in Update.
package flow

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/termsafe"
)

type state int

const (
	running state = iota
	succeeded
	failed
	// askingSubject waits for the subject token of a token exchange
	// client that is given at each call (exchange.go).
	askingSubject
)

var lastID atomic.Int64

// Messages from a running flow; each carries the flow's ID so a late one
// from a cancelled flow is ignored.
type (
	progressMsg struct {
		id   int64
		text string
	}
	authMsg struct {
		id     int64
		prompt oauth.AuthPrompt
	}
	deviceMsg struct {
		id     int64
		prompt oauth.DevicePrompt
	}
	pasteRejectedMsg struct {
		id  int64
		err error
	}
	exchangeMsg  struct{ id int64 }
	credsNeedMsg struct {
		id     int64
		client string
		reply  chan credsReply
	}
	doneMsg struct {
		id     int64
		result *oauth.Result
		err    error
	}
	// openedMsg is the outcome of opening the browser: by the flow itself
	// (fromFlow, through its events) or by the o key.
	openedMsg struct {
		id       int64
		err      error
		fromFlow bool
	}
)

type credsReply struct{ user, pass string }

// Model is the flow pane.
type Model struct {
	pane
	keys KeyMap
	req  common.RunFlowMsg

	paste   chan string
	device  *oauth.DevicePrompt
	pasteEr string
	tr      *oauth.Transcript
	result  *oauth.Result
	err     error
	// restart is the flow to run once the cancelled one has ended.
	restart *common.RunFlowMsg
	// stored is set once the catalog lists the result's token set; gone
	// says why it no longer holds it ("revoked", "deleted"), after which
	// the result's tokens are dropped and no longer offered.
	stored bool
	gone   string
	// subject carries the subject token from its prompt to the flow that
	// sends it (exchange.go); nil when none is asked for.
	subject chan string
}

// New returns the pane for req; Init starts the flow.
func New(c *common.Common, req common.RunFlowMsg) *Model {
	return &Model{pane: newPane(c), keys: DefaultKeyMap(), req: req}
}

// Init starts the flow; one that must get a new token from a token
// exchange client trading a subject token given at each call asks for
// that token first.
func (m *Model) Init() tea.Cmd {
	if m.req.Force && m.needsSubject() {
		return m.askSubject()
	}
	return m.start()
}

func (m *Model) start() tea.Cmd { return m.startWith("") }

// startWith runs the flow; subject, when set, is the token a token
// exchange client trades this once (a new exchange, as the CLI's
// --subject-token-stdin makes).
func (m *Model) startWith(subject string) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.id = lastID.Add(1)
	m.state, m.result, m.err = running, nil, nil
	m.stored, m.gone, m.cancelled = false, "", false
	m.steps, m.auth, m.device, m.pasteEr = nil, nil, nil, ""
	m.started = m.c.Now()
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(m.c.Styles.Spinner))
	e := m.c.OAuth2Engine()
	if e == nil {
		m.state, m.err = failed, fmt.Errorf("no OAuth engine in this session")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.events = make(chan tea.Msg, 64)
	m.paste = make(chan string, 1)
	m.tr = oauth.NewTranscript()
	id, events := m.id, m.events
	send := func(msg tea.Msg) {
		select {
		case events <- msg:
		case <-ctx.Done():
		}
	}
	m.tr.OnRecord = func(oauth.Exchange) {
		select { // a refresh trigger only; dropping one is harmless
		case events <- exchangeMsg{id: id}:
		default:
		}
	}
	cb := oauth.FlowCallbacks{
		Progress:      func(s string) { send(progressMsg{id: id, text: s}) },
		AuthURL:       func(p oauth.AuthPrompt) { send(authMsg{id: id, prompt: p}) },
		DeviceCode:    func(p oauth.DevicePrompt) { send(deviceMsg{id: id, prompt: p}) },
		Pasted:        m.paste,
		BrowserFailed: func(err error) { send(openedMsg{id: id, err: err, fromFlow: true}) },
		PasteRejected: func(err error) { send(pasteRejectedMsg{id: id, err: err}) },
		Credentials: func(ctx context.Context, client string) (string, string, error) {
			reply := make(chan credsReply, 1)
			send(credsNeedMsg{id: id, client: client, reply: reply})
			select {
			case r := <-reply:
				return r.user, r.pass, nil
			case <-ctx.Done():
				return "", "", ctx.Err()
			}
		},
	}
	req := oauth.TokenRequest{
		Env: m.req.Env, Name: m.req.Client, Force: m.req.Force || subject != "", NoBrowser: m.c.Remote,
		Grant: m.req.Grant, Transcript: m.tr, SubjectToken: subject,
	}
	m.c.Log.Info("flow start", "id", id, "env", req.Env, "client", req.Name, "grant", string(req.Grant), "force", req.Force, "remote", m.c.Remote, "subjectGiven", subject != "")
	run := func() tea.Msg {
		r, err := e.Token(ctx, req, cb)
		events <- doneMsg{id: id, result: r, err: err} // buffered; the listener always drains it
		return nil
	}
	return tea.Batch(m.spin.Tick, run, listen(events))
}

// listen waits for the next message of the running flow.
func listen(events <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-events }
}

// Title names the pane.
func (m *Model) Title() string { return "token · " + m.req.Client }

// ScreenKey identifies the pane by the client whose flow it runs.
func (m *Model) ScreenKey() common.ScreenKey {
	return common.ScreenKey{Kind: "flow", Env: m.req.Env, Name: m.req.Client}
}

// Capturing is false.
func (m *Model) Capturing() bool { return false }

// WantsBack is true while the flow runs: esc cancels it first.
func (m *Model) WantsBack() bool { return m.state == running }

// Result returns the flow's result once it succeeded.
func (m *Model) Result() *oauth.Result { return m.result }

// Err returns the flow's error once it failed.
func (m *Model) Err() error { return m.err }

// DevicePrompt returns the device prompt, once shown.
func (m *Model) DevicePrompt() *oauth.DevicePrompt { return m.device }

// Transcript returns the flow's transcript.
func (m *Model) Transcript() *oauth.Transcript { return m.tr }

// Close cancels a running flow and forgets the token.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	m.result = nil
}

// RefreshStyles re-themes the spinner.
func (m *Model) RefreshStyles() { m.spin.Style = m.c.Styles.Spinner }

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	run := m.state == running
	k.Cancel.SetEnabled(run)
	k.Back.SetEnabled(!run)
	k.Open.SetEnabled(run && (m.auth != nil || m.device != nil))
	k.CopyURL.SetEnabled(run && (m.auth != nil || m.device != nil))
	k.Paste.SetEnabled(run && m.auth != nil)
	k.QR.SetEnabled(run && (m.auth != nil && m.auth.QR != "" || m.device != nil && m.device.QR != ""))
	k.Device.SetEnabled(run && m.auth != nil && m.restart == nil && m.deviceAvailable())
	k.Retry.SetEnabled(!run)
	ok := m.state == succeeded && m.result != nil
	k.Token.SetEnabled(ok && m.result.Secret != "")
	k.Copy.SetEnabled(ok && m.gone == "")
	k.CopyHeader.SetEnabled(ok && m.gone == "")
	if m.gone != "" {
		k.Retry.SetHelp(k.Retry.Help().Key, "get a new token")
	}
	k.Log.SetEnabled(m.tr != nil)
	k.Up.SetEnabled(m.showLog)
	k.Down.SetEnabled(m.showLog)
	if m.showLog {
		k.Log.SetHelp("l", "hide transcript")
	}
	return k
}

// deviceAvailable says whether the client could run the device flow instead.
func (m *Model) deviceAvailable() bool {
	if m.req.Grant == vault.GrantDeviceCode || m.c.Catalog == nil {
		return false
	}
	ac, ok := m.c.Catalog.Client(m.req.Env, m.req.Client)
	return ok && (ac.Endpoints.Device != "" || ac.Issuer != "")
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.state == running {
		return []key.Binding{k.Open, k.Paste, k.Device, k.CopyURL, k.Log, k.Cancel}
	}
	return []key.Binding{k.Token, k.Copy, k.CopyHeader, k.Retry, k.Log, k.Back}
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Open, k.CopyURL, k.Paste, k.Device, k.QR, k.Cancel}, {k.Token, k.Copy, k.CopyHeader, k.Retry}, {k.Log, k.Up, k.Down, k.Back}}
}

// Update handles the flow's messages and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.updateShared(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case deviceMsg:
		if msg.id != m.id {
			return nil
		}
		p := msg.prompt
		m.device = &p
		return listen(m.events)
	case pasteRejectedMsg:
		if msg.id != m.id {
			return nil
		}
		m.pasteEr = msg.err.Error()
		return listen(m.events)
	case exchangeMsg:
		if msg.id != m.id {
			return nil
		}
		m.refreshLog()
		return listen(m.events)
	case credsNeedMsg:
		if msg.id != m.id {
			return nil
		}
		return tea.Batch(listen(m.events), m.askCredentials(msg))
	case doneMsg:
		if msg.id != m.id {
			return nil
		}
		if m.restart != nil {
			m.req, m.restart = *m.restart, nil
			return m.start()
		}
		return m.finish(msg)
	case common.TokenSetGoneMsg:
		if m.result == nil || msg.Env != m.result.Env || msg.Secret != m.result.Secret {
			return nil
		}
		// "deleted" is also what a catalog without the set is taken to
		// mean (followCatalog); it arrives in any order with the pane's
		// own word, and never replaces a reason already known.
		if m.gone != "" && msg.Why == "deleted" {
			return nil
		}
		m.dropResult(msg.Why)
		return nil
	case common.CatalogMsg:
		return m.followCatalog(msg.Catalog)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return nil
}

// updateShared handles what the flow panes share (pane.update) and the
// subject token prompt's answers.
func (m *Model) updateShared(msg tea.Msg) (tea.Cmd, bool) {
	if cmd, ok := m.update(msg); ok {
		return cmd, true
	}
	return m.updateSubject(msg)
}

func (m *Model) finish(msg doneMsg) tea.Cmd {
	m.refreshLog()
	took := m.c.Now().Sub(m.started).Round(time.Millisecond)
	if msg.err != nil {
		m.c.Log.Warn("flow failed", "id", msg.id, "client", m.req.Client, "kind", oauth.KindOf(msg.err).String(), "took", took, "err", msg.err)
	} else {
		m.c.Log.Info("flow done", "id", msg.id, "client", m.req.Client, "grant", msg.result.Grant, "cached", msg.result.FromCache, "took", took)
	}
	m.settleCancel(msg.err != nil)
	if msg.err != nil && !m.cancelled && m.missingSubject(msg.err) {
		return m.askSubject()
	}
	if msg.err != nil {
		m.state, m.err = failed, msg.err
		if common.Explain(msg.err).Vault {
			return common.ErrorCmd(msg.err)
		}
		return nil
	}
	m.state, m.result = succeeded, msg.result
	text := "Token issued"
	switch {
	case msg.result.FromCache:
		text = "A stored token is still valid (r fetches a new one)"
	case msg.result.Refreshed:
		text = "Token refreshed"
	}
	return tea.Batch(common.ReloadCatalog(), common.Status(common.StatusSuccess, text+" for "+m.req.Client))
}

// followCatalog notices the result's token set leaving the catalog (deleted
// or revoked elsewhere) once it had been listed. Catalog snapshots can
// arrive out of order, so a snapshot without it only makes the pane read
// the current catalog, and the set is dropped if that lacks it too.
func (m *Model) followCatalog(cat *vault.Catalog) tea.Cmd {
	if m.result == nil || m.result.Secret == "" || cat == nil || m.gone != "" {
		return nil
	}
	if _, ok := cat.Secret(m.result.Env, m.result.Secret); ok {
		m.stored = true
		return nil
	}
	if !m.stored {
		return nil
	}
	v, env, name := m.c.Vault, m.result.Env, m.result.Secret
	return func() tea.Msg {
		cur, err := v.Load()
		if err != nil {
			return nil
		}
		if _, ok := cur.Secret(env, name); ok {
			return nil
		}
		return common.TokenSetGoneMsg{Env: env, Secret: name, Why: "deleted"}
	}
}

// dropResult forgets the result's tokens: they were revoked or deleted, so
// copying them would hand out a dead credential.
func (m *Model) dropResult(why string) {
	m.gone = why
	m.result.AccessToken, m.result.RefreshToken, m.result.IDToken = "", "", ""
}

func (m *Model) askCredentials(msg credsNeedMsg) tea.Cmd {
	reply := msg.reply
	return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title: "Resource owner for " + msg.client,
		Body:  "The password grant is deprecated: authdeck sends these to the token endpoint. Username:",
		OnSubmit: func(user string) tea.Cmd {
			return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
				Title: "Password for " + user, Secret: true,
				OnSubmit: func(pass string) tea.Cmd {
					return func() tea.Msg {
						reply <- credsReply{user: user, pass: pass}
						return nil
					}
				},
			}))
		},
	}))
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
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
	case key.Matches(k, km.Open):
		return m.openBrowser()
	case key.Matches(k, km.CopyURL):
		if m.device != nil {
			return common.Copy("verification URL", m.device.VerificationURI)
		}
		return common.Copy("authorization URL", m.auth.URL)
	case key.Matches(k, km.Paste):
		pasted := m.paste
		return common.OpenDialog(dialogs.NewPrompt(m.c, dialogs.PromptOptions{
			Title:       "Paste the redirected URL",
			Body:        "After you sign in, the browser lands on " + m.auth.RedirectURI + "… — copy that whole address from the address bar and paste it here.",
			Placeholder: m.auth.RedirectURI + "?code=…&state=…",
			Secret:      true,
			OnSubmit: func(s string) tea.Cmd {
				return func() tea.Msg {
					select {
					case pasted <- s:
					default: // one is already waiting to be checked
					}
					return nil
				}
			},
		}))
	case key.Matches(k, km.Device):
		// The engine shares one in-flight request per token set, so the
		// device flow starts once the cancelled one has ended.
		next := m.req
		next.Grant, next.Force = vault.GrantDeviceCode, true
		m.restart = &next
		m.cancel()
		m.steps = append(m.steps, "switching to the device flow…")
		return nil
	case key.Matches(k, km.Retry):
		m.req.Force = true
		if m.needsSubject() {
			return m.askSubject()
		}
		return m.start()
	case key.Matches(k, km.Token):
		if m.gone != "" {
			return common.Status(common.StatusWarning, "The token set "+m.result.Secret+" was "+m.gone+": press "+km.Retry.Help().Key+" to get a new token")
		}
		env, name := m.result.Env, m.result.Secret
		return func() tea.Msg { return common.OpenTokenMsg{Env: env, Secret: name} }
	case key.Matches(k, km.Copy):
		if cmd := m.expiredAdvice(km); cmd != nil {
			return cmd
		}
		return common.Copy("access token of "+m.req.Client, m.result.AccessToken)
	case key.Matches(k, km.CopyHeader):
		if cmd := m.expiredAdvice(km); cmd != nil {
			return cmd
		}
		return common.Copy("Authorization header of "+m.req.Client, "Authorization: "+m.result.Bearer())
	}
	return nil
}

// expiredAdvice says the result's token has expired instead of copying it,
// and names the key that gets a new one; nil while it is valid.
func (m *Model) expiredAdvice(km KeyMap) tea.Cmd {
	if m.result.Expiry.IsZero() || m.result.Expiry.After(m.c.Now()) {
		return nil
	}
	return common.Status(common.StatusWarning, "This access token expired "+common.Ago(m.result.Expiry, m.c.Now())+" and was not copied: press "+km.Retry.Help().Key+" to get a new one")
}

func (m *Model) openBrowser() tea.Cmd {
	target := ""
	switch {
	case m.device != nil:
		target = m.device.VerificationURIComplete
		if target == "" {
			target = m.device.VerificationURI
		}
	case m.auth != nil:
		target = m.auth.URL
	}
	return m.open(target)
}

func (m *Model) refreshLog() {
	if m.tr != nil {
		m.setLog(m.tr.Text())
	}
}

// View renders the pane.
func (m *Model) View() string {
	if m.width <= 0 {
		return ""
	}
	s := m.c.Styles
	w := m.width - 4
	if m.state == running && m.qrAlone {
		if qr := m.currentQR(); qr != "" {
			return qrAloneView(m.c, qr, m.width, m.height)
		}
	}
	var parts []string
	grant := "the client's grant"
	if m.req.Grant != "" {
		grant = m.req.Grant.Label()
	} else if m.c.Catalog != nil {
		if ac, ok := m.c.Catalog.Client(m.req.Env, m.req.Client); ok && ac.Grant != "" {
			grant = ac.Grant.Label()
			if ac.Grant.Deprecated() {
				grant += " " + s.Warning.Render("(deprecated)")
			}
		}
	}
	parts = append(parts, s.DetailTitle.Render("Token for "+m.req.Client)+s.Muted.Render("  "+grant+" · "+m.req.Env))
	parts = append(parts, m.stepsView())
	switch m.state {
	case running:
		if m.device != nil {
			parts = append(parts, m.deviceView(w))
		} else if m.auth != nil {
			parts = append(parts, m.authView(w))
		}
	case succeeded:
		parts = append(parts, m.resultView())
	case failed:
		parts = append(parts, m.errorView(w))
	case askingSubject:
		parts = append(parts, m.askingView(w))
	}
	body := lipgloss.JoinVertical(lipgloss.Left, parts...)
	if m.showLog {
		logBox := s.Pane.Width(m.width - 2).Render(s.PaneTitle.Render("Transcript") + "\n" + m.log.View())
		avail := m.height - lipgloss.Height(logBox)
		body = clip(body, max(3, avail))
		body = lipgloss.JoinVertical(lipgloss.Left, body, logBox)
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(clip(body, m.height))
}

func clip(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

func (m *Model) stepsView() string {
	return stepsBlock(m.c, m.steps, m.state == running, m.spin, m.width)
}

// stepsBlock lists the last steps of a flow, the newest with the spinner
// while it runs.
func stepsBlock(c *common.Common, all []string, run bool, spin spinner.Model, width int) string {
	s := c.Styles
	var b strings.Builder
	steps := all
	if len(steps) > 6 {
		steps = steps[len(steps)-6:]
	}
	for i, st := range steps {
		mark := s.Success.Render("✓ ")
		if st == stepCancelled {
			mark = s.Muted.Render("■ ")
		}
		if i == len(steps)-1 && run {
			mark = spin.View() + " "
		}
		b.WriteString(mark + s.Text.Render(ansi.Truncate(oneLine(st), max(10, width-8), "…")) + "\n")
	}
	if len(all) == 0 && run {
		b.WriteString(spin.View() + " " + s.Muted.Render("starting…") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// oneLine turns line breaks and tabs into spaces and shows every other
// control character (C0 and C1) escaped (S-40).
func oneLine(s string) string {
	return termsafe.Line(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}

func (m *Model) authView(w int) string {
	s := m.c.Styles
	a := m.auth
	var lines []string
	lines = append(lines, "", s.Bold.Render("Sign in in your browser"))
	if a.Deprecated {
		lines = append(lines, s.Warning.Render("The implicit grant is deprecated (tokens travel in the URL fragment)."))
	}
	lines = append(lines, s.Link.Render(wrapURL(a.URL, w)))
	lines = append(lines, m.browserLine()...)
	switch {
	case m.c.Remote:
		lines = append(lines, "", s.Warning.Render("This is an SSH session: no browser can open here."),
			s.Text.Render("Open the URL on your own machine (u copies it, the QR code works from a phone). The redirect goes to "+a.RedirectURI+" on this server; when your browser cannot reach it, copy the address it lands on and paste it (p)."))
		if m.deviceAvailable() {
			lines = append(lines, s.Text.Render("Or press d to sign in with the device flow instead, if the provider allows it for this client."))
		}
	case a.Listening:
		lines = append(lines, s.Muted.Render("Waiting for the browser to come back to "+a.RedirectURI+" — o opens it again, p pastes the redirected URL if it cannot."))
	default:
		lines = append(lines, s.Muted.Render("After signing in, paste the address your browser lands on (p)."))
	}
	if m.pasteEr != "" {
		lines = append(lines, s.Error.Render("That URL was not accepted: "+m.pasteEr))
	}
	return m.withQR(lines, a.QR, w)
}

func (m *Model) deviceView(w int) string {
	s := m.c.Styles
	d := m.device
	now := m.c.Now()
	lines := []string{"", s.Bold.Render("Enter this code at " + termsafe.Line(d.VerificationURI))}
	code := s.UserCode.Render(showCode(d.UserCode))
	lines = append(lines, code)
	lines = append(lines, s.Warning.Render("Check that the page is on "+d.Host+" before you enter the code."))
	if d.VerificationURIComplete != "" {
		lines = append(lines, s.Muted.Render("or open ")+s.Link.Render(wrapURL(d.VerificationURIComplete, w)))
	}
	lines = append(lines, m.browserLine()...)
	status := "waiting for approval"
	if d.Interval > 0 {
		status += fmt.Sprintf(", polling every %s", common.ShortDuration(d.Interval))
	}
	if !d.Expires.IsZero() {
		if d.Expires.After(now) {
			status += " · code expires " + common.Countdown(d.Expires, now)
		} else {
			status += " · the code has expired"
		}
	}
	lines = append(lines, m.spin.View()+" "+s.Muted.Render(status))
	return m.withQR(lines, d.QR, w)
}

func (m *Model) resultView() string {
	s := m.c.Styles
	r := m.result
	now := m.c.Now()
	row := func(label, value string) string {
		return s.DetailLabel.Render(fmt.Sprintf("%-16s", label)) + value
	}
	lines := []string{""}
	head := "✓ Token issued"
	switch {
	case r.FromCache:
		head = "✓ Stored token still valid"
	case r.Refreshed:
		head = "✓ Token refreshed"
	}
	lines = append(lines, s.Success.Render(head)+s.Muted.Render(" ("+vault.Grant(r.Grant).Label()+")"))
	if m.gone != "" {
		lines = append(lines, s.Warning.Render("This token set has since been "+m.gone+": its tokens are no longer offered. Press "+m.keys.Retry.Help().Key+" to get a new token."))
		if r.Secret != "" {
			lines = append(lines, row("was stored as", s.Text.Render(r.Secret+" in "+r.Env)))
		}
		return strings.Join(lines, "\n")
	}
	if r.Deprecated {
		lines = append(lines, s.Warning.Render(oauth.DeprecatedNote))
	}
	if r.Secret != "" {
		lines = append(lines, row("stored as", s.Text.Render(r.Secret+" in "+r.Env)))
	}
	lines = append(lines, row("access token", s.Masked.Render(common.Masked(r.TokenType, r.AccessToken))))
	if !r.Expiry.IsZero() {
		lines = append(lines, row("expires", s.Text.Render(common.When(r.Expiry, now))))
	}
	lines = append(lines, row("scopes", s.Text.Render(common.Scopes(r.GrantedScopes))))
	if len(r.MissingScopes) > 0 {
		lines = append(lines, row("not granted", s.Warning.Render(strings.Join(r.MissingScopes, " "))))
	}
	if len(r.ExtraScopes) > 0 {
		lines = append(lines, row("also granted", s.Info.Render(strings.Join(r.ExtraScopes, " "))))
	}
	refresh := "none"
	if r.RefreshToken != "" {
		refresh = "present"
	}
	lines = append(lines, row("refresh token", s.Text.Render(refresh)))
	if r.IDToken != "" {
		lines = append(lines, row("id token", s.Text.Render("present")))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) errorView(w int) string { return m.endView(m.err, w) }

// endView is how a flow that did not succeed ends: calmly when the person
// cancelled it, else the failure explained.
func (p *pane) endView(err error, w int) string {
	if p.cancelled {
		return "\n" + p.c.Styles.Muted.Render("Cancelled. Nothing was stored; r starts again.")
	}
	return explainView(p.c, err, w)
}

// explainView is the failure pane: what went wrong in short, the detail,
// and what to do next.
func explainView(c *common.Common, err error, w int) string {
	s := c.Styles
	p := common.Explain(err)
	text := lipgloss.NewStyle().Width(max(20, w-6))
	body := []string{s.ErrorTitle.Render("✗ " + p.Reason), "", text.Render(s.Text.Render(p.Detail))}
	if p.Next != "" {
		body = append(body, "", text.Render(s.Bold.Render("Next: ")+s.Text.Render(p.Next)))
	}
	return "\n" + s.ErrorPane.Render(strings.Join(body, "\n"))
}
