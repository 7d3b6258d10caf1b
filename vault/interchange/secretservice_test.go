package interchange

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
	"github.com/authdeck/authdeck/vault/vaulttest/ssfixtures"
)

// The secret-service examples of testdata/secretservice.
const (
	seedAPIKey        = ssfixtures.APIKey
	seedBearer        = ssfixtures.Bearer
	seedBasic         = ssfixtures.Basic
	seedOAuthToken    = ssfixtures.OAuthToken
	seedOAuthClient   = ssfixtures.OAuthClient
	seedSessionClient = ssfixtures.SessionClient
	seedSessionSecret = ssfixtures.SessionSecret
)

func seedExamples(t testing.TB) []string {
	t.Helper()
	blocks := ssfixtures.Examples(t)
	wantType := []string{`"API_KEY"`, `"API_KEY"`, `"SIMPLE"`, `"OA2_AUTHORIZATION_CODE"`, `"OA2_AUTHORIZATION_CODE"`, `"SESSION_AUTH"`, `"SESSION_AUTH"`}
	for i, b := range blocks {
		if !strings.Contains(b, wantType[i]) {
			t.Fatalf("example %d does not have type %s:\n%s", i, wantType[i], b)
		}
	}
	return blocks
}

func importProblems(t *testing.T, err error) []ImportProblem {
	t.Helper()
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an *ImportError", err, err)
	}
	return ie.Problems
}

func TestSecretServiceExampleAPIKeyExampleMissingComma(t *testing.T) {
	t.Parallel()
	// The API key example lacks the comma between the "value" object
	// and "tenant": reported with its position, nothing stored (S-36, S-37).
	ex := seedExamples(t)[seedAPIKey]
	if !strings.Contains(ex, "}\n    \"tenant\"") {
		t.Fatalf("the API key example changed; expected the missing comma:\n%s", ex)
	}
	v, mem := newImportVault()
	_, _, err := ImportSecretService(context.Background(), v, []byte(ex), SecretServiceOptions{Env: vault.DefaultEnv})
	probs := importProblems(t, err)
	if len(probs) != 1 || probs[0].Line != 6 || probs[0].Col != 5 || !strings.Contains(probs[0].Msg, "missing comma") {
		t.Fatalf("problems = %+v, want one at line 6, column 5 about a missing comma", probs)
	}
	if !strings.Contains(err.Error(), "line 6, column 5") {
		t.Fatalf("error %q does not say line 6, column 5", err)
	}
	assertUntouched(t, v, mem)
	if c := sharedClass(err); c != nil {
		t.Fatalf("problems all %v, want a syntax error of no class", c)
	}
}

func newImportVault() (*vault.Vault, *vault.MemoryStore) {
	mem := vault.NewMemoryStore()
	return vault.New(vault.NewMemoryCatalog(), mem), mem
}

func assertUntouched(t *testing.T, v *vault.Vault, mem *vault.MemoryStore) {
	t.Helper()
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets) != 0 || len(c.Clients) != 0 || len(c.Environments) != 1 {
		t.Fatalf("catalog changed by a failed import: %d secrets, %d clients, %d environments", len(c.Secrets), len(c.Clients), len(c.Environments))
	}
	if k := mem.Keys(); len(k) != 0 {
		t.Fatalf("store holds %d values after a failed import", len(k))
	}
}

