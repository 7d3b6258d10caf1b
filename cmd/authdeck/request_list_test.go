package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// request list shows the imported requests under their folders (and as a
// JSON tree), request show one of them, and send on an unknown name
// suggests the nearest names.
func TestRequestListShowAndSuggest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("", "import", "postman", importTestdata(t, "postman_collection.json"))

	out := h.must("", "request", "list").out
	for _, want := range []string{"Users/\n", "  GET     List users", "  Admin/\n", "    DELETE  Delete user", "Partners/\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("request list does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "›") {
		t.Errorf("folders shown as names:\n%s", out)
	}
	var tree requestNode
	if err := json.Unmarshal([]byte(h.must("", "request", "list", "--json").out), &tree); err != nil {
		t.Fatal(err)
	}
	var users *requestNode
	for _, f := range tree.Folders {
		if f.Name == "Users" {
			users = f
		}
	}
	if users == nil || len(users.Folders) != 1 || users.Folders[0].Name != "Admin" || users.Folders[0].Requests[0].Name != "Delete user" {
		t.Fatalf("JSON tree: %+v", tree)
	}

	show := h.must("", "request", "show", "List users").out
	for _, want := range []string{"Folder:", "Users", "GET {{baseUrl}}/v1/users", "X-Debug: ", "(disabled)"} {
		if !strings.Contains(show, want) {
			t.Errorf("request show does not say %q:\n%s", want, show)
		}
	}
	h.expect(exitNotConfigured, []string{`did you mean "List users"`}, "", "send", "List user")
	h.expect(exitNotConfigured, []string{`did you mean "Delete user"`}, "", "request", "show", "delete usr")
}

// secret import of another tool's environment file says which command
// imports it, and imports nothing.
func TestSecretImportPointsToTheRightCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"postman.json":         `{"name": "staging", "values": [{"key": "token", "value": "x", "enabled": true}], "_postman_variable_scope": "environment"}`,
		"http-client.env.json": `{"dev": {"host": "https://dev.example"}, "prod": {"host": "https://example", "Security": {"Auth": {}}}}`,
		"collection.json":      `{"info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}`,
		"rest-client.json":     `{"rest-client.environmentVariables": {"$shared": {}, "dev": {"host": "x"}}}`,
	}
	want := map[string]string{
		"postman.json": "import postman", "http-client.env.json": "import http", "collection.json": "import postman", "rest-client.json": "import http",
	}
	for name, body := range files {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t)
		h.expect(exitOther, []string{want[name], "not secret-service JSON"}, "", "secret", "import", p)
		if h.storedKeys() != 0 {
			t.Errorf("%s: something was stored", name)
		}
	}
}

// An imported curl -d @file request is shown and sent as curl sends it:
// the file without its line breaks.
func TestImportedCurlDataFileSentWithoutLineBreaks(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer srv.Close()
	dir := t.TempDir()
	body := filepath.Join(dir, "body.txt")
	cmd := filepath.Join(dir, "token.sh")
	if err := os.WriteFile(body, []byte("grant_type=client_credentials\r\n&scope=read\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cmd, []byte("curl -d @"+body+" "+srv.URL+"/token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.must("", "import", "curl", cmd)
	var tree requestNode
	if err := json.Unmarshal([]byte(h.must("", "request", "list", "--json").out), &tree); err != nil || len(tree.Requests) != 1 {
		t.Fatalf("request list --json: %+v (%v)", tree, err)
	}
	name := tree.Requests[0].Name
	if show := h.must("", "request", "show", name).out; !strings.Contains(show, "body.txt without its line breaks, as curl -d @file sends it") {
		t.Errorf("request show does not say the line breaks are left out:\n%s", show)
	}
	h.must("", "send", name)
	if b := <-got; b != "grant_type=client_credentials&scope=read" {
		t.Errorf("the server got %q", b)
	}
}
