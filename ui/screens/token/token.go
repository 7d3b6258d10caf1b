// Package token is the token pane: one stored token set with its access
// token masked (revealed on a key, masked again on leaving), the decoded
// JWT header and claims with readable times, the signature status, a live
// expiry countdown (ticking only while the pane is on screen), granted
// against requested scopes, the refresh token's presence, and the actions
// copy, copy header, refresh, introspect, revoke, delete.
//
// OAuth 1.0a token credentials (OA1_TOKEN) get the same pane without what
// does not apply to them: the token masked with reveal, the token secret
// always masked, the client's signature method and consumer key, and the
// actions copy token, re-authorise and delete. OAuth 1.0a has no refresh,
// introspection or revocation, and each request is signed on its own, so
// there is no header to copy; those keys are disabled.
package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// Messages of the token pane; seq ties results to the request that asked.
type (
	loadedMsg struct {
		seq int
		val vault.SecretValue
		err error
	}
	verifiedMsg struct {
		seq int
		v   oauth.Verification
	}
	actionMsg struct {
		seq    int
		what   string
		result *oauth.Result
		intro  *oauth.Introspection
		revoke *oauth.Revocation
		err    error
	}
	tickMsg struct{ gen int }
)

// Model is the token pane.
type Model struct {
	c    *common.Common
	keys KeyMap
	env  string
	name string

	seq      int
	loading  bool
	loadErr  error
	val      *vault.SecretValue
	jwt      *oauth.JWT
	jwtErr   error
	idJWT    *oauth.JWT
	verify   *oauth.Verification
	revealed bool
	busy     string
	spin     spinner.Model
	intro    *oauth.Introspection
	introErr error
	tr       *oauth.Transcript
	showLog  bool
	// delTag recognises the result of the delete this pane asked for.
	delTag string

	vp      viewport.Model
	visible bool
	tickGen int
	width   int
	height  int
}

// New returns the token pane of the token-set secret name in env.
func New(c *common.Common, env, name string) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), env: env, name: name, visible: true}
	m.vp = viewport.New()
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	return m
}

// Init reads the token set from the store.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.tick()) }

func (m *Model) secret() (vault.Secret, bool) {
	if m.c.Catalog == nil {
		return vault.Secret{}, false
	}
	s, ok := m.c.Catalog.Secret(m.env, m.name)
	if !ok {
		return vault.Secret{}, false
	}
	return *s, true
}

// oauth1 reports whether the pane shows OAuth 1.0a token credentials.
func (m *Model) oauth1() bool {
	s, ok := m.secret()
	return ok && s.Type == vault.TypeOAuth1Token
}

func (m *Model) client() (vault.AuthClient, bool) {
	s, ok := m.secret()
	if !ok || m.c.Catalog == nil || s.AuthClient == "" {
		return vault.AuthClient{}, false
	}
	ac, ok := m.c.Catalog.Client(m.env, s.AuthClient)
	if !ok {
		return vault.AuthClient{}, false
	}
	return *ac, true
}

func (m *Model) load() tea.Cmd {
	s, ok := m.secret()
	if !ok {
		m.loadErr = &vault.NotFoundError{Kind: "secret", Name: m.name, Env: m.env}
		return nil
	}
	if !tokenType(s.Type) {
		// Only token sets are read here: a private key, for one, never
		// leaves the store for a pane that would not show it anyway (S-26).
		m.loadErr = &vault.NotFoundError{Kind: "token set", Name: s.Name, Env: m.env}
		return nil
	}
	m.seq++
	m.loading = true
	seq, v, timeout := m.seq, m.c.Vault, m.c.StoreTimeout
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		val, err := v.SecretValue(ctx, s)
		return loadedMsg{seq: seq, val: val, err: err}
	}
}

// tokenType reports whether secrets of type t hold tokens this pane shows.
func tokenType(t vault.SecretType) bool {
	return t == vault.TypeOAuthToken || t == vault.TypeSessionAuth || t == vault.TypeOAuth1Token
}

