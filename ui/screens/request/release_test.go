package request

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"weak"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/uitest"
)

// runCmd runs cmd the way the program would, synchronously: batches are
// expanded and every message produced is returned (nil ones dropped). The
// uitest driver is not used here because it keeps every message it saw,
// and with them the responses whose release this file checks.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// deliver feeds msgs to m until no command produces another message the
// console handles (sends, layouts, body files), so a response is on screen
// with its pretty layout done.
func deliver(m *Model, msgs []tea.Msg) {
	for i := 0; i < 8 && len(msgs) > 0; i++ {
		var next []tea.Msg
		for _, msg := range msgs {
			next = append(next, runCmd(m.Update(msg))...)
		}
		msgs = next
	}
}

// jsonBody is a JSON list of n records, large enough that the history keeps
// it as metadata only.
func jsonBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"record %d","tags":["a","b"]}`, i, i)
	}
	b.WriteString("]}")
	return b.String()
}

// firstResponse sends once and returns a weak pointer to the body shown;
// nothing of that response stays reachable from this function's frame.
func firstResponse(t *testing.T, m *Model) weak.Pointer[byte] {
	t.Helper()
	deliver(m, runCmd(m.send()))
	r := m.Response()
	if r == nil || r.Body == nil || m.viewer.Body() != r.Body || !m.viewer.Pretty() {
		t.Fatalf("the first response is not on screen with its layout (err %v)", m.Err())
	}
	data := r.Body.Bytes()
	return weak.Make(&data[0])
}

// TestSendReleasesThePreviousResponse covers the memory budget (≤ 80 MB with a 10 MB
// response): when a send starts, the console and its viewer let go of the
// response on screen — body and pretty layout — before the next one is
// read, so at most one body is alive; the console says "sending…", and the
// history keeps the first response's summary.
func TestSendReleasesThePreviousResponse(t *testing.T) {
	t.Parallel()
	body := jsonBody(4000)
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	})
	c := uitest.NewCommon(uitest.Fixture())
	c.Home = t.TempDir()
	m := New(c, "dev", "")
	m.SetSize(100, 30)
	m.url.SetValue(srv.URL + "/items")
	old := firstResponse(t, m)

	send := m.send() // started, not yet run: the request is on its way
	if m.Response() != nil || m.viewer.Body() != nil || m.viewer.Pretty() || m.viewer.PrettyPending() {
		t.Fatal("the previous response is still held after the send started")
	}
	screen := ansi.Strip(m.View())
	if !strings.Contains(screen, "sending…") || strings.Contains(screen, `"record 1"`) {
		t.Errorf("between send and result the console should say sending… and show no old body:\n%s", screen)
	}
	if len(m.History()) != 1 || m.History()[0].Status != 200 || !m.History()[0].BodyOmitted {
		t.Errorf("the history lost the first response's summary: %+v", m.History())
	}
	for range 3 {
		runtime.GC()
	}
	if old.Value() != nil {
		t.Fatal("the previous body is still reachable after the send started")
	}

	deliver(m, runCmd(send))
	if r := m.Response(); r == nil || r.Body == nil || m.viewer.Body() != r.Body || !m.viewer.Pretty() {
		t.Fatalf("the second response is not on screen (err %v)", m.Err())
	}
}

// TestSendRemovesThePreviousBodyFile: a body that went to a temporary file
// is removed when the next send starts, not left behind with its response.
func TestSendRemovesThePreviousBodyFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, jsonBody(200))
	})
	c := uitest.NewCommon(uitest.Fixture())
	c.Home = t.TempDir()
	m := New(c, "dev", "")
	m.SetSize(100, 30)
	m.sender.MaxBody, m.sender.SpillDir = 1<<10, t.TempDir()
	m.url.SetValue(srv.URL)
	deliver(m, runCmd(m.send()))
	r := m.Response()
	if r == nil || r.BodyFile == "" {
		t.Fatalf("the body did not go to a file (err %v)", m.Err())
	}
	file := r.BodyFile
	send := m.send()
	if m.Response() != nil {
		t.Fatal("the previous response is still held after the send started")
	}
	deliver(m, runCmd(send))
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the previous body file is still there (stat: %v)", err)
	}
	if r := m.Response(); r == nil || r.BodyFile == "" || r.BodyFile == file {
		t.Error("the second response did not get a body file of its own")
	}
}
