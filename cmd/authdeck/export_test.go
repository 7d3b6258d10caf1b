package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
	"github.com/authdeck/authdeck/vault/mask"
)

func TestExportCommands(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, nil)
	if _, err := rh.v.PutRequest(vault.Request{Name: "me", Env: vault.DefaultEnv, Method: "POST", URL: "{{base}}/me?x={{sv}}", Auth: "key", Body: "a=1"}); err != nil {
		t.Fatal(err)
	}
	before := rh.store.Calls()
	r := rh.must("", "export", "curl", "me")
	if rh.store.Calls() != before {
		t.Fatal("a masked curl export read the vault")
	}
	// the request names no Content-Type, so authdeck sends none, and curl
	// is told not to add its own (-H Content-Type:)
	want := "curl '" + rh.srv.URL + "/me?x=" + mask.Dots + "' \\\n  -H 'X-API-Key: " + mask.Dots + "' \\\n  -H Content-Type: \\\n  --data-raw a=1\n"
	if r.out != want {
		t.Fatalf("curl export:\n%s\nwant\n%s", r.out, want)
	}
	noSecret(t, r, cliFakeKey, cliFakeSecret)
	r = rh.must("", "export", "curl", "me", "--reveal", "--one-line")
	if !strings.Contains(r.out, "X-API-Key: "+cliFakeKey) || !strings.Contains(r.out, cliFakeSecret) || strings.Contains(r.out, "\\\n") {
		t.Fatal("--reveal --one-line export lacks the real values")
	}

	r = rh.must("", "export", "postman-env")
	var env interchange.PostmanEnvironment
	if err := json.Unmarshal([]byte(r.out), &env); err != nil || env.Name != vault.DefaultEnv || len(env.Values) != 2 {
		t.Fatalf("postman-env: %v %s", err, r.out)
	}
	noSecret(t, r, cliFakeSecret)
	if !strings.Contains(r.err, `variable "sv": secret value left out`) {
		t.Fatalf("stderr %q", r.err)
	}
	r = rh.must("", "export", "postman-env", "--with-secrets")
	if !strings.Contains(r.out, cliFakeSecret) {
		t.Fatal("--with-secrets lacks the secret variable")
	}

	r = rh.must("", "export", "secrets")
	noSecret(t, r, cliFakeKey)
	if !strings.Contains(r.out, `"headerName": "X-API-Key"`) {
		t.Fatalf("secrets export %s", r.out)
	}
	path := filepath.Join(t.TempDir(), "secrets.json")
	rh.must("", "export", "secrets", "--with-secrets", "-o", path)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v", err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), cliFakeKey) {
		t.Fatal("the --with-secrets file lacks the key")
	}
	rh.expect(exitOther, []string{"-o:", "exists"}, "", "export", "secrets", "-o", path)
	// The exported file imports back with `authdeck secret import`.
	h2 := newHarness(t)
	if _, err := h2.v.AddEnv(vault.Environment{Name: "copy"}); err != nil {
		t.Fatal(err)
	}
	h2.must("", "secret", "import", path, "--env", "copy")
	s, err := h2.v.Secret("copy", "key")
	if err != nil {
		t.Fatal(err)
	}
	if val, _ := h2.v.SecretValue(context.Background(), s); val.Key != cliFakeKey || s.HeaderName != "X-API-Key" {
		t.Fatal("round trip lost the key")
	}
	rh.expect(exitNotConfigured, []string{`no request "ghost"`}, "", "export", "curl", "ghost")
}

// TestExportPostmanCommand: `export postman` writes a collection of the
// environment's requests that the Postman importer reads back, with the
// credential as a {{variable}} and no secret value, reading nothing from
// the vault; --folder, -o and the errors follow the CLI contract.
func TestExportPostmanCommand(t *testing.T) {
	t.Parallel()
	rh := newRequestHarness(t, nil)
	for _, r := range []vault.Request{
		{Name: "me", Env: vault.DefaultEnv, Method: "GET", URL: "{{base}}/me?x={{sv}}", Auth: "key", Folder: []string{"Account"}},
		{Name: "ping", Env: vault.DefaultEnv, Method: "POST", URL: "{{base}}/ping", Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"a":1}`},
	} {
		if _, err := rh.v.PutRequest(r); err != nil {
			t.Fatal(err)
		}
	}
	before := rh.store.Calls()
	r := rh.must("", "export", "postman")
	if rh.store.Calls() != before {
		t.Fatal("export postman read the vault")
	}
	noSecret(t, r, cliFakeKey, cliFakeSecret)
	contains(t, "the collection", r.out, `"schema": "`+interchange.PostmanCollectionSchema+`"`, `"name": "Account"`, `"value": "{{key_key}}"`, `"raw": "{{base}}/me?x={{sv}}"`)
	contains(t, "stderr", r.err, `variable "key_key": not in the collection`, `variable "sv": not in the collection`)
	// It reads back through the Postman importer.
	b, _, err := interchange.ParsePostman([]byte(r.out), interchange.RequestImportOptions{Env: "copy"})
	if err != nil || len(b.Requests) != 2 {
		t.Fatalf("re-import: %v (%d requests)", err, len(b.Requests))
	}
	r = rh.must("", "export", "postman", "--folder", "Account")
	if !strings.Contains(r.out, `"name": "me"`) || strings.Contains(r.out, `"name": "ping"`) {
		t.Fatalf("--folder Account:\n%s", r.out)
	}
	path := filepath.Join(t.TempDir(), "api.postman_collection.json")
	rh.must("", "export", "postman", "-o", path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("-o file: %v", err)
	}
	exportPostmanRefusals(t, rh, path)
}

// exportPostmanRefusals: an existing -o file, an unknown folder or
// environment, an empty --folder and an extra argument are refused with
// their exit codes; --folder completes the folder paths.
func exportPostmanRefusals(t *testing.T, rh *requestHarness, path string) {
	t.Helper()
	rh.expect(exitOther, []string{"-o:", "exists"}, "", "export", "postman", "-o", path)
	rh.expect(exitNotConfigured, []string{`no folder "Nope"`}, "", "export", "postman", "--folder", "Nope")
	rh.expect(exitNotConfigured, []string{`no environment "ghost"`}, "", "export", "postman", "--env", "ghost")
	rh.expect(exitMissingInput, []string{"--folder: name a folder"}, "", "export", "postman", "--folder", " / ")
	rh.expect(exitOther, []string{"unknown command", "postman"}, "", "export", "postman", "extra")
	if r := rh.must("", "__complete", "export", "postman", "--folder", "Acc"); !strings.HasPrefix(r.out, "Account\n") {
		t.Errorf("--folder completion: %q", r.out)
	}
}

// contains fails t for each of wants that out lacks.
func contains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks %s:\n%s", what, want, out)
		}
	}
}
