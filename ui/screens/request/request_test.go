package request

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/components/kvtable"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

// server records the requests it gets.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(r.Context()))
		s.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"users":[{"id":1,"name":"Ada"},{"id":2,"name":"Grace"}]}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func (s *server) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

type fixture struct {
	c *common.Common
	m *Model
	h *uitest.Host
	d *uitest.Driver
}

func newFixture(t *testing.T, name string, w, h int) *fixture {
	t.Helper()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	c.Home = t.TempDir() // a history of its own
	m := New(c, "dev", name)
	host := uitest.NewHost(c, m)
	d := uitest.New(t, host, w, h)
	return &fixture{c: c, m: m, h: host, d: d}
}

// typeURL replaces the URL field's text.
func (f *fixture) typeURL(u string) {
	f.m.url.SetValue("")
	f.m.setFocus(fieldURL)
	f.d.Type(u)
}

func (f *fixture) sendAndWait(t *testing.T) {
	t.Helper()
	f.d.Press("ctrl+s")
	f.d.Wait(5*time.Second, "the response", func() bool { return !f.m.Busy() })
	f.d.Settle()
}

func assertNoFixtureSecret(t *testing.T, what, s string) {
	t.Helper()
	for i, sec := range uitest.Secrets() {
		if strings.Contains(s, sec) {
			t.Fatalf("%s contains fixture secret %d", what, i)
		}
	}
}

func TestSendWithCredential(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/users")
	f.m.setFocus(fieldAuth)
	f.d.Type("partner-basic")
	f.sendAndWait(t)
	if f.m.Err() != nil {
		t.Fatalf("send: %v", f.m.Err())
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("partner:"+uitest.FixturePassphrase))
	if srv.count() != 1 || srv.last().Header.Get("Authorization") != want {
		t.Fatalf("server got %d requests, Authorization set: %v", srv.count(), srv.last().Header.Get("Authorization") != "")
	}
	s := f.d.Screen()
	for _, w := range []string{"200 OK", "[body]", `"name": "Ada"`, "json · pretty"} {
		if !strings.Contains(s, w) {
			t.Errorf("screen lacks %q:\n%s", w, s)
		}
	}
	assertNoFixtureSecret(t, "screen", s)
	// The other tabs: headers, timing, the request as sent (masked).
	f.d.Press("t")
	if !strings.Contains(f.d.Screen(), "Content-Type: application/json") {
		t.Fatalf("headers tab:\n%s", f.d.Screen())
	}
	f.d.Press("t")
	if s := f.d.Screen(); !strings.Contains(s, "First byte") || !strings.Contains(s, "Total") {
		t.Fatalf("timing tab:\n%s", s)
	}
	f.d.Press("t")
	s = f.d.Screen()
	if !strings.Contains(s, "> GET /users HTTP/1.1") || !strings.Contains(s, "Authorization: Basic "+mask.Dots) || !strings.Contains(s, `basic credentials "partner-basic"`) {
		t.Fatalf("request tab:\n%s", s)
	}
	assertNoFixtureSecret(t, "request tab", s)
	// History has the entry, with the credential by name only.
	hist := f.m.History()
	if len(hist) != 1 || hist[0].Auth != "partner-basic" || hist[0].Status != 200 {
		t.Fatalf("history %+v", hist)
	}
}

func TestCopyAsCurl(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/users?q={{api}}")
	f.m.auth.SetValue("partner-basic")
	f.m.setFocus(fieldResponse)
	f.d.Press("c")
	if len(f.h.Copies) != 1 {
		t.Fatalf("copies %v", f.h.Copies)
	}
	masked := f.h.Copies[0]
	if !strings.Contains(masked.Value, "curl '"+srv.URL+"/users?q=https://api.example.test'") || !strings.Contains(masked.Value, "Authorization: Basic "+mask.Dots) ||
		!strings.Contains(masked.Label, "masked") {
		t.Fatalf("masked copy %q (%s)", masked.Value, masked.Label)
	}
	assertNoFixtureSecret(t, "masked curl", masked.Value)
	f.d.Press("C")
	if len(f.h.Copies) != 2 || !strings.Contains(f.h.Copies[1].Value, "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("partner:"+uitest.FixturePassphrase))) {
		t.Fatal("revealed copy lacks the credential")
	}
	if srv.count() != 0 {
		t.Fatal("copying must not send the request")
	}
}

