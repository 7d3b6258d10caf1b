package token

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// The OAuth 2.0 view's results, one type per action.
type (
	refreshedMsg struct {
		seq    int
		result *oauth.Result
		err    error
	}
	introspectedMsg struct {
		seq   int
		intro *oauth.Introspection
		err   error
	}
	revokedMsg struct {
		seq    int
		report *oauth.Revocation
		err    error
	}
)

// oauth2View shows an OAuth 2.0 token set (or a session token): the access
// token, expiry, scopes, refresh token, the decoded JWTs, and the actions
// refresh, introspect and revoke.
type oauth2View struct{}

func (oauth2View) keyMap(m *Model, k KeyMap) KeyMap {
	have := m.val != nil && m.val.AccessToken != ""
	idle := m.busy == ""
	_, hasClient := m.client()
	for _, b := range []*key.Binding{&k.Reveal, &k.Copy, &k.CopyHeader, &k.Send} {
		b.SetEnabled(have)
	}
	k.Refresh.SetEnabled(idle && m.val != nil && m.val.RefreshToken != "")
	k.Introspect.SetEnabled(idle && hasClient && have)
	k.Revoke.SetEnabled(idle && hasClient && m.val != nil)
	k.Reauth.SetEnabled(idle && hasClient)
	k.Log.SetEnabled(m.tr != nil)
	if m.showLog {
		k.Log.SetHelp(k.Log.Help().Key, "hide transcript")
	}
	return k
}

func (oauth2View) shortHelp(k KeyMap) []key.Binding {
	return []key.Binding{k.Reveal, k.Copy, k.CopyHeader, k.Send, k.Refresh, k.Revoke, k.Back}
}

func (v oauth2View) handleKey(m *Model, k tea.KeyPressMsg, km KeyMap) (tea.Cmd, bool) {
	switch {
	case key.Matches(k, km.Copy):
		return v.copyFresh(m, "access token of "+m.name, func(val vault.SecretValue) string { return val.AccessToken }), true
	case key.Matches(k, km.CopyHeader):
		return v.copyFresh(m, "Authorization header of "+m.name, authorizationHeader), true
	case key.Matches(k, km.Refresh):
		return v.refresh(m), true
	case key.Matches(k, km.Introspect):
		return m.run("introspecting", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest, seq int) tea.Msg {
			in, err := e.Introspect(ctx, req, oauth.AccessToken)
			return introspectedMsg{seq: seq, intro: in, err: err}
		}), true
	case key.Matches(k, km.Revoke):
		name := m.name
		d := dialogs.NewConfirm(m.c, "Revoke "+m.name+"?", "The refresh and access tokens are revoked at the provider, then the token set is deleted from the vault.", "Revoke", func() tea.Msg { return revokeNow{name: name} })
		d.Danger = true
		return common.OpenDialog(d), true
	}
	return nil, false
}

// authorizationHeader is the header a token set is sent with; a DPoP-bound
// token uses the DPoP scheme.
func authorizationHeader(val vault.SecretValue) string {
	if strings.EqualFold(val.TokenType, "DPoP") {
		return "Authorization: DPoP " + val.AccessToken
	}
	return "Authorization: Bearer " + val.AccessToken
}

// copyFresh copies what pick takes from the token set, as the CLI does: an
// expired token is refreshed first when it can be; else the user is told
// it expired and offered a new one before anything is copied.
func (v oauth2View) copyFresh(m *Model, label string, pick func(vault.SecretValue) string) tea.Cmd {
	copyCmd := func(val vault.SecretValue) tea.Cmd {
		cmd := common.Copy(label, pick(val))
		if strings.EqualFold(val.TokenType, "DPoP") && strings.HasPrefix(label, "Authorization") {
			// A DPoP-bound token also needs a proof per request (S-44),
			// which only the request console (or the CLI) can make.
			return tea.Batch(cmd, common.Status(common.StatusWarning, "DPoP-bound: each request also needs a DPoP proof (authdeck token "+m.name+" -f header --dpop-proof METHOD URL)"))
		}
		return cmd
	}
	exp, expired := m.expired()
	if !expired {
		return copyCmd(*m.val)
	}
	ago := common.Ago(exp, m.c.Now())
	if m.val.RefreshToken != "" && m.busy == "" && m.c.OAuth2Engine() != nil {
		m.afterRefresh = func(val vault.SecretValue) tea.Cmd { return copyCmd(val) }
		return tea.Batch(common.Status(common.StatusInfo, "The access token of "+m.name+" expired "+ago+"; refreshing it before copying…"), v.refresh(m))
	}
	opts := []dialogs.Option{}
	if m.KeyMap().Reauth.Enabled() {
		opts = append(opts, dialogs.Option{Label: "Get a new token", Desc: "runs the client's grant again (" + m.keys.Reauth.Help().Key + ")", Cmd: m.reauth()})
	}
	val := *m.val
	opts = append(opts, dialogs.Option{Label: "Copy the expired token anyway", Desc: "the server will refuse it", Cmd: copyCmd(val)})
	return common.OpenDialog(dialogs.NewChoice(m.c, "The access token of "+m.name+" expired "+ago, opts))
}

