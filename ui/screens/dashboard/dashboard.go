// Package dashboard lists every stored token set of every environment with
// its client, scopes, a live expiry countdown, refresh-token presence and
// last refresh — all from catalog metadata, so listing makes no store call —
// with one-key refresh, re-authorise, copy, revoke and delete. OAuth 1.0a
// token credentials are listed too, with the actions that apply to them
// (re-authorise, copy, delete: they neither expire nor refresh, and OAuth
// 1.0a has no revocation request).
package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

type (
	tickMsg struct{ gen int }
	doneMsg struct {
		id   string
		what string
		err  error
	}
	copyMsg struct {
		label, value string
		err          error
		// refreshed names the row refreshed before the copy.
		refreshed string
	}
	revokeNow struct{ row Row }
)

// Row is one token set.
type Row struct {
	ID          string
	Name        string
	Env         string
	Client      string
	Scope       string
	Expires     *time.Time
	HasRefresh  bool
	LastRefresh *time.Time
	Session     bool
	// OAuth1 marks OAuth 1.0a token credentials (OA1_TOKEN).
	OAuth1 bool
	secret vault.Secret
}

// Model is the dashboard.
type Model struct {
	c       *common.Common
	keys    KeyMap
	rows    []Row
	cursor  int
	offset  int
	busy    map[string]string
	visible bool
	tickGen int
	width   int
	height  int
}

// New returns the dashboard.
func New(c *common.Common) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), busy: map[string]string{}, visible: true}
	m.rebuild()
	return m
}

// Init starts the countdown.
func (m *Model) Init() tea.Cmd { return m.tick() }

// Rows returns the token sets listed.
func (m *Model) Rows() []Row { return m.rows }

// Cursor returns the selected row index.
func (m *Model) Cursor() int { return m.cursor }

// rebuild lists the token sets of the catalog: metadata only, no store call.
func (m *Model) rebuild() {
	var sel string
	if m.cursor < len(m.rows) {
		sel = m.rows[m.cursor].ID
	}
	m.rows = m.rows[:0]
	if cat := m.c.Catalog; cat != nil {
		for _, s := range cat.Secrets {
			if s.Type != vault.TypeOAuthToken && s.Type != vault.TypeSessionAuth && s.Type != vault.TypeOAuth1Token {
				continue
			}
			m.rows = append(m.rows, Row{
				ID: s.ID, Name: s.Name, Env: s.Env, Client: s.AuthClient, Scope: s.Scope,
				Expires: s.TokenExpires, HasRefresh: s.HasRefresh, LastRefresh: s.LastRefresh, Session: s.Type == vault.TypeSessionAuth,
				OAuth1: s.Type == vault.TypeOAuth1Token, secret: s,
			})
		}
	}
	slices.SortStableFunc(m.rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Env, b.Env), cmp.Compare(a.Name, b.Name))
	})
	m.cursor = 0
	for i, r := range m.rows {
		if r.ID == sel {
			m.cursor = i
		}
	}
}

// tick re-renders once a second while visible and a countdown is shown.
func (m *Model) tick() tea.Cmd {
	if !m.visible || !slices.ContainsFunc(m.rows, func(r Row) bool { return r.Expires != nil }) {
		return nil
	}
	m.tickGen++
	gen := m.tickGen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// Title names the screen.
func (m *Model) Title() string { return "tokens" }

// ScreenKey identifies the screen.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "dashboard"} }

// Capturing is false.
func (m *Model) Capturing() bool { return false }

// Blur stops the countdown while covered.
func (m *Model) Blur() { m.visible = false }

// Focus restarts it.
func (m *Model) Focus() tea.Cmd {
	m.visible = true
	return m.tick()
}

// Close stops the countdown.
func (m *Model) Close() { m.visible = false }

// SetSize records the size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampOffset()
}

// visibleRows is how many rows fit under the title and the column heads.
func (m *Model) visibleRows() int { return max(1, m.height-4) }

// clampOffset keeps the cursor's row on screen.
func (m *Model) clampOffset() {
	visible := m.visibleRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+visible {
		m.offset = m.cursor - visible + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-visible))
}

func (m *Model) selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return Row{}, false
	}
	return m.rows[m.cursor], true
}

func (m *Model) clientOf(r Row) (vault.AuthClient, bool) {
	if m.c.Catalog == nil || r.Client == "" {
		return vault.AuthClient{}, false
	}
	ac, ok := m.c.Catalog.Client(r.Env, r.Client)
	if !ok {
		return vault.AuthClient{}, false
	}
	return *ac, true
}

