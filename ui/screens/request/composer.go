package request

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/kvtable"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

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

// load fills the composer from a request.
func (m *Model) load(r vault.Request) {
	m.method.SetValue(r.Method)
	m.loadParts(r)
	m.auth.SetValue(r.Auth)
	m.placement, m.insecure = r.Placement, r.InsecureSkipVerify
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

func (m *Model) setFocus(f field) {
	m.focus = f
	m.method.Blur()
	m.url.Blur()
	m.auth.Blur()
	for _, t := range m.tables() {
		t.Blur()
	}
	m.body.Blur()
	m.bodyPath.Blur()
	m.viewer.Blur()
	switch f {
	case fieldMethod:
		m.method.Focus()
	case fieldURL:
		m.url.Focus()
	case fieldAuth:
		m.auth.Focus()
	case fieldParams:
		m.params.Focus()
		m.showParams = true
	case fieldHeaders:
		m.headers.Focus()
		m.showParams = false
	case fieldBody:
		m.focusBody()
	case fieldResponse:
		m.viewer.Focus()
	case fieldCount:
		// not a field
	}
}

// focusBody gives the keys to the editor of the current kind of body.
func (m *Model) focusBody() {
	switch m.mode {
	case bodyRaw:
		m.body.Focus()
	case bodyURLEncoded:
		m.form.Focus()
	case bodyMultipart:
		m.multipart.Focus()
	case bodyFile:
		m.bodyPath.Focus()
	case bodyModeCount:
		// not a kind of body
	}
}

// tables are the composer's tables.
func (m *Model) tables() []*kvtable.Model {
	return []*kvtable.Model{m.params, m.headers, m.form, m.multipart}
}

// focusedTable is the table with the focus, or nil.
func (m *Model) focusedTable() *kvtable.Model {
	switch {
	case m.focus == fieldParams:
		return m.params
	case m.focus == fieldHeaders:
		return m.headers
	case m.focus == fieldBody && m.mode == bodyURLEncoded:
		return m.form
	case m.focus == fieldBody && m.mode == bodyMultipart:
		return m.multipart
	}
	return nil
}

// cellEditing reports whether a table cell is being edited (the table
// then takes tab, enter and esc).
func (m *Model) cellEditing() bool {
	t := m.focusedTable()
	return t != nil && t.Editing()
}

// acceptingSuggestion: tab in the credential field completes a suggestion.
func (m *Model) acceptingSuggestion(k tea.KeyPressMsg) bool {
	return m.focus == fieldAuth && key.Matches(k, m.keys.Next) && m.auth.CurrentSuggestion() != "" && m.auth.CurrentSuggestion() != m.auth.Value()
}

func (m *Model) updateField(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.focus {
	case fieldMethod:
		m.method, cmd = m.method.Update(msg)
	case fieldURL:
		before := m.url.Value()
		m.url, cmd = m.url.Update(msg)
		if m.url.Value() != before {
			m.paramsFromURL()
		}
	case fieldAuth:
		m.auth, cmd = m.auth.Update(msg)
	case fieldParams:
		var changed bool
		if cmd, changed = m.params.Update(msg); changed {
			m.urlFromParams()
		}
	case fieldHeaders:
		cmd, _ = m.headers.Update(msg)
	case fieldBody:
		cmd = m.updateBody(msg)
	case fieldResponse, fieldCount:
		// the response viewer takes its keys elsewhere
	}
	return cmd
}

// updateBody passes msg to the editor of the current kind of body.
func (m *Model) updateBody(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.mode {
	case bodyRaw:
		m.body, cmd = m.body.Update(msg)
	case bodyURLEncoded:
		cmd, _ = m.form.Update(msg)
	case bodyMultipart:
		cmd, _ = m.multipart.Update(msg)
	case bodyFile:
		m.bodyPath, cmd = m.bodyPath.Update(msg)
	case bodyModeCount:
		// not a kind of body
	}
	return cmd
}

// buildSpec reads the composer as the sender takes it (disabled rows left out).
func (m *Model) buildSpec() (oreq.Spec, error) {
	r, err := m.request()
	if err != nil {
		return oreq.Spec{}, err
	}
	return oreq.SpecFromSaved(r), nil
}

// promptSave asks for a name and saves the composer as a request.
func (m *Model) promptSave() tea.Cmd {
	req, err := m.request()
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
			r := req
			r.Name, r.Env = strings.TrimSpace(name), env
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
	table := m.headers.View()
	if m.showParams {
		table = m.params.View()
	}
	if m.wide {
		b.WriteString(m.tablesLabel() + "\n" + table + "\n" + m.bodyLabel() + "\n" + m.bodyView())
		compW := m.width - m.respW - 3
		sep := strings.TrimSuffix(strings.Repeat(st.Faint.Render(" │ ")+"\n", m.height), "\n")
		resp := common.Fit(m.summary()+"\n"+m.responseView(), m.respW, m.height)
		return lipgloss.JoinHorizontal(lipgloss.Top, common.Fit(b.String(), compW, m.height), sep, resp)
	}
	half := max(10, (m.width-1)/2)
	b.WriteString(padRight(m.tablesLabel(), half+1) + m.bodyLabel() + "\n")
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, table, " ", m.bodyView()) + "\n")
	b.WriteString(m.summary() + "\n")
	b.WriteString(m.responseView())
	return common.Fit(b.String(), m.width, m.height)
}