// expired reports whether the access token has expired, and when.
func (m *Model) expired() (time.Time, bool) {
	exp := m.expiry()
	if exp == nil {
		return time.Time{}, false
	}
	return *exp, !exp.After(m.c.Now())
}

// expiry is when the access token expires: the catalog's record, else the
// JWT's exp claim; nil when nobody said.
func (m *Model) expiry() *time.Time {
	if s, ok := m.secret(); ok && s.TokenExpires != nil {
		return s.TokenExpires
	}
	if m.jwt != nil {
		return m.jwt.Expiry
	}
	return nil
}

func (oauth2View) refresh(m *Model) tea.Cmd {
	return m.run("refreshing", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest, seq int) tea.Msg {
		r, err := e.Refresh(ctx, req, oauth.FlowCallbacks{})
		return refreshedMsg{seq: seq, result: r, err: err}
	})
}

func (oauth2View) revoke(m *Model) tea.Cmd {
	return m.run("revoking", func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest, seq int) tea.Msg {
		rep, err := e.RevokeTokens(ctx, req, oauth.RevokeOptions{})
		return revokedMsg{seq: seq, report: rep, err: err}
	})
}

// run starts an engine action in a command with a fresh transcript.
func (m *Model) run(busy string, fn func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest, seq int) tea.Msg) tea.Cmd {
	if m.c.OAuth2Engine() == nil {
		m.afterRefresh = nil
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
		return fn(ctx, e, req, seq)
	})
}

func (v oauth2View) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case revokeNow:
		if msg.name != m.name {
			return nil, true
		}
		return v.revoke(m), true
	case refreshedMsg:
		if msg.seq != m.seq {
			return nil, true
		}
		m.busy = ""
		if msg.err != nil {
			m.afterRefresh = nil
			return common.ErrorCmd(msg.err), true
		}
		return tea.Batch(m.load(), common.ReloadCatalog(), common.Status(common.StatusSuccess, "Refreshed "+m.name)), true
	case introspectedMsg:
		if msg.seq != m.seq {
			return nil, true
		}
		m.busy = ""
		if msg.err != nil {
			m.introErr = msg.err
			return common.ErrorCmd(msg.err), true
		}
		m.intro, m.introErr = msg.intro, nil
		state := "inactive"
		if msg.intro.Active {
			state = "active"
		}
		if msg.intro.Local != nil {
			return common.Status(common.StatusInfo, "The provider does not introspect this token; verified locally: "+state), true
		}
		return common.Status(common.StatusInfo, "The provider says the token is "+state), true
	case revokedMsg:
		if msg.seq != m.seq {
			return nil, true
		}
		m.busy = ""
		if msg.err != nil {
			return common.ErrorCmd(msg.err), true
		}
		text := m.name + ": " + msg.report.String()
		env, name := m.env, m.name
		gone := func() tea.Msg { return common.TokenSetGoneMsg{Env: env, Secret: name, Why: "revoked"} }
		if !msg.report.Removed {
			return tea.Batch(m.load(), common.ReloadCatalog(), gone, common.Status(common.StatusSuccess, text)), true
		}
		m.val = nil
		return tea.Batch(common.Pop(), common.ReloadCatalog(), gone, common.Status(common.StatusSuccess, text)), true
	}
	return nil, false
}

