// Package request is the request console screen: a composer (method, URL,
// credential, token placement, headers, body), a send key, the response
// (status, sizes, timing phases, headers, the request as sent — masked — and
// the body in the viewer), a history of sent requests, saving as a named
// request, and copy as curl (credentials masked unless asked for).
//
// The root model opens it through ui.Options.RequestScreen:
//
//	RequestScreen: func(c *common.Common, open common.OpenRequestMsg) common.Screen {
//		return request.New(c, open.Env, open.Name)
//	}
//
// with name "" for a new request. Sending runs in a command (esc cancels);
// bodies of any size are handled by the viewer, and a body over the
// in-memory limit goes to a 0600 temporary file that can be saved or
// discarded.
package request

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/viewer"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
)

type field int

const (
	fieldMethod field = iota
	fieldURL
	fieldAuth
	fieldHeaders
	fieldBody
	fieldResponse
	fieldCount
)

type respTab int

const (
	tabBody respTab = iota
	tabHeaders
	tabTiming
	tabRequest
	tabCount
)

var tabNames = [tabCount]string{"body", "headers", "timing", "request"}

// Messages of the console; seq ties a result to the send that asked for it.
type (
	sentMsg struct {
		seq     int
		resp    *oreq.Response
		err     error
		spec    oreq.Spec
		started time.Time
	}
	curlMsg struct {
		text   string
		reveal bool
		err    error
	}
	historyMsg struct {
		entries []history.Entry
		err     error
	}
	savedMsg struct {
		req vault.Request
		cat *vault.Catalog
		err error
	}
	bodyFileMsg struct {
		// file is the temporary file the message is about; gone says it no longer exists.
		file string
		gone bool
		path string
		err  error
	}
)

// Model is the request console.
type Model struct {
	c    *common.Common
	keys KeyMap
	env  string

	saved *vault.Request

	method, url, auth textinput.Model
	headers, body     textarea.Model
	placement         vault.Placement
	insecure          bool
	focus             field

	sender *oreq.Sender
	viewer *viewer.Model
	resp   *oreq.Response
	spec   oreq.Spec
	err    error
	tab    respTab
	scroll int

	busy   bool
	seq    int
	cancel context.CancelFunc
	spin   spinner.Model

	history     []history.Entry
	showHistory bool
	histSel     int

	width, height int
	editorH       int

	// baseline is the composer as it was opened or last saved; edits since
	// make the console ask before esc leaves it.
	baseline string
}

// memHistory is the history of a session without a home directory (the
// demo's memory vault): it lasts as long as the process, never on disk.
var (
	memHistoryOnce sync.Once
	memHistory     *history.Memory
)

// historyStore opens where sent requests are kept. It does IO: call it in commands only.
func historyStore(home string) (history.Store, error) {
	if home == "" {
		memHistoryOnce.Do(func() { memHistory = history.NewMemory() })
		return memHistory, nil
	}
	return history.Open(home)
}

// New returns the console for the saved request name in env, or an empty
// one when name is "".
func New(c *common.Common, env, name string) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), env: env, tab: tabBody}
	m.method = m.newInput("method", 10)
	m.method.SetValue("GET")
	m.url = m.newInput("https://api.example.com/path?q={{var}}", 4096)
	m.auth = m.newInput("secret or auth client (none)", 200)
	m.auth.ShowSuggestions = true
	m.headers = m.newArea("Name: value, one per line")
	m.body = m.newArea("request body ({{variables}} allowed)")
	m.viewer = viewer.New(c.Styles)
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	m.sender = c.NewSender()
	if name != "" && c.Catalog != nil {
		if r, ok := c.Catalog.Request(env, name); ok {
			cp := *r
			m.saved = &cp
			m.load(cp.Method, cp.URL, cp.Headers, cp.Body, cp.Auth, cp.Placement, cp.InsecureSkipVerify)
		}
	}
	m.suggest()
	m.setFocus(fieldURL)
	m.baseline = m.draft()
	return m
}

// draft is the composer's content, to tell whether it was edited.
func (m *Model) draft() string {
	return strings.Join([]string{m.method.Value(), m.url.Value(), m.auth.Value(), m.headers.Value(), m.body.Value(),
		string(m.placement), fmt.Sprint(m.insecure)}, "\x00")
}

// Edited reports whether the composer differs from the request as opened
// or last saved.
func (m *Model) Edited() bool { return m.draft() != m.baseline }