func TestSecretServiceExampleSecretExamplesImport(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, s vault.Secret, val vault.SecretValue)
	}{
		{"bearer", ex[seedBearer], func(t *testing.T, s vault.Secret, val vault.SecretValue) {
			if s.Type != vault.TypeAPIKey || s.HeaderName != "Authorization" || val.Key != "Bearer <token>" || val.HeaderName != "Authorization" {
				t.Fatalf("bearer imported as %s header %q, key matches: %v", s.Type, s.HeaderName, val.Key == "Bearer <token>")
			}
		}},
		{"basic", ex[seedBasic], func(t *testing.T, s vault.Secret, val vault.SecretValue) {
			if s.Type != vault.TypeSimple || val.Username != "<username>" || val.Passphrase != "<password>" {
				t.Fatalf("basic imported as %s, username %q, passphrase matches: %v", s.Type, val.Username, val.Passphrase == "<password>")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, mem := newImportVault()
			ctx := context.Background()
			b, notes, err := ImportSecretService(ctx, v, []byte(tc.json), SecretServiceOptions{Env: vault.DefaultEnv})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if len(b.Secrets) != 1 || len(mem.Keys()) != 1 {
				t.Fatalf("imported %d secrets, %d stored values; want 1, 1", len(b.Secrets), len(mem.Keys()))
			}
			s, err := v.Secret(vault.DefaultEnv, "<some identifiable name>")
			if err != nil {
				t.Fatal(err)
			}
			if s.Tenant != "" {
				t.Fatalf("placeholder tenant %q was kept", s.Tenant)
			}
			val, err := v.SecretValue(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s, val)
			wantNotes := map[string]bool{"trailing comma accepted": false, "tenant \"<tenant id>\": an example placeholder, not set": false}
			for _, n := range notes {
				if _, ok := wantNotes[n.Msg]; ok {
					wantNotes[n.Msg] = true
				}
				for _, secret := range []string{val.Key, val.Passphrase} {
					if secret != "" && strings.Contains(n.String(), secret) {
						t.Fatalf("note %d (%s) contains a secret value", len(n.Msg), n.Kind)
					}
				}
			}
			for msg, seen := range wantNotes {
				if !seen {
					t.Errorf("no note %q in %v", msg, notes)
				}
			}
		})
	}
}

func TestSecretServiceExampleOAuthTokenLinksToClient(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)[seedOAuthToken]
	ctx := context.Background()
	v, mem := newImportVault()
	_, _, err := ImportSecretService(ctx, v, []byte(ex), SecretServiceOptions{Env: vault.DefaultEnv})
	probs := importProblems(t, err)
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, `value.authClientId "<auth client>" matches no auth client`) || !strings.Contains(probs[0].Msg, "placeholder") {
		t.Fatalf("problems = %+v, want the unknown authClientId named", probs)
	}
	if c := sharedClass(err); c != vault.ErrNotConfigured {
		t.Fatalf("problems all %v, want %v", c, vault.ErrNotConfigured)
	}
	assertUntouched(t, v, mem)
	// With a client of that name in the environment the token links to it.
	if _, err := v.PutClient(ctx, vault.AuthClient{
		Meta: vault.Meta{Name: "<auth client>", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Authorization: "https://id.example.com/auth", Token: "https://id.example.com/token"},
		ClientID:  "app", Grant: vault.GrantAuthorizationCode, AuthMethod: vault.AuthNone,
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ImportSecretService(ctx, v, []byte(ex), SecretServiceOptions{Env: vault.DefaultEnv}); err != nil {
		t.Fatalf("import with the client present: %v", err)
	}
	s, err := v.Secret(vault.DefaultEnv, "<some identifiable name>")
	if err != nil {
		t.Fatal(err)
	}
	val, err := v.SecretValue(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if s.AuthClient != "<auth client>" || s.Scope != "<oauth scope values>" || !s.HasRefresh || val.AccessToken != "<access token>" || val.RefreshToken != "<refresh token>" || s.TokenExpires != nil {
		t.Fatalf("token secret imported wrongly: client %q scope %q refresh %v expires %v", s.AuthClient, s.Scope, s.HasRefresh, s.TokenExpires)
	}
}

func TestSecretServiceExampleOAuthClientPlaceholderURLs(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)[seedOAuthClient]
	tests := []struct {
		name   string
		method vault.AuthMethod
		want   []string
		class  error
	}{
		{"no auth method", "", []string{"redirectUri", "endpoints.auth", "endpoints.token", "authMethod"}, nil},
		{"with auth method", vault.AuthClientSecretPost, []string{"redirectUri", "endpoints.auth", "endpoints.token"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, mem := newImportVault()
			_, _, err := ImportSecretService(context.Background(), v, []byte(ex), SecretServiceOptions{Env: vault.DefaultEnv, AuthMethod: tc.method})
			probs := importProblems(t, err)
			if len(probs) != len(tc.want) {
				t.Fatalf("problems = %v, want %d", probs, len(tc.want))
			}
			for i, field := range tc.want {
				if !strings.HasPrefix(probs[i].Msg, field+":") || probs[i].Line == 0 {
					t.Errorf("problem %d = %q (line %d), want it about %s with a position", i, probs[i].Msg, probs[i].Line, field)
				}
				if field != "authMethod" && !strings.Contains(probs[i].Msg, "is not a URL") {
					t.Errorf("problem %d = %q, want \"is not a URL\"", i, probs[i].Msg)
				}
			}
			if !strings.Contains(err.Error(), `"<authorization URL>" is not a URL`) {
				t.Errorf("error %q does not name the placeholder", err)
			}
			if c := sharedClass(err); c != tc.class {
				t.Errorf("problems all %v, want %v", c, tc.class)
			}
			assertUntouched(t, v, mem)
		})
	}
}

func TestSecretServiceExampleOAuthClientImportsWithRealURLs(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)[seedOAuthClient]
	ex = strings.NewReplacer(`"<redirect URI>"`, `"http://127.0.0.1:8765/callback"`,
		`"<authorization URL>"`, `"https://id.example.com/authorize"`,
		`"<access token URL>"`, `"https://id.example.com/token"`).Replace(ex)
	v, mem := newImportVault()
	ctx := context.Background()
	_, notes, err := ImportSecretService(ctx, v, []byte(ex), SecretServiceOptions{Env: vault.DefaultEnv, AuthMethod: vault.AuthClientSecretBasic})
	if err != nil {
		t.Fatal(err)
	}
	ac, err := v.Client(vault.DefaultEnv, "<some identifiable name>")
	if err != nil {
		t.Fatal(err)
	}
	if ac.ClientID != "<API key>" || ac.Grant != vault.GrantAuthorizationCode || ac.AuthMethod != vault.AuthClientSecretBasic || ac.Endpoints.Token != "https://id.example.com/token" || !ac.HasSecret {
		t.Fatalf("client imported as %+v", ac)
	}
	creds, err := v.ClientCredentials(ctx, ac)
	if err != nil || creds.ClientSecret != "<API secret>" {
		t.Fatalf("client secret not stored (err %v)", err)
	}
	if len(mem.Keys()) != 1 {
		t.Fatalf("%d stored values, want 1", len(mem.Keys()))
	}
	var stored bool
	for _, n := range notes {
		stored = stored || (n.Kind == NoteStored && n.Msg == "clientSecret")
		if strings.Contains(n.String(), "<API secret>") {
			t.Fatalf("a note contains the client secret")
		}
	}
	if !stored {
		t.Fatalf("no note says the client secret went to the vault: %v", notes)
	}
}

