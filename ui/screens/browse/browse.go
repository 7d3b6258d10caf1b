// Package browse is the main screen: the clients, secrets, variables and
// saved requests of the active environment on the left, the selection's
// detail on the right. In a team workspace the items this person has no
// value for are marked, and enter sets the value (team.go).
package browse

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/list"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/reqtree"
)

// Section keys of the list.
const (
	SectionClients = "clients"
	// SectionTokens lists the token sets auth clients obtained (secrets
	// linked to a client), apart from the secrets people store.
	SectionTokens  = "tokens"
	SectionSecrets = "secrets"
	// SectionVariables lists the environment's variables (by name).
	SectionVariables = "variables"
	SectionRequests  = "requests"
)

type focus int

const (
	focusList focus = iota
	focusDetail
)

// Model is the browse screen.
type Model struct {
	c      *common.Common
	keys   KeyMap
	list   *list.Model
	detail viewport.Model
	focus  focus

	width, height int
	listW, detW   int

	// selected is the item whose detail is shown.
	selected string
	// revealed holds the loaded values of the selected item while they are
	// shown; it is dropped (re-masked) as soon as the selection changes.
	revealed *loaded
	// masked holds the masked form of the last loaded value of the selected
	// item (length and last four), once a value has been loaded.
	masked  []common.Field
	loading string
	loadSeq int

	detailKey string

	leftPane, rightPane paneCache

	// team is what the last check of a team workspace's values found.
	team teamValues
	// made is the item the last change created or edited, selected when
	// the catalog after it arrives (variables.go).
	made common.ItemRef
	// collapsed holds the list IDs of the folders of requests the person
	// folded; folders maps each folder's list ID to it (folders.go).
	collapsed map[string]bool
	folders   map[string]*reqtree.Folder
}

// loaded is a store value of the selected item.
type loaded struct {
	id     string
	fields []common.Field
}

// New returns the browse screen.
func New(c *common.Common) *Model {
	st := func() *styles.Styles { return c.Styles }
	m := &Model{c: c, keys: DefaultKeyMap()}
	m.list = list.New(st, []list.Section{
		{Key: SectionClients, Title: "Auth clients"},
		{Key: SectionTokens, Title: "Token sets"},
		{Key: SectionSecrets, Title: "Secrets"},
		{Key: SectionVariables, Title: "Variables"},
		{Key: SectionRequests, Title: "Requests"},
	})
	m.list.Empty = "Nothing here yet — press n to add a secret or w for the client wizard."
	m.detail = viewport.New()
	m.detail.SoftWrap = false
	return m
}

// Init checks a team workspace's values when the catalog came before the
// program started (the root model delivers it; a command started then is
// not run); nothing else.
func (m *Model) Init() tea.Cmd {
	if m.c.Catalog == nil {
		return nil
	}
	return m.checkValues()
}

// Title names the screen.
func (m *Model) Title() string { return "browse" }

// ScreenKey identifies the screen.
func (m *Model) ScreenKey() common.ScreenKey { return common.ScreenKey{Kind: "browse"} }

// Capturing reports whether the filter input has the keyboard.
func (m *Model) Capturing() bool { return m.list.Filtering() }

// List exposes the list (for tests and benchmarks).
func (m *Model) List() *list.Model { return m.list }

// SetSize splits the screen into the list and the detail pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.listW = max(24, min(48, w*2/5))
	if w < 60 {
		m.listW = w / 2
	}
	m.detW = max(10, w-m.listW)
	frame := m.c.Styles.Pane.GetHorizontalFrameSize()
	vframe := m.c.Styles.Pane.GetVerticalFrameSize()
	m.list.SetSize(max(1, m.listW-frame), max(1, h-vframe))
	m.detail.SetWidth(max(1, m.detW-frame))
	m.detail.SetHeight(max(1, h-vframe-1))
	m.detailKey = ""
	m.syncDetail()
}

// RefreshStyles re-applies styles after a theme change.
func (m *Model) RefreshStyles() {
	m.list.RefreshStyles()
	m.detailKey = ""
	m.SetSize(m.width, m.height)
}

// Selected returns the item under the cursor.
func (m *Model) Selected() (list.Item, bool) { return m.list.Selected() }

// Revealed reports whether a value is currently shown unmasked.
func (m *Model) Revealed() bool { return m.revealed != nil }

// Close re-masks anything revealed: the screen is leaving the top.
func (m *Model) Close() { m.remask() }

