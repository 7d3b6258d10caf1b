package interchange

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

type parseFunc func([]byte, RequestImportOptions) (vault.Batch, []Note, error)

// importFixture is a workspace on disk (a real catalog file) with a memory
// store, so tests can read exactly what was written to the catalog.
type importFixture struct {
	v       *vault.Vault
	store   *vault.MemoryStore
	catPath string
}

func newImportFixture(t *testing.T, failAt int) *importFixture {
	t.Helper()
	dir := t.TempDir()
	cat, err := vault.OpenFileCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	mem := vault.NewMemoryStore()
	var store vault.Store = mem
	if failAt > 0 {
		store = vaulttest.NewFailingStore(mem, failAt)
	}
	v := vault.New(cat, store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	return &importFixture{v: v, store: mem, catPath: filepath.Join(dir, vault.CatalogFileName)}
}

func (f *importFixture) catalogBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(f.catPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// storeText is every stored value, concatenated.
func (f *importFixture) storeText(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, k := range f.store.Keys() {
		v, err := f.store.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(v)
	}
	return b.String()
}

var fakeValueRe = regexp.MustCompile(`fake[-A-Za-z0-9]+`)

// importFile parses testdata/import/name into environment dev and applies it.
func (f *importFixture) importFile(t *testing.T, name string, parse parseFunc) (vault.Batch, []Note) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, notes, err := parse(data, RequestImportOptions{Env: "dev", Catalog: c})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply %s: %v", name, err)
	}
	return b, notes
}

// assertSecretsInVaultOnly checks that every fake credential of the file is
// in the store and nowhere in the catalog file (compared without printing).
func assertSecretsInVaultOnly(t *testing.T, f *importFixture, file string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "import", file))
	if err != nil {
		t.Fatal(err)
	}
	values := fakeValueRe.FindAllString(string(data), -1)
	if len(values) == 0 {
		t.Fatal("test file has no fake values")
	}
	cat := string(f.catalogBytes(t))
	stored := f.storeText(t)
	for i, v := range values {
		if strings.Contains(cat, v) {
			t.Errorf("fake value #%d (%d chars) of %s is in the catalog file", i+1, len(v), file)
		}
		if !strings.Contains(stored, v) {
			t.Errorf("fake value #%d (%d chars) of %s is not in the vault", i+1, len(v), file)
		}
	}
}

func requestByName(t *testing.T, v *vault.Vault, name string) vault.Request {
	t.Helper()
	r, err := v.SavedRequest("dev", name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func headerValue(r vault.Request, name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) && !h.Disabled {
			return h.Value
		}
	}
	return ""
}

func hasNote(notes []Note, kind NoteKind, substr string) bool {
	return slices.ContainsFunc(notes, func(n Note) bool { return n.Kind == kind && strings.Contains(n.String(), substr) })
}