// WantsBack is true: esc first cancels a send in flight, and leaving with
// edits asks first; the console pops itself.
func (m *Model) WantsBack() bool { return true }

// leave pops the console, after asking when the edits would be lost.
func (m *Model) leave() tea.Cmd {
	if !m.Edited() {
		return common.Pop()
	}
	what := "this new request"
	if m.saved != nil {
		what = "the request " + m.saved.Name
	}
	d := dialogs.NewConfirm(m.c, "Leave without saving?", "Your edits to "+what+" are not saved and will be lost. w saves them.", "Leave",
		func() tea.Msg { return common.PopMsg{} })
	d.Danger = true
	return common.OpenDialog(d)
}

func (m *Model) newInput(placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.SetStyles(m.c.Styles.TextInput())
	return in
}

func (m *Model) newArea(placeholder string) textarea.Model {
	ta := textarea.New()
	ta.Placeholder = placeholder
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.CharLimit = 1 << 20
	ta.SetStyles(m.areaStyles())
	return ta
}

// areaStyles are textarea styles in the theme's colours, with a steady
// cursor (a blinking one would keep the program ticking while idle).
func (m *Model) areaStyles() textarea.Styles {
	st := textarea.DefaultStyles(m.c.Styles.IsDark)
	in := m.c.Styles.TextInput()
	st.Focused.Text, st.Focused.Placeholder = in.Focused.Text, in.Focused.Placeholder
	st.Blurred.Text, st.Blurred.Placeholder = in.Blurred.Text, in.Blurred.Placeholder
	st.Focused.CursorLine = in.Focused.Text
	st.Cursor.Blink = false
	st.Cursor.Color = in.Cursor.Color
	return st
}

// load fills the composer.
func (m *Model) load(method, url string, headers []vault.Header, body, auth string, placement vault.Placement, insecure bool) {
	m.method.SetValue(method)
	m.url.SetValue(url)
	lines := make([]string, 0, len(headers))
	for _, h := range headers {
		lines = append(lines, h.Name+": "+h.Value)
	}
	m.headers.SetValue(strings.Join(lines, "\n"))
	m.body.SetValue(body)
	m.auth.SetValue(auth)
	m.placement, m.insecure = placement, insecure
}

// suggest offers the environment's secrets and auth clients for the credential.
func (m *Model) suggest() {
	if m.c.Catalog == nil {
		return
	}
	var names []string
	for _, s := range m.c.Catalog.SecretsIn(m.env) {
		if s.Type != vault.TypePrivateKey {
			names = append(names, s.Name)
		}
	}
	for _, ac := range m.c.Catalog.ClientsIn(m.env) {
		names = append(names, ac.Name)
	}
	m.auth.SetSuggestions(names)
}

// SetAuth sets the credential a new request starts with (not an edit).
func (m *Model) SetAuth(name string) {
	m.auth.SetValue(name)
	m.baseline = m.draft()
}

// Init loads the history.
func (m *Model) Init() tea.Cmd {
	home := m.c.Home
	return func() tea.Msg {
		h, err := historyStore(home)
		if err != nil {
			return historyMsg{err: err}
		}
		list, err := h.List()
		return historyMsg{entries: list, err: err}
	}
}

// Title names the screen.
func (m *Model) Title() string {
	t := "request"
	if m.saved != nil {
		t += " · " + m.saved.Name
	}
	if m.Edited() {
		t += " ●" // edits not saved
	}
	return t
}

// ScreenKey identifies the console by the saved request it edits.
func (m *Model) ScreenKey() common.ScreenKey {
	k := common.ScreenKey{Kind: "request", Env: m.env}
	if m.saved != nil {
		k.Name = m.saved.Name
	}
	return k
}

// Capturing is true while a field of the composer, the viewer's search or go-to field has the keys.
func (m *Model) Capturing() bool {
	return m.focus != fieldResponse || m.viewer.Capturing()
}

// Busy reports whether a request is on its way.
func (m *Model) Busy() bool { return m.busy }

// Response returns the last response (nil before the first).
func (m *Model) Response() *oreq.Response { return m.resp }

// Err returns why the last send failed.
func (m *Model) Err() error { return m.err }

// Viewer returns the body viewer.
func (m *Model) Viewer() *viewer.Model { return m.viewer }

// History returns the entries shown in the history list.
func (m *Model) History() []history.Entry { return m.history }

