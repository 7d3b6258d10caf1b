package request

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/secretlike"
)

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

func (m *Model) historyKey(k tea.KeyPressMsg, km KeyMap) tea.Cmd {
	switch {
	case key.Matches(k, km.Up):
		m.histSel = max(0, m.histSel-1)
	case key.Matches(k, km.Down):
		m.histSel = min(len(m.history)-1, m.histSel+1)
	case key.Matches(k, km.Load):
		e := m.history[m.histSel]
		r := vault.Request{Method: e.Method, URL: e.URL, Headers: e.Headers, Body: e.Body, Auth: e.Auth, Placement: e.Placement, InsecureSkipVerify: e.Insecure}
		if e.Template != nil {
			t := e.Template
			r.URL, r.Headers, r.Body, r.Params, r.Form, r.BodyFile = t.URL, t.Headers, t.Body, t.Params, t.Form, t.BodyFile
			r.StripLineBreaks = t.StripLineBreaks
		}
		m.load(r)
		m.showHistory = false
		m.setFocus(fieldURL)
		return common.Status(common.StatusInfo, "Loaded "+e.Method+" "+e.URL+" from the history")
	case key.Matches(k, km.History), key.Matches(k, km.Back):
		m.showHistory = false
	}
	return nil
}

func (m *Model) historyView(h int) string {
	st := m.c.Styles
	if len(m.history) == 0 {
		return common.Fit(st.ListEmpty.Render("No requests sent yet."), m.respW, h)
	}
	top := max(0, min(m.histSel-h/2, len(m.history)-h))
	var lines []string
	for i := top; i < min(len(m.history), top+h); i++ {
		e := m.history[i]
		line := fmt.Sprintf("%s  %-6s %-18s %8s  %s", e.Time.In(time.Local).Format("15:04:05"), e.Method, historyStatus(e),
			oreq.FormatDuration(e.Timing.Total.Std()), sanitize(e.URL))
		if e.Auth != "" {
			line += "  (" + e.Auth + ")"
		}
		line = ansi.Truncate(line, m.respW, "…")
		if i == m.histSel {
			line = st.ListSelected.Render(padRight(line, m.respW))
		}
		lines = append(lines, line)
	}
	return common.Fit(strings.Join(lines, "\n"), m.respW, h)
}

// historyStatus is an entry's status code and reason ("404 Not Found"),
// cut to its column, or why it got no response.
func historyStatus(e history.Entry) string {
	s := strings.TrimSpace(fmt.Sprintf("%d %s", e.Status, e.StatusText))
	if e.Error != "" {
		s = "ERR " + sanitize(e.Error)
	}
	return ansi.Truncate(s, 18, "…")
}

// headerRows are the header table's rows, disabled ones included.
func (m *Model) headerRows() []vault.Header {
	rows := m.headers.Rows()
	out := make([]vault.Header, 0, len(rows))
	for _, r := range rows {
		out = append(out, vault.Header{Name: r.Name, Value: r.Value, Disabled: r.Disabled})
	}
	return out
}

// keepDisabledHeaders puts the headers switched off in the console back
// into e's template, in their places among the sent ones, so reloading
// the entry brings them back disabled. A value that looks like a
// credential typed as a literal is masked, as the sent ones are.
func keepDisabledHeaders(e *history.Entry, rows []vault.Header) {
	if e.Template == nil || !slices.ContainsFunc(rows, func(h vault.Header) bool { return h.Disabled }) {
		return
	}
	sent := e.Template.Headers
	out := make([]vault.Header, 0, len(rows))
	for _, h := range rows {
		switch {
		case h.Disabled:
			out = append(out, vault.Header{Name: h.Name, Value: maskLiteralHeader(h.Name, h.Value), Disabled: true})
		case len(sent) > 0:
			out = append(out, sent[0])
			sent = sent[1:]
		}
	}
	e.Template.Headers = append(out, sent...)
}

// maskLiteralHeader masks a header value typed as a literal that looks
// like a credential; {{references}} and masks already in place are kept.
func maskLiteralHeader(name, v string) string {
	if v == "" || strings.Contains(v, "{{") || strings.Contains(v, mask.Dots) {
		return v
	}
	if secretlike.Value(v) || secretlike.Field(name, v) || strings.EqualFold(name, "Authorization") ||
		strings.EqualFold(name, "Proxy-Authorization") || strings.EqualFold(name, "Cookie") {
		return mask.Dots
	}
	return v
}
