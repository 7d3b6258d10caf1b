package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
	"github.com/authdeck/authdeck/vault/mask"
)

const (
	cliFakeKey    = "fake-cli-api-key-0001"
	cliFakeSecret = "fake-cli-secret-var-0002"
)

// requestHarness is a harness with an API key secret, a restricted one and
// variables, plus a test server that records the last request.
type requestHarness struct {
	*harness
	srv  *httptest.Server
	mu   sync.Mutex
	last *http.Request
	body string
}

func (rh *requestHarness) lastRequest() (*http.Request, string) {
	rh.mu.Lock()
	defer rh.mu.Unlock()
	return rh.last, rh.body
}

func newRequestHarness(t *testing.T, handler http.HandlerFunc) *requestHarness {
	t.Helper()
	h := newHarness(t)
	rh := &requestHarness{harness: h}
	rh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rh.mu.Lock()
		rh.last, rh.body = r.Clone(context.Background()), string(b)
		rh.mu.Unlock()
		if handler != nil {
			handler(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"hello":"world"}`)
	}))
	t.Cleanup(rh.srv.Close)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(h.v.SetVar(ctx, vault.DefaultEnv, "base", rh.srv.URL, false))
	must(h.v.SetVar(ctx, vault.DefaultEnv, "sv", cliFakeSecret, true))
	put := func(s vault.Secret, val vault.SecretValue) {
		s.Env = vault.DefaultEnv
		_, err := h.v.PutSecret(ctx, s, &val)
		must(err)
	}
	put(vault.Secret{Meta: vault.Meta{Name: "key"}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"}, vault.SecretValue{Key: cliFakeKey})
	put(vault.Secret{Meta: vault.Meta{Name: "far", AllowedHosts: []string{"api.example.com"}}, Type: vault.TypeAPIKey}, vault.SecretValue{Key: cliFakeKey})
	return rh
}

func TestRequestCommand(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, nil)
	r := rh.must("", "request", "POST", "{{base}}/items", "--auth", "key", "-H", "X-S: {{sv}}", "-d", `{"a":1}`)
	if r.out != `{"hello":"world"}` || r.err != "" {
		t.Fatalf("stdout %q stderr %q", r.out, r.err)
	}
	req, body := rh.lastRequest()
	if req.Method != http.MethodPost || req.URL.Path != "/items" || req.Header.Get("X-API-Key") != cliFakeKey || req.Header.Get("X-S") != cliFakeSecret || body != `{"a":1}` {
		t.Fatalf("server got %s %s body %q", req.Method, req.URL, body)
	}
	noSecret(t, r, cliFakeKey, cliFakeSecret)

	// -i and -v: status and headers on stdout, the masked request and timings on stderr.
	r = rh.must("", "request", "GET", "{{base}}/x", "--auth", "key", "-H", "X-S: {{sv}}", "-i", "-v")
	for _, want := range []string{"HTTP/1.1 200 OK\n", "Content-Type: application/json\n", "\n\n{\"hello\":\"world\"}"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("-i output lacks %q:\n%s", want, r.out)
		}
	}
	for _, want := range []string{"> GET /x HTTP/1.1", "> X-API-Key: " + mask.Dots, `* credential: API key "key" in header X-API-Key`, "< HTTP/1.1 200 OK", "first byte"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("-v output lacks %q:\n%s", want, r.err)
		}
	}
	noSecret(t, r, cliFakeKey, cliFakeSecret)
}

func TestRequestCommandExitCodes(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
		case "/scope":
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="api:write"`)
			w.WriteHeader(http.StatusForbidden)
		default:
			fmt.Fprint(w, "ok")
		}
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"4xx without --fail is a response", []string{"request", "GET", "{{base}}/missing"}, 0, []string{`{"error":"not found"}`}},
		{"--fail on 4xx", []string{"request", "GET", "{{base}}/missing", "--fail"}, exitRejected, []string{"HTTP 404 Not Found (--fail)"}},
		{"insufficient scope", []string{"request", "GET", "{{base}}/scope", "--auth", "key"}, 0, []string{`the server needs scope "api:write" (403 insufficient_scope)`}},
		{"cannot reach", []string{"request", "GET", closedURL}, exitUnreachable, []string{"cannot reach", "connection failed"}},
		{"allowedHosts", []string{"request", "GET", "{{base}}/x", "--auth", "far"}, exitNotConfigured, []string{"refusing to send credential \"far\"", "allowedHosts"}},
		{"unknown variable", []string{"request", "GET", "{{base}}/{{nope}}"}, exitMissingInput, []string{"{{nope}}"}},
		{"unknown credential", []string{"request", "GET", "{{base}}", "--auth", "ghost"}, exitNotConfigured, []string{`no auth client or secret "ghost"`}},
		{"unknown saved request", []string{"send", "ghost"}, exitNotConfigured, []string{`no request "ghost"`}},
		{"bad header flag", []string{"request", "GET", "{{base}}", "-H", "novalue"}, exitOther, []string{"a header is"}},
		{"bad placement", []string{"request", "GET", "{{base}}", "--auth", "key", "--placement", "query"}, exitOther, []string{"applies to bearer tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rh.run("", tt.args...)
			checkResult(t, r, tt.code, tt.want, tt.args)
			if tt.code == exitRejected && r.out != "" {
				t.Fatalf("--fail wrote the body: %q", r.out)
			}
		})
	}
}