// Saved returns the saved request the console edits, if any.
func (m *Model) Saved() *vault.Request { return m.saved }

// Close cancels a running send and removes a temporary body file; it does
// not wait for either.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	m.viewer.Close()
	if m.resp != nil && m.resp.BodyFile != "" {
		name := m.resp.BodyFile
		go os.Remove(name) // best effort; the file is 0600 in the temp dir
	}
}

// RefreshStyles re-themes the console.
func (m *Model) RefreshStyles() {
	st := m.c.Styles
	for _, in := range []*textinput.Model{&m.method, &m.url, &m.auth} {
		in.SetStyles(st.TextInput())
	}
	m.headers.SetStyles(m.areaStyles())
	m.body.SetStyles(m.areaStyles())
	m.viewer.SetStyles(st)
	m.spin.Style = st.Spinner
}

// SetSize lays the composer out over the top and gives the rest to the response.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.editorH = 3
	if h >= 34 {
		m.editorH = 6
	}
	m.method.SetWidth(7)
	m.url.SetWidth(max(10, w-12))
	m.auth.SetWidth(max(10, min(32, w/3)))
	half := max(10, (w-1)/2)
	m.headers.SetWidth(half)
	m.body.SetWidth(w - half - 1)
	m.headers.SetHeight(m.editorH)
	m.body.SetHeight(m.editorH)
	m.viewer.SetSize(w, m.responseHeight())
}

// responseHeight is what is left under the composer and the summary line.
func (m *Model) responseHeight() int {
	return max(3, m.height-(2+1+m.editorH+1))
}

func (m *Model) setFocus(f field) {
	m.focus = f
	m.method.Blur()
	m.url.Blur()
	m.auth.Blur()
	m.headers.Blur()
	m.body.Blur()
	m.viewer.Blur()
	switch f {
	case fieldMethod:
		m.method.Focus()
	case fieldURL:
		m.url.Focus()
	case fieldAuth:
		m.auth.Focus()
	case fieldHeaders:
		m.headers.Focus()
	case fieldBody:
		m.body.Focus()
	case fieldResponse:
		m.viewer.Focus()
	case fieldCount:
		// not a field
	}
}

// KeyMap returns the bindings that apply now.
func (m *Model) KeyMap() KeyMap {
	k := m.keys
	resp := m.focus == fieldResponse && !m.viewer.Capturing()
	k.Send.SetEnabled(!m.busy)
	k.Cancel.SetEnabled(m.busy)
	for _, b := range []*key.Binding{&k.Placement, &k.Insecure, &k.Save, &k.History, &k.CopyCurl, &k.CopyReveal} {
		b.SetEnabled(resp && !m.showHistory)
	}
	k.Tab.SetEnabled(resp && !m.showHistory && m.resp != nil)
	k.SaveBody.SetEnabled(resp && m.resp != nil && (m.resp.Body != nil || m.resp.BodyFile != ""))
	k.Discard.SetEnabled(resp && m.resp != nil && m.resp.BodyFile != "")
	k.Load.SetEnabled(resp && m.showHistory && len(m.history) > 0)
	k.Up.SetEnabled(resp && (m.showHistory || m.tab != tabBody))
	k.Down.SetEnabled(resp && (m.showHistory || m.tab != tabBody))
	k.Back.SetEnabled(!m.busy)
	if m.showHistory {
		k.History.SetEnabled(resp)
		k.History.SetHelp("H", "close history")
	}
	return k
}

// ShortHelp lists the main bindings.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap()
	if m.focus == fieldResponse && m.viewer.Capturing() {
		return m.viewer.ShortHelp()
	}
	if m.focus != fieldResponse {
		return []key.Binding{k.Send, k.Next, k.Prev, k.Cancel}
	}
	if m.showHistory {
		return []key.Binding{k.Load, k.Up, k.Down, k.History}
	}
	return append([]key.Binding{k.Send, k.Tab, k.CopyCurl, k.Save, k.History}, m.viewer.ShortHelp()...)
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	return append([][]key.Binding{
		{k.Send, k.Cancel, k.Next, k.Prev, k.Back},
		{k.Tab, k.Placement, k.Insecure, k.CopyCurl, k.CopyReveal, k.Save},
		{k.History, k.Load, k.SaveBody, k.Discard, k.Up, k.Down},
	}, m.viewer.FullHelp()...)
}

