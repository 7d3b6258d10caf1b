package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/request"
	"github.com/authdeck/authdeck/ui/uitest"
)

// esc during a slow send cancels the send and nothing else: the console
// stays with the edited request. Leaving with edits asks first (esc on the
// question stays, confirming leaves); leaving an unedited console does not.
func TestConsoleEscCancelsThenAsksBeforeLeaving(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-time.After(20 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	d, m, _ := fixtureApp(t, 120, 40, nil)
	d.Send(common.OpenRequestMsg{Env: "dev"})
	d.Settle()
	rq, ok := m.Top().(*request.Model)
	if !ok {
		t.Fatalf("top = %T", m.Top())
	}
	if !strings.HasSuffix(m.Top().Title(), "request") {
		t.Errorf("an unedited console is marked edited: %q", m.Top().Title())
	}
	d.Type(slow.URL + "/slow")
	if !strings.Contains(m.Top().Title(), "●") {
		t.Errorf("the edited console is not marked: %q", m.Top().Title())
	}
	d.Send(uitest.Key("ctrl+s"))
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the request was not sent")
	}
	d.Press("esc")
	d.Wait(10*time.Second, "the cancel", func() bool { return !rq.Busy() })
	if m.Top() != rq {
		t.Fatalf("esc during the send left the console (top %T)", m.Top())
	}
	if !strings.Contains(d.Screen(), slow.URL+"/slow") {
		t.Fatalf("the edited URL is gone:\n%s", d.Screen())
	}
	// Now leave: the edits are not saved, so the console asks.
	for i := 0; i < 3 && m.Dialog() == nil && m.Top() == rq; i++ {
		d.Press("esc")
	}
	if m.Top() != rq || m.Dialog() == nil || !strings.Contains(d.Screen(), "Leave without saving?") {
		t.Fatalf("leaving with edits did not ask (top %T):\n%s", m.Top(), d.Screen())
	}
	d.Press("esc") // keep editing
	if m.Top() != rq || m.Dialog() != nil {
		t.Fatal("esc on the question did not keep the console")
	}
	d.Press("esc")
	if m.Dialog() == nil {
		t.Fatalf("the question did not come back:\n%s", d.Screen())
	}
	d.Press("y")
	if m.Top() == rq {
		t.Fatal("confirming did not leave the console")
	}

	// An unedited console leaves at once.
	d.Send(common.OpenRequestMsg{Env: "dev"})
	d.Settle()
	d.Press("esc", "esc")
	if _, still := m.Top().(*request.Model); still || m.Dialog() != nil {
		t.Fatalf("an unedited console asked or stayed:\n%s", d.Screen())
	}
}
