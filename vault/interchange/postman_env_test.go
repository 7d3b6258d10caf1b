package interchange

import (
	"context"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// TestPostmanEnvironmentSlots: credential slots become secret variables
// whatever they hold (an empty value, a placeholder), identifiers, URLs,
// usernames, client ids and placeholders in other slots stay plain.
func TestPostmanEnvironmentSlots(t *testing.T) {
	t.Parallel()
	env := `{"name": "slots", "values": [
	 {"key": "baseUrl", "value": "https://api.example.com/v1", "enabled": true},
	 {"key": "tokenUrl", "value": "https://auth.example.com/oauth/token", "enabled": true},
	 {"key": "username", "value": "ops-bot-7f3Kq9Zx2Lm8Wd4Rt6", "enabled": true},
	 {"key": "client_id", "value": "0oa1b2C3d4E5f6G7h8I9j0K1", "enabled": true},
	 {"key": "clientId", "value": "Xk29fLq8ZmW3nB7vR4tY6pQ1", "enabled": true},
	 {"key": "author", "value": "Jane Roe", "enabled": true},
	 {"key": "accountId", "value": "<string>", "enabled": true},
	 {"key": "keyId", "value": "kid-2024-01", "enabled": true},
	 {"key": "apiKey", "value": "YOUR_API_KEY", "enabled": true},
	 {"key": "client_secret", "value": "", "enabled": true},
	 {"key": "password", "value": "<password>", "enabled": true},
	 {"key": "card_pin", "value": "", "enabled": true},
	 {"key": "opaque", "value": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg", "enabled": true},
	 {"key": "client_credentials_token\n", "value": "", "enabled": true},
	 {"key": "plainTyped", "value": "not-secret", "type": "secret", "enabled": true}
	]}`
	c := vault.NewCatalog()
	b, notes, err := ParsePostman([]byte(env), RequestImportOptions{Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	plain := b.Vars["slots"]
	secret := b.SecretVars["slots"]
	for _, n := range []string{"baseUrl", "tokenUrl", "username", "client_id", "clientId", "author", "accountId", "keyId"} {
		if _, ok := plain[n]; !ok {
			t.Errorf("%s should stay a plain variable (secret: %v)", n, secret[n] != "" || hasKey(secret, n))
		}
	}
	for _, n := range []string{"apiKey", "client_secret", "password", "card_pin", "opaque", "client_credentials_token", "plainTyped"} {
		if !hasKey(secret, n) {
			t.Errorf("%s should be a secret variable", n)
		}
	}
	if !hasNote(notes, NoteWarning, `variable "client_credentials_token"`) {
		t.Errorf("the trimmed name is not reported: %v", notes)
	}
	// A later value for a credential slot goes to the vault, not the catalog.
	f := newImportFixture(t, 0)
	cat, _ := f.v.Load()
	b, _, err = ParsePostman([]byte(env), RequestImportOptions{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	cat, _ = f.v.Load()
	e, _ := cat.Env("slots")
	if v, ok := e.Var("client_secret"); !ok || !v.Secret {
		t.Fatalf("client_secret is not a secret slot: %+v", v)
	}
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// TestCurlJSONBodyAsForm: curl -d '{…}' without a Content-Type sends JSON
// labelled as a form; its secrets are found as JSON members.
func TestCurlJSONBodyAsForm(t *testing.T) {
	t.Parallel()
	cmd := `curl https://api.example.com/login -d '{"user":"alice","password":"hunter2-Zq\"x"}'`
	b, _, err := ParseCurl([]byte(cmd), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	r := b.Requests[0]
	if strings.Contains(r.Body, "hunter2") {
		t.Fatalf("the password stayed in the request body: %s", r.Body)
	}
	if !strings.Contains(r.Body, `"password":"{{password}}"`) || b.SecretVars["dev"]["password"] == "" {
		t.Fatalf("body %s, secret vars %d", r.Body, len(b.SecretVars["dev"]))
	}
}

// FuzzOtherFormat: any bytes are classified without a panic; a named
// format always comes with a command.
func FuzzOtherFormat(f *testing.F) {
	for _, s := range []string{`{"dev":{"a":"b"}}`, `{"values":[],"name":"x"}`, `{"info":{},"item":[]}`, `{"rest-client.environmentVariables":{}}`, `[]`, `{"$shared":{}}`, `{"a":{"b":[1]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		format, command := OtherFormat(data)
		if (format == "") != (command == "") {
			t.Fatalf("format %q, command %q", format, command)
		}
	})
}

// Auth resolves as Postman resolves it: a request without auth (or with
// "inherit", or null) takes its folder's, else the collection's; "noauth"
// on a folder or request stops the inheritance. A variable whose name has
// a space works.
func TestPostmanAuthInheritanceAndSpacedNames(t *testing.T) {
	t.Parallel()
	col := `{"info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
	 "variable": [{"key": "api host", "value": "https://api.example.test"}],
	 "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{tok}}"}]},
	 "item": [
	  {"name": "top", "request": {"method": "GET", "url": "{{api host}}/top"}},
	  {"name": "null auth", "request": {"method": "GET", "url": "{{api host}}/n", "auth": null}},
	  {"name": "open", "auth": {"type": "noauth"}, "item": [
	    {"name": "inherits none", "request": {"method": "GET", "url": "{{api host}}/a", "auth": {"type": "inherit"}}},
	    {"name": "own key", "request": {"method": "GET", "url": "{{api host}}/b", "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-K"}, {"key": "value", "value": "{{k}}"}]}}}
	  ]},
	  {"name": "req noauth", "request": {"method": "GET", "url": "{{api host}}/c", "auth": {"type": "noauth"}}}
	 ]}`
	b, _, err := ParsePostman([]byte(col), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Vars["dev"]["api host"] != "https://api.example.test" {
		t.Fatalf("variable with a space: %v", b.Vars["dev"])
	}
	want := map[string]string{"top": "Authorization: Bearer {{tok}}", "null auth": "Authorization: Bearer {{tok}}", "inherits none": "", "own key": "X-K: {{k}}", "req noauth": ""}
	for _, r := range b.Requests {
		got := ""
		for _, h := range r.Headers {
			got = h.Name + ": " + h.Value
		}
		if got != want[r.Name] || r.Auth != "" {
			t.Errorf("%s: header %q auth %q, want %q", r.Name, got, r.Auth, want[r.Name])
		}
		if !strings.HasPrefix(r.URL, "{{api host}}/") {
			t.Errorf("%s: URL %s", r.Name, r.URL)
		}
	}
	if len(b.Requests) != 5 {
		t.Fatalf("%d requests", len(b.Requests))
	}
}