func TestSecretServiceExampleSessionAuthClientAndSecret(t *testing.T) {
	t.Parallel()
	ex := seedExamples(t)
	client, secret := ex[seedSessionClient], ex[seedSessionSecret]
	const refID = "64de8d36063cbe20ac1e93e7"
	if !strings.Contains(client, refID) || !strings.Contains(secret, "<the ID of the above auth client>") {
		t.Fatal("the session-auth examples changed")
	}
	linked := strings.Replace(secret, "<the ID of the above auth client>", refID, 1)
	fixedURL := strings.Replace(client, "microsoftonline.com>/", "microsoftonline.com/", 1)
	withTenant := strings.Replace(linked, `"inputFields": {`, `"inputFields": {"tenantid": "contoso.onmicrosoft.com",`, 1)
	tests := []struct {
		name  string
		json  string
		want  []string // substrings of each problem, in order
		class error
	}{
		{"as written", "[" + client + "," + secret + "]", []string{
			`auth client "Dynamics 365 Session Auth Client": endpoints.auth.url: "https://login.microsoftonline.com>/{{fields.tenantid}}/oauth2/v2.0/token": invalid character '>' in host name`,
			`secret "Dynamics 365 Session Auth Secret": value.authClientId "<the ID of the above auth client>" matches no auth client`,
		}, nil},
		{"linked by _id", "[" + client + "," + linked + "]", []string{
			`endpoints.auth.url: "https://login.microsoftonline.com>/`,
			`value.inputFields has no "tenantid": auth client "Dynamics 365 Session Auth Client" uses {{fields.tenantid}} in endpoints.auth.url`,
		}, nil},
		{"URL fixed", "[" + fixedURL + "," + linked + "]", []string{
			`{{fields.tenantid}}`,
		}, vault.ErrMissingInput},
		{"secret before its client", "[" + linked + "," + fixedURL + "]", []string{
			`{{fields.tenantid}}`,
		}, vault.ErrMissingInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, mem := newImportVault()
			_, _, err := ImportSecretService(context.Background(), v, []byte(tc.json), SecretServiceOptions{Env: vault.DefaultEnv})
			probs := importProblems(t, err)
			if len(probs) != len(tc.want) {
				t.Fatalf("problems:\n%v\nwant %d", err, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(probs[i].String(), w) || probs[i].Line == 0 {
					t.Errorf("problem %d = %q, want it to contain %q and a position", i, probs[i].String(), w)
				}
			}
			if c := sharedClass(err); c != tc.class {
				t.Errorf("problems all %v, want %v", c, tc.class)
			}
			assertUntouched(t, v, mem)
		})
	}

	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		v, mem := newImportVault()
		ctx := context.Background()
		b, notes, err := ImportSecretService(ctx, v, []byte("["+fixedURL+","+withTenant+"]"), SecretServiceOptions{Env: vault.DefaultEnv})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Clients) != 1 || len(b.Secrets) != 1 || len(mem.Keys()) != 1 {
			t.Fatalf("imported %d clients, %d secrets, %d values", len(b.Clients), len(b.Secrets), len(mem.Keys()))
		}
		ac, err := v.Client(vault.DefaultEnv, "Dynamics 365 Session Auth Client")
		if err != nil {
			t.Fatal(err)
		}
		st := ac.SessionAuth
		if ac.Type != vault.ClientSessionAuth || st == nil || st.TokenPath != "access_token" || st.ExpirationPath != "expires_in" || st.AuthType != vault.SessionFormAuth || len(st.RequestFields) != 4 || st.RequestFields[3] != (vault.Param{Key: "client_secret", Value: "{{fields.secret}}"}) {
			t.Fatalf("session client imported as %+v / %+v", ac, st)
		}
		s, err := v.Secret(vault.DefaultEnv, "Dynamics 365 Session Auth Secret")
		if err != nil {
			t.Fatal(err)
		}
		val, err := v.SecretValue(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if s.AuthClient != ac.Name || len(val.InputFields) != 4 || val.InputFields["secret"] != "<the end user's actual client secret>" {
			t.Fatalf("secret linked to %q with %d input fields", s.AuthClient, len(val.InputFields))
		}
		var sawID, sawFields, sawVault bool
		for _, n := range notes {
			sawID = sawID || strings.HasPrefix(n.Msg, `_id "64de8d36063cbe20ac1e93e7"`)
			sawFields = sawFields || strings.HasPrefix(n.Msg, "fields (0 entries)")
			sawVault = sawVault || (n.Kind == NoteStored && strings.Contains(n.Msg, "inputFields.secret"))
			if strings.Contains(n.String(), "actual client secret") {
				t.Fatal("a note contains an input field value")
			}
		}
		if !sawID || !sawFields || !sawVault {
			t.Fatalf("notes miss _id (%v), fields (%v) or vault (%v): %v", sawID, sawFields, sawVault, notes)
		}
	})
}

func TestParseSecretServiceSyntaxPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"empty", "  \n", 0, 0, "the file is empty"},
		{"missing comma", "{\"name\": \"a\"\n \"type\": \"API_KEY\"}", 2, 2, "missing comma"},
		{"cut short", "{\"data\": {\"name\": \"a\",\n", 2, 1, "cut short"},
		{"two objects", "{\"a\": 1}\n{\"b\": 2}", 2, 1, "wrapped in an array"},
		{"bad literal", "[\n  tru\n]", 2, 6, "invalid character"},
		{"not an object", "[1]", 1, 2, "expected an object"},
		{"empty array", " []", 1, 2, "nothing to import"},
		{"unknown kind", `{"name": "x", "type": "API_KEY"}`, 1, 1, "cannot tell what this is"},
		{"data not object", `{"data": "x"}`, 1, 10, "data should be an object"},
		{"name not string", "{\"value\": {},\n \"name\": 5, \"type\": \"API_KEY\"}", 2, 10, "name should be a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ParseSecretService([]byte(tc.in), SecretServiceOptions{Env: vault.DefaultEnv})
			probs := importProblems(t, err)
			p := probs[0]
			if p.Line != tc.line || p.Col != tc.col || !strings.Contains(p.Msg, tc.msg) {
				t.Fatalf("first problem = line %d col %d %q; want line %d col %d containing %q", p.Line, p.Col, p.Msg, tc.line, tc.col, tc.msg)
			}
		})
	}
}