func TestImportPostmanCollection(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	ctx := context.Background()
	if err := f.v.SetVar(ctx, "dev", "tenant", "already-here", false); err != nil {
		t.Fatal(err)
	}
	_, notes := f.importFile(t, "postman_collection.json", ParsePostman)
	assertSecretsInVaultOnly(t, f, "postman_collection.json")

	vars, err := f.v.Vars(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if vars["baseUrl"] != "https://api.acme.example" || vars["apiToken"] != "fake-collection-token-0001" || vars["tenant"] != "already-here" {
		t.Fatalf("variables: baseUrl=%q tenant=%q apiToken set=%v", vars["baseUrl"], vars["tenant"], vars["apiToken"] != "")
	}
	if _, ok := vars["oldThing"]; ok {
		t.Error("a disabled variable was imported")
	}
	c, _ := f.v.Load()
	e, _ := c.Env("dev")
	for _, name := range []string{"apiToken", "webhookSig"} {
		if v, _ := e.Var(name); !v.Secret {
			t.Errorf("variable %s should be secret", name)
		}
	}
	if !hasNote(notes, NoteSkipped, `variable "tenant": already in environment "dev"; kept the existing value`) {
		t.Error("the kept existing variable is not reported")
	}

	tests := []struct {
		name, method, url, auth string
		check                   func(t *testing.T, r vault.Request)
	}{
		{"Users › List users", "GET", "{{baseUrl}}/v1/users?tenant={{tenant}}&page=1", "", func(t *testing.T, r vault.Request) {
			if headerValue(r, "Authorization") != "Bearer {{apiToken}}" || headerValue(r, "X-Debug") != "" {
				t.Errorf("headers %v: the collection's bearer auth should apply, the disabled header not", r.Headers)
			}
			if !slices.ContainsFunc(r.Headers, func(h vault.Header) bool { return h.Name == "X-Debug" && h.Disabled }) {
				t.Errorf("headers %v: the disabled header is not kept as disabled", r.Headers)
			}
		}},
		{"Users › Create user", "POST", "{{baseUrl}}/v1/users", "", func(t *testing.T, r vault.Request) {
			if !strings.Contains(r.Body, `"password": "{{password}}"`) || !strings.Contains(r.Body, `"role": "admin"`) {
				t.Errorf("body %q: the password member should refer to a secret variable", r.Body)
			}
		}},
		{"Users › Admin › Delete user", "DELETE", "{{baseUrl}}/v1/users/42", "Users › Admin basic", nil},
		{"Users › Admin › Audit log", "GET", "{{baseUrl}}/v1/audit", "Audit log token", func(t *testing.T, r vault.Request) {
			if headerValue(r, "Authorization") != "" {
				t.Error("the literal Authorization header should have become the credential")
			}
		}},
		{"Partners › Partner feed", "GET", "https://partners.acme.example/feed", "Partner feed api key", nil},
		{"Partners › Legacy search", "GET", "https://legacy.acme.example/search?q=widgets", "Legacy search api key", nil},
		{"Partners › Token exchange", "POST", "{{authHost}}/token", "", func(t *testing.T, r vault.Request) {
			if r.Body != "grant_type=password&username=svc&password={{password_2}}" {
				t.Errorf("body %q", r.Body)
			}
		}},
		{"Machine to machine", "GET", "{{baseUrl}}/v1/reports", "acme service", nil},
		{"GraphQL", "POST", "{{baseUrl}}/graphql", "", func(t *testing.T, r vault.Request) {
			if r.Body != `{"query":"{ viewer { id } }","variables":{"first":5}}` {
				t.Errorf("body %q", r.Body)
			}
		}},
		{"Status page", "GET", "https://status.acme.example/", "", nil},
	}
	for _, tt := range tests {
		// Folders are kept as folders: "Users › Admin › Delete user" is
		// the request "Delete user" in folder Users / Admin.
		path := strings.Split(tt.name, " › ")
		r := requestByName(t, f.v, path[len(path)-1])
		if !slices.Equal(r.Folder, path[:len(path)-1]) {
			t.Errorf("%s: folder %q", tt.name, r.Folder)
		}
		if r.Method != tt.method || r.URL != tt.url || r.Auth != tt.auth {
			t.Errorf("%s: %s %s auth %q; want %s %s auth %q", tt.name, r.Method, r.URL, r.Auth, tt.method, tt.url, tt.auth)
		}
		if tt.check != nil {
			tt.check(t, r)
		}
	}

	sec, err := f.v.Secret("dev", "Partner feed api key")
	if err != nil || sec.Type != vault.TypeAPIKey || sec.HeaderName != "X-Partner-Key" {
		t.Fatalf("API key secret: %+v %v", sec, err)
	}
	if sec, _ := f.v.Secret("dev", "Legacy search api key"); sec.QueryParam != "api_key" {
		t.Errorf("query API key: %+v", sec)
	}
	basic, _ := f.v.Secret("dev", "Users › Admin basic")
	if val, err := f.v.SecretValue(ctx, basic); err != nil || val.Username != "admin" || val.Passphrase != "fake-admin-password-0003" {
		t.Errorf("basic secret: user %q, %v", val.Username, err)
	}
	ac, err := f.v.Client("dev", "acme service")
	if err != nil || ac.Grant != vault.GrantClientCredentials || ac.AuthMethod != vault.AuthClientSecretPost || ac.Endpoints.Token != "https://login.acme.example/oauth/token" ||
		ac.ClientID != "acme-service" || !slices.Equal(ac.Scopes, []string{"users:read", "users:write"}) || !ac.HasSecret {
		t.Errorf("auth client: %+v %v", ac, err)
	}
	if up := requestByName(t, f.v, "Upload avatar"); len(up.Form) != 1 || !up.Form[0].IsFile || up.Form[0].File != "avatar.png" || up.Form[0].Name != "file" {
		t.Errorf("formdata file field not kept with its path: %+v", up.Form)
	}
	for _, want := range []string{"{{$nonesuch}}"} {
		if !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Msg, want) }) {
			t.Errorf("no note about %s", want)
		}
	}
	// A dynamic variable authdeck generates is not reported; an unknown one
	// is, with the request's name.
	if slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Msg, "{{$guid}}") }) {
		t.Error("{{$guid}} reported although it is generated at send time")
	}
}