// Blur re-masks revealed values when another screen covers this one.
func (m *Model) Blur() { m.remask() }

func (m *Model) remask() {
	if m.revealed != nil {
		m.revealed = nil
		m.detailKey = ""
		m.syncDetail()
	}
}

// setCatalog rebuilds the list from the active environment of the catalog.
func (m *Model) setCatalog() tea.Cmd {
	cat := m.c.Catalog
	if cat == nil {
		return nil
	}
	env := m.c.Env
	items := m.clientItems(cat, env)
	items = append(items, m.secretItems(cat, env)...)
	items = append(items, m.variableItems(cat, env)...)
	items = append(items, m.requestItems(cat.RequestsIn(env))...)
	prev, _ := m.list.Selected()
	prevIdx := listIndex(m.list.Items(), prev.ID)
	cmd := tea.Batch(m.list.SetItems(items), m.selectMade(prev.ID, prevIdx))
	m.syncSelection()
	m.detailKey = ""
	return cmd
}

// clientItems are the environment's auth clients, each with the badge of
// what needs attention first: no value here, expiry, a deprecated grant.
func (m *Model) clientItems(cat *vault.Catalog, env string) []list.Item {
	now := m.c.Now()
	var items []list.Item
	for _, x := range cat.Clients {
		if x.Env != env {
			continue
		}
		it := list.Item{Section: SectionClients, ID: x.ID, Name: x.Name, Hint: withShared(clientHint(x), x.Shared)}
		if note, st := common.ExpiryNote(soonest(x.Expiration, x.SecretExpiration), now, false); note != "" {
			it.Badge, it.BadgeKind = badge(st), badgeKind(st)
		}
		if it.Badge == "" && x.Grant.Deprecated() {
			it.Badge, it.BadgeKind = "deprecated", common.StatusWarning
		}
		if _, ok := m.unset("auth client", x.Env, x.Name); ok {
			it.Badge, it.BadgeKind = notSetBadge, common.StatusWarning
		}
		items = append(items, it)
	}
	return items
}

// secretItems are the environment's secrets; the token sets auth clients
// obtained go to their own section, named by their client, so they do not
// bury the secrets people store.
func (m *Model) secretItems(cat *vault.Catalog, env string) []list.Item {
	now := m.c.Now()
	var items []list.Item
	for _, x := range cat.Secrets {
		if x.Env != env {
			continue
		}
		it := list.Item{Section: SectionSecrets, ID: x.ID, Name: x.Name, Hint: withShared(secretHint(x), x.Shared)}
		if x.AuthClient != "" {
			it.Section = SectionTokens
			if x.AuthClient != x.Name {
				it.Hint = withShared(secretHint(x)+" of "+x.AuthClient, x.Shared)
			}
		}
		if _, st := common.ExpiryNote(x.Expiration, now, false); st == vault.Expired || st == vault.ExpiringSoon {
			it.Badge, it.BadgeKind = badge(st), badgeKind(st)
		} else if x.TokenExpires != nil && !x.TokenExpires.After(now) {
			it.Badge, it.BadgeKind = "token expired", common.StatusInfo
		}
		if _, ok := m.unset("secret", x.Env, x.Name); ok {
			it.Badge, it.BadgeKind = notSetBadge, common.StatusWarning
		}
		items = append(items, it)
	}
	return items
}

// variableItems are the environment's variables, plain or secret.
func (m *Model) variableItems(cat *vault.Catalog, env string) []list.Item {
	e, ok := cat.Env(env)
	if !ok {
		return nil
	}
	var items []list.Item
	for _, x := range e.Variables {
		it := list.Item{Section: SectionVariables, ID: variableID(x.Name), Name: x.Name, Hint: "plain"}
		if x.Secret {
			it.Hint = "secret"
		}
		if _, ok := m.unset("variable", env, x.Name); ok {
			it.Badge, it.BadgeKind = notSetBadge, common.StatusWarning
		}
		items = append(items, it)
	}
	return items
}

// listIndex is the index of the item with the given ID in items, or -1.
func listIndex(items []list.Item, id string) int {
	return slices.IndexFunc(items, func(it list.Item) bool { return it.ID == id })
}

func soonest(a, b *vaultTime) *vaultTime {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.Before(*a):
		return b
	}
	return a
}

func badge(st vault.ExpiryState) string { return st.String() }

func badgeKind(st vault.ExpiryState) common.StatusKind {
	if st == vault.Expired {
		return common.StatusError
	}
	return common.StatusWarning
}

