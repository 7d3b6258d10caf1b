package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/keygen"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func TestSecretAPIKeyMaskedUnlessRevealS30(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const key = "sk_live_0123456789abcdef0123456789ab3f9a" // 40 chars
	r := h.must(key+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--header-name", "X-Api-Key", "--description", "payments")
	noSecret(t, r, key)
	if got := h.secretValue(vault.DefaultEnv, "stripe"); got.Key != key || got.HeaderName != "X-Api-Key" {
		t.Fatalf("stored key matches: %v, header %q", got.Key == key, got.HeaderName)
	}

	r = h.must("", "secret", "show", "stripe")
	noSecret(t, r, key)
	if !strings.Contains(r.out, "API_KEY ••••••••3f9a (40 chars)") || !strings.Contains(r.out, "X-Api-Key") {
		t.Fatalf("secret show:\n%s", r.out)
	}
	var js struct {
		Name     string            `json:"name"`
		Type     string            `json:"type"`
		Value    map[string]string `json:"value"`
		Masked   string            `json:"masked"`
		Revealed bool              `json:"revealed"`
	}
	r = h.must("", "secret", "show", "stripe", "--json")
	noSecret(t, r, key)
	if err := json.Unmarshal([]byte(r.out), &js); err != nil {
		t.Fatal(err)
	}
	if js.Name != "stripe" || js.Type != "API_KEY" || js.Value["key"] != "••••••••3f9a (40 chars)" || js.Value["headerName"] != "X-Api-Key" || js.Revealed {
		t.Fatalf("secret show --json = %+v", js)
	}
	r = h.must("", "secret", "show", "stripe", "--json", "--reveal")
	if err := json.Unmarshal([]byte(r.out), &js); err != nil || js.Value["key"] != key || !js.Revealed {
		t.Fatalf("--reveal does not print the key (err %v)", err)
	}
	if r = h.must("", "secret", "show", "stripe", "--reveal"); !strings.Contains(r.out, key) {
		t.Fatal("secret show --reveal does not print the key")
	}

	r = h.must("", "secret", "list")
	noSecret(t, r, key)
	if !strings.Contains(r.out, "stripe  API_KEY  header X-Api-Key") || !strings.Contains(r.out, "payments") {
		t.Fatalf("secret list:\n%s", r.out)
	}
	h.expect(exitOther, []string{`secret "stripe" already exists in environment "default"`}, "x\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin")
	h.must("", "secret", "rm", "stripe")
	h.expect(exitNotConfigured, []string{`no secret "stripe" in environment "default"`}, "", "secret", "show", "stripe")
	h.expect(exitNotConfigured, []string{`no secret "stripe"`}, "", "secret", "rm", "stripe")
	if h.storedKeys() != 0 {
		t.Fatal("value still stored after rm")
	}
}