// Update handles results, the catalog and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sentMsg:
		if msg.seq != m.seq {
			if msg.resp != nil && msg.resp.BodyFile != "" {
				return removeCmd(msg.resp.BodyFile)
			}
			return nil
		}
		return m.sent(msg)
	case curlMsg:
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		label := "request as curl (credentials masked)"
		if msg.reveal {
			label = "request as curl with its credentials"
		}
		return common.Copy(label, msg.text)
	case historyMsg:
		if msg.err != nil {
			return common.Status(common.StatusWarning, "History not available: "+msg.err.Error())
		}
		m.history = msg.entries
		return nil
	case savedMsg:
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		r := msg.req
		m.saved = &r
		m.baseline = m.draft()
		cat := msg.cat
		return tea.Batch(common.Status(common.StatusSuccess, fmt.Sprintf("Saved request %q in %s", r.Name, r.Env)),
			func() tea.Msg { return common.CatalogMsg{Catalog: cat} })
	case bodyFileMsg:
		if msg.err != nil {
			return common.Status(common.StatusError, "Body not saved: "+msg.err.Error())
		}
		if m.resp != nil && msg.gone && m.resp.BodyFile == msg.file {
			m.resp.BodyFile = ""
			m.viewer.SetNotice("The body file was removed.")
		}
		if msg.path != "" {
			return common.Status(common.StatusSuccess, "Saved the body to "+msg.path+" (mode 0600)")
		}
		return common.Status(common.StatusInfo, "Discarded the body file")
	case spinner.TickMsg:
		if msg.ID != m.spin.ID() || !m.busy {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd
	case common.CatalogMsg:
		m.suggest()
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.updateField(msg)
	}
	return m.viewer.Update(msg)
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.KeyMap()
	switch {
	case m.busy && key.Matches(k, km.Cancel):
		if m.cancel != nil {
			m.cancel()
		}
		return nil
	case key.Matches(k, km.Send) && !m.viewer.Capturing():
		return m.send()
	case key.Matches(k, km.Next) && !m.viewer.Capturing() && !m.acceptingSuggestion(k):
		m.setFocus((m.focus + 1) % fieldCount)
		return nil
	case key.Matches(k, km.Prev) && !m.viewer.Capturing():
		m.setFocus((m.focus + fieldCount - 1) % fieldCount)
		return nil
	}
	if m.focus != fieldResponse {
		if k.String() == "esc" {
			m.setFocus(fieldResponse)
			return nil
		}
		if m.focus == fieldMethod || m.focus == fieldURL || m.focus == fieldAuth {
			if k.String() == "enter" {
				return m.send()
			}
		}
		return m.updateField(k)
	}
	if m.viewer.Capturing() {
		cmd, _ := m.viewer.HandleKey(k)
		return cmd
	}
	if m.showHistory {
		return m.historyKey(k, km)
	}
	switch {
	case key.Matches(k, km.Tab):
		m.tab = (m.tab + 1) % tabCount
		m.scroll = 0
		return nil
	case key.Matches(k, km.Placement):
		m.placement = map[vault.Placement]vault.Placement{"": vault.PlaceHeader, vault.PlaceHeader: vault.PlaceBody, vault.PlaceBody: vault.PlaceQuery, vault.PlaceQuery: ""}[m.placement]
		if m.placement == vault.PlaceBody || m.placement == vault.PlaceQuery {
			return common.Status(common.StatusWarning, fmt.Sprintf("A bearer token will go in the %s: it can end up in logs (S-14)", m.placement))
		}
		return nil
	case key.Matches(k, km.Insecure):
		m.insecure = !m.insecure
		if m.insecure {
			return common.Status(common.StatusWarning, "TLS certificate verification is OFF for this request")
		}
		return common.Status(common.StatusInfo, "TLS certificate verification is on")
	case key.Matches(k, km.CopyCurl):
		return m.curl(false)
	case key.Matches(k, km.CopyReveal):
		return m.curl(true)
	case key.Matches(k, km.Save):
		return m.promptSave()
	case key.Matches(k, km.History):
		m.showHistory, m.histSel = true, 0
		return nil
	case key.Matches(k, km.SaveBody):
		return m.promptSaveBody()
	case key.Matches(k, km.Discard):
		return removeCmd(m.resp.BodyFile)
	}
	if m.tab == tabBody {
		if cmd, used := m.viewer.HandleKey(k); used {
			return cmd
		}
	} else {
		switch {
		case key.Matches(k, km.Up):
			m.scroll = max(0, m.scroll-1)
			return nil
		case key.Matches(k, km.Down):
			m.scroll++
			return nil
		}
	}
	if key.Matches(k, km.Back) {
		return m.leave()
	}
	return nil
}