// tick re-renders the countdown once a second while the pane is visible.
func (m *Model) tick() tea.Cmd {
	if !m.visible {
		return nil
	}
	m.tickGen++
	gen := m.tickGen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// Title names the pane.
func (m *Model) Title() string { return "token · " + m.name }

// Capturing is false.
func (m *Model) Capturing() bool { return false }

// Revealed reports whether the token is shown unmasked.
func (m *Model) Revealed() bool { return m.revealed }

// Value returns the loaded token set (for tests).
func (m *Model) Value() *vault.SecretValue { return m.val }

// JWT returns the decoded access token, if it is a JWT.
func (m *Model) JWT() *oauth.JWT { return m.jwt }

// Verification returns the signature check, once done.
func (m *Model) Verification() *oauth.Verification { return m.verify }

// Introspection returns the last introspection result.
func (m *Model) Introspection() *oauth.Introspection { return m.intro }

// Busy says what action is running ("" when none).
func (m *Model) Busy() string { return m.busy }

// Ticking reports whether the countdown timer is armed.
func (m *Model) Ticking() bool { return m.visible }

// Close drops the token from memory and re-masks it.
func (m *Model) Close() {
	m.val, m.revealed, m.visible = nil, false, false
}

// Blur re-masks the token and stops the countdown while covered.
func (m *Model) Blur() {
	m.revealed, m.visible = false, false
}

// Focus restarts the countdown when the pane is on top again.
func (m *Model) Focus() tea.Cmd {
	m.visible = true
	return m.tick()
}

// SetSize sizes the scrolling body.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.vp.SetWidth(max(10, w-2))
	m.vp.SetHeight(max(3, h))
}

// RefreshStyles re-themes the spinner.
func (m *Model) RefreshStyles() { m.spin.Style = m.c.Styles.Spinner }

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	have := m.val != nil && m.val.AccessToken != ""
	idle := m.busy == ""
	ac, hasClient := m.client()
	_, exists := m.secret()
	k.Delete.SetEnabled(idle && exists)
	if m.oauth1() {
		have = m.val != nil && m.val.Token != ""
		k.Reveal.SetEnabled(have)
		k.Copy.SetEnabled(have)
		for _, b := range []*key.Binding{&k.CopyHeader, &k.Refresh, &k.Introspect, &k.Revoke} {
			b.SetEnabled(false)
		}
		k.Reauth.SetEnabled(idle && hasClient && ac.Type == vault.ClientOAuth1)
		k.Log.SetEnabled(false)
		if m.revealed {
			k.Reveal.SetHelp("v", "hide")
		}
		return k
	}
	for _, b := range []*key.Binding{&k.Reveal, &k.Copy, &k.CopyHeader} {
		b.SetEnabled(have)
	}
	k.Refresh.SetEnabled(idle && m.val != nil && m.val.RefreshToken != "")
	k.Introspect.SetEnabled(idle && hasClient && have)
	k.Revoke.SetEnabled(idle && hasClient && m.val != nil)
	k.Reauth.SetEnabled(idle && hasClient)
	k.Log.SetEnabled(m.tr != nil)
	if m.revealed {
		k.Reveal.SetHelp("v", "hide")
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.oauth1() {
		return []key.Binding{k.Reveal, k.Copy, k.Reauth, k.Delete, k.Back}
	}
	return []key.Binding{k.Reveal, k.Copy, k.CopyHeader, k.Refresh, k.Introspect, k.Revoke, k.Back}
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Reveal, k.Copy, k.CopyHeader}, {k.Refresh, k.Reauth, k.Introspect, k.Revoke, k.Delete}, {k.Log, k.Up, k.Down, k.Back}}
}