func clientHint(x vault.AuthClient) string {
	switch x.Type {
	case vault.ClientSessionAuth:
		return "session auth"
	case vault.ClientOAuth1:
		return "oauth 1.0a"
	case vault.ClientOAuth2:
		// its grant, below
	}
	return x.Grant.Label()
}

func secretHint(x vault.Secret) string {
	if ti, ok := x.Type.Info(); ok {
		return ti.Hint
	}
	return strings.ToLower(string(x.Type))
}

// syncSelection drops revealed values when the cursor moved to another item.
func (m *Model) syncSelection() {
	it, ok := m.list.Selected()
	id := ""
	if ok {
		id = it.ID
	}
	if id != m.selected {
		m.selected = id
		m.revealed = nil
		m.masked = nil
		m.loading = ""
		m.detailKey = ""
		m.detail.GotoTop()
	}
}

// Update handles keys, catalog changes and loaded values, then lays the
// detail pane out again if what it shows changed.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.syncDetail()
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ResultMsg:
		m.noteMade(msg)
		return nil
	case common.CatalogMsg:
		return tea.Batch(m.setCatalog(), m.checkValues())
	case teamValuesMsg:
		return m.handleTeamValues(msg)
	case common.SwitchEnvMsg:
		m.remask()
		return nil
	case list.FilterResultMsg:
		return m.updateList(msg)
	case valueMsg:
		return m.handleValue(msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.list.Filtering() {
			return m.updateList(msg)
		}
	}
	return nil
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.list.Filtering() {
		return m.updateList(k)
	}
	km := m.KeyMap()
	if key.Matches(k, km.Focus) {
		if m.focus == focusList {
			m.focus = focusDetail
		} else {
			m.focus = focusList
		}
		m.list.SetFocused(m.focus == focusList)
		m.detailKey = ""
		return nil
	}
	if m.focus == focusDetail {
		if key.Matches(k, km.Up, km.Down, km.PageUp, km.PageDown) {
			var cmd tea.Cmd
			m.detail, cmd = m.detail.Update(k)
			return cmd
		}
	}
	if cmd, done := m.treeKey(k, km); done {
		return cmd
	}
	switch {
	case key.Matches(k, km.Open):
		return m.open()
	case key.Matches(k, km.Reveal):
		return m.toggleReveal()
	case key.Matches(k, km.Copy):
		return m.copySelected()
	case key.Matches(k, km.Token):
		return m.token()
	case key.Matches(k, km.New):
		return m.newItem()
	case key.Matches(k, km.Wizard):
		env := m.c.Env
		return func() tea.Msg { return common.OpenWizardMsg{Env: env} }
	case key.Matches(k, km.Edit):
		return m.edit()
	case key.Matches(k, km.Delete):
		return m.confirmDelete()
	case key.Matches(k, km.Secret):
		return m.toggleSecret()
	case key.Matches(k, km.Import):
		env := m.c.Env
		return func() tea.Msg { return common.OpenImportMsg{Env: env} }
	}
	if m.focus == focusList {
		return m.updateList(k)
	}
	return nil
}

// updateList hands msg to the list; when it clears the filter, the folders
// around the request the cursor was on open so it stays there.
func (m *Model) updateList(msg tea.Msg) tea.Cmd {
	prev, _ := m.list.Selected()
	filtered := m.list.Query() != ""
	cmd := m.list.Update(msg)
	m.syncSelection()
	if filtered && m.list.Query() == "" {
		return tea.Batch(cmd, m.showSelected(prev.ID))
	}
	return cmd
}

// selection resolves the list item to its catalog entry.
type selection struct {
	client  *vault.AuthClient
	secret  *vault.Secret
	request *vault.Request
	// variable is a variable of the environment env.
	variable *vault.Variable
	env      string
	// folder is a folder row of the requests.
	folder *reqtree.Folder
}

// variableID is a variable's list ID: its name, apart from item IDs.
func variableID(name string) string { return "var:" + name }

