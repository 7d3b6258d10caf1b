package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// TestFreshWorkspaceEveryImporter: the first import into a brand-new home
// (no catalog file yet, no 'env add'), from every request importer, keeps
// the values of the secret variables it moves to the vault, and `send`
// of the imported request puts each secret on the wire as the source file
// sends it: a form field form-encoded (+ / = & %), a JSON string with its
// escapes (" \ \uXXXX). The catalog file holds none of them.
func TestFreshWorkspaceEveryImporter(t *testing.T) {
	t.Parallel()
	const formWire = `user=alice&client_secret=Ab%2Bc%2Fd%3De%26f%25g`
	const jsonWire = `{"user":"bob","password":"pa\"ss\\w0rd\u00e9"}`
	postmanJSON, _ := jsonString(jsonWire)
	tests := []struct {
		format string
		files  map[string]string // name → content; the first key sorted is imported unless importPath is set
		path   string            // what is given to import, relative to the folder
		want   string            // the body the server must receive
		secret string            // a fragment of the secret that must not reach the catalog
	}{
		{
			"curl",
			map[string]string{"c.sh": `curl {{URL}}/curl --data-urlencode 'client_secret=Ab+c/d=e&f%g' -d user=alice` + "\n"},
			"c.sh", `client_secret=Ab%2Bc%2Fd%3De%26f%25g&user=alice`, "Ab+c",
		},
		{
			"curl",
			map[string]string{"j.sh": `curl {{URL}}/curl -d '` + jsonWire + `'` + "\n"},
			"j.sh", jsonWire, "w0rd",
		},
		{
			"http",
			map[string]string{"login.http": "POST {{URL}}/http\nContent-Type: application/x-www-form-urlencoded\n\n" + formWire + "\n"},
			"login.http", formWire, "Ab%2Bc",
		},
		{
			"postman",
			map[string]string{"c.postman_collection.json": `{"info":{"name":"c","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[` +
				`{"name":"login","request":{"method":"POST","url":"{{URL}}/postman","header":[{"key":"Content-Type","value":"application/json"}],"body":{"mode":"raw","raw":` + postmanJSON + `}}}]}`},
			"c.postman_collection.json", jsonWire, "w0rd",
		},
		{
			"insomnia",
			map[string]string{"insomnia.json": `{"_type":"export","__export_format":4,"resources":[{"_id":"wrk_1","_type":"workspace","name":"w"},` +
				`{"_id":"req_1","_type":"request","parentId":"wrk_1","name":"login","method":"POST","url":"{{URL}}/insomnia","body":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"user","value":"alice"},{"name":"client_secret","value":"Ab+c/d=e&f%g"}]}}]}`},
			"insomnia.json", formWire, "Ab+c",
		},
		{"bruno", map[string]string{
			"bruno.json": `{"version":"1","name":"b","type":"collection"}`,
			"login.bru":  "meta {\n  name: login\n  type: http\n  seq: 1\n}\n\npost {\n  url: {{URL}}/bruno\n  body: formUrlEncoded\n  auth: none\n}\n\nbody:form-urlencoded {\n  user: alice\n  client_secret: Ab+c/d=e&f%g\n}\n",
		}, ".", formWire, "Ab+c"},
	}
	for _, tt := range tests {
		t.Run(tt.format+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, string(b))
				mu.Unlock()
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(srv.Close)
			h, home := newFileHomeHarness(t)
			h.v.Now = time.Now
			dir := t.TempDir()
			for name, content := range tt.files {
				content = strings.ReplaceAll(content, "{{URL}}", srv.URL)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			h.must("", "import", tt.format, filepath.Join(dir, tt.path))
			list := h.must("", "request", "list", "--json")
			name := firstRequestName(t, list.out)
			h.must("", "send", name, "--no-history")
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("the server received %q\nwant %q", got, tt.want)
			}
			raw, err := os.ReadFile(filepath.Join(home, vault.CatalogFileName))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), tt.secret) {
				t.Fatalf("the catalog holds the secret (%d bytes)", len(tt.secret))
			}
		})
	}
}