// Update handles loads, actions, the countdown and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.gen != m.tickGen {
			return nil
		}
		return m.tick()
	case spinner.TickMsg:
		if msg.ID != m.spin.ID() || m.busy == "" || !m.visible {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd
	case loadedMsg:
		if msg.seq != m.seq {
			return nil
		}
		return m.loaded(msg)
	case verifiedMsg:
		if msg.seq == m.seq {
			v := msg.v
			m.verify = &v
		}
		return nil
	case actionMsg:
		if msg.seq != m.seq {
			return nil
		}
		return m.actionDone(msg)
	case revokeNow:
		if msg.name != m.name {
			return nil
		}
		return m.revoke()
	case common.ResultMsg:
		if msg.Tag == "" || msg.Tag != m.delTag {
			return nil
		}
		m.delTag = ""
		if msg.Err != nil {
			return nil // the root model shows the error
		}
		m.val, m.revealed = nil, false
		return common.Pop()
	case common.CatalogMsg:
		_, ok := m.secret()
		var nf *vault.NotFoundError
		switch {
		case !ok && m.busy == "":
			m.val, m.jwt = nil, nil
			m.loadErr = &vault.NotFoundError{Kind: "secret", Name: m.name, Env: m.env}
		case ok && errors.As(m.loadErr, &nf):
			// The pane opened before the catalog had the token set (a flow
			// that just stored it): read it now.
			return m.load()
		}
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return nil
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return common.ErrorCmd(msg.err)
	}
	m.loadErr = nil
	v := msg.val
	m.val = &v
	m.jwt, m.jwtErr, m.idJWT, m.verify = nil, nil, nil, nil
	if v.AccessToken != "" {
		m.jwt, m.jwtErr = oauth.DecodeJWT(v.AccessToken)
	}
	if v.IDToken != "" {
		m.idJWT, _ = oauth.DecodeJWT(v.IDToken)
	}
	if m.jwt == nil {
		return nil
	}
	if m.c.OAuth2Engine() == nil {
		m.verify = &oauth.Verification{Status: oauth.NotVerified, Reason: "no OAuth engine in this session"}
		return nil
	}
	ac, ok := m.client()
	if !ok || (ac.Issuer == "" && ac.Endpoints.JWKS == "") {
		m.verify = &oauth.Verification{Status: oauth.NotVerified, Reason: "no issuer or JWKS URL is configured for the token's client"}
		return nil
	}
	e, seq, tok := m.c.OAuth2Engine(), m.seq, v.AccessToken
	opts := oauth.VerifyOptions{JWKSURL: ac.Endpoints.JWKS, Issuer: ac.Issuer}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return verifiedMsg{seq: seq, v: e.VerifyJWT(ctx, tok, opts)}
	}
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
	switch {
	case key.Matches(k, km.Back):
		return common.Pop()
	case key.Matches(k, km.Reveal):
		m.revealed = !m.revealed
	case key.Matches(k, km.Copy):
		if m.oauth1() {
			return common.Copy("token of "+m.name, m.val.Token)
		}
		return common.Copy("access token of "+m.name, m.val.AccessToken)
	case key.Matches(k, km.CopyHeader):
		if strings.EqualFold(m.val.TokenType, "DPoP") {
			// A DPoP-bound token also needs a proof per request (S-44),
			// which only the request console (or the CLI) can make.
			return tea.Batch(common.Copy("Authorization header of "+m.name, "Authorization: DPoP "+m.val.AccessToken),
				common.Status(common.StatusWarning, "DPoP-bound: each request also needs a DPoP proof (authdeck token "+m.name+" -f header --dpop-proof METHOD URL)"))
		}
		return common.Copy("Authorization header of "+m.name, "Authorization: Bearer "+m.val.AccessToken)
	case key.Matches(k, km.Refresh):
		return m.run("refreshing", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) actionMsg {
			r, err := e.Refresh(ctx, req, oauth.FlowCallbacks{})
			return actionMsg{what: "refresh", result: r, err: err}
		})
	case key.Matches(k, km.Introspect):
		return m.run("introspecting", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) actionMsg {
			in, err := e.Introspect(ctx, req, oauth.AccessToken)
			return actionMsg{what: "introspect", intro: in, err: err}
		})
	case key.Matches(k, km.Revoke):
		name := m.name
		d := dialogs.NewConfirm(m.c, "Revoke "+m.name+"?", "The refresh and access tokens are revoked at the provider, then the token set is deleted from the vault.", "Revoke", func() tea.Msg { return revokeNow{name: name} })
		d.Danger = true
		return common.OpenDialog(d)
	case key.Matches(k, km.Reauth):
		ac, _ := m.client()
		msg := common.RunFlowMsg{Env: m.env, Client: ac.Name, Force: true}
		if m.oauth1() {
			msg.Secret = m.name
		}
		return func() tea.Msg { return msg }
	case key.Matches(k, km.Delete):
		return m.confirmDelete()
	case key.Matches(k, km.Log):
		m.showLog = !m.showLog
	case key.Matches(k, km.Up, km.Down):
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(k)
		return cmd
	}
	return nil
}

