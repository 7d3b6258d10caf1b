package interchange

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportHTTPFile(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	_, notes := f.importFile(t, "requests.http", ParseHTTPFile)
	assertSecretsInVaultOnly(t, f, "requests.http")
	ctx := context.Background()
	vars, err := f.v.Vars(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if vars["baseUrl"] != "https://api.acme.example" || vars["pageSize"] != "20" || vars["apiKey"] == "" {
		t.Fatalf("variables baseUrl=%q pageSize=%q", vars["baseUrl"], vars["pageSize"])
	}
	tests := []struct {
		name, method, url, auth, body string
		headers                       map[string]string
	}{
		{
			"List orders", "GET", "{{baseUrl}}/v1/orders?limit={{pageSize}}&status=open", "", "",
			map[string]string{"Accept": "application/json", "X-API-Key": "{{apiKey}}"},
		},
		{
			"createNote", "POST", "{{baseUrl}}/v1/notes", "createNote token", "{\n  \"text\": \"hello\",\n  \"tags\": [\"a\", \"b\"]\n}",
			map[string]string{"Content-Type": "application/json", "Authorization": ""},
		},
		{"Admin report", "GET", "{{baseUrl}}/v1/admin/report", "Admin report basic", "", map[string]string{"Authorization": ""}},
		{"Upload", "POST", "{{baseUrl}}/v1/upload", "", "", nil},
		{"Health", "GET", "https://status.acme.example/health", "", "", nil},
	}
	for _, tt := range tests {
		r := requestByName(t, f.v, tt.name)
		if r.Method != tt.method || r.URL != tt.url || r.Auth != tt.auth || r.Body != tt.body {
			t.Errorf("%s: %s %s auth %q body %q", tt.name, r.Method, r.URL, r.Auth, r.Body)
		}
		for h, want := range tt.headers {
			if got := headerValue(r, h); got != want {
				t.Errorf("%s: header %s = %q, want %q", tt.name, h, got, want)
			}
		}
	}
	basic, _ := f.v.Secret("dev", "Admin report basic")
	if val, _ := f.v.SecretValue(ctx, basic); val.Username != "admin" || val.Passphrase != "fake-http-basic-0018" {
		t.Errorf("basic secret user %q", val.Username)
	}
	if !hasNote(notes, NoteSkipped, "line 24, column 1: response handler") {
		t.Errorf("no note about the response handler: %v", notes)
	}
	if !hasNote(notes, NoteWarning, "line 34, column 1: the body is read from ./payload.bin") {
		t.Errorf("no warning about the body file: %v", notes)
	}
}

func TestImportHTTPSyntax(t *testing.T) {
	t.Parallel()
	in := "@host = https://x.example\r\n" +
		"// @name first\r\n" +
		"PATCH {{host}}/a HTTP/2\r\n" +
		"# a comment between headers\r\n" +
		"If-Match: \"etag\"\r\n" +
		"\r\n" +
		"a=1\r\n" +
		"\r\n" +
		"\r\n" +
		"### second by title     ###\r\n" +
		"# @no-redirect\r\n" +
		"DELETE {{host}}/b\r\n" +
		"###\r\n" +
		"{{host}}/c?x={{$timestamp}}\r\n"
	b, notes, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 3 {
		t.Fatalf("requests %+v", b.Requests)
	}
	want := []struct{ name, method, url, body string }{
		{"first", "PATCH", "{{host}}/a", "a=1"},
		{"second by title", "DELETE", "{{host}}/b", ""},
		{"GET {{host}}", "GET", "{{host}}/c?x={{$timestamp}}", ""},
	}
	for i, w := range want {
		r := b.Requests[i]
		if r.Method != w.method || r.URL != w.url || r.Body != w.body {
			t.Errorf("request %d: %s %s body %q", i, r.Method, r.URL, r.Body)
		}
		if i < 2 && r.Name != w.name {
			t.Errorf("request %d name %q, want %q", i, r.Name, w.name)
		}
	}
	if headerValue(b.Requests[0], "If-Match") != `"etag"` {
		t.Errorf("headers %v", b.Requests[0].Headers)
	}
	if !hasNote(notes, NoteSkipped, "@no-redirect") || hasNote(notes, NoteWarning, "{{$timestamp}}") /* generated at send time */ {
		t.Errorf("notes %v", notes)
	}
}

func TestImportHTTPErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		line     int
	}{
		{"GET https://x.example\nnot a header\n", `expected a header "Name: value"`, 2},
		{"GET https://x.example\n{\"a\":1}\n", "a body must follow a blank line", 2},
		{"\n\nhello there\n", "expected a request line", 3},
		{"GET /relative\n", "has no host", 1},
		{"@ = x\n", "variable definition", 1},
		{"GET https://x.example/{{a\n", "url", 0},
	}
	for _, tt := range tests {
		_, _, err := ParseHTTPFile([]byte(tt.in), RequestImportOptions{Env: "dev"})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.in, err, tt.want)
			continue
		}
		if tt.line > 0 && ie.Problems[0].Line != tt.line {
			t.Errorf("%q: line %d, want %d", tt.in, ie.Problems[0].Line, tt.line)
		}
	}
}

// FuzzHTTPFile: the .http importer never panics or hangs (S-36); what it
// accepts can be stored.
func FuzzHTTPFile(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "import", "requests.http"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		"###\n###\n", "@a=1\n@a=2\nGET {{a}}\n", "POST https://x.example\n\n< ./f\n> {% %}", "https://x.example\n?a=1\n&b\nX:\n\nbody",
		"# @name\nGET https://x.example\nAuthorization: Basic a:b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data, ParseHTTPFile)
	})
}

// TestHTTPSeparatorTitle: a "###" line names the request after it; a
// closing run of '#'s set off by a space is decoration.
func TestHTTPSeparatorTitle(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"### [GET] Find One        ###": "[GET] Find One",
		"### second":                    "second",
		"###":                           "",
		"### ###":                       "",
		"### C# client":                 "C# client",
		"### issue #":                   "issue",
		"### issue#":                    "issue#",
		"###\ttabbed\t##":               "tabbed",
	} {
		if got := separatorTitle(line); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}
