// Package request is the request console screen: a composer (method, URL,
// credential, token placement, query-parameter and header tables, a body
// as text, URL-encoded or multipart form, or file), a send key, the response
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
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/kvtable"
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
	fieldParams
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
		// headers are the header rows as sent, disabled ones included.
		headers []vault.Header
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
	params, headers   *kvtable.Model
	// showParams: the left pane shows the parameters, else the headers.
	showParams bool
	// The body editors, one per kind of body; mode says which is sent.
	mode            bodyMode
	body            textarea.Model
	form, multipart *kvtable.Model
	bodyPath        textinput.Model
	// stripLineBreaks: the body file is sent as curl -d @file sends it
	// (kept from the loaded request; see vault.Request).
	stripLineBreaks bool
	placement       vault.Placement
	insecure        bool
	focus           field

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
	// wide puts the composer and the response side by side; respW is the
	// response's width, bodyH the body editor's height.
	wide  bool
	respW int
	bodyH int

	// baseline is the composer as it was opened or last saved; edits since
	// make the console ask before esc leaves it.
	baseline string
}

// memHistory is the history of a session without a home directory (the

// New returns the console for the saved request name in env, or an empty
// one when name is "".
func New(c *common.Common, env, name string) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), env: env, tab: tabBody}
	m.method = m.newInput("method", 10)
	m.method.SetValue("GET")
	m.url = m.newInput("https://api.example.com/path?q={{var}}", 4096)
	m.auth = m.newInput("secret or auth client (none)", 200)
	m.auth.ShowSuggestions = true
	m.params = kvtable.New(c.Styles, kvtable.Options{What: "query parameter", Sep: "="})
	m.headers = kvtable.New(c.Styles, kvtable.Options{What: "header", Sep: ":"})
	m.body = m.newArea("request body ({{variables}} allowed)")
	m.form = kvtable.New(c.Styles, kvtable.Options{What: "form field", Sep: "="})
	m.multipart = kvtable.New(c.Styles, kvtable.Options{What: "form field", Sep: "=", Files: true})
	m.bodyPath = m.newInput("path of the file sent as the body (read when sent)", 4096)
	m.viewer = viewer.New(c.Styles)
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	m.sender = c.NewSender()
	if name != "" && c.Catalog != nil {
		if r, ok := c.Catalog.Request(env, name); ok {
			cp := *r
			m.saved = &cp
			m.load(cp)
		}
	}
	m.suggest()
	m.setFocus(fieldURL)
	m.baseline = m.draft()
	return m
}

// draft is the composer's content, to tell whether it was edited.
func (m *Model) draft() string {
	return strings.Join([]string{
		m.method.Value(), m.url.Value(), m.auth.Value(), rowsDraft(m.params.Rows()), rowsDraft(m.headers.Rows()),
		fmt.Sprint(m.mode), m.body.Value(), rowsDraft(m.form.Rows()), rowsDraft(m.multipart.Rows()), m.bodyPath.Value(),
		string(m.placement), fmt.Sprint(m.insecure),
	}, "\x00")
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
	for _, in := range []*textinput.Model{&m.method, &m.url, &m.auth, &m.bodyPath} {
		in.SetStyles(st.TextInput())
	}
	for _, t := range m.tables() {
		t.SetStyles(st)
	}
	m.body.SetStyles(m.areaStyles())
	m.viewer.SetStyles(st)
	m.spin.Style = st.Spinner
}

// wideWidth is the width from which the console puts the composer and the
// response side by side.
const wideWidth = 160

// SetSize lays the composer out over the top and gives the rest to the
// response, or on a wide terminal puts the two side by side.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.wide = w >= wideWidth && h >= 16
	m.editorH = 3
	if h >= 34 {
		m.editorH = 6
	}
	compW, tableW, tableH, bodyH := w, max(10, (w-1)/2), m.editorH, m.editorH
	bodyW := max(10, w-tableW-1)
	m.respW = w
	if m.wide {
		compW = (w - 3) / 2 // " │ " between the halves
		m.respW = w - compW - 3
		tableW, bodyW = compW, compW
		tableH = max(3, (h-4)/2)
		bodyH = max(3, h-4-tableH)
	}
	m.method.SetWidth(7)
	m.url.SetWidth(max(10, compW-12))
	m.auth.SetWidth(max(10, min(32, compW/3)))
	m.params.SetSize(tableW, tableH)
	m.headers.SetSize(tableW, tableH)
	m.body.SetWidth(bodyW)
	m.body.SetHeight(bodyH)
	m.form.SetSize(bodyW, bodyH)
	m.multipart.SetSize(bodyW, bodyH)
	m.bodyPath.SetWidth(bodyW)
	m.bodyH = bodyH
	m.viewer.SetSize(m.respW, m.responseHeight())
}

// responseHeight is what is left under the composer and the summary line
// (beside the composer, under the summary line).
func (m *Model) responseHeight() int {
	if m.wide {
		return max(3, m.height-1)
	}
	return max(3, m.height-(2+1+m.editorH+1))
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
	k.BodyType.SetEnabled(m.focus == fieldBody && !m.cellEditing())
	k.CopyBody.SetEnabled(resp && !m.showHistory && m.resp != nil && m.resp.Body != nil)
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
	if t := m.focusedTable(); t != nil {
		if t.Editing() {
			return t.ShortHelp()
		}
		return append([]key.Binding{k.Send, k.Next, k.BodyType}, t.ShortHelp()...)
	}
	if m.focus != fieldResponse {
		return []key.Binding{k.Send, k.Next, k.Prev, k.BodyType, k.Cancel}
	}
	if m.showHistory {
		return []key.Binding{k.Load, k.Up, k.Down, k.History}
	}
	return append([]key.Binding{k.Send, k.Tab, k.CopyBody, k.CopyCurl, k.Save, k.History}, m.viewer.ShortHelp()...)
}

// FullHelp lists every binding.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.KeyMap()
	var table [][]key.Binding
	if t := m.focusedTable(); t != nil {
		tk := t.KeyMap()
		table = [][]key.Binding{{tk.Up, tk.Down, tk.Add, tk.Edit, tk.Delete, tk.Toggle, tk.File}, {tk.NextCell, tk.Commit, tk.Cancel}}
	}
	return append(append(table, []key.Binding{k.Send, k.Cancel, k.Next, k.Prev, k.Back, k.BodyType},
		[]key.Binding{k.Tab, k.Placement, k.Insecure, k.CopyBody, k.CopyCurl, k.CopyReveal, k.Save},
		[]key.Binding{k.History, k.Load, k.SaveBody, k.Discard, k.Up, k.Down}), m.viewer.FullHelp()...)
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
	case replaceMsg:
		return m.askReplace(msg)
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
		return m.paste(msg)
	case curlPastedMsg:
		return m.curlPasted(msg)
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
	case key.Matches(k, km.Next) && !m.viewer.Capturing() && !m.acceptingSuggestion(k) && !m.cellEditing():
		m.setFocus((m.focus + 1) % fieldCount)
		return nil
	case key.Matches(k, km.Prev) && !m.viewer.Capturing() && !m.cellEditing():
		m.setFocus((m.focus + fieldCount - 1) % fieldCount)
		return nil
	}
	switch {
	case m.focus != fieldResponse:
		return m.composerKey(k)
	case m.viewer.Capturing():
		cmd, _ := m.viewer.HandleKey(k)
		return cmd
	case m.showHistory:
		return m.historyKey(k, km)
	}
	return m.responseKey(k, km)
}