func TestSendSavedAndSave(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, nil)
	r := rh.must("", "request", "GET", "{{base}}/saved", "--auth", "key", "--save", "mine", "--no-history")
	if !strings.Contains(r.err, `saved as request "mine"`) {
		t.Fatalf("stderr %q", r.err)
	}
	saved, err := rh.v.SavedRequest(vault.DefaultEnv, "mine")
	if err != nil || saved.URL != "{{base}}/saved" || saved.Auth != "key" {
		t.Fatalf("saved %+v %v", saved, err)
	}
	r = rh.must("", "send", "mine")
	req, _ := rh.lastRequest()
	if r.out != `{"hello":"world"}` || req.URL.Path != "/saved" || req.Header.Get("X-API-Key") != cliFakeKey {
		t.Fatalf("send: %q %s", r.out, req.URL)
	}
}

func TestRequestOutputSafety(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "title\x1b]0;pwned\x07 é\n")
	})
	// On a terminal, escape sequences are shown, not obeyed.
	r := rh.runWith(runOpts{outTTY: true}, "", "request", "GET", "{{base}}")
	if r.code != 0 || strings.ContainsRune(r.out, 0x1b) || r.out != "title␛]0;pwned␇ é\n" {
		t.Fatalf("tty output %q", r.out)
	}
	// In a pipe, the bytes are passed through as they are.
	r = rh.run("", "request", "GET", "{{base}}")
	if r.out != "title\x1b]0;pwned\x07 é\n" {
		t.Fatalf("pipe output %q", r.out)
	}
	// -o writes a 0600 file.
	path := filepath.Join(t.TempDir(), "body.txt")
	r = rh.run("", "request", "GET", "{{base}}", "-o", path)
	fi, err := os.Stat(path)
	if r.code != 0 || r.out != "" || err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != int64(len("title\x1b]0;pwned\x07 é\n")) {
		t.Fatalf("-o: code %d out %q err %v", r.code, r.out, err)
	}
	// An existing 0644 file is replaced by a 0600 one, atomically (S-32).
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r = rh.run("", "request", "GET", "{{base}}", "-o", path)
	fi, err = os.Stat(path)
	if r.code != 0 || err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != int64(len("title\x1b]0;pwned\x07 é\n")) {
		t.Fatalf("-o over a 0644 file: code %d mode %v err %v", r.code, fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A credential typed on the command line is called out (S-33).
	r = rh.run("", "request", "GET", "{{base}}", "-H", "Authorization: Bearer abc")
	if !strings.Contains(r.err, "looks like a credential") {
		t.Fatalf("no warning: %q", r.err)
	}
}

// TestRequestHistory: sent requests are recorded under the home directory,
// masked (S-33), and --no-history skips it.
func TestRequestHistory(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, nil)
	home := t.TempDir()
	env := map[string]string{"AUTHDECK_VAULT": "file", "AUTHDECK_HOME": home}
	r := rh.runWith(runOpts{env: env}, "", "request", "GET", "{{base}}/h?s={{sv}}", "--auth", "key")
	if r.code != 0 {
		t.Fatalf("%d %s", r.code, r.err)
	}
	rh.runWith(runOpts{env: env}, "", "request", "GET", "{{base}}/skipped", "--no-history")
	raw, err := os.ReadFile(filepath.Join(home, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), cliFakeKey) || strings.Contains(string(raw), cliFakeSecret) {
		t.Fatal("the history holds a secret value")
	}
	h, _ := history.Open(home)
	list, err := h.List()
	if err != nil || len(list) != 1 || list[0].Status != 200 || list[0].Auth != "key" || list[0].ResponseBody != `{"hello":"world"}` {
		t.Fatalf("history %+v %v", list, err)
	}
}

// TestRequestCommandPlayground sends with an auth client's token from the
// playground provider, through the real engine.
func TestRequestCommandPlayground(t *testing.T) {
	t.Parallel()
	s := tokenPlayground(t)
	h := newHarness(t)
	realNow(h)
	addDemoClient(t, h.v, s, "svc", playground.ClientServiceBasic, vault.GrantClientCredentials, playground.ScopeAPIRead)
	r := h.must("", "request", "GET", s.APIURL+"/data", "--auth", "svc", "-v")
	var body struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.out), &body); err != nil || len(body.Items) != 3 {
		t.Fatalf("body %q: %v", r.out, err)
	}
	if strings.Contains(r.err, "eyJ") {
		t.Fatal("-v printed the access token")
	}
	// POST /data needs api:write, which the client was not given.
	r = h.must("", "request", "POST", s.APIURL+"/data", "--auth", "svc", "-d", "{}", "-H", "Content-Type: application/json")
	if !strings.Contains(r.err, `needs scope "api:write"`) || !strings.Contains(r.err, "authdeck token svc --scope") {
		t.Fatalf("stderr %q", r.err)
	}
}