// tablesLabel names the two tables of the left pane, the one shown first
// in the accent colour when it has the focus.
func (m *Model) tablesLabel() string {
	st := m.c.Styles
	count := func(t *kvtable.Model) string {
		on := 0
		for _, r := range t.Rows() {
			if !r.Disabled {
				on++
			}
		}
		if on == 0 {
			return ""
		}
		return fmt.Sprintf(" %d", on)
	}
	params, headers := "Params"+count(m.params), "Headers"+count(m.headers)
	shown := func(text string, f field, visible bool) string {
		switch {
		case m.focus == f:
			return st.Accent.Render("[" + text + "]")
		case visible:
			return st.Text.Render("[" + text + "]")
		}
		return st.Muted.Render(text)
	}
	return shown(params, fieldParams, m.showParams) + " " + shown(headers, fieldHeaders, !m.showParams)
}

// bodyLabel says what kind of body is edited.
func (m *Model) bodyLabel() string {
	st := m.c.Styles
	text := "Body · " + bodyModeNames[m.mode]
	if m.focus != fieldBody {
		return st.Muted.Render(text)
	}
	return st.Accent.Render(text) + st.Muted.Render(" (ctrl+o changes)")
}

// bodyView is the editor of the current kind of body.
func (m *Model) bodyView() string {
	switch m.mode {
	case bodyURLEncoded:
		return m.form.View()
	case bodyMultipart:
		return m.multipart.View()
	case bodyFile:
		note := m.c.Styles.Muted.Render("read when sent; only the path is saved")
		if m.stripLineBreaks {
			note = m.c.Styles.Muted.Render("read when sent, without its line breaks (as curl -d @file); only the path is saved")
		}
		return m.bodyPath.View() + "\n" + note + strings.Repeat("\n", max(0, m.bodyH-2))
	case bodyRaw, bodyModeCount:
	}
	return m.body.View()
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

// composerKey handles a key while a field of the composer has the focus:
// esc leaves the field for the response, enter in a one-line field sends,
// anything else edits the field.
func (m *Model) composerKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.cellEditing():
		return m.updateField(k)
	case key.Matches(k, m.keys.BodyType) && m.focus == fieldBody:
		return common.Status(common.StatusInfo, m.cycleBody())
	case key.Matches(k, m.keys.Leave):
		m.setFocus(fieldResponse)
		return nil
	case key.Matches(k, m.keys.SendLine) && m.takesCurl() && isCurlCommand(m.url.Value()):
		// a curl command typed (or pasted without bracketed paste) into the URL
		return m.pasteCurl(m.url.Value())
	case key.Matches(k, m.keys.SendLine) && (m.focus == fieldMethod || m.focus == fieldURL || m.focus == fieldAuth):
		return m.send()
	}
	return m.updateField(k)
}