// confirmDelete asks before deleting the secret from the vault; "no" is
// the default.
func (m *Model) confirmDelete() tea.Cmd {
	env, name := m.env, m.name
	m.delTag = fmt.Sprintf("token-delete-%s-%s-%d", env, name, m.seq)
	body := "The token set is deleted from the vault without telling the provider (R revokes it first)."
	if m.oauth1() {
		body = "The token credentials are deleted from the vault. OAuth 1.0a has no revocation request: the provider honours them until it revokes them itself."
	}
	d := dialogs.NewConfirm(m.c, "Delete "+name+" ("+env+")?", body, "Delete",
		common.ChangeCmd(m.c.Vault, m.c.StoreTimeout, m.delTag, "Deleted "+name, func(ctx context.Context, v *vault.Vault) error {
			return v.RemoveSecret(ctx, env, name)
		}))
	d.Danger = true
	return common.OpenDialog(d)
}

// revokeNow carries the confirmed revocation back to the pane.
type revokeNow struct{ name string }

func (m *Model) revoke() tea.Cmd {
	return m.run("revoking", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) actionMsg {
		rep, err := e.RevokeTokens(ctx, req, oauth.RevokeOptions{})
		return actionMsg{what: "revoke", revoke: rep, err: err}
	})
}

func (m *Model) run(busy string, fn func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) actionMsg) tea.Cmd {
	if m.c.OAuth2Engine() == nil {
		return common.Status(common.StatusWarning, "No OAuth engine in this session")
	}
	m.seq++
	m.busy = busy
	m.tr = oauth.NewTranscript()
	seq, e := m.seq, m.c.OAuth2Engine()
	req := oauth.TokenRequest{Env: m.env, Name: m.name, Transcript: m.tr}
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		msg := fn(ctx, e, req)
		msg.seq = seq
		return msg
	})
}

func (m *Model) actionDone(msg actionMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		if msg.what == "introspect" {
			m.introErr = msg.err
		}
		return common.ErrorCmd(msg.err)
	}
	switch msg.what {
	case "refresh":
		return tea.Batch(m.load(), common.ReloadCatalog(), common.Status(common.StatusSuccess, "Refreshed "+m.name))
	case "introspect":
		m.intro, m.introErr = msg.intro, nil
		state := "inactive"
		if msg.intro.Active {
			state = "active"
		}
		if msg.intro.Local != nil {
			return common.Status(common.StatusInfo, "The provider does not introspect this token; verified locally: "+state)
		}
		return common.Status(common.StatusInfo, "The provider says the token is "+state)
	case "revoke":
		text := m.name + ": " + msg.revoke.String()
		if !msg.revoke.Removed {
			return tea.Batch(m.load(), common.ReloadCatalog(), common.Status(common.StatusSuccess, text))
		}
		m.val = nil
		return tea.Batch(common.Pop(), common.ReloadCatalog(), common.Status(common.StatusSuccess, text))
	}
	return nil
}

// View renders the pane, scrolled by the viewport.
func (m *Model) View() string {
	if m.width <= 0 {
		return ""
	}
	at := m.vp.YOffset()
	m.vp.SetContent(m.render())
	m.vp.SetYOffset(at)
	return lipgloss.NewStyle().Padding(0, 1).Render(m.vp.View())
}

type writer struct {
	m *Model
	b strings.Builder
	w int
}