// acceptingSuggestion: tab in the credential field completes a suggestion.
func (m *Model) acceptingSuggestion(k tea.KeyPressMsg) bool {
	return m.focus == fieldAuth && k.String() == "tab" && m.auth.CurrentSuggestion() != "" && m.auth.CurrentSuggestion() != m.auth.Value()
}

func (m *Model) updateField(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case fieldMethod:
		m.method, cmd = m.method.Update(msg)
	case fieldURL:
		m.url, cmd = m.url.Update(msg)
	case fieldAuth:
		m.auth, cmd = m.auth.Update(msg)
	case fieldHeaders:
		m.headers, cmd = m.headers.Update(msg)
	case fieldBody:
		m.body, cmd = m.body.Update(msg)
	case fieldResponse, fieldCount:
		// the response viewer takes its keys elsewhere
	}
	return cmd
}

func (m *Model) historyKey(k tea.KeyPressMsg, km KeyMap) tea.Cmd {
	switch {
	case key.Matches(k, km.Up):
		m.histSel = max(0, m.histSel-1)
	case key.Matches(k, km.Down):
		m.histSel = min(len(m.history)-1, m.histSel+1)
	case key.Matches(k, km.Load):
		e := m.history[m.histSel]
		if e.Template != nil {
			m.load(e.Method, e.Template.URL, e.Template.Headers, e.Template.Body, e.Auth, e.Placement, e.Insecure)
		} else {
			m.load(e.Method, e.URL, e.Headers, e.Body, e.Auth, e.Placement, e.Insecure)
		}
		m.showHistory = false
		m.setFocus(fieldURL)
		return common.Status(common.StatusInfo, "Loaded "+e.Method+" "+e.URL+" from the history")
	case key.Matches(k, km.History), key.Matches(k, km.Back):
		m.showHistory = false
	}
	return nil
}

