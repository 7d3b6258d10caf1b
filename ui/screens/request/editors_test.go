package request

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/components/kvtable"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// wire is what a loopback server received, body included.
type wire struct {
	method, target string
	header         http.Header
	body           []byte
}

// wireServer records every request whole and answers with a small JSON body.
func wireServer(t *testing.T) (*server, func() []wire) {
	t.Helper()
	var mu sync.Mutex
	var got []wire
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, wire{r.Method, r.RequestURI, r.Header.Clone(), b})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	return srv, func() []wire { mu.Lock(); defer mu.Unlock(); return append([]wire(nil), got...) }
}

// addRow adds a row to the focused table by keys: a, name, tab, value, enter.
func (f *fixture) addRow(name, value string) {
	f.d.Press("a")
	f.d.Type(name)
	f.d.Press("tab")
	if value != "" {
		f.d.Type(value)
	}
	f.d.Press("enter")
}

// save saves the composer under name through the save dialog and waits
// for the saved request to come back.
func (f *fixture) save(t *testing.T, name string) vault.Request {
	t.Helper()
	f.m.setFocus(fieldResponse)
	f.d.Press("w")
	if f.h.Dialog == nil {
		t.Fatal("no save dialog")
	}
	if f.m.Saved() != nil {
		for range len(f.m.Saved().Name) {
			f.d.Press("backspace")
		}
	}
	f.d.Type(name)
	f.d.Press("enter")
	f.d.Wait(10*time.Second, "the save", func() bool {
		return f.h.Dialog == nil && f.m.Saved() != nil && f.m.Saved().Name == name && !f.m.Edited()
	})
	r, err := f.c.Vault.SavedRequest("dev", name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func rowNames(rows []kvtable.Row) string {
	var out []string
	for _, r := range rows {
		s := r.Name + "=" + r.Value
		if r.Disabled {
			s = "!" + s
		}
		if r.File {
			s += "(file)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestQueryTableFollowsTheURL: the parameter table reads the URL's query,
// rows added, edited, disabled and removed in the table rewrite the URL,
// typing in the URL updates the table (a disabled row stays), what arrives
// on the wire is the enabled rows, and the saved request keeps every row.
func TestQueryTableFollowsTheURL(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/items?a=1&b=two")
	if s := rowNames(f.m.params.Rows()); s != "a=1 b=two" {
		t.Fatalf("rows from the URL: %s", s)
	}
	f.m.setFocus(fieldParams)
	f.addRow("q", "x y&z")
	if want := srv.URL + "/items?a=1&b=two&q=x%20y%26z"; f.m.url.Value() != want {
		t.Fatalf("after adding: URL %q, want %q", f.m.url.Value(), want)
	}
	f.d.Press("up", "space") // disable b
	f.d.Press("up", "enter", "tab", "backspace")
	f.d.Type("2")
	f.d.Press("enter") // a=2
	if want := srv.URL + "/items?a=2&q=x%20y%26z"; f.m.url.Value() != want {
		t.Fatalf("after disabling and editing: URL %q, want %q", f.m.url.Value(), want)
	}
	if s := f.d.Screen(); !strings.Contains(s, "· b") || !strings.Contains(s, "Params 2") {
		t.Fatalf("the disabled row is not shown as such:\n%s", s)
	}
	f.sendAndWait(t)
	w := got()
	if len(w) != 1 || w[0].target != "/items?a=2&q=x%20y%26z" {
		t.Fatalf("on the wire: %+v (err %v)", w, f.m.Err())
	}
	q, _ := url.ParseQuery(strings.SplitN(w[0].target, "?", 2)[1])
	if q.Get("q") != "x y&z" || q.Has("b") {
		t.Errorf("decoded query %v", q)
	}

	f.m.setFocus(fieldURL)
	f.d.Type("&c=3")
	if s := rowNames(f.m.params.Rows()); s != "a=2 !b=two q=x%20y%26z c=3" {
		t.Fatalf("rows after typing in the URL: %s", s)
	}
	f.m.setFocus(fieldParams)
	f.d.Press("down", "down", "d") // remove q (a, the row edited last, was selected)
	if want := srv.URL + "/items?a=2&c=3"; f.m.url.Value() != want {
		t.Fatalf("after removing: URL %q, want %q", f.m.url.Value(), want)
	}

	r := f.save(t, "items")
	if r.URL != srv.URL+"/items?a=2&c=3" || len(r.Params) != 1 || r.Params[0] != (vault.QueryParam{Name: "b", Value: "two", Disabled: true}) {
		t.Fatalf("saved URL %q params %+v", r.URL, r.Params)
	}
	again := New(f.c, "dev", "items")
	if s := rowNames(again.params.Rows()); s != "a=2 c=3 !b=two" || again.url.Value() != r.URL || again.Edited() {
		t.Fatalf("reopened: rows %s URL %q edited %v", s, again.url.Value(), again.Edited())
	}
}

// TestHeadersTable: headers pasted, added, edited, disabled and removed
// by keys; esc drops a cell edit and then leaves the table; only enabled
// headers go on the wire; the saved request keeps the disabled one.
func TestHeadersTable(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/h")
	f.m.setFocus(fieldHeaders)
	if h := f.m.FullHelp(); len(h) == 0 || len(h[0]) < 3 || h[0][2].Help().Desc != "add row" {
		t.Fatal("the full help does not list the table's keys first")
	}
	f.d.Send(tea.PasteMsg{Content: "X-One: 1\r\nX-Two: 2\n\n"})
	f.d.Settle()
	f.addRow("X-Three", "3")
	f.d.Press("up", "space")                     // disable X-Two
	f.d.Press("up", "enter", "tab", "backspace") // edit X-One's value
	f.d.Type("uno")
	f.d.Press("enter")
	f.addRow("X-Gone", "x")
	f.d.Press("d")
	f.d.Press("a")
	f.d.Type("X-Dropped")
	f.d.Press("esc") // drops the new row
	if s := rowNames(f.m.headers.Rows()); s != "X-One=uno !X-Two=2 X-Three=3" {
		t.Fatalf("rows: %s", s)
	}
	if f.m.focus != fieldHeaders {
		t.Fatal("esc on a cell edit left the table")
	}
	f.d.Press("esc")
	if f.m.focus != fieldResponse {
		t.Fatal("esc did not leave the table")
	}
	f.sendAndWait(t)
	w := got()
	if len(w) != 1 {
		t.Fatalf("sent %d (err %v)", len(w), f.m.Err())
	}
	if h := w[0].header; h.Get("X-One") != "uno" || h.Get("X-Three") != "3" || h.Get("X-Two") != "" || h.Get("X-Gone") != "" || h.Get("X-Dropped") != "" {
		t.Errorf("headers on the wire: %v", h)
	}
	r := f.save(t, "headers")
	want := []vault.Header{{Name: "X-One", Value: "uno"}, {Name: "X-Two", Value: "2", Disabled: true}, {Name: "X-Three", Value: "3"}}
	if fmt.Sprint(r.Headers) != fmt.Sprint(want) {
		t.Fatalf("saved headers %+v", r.Headers)
	}
}

// TestURLEncodedForm: ctrl+o makes the body a URL-encoded form (and sets
// its Content-Type); the fields arrive encoded, a disabled one does not,
// and the saved request keeps every field and reopens in the form editor.
func TestURLEncodedForm(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/login")
	f.m.method.SetValue("POST")
	f.m.setFocus(fieldBody)
	f.d.Press("ctrl+o")
	if f.m.mode != bodyURLEncoded || contentType(f.m.headers.Rows()) != urlEncodedType {
		t.Fatalf("mode %v, content type %q", f.m.mode, contentType(f.m.headers.Rows()))
	}
	f.addRow("user", "ada lovelace")
	f.addRow("note", "a&b=c+d")
	f.addRow("off", "x")
	f.d.Press("space")
	if s := f.d.Screen(); !strings.Contains(s, "Body · form (URL-encoded)") || !strings.Contains(s, "· off") {
		t.Fatalf("form editor:\n%s", s)
	}
	f.sendAndWait(t)
	w := got()
	if len(w) != 1 {
		t.Fatalf("sent %d (err %v)", len(w), f.m.Err())
	}
	if ct := w[0].header.Get("Content-Type"); ct != urlEncodedType {
		t.Errorf("content type %q", ct)
	}
	form, err := url.ParseQuery(string(w[0].body))
	if err != nil || form.Get("user") != "ada lovelace" || form.Get("note") != "a&b=c+d" || form.Has("off") {
		t.Errorf("body %q: %v %v", w[0].body, form, err)
	}
	r := f.save(t, "login")
	if len(r.Form) != 3 || !r.Form[2].Disabled || r.Body != "" {
		t.Fatalf("saved form %+v body %q", r.Form, r.Body)
	}
	again := New(f.c, "dev", "login")
	if again.mode != bodyURLEncoded || rowNames(again.form.Rows()) != "user=ada lovelace note=a&b=c+d !off=x" || again.Edited() {
		t.Fatalf("reopened: mode %v rows %s", again.mode, rowNames(again.form.Rows()))
	}
	// Leaving the URL-encoded form takes its Content-Type away.
	f.m.setFocus(fieldBody)
	f.d.Press("ctrl+o")
	if f.m.mode != bodyMultipart || contentType(f.m.headers.Rows()) != "" {
		t.Fatalf("mode %v, content type %q", f.m.mode, contentType(f.m.headers.Rows()))
	}
}

// TestMultipartFormReadsFilesWhenSent: a multipart form with a text field
// and a file field; the file is read when sent (a change to it goes out
// with the next send) and the catalog keeps only its path.
func TestMultipartFormReadsFilesWhenSent(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	doc := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(doc, []byte("first version of the document"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/upload")
	f.m.method.SetValue("POST")
	f.m.setFocus(fieldBody)
	f.d.Press("ctrl+o", "ctrl+o")
	if f.m.mode != bodyMultipart {
		t.Fatalf("mode %v", f.m.mode)
	}
	f.addRow("title", "hello")
	f.addRow("doc", "")
	f.d.Press("f", "enter", "tab")
	f.d.Type(doc)
	f.d.Press("enter")
	if s := rowNames(f.m.multipart.Rows()); s != "title=hello doc="+doc+"(file)" {
		t.Fatalf("rows %s", s)
	}
	if !strings.Contains(f.d.Screen(), "@"+doc[:20]) {
		t.Fatalf("the file row is not shown as a file:\n%s", f.d.Screen())
	}
	parts := func(w wire) map[string]string {
		t.Helper()
		mt, prm, err := mime.ParseMediaType(w.header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			t.Fatalf("content type %q", w.header.Get("Content-Type"))
		}
		out := map[string]string{}
		mr := multipart.NewReader(strings.NewReader(string(w.body)), prm["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			out[p.FormName()+"|"+p.FileName()] = string(b)
		}
		return out
	}
	f.sendAndWait(t)
	if w := got(); len(w) != 1 || fmt.Sprint(parts(w[0])) != "map[doc|doc.txt:first version of the document title|:hello]" {
		t.Fatalf("sent %d (err %v)", len(w), f.m.Err())
	}
	r := f.save(t, "upload")
	if len(r.Form) != 2 || !r.Form[1].IsFile || r.Form[1].File != doc || r.Form[1].Value != "" {
		t.Fatalf("saved form %+v", r.Form)
	}
	cat, err := f.c.Vault.Load()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(cat); strings.Contains(string(b), "first version") {
		t.Fatal("the file's content went into the catalog")
	}
	if err := os.WriteFile(doc, []byte("second version"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.sendAndWait(t)
	if w := got(); len(w) != 2 || parts(w[1])["doc|doc.txt"] != "second version" {
		t.Fatalf("the second send did not read the file again (err %v)", f.m.Err())
	}
}

// TestCopyResponseBody: y copies the body through the session's copy
// path (common.CopyMsg, cleared like any copied value); the value is
// never in the status line; a binary body is refused.
func TestCopyResponseBody(t *testing.T) {
	t.Parallel()
	binary := false
	var mu sync.Mutex
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bin := binary
		mu.Unlock()
		if bin {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte{0, 1, 2, 0xff, 0xfe, 0})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"body-token-value","n":1}`)
	})
	f := newFixture(t, "", 100, 30)
	f.typeURL(srv.URL)
	f.sendAndWait(t)
	f.d.Press("y")
	if len(f.h.Copies) != 1 || f.h.Copies[0].Value != `{"access_token":"body-token-value","n":1}` || !strings.HasPrefix(f.h.Copies[0].Label, "response body") {
		t.Fatalf("copies %d %+v", len(f.h.Copies), f.h.Copies)
	}
	for _, st := range f.h.Status {
		if strings.Contains(st.Text, "body-token-value") {
			t.Fatal("the status line shows the copied value")
		}
	}
	mu.Lock()
	binary = true
	mu.Unlock()
	f.typeURL(srv.URL)
	f.sendAndWait(t)
	f.d.Press("y")
	if len(f.h.Copies) != 1 || !strings.Contains(f.h.LastStatus(), "binary") {
		t.Fatalf("binary body: copies %d status %q", len(f.h.Copies), f.h.LastStatus())
	}
}

// TestSaveKeepsWhatTheConsoleDoesNotEdit: a saved request's folder,
// description, scheme and body file (sent without its line breaks, as an
// imported curl -d @file is) survive a save from the console.
func TestSaveKeepsWhatTheConsoleDoesNotEdit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", 120, 40)
	in := vault.Request{
		Name: "report", Env: "dev", Method: "PUT", URL: "{{api}}/report", Folder: []string{"Reports"}, Description: "weekly",
		BodyFile: "/tmp/report.json", StripLineBreaks: true,
		Scheme: &vault.AuthScheme{Type: vault.SchemeBasic, Username: "{{user}}", Password: "{{pass}}"},
	}
	if _, err := f.c.Vault.PutRequest(in); err != nil {
		t.Fatal(err)
	}
	cat, err := f.c.Vault.Load()
	if err != nil {
		t.Fatal(err)
	}
	f.c.Catalog = cat
	m := New(f.c, "dev", "report")
	if m.mode != bodyFile || m.bodyPath.Value() != "/tmp/report.json" {
		t.Fatalf("mode %v path %q", m.mode, m.bodyPath.Value())
	}
	h := uitest.NewHost(f.c, m)
	d := uitest.New(t, h, 120, 40)
	g := &fixture{c: f.c, m: m, h: h, d: d}
	if !strings.Contains(d.Screen(), "without its line breaks") {
		t.Errorf("the body file's editor does not say its line breaks are left out:\n%s", d.Screen())
	}
	m.setFocus(fieldHeaders)
	g.addRow("Accept", "application/json")
	r := g.save(t, "report")
	if r.BodyFile != "/tmp/report.json" || !r.StripLineBreaks || fmt.Sprint(r.Folder) != "[Reports]" || r.Description != "weekly" || r.Scheme == nil || r.Scheme.Username != "{{user}}" || len(r.Headers) != 1 {
		t.Fatalf("saved %+v", r)
	}
}

// TestGoldenEditors: the composer with a parameter table (one row
// disabled) and a multipart form, at 80×24 and 120×40 in every theme.
func TestGoldenEditors(t *testing.T) {
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				v := uitest.Fixture()
				c := uitest.NewCommon(v)
				c.Styles = styles.New(th, true)
				m := New(c, "dev", "")
				m.load(vault.Request{
					Method: "POST", URL: "{{api}}/upload?kind=report&page=2",
					Params:  []vault.QueryParam{{Name: "debug", Value: "1", Disabled: true}},
					Headers: []vault.Header{{Name: "Accept", Value: "application/json"}},
					Form:    []vault.FormField{{Name: "title", Value: "Q3 report"}, {Name: "file", IsFile: true, File: "~/reports/q3.pdf"}, {Name: "draft", Value: "yes", Disabled: true}},
				})
				h := uitest.NewHost(c, m)
				d := uitest.New(t, h, size[0], size[1])
				m.setFocus(fieldParams)
				d.Settle()
				golden.RequireEqual(t, d.Screen())
			})
		}
	}
}

// TestSaveBodyProposesExpandsAndAsks: o proposes a file name from the URL
// and the kind of body, ~ is the home directory, and an existing file is
// replaced only after a yes (a no leaves it as it was).
func TestSaveBodyProposesExpandsAndAsks(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // not parallel: the home directory is the process's
	n := 0
	var mu sync.Mutex
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		i := n
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"answer":%d}`, i)
	})
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/v1/users?page=2")
	f.sendAndWait(t)
	f.d.Press("o")
	if f.h.Dialog == nil || !strings.Contains(f.d.Screen(), "users.json") {
		t.Fatalf("no proposed name:\n%s", f.d.Screen())
	}
	f.d.Press("ctrl+u")
	f.d.Type("~/out.json")
	f.d.Press("enter")
	dst := filepath.Join(home, "out.json")
	f.d.Wait(10*time.Second, "the save", func() bool { b, _ := os.ReadFile(dst); return string(b) == `{"answer":1}` })

	f.typeURL(srv.URL + "/v1/users")
	f.sendAndWait(t)
	f.d.Press("o", "ctrl+u")
	f.d.Type("~/out.json")
	f.d.Press("enter")
	f.d.Wait(10*time.Second, "the question", func() bool { return f.h.Dialog != nil && strings.Contains(f.d.Screen(), "Replace "+dst+"?") })
	f.d.Press("n")
	if b, _ := os.ReadFile(dst); string(b) != `{"answer":1}` || f.h.Dialog != nil {
		t.Fatalf("after no: %q, dialog %v", b, f.h.Dialog != nil)
	}
	f.d.Press("o", "ctrl+u")
	f.d.Type("~/out.json")
	f.d.Press("enter")
	f.d.Wait(10*time.Second, "the question", func() bool { return f.h.Dialog != nil && strings.Contains(f.d.Screen(), "Replace") })
	f.d.Press("y")
	f.d.Wait(10*time.Second, "the replace", func() bool { b, _ := os.ReadFile(dst); return string(b) == `{"answer":2}` })
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file: %v %v", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(home, ".out.json.tmp-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	for _, c := range []struct {
		url  string
		kind string
		want string
	}{{"https://h/a/report.csv", "text", "report.csv"}, {"https://h/", "html", "response.html"}, {"https://h/x%20y/..", "json", "response.json"}, {"https://h/a b", "binary", "a_b.bin"}} {
		r := f.m.Response()
		saved, kind := r.URL, r.Kind
		r.URL = c.url
		r.Kind = map[string]oreq.Kind{"text": oreq.KindText, "html": oreq.KindHTML, "json": oreq.KindJSON, "binary": oreq.KindBinary}[c.kind]
		if got := proposeName(r); got != c.want {
			t.Errorf("proposeName(%s, %s) = %q, want %q", c.url, c.kind, got, c.want)
		}
		r.URL, r.Kind = saved, kind
	}
}

// TestGoldenSideBySide: from 160 columns the composer and the response
// stand side by side, the body editor under the tables.
func TestGoldenSideBySide(t *testing.T) {
	for _, th := range themes.Builtin() {
		t.Run(th.Name, func(t *testing.T) {
			v := uitest.Fixture()
			c := uitest.NewCommon(v)
			c.Styles = styles.New(th, true)
			m := New(c, "dev", "list users")
			h := uitest.NewHost(c, m)
			d := uitest.New(t, h, 180, 40)
			d.Send(fixedResponse(t, m))
			d.Settle()
			s := d.Screen()
			lines := strings.Split(s, "\n")
			if !strings.HasPrefix(lines[0], "GET") || !strings.Contains(lines[0], "│ 200 OK") || !strings.Contains(lines[5], "│") {
				t.Fatalf("not side by side:\n%s", s)
			}
			golden.RequireEqual(t, s)
		})
	}
}

// TestViewChangesNoState: the response tabs scroll within their lines, and
// drawing them never moves the scroll position.
func TestViewChangesNoState(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "list users")
	h := uitest.NewHost(c, m)
	d := uitest.New(t, h, 80, 24)
	d.Send(fixedResponse(t, m))
	d.Settle()
	m.setFocus(fieldResponse)
	d.Press("t") // headers: two lines, nothing to scroll
	for range 5 {
		d.Press("down")
	}
	if m.scroll != 0 {
		t.Fatalf("scrolled to %d in a tab that fits", m.scroll)
	}
	m.scroll = 40
	before := m.scroll
	_ = m.View()
	if m.scroll != before || !strings.Contains(d.Screen(), "Content-Type: application/json") {
		t.Fatalf("View moved the scroll to %d or drew nothing:\n%s", m.scroll, d.Screen())
	}
}

// BenchmarkConsoleView is one frame of the console with a response and
// filled tables at 120×40 (the viewer caches its lines).
func BenchmarkConsoleView(b *testing.B) {
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "list users")
	m.load(vault.Request{
		Method: "POST", URL: "{{api}}/upload?kind=report&page=2", Headers: []vault.Header{{Name: "Accept", Value: "application/json"}},
		Form: []vault.FormField{{Name: "title", Value: "Q3"}, {Name: "file", IsFile: true, File: "q3.pdf"}},
	})
	m.SetSize(120, 40)
	m.Update(fixedResponse(b, m))
	for b.Loop() {
		if len(m.View()) == 0 {
			b.Fatal("empty view")
		}
	}
}

// TestHistoryKeepsTheTables: a request reloaded from the history has its
// form (a disabled row too) and its disabled parameter back; a literal
// password typed in the form is masked there, never kept.
func TestHistoryKeepsTheTables(t *testing.T) {
	t.Parallel()
	srv, got := wireServer(t)
	f := newFixture(t, "", 120, 40)
	f.typeURL(srv.URL + "/login?a=1&debug=1")
	f.m.method.SetValue("POST")
	f.m.setFocus(fieldParams)
	f.d.Press("down", "space") // debug off
	f.m.setFocus(fieldBody)
	f.d.Press("ctrl+o")
	f.addRow("user", "ada")
	f.addRow("password", "correct horse battery")
	f.addRow("off", "x")
	f.d.Press("space")
	f.sendAndWait(t)
	if w := got(); len(w) != 1 || !strings.Contains(string(w[0].body), "password=correct+horse+battery") {
		t.Fatalf("sent %d (err %v)", len(got()), f.m.Err())
	}
	f.typeURL("http://127.0.0.1:1/elsewhere")
	f.m.setFocus(fieldBody)
	f.d.Press("ctrl+o", "ctrl+o", "ctrl+o") // back to a raw body
	f.m.setFocus(fieldResponse)
	f.d.Press("H", "enter")
	if f.m.url.Value() != srv.URL+"/login?a=1" || rowNames(f.m.params.Rows()) != "a=1 !debug=1" {
		t.Fatalf("reloaded URL %q params %s", f.m.url.Value(), rowNames(f.m.params.Rows()))
	}
	if f.m.mode != bodyURLEncoded || rowNames(f.m.form.Rows()) != "user=ada password=•••••••• !off=x" {
		t.Fatalf("reloaded mode %v form %s", f.m.mode, rowNames(f.m.form.Rows()))
	}
	for _, e := range f.m.History() {
		if b, _ := json.Marshal(e); strings.Contains(string(b), "correct horse") || strings.Contains(string(b), "correct+horse") {
			t.Fatal("the history keeps the typed password")
		}
	}
}
