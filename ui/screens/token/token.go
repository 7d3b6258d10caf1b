// Package token is the token pane: one stored token set with its access
// token masked (revealed on a key, masked again on leaving), the decoded
// JWT header and claims with readable times — the ID token's beside them —,
// the signature status, a live expiry countdown (ticking only while the
// pane is on screen), granted against requested scopes, the refresh token's
// presence, and the actions copy, copy header, refresh, introspect, revoke,
// delete and "send a request with this token".
//
// OAuth 1.0a token credentials (OA1_TOKEN) get a view of their own
// (oauth1.go) without what does not apply to them: the token masked with
// reveal, the token secret always masked, the client's signature method and
// consumer key, and the actions copy token, re-authorise and delete. OAuth
// 1.0a has no refresh, introspection or revocation, and each request is
// signed on its own, so there is no header to copy. OAuth 2.0 token sets
// and session tokens are shown by oauth2.go; this file holds what both
// views share: loading, the countdown, scrolling, delete and the stack.
package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// Messages of the token pane; seq ties results to the request that asked.
type (
	loadedMsg struct {
		seq int
		// sec is the token set's metadata as the catalog read with the
		// value has it: a pane opened right after a flow stored the set
		// sees it even when the session's snapshot is older.
		sec vault.Secret
		val vault.SecretValue
		err error
	}
	verifiedMsg struct {
		seq int
		v   oauth.Verification
	}
	tickMsg struct{ gen int }
	// deleteNow and revokeNow carry a confirmed action back to the pane.
	revokeNow struct{ name string }
)

// view is what differs between the OAuth 2.0 and the OAuth 1.0a pane: the
// bindings that apply, the keys they handle, and the rows they draw.
type view interface {
	// keyMap enables the bindings that apply to the loaded value.
	keyMap(m *Model, k KeyMap) KeyMap
	// shortHelp lists the footer's bindings.
	shortHelp(k KeyMap) []key.Binding
	// handleKey runs the view's actions; ok is false for keys it leaves
	// to the shared pane.
	handleKey(m *Model, k tea.KeyPressMsg, km KeyMap) (cmd tea.Cmd, ok bool)
	// update handles the view's own result messages.
	update(m *Model, msg tea.Msg) (cmd tea.Cmd, ok bool)
	// render draws the value's rows under the title.
	render(m *Model, w *writer, sec vault.Secret, now time.Time)
}

// Model is the token pane.
type Model struct {
	c    *common.Common
	keys KeyMap
	env  string
	name string

	seq     int
	loading bool
	loadErr error
	// sec is the token set's metadata: from the catalog snapshot, or from
	// the catalog read with the value when that is newer.
	sec      *vault.Secret
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
	// afterRefresh runs once a refresh started by a copy of an expired
	// token has landed (it copies the new one).
	afterRefresh func(v vault.SecretValue) tea.Cmd
	// delTag recognises the result of the delete this pane asked for.
	delTag string

	offset  int
	visible bool
	tickGen int
	width   int
	height  int
}

// New returns the token pane of the token-set secret name in env.
func New(c *common.Common, env, name string) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), env: env, name: name, visible: true}
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	if s, ok := m.catalogSecret(); ok {
		m.sec = &s
	}
	return m
}

// Init reads the token set from the store.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.tick()) }

// catalogSecret looks the token set up in the session's catalog snapshot.
func (m *Model) catalogSecret() (vault.Secret, bool) {
	if m.c.Catalog == nil {
		return vault.Secret{}, false
	}
	s, ok := m.c.Catalog.Secret(m.env, m.name)
	if !ok {
		return vault.Secret{}, false
	}
	return *s, true
}

func (m *Model) secret() (vault.Secret, bool) {
	if m.sec == nil {
		return vault.Secret{}, false
	}
	return *m.sec, true
}