// KeyMap returns the bindings that apply to the selection.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	r, ok := m.selected()
	idle := ok && m.busy[r.ID] == ""
	_, hasClient := m.clientOf(r)
	k.Open.SetEnabled(ok)
	k.Copy.SetEnabled(ok)
	k.Delete.SetEnabled(idle)
	k.Refresh.SetEnabled(idle && r.HasRefresh && !r.OAuth1)
	k.Reauth.SetEnabled(idle && hasClient)
	k.Revoke.SetEnabled(idle && hasClient && !r.OAuth1)
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(len(m.rows) > 1)
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	return []key.Binding{k.Open, k.Refresh, k.Reauth, k.Copy, k.Revoke, k.Delete, k.Back}
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Refresh, k.Reauth, k.Copy, k.Revoke, k.Delete}, {k.Back}}
}

// Update handles keys, the countdown and action results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.clampOffset()
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.gen != m.tickGen {
			return nil
		}
		return m.tick()
	case common.CatalogMsg:
		m.rebuild()
		if m.tickGen == 0 {
			return m.tick()
		}
		return nil
	case doneMsg:
		delete(m.busy, msg.id)
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		return tea.Batch(common.ReloadCatalog(), common.Status(common.StatusSuccess, msg.what))
	case copyMsg:
		var reload tea.Cmd
		if msg.refreshed != "" {
			delete(m.busy, msg.refreshed)
			reload = common.ReloadCatalog()
		}
		if msg.err != nil {
			return tea.Batch(reload, common.ErrorCmd(msg.err))
		}
		if msg.value == "" {
			return tea.Batch(reload, common.Status(common.StatusWarning, "Nothing stored to copy: "+msg.label+" is empty"))
		}
		return tea.Batch(reload, common.Copy(msg.label, msg.value))
	case revokeNow:
		return m.action(msg.row, "revoking", "Revoked and deleted "+msg.row.Name, func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) error {
			return e.Revoke(ctx, req)
		})
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return nil
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
	r, ok := m.selected()
	switch {
	case key.Matches(k, km.Back):
		return common.Pop()
	case key.Matches(k, km.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(k, km.Down):
		m.cursor = min(len(m.rows)-1, m.cursor+1)
	case key.Matches(k, km.PageUp):
		m.cursor = max(0, m.cursor-m.visibleRows())
	case key.Matches(k, km.PageDown):
		m.cursor = min(len(m.rows)-1, m.cursor+m.visibleRows())
	case key.Matches(k, km.Top):
		m.cursor = 0
	case key.Matches(k, km.Bottom):
		m.cursor = max(0, len(m.rows)-1)
	case !ok:
		return nil
	case key.Matches(k, km.Open):
		return func() tea.Msg { return common.OpenTokenMsg{Env: r.Env, Secret: r.Name} }
	case key.Matches(k, km.Refresh):
		return m.action(r, "refreshing", "Refreshed "+r.Name, func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) error {
			_, err := e.Refresh(ctx, req, oauth.FlowCallbacks{})
			return err
		})
	case key.Matches(k, km.Reauth):
		ac, _ := m.clientOf(r)
		msg := common.RunFlowMsg{Env: r.Env, Client: ac.Name, Force: true}
		if r.OAuth1 {
			msg.Secret = r.Name
		}
		return func() tea.Msg { return msg }
	case key.Matches(k, km.Copy):
		return m.copy(r, km)
	case key.Matches(k, km.Revoke):
		d := dialogs.NewConfirm(m.c, "Revoke "+r.Name+" ("+r.Env+")?", "The tokens are revoked at the provider, then the token set is deleted from the vault.", "Revoke",
			func() tea.Msg { return revokeNow{row: r} })
		d.Danger = true
		return common.OpenDialog(d)
	case key.Matches(k, km.Delete):
		body := "The token set is deleted from the vault without telling the provider (R revokes it first)."
		if r.OAuth1 {
			body = "The OAuth 1.0a token credentials are deleted from the vault; the provider honours them until it revokes them itself."
		}
		d := dialogs.NewConfirm(m.c, "Delete "+r.Name+" ("+r.Env+")?", body, "Delete",
			common.ChangeCmd(m.c.Vault, m.c.StoreTimeout, "dashboard-delete", "Deleted "+r.Name, func(ctx context.Context, v *vault.Vault) error {
				return v.RemoveSecret(ctx, r.Env, r.Name)
			}))
		d.Danger = true
		return common.OpenDialog(d)
	}
	return nil
}