func (m *Model) resolve() (selection, bool) {
	it, ok := m.list.Selected()
	if !ok || m.c.Catalog == nil {
		return selection{}, false
	}
	cat := m.c.Catalog
	switch it.Section {
	case SectionClients:
		if i := slices.IndexFunc(cat.Clients, func(x vault.AuthClient) bool { return x.ID == it.ID }); i >= 0 {
			return selection{client: &cat.Clients[i]}, true
		}
	case SectionSecrets, SectionTokens:
		if i := slices.IndexFunc(cat.Secrets, func(x vault.Secret) bool { return x.ID == it.ID }); i >= 0 {
			return selection{secret: &cat.Secrets[i]}, true
		}
	case SectionRequests:
		return m.resolveRequest(it.ID)
	case SectionVariables:
		if e, ok := cat.Env(m.c.Env); ok {
			if i := slices.IndexFunc(e.Variables, func(x vault.Variable) bool { return variableID(x.Name) == it.ID }); i >= 0 {
				return selection{variable: &e.Variables[i], env: e.Name}, true
			}
		}
	}
	return selection{}, false
}

func (m *Model) open() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	if _, unset := m.unsetOf(sel); unset {
		return setValue(sel)
	}
	switch {
	case sel.client != nil:
		return m.token()
	case sel.secret != nil && isTokenPane(sel.secret.Type):
		env, name := sel.secret.Env, sel.secret.Name
		return func() tea.Msg { return common.OpenTokenMsg{Env: env, Secret: name} }
	case sel.secret != nil:
		return m.toggleReveal()
	case sel.request != nil:
		env, name := sel.request.Env, sel.request.Name
		return func() tea.Msg { return common.OpenRequestMsg{Env: env, Name: name} }
	case sel.variable != nil:
		return editVariable(sel)
	}
	return nil
}

func (m *Model) token() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	switch {
	case sel.client != nil:
		env, name := sel.client.Env, sel.client.Name
		return func() tea.Msg { return common.RunFlowMsg{Env: env, Client: name} }
	case sel.secret != nil && sel.secret.Type == vault.TypeOAuth1Token:
		// "get token" works as `authdeck token NAME`: the stored token
		// credentials, or the three-legged flow of the linked client.
		if sel.secret.AuthClient == "" {
			return common.Status(common.StatusWarning, sel.secret.Name+" names no auth client, so it cannot be authorized; edit it to link its OAuth 1.0a client")
		}
		msg := common.RunFlowMsg{Env: sel.secret.Env, Client: sel.secret.AuthClient, Secret: sel.secret.Name}
		return func() tea.Msg { return msg }
	case sel.secret != nil && isTokenPane(sel.secret.Type):
		env, name := sel.secret.Env, sel.secret.Name
		return func() tea.Msg { return common.OpenTokenMsg{Env: env, Secret: name} }
	}
	return common.Status(common.StatusInfo, "Tokens come from auth clients and token sets; this item is neither")
}

// isTokenPane reports whether secrets of type t open in the token pane.
func isTokenPane(t vault.SecretType) bool {
	ti, _ := t.Info()
	return ti.TokenPane
}

func (m *Model) edit() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	switch {
	case sel.client != nil:
		msg := common.EditMsg{Kind: common.EditClient, Env: sel.client.Env, Name: sel.client.Name}
		return func() tea.Msg { return msg }
	case sel.secret != nil:
		msg := common.EditMsg{Kind: common.EditSecret, Env: sel.secret.Env, Name: sel.secret.Name, Type: sel.secret.Type}
		return func() tea.Msg { return msg }
	case sel.variable != nil:
		return editVariable(sel)
	}
	env, name := sel.request.Env, sel.request.Name
	return func() tea.Msg { return common.OpenRequestMsg{Env: env, Name: name} }
}

func (m *Model) newItem() tea.Cmd {
	return common.OpenDialog(newChooser(m.c))
}

func (m *Model) confirmDelete() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	return common.OpenDialog(newDeleteConfirm(m.c, sel))
}

func (m *Model) toggleReveal() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	if m.revealed != nil {
		m.remask()
		return nil
	}
	if sel.request != nil || sel.variable != nil {
		return nil
	}
	if sel.client != nil && !sel.client.HasSecret {
		return common.Status(common.StatusInfo, sel.client.Name+" has no stored credentials (public client)")
	}
	return m.load(purposeReveal)
}

func (m *Model) copySelected() tea.Cmd {
	sel, ok := m.resolve()
	if !ok {
		return nil
	}
	switch {
	case sel.request != nil || sel.variable != nil:
		return nil
	case sel.client != nil && !sel.client.HasSecret:
		id := sel.client.ClientID
		return common.Copy("client id of "+sel.client.Name, id)
	}
	return m.load(purposeCopy)
}

