package request

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/authdeck/authdeck/vault"
)

// captured is a request as a loopback server received it.
type captured struct {
	method, target string
	header         http.Header
	body           []byte
}

func captureServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int) bool) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{r.Method, r.RequestURI, r.Header.Clone(), b})
		n := len(got)
		mu.Unlock()
		if handle != nil && handle(w, r, n) {
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured { mu.Lock(); defer mu.Unlock(); return append([]captured(nil), got...) }
}

func partsVault(t *testing.T, vars map[string]string, secrets map[string]string) *vault.Vault {
	t.Helper()
	v := vault.New(vault.NewMemoryCatalog(), vault.NewMemoryStore())
	ctx := context.Background()
	for k, x := range vars {
		if err := v.SetVar(ctx, vault.DefaultEnv, k, x, false); err != nil {
			t.Fatal(err)
		}
	}
	for k, x := range secrets {
		if err := v.SetVar(ctx, vault.DefaultEnv, k, x, true); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func sendSaved(t *testing.T, v *vault.Vault, r vault.Request) (*Response, error) {
	t.Helper()
	s := &Sender{Vault: v}
	spec := SpecFromSaved(r)
	spec.AllowHTTP = true
	resp, err := s.Send(context.Background(), vault.DefaultEnv, spec, SendOptions{Sink: func(*Response) io.Writer { return io.Discard }})
	if err == nil {
		_ = resp.Discard()
	}
	return resp, err
}

// A multipart form is built when sent: text parts rendered, file parts
// read from disk then (not when saved or shown), disabled parts left out;
// disabled headers and query parameters are not sent, enabled ones are.
func TestSendFormFileParamsDisabled(t *testing.T) {
	srv, got := captureServer(t, nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "avatar.png")
	v := partsVault(t, map[string]string{"who": "alice", "api key": "k 1"}, nil)
	r := vault.Request{
		Name: "upload", Env: vault.DefaultEnv, Method: "POST", URL: srv.URL + "/up?a=1",
		Headers: []vault.Header{{Name: "X-On", Value: "{{api key}}"}, {Name: "X-Off", Value: "no", Disabled: true}},
		Params:  []vault.QueryParam{{Name: "b", Value: "{{who}}"}, {Name: "c", Value: "off", Disabled: true}},
		Form: []vault.FormField{
			{Name: "user", Value: "{{who}}"},
			{Name: "avatar", IsFile: true, File: file, ContentType: "image/png"},
			{Name: "skipped", Value: "x", Disabled: true},
		},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	// The file does not exist yet: showing the request reads nothing.
	p, err := (&Sender{Vault: v}).Prepare(context.Background(), vault.DefaultEnv, SpecFromSaved(r), true)
	if err != nil {
		t.Fatalf("prepare without the file: %v", err)
	}
	if !strings.Contains(p.Body, "read when sent") {
		t.Errorf("display body %q does not say the file is read when sent", p.Body)
	}
	if _, err := sendSaved(t, v, r); err == nil || !strings.Contains(err.Error(), "avatar.png") {
		t.Fatalf("send without the file: %v, want an error naming it", err)
	}
	if err := os.WriteFile(file, []byte("\x89PNG\r\n\x1a\nbytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sendSaved(t, v, r); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	c := reqs[len(reqs)-1]
	if c.target != "/up?a=1&b=alice" {
		t.Errorf("target %s", c.target)
	}
	if c.header.Get("X-On") != "k 1" || c.header.Get("X-Off") != "" {
		t.Errorf("headers %v", c.header)
	}
	mt, prm, err := mime.ParseMediaType(c.header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q", c.header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(string(c.body)), prm["boundary"])
	var parts []string
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(part)
		parts = append(parts, fmt.Sprintf("%s|%s|%s|%q", part.FormName(), part.FileName(), part.Header.Get("Content-Type"), b))
	}
	want := []string{`user|||"alice"`, `avatar|avatar.png|image/png|"\x89PNG\r\n\x1a\nbytes"`}
	if fmt.Sprint(parts) != fmt.Sprint(want) {
		t.Errorf("parts\n got %q\nwant %q", parts, want)
	}
}

// A body file is read when the request is sent.
func TestSendBodyFile(t *testing.T) {
	srv, got := captureServer(t, nil)
	file := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(file, []byte("{\"a\":1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := partsVault(t, map[string]string{"dir": filepath.Dir(file)}, nil)
	r := vault.Request{Name: "put", Env: vault.DefaultEnv, Method: "PUT", URL: srv.URL + "/x", BodyFile: "{{dir}}/payload.json"}
	if _, err := sendSaved(t, v, r); err != nil {
		t.Fatal(err)
	}
	if b := string(got()[0].body); b != "{\"a\":1}\n" {
		t.Fatalf("body %q", b)
	}
}

// Dynamic variables are generated when sent, the same value for one name
// within a request, new values for the next request.
func TestSendDynamicVariables(t *testing.T) {
	srv, got := captureServer(t, nil)
	v := partsVault(t, nil, nil)
	r := vault.Request{
		Name: "dyn", Env: vault.DefaultEnv, Method: "POST", URL: srv.URL + "/d/{{$guid}}?ts={{$timestamp}}",
		Headers: []vault.Header{{Name: "X-Id", Value: "{{$guid}}"}, {Name: "X-Int", Value: "{{$randomInt 5 7}}"}},
		Body:    `{"iso":"{{$isoTimestamp}}","n":{{$randomInt}},"email":"{{$randomEmail}}"}`,
	}
	before := time.Now().Unix()
	for range 2 {
		if _, err := sendSaved(t, v, r); err != nil {
			t.Fatal(err)
		}
	}
	reqs := got()
	uuid := regexp.MustCompile(`^/d/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\?ts=(\d+)$`)
	var ids []string
	for _, c := range reqs {
		m := uuid.FindStringSubmatch(c.target)
		if m == nil {
			t.Fatalf("target %q", c.target)
		}
		ids = append(ids, m[1])
		if ts, _ := strconv.ParseInt(m[2], 10, 64); ts < before || ts > time.Now().Unix() {
			t.Errorf("$timestamp %s is not now", m[2])
		}
		if c.header.Get("X-Id") != m[1] {
			t.Errorf("$guid differs within one request: %s vs %s", c.header.Get("X-Id"), m[1])
		}
		if n, err := strconv.Atoi(c.header.Get("X-Int")); err != nil || n < 5 || n >= 7 {
			t.Errorf("$randomInt 5 7 = %q", c.header.Get("X-Int"))
		}
		if !regexp.MustCompile(`^\{"iso":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","n":\d+,"email":"[a-z.]+\d*@example\.(com|net|org)"\}$`).Match(c.body) {
			t.Errorf("body %s", c.body)
		}
	}
	if ids[0] == ids[1] {
		t.Error("two requests got the same $guid")
	}
}

// Basic authentication built from variables is computed when sent; the
// password stays a secret variable and never shows in the display.
func TestSendBasicSchemeFromVariables(t *testing.T) {
	srv, got := captureServer(t, nil)
	v := partsVault(t, map[string]string{"clientId": "cid"}, map[string]string{"clientSecret": fakePassword})
	r := vault.Request{
		Name: "b", Env: vault.DefaultEnv, Method: "GET", URL: srv.URL + "/b",
		Scheme: &vault.AuthScheme{Type: vault.SchemeBasic, Username: "{{clientId}}", Password: "{{clientSecret}}"},
	}
	p, err := (&Sender{Vault: v}).Prepare(context.Background(), vault.DefaultEnv, SpecFromSaved(r), false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fmt.Sprint(p.Headers), fakePassword) || !strings.Contains(p.Credential, "cid") {
		t.Errorf("display %v / %q", p.Headers, p.Credential)
	}
	if _, err := sendSaved(t, v, r); err != nil {
		t.Fatal(err)
	}
	if u, pw, ok := (&http.Request{Header: got()[0].header}).BasicAuth(); !ok || u != "cid" || pw != fakePassword {
		t.Fatalf("basic auth %q %q %v", u, pw, ok)
	}
}

// Digest authentication answers the server's challenge once (RFC 7616,
// SHA-256, qop=auth); the answer is checked here with the RFC's formulas.
func TestSendDigestScheme(t *testing.T) {
	const realm, nonce = "api@example.test", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	h := func(s string) string { x := sha256.Sum256([]byte(s)); return hex.EncodeToString(x[:]) }
	srv, got := captureServer(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", qop="auth", algorithm=SHA-256, nonce="%s", opaque="op"`, realm, nonce))
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		c, err := digest.ParseCredentials(auth)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return true
		}
		ha1 := h("Mufasa:" + realm + ":" + fakePassword)
		ha2 := h(r.Method + ":" + r.RequestURI)
		want := h(fmt.Sprintf("%s:%s:%08x:%s:auth:%s", ha1, nonce, c.Nc, c.Cnonce, ha2))
		if c.Response != want || c.Username != "Mufasa" || c.URI != r.RequestURI || c.Opaque != "op" {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	})
	v := partsVault(t, nil, map[string]string{"pw": fakePassword})
	r := vault.Request{
		Name: "d", Env: vault.DefaultEnv, Method: "GET", URL: srv.URL + "/dir/index.html?x=1",
		Scheme: &vault.AuthScheme{Type: vault.SchemeDigest, Username: "Mufasa", Password: "{{pw}}"},
	}
	resp, err := sendSaved(t, v, r)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(got()) != 2 {
		t.Fatalf("status %d after %d requests", resp.StatusCode, len(got()))
	}
}

// AWS Signature v4 with AWS's signer, checked against the example of
// AWS's documentation (IAM ListUsers, 2015-08-30).
func TestSignAWSv4DocumentationExample(t *testing.T) {
	u, _ := url.Parse("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
	w := &wire{method: "GET", url: u, headers: []vault.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded; charset=utf-8"}}}
	now := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	err := signAWSv4(w, schemeValues{access: "AKIDEXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", svc: "iam"}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	if got := w.get("Authorization"); got != want {
		t.Fatalf("Authorization\n got %s\nwant %s", got, want)
	}
	if w.get("X-Amz-Date") != "20150830T123600Z" {
		t.Errorf("X-Amz-Date %q", w.get("X-Amz-Date"))
	}
}

// A form whose request says application/x-www-form-urlencoded is sent
// URL-encoded: text fields rendered in order, disabled ones left out; a
// file part in such a form is refused before anything is sent.
func TestSendURLEncodedForm(t *testing.T) {
	srv, got := captureServer(t, nil)
	v := partsVault(t, map[string]string{"who": "alice & bob"}, nil)
	r := vault.Request{
		Name: "login", Env: vault.DefaultEnv, Method: "POST", URL: srv.URL + "/login",
		Headers: []vault.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded; charset=utf-8"}},
		Form: []vault.FormField{
			{Name: "user", Value: "{{who}}"},
			{Name: "off", Value: "x", Disabled: true},
			{Name: "note", Value: "a=b+c ü"},
		},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := sendSaved(t, v, r); err != nil {
		t.Fatal(err)
	}
	c := got()[0]
	if string(c.body) != "user=alice+%26+bob&note=a%3Db%2Bc+%C3%BC" {
		t.Errorf("body %q", c.body)
	}
	if q, err := url.ParseQuery(string(c.body)); err != nil || q.Get("user") != "alice & bob" || q.Get("note") != "a=b+c ü" || q.Has("off") {
		t.Errorf("decoded %v %v", q, err)
	}
	if ct := c.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	r.Form = append(r.Form, vault.FormField{Name: "avatar", IsFile: true, File: "/nonexistent"})
	if _, err := sendSaved(t, v, r); err == nil || !strings.Contains(err.Error(), `"avatar" is a file part`) {
		t.Fatalf("file part in a URL-encoded form: %v", err)
	}
	if len(got()) != 1 {
		t.Error("the refused form was sent")
	}
}
