// Package ssfixtures reads the secret-service JSON examples kept in
// vault/testdata/secretservice for the importer and CLI tests. The files are
// written in the shape the secret service documents its request bodies, with
// the slips its published examples carry (a missing comma, trailing commas, a
// malformed URL, a template field no secret provides), so the importer is
// tested on what users paste, not on tidied copies. The folder's README says
// what each file reproduces.
package ssfixtures

import (
	"os"
	"path/filepath"
	"testing"
)

// The examples, in the order Examples returns them.
const (
	APIKey        = iota // API_KEY, missing comma after "value" (line 6, column 5)
	Bearer               // API_KEY with headerName and "Bearer <token>", trailing comma
	Basic                // SIMPLE username + passphrase, trailing comma
	OAuthToken           // OA2_AUTHORIZATION_CODE token set, empty "expires"
	OAuthClient          // OA2_AUTHORIZATION_CODE auth client, placeholder URLs, trailing comma
	SessionClient        // SESSION_AUTH auth client, malformed URL, {{fields.tenantid}}
	SessionSecret        // SESSION_AUTH secret whose inputFields lack "tenantid"
	count
)

var files = [count]string{
	"1_api_key.json", "2_bearer.json", "3_basic.json", "4_oauth_token.json",
	"5_oauth_client.json", "6_session_client.json", "7_session_secret.json",
}

// Dir returns vault/testdata/secretservice of this module, found from the
// test's working directory.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "vault", "testdata", "secretservice")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("ssfixtures: no go.mod above the test directory")
		}
		dir = parent
	}
}

// Examples returns the JSON examples (without their final newline), indexed
// by the constants above.
func Examples(t testing.TB) []string {
	t.Helper()
	dir := Dir(t)
	out := make([]string, count)
	for i, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(b); n > 0 && b[n-1] == '\n' {
			b = b[:n-1]
		}
		out[i] = string(b)
	}
	return out
}
