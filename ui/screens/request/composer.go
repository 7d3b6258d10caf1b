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

// composerKey handles a key while a field of the composer has the focus:
// esc leaves the field for the response, enter in a one-line field sends,
// anything else edits the field.
func (m *Model) composerKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Leave):
		m.setFocus(fieldResponse)
		return nil
	case key.Matches(k, m.keys.SendLine) && (m.focus == fieldMethod || m.focus == fieldURL || m.focus == fieldAuth):
		return m.send()
	}
	return m.updateField(k)
}