func (w *writer) line(s string) {
	w.b.WriteString(ansi.Truncate(s, w.w, "…"))
	w.b.WriteByte('\n')
}

func (w *writer) row(label, value string) {
	s := w.m.c.Styles
	w.line(s.DetailLabel.Render(fmt.Sprintf("%-15s", label)) + value)
}

func (w *writer) heading(s string) {
	w.b.WriteByte('\n')
	w.line(w.m.c.Styles.ListSection.Render(s))
}

func (m *Model) render() string {
	s := m.c.Styles
	now := m.c.Now()
	w := &writer{m: m, w: max(10, m.width-2)}
	sec, ok := m.secret()
	title := s.DetailTitle.Render(m.name) + s.Muted.Render("  "+m.env)
	if m.busy != "" {
		title += "  " + m.spin.View() + " " + s.Muted.Render(m.busy+"…")
	}
	w.line(title)
	switch {
	case m.loadErr != nil:
		p := common.Explain(m.loadErr)
		w.line(s.Error.Render(p.Reason + ": " + p.Detail))
		w.line(s.Muted.Render(p.Next))
		return w.b.String()
	case !ok || m.val == nil:
		w.line(s.Muted.Render("Reading the token set from the vault…"))
		return w.b.String()
	}
	v := m.val
	if sec.Type == vault.TypeOAuth1Token {
		m.renderOAuth1(w, sec, now)
		return strings.TrimRight(w.b.String(), "\n")
	}
	if ac, ok := m.client(); ok {
		w.row("client", s.Text.Render(ac.Name+" · "+string(ac.Grant)))
	}
	tokType := v.TokenType
	if tokType == "" {
		tokType = "Bearer"
	}
	switch {
	case v.AccessToken == "":
		w.row("access token", s.Muted.Render("none stored"))
	case m.revealed:
		w.row("access token", s.Revealed.Render("revealed — v hides it; it is hidden again when you leave"))
		for _, chunk := range chunks(v.AccessToken, max(10, w.w-15)) {
			w.row("", s.Revealed.Render(chunk))
		}
	default:
		w.row("access token", s.Masked.Render(common.Masked(tokType, v.AccessToken)))
	}
	m.expiryRow(w, sec, now)
	m.bindingRow(w)
	if v.IssuedTokenType != "" {
		w.row("issued type", s.Text.Render(v.IssuedTokenType))
	}
	m.scopeRows(w, sec)
	refresh := s.Muted.Render("none — the client's grant runs again when the token expires")
	if v.RefreshToken != "" {
		refresh = s.Success.Render("present")
	}
	w.row("refresh token", refresh)
	if sec.LastRefresh != nil {
		w.row("last refresh", s.Text.Render(common.When(*sec.LastRefresh, now)))
	}
	if m.idJWT != nil {
		w.row("id token", s.Text.Render("present · sub "+m.idJWT.Subject))
	}
	m.signatureRow(w)
	m.jwtSection(w, now)
	m.introSection(w, now)
	if m.showLog && m.tr != nil {
		w.heading("TRANSCRIPT")
		for _, l := range strings.Split(strings.TrimRight(m.tr.Text(), "\n"), "\n") {
			w.line(s.Code.Render(l))
		}
	}
	return strings.TrimRight(w.b.String(), "\n")
}

// bindingRow shows the DPoP key a token set is bound to (RFC 9449 cnf.jkt):
// the stored binding, checked against the client's key and the token's own
// cnf claim when it is a JWT.
func (m *Model) bindingRow(w *writer) {
	s := m.c.Styles
	v := m.val
	jkt := v.DPoPJKT
	claim := ""
	if m.jwt != nil {
		if cnf, ok := m.jwt.Claims["cnf"].(map[string]any); ok {
			claim, _ = cnf["jkt"].(string)
		}
	}
	if jkt == "" && claim == "" {
		return
	}
	if jkt == "" {
		jkt = claim
	}
	text := s.Text.Render("DPoP key " + printable(jkt, 64) + " (cnf.jkt)")
	ac, hasClient := m.client()
	switch {
	case claim != "" && claim != jkt:
		text += s.Error.Render("  the token's cnf.jkt names another key")
	case !hasClient || !ac.DPoP:
		text += s.Warning.Render("  the client has no DPoP key: the token cannot be used")
	case ac.DPoPKeyID != jkt:
		text += s.Error.Render("  not the client's key: sign in again")
	default:
		text += s.Success.Render("  the client's key")
	}
	w.row("bound to", text)
}