func TestSecretAddTypes(t *testing.T) {
	t.Parallel()
	keyPEM := pemKey(t, "ec")
	cert, certKey := selfSignedPair(t)
	tests := []struct {
		name    string
		args    []string
		stdin   string
		secrets []string // values that must not be printed by add or show
		check   func(t *testing.T, s vault.Secret, v vault.SecretValue)
	}{
		{
			"bearer",
			[]string{"--type", "API_KEY", "--value-stdin"},
			"Bearer eyJhbGciOi.payload.sig\n",
			[]string{"eyJhbGciOi.payload.sig"},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if v.Key != "Bearer eyJhbGciOi.payload.sig" {
					t.Fatal("bearer key not stored as given")
				}
			},
		},
		{
			"query key",
			[]string{"--type", "API_KEY", "--value-stdin", "--query-param", "api_key", "--allowed-host", "api.example.com"},
			"q-0123456789\n",
			[]string{"q-0123456789"},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if s.QueryParam != "api_key" || s.AllowedHosts[0] != "api.example.com" {
					t.Fatalf("query key stored as %+v", s)
				}
			},
		},
		{
			"key from file",
			[]string{"--type", "API_KEY", "--file", writeFile(t, "k.txt", "file-key-0123456789\n")},
			"",
			[]string{"file-key-0123456789"},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if v.Key != "file-key-0123456789" {
					t.Fatal("key from file not stored without its newline")
				}
			},
		},
		{
			"basic",
			[]string{"--type", "SIMPLE", "--username", "admin", "--value-stdin"},
			"correct horse battery\n",
			[]string{"correct horse battery"},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if v.Username != "admin" || v.Passphrase != "correct horse battery" {
					t.Fatal("basic credentials not stored")
				}
			},
		},
		{
			"token set",
			[]string{"--type", "OA2_AUTHORIZATION_CODE", "--value-stdin", "--placement", "header"},
			`{"accessToken": "at-0123456789abcdef", "refreshToken": "rt-0123456789abcdef", "scope": "read", "expires": "2026-06-01T13:00:00Z"}`,
			[]string{"at-0123456789abcdef", "rt-0123456789abcdef"},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if !s.HasRefresh || s.Scope != "read" || s.TokenExpires == nil || v.AccessToken != "at-0123456789abcdef" {
					t.Fatalf("token set stored as %+v", s)
				}
			},
		},
		{
			"private key",
			[]string{"--type", "PRIVATE_KEY", "--file", writeFile(t, "key.pem", keyPEM)},
			"",
			[]string{strings.Split(keyPEM, "\n")[1]},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				k, _ := vault.ParsePrivateKey(keyPEM)
				if s.KeyID != pemkey.Thumbprint(k) {
					t.Fatal("key id is not the thumbprint")
				}
			},
		},
		{
			"client cert",
			[]string{"--type", "CLIENT_CERT", "--value-stdin"},
			cert + certKey,
			[]string{strings.Split(certKey, "\n")[1]},
			func(t *testing.T, s vault.Secret, v vault.SecretValue) {
				if !strings.Contains(v.Cert, "CERTIFICATE") || !strings.Contains(v.PrivateKey, "PRIVATE KEY") {
					t.Fatal("certificate and key not split")
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			r := h.must(tc.stdin, append([]string{"secret", "add", "s"}, tc.args...)...)
			noSecret(t, r, tc.secrets...)
			s, err := h.v.Secret(vault.DefaultEnv, "s")
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s, h.secretValue(vault.DefaultEnv, "s"))
			for _, args := range [][]string{{"secret", "show", "s"}, {"secret", "show", "s", "--json"}, {"secret", "list"}, {"secret", "list", "--json"}} {
				noSecret(t, h.must("", args...), tc.secrets...)
			}
		})
	}
	t.Run("private keys are never revealed (S-26)", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.must(keyPEM, "secret", "add", "k", "--type", "PRIVATE_KEY", "--value-stdin")
		h.must(cert+certKey, "secret", "add", "c", "--type", "CLIENT_CERT", "--value-stdin")
		for _, name := range []string{"k", "c"} {
			for _, args := range [][]string{{"secret", "show", name, "--reveal"}, {"secret", "show", name, "--reveal", "--json"}} {
				r := h.must("", args...)
				if strings.Contains(r.out, "PRIVATE KEY") || !strings.Contains(r.out, "never printed") {
					t.Fatalf("%v:\n%s", args, r.out)
				}
			}
		}
	})
}

func TestSecretAddRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"no type", []string{}, "", exitMissingInput, []string{"--type is required", "--generate"}},
		{"unknown type", []string{"--type", "TOTP"}, "", exitOther, []string{`type: "TOTP" is not one of`, "(--type)"}},
		{"no terminal", []string{"--type", "API_KEY"}, "", exitMissingInput, []string{"API key is needed", "--value-stdin", "never taken from the command line"}},
		{"empty stdin", []string{"--type", "API_KEY", "--value-stdin"}, "", exitMissingInput, []string{"stdin was empty"}},
		{"no username", []string{"--type", "SIMPLE", "--value-stdin"}, "pw\n", exitMissingInput, []string{"--username is required for SIMPLE"}},
		{"bad header", []string{"--type", "API_KEY", "--header-name", "X Bad", "--value-stdin"}, "k\n", exitOther, []string{"headerName", "(--header-name)"}},
		{"bad placement", []string{"--type", "API_KEY", "--placement", "cookie", "--value-stdin"}, "k\n", exitOther, []string{`placement: "cookie"`}},
		{"multi-line key", []string{"--type", "API_KEY", "--value-stdin"}, "a\nb\n", exitOther, []string{"value.key: must not contain line breaks"}},
		{"token json broken", []string{"--type", "OA2_AUTHORIZATION_CODE", "--value-stdin"}, "{\"accessToken\": \n", exitOther, []string{"expected a JSON object", "line 1, column 17"}},
		{"token json unknown field", []string{"--type", "OA2_AUTHORIZATION_CODE", "--value-stdin"}, `{"acessToken": "x"}`, exitOther, []string{`unknown field "acessToken"`}},
		{"token empty", []string{"--type", "OA2_AUTHORIZATION_CODE", "--value-stdin"}, `{"scope": "x"}`, exitOther, []string{"needs an access token or a refresh token"}},
		{"token bad field flag", []string{"--type", "OA2_AUTHORIZATION_CODE", "--field", "password"}, "", exitOther, []string{`--field "password"`}},
		{"unknown auth client", []string{"--type", "OA2_AUTHORIZATION_CODE", "--auth-client", "nope", "--value-stdin"}, `{"accessToken": "x"}`, exitNotConfigured, []string{`no auth client "nope"`}},
		{"session without client", []string{"--type", "SESSION_AUTH", "--value-stdin"}, `{"a": "b"}`, exitOther, []string{"authClient: is required for SESSION_AUTH", "(--auth-client)"}},
		{"bad pem", []string{"--type", "PRIVATE_KEY", "--value-stdin"}, "not a pem", exitOther, []string{"no PEM block found"}},
		{"cert without key", []string{"--type", "CLIENT_CERT", "--value-stdin"}, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", exitOther, []string{"needs a CERTIFICATE block and its PRIVATE KEY"}},
		{"file and stdin", []string{"--type", "API_KEY", "--value-stdin", "--file", "x"}, "k\n", exitOther, []string{"choose one"}},
		{"username on api key", []string{"--type", "API_KEY", "--username", "u", "--value-stdin"}, "k\n", exitOther, []string{"--username is for SIMPLE"}},
		{"bad expires", []string{"--type", "API_KEY", "--value-stdin", "--expires", "next week"}, "k\n", exitOther, []string{"--expires:"}},
		{"invalid name", []string{"--type", "API_KEY", "--value-stdin"}, "k\n", exitOther, []string{"name:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			name := "s"
			if tc.name == "invalid name" {
				name = " spaced"
			}
			h.expect(tc.code, tc.want, tc.stdin, append([]string{"secret", "add", name}, tc.args...)...)
			if len(h.catalog().Secrets) != 0 || h.storedKeys() != 0 {
				t.Fatal("a refused add stored something")
			}
		})
	}
}

func TestSecretSessionAuthFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, err := h.v.PutClient(t.Context(), vault.AuthClient{
		Meta: vault.Meta{Name: "dyn", Env: vault.DefaultEnv}, Type: vault.ClientSessionAuth,
		SessionAuth: &vault.SessionTemplate{
			URL: "https://login.example.com/{{fields.tenantid}}/token", AuthType: vault.SessionFormAuth, TokenPath: "access_token",
			RequestFields: []vault.Param{{Key: "client_id", Value: "{{fields.clientid}}"}, {Key: "client_secret", Value: "{{fields.secret}}"}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.expect(exitMissingInput, []string{`auth client "dyn" needs {{fields.tenantid}} (url)`}, `{"clientid": "c", "secret": "s-0123456789"}`,
		"secret", "add", "me", "--type", "SESSION_AUTH", "--auth-client", "dyn", "--value-stdin")
	h.expect(exitMissingInput, []string{"fields clientid, secret, tenantid are needed", "--value-stdin"}, "",
		"secret", "add", "me", "--type", "SESSION_AUTH", "--auth-client", "dyn")
	r := h.must(`{"inputFields": {"clientid": "c", "secret": "s-0123456789", "tenantid": "t"}}`, "secret", "add", "me", "--type", "SESSION_AUTH", "--auth-client", "dyn", "--value-stdin")
	noSecret(t, r, "s-0123456789")
	if v := h.secretValue(vault.DefaultEnv, "me"); len(v.InputFields) != 3 || v.InputFields["secret"] != "s-0123456789" {
		t.Fatal("input fields not stored")
	}
	r = h.must("", "secret", "show", "me")
	noSecret(t, r, "s-0123456789")
	if !strings.Contains(r.out, "inputFields.secret") || !strings.Contains(r.out, "SESSION_AUTH, 3 input fields") {
		t.Fatalf("secret show:\n%s", r.out)
	}
	h.must("", addArgs("web", "--auth-method", "none", "--grant", "device_code", "--device-url", "https://id.example.com/d")...)
	h.expect(exitOther, []string{`auth client "web" is OA2_AUTHORIZATION_CODE, not SESSION_AUTH`}, `{"a": "b"}`,
		"secret", "add", "x", "--type", "SESSION_AUTH", "--auth-client", "web", "--value-stdin")
	h.expect(exitOther, []string{`auth client "dyn" is SESSION_AUTH; an OAuth token set belongs to an OA2_AUTHORIZATION_CODE client`}, `{"accessToken": "a"}`,
		"secret", "add", "x", "--type", "OA2_AUTHORIZATION_CODE", "--auth-client", "dyn", "--value-stdin")
}

func TestSecretGenerate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must("", "secret", "add", "webhook", "--generate", "--expires", "2027-01-31", "--description", "signing")
	value := strings.TrimSuffix(r.out, "\n")
	if strings.Contains(value, "\n") {
		t.Fatalf("stdout holds more than the value: %d lines", strings.Count(r.out, "\n"))
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) != keygen.DefaultSecretBytes {
		t.Fatalf("generated value decodes to %d bytes (%v)", len(raw), err)
	}
	if !strings.Contains(r.err, "256-bit") || strings.Contains(r.err, "only time") || !strings.Contains(r.err, "authdeck secret show webhook --env default --reveal prints it again") {
		t.Fatalf("stderr:\n%s", r.err)
	}
	// What the message says is true: show --reveal prints the value again.
	if again := h.must("", "secret", "show", "webhook", "--env", "default", "--reveal"); !strings.Contains(again.out, value) {
		t.Fatal("secret show --reveal does not print the generated value the message promises")
	}
	if h.secretValue(vault.DefaultEnv, "webhook").Key != value {
		t.Fatal("stored value differs from the printed one")
	}
	s, _ := h.v.Secret(vault.DefaultEnv, "webhook")
	if !s.Generated || s.Type != vault.TypeAPIKey || s.Description != "signing" || fmtTime(s.Expiration) != "2027-01-31" {
		t.Fatalf("generated secret stored as %+v", s)
	}
	// shown once: every later view is masked
	for _, args := range [][]string{{"secret", "show", "webhook"}, {"secret", "list"}, {"secret", "list", "--json"}} {
		r := h.must("", args...)
		noSecret(t, r, value)
	}
	if r := h.must("", "secret", "list"); !strings.Contains(r.out, "generated") {
		t.Fatalf("list does not mark the generated secret:\n%s", r.out)
	}
	r = h.must("", "secret", "add", "big", "--generate", "--bytes", "64")
	if raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimSpace(r.out)); len(raw) != 64 {
		t.Fatalf("--bytes 64 gave %d bytes", len(raw))
	}
	h.expect(exitOther, []string{"--bytes 8", "16 to 1024"}, "", "secret", "add", "small", "--generate", "--bytes", "8")
	h.expect(exitOther, []string{"--generate makes an API_KEY secret, not SIMPLE"}, "", "secret", "add", "x", "--generate", "--type", "SIMPLE")
	h.expect(exitOther, []string{"drop --value-stdin"}, "v\n", "secret", "add", "x", "--generate", "--value-stdin")
	h.expect(exitOther, []string{"--bytes goes with --generate"}, "v\n", "secret", "add", "x", "--type", "API_KEY", "--value-stdin", "--bytes", "32")
	h.expect(exitOther, []string{`secret "webhook" already exists`}, "", "secret", "add", "webhook", "--generate")
}

func TestSecretListMarksExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct{ name, exp string }{{"old", "2026-05-01"}, {"soon", "2026-06-05"}, {"later", "2027-01-01"}, {"never", ""}} {
		args := []string{"secret", "add", c.name, "--type", "API_KEY", "--value-stdin"}
		if c.exp != "" {
			args = append(args, "--expires", c.exp)
		}
		h.must("k-"+c.name+"\n", args...)
	}
	r := h.must("", "secret", "list")
	for _, want := range []string{"2026-05-01 (expired)", "2026-06-05 (expires soon)", "2027-01-01"} {
		if !strings.Contains(r.out, want) {
			t.Fatalf("secret list does not show %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "2027-01-01 (") {
		t.Fatalf("a valid expiry is marked:\n%s", r.out)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(h.must("", "secret", "list", "--json").out), &list); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"old": "expired", "soon": "expires soon", "later": "valid", "never": nil}
	for _, s := range list {
		if s["expiry"] != want[s["name"].(string)] {
			t.Fatalf("secret %v: expiry %v", s["name"], s["expiry"])
		}
	}
	// colour only on a terminal and never with NO_COLOR
	colored := h.runWith(runOpts{outTTY: true}, "", "secret", "list")
	if !strings.Contains(colored.out, "\x1b[31m2026-05-01 (expired)\x1b[0m") {
		t.Fatalf("no colour on a terminal:\n%q", colored.out)
	}
	noColor := h.runWith(runOpts{outTTY: true, env: map[string]string{"NO_COLOR": "1"}}, "", "secret", "list")
	if strings.Contains(noColor.out, "\x1b[") || noColor.out != r.out {
		t.Fatalf("NO_COLOR output differs from plain output:\n%q", noColor.out)
	}
	// alignment survives colour: stripping escapes gives the plain table
	if regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(colored.out, "") != r.out {
		t.Fatalf("coloured table is laid out differently:\n%s\n%s", colored.out, r.out)
	}
}

func TestSecretImportSeeds(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)
	t.Run("bearer example", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		r := h.must("", "secret", "import", writeFile(t, "bearer.json", ex[1]))
		noSecret(t, r, "Bearer <token>")
		for _, want := range []string{
			`Imported 0 auth clients and 1 secret from`,
			`+ secret "<some identifiable name>" (API_KEY)`,
			"to the memory demo vault: key, headerName",
			"Skipped:", `tenant "<tenant id>": an example placeholder, not set`,
			"Warnings:", "trailing comma accepted", "value.key looks like an example placeholder",
		} {
			if !strings.Contains(r.out, want) {
				t.Fatalf("import report lacks %q:\n%s", want, r.out)
			}
		}
		if h.secretValue(vault.DefaultEnv, "<some identifiable name>").Key != "Bearer <token>" {
			t.Fatal("bearer key not stored")
		}
	})
	t.Run("API key example: missing comma", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		path := writeFile(t, "key.json", ex[0])
		r := h.run("", "secret", "import", path)
		if r.code != exitOther || !strings.Contains(r.err, path+": line 6, column 5: invalid character '\"' after object key:value pair (a missing comma before it?)") ||
			!strings.Contains(r.err, "nothing was imported (1 problem)") {
			t.Fatalf("exit %d\n%s", r.code, r.err)
		}
		if len(h.catalog().Secrets) != 0 || h.storedKeys() != 0 {
			t.Fatal("a failed import stored something")
		}
	})
	t.Run("session-auth examples as written", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		r := h.run("["+ex[5]+","+strings.Replace(ex[6], "<the ID of the above auth client>", "64de8d36063cbe20ac1e93e7", 1)+"]", "secret", "import", "-")
		if r.code != exitOther {
			t.Fatalf("exit %d\n%s", r.code, r.err)
		}
		for _, want := range []string{
			`stdin: line 26, column 24: auth client "Dynamics 365 Session Auth Client": endpoints.auth.url: "https://login.microsoftonline.com>/{{fields.tenantid}}/oauth2/v2.0/token"`,
			`{{fields.tenantid}} in endpoints.auth.url`,
			"nothing was imported (2 problems)",
		} {
			if !strings.Contains(r.err, want) {
				t.Fatalf("stderr lacks %q:\n%s", want, r.err)
			}
		}
		noSecret(t, r, "<the end user's actual client secret>")
		if len(h.catalog().Clients) != 0 || h.storedKeys() != 0 {
			t.Fatal("a failed import stored something")
		}
	})
	t.Run("OAuth client example needs an auth method and real URLs", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		path := writeFile(t, "client.json", ex[4])
		r := h.run("", "secret", "import", path)
		if r.code != exitOther || strings.Count(r.err, "is not a URL") != 3 || !strings.Contains(r.err, "--auth-method") {
			t.Fatalf("exit %d\n%s", r.code, r.err)
		}
		fixed := strings.NewReplacer("<redirect URI>", "http://127.0.0.1:9000/cb", "<authorization URL>", "https://id.example.com/a", "<access token URL>", "https://id.example.com/t").Replace(ex[4])
		path = writeFile(t, "fixed.json", fixed)
		h.expect(exitMissingInput, []string{"authMethod: the file does not say"}, "", "secret", "import", path)
		r = h.must("", "secret", "import", path, "--auth-method", "client_secret_post", "--dry-run")
		if !strings.Contains(r.out, "Would import 1 auth client and 0 secrets") || !strings.Contains(r.out, "Nothing was stored (--dry-run).") || h.storedKeys() != 0 {
			t.Fatalf("dry run:\n%s", r.out)
		}
		noSecret(t, r, "<API secret>")
		r = h.must("", "secret", "import", path, "--auth-method", "client_secret_post")
		noSecret(t, r, "<API secret>")
		if ac, err := h.v.Client(vault.DefaultEnv, "<some identifiable name>"); err != nil || ac.AuthMethod != vault.AuthClientSecretPost || !ac.HasSecret {
			t.Fatalf("imported client %+v (%v)", ac, err)
		}
		h.expect(exitOther, []string{`auth client "<some identifiable name>" already exists`}, "", "secret", "import", path, "--auth-method", "client_secret_post")
	})
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.expect(exitMissingInput, []string{"FILE: /nonexistent/x.json: no such file"}, "", "secret", "import", "/nonexistent/x.json")
	})
}

