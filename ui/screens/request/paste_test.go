package request

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

const pastedToken = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

// waitStatus waits for a status line message containing want.
func (f *fixture) waitStatus(t *testing.T, want string) {
	t.Helper()
	f.d.Wait(30*time.Second, "status "+want, func() bool { return strings.Contains(f.h.LastStatus(), want) })
}

// TestPasteCurlFillsTheComposer pastes a curl command with a bearer token
// into the URL field: method, URL, query, headers and body fill the
// composer, the token becomes a secret in the vault (as `import curl`
// makes it) named as the credential, and sending it to a loopback server
// sends exactly what curl would.
func TestPasteCurlFillsTheComposer(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var gotBody string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotBody = string(b)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	})
	f := newFixture(t, "", 120, 40)
	f.d.Busy = uitest.StoreBusy
	f.m.setFocus(fieldURL)
	cmd := "curl -X POST '" + srv.URL + "/v1/orders?expand=items' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Authorization: Bearer " + pastedToken + "' \\\n  -d '{\"amount\": 42}'"
	f.d.Send(tea.PasteMsg{Content: cmd})
	f.waitStatus(t, "Pasted curl")
	assertComposer(t, f, srv.URL)
	composer := f.m.draft()
	if strings.Contains(composer, pastedToken) || strings.Contains(f.d.Screen(), pastedToken) {
		t.Fatal("the pasted token stays in the composer as text")
	}
	auth := f.m.auth.Value()
	s, ok := uitest.Catalog(f.c.Vault).Secret("dev", auth)
	if auth == "" || !ok {
		t.Fatalf("credential %q is not a secret of dev", auth)
	}
	val, err := f.c.Vault.SecretValue(t.Context(), *s)
	if err != nil || val.Key != "Bearer "+pastedToken {
		t.Fatalf("the token is not in the vault (err %v)", err)
	}
	if len(uitest.Catalog(f.c.Vault).RequestsIn("dev")) != 2 {
		t.Error("pasting saved a request; only w saves")
	}

	f.sendAndWait(t)
	if f.m.Err() != nil {
		t.Fatalf("send: %v", f.m.Err())
	}
	last := srv.last()
	mu.Lock()
	body := gotBody
	mu.Unlock()
	if last.Method != http.MethodPost || last.URL.RequestURI() != "/v1/orders?expand=items" || body != `{"amount": 42}` ||
		last.Header.Get("Authorization") != "Bearer "+pastedToken || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("server got %s %s, body %q, Content-Type %q, bearer token sent: %v", last.Method, last.URL.RequestURI(), body,
			last.Header.Get("Content-Type"), last.Header.Get("Authorization") == "Bearer "+pastedToken)
	}
	assertSavedWithoutToken(t, f, auth)
}

// assertSavedWithoutToken saves the console's request: it names the
// credential auth, and the pasted token is nowhere in it.
func assertSavedWithoutToken(t *testing.T, f *fixture, auth string) {
	t.Helper()
	f.m.setFocus(fieldResponse)
	f.d.Press("w")
	f.d.Type("create order")
	f.d.Press("enter")
	f.d.Wait(30*time.Second, "the save", func() bool { return f.m.Saved() != nil })
	r, ok := uitest.Catalog(f.c.Vault).Request("dev", "create order")
	if !ok || r.Auth != auth {
		t.Fatalf("saved request = %+v", r)
	}
	if strings.Contains(r.URL+r.Body+headersText(r.Headers), pastedToken) {
		t.Error("the saved request holds the token as text")
	}
}

// assertComposer checks the composer holds the pasted command's parts.
func assertComposer(t *testing.T, f *fixture, base string) {
	t.Helper()
	if got := f.m.method.Value(); got != "POST" {
		t.Errorf("method %q", got)
	}
	if got := f.m.url.Value(); got != base+"/v1/orders?expand=items" {
		t.Errorf("url %q", got)
	}
	if rows := f.m.params.Rows(); len(rows) != 1 || rows[0].Name != "expand" || rows[0].Value != "items" {
		t.Errorf("params %+v", rows)
	}
	if got := f.m.body.Value(); got != `{"amount": 42}` {
		t.Errorf("body %q", got)
	}
	if ct := contentType(f.m.headers.Rows()); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func headersText(hs []vault.Header) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	return b.String()
}

// TestTypedCurlWithUser: a curl command typed into the URL field and
// entered is read the same way; -u becomes a basic secret.
func TestTypedCurlWithUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 120, 40)
	f.d.Busy = uitest.StoreBusy
	f.typeURL("curl -u 'bob:s3cr3t-pass-word' " + srv.URL + "/me")
	f.d.Press("enter")
	f.waitStatus(t, "Pasted curl")
	if srv.count() != 0 {
		t.Fatal("enter on a curl command sent it instead of reading it")
	}
	if f.m.url.Value() != srv.URL+"/me" || f.m.method.Value() != http.MethodGet {
		t.Errorf("composer: %s %s", f.m.method.Value(), f.m.url.Value())
	}
	if strings.Contains(f.m.draft(), "s3cr3t") {
		t.Fatal("the password stays in the composer")
	}
	f.sendAndWait(t)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:s3cr3t-pass-word"))
	if srv.count() != 1 || srv.last().Header.Get("Authorization") != want {
		t.Errorf("server got %d requests, basic credentials right: %v", srv.count(), srv.last().Header.Get("Authorization") == want)
	}
}

// TestPasteBrokenCurlChangesNothing: a command that cannot be read is
// named with its line and column, and neither the composer nor the
// workspace changes.
func TestPasteBrokenCurlChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "list users", 120, 40)
	f.d.Busy = uitest.StoreBusy
	before := f.m.draft()
	secrets := len(uitest.Catalog(f.c.Vault).Secrets)
	f.m.setFocus(fieldURL)
	f.d.Send(tea.PasteMsg{Content: "curl 'https://api.example.test/x -H \"Authorization: Bearer " + pastedToken + "\""})
	f.waitStatus(t, "nothing changed")
	if st := f.h.LastStatus(); !strings.Contains(st, "line 1, column") || strings.Contains(st, pastedToken) {
		t.Errorf("status %q: want the position, never the token", st)
	}
	if f.m.draft() != before {
		t.Error("the composer changed")
	}
	if n := len(uitest.Catalog(f.c.Vault).Secrets); n != secrets {
		t.Errorf("secrets %d → %d", secrets, n)
	}
}

// TestPasteIntoBodyIsText: a curl command pasted into the body is text.
func TestPasteIntoBodyIsText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", 120, 40)
	f.m.setFocus(fieldBody)
	f.d.Send(tea.PasteMsg{Content: "curl https://api.example.test"})
	if got := f.m.body.Value(); got != "curl https://api.example.test" {
		t.Errorf("body %q", got)
	}
}