// view picks the OAuth 1.0a or the OAuth 2.0 view by the secret's type.
func (m *Model) view() view {
	if s, ok := m.secret(); ok && s.Type == vault.TypeOAuth1Token {
		return oauth1View{}
	}
	return oauth2View{}
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

// goneClient names the auth client that can issue a token set of this
// name again once it is gone (revoked, deleted): the one it was linked to,
// else a client of the same name.
func (m *Model) goneClient() (vault.AuthClient, bool) {
	if m.c.Catalog == nil {
		return vault.AuthClient{}, false
	}
	name := m.name
	if m.sec != nil && m.sec.AuthClient != "" {
		name = m.sec.AuthClient
	}
	ac, ok := m.c.Catalog.Client(m.env, name)
	if !ok {
		return vault.AuthClient{}, false
	}
	return *ac, true
}

// load reads the token set. Its metadata comes from the catalog read in the
// same command when the snapshot does not have it yet.
func (m *Model) load() tea.Cmd {
	if s, ok := m.secret(); ok && !tokenType(s.Type) {
		// Only token sets are read here: a private key, for one, never
		// leaves the store for a pane that would not show it anyway (S-26).
		m.loadErr = &vault.NotFoundError{Kind: "token set", Name: s.Name, Env: m.env}
		return nil
	}
	m.seq++
	m.loading = true
	seq, v, timeout, env, name := m.seq, m.c.Vault, m.c.StoreTimeout, m.env, m.name
	known, haveKnown := m.secret()
	return func() tea.Msg {
		s := known
		if !haveKnown {
			cat, err := v.Load()
			if err != nil {
				return loadedMsg{seq: seq, err: err}
			}
			fresh, ok := cat.Secret(env, name)
			if !ok {
				return loadedMsg{seq: seq, err: &vault.NotFoundError{Kind: "token set", Name: name, Env: env}}
			}
			s = *fresh
		}
		if !tokenType(s.Type) {
			return loadedMsg{seq: seq, sec: s, err: &vault.NotFoundError{Kind: "token set", Name: s.Name, Env: env}}
		}
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		val, err := v.SecretValue(ctx, s)
		return loadedMsg{seq: seq, sec: s, val: val, err: err}
	}
}

// tokenType reports whether secrets of type t hold tokens this pane shows.
func tokenType(t vault.SecretType) bool {
	ti, ok := t.Info()
	return ok && ti.TokenPane
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

// ScreenKey identifies the pane by the token set it shows.
func (m *Model) ScreenKey() common.ScreenKey {
	return common.ScreenKey{Kind: "token", Env: m.env, Name: m.name}
}

// Capturing is false.
func (m *Model) Capturing() bool { return false }

// Revealed reports whether the token is shown unmasked.
func (m *Model) Revealed() bool { return m.revealed }

// Value returns the loaded token set (for tests).
func (m *Model) Value() *vault.SecretValue { return m.val }

// JWT returns the decoded access token, if it is a JWT.
func (m *Model) JWT() *oauth.JWT { return m.jwt }

// IDToken returns the decoded ID token, if the set has one.
func (m *Model) IDToken() *oauth.JWT { return m.idJWT }

// Verification returns the signature check, once done.
func (m *Model) Verification() *oauth.Verification { return m.verify }

// Introspection returns the last introspection result.
func (m *Model) Introspection() *oauth.Introspection { return m.intro }

// Busy says what action is running ("" when none).
func (m *Model) Busy() string { return m.busy }

// LoadErr returns why the token set could not be shown, if it could not.
func (m *Model) LoadErr() error { return m.loadErr }

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

// SetSize records the pane's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampOffset()
}

// RefreshStyles re-themes the spinner.
func (m *Model) RefreshStyles() { m.spin.Style = m.c.Styles.Spinner }

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	_, exists := m.secret()
	k.Delete.SetEnabled(m.busy == "" && exists && m.loadErr == nil)
	k = m.view().keyMap(m, k)
	if m.loadErr != nil {
		// Gone (revoked, deleted elsewhere): only getting a new one applies.
		for _, b := range []*key.Binding{&k.Reveal, &k.Copy, &k.CopyHeader, &k.Refresh, &k.Introspect, &k.Revoke, &k.Send} {
			b.SetEnabled(false)
		}
		_, ok := m.goneClient()
		k.Reauth.SetEnabled(m.busy == "" && ok)
		k.Reauth.SetHelp(k.Reauth.Help().Key, "get a new token")
	}
	if m.revealed {
		k.Reveal.SetHelp(k.Reveal.Help().Key, "hide")
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.loadErr != nil {
		return []key.Binding{k.Reauth, k.Back}
	}
	return m.view().shortHelp(k)
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{
		{k.Reveal, k.Copy, k.CopyHeader, k.Send},
		{k.Refresh, k.Reauth, k.Introspect, k.Revoke, k.Delete},
		{k.Log, k.Up, k.Down, k.PageUp, k.PageDown, k.Back},
	}
}

// Update handles loads, actions, the countdown and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.view().update(m, msg); ok {
		return cmd
	}
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
	case common.ResultMsg:
		if msg.Tag == "" || msg.Tag != m.delTag {
			return nil
		}
		m.delTag = ""
		if msg.Err != nil {
			return nil // the root model shows the error
		}
		m.val, m.revealed = nil, false
		env, name := m.env, m.name
		return tea.Batch(common.Pop(), func() tea.Msg { return common.TokenSetGoneMsg{Env: env, Secret: name, Why: "deleted"} })
	case common.CatalogMsg:
		return m.catalogChanged()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return nil
}