// copy copies the row's token. An expired one is refreshed first, as the
// CLI does, or, without a refresh token, not copied: the status says how
// to get a new one.
func (m *Model) copy(r Row, km KeyMap) tea.Cmd {
	v, timeout, sec := m.c.Vault, m.c.StoreTimeout, r.secret
	read := func(ctx context.Context, label string) copyMsg {
		val, err := v.SecretValue(ctx, sec)
		if sec.Type == vault.TypeOAuth1Token {
			return copyMsg{label: "token of " + sec.Name, value: val.Token, err: err}
		}
		return copyMsg{label: label, value: val.AccessToken, err: err}
	}
	expired := r.Expires != nil && !r.Expires.After(m.c.Now())
	e := m.c.OAuth2Engine()
	switch {
	case !expired:
		return func() tea.Msg {
			ctx, cancel := common.StoreContext(timeout)
			defer cancel()
			return read(ctx, "access token of "+sec.Name)
		}
	case r.HasRefresh && e != nil && m.busy[r.ID] == "":
		m.busy[r.ID] = "refreshing"
		req := oauth.TokenRequest{Env: r.Env, Name: r.Name}
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := e.Refresh(ctx, req, oauth.FlowCallbacks{}); err != nil {
				return doneMsg{id: r.ID, err: err}
			}
			msg := read(ctx, "access token of "+sec.Name+" (refreshed first: it had expired)")
			msg.refreshed = r.ID
			return msg
		}
	}
	how := "press " + km.Reauth.Help().Key + " to get a new one"
	if !km.Reauth.Enabled() {
		how = "get a new one from its auth client"
	}
	return common.Status(common.StatusWarning, "The access token of "+r.Name+" expired "+common.Ago(*r.Expires, m.c.Now())+" and was not copied: "+how)
}

func (m *Model) action(r Row, busy, ok string, fn func(ctx context.Context, e *oauth.Engine, req oauth.TokenRequest) error) tea.Cmd {
	e := m.c.OAuth2Engine()
	if e == nil {
		return common.Status(common.StatusWarning, "No OAuth engine in this session")
	}
	m.busy[r.ID] = busy
	req := oauth.TokenRequest{Env: r.Env, Name: r.Name}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := fn(ctx, e, req)
		return doneMsg{id: r.ID, what: ok, err: err}
	}
}

// columns lays out the table for the width.
type columns struct{ name, env, client, scope, exp, ref, last int }

func (m *Model) layout() columns {
	w := m.width - 4
	c := columns{name: 18, env: 10, client: 14, exp: 16, ref: 8, last: 10}
	c.scope = w - (c.name + c.env + c.client + c.exp + c.ref + c.last + 12)
	if c.scope < 10 {
		c.last, c.client = 0, 12
		c.scope = w - (c.name + c.env + c.client + c.exp + c.ref + 10)
	}
	c.scope = max(6, c.scope)
	return c
}

func cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s))) + "  "
}

// View renders the table; only the rows that fit are drawn.
func (m *Model) View() string {
	if m.width <= 0 {
		return ""
	}
	s := m.c.Styles
	now := m.c.Now()
	col := m.layout()
	var b strings.Builder
	b.WriteString(s.DetailTitle.Render("Token sets in every environment") + s.Muted.Render(fmt.Sprintf("  %d", len(m.rows))) + "\n\n")
	head := cell("NAME", col.name) + cell("ENV", col.env) + cell("CLIENT", col.client) + cell("SCOPES", col.scope) + cell("EXPIRES", col.exp) + cell("REFRESH", col.ref) + cell("REFRESHED", col.last)
	b.WriteString(s.ListSection.Render(strings.TrimRight(head, " ")) + "\n")
	if len(m.rows) == 0 {
		b.WriteString(s.ListEmpty.Render("No token sets yet: open an auth client and press enter to get a token."))
		return padLeft(b.String())
	}
	visible := m.visibleRows()
	for i := m.offset; i < len(m.rows) && i < m.offset+visible; i++ {
		r := m.rows[i]
		exp, expStyle := "–", s.Muted
		scope := r.Scope
		if r.OAuth1 {
			exp, scope = "no expiry", "(OAuth 1.0a)"
		}
		if r.Expires != nil {
			exp = common.Countdown(*r.Expires, now)
			expStyle = s.Success
			switch left := r.Expires.Sub(now); {
			case left <= 0:
				expStyle = s.Error
			case left < time.Minute:
				expStyle = s.Warning
			}
		}
		if busy := m.busy[r.ID]; busy != "" {
			exp, expStyle = busy+"…", s.Info
		}
		ref := "–"
		if r.HasRefresh {
			ref = "✓"
		}
		last := "–"
		if r.LastRefresh != nil {
			last = common.Ago(*r.LastRefresh, now)
		}
		client := r.Client
		if client == "" {
			client = "–"
		}
		line := cell(r.Name, col.name) + cell(r.Env, col.env) + cell(client, col.client) + cell(scope, col.scope)
		if i == m.cursor {
			plain := line + cell(exp, col.exp) + cell(ref, col.ref) + cell(last, col.last)
			b.WriteString(s.ListSelected.Render(ansi.Truncate(plain, m.width-2, "")) + "\n")
			continue
		}
		b.WriteString(s.Text.Render(line) + expStyle.Render(cell(exp, col.exp)) + s.Text.Render(cell(ref, col.ref)) + s.Muted.Render(cell(last, col.last)) + "\n")
	}
	return padLeft(strings.TrimRight(b.String(), "\n"))
}

func padLeft(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = " " + l
	}
	return strings.Join(lines, "\n")
}