// buildSpec reads the composer.
func (m *Model) buildSpec() (oreq.Spec, error) {
	spec := oreq.Spec{
		Method: strings.ToUpper(strings.TrimSpace(m.method.Value())), URL: strings.TrimSpace(m.url.Value()),
		Body: m.body.Value(), Auth: strings.TrimSpace(m.auth.Value()), Placement: m.placement, Insecure: m.insecure,
	}
	for i, line := range strings.Split(m.headers.Value(), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		name, value, ok := strings.Cut(t, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return spec, fmt.Errorf("headers, line %d: %q is not \"Name: value\"", i+1, t)
		}
		spec.Headers = append(spec.Headers, vault.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return spec, nil
}

// currentSender is the console's sender, made again after the session's
// vault was switched so credentials and tokens come from the vault in use.
func (m *Model) currentSender() *oreq.Sender {
	if !m.c.SenderFresh(m.sender) {
		m.sender = m.c.NewSender()
	}
	return m.sender
}

// send starts the request in a command; a newer send drops an older result.
func (m *Model) send() tea.Cmd {
	spec, err := m.buildSpec()
	if err != nil {
		return common.Status(common.StatusError, err.Error())
	}
	if spec.URL == "" {
		m.setFocus(fieldURL)
		return common.Status(common.StatusWarning, "Type a URL first")
	}
	if m.cancel != nil {
		m.cancel()
	}
	// The last response is let go before the next one is read (the memory budget:
	// ≤ 80 MB with a 10 MB body): holding it, and its pretty layout, while a
	// second body of the same size arrives would keep two alive at the peak.
	// Its summary stays in the history; the console shows "sending…".
	cmd := m.release()
	m.seq++
	m.busy, m.err, m.showHistory = true, nil, false
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	seq, s, env, started := m.seq, m.currentSender(), m.env, m.c.Now()
	m.setFocus(fieldResponse)
	return tea.Batch(cmd, m.spin.Tick, func() tea.Msg {
		resp, err := s.Send(ctx, env, spec, oreq.SendOptions{})
		return sentMsg{seq: seq, resp: resp, err: err, spec: spec, started: started}
	})
}

// release drops the response on screen: the viewer lets go of its body and
// layout (cancelling a layout still running), and a body kept in a
// temporary file is removed by the command returned.
func (m *Model) release() tea.Cmd {
	var cmd tea.Cmd
	if m.resp != nil && m.resp.BodyFile != "" {
		cmd = removeCmd(m.resp.BodyFile)
	}
	m.resp, m.scroll = nil, 0
	m.viewer.SetBody(nil)
	return cmd
}

func (m *Model) sent(msg sentMsg) tea.Cmd {
	m.busy, m.cancel = false, nil
	var cmds []tea.Cmd // the previous response went when the send started
	home, env, name := m.c.Home, m.env, ""
	if m.saved != nil {
		name = m.saved.Name
	}
	var entry history.Entry
	if msg.err != nil {
		m.err, m.resp = msg.err, nil
		m.viewer.SetNotice("")
		entry = oreq.FailedHistoryEntry(nil, env, name, msg.spec, msg.started, msg.err)
		cmds = append(cmds, common.ErrorCmd(msg.err))
	} else {
		r := msg.resp
		m.resp, m.spec, m.err, m.scroll = r, msg.spec, nil, 0
		switch {
		case r.BodyFile != "":
			m.viewer.SetNotice(fmt.Sprintf("The body (%s) is over the in-memory limit and went to a temporary file (0600): o saves it, x discards it.", oreq.FormatSize(r.Size)))
		default:
			cmds = append(cmds, m.viewer.SetBody(r.Body))
		}
		for _, w := range r.Request.Warnings {
			cmds = append(cmds, common.Status(common.StatusWarning, w))
		}
		if scope, ok := r.InsufficientScope(); ok {
			cmds = append(cmds, common.Status(common.StatusWarning, fmt.Sprintf("The server needs scope %q (403 insufficient_scope); get a token with it and send again", scope)))
		}
		entry = r.HistoryEntry(env, name, msg.spec, msg.started)
	}
	m.history = append([]history.Entry{entry}, m.history...)
	if len(m.history) > history.MaxEntries {
		m.history = m.history[:history.MaxEntries]
	}
	cmds = append(cmds, func() tea.Msg {
		h, err := historyStore(home)
		if err == nil {
			err = h.Add(entry)
		}
		if err != nil {
			return common.StatusMsg{Kind: common.StatusWarning, Text: "The history was not updated: " + err.Error()}
		}
		return nil
	})
	return tea.Batch(cmds...)
}

// curl prepares the request (reading secrets only with reveal) and copies it.
func (m *Model) curl(reveal bool) tea.Cmd {
	spec, err := m.buildSpec()
	if err != nil {
		return common.Status(common.StatusError, err.Error())
	}
	s, env, timeout := m.currentSender(), m.env, m.c.StoreTimeout
	return func() tea.Msg {
		ctx, cancel := common.StoreContext(timeout)
		defer cancel()
		p, err := s.Prepare(ctx, env, spec, reveal)
		if err != nil {
			return curlMsg{err: err}
		}
		return curlMsg{text: p.Curl(true), reveal: reveal}
	}
}

// promptSave asks for a name and saves the composer as a request.
func (m *Model) promptSave() tea.Cmd {
	spec, err := m.buildSpec()
	if err != nil {
		return common.Status(common.StatusError, err.Error())
	}
	value := ""
	if m.saved != nil {
		value = m.saved.Name
	}
	saved, env, v := m.saved, m.env, m.c.Vault
	d := dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title: "Save request", Body: "Save as a named request of " + env + ". The credential is saved by name, never its value.",
		Placeholder: "name", Value: value,
		Validate: func(s string) error { return vault.ValidateName("request", strings.TrimSpace(s)) },
		OnSubmit: func(name string) tea.Cmd {
			r := vault.Request{Name: strings.TrimSpace(name), Env: env, Method: spec.Method, URL: spec.URL, Headers: spec.Headers,
				Body: spec.Body, Auth: spec.Auth, Placement: spec.Placement, InsecureSkipVerify: spec.Insecure}
			if saved != nil && saved.Name == r.Name {
				r.ID, r.Description = saved.ID, saved.Description
			}
			return tea.Batch(common.CloseDialog(), func() tea.Msg {
				out, err := v.PutRequest(r)
				if err != nil {
					return savedMsg{err: err}
				}
				cat, err := v.Load()
				return savedMsg{req: out, cat: cat, err: err}
			})
		},
	})
	return common.OpenDialog(d)
}