// renderOAuth1 shows OAuth 1.0a token credentials: no expiry, scopes or
// JWT, and the token secret never unmasked (S-30).
func (m *Model) renderOAuth1(w *writer, sec vault.Secret, now time.Time) {
	s := m.c.Styles
	v := m.val
	ac, hasClient := m.client()
	switch {
	case hasClient:
		w.row("client", s.Text.Render(ac.Name+" · OAuth 1.0a"))
		w.row("consumer key", s.Text.Render(ac.ClientID))
		w.row("signature", s.Text.Render(ac.SignatureMethod))
		if oauth1.IsRSA(ac.SignatureMethod) && ac.KeyID != "" {
			// The RSA key that signs is named by its key id only (S-26).
			w.row("key id", s.Text.Render(ac.KeyID))
		}
	case sec.AuthClient != "":
		w.row("client", s.Warning.Render(sec.AuthClient+" (not in this environment)"))
	default:
		w.row("client", s.Warning.Render("none linked: requests cannot be signed without the consumer"))
	}
	switch {
	case v.Token == "":
		w.row("token", s.Muted.Render("none stored"))
	case m.revealed:
		w.row("token", s.Revealed.Render("revealed — v hides it; it is hidden again when you leave"))
		for _, chunk := range chunks(v.Token, max(10, w.w-15)) {
			w.row("", s.Revealed.Render(chunk))
		}
	default:
		w.row("token", s.Masked.Render(common.MaskedText(v.Token)))
	}
	if v.TokenSecret != "" {
		w.row("token secret", s.Masked.Render(common.MaskedText(v.TokenSecret))+s.Faint.Render("  never shown; it keys the signatures"))
	} else {
		w.row("token secret", s.Muted.Render("none stored"))
	}
	if sec.LastRefresh != nil {
		w.row("authorized", s.Text.Render(common.When(*sec.LastRefresh, now)))
	}
	w.row("expires", s.Muted.Render("no expiry — valid until the provider revokes them"))
	hosts := sec.AllowedHosts
	if len(hosts) == 0 && hasClient {
		hosts = ac.AllowedHosts
	}
	if len(hosts) > 0 {
		w.row("allowed hosts", s.Text.Render(strings.Join(hosts, ", ")))
	}
	w.heading("SIGNING")
	for _, l := range wrapWords("Each request is signed on its own (nonce, timestamp, signature over the method, URL and parameters), so there is no fixed Authorization header to copy. Send requests with auth "+m.name+" from the request console.", max(20, w.w-2)) {
		w.line(s.Muted.Render(l))
	}
}