// No flag of these commands takes a secret value: values come from stdin, a
// prompt or a file only (S-33).
func TestNoFlagTakesASecretValue(t *testing.T) {
	t.Parallel()
	a := &App{Getenv: func(string) string { return "" }}
	root := a.newRootCmd()
	secretish := regexp.MustCompile(`(?i)secret|passw|passphrase|token|key|value|cred`)
	allowed := map[string]bool{
		// booleans that switch reading to stdin, paths of files, and names
		"client-secret-stdin": true, "value-stdin": true, "private-key-file": true, "cert-key-file": true, "generate-key": true,
		"header-name": true, "token-url": true, "token-param": true, "token-method": true, "secret": true, "request-token-url": true,
		// token exchange: the names of token types (urn:ietf:params:oauth:token-type:…)
		"subject-token-type": true, "actor-token-type": true, "requested-token-type": true,
		// init --key takes the person's public key
		"key": true,
	}
	checked := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !secretish.MatchString(f.Name) {
				return
			}
			checked++
			if f.Value.Type() != "bool" && !allowed[f.Name] {
				t.Errorf("%s --%s (%s) looks like it takes a secret value", c.CommandPath(), f.Name, f.Value.Type())
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	for _, c := range root.Commands() {
		switch c.Name() {
		case "env", "client", "secret", "doctor", "init", "team", "check", "workspace":
			walk(c)
		}
	}
	if checked < 8 {
		t.Fatalf("only %d flags checked; the walk missed the commands", checked)
	}
}

// Every command of env, client, secret, doctor and the team workspace's
// documents itself with examples.
func TestHelpHasExamples(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := &App{Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		count++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		r := h.must("", args...)
		if !strings.Contains(r.out, "Examples:") || !strings.Contains(r.out, "Usage:") {
			t.Errorf("%s --help:\n%s", c.CommandPath(), r.out)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	for _, c := range a.newRootCmd().Commands() {
		switch c.Name() {
		case "env", "client", "secret", "doctor", "init", "team", "check", "workspace":
			walk(c)
		}
	}
	if count != 4+7+7+7+1+7+1+3 {
		t.Fatalf("walked %d commands", count)
	}
}

// TestImportProblemListIsCapped: a file with many bad items prints the first
// problems and how many more there are, not one line per item.
func TestImportProblemListIsCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var b strings.Builder
	b.WriteString("[")
	for i := range 500 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"k%d","type":"NOT_A_TYPE","value":{"key":"x"}}`, i)
	}
	b.WriteString("]")
	r := h.run(b.String(), "secret", "import", "-")
	if r.code != exitOther {
		t.Fatalf("exit %d\n%s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	if len(lines) > 25 {
		t.Fatalf("%d lines of errors for 500 bad items; want the first 20 and a count", len(lines))
	}
	for _, want := range []string{`secret "k0": type "NOT_A_TYPE"`, `secret "k19"`, "and 480 more problems (the first 20 are shown)", "nothing was imported (500 problems)"} {
		if !strings.Contains(r.err, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, r.err)
		}
	}
	if strings.Contains(r.err, `secret "k20"`) {
		t.Fatalf("the 21st problem is printed:\n%s", r.err)
	}
	if len(h.catalog().Secrets) != 0 || h.storedKeys() != 0 {
		t.Fatal("a failed import stored something")
	}
}