// promptSaveBody asks for a path and writes the body there (0600).
func (m *Model) promptSaveBody() tea.Cmd {
	body, file := m.resp.Body, m.resp.BodyFile
	d := dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title: "Save body", Body: "Write the response body to a new file (mode 0600).", Placeholder: "path",
		Validate: func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("a path is required")
			}
			return nil
		},
		OnSubmit: func(path string) tea.Cmd {
			path = strings.TrimSpace(path)
			return tea.Batch(common.CloseDialog(), func() tea.Msg { return saveBody(body, file, path) })
		},
	})
	return common.OpenDialog(d)
}

// saveBody writes an in-memory body, or moves (or copies) a temporary body
// file, to path without overwriting anything.
func saveBody(body *oreq.Body, file, path string) bodyFileMsg {
	if body != nil {
		// bytes.NewReader, not a string: a 10 MB body is not copied to be saved.
		return bodyFileMsg{path: path, err: writeNew(path, bytes.NewReader(body.Bytes()))}
	}
	if _, err := os.Lstat(path); err == nil {
		return bodyFileMsg{err: fmt.Errorf("%s already exists", path)}
	}
	if err := os.Rename(file, path); err == nil {
		return bodyFileMsg{file: file, gone: true, path: path}
	}
	f, err := os.Open(file)
	if err != nil {
		return bodyFileMsg{err: err}
	}
	defer f.Close()
	if err := writeNew(path, f); err != nil {
		return bodyFileMsg{err: err}
	}
	_ = os.Remove(file)
	return bodyFileMsg{file: file, gone: true, path: path}
}

func writeNew(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func removeCmd(file string) tea.Cmd {
	if file == "" {
		return nil
	}
	return func() tea.Msg {
		err := os.Remove(file)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		return bodyFileMsg{file: file, gone: err == nil, err: err}
	}
}

// ---- view ----

// View renders the composer, the summary line and the response.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.c.Styles
	var b strings.Builder
	label := func(f field, text string) string {
		if m.focus == f {
			return st.Accent.Render(text)
		}
		return st.Muted.Render(text)
	}
	b.WriteString(label(fieldMethod, "") + m.method.View() + " " + m.url.View() + "\n")
	opts := []string{"placement " + placementName(m.placement)}
	if m.insecure {
		opts = append(opts, st.Warning.Render("TLS verification OFF"))
	} else {
		opts = append(opts, "TLS verified")
	}
	b.WriteString(label(fieldAuth, "auth ") + m.auth.View() + "  " + st.Muted.Render(strings.Join(opts, " · ")) + "\n")
	half := max(10, (m.width-1)/2)
	b.WriteString(padRight(label(fieldHeaders, "Headers"), half+1) + label(fieldBody, "Body") + "\n")
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, m.headers.View(), " ", m.body.View()) + "\n")
	b.WriteString(m.summary() + "\n")
	b.WriteString(m.responseView())
	return common.Fit(b.String(), m.width, m.height)
}