// catalogChanged follows the token set's metadata. A catalog without the
// set is checked against the vault before the pane gives it up: a
// snapshot older than the pane's own read says nothing.
func (m *Model) catalogChanged() tea.Cmd {
	if s, ok := m.catalogSecret(); ok {
		m.sec = &s
		var nf *vault.NotFoundError
		if !m.loading && m.busy == "" && errors.As(m.loadErr, &nf) {
			// The pane opened before the catalog had the token set (a flow
			// that just stored it): read it now.
			m.loadErr = nil
			return m.load()
		}
		return nil
	}
	if m.busy != "" || m.loading || m.loadErr != nil {
		return nil
	}
	m.sec = nil
	return m.load()
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	if msg.sec.Name != "" {
		s := msg.sec
		m.sec = &s
	}
	if msg.err != nil {
		m.loadErr = msg.err
		m.val, m.jwt, m.idJWT, m.revealed, m.afterRefresh = nil, nil, nil, false, nil
		if common.Explain(msg.err).Vault {
			return common.ErrorCmd(msg.err)
		}
		return nil // the pane says what is wrong and what to do
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
	var then tea.Cmd
	if m.afterRefresh != nil {
		then, m.afterRefresh = m.afterRefresh(v), nil
	}
	return tea.Batch(then, m.verifyCmd())
}

// verifyCmd checks the access token's signature against the issuer's keys.
func (m *Model) verifyCmd() tea.Cmd {
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
	e, seq, tok := m.c.OAuth2Engine(), m.seq, m.val.AccessToken
	opts := oauth.VerifyOptions{JWKSURL: ac.Endpoints.JWKS, Issuer: ac.Issuer}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return verifiedMsg{seq: seq, v: e.VerifyJWT(ctx, tok, opts)}
	}
}

// handleKey runs the view's actions first, then what both views share.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
	if cmd, ok := m.view().handleKey(m, k, km); ok {
		return cmd
	}
	switch {
	case key.Matches(k, km.Back):
		return common.Pop()
	case key.Matches(k, km.Reveal):
		m.revealed = !m.revealed
	case key.Matches(k, km.Reauth):
		return m.reauth()
	case key.Matches(k, km.Send):
		env, name := m.env, m.name
		return func() tea.Msg { return common.OpenRequestMsg{Env: env, Auth: name} }
	case key.Matches(k, km.Delete):
		return m.confirmDelete()
	case key.Matches(k, km.Log):
		m.showLog = !m.showLog
		m.clampOffset()
	case key.Matches(k, km.Up):
		m.scroll(-1)
	case key.Matches(k, km.Down):
		m.scroll(1)
	case key.Matches(k, km.PageUp):
		m.scroll(-max(1, m.height-1))
	case key.Matches(k, km.PageDown):
		m.scroll(max(1, m.height-1))
	}
	return nil
}