func TestImportPostmanEnvironment(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/import/postman_environment.json")
	if err != nil {
		t.Fatal(err)
	}
	// Without --env, the file's own environment is created.
	f := newImportFixture(t, 0)
	c, _ := f.v.Load()
	b, notes, err := ParsePostman(data, RequestImportOptions{Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	vars, err := f.v.Vars(context.Background(), "Acme staging")
	if err != nil {
		t.Fatal(err)
	}
	if vars["region"] != "eu-west" || vars["opaque"] != "fake-env-secret-typed-0009" || vars["refresh_token"] != "fake-env-refresh-0010" {
		t.Fatalf("vars region=%q", vars["region"])
	}
	if _, ok := vars["unused"]; ok {
		t.Error("a disabled value was imported")
	}
	if !hasNote(notes, NoteCreated, `environment "Acme staging"`) || !hasNote(notes, NoteStored, `variable "opaque"`) {
		t.Errorf("notes %v", notes)
	}
	assertSecretsInVaultOnly(t, f, "postman_environment.json")

	// With --env, the variables go to that environment.
	g := newImportFixture(t, 0)
	g.importFile(t, "postman_environment.json", ParsePostman)
	if vars, _ := g.v.Vars(context.Background(), "dev"); vars["baseUrl"] != "https://staging.acme.example" {
		t.Fatalf("vars %v", vars["baseUrl"])
	}
}

// TestImportFailureChangesNothing (S-37): a store failure half-way leaves the
// catalog file byte for byte and the store as they were.
func TestImportFailureChangesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		parse parseFunc
	}{
		{"postman_collection.json", ParsePostman},
		{"commands.curl", ParseCurl},
		{"requests.http", ParseHTTPFile},
	} {
		for failAt := 1; failAt <= 3; failAt++ {
			f := newImportFixture(t, failAt)
			before := f.catalogBytes(t)
			keys := len(f.store.Keys())
			data, _ := os.ReadFile(filepath.Join("testdata", "import", tc.file))
			c, _ := f.v.Load()
			b, _, err := tc.parse(data, RequestImportOptions{Env: "dev", Catalog: c})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.v.Apply(context.Background(), b); err == nil {
				t.Fatalf("%s: write %d was set to fail", tc.file, failAt)
			}
			if !bytes.Equal(before, f.catalogBytes(t)) || len(f.store.Keys()) != keys {
				t.Fatalf("%s: a failed import (write %d) changed the vault", tc.file, failAt)
			}
		}
	}
}

func TestImportPostmanNameClash(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	f.importFile(t, "postman_collection.json", ParsePostman)
	// Importing again adds renamed copies instead of failing or overwriting,
	// and secrets already in a secret variable are not stored twice.
	data, _ := os.ReadFile("testdata/import/postman_collection.json")
	c, _ := f.v.Load()
	values, err := f.v.Vars(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := ParsePostman(data, RequestImportOptions{Env: "dev", Catalog: c, Values: values})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) == 0 || b.Requests[0].Name != "List users 2" {
		t.Fatalf("second import: %v", b.Requests[0].Name)
	}
	if len(b.SecretVars["dev"]) != 0 {
		t.Errorf("existing secret variables should be reused, not duplicated: %d new", len(b.SecretVars["dev"]))
	}
}

func TestImportPostmanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		line           int
	}{
		{"syntax error", "{\n  \"info\": {\"name\": \"x\"},\n  \"item\": [,]\n}", "invalid character", 3},
		{"not an object", `[1,2]`, "JSON object", 1},
		{"v1 collection", `{"id":"x","name":"old","requests":[]}`, "Collection v2.1", 0},
		{"neither", `{"hello":"world"}`, "not a Postman collection", 0},
		{"other schema", `{"info":{"name":"x","schema":"https://schema.getpostman.com/json/collection/v3.0.0/"},"item":[]}`, "unsupported collection schema", 0},
		{"bad request", `{"info":{"name":"x"},"item":[{"name":"r","request":{"method":7}}]}`, "malformed request", 0},
		{"bad url", `{"info":{"name":"x"},"item":[{"name":"r","request":{"url":"{{unclosed"}}]}`, "url", 0},
	}
	for _, tt := range tests {
		_, _, err := ParsePostman([]byte(tt.in), RequestImportOptions{Env: "dev"})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
			continue
		}
		if tt.line > 0 && ie.Problems[0].Line != tt.line {
			t.Errorf("%s: line %d, want %d", tt.name, ie.Problems[0].Line, tt.line)
		}
	}
	if _, _, err := ParsePostman([]byte(`{"info":{"name":"x"},"item":[]}`), RequestImportOptions{Env: "nope", Catalog: vault.NewCatalog()}); !errors.Is(err, vault.ErrNotConfigured) {
		t.Errorf("unknown environment: %v", err)
	}
}

