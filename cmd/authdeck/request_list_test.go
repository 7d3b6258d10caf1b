package main

import (
	"encoding/json"
	"os"
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