func TestSavedRequestAndSave(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "create invoice", 120, 40)
	if f.m.Title() != "request · create invoice" || f.m.method.Value() != "POST" || f.m.url.Value() != "{{api}}/invoices" ||
		f.m.auth.Value() != "billing-service" || f.m.body.Value() != `{"amount": 42}` {
		t.Fatalf("loaded %s %s auth %s body %s", f.m.method.Value(), f.m.url.Value(), f.m.auth.Value(), f.m.body.Value())
	}
	f.m.setFocus(fieldHeaders)
	f.d.Send(tea.PasteMsg{Content: "Accept: application/json"})
	f.d.Settle()
	f.m.setFocus(fieldResponse)
	f.d.Press("w")
	if f.h.Dialog == nil {
		t.Fatal("no save dialog")
	}
	f.d.Press("enter")
	f.d.Wait(5*time.Second, "the save", func() bool { return f.h.Dialog == nil && f.m.Saved() != nil && len(f.m.Saved().Headers) == 1 })
	r, err := f.c.Vault.SavedRequest("dev", "create invoice")
	if err != nil || len(r.Headers) != 1 || r.Headers[0].Value != "application/json" || r.ID != f.m.Saved().ID {
		t.Fatalf("saved %+v %v", r, err)
	}
	// Under a new name it is a new request.
	f.d.Press("w")
	for range len("create invoice") {
		f.d.Press("backspace")
	}
	f.d.Type("invoice copy")
	f.d.Press("enter")
	f.d.Wait(5*time.Second, "the second save", func() bool { return f.m.Saved() != nil && f.m.Saved().Name == "invoice copy" })
	c, _ := f.c.Vault.Load()
	if len(c.RequestsIn("dev")) != 3 {
		t.Fatalf("requests %d", len(c.RequestsIn("dev")))
	}
}

func TestHistoryLoadsTheRequestAsWritten(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/first")
	f.sendAndWait(t)
	f.typeURL(srv.URL + "/second")
	f.sendAndWait(t)
	f.m.setFocus(fieldResponse)
	f.d.Press("H")
	if s := f.d.Screen(); !strings.Contains(s, "/second") || !strings.Contains(s, "/first") {
		t.Fatalf("history:\n%s", s)
	}
	f.d.Press("down", "enter")
	if f.m.url.Value() != srv.URL+"/first" {
		t.Fatalf("loaded %q", f.m.url.Value())
	}
}

func TestRefusedAndCancelled(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 100, 30)
	f.typeURL(srv.URL)
	f.m.auth.SetValue("weather-key")
	f.sendAndWait(t)
	if f.m.Err() == nil || srv.count() != 0 || !strings.Contains(f.d.Screen(), "refusing to send credential") {
		t.Fatalf("allowedHosts: err %v, requests %d\n%s", f.m.Err(), srv.count(), f.d.Screen())
	}
	slow := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	f.typeURL(slow.URL)
	f.m.auth.SetValue("")
	f.d.Send(uitest.Key("ctrl+s"))
	f.d.Wait(5*time.Second, "the request to start", func() bool { return slow.count() == 1 })
	if !strings.Contains(f.d.Screen(), "sending…") {
		t.Fatal("no progress shown")
	}
	f.d.Press("esc")
	f.d.Wait(5*time.Second, "the cancel", func() bool { return !f.m.Busy() })
	if f.m.Err() == nil || !strings.Contains(f.d.Screen(), "Cancelled") {
		t.Fatalf("after esc: err %v\n%s", f.m.Err(), f.d.Screen())
	}
}

func TestKeysReachTheViewer(t *testing.T) {
	t.Parallel()
	var big strings.Builder
	big.WriteString("[")
	for i := range 500 {
		fmt.Fprintf(&big, `{"i":%d},`, i)
	}
	big.WriteString(`{"last":"needle"}]`)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, big.String())
	})
	f := newFixture(t, "", 80, 24)
	f.typeURL(srv.URL)
	f.sendAndWait(t)
	f.d.Press("/")
	if !f.m.Capturing() {
		t.Fatal("the search field should capture keys")
	}
	f.d.Type("needle")
	f.d.Press("enter")
	if cur, ok := f.m.Viewer().Current(); !ok || cur.Line < 1000 {
		t.Fatalf("search: %v %v\n%s", cur, ok, f.d.Screen())
	}
	f.d.Press("g")
	if f.m.Viewer().Top() != 0 {
		t.Fatal("g goes to the top")
	}
	f.d.Press("esc") // clears the search
	f.d.Press("esc") // back: the typed URL is not saved, so it asks
	if f.h.Dialog == nil || f.h.Popped != 0 {
		t.Fatalf("leaving an edited console did not ask (popped %d)", f.h.Popped)
	}
	f.d.Press("y")
	if f.h.Popped != 1 {
		t.Fatalf("popped %d", f.h.Popped)
	}
}