func TestParseSecretServiceShapes(t *testing.T) {
	t.Parallel()
	key := `{"name": "k%d", "type": "API_KEY", "value": {"key": "v,}%d"},}`
	tests := []struct {
		name string
		in   string
		n    int
	}{
		{"bare", strings.ReplaceAll(key, "%d", "1"), 1},
		{"wrapped", `{"data": ` + strings.ReplaceAll(key, "%d", "1") + `}`, 1},
		{"array of both", "[" + strings.ReplaceAll(key, "%d", "1") + ", {\"data\": " + strings.ReplaceAll(key, "%d", "2") + "},\n]", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, _, err := ParseSecretService([]byte(tc.in), SecretServiceOptions{Env: "dev"})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Secrets) != tc.n {
				t.Fatalf("%d secrets, want %d", len(b.Secrets), tc.n)
			}
			for i, it := range b.Secrets {
				// the comma inside the string is data, not a trailing comma
				if want := "v,}" + string(rune('1'+i)); it.Value.Key != want || it.Secret.Env != "dev" {
					t.Fatalf("secret %d: key matches %v, env %q", i, it.Value.Key == want, it.Secret.Env)
				}
			}
		})
	}
}

func TestParseSecretServiceItemProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		want  string
		class error
	}{
		{"unknown type", `{"name": "a", "type": "TOTP", "value": {}}`, `type "TOTP" is not one of`, nil},
		{"missing key", `{"name": "a", "type": "API_KEY", "value": {}}`, "value.key: is required", nil},
		{"bad name", `{"name": "a/b", "type": "API_KEY", "value": {"key": "x"}}`, `name must not contain "/"`, nil},
		{"no name", `{"type": "API_KEY", "value": {"key": "x"}}`, "name is missing", nil},
		{"bad expires", `{"name": "a", "type": "OA2_AUTHORIZATION_CODE", "value": {"accessToken": "t", "expires": "soon"}}`, `value.expires: "soon" is not a date`, nil},
		{"bad expiration", `{"name": "a", "type": "API_KEY", "expiration": "tomorrow", "value": {"key": "x"}}`, "expiration:", nil},
		{"session without client", `{"name": "a", "type": "SESSION_AUTH", "value": {"inputFields": {"x": "y"}}}`, "value.authClientId is missing", nil},
		{"input field not string", `{"name": "a", "type": "SESSION_AUTH", "value": {"authClientId": "c", "inputFields": {"x": 1}}}`, "value.inputFields.x should be a string", nil},
		{"duplicate secrets", `[{"name": "a", "type": "API_KEY", "value": {"key": "x"}}, {"name": "a", "type": "API_KEY", "value": {"key": "y"}}]`, `two secrets named "a"`, nil},
		{"client type mismatch", `[{"name": "c", "type": "SESSION_AUTH", "tokenPath": "t", "endpoints": {"auth": {"url": "https://x.example/t", "authType": "FORM_AUTH"}}},
		  {"name": "s", "type": "OA2_AUTHORIZATION_CODE", "value": {"authClientId": "c", "accessToken": "t"}}]`, `auth client "c" is SESSION_AUTH`, nil},
		{"plain http", `{"name": "c", "type": "OA2_AUTHORIZATION_CODE", "clientId": "i", "authMethod": "none", "endpoints": {"auth": "http://id.example.com/a", "token": "https://id.example.com/t"}}`, "endpoints.auth: \"http://id.example.com/a\" uses plain http", nil},
		{"bad auth type", `{"name": "c", "type": "SESSION_AUTH", "tokenPath": "t", "endpoints": {"auth": {"url": "https://x.example/t", "authType": "MAGIC"}}}`, "endpoints.auth.authType", nil},
		{"bad template", `{"name": "c", "type": "SESSION_AUTH", "tokenPath": "t", "endpoints": {"auth": {"url": "https://x.example/t", "authType": "FORM_AUTH", "requestFields": [{"key": "a", "value": "{{fields.x"}]}}}`, "requestFields[0].value", nil},
		{"missing auth method", `{"name": "c", "type": "OA2_AUTHORIZATION_CODE", "clientId": "i", "endpoints": {"auth": "https://id.example.com/a", "token": "https://id.example.com/t"}}`, "authMethod: the file does not say", vault.ErrMissingInput},
		{"unknown client", `{"name": "s", "type": "SESSION_AUTH", "value": {"authClientId": "nope", "inputFields": {"x": "y"}}}`, `"nope" matches no auth client`, vault.ErrNotConfigured},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ParseSecretService([]byte(tc.in), SecretServiceOptions{Env: vault.DefaultEnv, Catalog: vault.NewCatalog()})
			probs := importProblems(t, err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			for _, p := range probs {
				if p.Line == 0 {
					t.Errorf("problem %q has no position", p.Msg)
				}
			}
			if got := sharedClass(err); got != tc.class {
				t.Fatalf("problems all %v, want %v", got, tc.class)
			}
		})
	}
}