// reauth runs the client's grant again for this token set.
func (m *Model) reauth() tea.Cmd {
	ac, ok := m.client()
	if !ok {
		if ac, ok = m.goneClient(); !ok {
			return nil
		}
	}
	msg := common.RunFlowMsg{Env: m.env, Client: ac.Name, Force: true}
	if ac.Type == vault.ClientOAuth1 {
		msg.Secret = m.name
	}
	return func() tea.Msg { return msg }
}

// confirmDelete asks before deleting the secret from the vault; "no" is
// the default.
func (m *Model) confirmDelete() tea.Cmd {
	env, name := m.env, m.name
	m.delTag = fmt.Sprintf("token-delete-%s-%s-%d", env, name, m.seq)
	body := "The token set is deleted from the vault without telling the provider (R revokes it first)."
	if s, ok := m.secret(); ok && s.Type == vault.TypeOAuth1Token {
		body = "The token credentials are deleted from the vault. OAuth 1.0a has no revocation request: the provider honours them until it revokes them itself."
	}
	d := dialogs.NewConfirm(m.c, "Delete "+name+" ("+env+")?", body, "Delete",
		common.ChangeCmd(m.c.Vault, m.c.StoreTimeout, m.delTag, "Deleted "+name, func(ctx context.Context, v *vault.Vault) error {
			return v.RemoveSecret(ctx, env, name)
		}))
	d.Danger = true
	return common.OpenDialog(d)
}

// scroll moves the view by n lines, within the content.
func (m *Model) scroll(n int) {
	m.offset += n
	m.clampOffset()
}

func (m *Model) clampOffset() {
	if m.width <= 0 {
		return
	}
	lines := strings.Count(m.render(), "\n") + 1
	m.offset = max(0, min(m.offset, lines-m.height))
}

// View renders the pane from the scroll offset; it changes nothing.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := strings.Split(m.render(), "\n")
	off := max(0, min(m.offset, len(lines)-m.height))
	lines = lines[off:min(len(lines), off+m.height)]
	for i, l := range lines {
		lines[i] = padCut(l, max(10, m.width-2))
	}
	return lipgloss.NewStyle().Padding(0, 1).Render(strings.Join(lines, "\n"))
}

// render draws the whole pane (the view cuts the visible part out).
func (m *Model) render() string {
	s := m.c.Styles
	now := m.c.Now()
	w := &writer{m: m, w: max(10, m.width-2)}
	sec, ok := m.secret()
	title := s.DetailTitle.Render(m.name) + s.Muted.Render("  "+m.env)
	if ok {
		title += s.Muted.Render("  " + sec.Type.Label())
	}
	if m.busy != "" {
		title += "  " + m.spin.View() + " " + s.Muted.Render(m.busy+"…")
	}
	w.line(title)
	switch {
	case m.loadErr != nil:
		m.renderGone(w)
		return strings.TrimRight(w.b.String(), "\n")
	case !ok || m.val == nil:
		w.line(s.Muted.Render("Reading the token set from the vault…"))
		return w.b.String()
	}
	m.view().render(m, w, sec, now)
	return strings.TrimRight(w.b.String(), "\n")
}

// renderGone explains a token set that cannot be shown: gone (revoked,
// deleted) with the way to a new one, or the store's error.
func (m *Model) renderGone(w *writer) {
	s := m.c.Styles
	if sec, ok := m.secret(); ok && !tokenType(sec.Type) {
		w.line(s.Warning.Render("There is no token set here: " + m.name + " is a secret of type " + sec.Type.Label() + ", and this pane shows token sets only."))
		return
	}
	var nf *vault.NotFoundError
	if errors.As(m.loadErr, &nf) {
		w.line(s.Warning.Render("No token set " + m.name + " in " + m.env + ": it was revoked or deleted."))
		if ac, ok := m.goneClient(); ok {
			w.line(s.Muted.Render("Press " + m.keys.Reauth.Help().Key + " to get a new token from the auth client " + ac.Name + "."))
		} else {
			w.line(s.Muted.Render("Get a new token from its auth client (enter on the client in the list)."))
		}
		return
	}
	p := common.Explain(m.loadErr)
	w.line(s.Error.Render(p.OneLine()))
	if p.Next != "" {
		w.line(s.Muted.Render(p.Next))
	}
}
