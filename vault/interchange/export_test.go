package interchange

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

func TestShellQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"https://x.example/a?b=1", "'https://x.example/a?b=1'"},
		{"it's", `'it'\''s'`},
		{"", "''"},
		{"a b", "'a b'"},
		{"$HOME", "'$HOME'"},
	}
	for _, tt := range tests {
		if got := ShellQuote(tt.in); got != tt.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCurlCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		r         CurlRequest
		multiline bool
		want      string
	}{
		{"get", CurlRequest{Method: "GET", URL: "https://x.example/a"}, false, "curl https://x.example/a"},
		{
			"post with body",
			CurlRequest{Method: "POST", URL: "https://x.example", Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"a":"it's"}`},
			false,
			`curl https://x.example -H 'Content-Type: application/json' --data-raw '{"a":"it'\''s"}'`,
		},
		{"put", CurlRequest{Method: "PUT", URL: "https://x.example"}, false, "curl -X PUT https://x.example"},
		{"head", CurlRequest{Method: "HEAD", URL: "https://x.example"}, false, "curl --head https://x.example"},
		{
			"insecure multiline",
			CurlRequest{Method: "DELETE", URL: "https://x.example/a b", Insecure: true, Headers: []vault.Header{{Name: "Authorization", Value: "Bearer " + mask.Dots}}},
			true,
			"curl -X DELETE \\\n  -k \\\n  'https://x.example/a b' \\\n  -H 'Authorization: Bearer " + mask.Dots + "'",
		},
	}
	for _, tt := range tests {
		if got := CurlCommand(tt.r, tt.multiline); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestCurlCommandRoundTrip: a command written by CurlCommand reads back
// through the curl importer as the same request.
func TestCurlCommandRoundTrip(t *testing.T) {
	t.Parallel()
	in := CurlRequest{
		Method: "PATCH", URL: "https://x.example/a?q=it's%20ok", Headers: []vault.Header{{Name: "X-Note", Value: `say "hi" $USER`}, {Name: "Content-Type", Value: "text/plain"}},
		Body: "line one\nline 'two'",
	}
	for _, ml := range []bool{false, true} {
		b, _, err := ParseCurl([]byte(CurlCommand(in, ml)), RequestImportOptions{Env: "dev"})
		if err != nil {
			t.Fatal(err)
		}
		r := b.Requests[0]
		if r.Method != in.Method || r.URL != in.URL || r.Body != in.Body || headerValue(r, "X-Note") != in.Headers[0].Value {
			t.Fatalf("multiline %v: read back %s %s %q %v", ml, r.Method, r.URL, r.Body, r.Headers)
		}
	}
	// And a real shell agrees on the words.
	if _, err := exec.LookPath("sh"); err == nil {
		out, err := exec.Command("sh", "-c", "printf '%s\\n' "+ShellQuote(`a 'b' "c" $d \e`)).Output()
		if err != nil || strings.TrimSpace(string(out)) != `a 'b' "c" $d \e` {
			t.Fatalf("sh read %q (%v)", out, err)
		}
	}
}

func exportFixture(t *testing.T) *vault.Vault {
	t.Helper()
	ctx := context.Background()
	v := vault.NewMemory()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := v.AddEnv(vault.Environment{Name: "dev"})
	must(err)
	must(v.SetVar(ctx, "dev", "baseUrl", "https://api.example.com", false))
	must(v.SetVar(ctx, "dev", "token", "fake-export-token-0001", true))
	_, err = v.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "idp", Env: "dev", AllowedHosts: []string{"*.example.com"}}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://idp.example.com/token", Authorization: "https://idp.example.com/authorize"}, ClientID: "cli",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantAuthorizationCode, Scopes: []string{"read", "write"},
	}, &vault.ClientCredentials{ClientSecret: "fake-export-client-secret-0002"})
	must(err)
	put := func(s vault.Secret, val vault.SecretValue) {
		t.Helper()
		s.Env = "dev"
		_, err := v.PutSecret(ctx, s, &val)
		must(err)
	}
	put(vault.Secret{Meta: vault.Meta{Name: "key", Tenant: "acme"}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"}, vault.SecretValue{Key: "fake-export-key-0003"})
	put(vault.Secret{Meta: vault.Meta{Name: "basic"}, Type: vault.TypeSimple}, vault.SecretValue{Username: "u", Passphrase: "fake-export-pass-0004"})
	put(vault.Secret{Meta: vault.Meta{Name: "tok"}, Type: vault.TypeOAuthToken, AuthClient: "idp"}, vault.SecretValue{AccessToken: "fake-export-access-0005", RefreshToken: "fake-export-refresh-0006", Scope: "read", Expires: "2030-01-01T00:00:00Z"})
	return v
}

func TestExportPostmanEnv(t *testing.T) {
	t.Parallel()
	v := exportFixture(t)
	store := vaulttest.NewCountingStore(v.Store())
	masked := vault.New(v.Catalogs(), store)
	out, notes, err := ExportPostmanEnv(context.Background(), masked, "dev", false)
	if err != nil {
		t.Fatal(err)
	}
	if store.Calls() != 0 {
		t.Fatalf("an export without secrets made %d store calls", store.Calls())
	}
	if strings.Contains(string(out), "fake-") || !hasNote(notes, NoteSkipped, `variable "token"`) {
		t.Fatalf("masked export leaks or does not say what it left out: %v", notes)
	}
	var env PostmanEnvironment
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatal(err)
	}
	if env.Name != "dev" || len(env.Values) != 2 || env.Values[1].Type != "secret" || env.Values[1].Value != "" || env.Values[0].Value != "https://api.example.com" {
		t.Fatalf("export %s", out)
	}
	out, _, err = ExportPostmanEnv(context.Background(), v, "dev", true)
	if err != nil || !strings.Contains(string(out), "fake-export-token-0001") {
		t.Fatalf("--with-secrets export lacks the value: %v", err)
	}
	// The export imports back as a Postman environment.
	b, _, err := ParsePostman(out, RequestImportOptions{Env: "other"})
	if err != nil || b.SecretVars["other"]["token"] != "fake-export-token-0001" || b.Vars["other"]["baseUrl"] != "https://api.example.com" {
		t.Fatalf("round trip: %v", err)
	}
}