func TestImportSecretServiceConflictsAndStoreFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in := []byte(`[{"name": "a", "type": "API_KEY", "value": {"key": "first-value"}}, {"name": "b", "type": "SIMPLE", "value": {"username": "u", "passphrase": "p"}}]`)

	t.Run("name taken", func(t *testing.T) {
		t.Parallel()
		v, _ := newImportVault()
		if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "b", Env: vault.DefaultEnv}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "old"}); err != nil {
			t.Fatal(err)
		}
		_, _, err := ImportSecretService(ctx, v, in, SecretServiceOptions{Env: vault.DefaultEnv})
		if !errors.Is(err, vault.ErrExists) || !strings.Contains(err.Error(), `secret "b" already exists in environment "default"`) {
			t.Fatalf("err = %v, want the clash named", err)
		}
		c, _ := v.Load()
		if len(c.Secrets) != 1 {
			t.Fatalf("%d secrets after a refused import, want 1", len(c.Secrets))
		}
	})
	t.Run("store fails midway", func(t *testing.T) {
		t.Parallel()
		mem := vault.NewMemoryStore()
		v := vault.New(vault.NewMemoryCatalog(), vaulttest.NewFailingStore(mem, 2))
		_, _, err := ImportSecretService(ctx, v, in, SecretServiceOptions{Env: vault.DefaultEnv})
		if !errors.Is(err, vault.ErrUnavailable) {
			t.Fatalf("err = %v, want the store failure", err)
		}
		assertUntouched(t, v, mem) // S-37
	})
	t.Run("unknown environment", func(t *testing.T) {
		t.Parallel()
		v, mem := newImportVault()
		_, _, err := ImportSecretService(ctx, v, in, SecretServiceOptions{Env: "nope"})
		if !errors.Is(err, vault.ErrNotConfigured) {
			t.Fatalf("err = %v, want the environment not configured", err)
		}
		assertUntouched(t, v, mem)
	})
}

