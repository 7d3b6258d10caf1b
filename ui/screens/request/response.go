package request

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/dialogs"
	"github.com/authdeck/authdeck/vault"
)

// promptSaveBody asks for a path — proposing a name from the URL and the
// kind of body — and writes the body there (0600); ~ is the home
// directory, and an existing file is replaced only after asking.
func (m *Model) promptSaveBody() tea.Cmd {
	body, file := m.resp.Body, m.resp.BodyFile
	d := dialogs.NewPrompt(m.c, dialogs.PromptOptions{
		Title: "Save body", Body: "Write the response body to a file (mode 0600); ~ is your home directory.", Placeholder: "path",
		Value: proposeName(m.resp),
		Validate: func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("a path is required")
			}
			return nil
		},
		OnSubmit: func(path string) tea.Cmd {
			path = strings.TrimSpace(path)
			// In sequence: the save may open a question, which a close
			// arriving after it would dismiss.
			return tea.Sequence(common.CloseDialog(), func() tea.Msg { return saveBody(body, file, path, false) })
		},
	})
	return common.OpenDialog(d)
}

// askReplace asks before a save replaces an existing file.
func (m *Model) askReplace(msg replaceMsg) tea.Cmd {
	d := dialogs.NewConfirm(m.c, "Replace "+msg.path+"?", "A file of that name exists. Its content will be replaced by the response body.", "Replace",
		func() tea.Msg { return saveBody(msg.body, msg.file, msg.path, true) })
	d.Danger = true
	return common.OpenDialog(d)
}

// replaceMsg says a body save found a file at path: the console asks.
type replaceMsg struct {
	body       *oreq.Body
	file, path string
}

// proposeName is a file name for a body: the last segment of the URL's
// path (or "response"), with an extension for its kind when it has none.
func proposeName(r *oreq.Response) string {
	name := "response"
	if u, err := url.Parse(r.URL); err == nil {
		if b := path.Base(u.Path); b != "." && b != "/" && b != "" {
			name = b
		}
	}
	name = strings.Map(func(c rune) rune {
		if c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			return c
		}
		return '_'
	}, name)
	if strings.Trim(name, "._") == "" {
		name = "response"
	}
	if filepath.Ext(name) == "" {
		name += map[oreq.Kind]string{oreq.KindJSON: ".json", oreq.KindXML: ".xml", oreq.KindHTML: ".html", oreq.KindText: ".txt", oreq.KindBinary: ".bin"}[r.Kind]
	}
	return name
}

// expandHome makes a leading ~ the home directory.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("~ in %s: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

// saveBody writes an in-memory body, or moves (or copies) a temporary body
// file, to target. An existing file is left alone (the console asks)
// unless replace; a replaced file holds the old or the new body at any
// instant, never a part.
func saveBody(body *oreq.Body, file, target string, replace bool) tea.Msg {
	p, err := expandHome(target)
	if err != nil {
		return bodyFileMsg{err: err}
	}
	fi, err := os.Lstat(p)
	switch {
	case err == nil && fi.IsDir():
		return bodyFileMsg{err: fmt.Errorf("%s is a directory", p)}
	case err == nil && !replace:
		return replaceMsg{body: body, file: file, path: p}
	}
	write := oreq.WriteNew
	if replace {
		write = writeReplacing
	}
	if body != nil {
		// bytes.NewReader, not a string: a 10 MB body is not copied to be saved.
		return bodyFileMsg{path: p, err: write(p, bytes.NewReader(body.Bytes()))}
	}
	if !replace {
		// A rename would replace a file created meanwhile: only when asked.
		if _, err := os.Lstat(p); err == nil {
			return bodyFileMsg{err: fmt.Errorf("%s already exists", p)}
		}
	}
	if err := os.Rename(file, p); err == nil {
		return bodyFileMsg{file: file, gone: true, path: p}
	}
	f, err := os.Open(file)
	if err != nil {
		return bodyFileMsg{err: err}
	}
	defer f.Close()
	if err := write(p, f); err != nil {
		return bodyFileMsg{err: err}
	}
	_ = os.Remove(file)
	return bodyFileMsg{file: file, gone: true, path: p}
}