// wrapWords breaks text into lines of at most width cells.
func wrapWords(text string, width int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) > width:
			out = append(out, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

func (m *Model) expiryRow(w *writer, sec vault.Secret, now time.Time) {
	s := m.c.Styles
	exp := sec.TokenExpires
	if exp == nil && m.jwt != nil {
		exp = m.jwt.Expiry
	}
	if exp == nil {
		w.row("expires", s.Muted.Render("unknown (the server did not say)"))
		return
	}
	left := exp.Sub(now)
	st := s.Success
	switch {
	case left <= 0:
		st = s.Error
	case left < time.Minute:
		st = s.Warning
	}
	w.row("expires", st.Render(common.Countdown(*exp, now))+s.Muted.Render("  "+exp.Local().Format("2006-01-02 15:04:05")))
}

func (m *Model) scopeRows(w *writer, sec vault.Secret) {
	s := m.c.Styles
	granted := strings.Fields(sec.Scope)
	if len(granted) == 0 && m.jwt != nil {
		granted = m.jwt.Scopes
	}
	w.row("granted", s.Text.Render(common.Scopes(granted)))
	ac, ok := m.client()
	if !ok || len(ac.Scopes) == 0 {
		return
	}
	w.row("requested", s.Text.Render(common.Scopes(ac.Scopes)))
	var missing, extra []string
	for _, x := range ac.Scopes {
		if !slices.Contains(granted, x) {
			missing = append(missing, x)
		}
	}
	for _, x := range granted {
		if !slices.Contains(ac.Scopes, x) {
			extra = append(extra, x)
		}
	}
	if len(missing) > 0 {
		w.row("not granted", s.Warning.Render(strings.Join(missing, " ")))
	}
	if len(extra) > 0 {
		w.row("also granted", s.Info.Render(strings.Join(extra, " ")))
	}
}

func (m *Model) signatureRow(w *writer) {
	s := m.c.Styles
	switch {
	case m.jwt == nil && m.jwtErr != nil:
		w.row("format", s.Muted.Render("opaque token (not a JWT): "+m.jwtErr.Error()))
	case m.jwt == nil:
	case m.verify == nil:
		w.row("signature", s.Muted.Render("checking against the issuer's keys…"))
	case m.verify.Status == oauth.Verified:
		w.row("signature", s.Success.Render("✓ verified")+s.Muted.Render(" with key "+m.verify.KeyID))
	case m.verify.Status == oauth.VerifyFailed:
		w.row("signature", s.Error.Render("✗ failed: "+m.verify.Reason))
	default:
		w.row("signature", s.Warning.Render("not verified: "+m.verify.Reason))
	}
}

func (m *Model) jwtSection(w *writer, now time.Time) {
	if m.jwt == nil {
		return
	}
	s := m.c.Styles
	j := m.jwt
	w.heading("HEADER")
	for _, k := range sortedKeys(j.Header) {
		w.row("  "+k, s.Code.Render(claimText(j.Header[k])))
	}
	w.heading("CLAIMS")
	times := map[string]string{}
	for _, t := range j.Times(now) {
		times[t.Name] = t.Human
	}
	for _, k := range j.ClaimNames() {
		val := claimText(j.Claims[k])
		if h, ok := times[k]; ok {
			val = h
		}
		w.row("  "+k, s.Code.Render(val))
	}
}

func (m *Model) introSection(w *writer, now time.Time) {
	s := m.c.Styles
	if m.introErr != nil {
		w.heading("INTROSPECTION")
		w.line(s.Error.Render(common.Explain(m.introErr).OneLine()))
		return
	}
	in := m.intro
	if in == nil {
		return
	}
	w.heading("INTROSPECTION")
	if l := in.Local; l != nil {
		w.line(s.Muted.Render("  verified locally: " + l.Why))
		for _, c := range l.Checks {
			st := s.Muted
			switch c.Result {
			case oauth.CheckPassed:
				st = s.Success
			case oauth.CheckFailed:
				st = s.Error
			case oauth.CheckSkipped:
				// shown as not checked
			}
			w.row("  "+c.Name, st.Render(c.Result.String())+" "+s.Text.Render(c.Detail))
		}
	}
	if in.Active {
		w.row("  active", s.Success.Render("true"))
	} else {
		w.row("  active", s.Error.Render("false"))
	}
	w.row("  scope", s.Text.Render(in.Scope))
	w.row("  client_id", s.Text.Render(in.ClientID))
	w.row("  sub", s.Text.Render(in.Subject))
	if in.Expiry != nil {
		w.row("  exp", s.Text.Render(oauth.HumanTime(*in.Expiry, now)))
	}
	for _, k := range in.ExtraNames() {
		w.row("  "+k, s.Text.Render(in.Extra[k]))
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printable drops control characters and escape sequences from text that
// came with a token and cuts it at max runes.
func printable(t string, max int) string {
	t = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, t)
	if r := []rune(t); len(r) > max {
		return string(r[:max]) + "…"
	}
	return t
}

func claimText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