// KeyMap returns the bindings with those that do not apply disabled.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	sel, ok := m.resolve()
	for _, b := range []*key.Binding{&k.Open, &k.Reveal, &k.Copy, &k.Token, &k.Edit, &k.Delete} {
		b.SetEnabled(ok)
	}
	if ok {
		isToken := sel.secret != nil && isTokenPane(sel.secret.Type)
		k.Token.SetEnabled(sel.client != nil || isToken)
		k.Reveal.SetEnabled(sel.secret != nil || (sel.client != nil && sel.client.HasSecret))
		// S-26: a private key is never copied, so c is not offered for it.
		keyOnly := privateKeyOnly(sel)
		k.Copy.SetEnabled(sel.request == nil && sel.variable == nil && !keyOnly)
		m.variableKeys(&k, sel)
		switch {
		case m.revealed != nil:
			k.Reveal.SetHelp("v", "hide")
		case keyOnly:
			k.Reveal.SetHelp("v", "key id")
		}
		_, unset := m.unsetOf(sel)
		switch {
		case unset || sel.variable != nil && sel.variable.Secret:
			k.Open.SetHelp("enter", "set value")
			if unset {
				// nothing to show or copy yet
				k.Reveal.SetEnabled(false)
				k.Copy.SetEnabled(false)
			}
			if sel.variable != nil {
				k.Edit.SetHelp("e", "set value")
			}
		case sel.variable != nil:
			k.Open.SetHelp("enter", "edit value")
		case sel.client != nil:
			k.Open.SetHelp("enter", "get token")
		case isToken:
			k.Open.SetHelp("enter", "token pane")
		}
		if sel.client != nil && !sel.client.HasSecret {
			k.Copy.SetHelp("c", "copy client id")
		}
		m.folderKeys(&k, sel)
	}
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown} {
		b.SetEnabled(m.focus == focusDetail)
	}
	k.Wizard.SetEnabled(m.c.Catalog != nil)
	k.New.SetEnabled(m.c.Catalog != nil)
	k.Import.SetEnabled(m.c.Catalog != nil)
	return k
}

// ShortHelp lists the main bindings for the footer.
func (m *Model) ShortHelp() []key.Binding {
	if m.list.Filtering() {
		return m.list.ShortHelp()
	}
	k := m.KeyMap()
	return []key.Binding{k.Open, k.Reveal, k.Copy, k.Secret, k.New, k.Edit, k.Delete}
}

// FullHelp lists every binding for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	out := [][]key.Binding{{k.Open, k.Token, k.Reveal, k.Copy}, {k.New, k.Wizard, k.Edit, k.Secret, k.Delete, k.Import}, {k.Fold, k.Expand, k.Collapse}, {k.Focus, k.Up, k.Down}}
	return append(out, m.list.FullHelp()...)
}

// View renders the two panes side by side.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	s := m.c.Styles
	lp, dp := s.Pane, s.PaneFocused
	if m.focus == focusList {
		lp, dp = s.PaneFocused, s.Pane
	}
	left := m.leftPane.render(lp, m.listW, m.height, m.list.View(), s)
	right := m.rightPane.render(dp, m.detW, m.height, m.detailView(), s)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, right)
}

// paneCache keeps a bordered pane's rendering while its content, size,
// style and theme stay the same: the border and padding pass is the most
// expensive part of a frame.
type paneCache struct {
	inner  string
	w, h   int
	style  lipgloss.Style
	styles *styles.Styles
	out    string
}

func (p *paneCache) render(st lipgloss.Style, w, h int, inner string, s *styles.Styles) string {
	if p.out != "" && inner == p.inner && w == p.w && h == p.h && s == p.styles && st.GetBorderTopForeground() == p.style.GetBorderTopForeground() && st.GetBorderStyle() == p.style.GetBorderStyle() {
		return p.out
	}
	p.inner, p.w, p.h, p.style, p.styles = inner, w, h, st, s
	p.out = st.Width(w).Height(h).Render(inner)
	return p.out
}

// syncDetail renders the detail pane's content again when what it shows
// changed (selection, reveal, a load, the focus); View only draws it.
func (m *Model) syncDetail() {
	if m.width <= 0 {
		return
	}
	key := fmt.Sprintf("%s|%v|%d|%s|%d", m.selected, m.revealed != nil, len(m.masked), m.loading, m.focus)
	if key != m.detailKey {
		m.detailKey = key
		m.detail.SetContent(m.renderDetail())
	}
}

func (m *Model) detailView() string {
	title := m.c.Styles.PaneTitle.Render(m.detailTitle())
	return title + "\n" + m.detail.View()
}