func placementName(p vault.Placement) string {
	if p == "" {
		return "as configured"
	}
	return string(p)
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// summary is the line between composer and response: status, size, time, tabs.
func (m *Model) summary() string {
	st := m.c.Styles
	var left string
	switch {
	case m.busy:
		left = m.spin.View() + " sending… (esc cancels)"
	case m.err != nil:
		left = st.Error.Render("✗ " + common.Explain(m.err).Reason)
	case m.resp != nil:
		style := st.Success
		switch {
		case m.resp.StatusCode >= 500:
			style = st.Error
		case m.resp.StatusCode >= 400:
			style = st.Warning
		case m.resp.StatusCode >= 300:
			style = st.Info
		}
		left = style.Render(m.resp.Status) + st.Muted.Render(" · "+strings.TrimPrefix(m.resp.Summary(), m.resp.Status+" · "))
		if m.resp.Refreshed {
			left += st.Info.Render(" · token refreshed")
		}
	default:
		left = st.Muted.Render("ctrl+s sends · tab moves between fields")
	}
	if m.showHistory {
		return left + "  " + st.Accent.Render("history")
	}
	if m.resp == nil {
		return left
	}
	var tabs []string
	for i, n := range tabNames {
		if respTab(i) == m.tab {
			tabs = append(tabs, st.Accent.Render("["+n+"]"))
		} else {
			tabs = append(tabs, st.Muted.Render(n))
		}
	}
	return left + "  " + strings.Join(tabs, " ")
}

func (m *Model) responseView() string {
	h := m.responseHeight()
	st := m.c.Styles
	switch {
	case m.showHistory:
		return m.historyView(h)
	case m.err != nil:
		p := common.Explain(m.err)
		lines := []string{st.Error.Render(p.Reason), st.Text.Render(sanitize(p.Detail))}
		if p.Next != "" {
			lines = append(lines, st.Muted.Render(p.Next))
		}
		return common.Fit(strings.Join(lines, "\n"), m.width, h)
	case m.resp == nil:
		return common.Fit("", m.width, h)
	}
	var lines []string
	switch m.tab {
	case tabBody:
		return m.viewer.View()
	case tabHeaders:
		for _, k := range sortedHeaderNames(m.resp) {
			for _, v := range m.resp.Header[k] {
				lines = append(lines, st.DetailLabel.Render(k+":")+" "+st.DetailValue.Render(sanitize(v)))
			}
		}
	case tabTiming:
		lines = m.timingLines()
	case tabRequest:
		for _, l := range strings.Split(strings.TrimSuffix(m.resp.Request.Dump(), "\n"), "\n") {
			lines = append(lines, sanitize(l))
		}
	case tabCount:
		// not a tab
	}
	if m.scroll > max(0, len(lines)-h) {
		m.scroll = max(0, len(lines)-h)
	}
	return common.Fit(strings.Join(lines[min(m.scroll, len(lines)):], "\n"), m.width, h)
}

func sortedHeaderNames(r *oreq.Response) []string {
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// sanitize makes server text safe for the terminal.
func sanitize(s string) string { return string(oreq.AppendDisplay(nil, []byte(s))) }

func (m *Model) timingLines() []string {
	st := m.c.Styles
	t := m.resp.Timing
	phases := []struct {
		name string
		d    time.Duration
	}{{"DNS", t.DNS}, {"Connect", t.Connect}, {"TLS", t.TLS}, {"First byte", t.FirstByte}, {"Total", t.Total}}
	barW := max(5, min(40, m.width-26))
	var lines []string
	for _, p := range phases {
		n := 0
		if t.Total > 0 {
			n = int(float64(barW) * float64(p.d) / float64(t.Total))
		}
		val := oreq.FormatDuration(p.d)
		if p.d == 0 {
			val = "—"
		}
		lines = append(lines, fmt.Sprintf("%-11s %9s ", p.name, val)+st.Accent.Render(strings.Repeat("█", n)))
	}
	conn := "new connection"
	if t.Reused {
		conn = "reused connection"
	}
	if m.resp.TLS != "" {
		conn += " · " + m.resp.TLS
	}
	lines = append(lines, st.Muted.Render(conn))
	for _, rd := range m.resp.Redirects {
		note := ""
		if rd.Stripped {
			note = " (credential not forwarded)"
		}
		lines = append(lines, st.Muted.Render(fmt.Sprintf("redirect %d → %s%s", rd.Status, sanitize(rd.To), note)))
	}
	for _, n := range m.resp.Notes {
		lines = append(lines, st.Info.Render(sanitize(n)))
	}
	return lines
}

func (m *Model) historyView(h int) string {
	st := m.c.Styles
	if len(m.history) == 0 {
		return common.Fit(st.ListEmpty.Render("No requests sent yet."), m.width, h)
	}
	top := max(0, min(m.histSel-h/2, len(m.history)-h))
	var lines []string
	for i := top; i < min(len(m.history), top+h); i++ {
		e := m.history[i]
		status := fmt.Sprint(e.Status)
		if e.Error != "" {
			status = "ERR"
		}
		line := fmt.Sprintf("%s  %-6s %-3s %8s  %s", e.Time.In(time.Local).Format("15:04:05"), e.Method, status,
			oreq.FormatDuration(e.Timing.Total.Std()), sanitize(e.URL))
		if e.Auth != "" {
			line += "  (" + e.Auth + ")"
		}
		line = ansi.Truncate(line, m.width, "…")
		if i == m.histSel {
			line = st.ListSelected.Render(padRight(line, m.width))
		}
		lines = append(lines, line)
	}
	return common.Fit(strings.Join(lines, "\n"), m.width, h)
}