// writeReplacing writes r to a 0600 file beside path and renames it over
// path.
func writeReplacing(path string, r io.Reader) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = io.Copy(tmp, r); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
		// The summary line above already says "✗ <reason>".
		p := common.Explain(m.err)
		lines := []string{st.Text.Render(sanitize(p.Detail))}
		if p.Next != "" {
			lines = append(lines, st.Muted.Render(p.Next))
		}
		return common.Fit(strings.Join(lines, "\n"), m.respW, h)
	case m.resp == nil:
		return common.Fit("", m.respW, h)
	}
	if m.tab == tabBody {
		return m.viewer.View()
	}
	lines := m.tabLines()
	top := min(m.scroll, max(0, len(lines)-h)) // View changes no state: the clamp is local
	return common.Fit(strings.Join(lines[top:], "\n"), m.respW, h)
}

// tabLines are the lines of the headers, timing or request tab.
func (m *Model) tabLines() []string {
	st := m.c.Styles
	var lines []string
	switch m.tab {
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
	case tabBody, tabCount:
		// the body is the viewer's
	}
	return lines
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
	barW := max(5, min(40, m.respW-26))
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

// responseKey handles a key while the response has the focus (no search
// field open, no history shown).
func (m *Model) responseKey(k tea.KeyPressMsg, km KeyMap) tea.Cmd {
	if cmd, ok := m.responseAction(k, km); ok {
		return cmd
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
			m.scroll = min(m.scroll+1, max(0, len(m.tabLines())-m.responseHeight()))
			return nil
		}
	}
	if key.Matches(k, km.Back) {
		return m.leave()
	}
	return nil
}

// responseAction runs the console's own commands of the response pane;
// ok is false for a key that is not one of them.
func (m *Model) responseAction(k tea.KeyPressMsg, km KeyMap) (cmd tea.Cmd, ok bool) {
	switch {
	case key.Matches(k, km.Tab):
		m.tab = (m.tab + 1) % tabCount
		m.scroll = 0
	case key.Matches(k, km.Placement):
		m.placement = map[vault.Placement]vault.Placement{"": vault.PlaceHeader, vault.PlaceHeader: vault.PlaceBody, vault.PlaceBody: vault.PlaceQuery, vault.PlaceQuery: ""}[m.placement]
		if m.placement == vault.PlaceBody || m.placement == vault.PlaceQuery {
			cmd = common.Status(common.StatusWarning, fmt.Sprintf("A bearer token will go in the %s: it can end up in logs (S-14)", m.placement))
		}
	case key.Matches(k, km.Insecure):
		m.insecure = !m.insecure
		cmd = common.Status(common.StatusInfo, "TLS certificate verification is on")
		if m.insecure {
			cmd = common.Status(common.StatusWarning, "TLS certificate verification is OFF for this request")
		}
	case key.Matches(k, km.CopyBody):
		cmd = m.copyBody()
	case key.Matches(k, km.CopyCurl):
		cmd = m.curl(false)
	case key.Matches(k, km.CopyReveal):
		cmd = m.curl(true)
	case key.Matches(k, km.Save):
		cmd = m.promptSave()
	case key.Matches(k, km.History):
		m.showHistory, m.histSel = true, 0
	case key.Matches(k, km.SaveBody):
		cmd = m.promptSaveBody()
	case key.Matches(k, km.Discard):
		cmd = removeCmd(m.resp.BodyFile)
	default:
		return nil, false
	}
	return cmd, true
}

// copyBody copies the response body through the session's clipboard,
// which clears it after a while like any copied value (a body can carry a
// token). A binary body or one kept in a file is saved with o instead.
func (m *Model) copyBody() tea.Cmd {
	r := m.resp
	switch {
	case r.Body == nil:
		return common.Status(common.StatusWarning, "The body is not in memory; o saves it to a file")
	case r.Kind == oreq.KindBinary:
		return common.Status(common.StatusWarning, "The body is binary; o saves it to a file")
	}
	return common.Copy("response body ("+oreq.FormatSize(int64(r.Body.Size()))+")", string(r.Body.Bytes()))
}