func TestParseSecretServiceNotes(t *testing.T) {
	t.Parallel()
	in := `{"data": {"name": "a", "type": "API_KEY", "colour": "red", "_id": "x1", "value": {"key": "k-123456789", "extra": 1}}, "meta": {}}`
	_, notes, err := ParseSecretService([]byte(in), SecretServiceOptions{Env: vault.DefaultEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`"meta" beside "data" (only the data object is read)`,
		`_id "x1": used only to link secrets of this file, not kept`,
		"colour: not a field authdeck knows",
		"value.extra: not a field authdeck knows",
		"API_KEY",
		"key",
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.Msg)
		if strings.Contains(n.String(), "k-123456789") {
			t.Fatal("a note contains the key")
		}
		if n.Line == 0 {
			t.Errorf("note %q has no position", n.Msg)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseSecretServiceLiteralSecretInTemplate(t *testing.T) {
	t.Parallel()
	in := `{"name": "c", "type": "SESSION_AUTH", "tokenPath": "t", "endpoints": {"auth": {"url": "https://x.example/t", "authType": "FORM_AUTH", "requestFields": [{"key": "client_secret", "value": "hunter2hunter2"}]}}}`
	_, notes, err := ParseSecretService([]byte(in), SecretServiceOptions{Env: vault.DefaultEnv})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if n.Kind == NoteWarning && strings.Contains(n.Msg, "holds a literal value") && !strings.Contains(n.Msg, "hunter2") {
			return
		}
	}
	t.Fatalf("no warning about a literal secret in the catalog: %v", notes)
}

func FuzzParseSecretService(f *testing.F) {
	for _, ex := range seedExamples(f) {
		f.Add([]byte(ex))
		f.Add([]byte("[" + ex + "]"))
	}
	f.Add([]byte(`[{"name":"a","type":"API_KEY","value":{"key":"x"},},]`))
	f.Add([]byte(`{"name":"c","type":"SESSION_AUTH","tokenPath":"t","endpoints":{"auth":{"url":"https://x.example/{{fields.a}}","authType":"JSON_AUTH","requestFields":[{"key":"k","value":"{{fields.b}}"}]}}}`))
	f.Add([]byte("\xef\xbb\xbf[\"\\\",]\"]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, notes, err := ParseSecretService(data, SecretServiceOptions{Env: vault.DefaultEnv, AuthMethod: vault.AuthClientSecretBasic})
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Problems) == 0 {
				t.Fatalf("error %v is not an *ImportError with problems", err)
			}
			if !b.Empty() {
				t.Fatal("a failed parse returned items")
			}
			return
		}
		if b.Empty() {
			t.Fatal("a successful parse returned nothing")
		}
		for _, n := range notes {
			if n.Msg == "" {
				t.Fatal("empty note")
			}
		}
		// Everything the parser accepts must also pass the model's checks
		// and apply cleanly to a fresh vault.
		v := vault.NewMemory()
		if _, err := v.Apply(context.Background(), b); err != nil {
			t.Fatalf("accepted input does not apply: %v", err)
		}
	})
}

// BenchmarkParseSecretService parses a 500-item array built from the example's
// examples (bearer, basic and a session-auth client with its secret).
func BenchmarkParseSecretService(b *testing.B) {
	ex := seedExamples(b)
	client := strings.Replace(ex[seedSessionClient], "microsoftonline.com>/", "microsoftonline.com/", 1)
	var items []string
	for i := range 125 {
		rename := func(s, old string) string {
			return strings.Replace(s, old, fmt.Sprintf("%s %d", old, i), 1)
		}
		c := strings.Replace(rename(client, "Dynamics 365 Session Auth Client"), "64de8d36063cbe20ac1e93e7", fmt.Sprintf("id%d", i), 1)
		s := strings.Replace(rename(ex[seedSessionSecret], "Dynamics 365 Session Auth Secret"), "<the ID of the above auth client>", fmt.Sprintf("id%d", i), 1)
		s = strings.Replace(s, `"inputFields": {`, `"inputFields": {"tenantid": "t",`, 1)
		items = append(items, c, s, rename(ex[seedBearer], "<some identifiable name>"), strings.Replace(ex[seedBasic], "<some identifiable name>", fmt.Sprintf("basic %d", i), 1))
	}
	data := []byte("[" + strings.Join(items, ",\n") + "]")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		batch, _, err := ParseSecretService(data, SecretServiceOptions{Env: vault.DefaultEnv})
		if err != nil {
			b.Fatal(err)
		}
		if len(batch.Secrets) != 375 || len(batch.Clients) != 125 {
			b.Fatalf("%d secrets, %d clients", len(batch.Secrets), len(batch.Clients))
		}
	}
}

// sharedClass is the sentinel every problem of an *ImportError matches
// (vault.ErrMissingInput or vault.ErrNotConfigured), nil when they do not
// all match the same one: what a front end reports the import as.
func sharedClass(err error) error {
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) == 0 {
		return nil
	}
	for _, class := range []error{vault.ErrMissingInput, vault.ErrNotConfigured} {
		all := true
		for _, p := range ie.Problems {
			all = all && errors.Is(p.Err, class)
		}
		if all {
			return class
		}
	}
	return nil
}