func (oauth2View) render(m *Model, w *writer, sec vault.Secret, now time.Time) {
	s := m.c.Styles
	v := m.val
	if ac, ok := m.client(); ok {
		how := ac.Type.Label()
		if ac.Type == vault.ClientOAuth2 && ac.Grant != "" {
			how = ac.Grant.Label()
		}
		w.row("client", s.Text.Render(ac.Name+" · "+how))
	} else if sec.AuthClient != "" {
		w.row("client", s.Warning.Render(sec.AuthClient+" (not in this environment)"))
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
	expiryRow(m, w, now)
	bindingRow(m, w)
	if v.IssuedTokenType != "" {
		w.row("issued type", s.Text.Render(v.IssuedTokenType))
	}
	scopeRows(m, w, sec)
	refresh := s.Muted.Render("none — the client's grant runs again when the token expires")
	if v.RefreshToken != "" {
		refresh = s.Success.Render("present")
	}
	w.row("refresh token", refresh)
	if sec.LastRefresh != nil {
		w.row("last refresh", s.Text.Render(common.When(*sec.LastRefresh, now)))
	}
	if m.idJWT != nil {
		w.row("id token", s.Text.Render("present · sub "+printable(m.idJWT.Subject, 80)))
	} else if v.IDToken != "" {
		w.row("id token", s.Text.Render("present (not a readable JWT)"))
	}
	signatureRow(m, w)
	jwtSections(m, w, now)
	introSection(m, w, now)
	if m.showLog && m.tr != nil {
		w.heading("TRANSCRIPT")
		for _, l := range strings.Split(strings.TrimRight(m.tr.Text(), "\n"), "\n") {
			w.line(s.Code.Render(l))
		}
	}
}

// expiryRow shows when the access token expires, with a live countdown.
func expiryRow(m *Model, w *writer, now time.Time) {
	s := m.c.Styles
	exp := m.expiry()
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
	note := ""
	if left <= 0 {
		note = "  copying refreshes it first, or r / a gets a new one"
		if m.val == nil || m.val.RefreshToken == "" {
			note = "  a gets a new one"
		}
	}
	w.row("expires", st.Render(common.Countdown(*exp, now))+s.Muted.Render("  "+exp.Local().Format("2006-01-02 15:04:05")+note))
}

// bindingRow shows the DPoP key a token set is bound to (RFC 9449 cnf.jkt):
// the stored binding, checked against the client's key and the token's own
// cnf claim when it is a JWT.
func bindingRow(m *Model, w *writer) {
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

func scopeRows(m *Model, w *writer, sec vault.Secret) {
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

func signatureRow(m *Model, w *writer) {
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

// idTokenBesideWidth is the pane width from which the ID token's claims
// are drawn beside the access token's instead of under them.
const idTokenBesideWidth = 110

// jwtSections shows the decoded access token and, when the set has one,
// the ID token: side by side on a wide pane, one under the other else.
func jwtSections(m *Model, w *writer, now time.Time) {
	var access, id []string
	if m.jwt != nil {
		access = jwtLines(m, "ACCESS TOKEN", m.jwt, now, w.w)
	}
	if m.idJWT != nil {
		id = jwtLines(m, "ID TOKEN", m.idJWT, now, w.w)
	}
	if len(access) == 0 && len(id) == 0 {
		return
	}
	w.b.WriteByte('\n')
	if m.jwt != nil && m.idJWT != nil && w.w >= idTokenBesideWidth {
		col := (w.w - 2) / 2
		access, id = jwtLines(m, "ACCESS TOKEN", m.jwt, now, col), jwtLines(m, "ID TOKEN", m.idJWT, now, col)
		for i := range max(len(access), len(id)) {
			left, right := "", ""
			if i < len(access) {
				left = access[i]
			}
			if i < len(id) {
				right = id[i]
			}
			w.line(padCut(left, col) + "  " + padCut(right, col))
		}
		return
	}
	for _, l := range access {
		w.line(l)
	}
	if len(access) > 0 && len(id) > 0 {
		w.b.WriteByte('\n')
	}
	for _, l := range id {
		w.line(l)
	}
}

// jwtLines renders one JWT's header and claims in width cells, times made
// readable and long values wrapped so every one can be read in full.
func jwtLines(m *Model, title string, j *oauth.JWT, now time.Time, width int) []string {
	s := m.c.Styles
	var lines []string
	row := func(label, value string) {
		lines = append(lines, wrapRow(s.DetailLabel.Render(padCut("  "+label, labelW)), value, width, s.Code.Render)...)
	}
	lines = append(lines, s.ListSection.Render(title+" · HEADER"))
	for _, k := range slices.Sorted(maps.Keys(j.Header)) {
		row(k, printable(claimText(j.Header[k]), 4096))
	}
	lines = append(lines, "", s.ListSection.Render(title+" · CLAIMS"))
	times := map[string]string{}
	for _, t := range j.Times(now) {
		times[t.Name] = t.Human
	}
	for _, k := range j.ClaimNames() {
		val := claimText(j.Claims[k])
		if h, ok := times[k]; ok {
			val = h
		}
		row(k, printable(val, 4096))
	}
	return lines
}

func introSection(m *Model, w *writer, now time.Time) {
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