// FuzzPostman: the importer never panics or hangs on hostile input (S-36),
// and whatever it accepts can be stored as is.
func FuzzPostman(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, which is slow on
	// the multi-kilobyte test files.
	for _, s := range []string{
		`{}`,
		`{"info":{"name":"c","schema":"v2.1"},"variable":[{"key":"tok","value":"x"}],"auth":{"type":"bearer","bearer":[{"key":"token","value":"{{tok}}"}]},` +
			`"item":[{"name":"f","auth":{"type":"basic","basic":[{"key":"username","value":"u"},{"key":"password","value":"p"}]},"item":[` +
			`{"name":"r","request":{"method":"POST","header":[{"key":"X-Key","value":"abc"}],"url":{"raw":"https://x.example/a?token=t"},` +
			`"body":{"mode":"raw","raw":"{\"password\":\"p\"}"}}}]},` +
			`{"name":"k","request":{"url":"https://x.example","auth":{"type":"apikey","apikey":{"key":"k","value":"v","in":"query"}}}},` +
			`{"name":"o","request":{"url":"https://x.example","auth":{"type":"oauth2","oauth2":[{"key":"accessTokenUrl","value":"https://x.example/t"},` +
			`{"key":"clientId","value":"c"},{"key":"clientSecret","value":"s"},{"key":"grant_type","value":"client_credentials"}]}}}]}`,
		`{"name":"e","values":[{"key":"a","value":"b","type":"secret"}]}`, `{"info":{},"item":[{"item":[{"item":null}]}]}`, `{"values":[{"key":"a b","value":1}]}`,
		`{"info":{"name":"x"},"item":[{"request":"https://x.example","auth":{"type":"basic","basic":{"username":"{{u}}"}}}]}`,
		`{"info":{"name":"x"},"item":[{"name":"a/b","item":[{"name":"r","request":{"method":"POST","url":{"raw":"x.example/:id?a=1&b=2","query":[{"key":"b","value":"2","disabled":true}],"variable":[{"key":"id","value":"{{$guid}}"}]},` +
			`"header":[{"key":"X","value":"y","disabled":true}],"body":{"mode":"formdata","formdata":[{"key":"f","type":"file","src":["/a","/b"]},{"key":"password","value":"hunter2"},{"key":"o","value":"x","disabled":true}]}}}]},` +
			`{"name":"d","request":{"url":"https://x.example","body":{"mode":"file","file":{"src":"/tmp/b"}},"auth":{"type":"digest","digest":[{"key":"username","value":"u"},{"key":"password","value":"{{p}}x"}]}}},` +
			`{"name":"s","request":{"url":"https://x.example","auth":{"type":"awsv4","awsv4":[{"key":"accessKey","value":"AK"},{"key":"secretKey","value":"sk"},{"key":"sessionToken","value":"{{st}}"},{"key":"service","value":"s3"}]}}},` +
			`{"name":"n","request":{"url":"https://x.example/{{my var}}","auth":{"type":"noauth"}}}]}`,
		`{"info":{"name":"x"},"variable":[{"key":"cs","value":"s"}],"auth":{"type":"oauth1","oauth1":[{"key":"consumerKey","value":"k"},{"key":"consumerSecret","value":"{{cs}}"},` +
			`{"key":"token","value":"t"},{"key":"tokenSecret","value":"ts"},{"key":"signatureMethod","value":"HMAC-SHA256"},{"key":"realm","value":"r"},{"key":"addParamsToHeader","value":false},{"key":"includeBodyHash","value":true}]},` +
			`"item":[{"name":"a","request":{"method":"POST","url":"https://x.example","body":{"mode":"urlencoded","urlencoded":[{"key":"a","value":"b"}]}}},` +
			`{"name":"b","request":{"url":"https://x.example","auth":{"type":"oauth1","oauth1":{"consumerKey":"k","signatureMethod":"RSA-SHA1","privateKey":"-----BEGIN","token":"t"}}}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data, ParsePostman)
	})
}

// fuzzImport checks an importer's contract on arbitrary input.
func fuzzImport(t *testing.T, data []byte, parse parseFunc) {
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	c, _ := v.Load()
	b, notes, err := parse(data, RequestImportOptions{Env: "dev", Catalog: c})
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) && len(ie.Problems) == 0 {
			t.Fatal("an ImportError without problems")
		}
		return
	}
	for _, n := range notes {
		_ = n.String()
	}
	if _, err := v.Apply(context.Background(), b); err != nil {
		t.Fatalf("accepted input does not apply: %v", err)
	}
}