func TestExportSecretService(t *testing.T) {
	t.Parallel()
	v := exportFixture(t)
	store := vaulttest.NewCountingStore(v.Store())
	masked := vault.New(v.Catalogs(), store)
	out, notes, err := ExportSecretService(context.Background(), masked, "dev", false)
	if err != nil {
		t.Fatal(err)
	}
	if store.Calls() != 0 || strings.Contains(string(out), "fake-") {
		t.Fatalf("masked export: %d store calls; leaks=%v", store.Calls(), strings.Contains(string(out), "fake-"))
	}
	if len(notes) != 4 {
		t.Errorf("notes %v: the client secret and three values were left out", notes)
	}
	var items []struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(out, &items); err != nil || len(items) != 4 {
		t.Fatalf("%v: %s", err, out)
	}
	out, _, err = ExportSecretService(context.Background(), v, "dev", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fake-export-client-secret-0002", "fake-export-key-0003", "fake-export-pass-0004", "fake-export-access-0005", "fake-export-refresh-0006"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--with-secrets export lacks a value (%d chars)", len(want))
		}
	}
	// The secret-service importer reads it back into another environment.
	w := vault.NewMemory()
	if _, err := w.AddEnv(vault.Environment{Name: "copy"}); err != nil {
		t.Fatal(err)
	}
	c, _ := w.Load()
	b, _, err := ParseSecretService(out, SecretServiceOptions{Env: "copy", Catalog: c})
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if _, err := w.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	ac, err := w.Client("copy", "idp")
	if err != nil || ac.AuthMethod != vault.AuthClientSecretBasic || ac.Endpoints.Token != "https://idp.example.com/token" || len(ac.AllowedHosts) != 1 {
		t.Fatalf("client after round trip: %+v %v", ac, err)
	}
	s, err := w.Secret("copy", "key")
	if err != nil || s.HeaderName != "X-API-Key" || s.Tenant != "acme" {
		t.Fatalf("secret after round trip: %+v %v", s, err)
	}
	tok, _ := w.Secret("copy", "tok")
	if val, err := w.SecretValue(context.Background(), tok); err != nil || val.RefreshToken != "fake-export-refresh-0006" || tok.AuthClient != "idp" {
		t.Fatalf("token after round trip: client %q %v", tok.AuthClient, err)
	}
}