// TestEnvSetKeepsASecretSlotSecret: a credential slot an import made a
// secret variable (an empty Postman environment slot) stays secret when it
// is set later: a value on the command line is refused (it would sit in the
// shell history) and nothing changes, a piped value goes to the vault, and
// only --plain makes it plain.
func TestEnvSetKeepsASecretSlotSecret(t *testing.T) {
	t.Parallel()
	h, home := newFileHomeHarness(t)
	h.v.Now = time.Now
	env := writeFile(t, "stage.postman_environment.json", `{"name":"stage","values":[{"key":"ClientSecret","value":"","enabled":true},{"key":"baseUrl","value":"https://api.example.com","enabled":true}]}`)
	h.must("", "import", "postman", env)
	catalog := func() string {
		raw, err := os.ReadFile(filepath.Join(home, vault.CatalogFileName))
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	before := catalog()
	h.expect(exitOther, []string{"ClientSecret is secret", "--value-stdin", "--plain"}, "", "env", "set", "ClientSecret", "cs-on-argv-0123456789", "--env", "stage")
	if after := catalog(); after != before {
		t.Fatal("a refused env set changed the catalog")
	}
	r := h.must("cs-piped-0123456789\n", "env", "set", "ClientSecret", "--value-stdin", "--env", "stage")
	if !strings.Contains(r.out, "secret, value in the") {
		t.Fatalf("env set: %q", r.out)
	}
	if strings.Contains(catalog(), "cs-piped") {
		t.Fatal("the value of a secret slot reached the catalog")
	}
	if r := h.must("", "env", "show", "--reveal", "--env", "stage"); !strings.Contains(r.out, "cs-piped-0123456789") {
		t.Fatalf("the secret value did not come back:\n%s", r.out)
	}
	h.expect(exitOther, []string{"none of the others can be"}, "", "env", "set", "ClientSecret", "--secret", "--plain", "--env", "stage")
	r = h.must("", "env", "set", "ClientSecret", "now-plain", "--plain", "--env", "stage")
	if !strings.Contains(r.err, "it is now plain") || !strings.Contains(catalog(), "now-plain") {
		t.Fatalf("--plain did not make the variable plain: %q", r.err)
	}
	// A plain variable stays plain when set again without a flag.
	h.must("", "env", "set", "baseUrl", "https://api2.example.com", "--env", "stage")
	if !strings.Contains(catalog(), "https://api2.example.com") {
		t.Fatal("a plain variable was not updated in the catalog")
	}
}

// jsonString is s as a JSON string literal.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// firstRequestName is the name of the first request `request list --json`
// printed, outside any folder.
func firstRequestName(t *testing.T, out string) string {
	t.Helper()
	var l struct {
		Requests []struct{ Name string } `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil || len(l.Requests) == 0 {
		t.Fatalf("request list --json: %v\n%s", err, out)
	}
	return l.Requests[0].Name
}

// TestImportSaysWhereTheRequestsWent: an .http file whose environment files
// beside it send its requests to an environment that is not the active one
// says so, with the --env and 'env use' that reach them; `send` with that
// --env finds the request. With --env, or into the active one, no such line.
func TestImportSaysWhereTheRequestsWent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"api.http":             "GET {{host}}/items\n",
		"http-client.env.json": `{"dev": {"host": "https://api.example.com"}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := h.must("", "import", "http", filepath.Join(dir, "api.http"))
	want := `The requests are in environment "dev", not in the active one ("default"): send them with --env dev, or make it the active one with 'authdeck env use dev'.`
	if !strings.Contains(r.out, want) {
		t.Fatalf("import output:\n%s", r.out)
	}
	if r := h.must("", "request", "list", "--env", "dev"); !strings.Contains(r.out, "https://api.example.com/items") && !strings.Contains(r.out, "{{host}}/items") {
		t.Fatalf("request list --env dev:\n%s", r.out)
	}
	h.must("", "env", "use", "dev")
	r = h.must("", "import", "http", filepath.Join(dir, "api.http"))
	if strings.Contains(r.out, "not in the active one") {
		t.Fatalf("the hint was printed for the active environment:\n%s", r.out)
	}
}