// TestGoldenResponse: the console with a fixed response, at 80×24 and
// 120×40, in every built-in theme.
func TestGoldenResponse(t *testing.T) {
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				v := uitest.Fixture()
				c := uitest.NewCommon(v)
				c.Styles = styles.New(th, true)
				m := New(c, "dev", "list users")
				h := uitest.NewHost(c, m)
				d := uitest.New(t, h, size[0], size[1])
				d.Send(fixedResponse(t, m))
				d.Settle()
				golden.RequireEqual(t, d.Screen())
			})
		}
	}
}

// fixedResponse is a response with fixed headers and timings, as if sent.
func fixedResponse(t testing.TB, m *Model) tea.Msg {
	t.Helper()
	body, err := oreq.NewBody([]byte(`{"users":[{"id":1,"name":"Ada Lovelace","email":"ada@example.test","active":true},`+
		`{"id":2,"name":"Grace Hopper","email":"grace@example.test","active":false}],"page":{"number":1,"total":2},"next":null}`), "application/json")
	if err != nil {
		t.Fatal(err)
	}
	resp := &oreq.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1",
		Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}},
		URL:    "https://api.example.test/users", Body: body, Kind: oreq.KindJSON, Size: int64(body.Size()), WireSize: int64(body.Size()),
		Timing:  oreq.Timing{DNS: 2 * time.Millisecond, Connect: 3 * time.Millisecond, TLS: 9 * time.Millisecond, FirstByte: 41 * time.Millisecond, Total: 43 * time.Millisecond},
		Request: oreq.Prepared{Method: "GET", URL: "https://api.example.test/users", Headers: []vault.Header{{Name: "Authorization", Value: "Bearer " + mask.Dots + "xxxx"}}, Credential: `OAuth token "console" in the Authorization header`},
	}
	m.seq++
	return sentMsg{seq: m.seq, resp: resp, spec: oreq.Spec{Method: "GET", URL: "{{api}}/users", Auth: "console"}, started: uitest.FixtureNow}
}

func TestLargeBodyToFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Repeat(`{"k":"v"},`, 1000)+"0]")
	})
	f := newFixture(t, "", 100, 30)
	f.m.sender.MaxBody = 1 << 10
	f.m.sender.SpillDir = t.TempDir()
	f.typeURL(srv.URL)
	f.sendAndWait(t)
	resp := f.m.Response()
	if resp == nil || resp.Body != nil || resp.BodyFile == "" || !strings.Contains(f.d.Screen(), "went to a temporary file") {
		t.Fatalf("large body:\n%s", f.d.Screen())
	}
	dst := t.TempDir() + "/body.json"
	f.d.Press("o", "ctrl+u") // the proposed name goes
	f.d.Type(dst)
	f.d.Press("enter")
	f.d.Wait(5*time.Second, "the save", func() bool { return f.m.Response().BodyFile == "" })
	if fi, err := os.Stat(dst); err != nil || fi.Size() != resp.Size || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved body: %v", err)
	}
	// A second one is discarded with x.
	f.typeURL(srv.URL)
	f.sendAndWait(t)
	tmp := f.m.Response().BodyFile
	f.d.Press("x")
	f.d.Wait(5*time.Second, "the discard", func() bool { return f.m.Response().BodyFile == "" })
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatal("the temporary body file is still there")
	}
}

func TestPlacementAndTLSToggles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", 120, 40)
	f.m.setFocus(fieldResponse)
	f.d.Press("P", "P")
	if f.m.placement != vault.PlaceBody || !strings.Contains(f.h.LastStatus(), "S-14") {
		t.Fatalf("placement %q status %q", f.m.placement, f.h.LastStatus())
	}
	if !strings.Contains(f.d.Screen(), "placement body") {
		t.Fatal("placement not shown")
	}
	f.d.Press("K")
	if !f.m.insecure || !strings.Contains(f.d.Screen(), "TLS verification OFF") {
		t.Fatal("TLS off must be visible")
	}
	spec, err := f.m.buildSpec()
	if err != nil || spec.Placement != vault.PlaceBody || !spec.Insecure {
		t.Fatalf("spec %+v %v", spec, err)
	}
	f.m.headers.SetRows([]kvtable.Row{{Name: "Good", Value: "yes"}, {Value: "no name"}})
	if _, err := f.m.buildSpec(); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("bad header line: %v", err)
	}
}
