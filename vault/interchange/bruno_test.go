package interchange

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// importBruno imports the Bruno collection (bruno.json) or .bru file at path into f's "dev".
func importBruno(t *testing.T, f *importFixture, path string) (vault.Batch, []Note) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, notes, err := ParseBruno(data, RequestImportOptions{Env: "dev", Catalog: mustLoad(t, f.v), Path: path})
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply %s: %v", path, err)
	}
	return b, notes
}

func mustLoad(t *testing.T, v *vault.Vault) *vault.Catalog {
	t.Helper()
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestImportBruno(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	_, notes := importBruno(t, f, filepath.Join("testdata", "import", "bruno", "bruno.json"))
	// Every fake credential of every file is in the vault, none in the catalog.
	var files []string
	err := filepath.WalkDir(filepath.Join("testdata", "import", "bruno"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, stored := string(f.catalogBytes(t)), f.storeText(t)
	n := 0
	formEnc := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D", "&", "%26", "%", "%25")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range fakeValueRe.FindAllString(string(data), -1) {
			n++
			enc := formEnc.Replace(v) // a form field's secret is kept as the body carries it
			if strings.Contains(cat, v) || strings.Contains(cat, enc) {
				t.Errorf("fake value #%d of %s is in the catalog file", n, p)
			}
			if !strings.Contains(stored, v) && !strings.Contains(stored, enc) {
				t.Errorf("fake value #%d of %s is not in the vault", n, p)
			}
		}
	}
	if n < 4 {
		t.Fatalf("the fixture has %d fake values", n)
	}
	ctx := t.Context()
	vars, err := f.v.Vars(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if vars["base"] != "https://staging.acme.example" || vars["apiToken"] != "fake-bruno-token-0071" || vars["apiVersion"] != "v2" {
		t.Errorf("dev variables: base %q apiVersion %q", vars["base"], vars["apiVersion"])
	}
	if _, ok := vars["unused"]; ok {
		t.Error("a disabled variable was imported")
	}
	dev, _ := mustLoad(t, f.v).Env("dev")
	if v, ok := dev.Var("webhookSecret"); !ok || !v.Secret {
		t.Errorf("webhookSecret (vars:secret without a value): %+v %v", v, ok)
	}
	prod, err := f.v.Vars(ctx, "prod")
	if err != nil || prod["base"] != "https://api.acme.example" {
		t.Errorf("prod variables %v %v", prod["base"], err)
	}
	list := requestByName(t, f.v, "List users")
	if list.URL != "{{base}}/{{apiVersion}}/users?page=1" || !slices.Equal(list.Folder, []string{"Users"}) ||
		headerValue(list, "Authorization") != "Bearer {{apiToken}}" || headerValue(list, "X-Team") != "identity" ||
		headerValue(list, "X-Client") != "authdeck-tests" || headerValue(list, "X-Request-Id") != "{{$guid}}" ||
		!slices.Equal(list.Params, []vault.QueryParam{{Name: "debug", Value: "1", Disabled: true}}) ||
		!slices.ContainsFunc(list.Headers, func(h vault.Header) bool { return h.Name == "X-Debug" && h.Disabled }) {
		t.Errorf("List users: %+v", list)
	}
	if get := requestByName(t, f.v, "Get user"); get.URL != "{{base}}/users/42" {
		t.Errorf("Get user URL %q", get.URL)
	}
	del := requestByName(t, f.v, "Delete user")
	if !slices.Equal(del.Folder, []string{"Users", "Admin"}) || headerValue(del, "Authorization") != "" || del.Scheme == nil ||
		del.Scheme.Type != "basic" || del.Scheme.Username != "admin" || !strings.HasPrefix(del.Scheme.Password, "{{") {
		t.Errorf("Delete user: %+v %+v", del, del.Scheme)
	}
	login := requestByName(t, f.v, "Login")
	if !strings.HasPrefix(login.Body, "grant_type=client_credentials&client_id=acme-cli&client_secret={{") || headerValue(login, "Authorization") != "" {
		t.Errorf("Login: %+v", login)
	}
	order := requestByName(t, f.v, "Create order")
	if !strings.Contains(order.Body, `"note": "{{$processEnv ORDER_NOTE}}"`) || headerValue(order, "Content-Type") != "application/json" ||
		!strings.HasPrefix(headerValue(order, "X-API-Key"), "{{") {
		t.Errorf("Create order: %+v", order)
	}
	for _, want := range []string{"assertions not run", "script:post-response block"} {
		if !slices.ContainsFunc(notes, func(n Note) bool { return n.Kind == NoteSkipped && strings.Contains(n.String(), want) }) {
			t.Errorf("no skipped note %q", want)
		}
	}
}

func TestImportBrunoFile(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	b, _ := importBruno(t, f, filepath.Join("testdata", "import", "bruno", "Create order.bru"))
	if len(b.Requests) != 1 || b.Requests[0].Name != "Create order" || b.Requests[0].Method != "POST" {
		t.Fatalf("requests %+v", b.Requests)
	}
	if strings.Contains(string(f.catalogBytes(t)), "fake-bruno-apikey") {
		t.Error("the API key is in the catalog file")
	}
}

func TestImportBrunoErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("bruno.json", `{"version": "1", "name": "x", "type": "collection"}`)
	write("ok.bru", "meta {\n  name: ok\n}\n\nget {\n  url: https://api.example/x\n}\n")
	write("sub/broken.bru", "meta {\n  name: broken\n}\n\npost {\n  url: https://api.example/x\n  this line has no colon\n}\n")
	write("sub/open.bru", "meta {\n  name: open\n}\n\nget {\n  url: https://api.example/y\n")
	write("big.bru", "meta {\n  name: big\n}\n")
	if err := os.Truncate(filepath.Join(dir, "big.bru"), maxBruFile+1); err != nil {
		t.Fatal(err)
	}
	f := newImportFixture(t, 0)
	before := f.catalogBytes(t)
	data, err := os.ReadFile(filepath.Join(dir, "bruno.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := ParseBruno(data, RequestImportOptions{Env: "dev", Catalog: mustLoad(t, f.v), Path: filepath.Join(dir, "bruno.json")})
	var ie *ImportError
	if !errors.As(err, &ie) || !b.Empty() {
		t.Fatalf("err %v, batch empty %v", err, b.Empty())
	}
	msg := err.Error()
	for _, want := range []string{
		`line 7, column 1: ` + filepath.Join("sub", "broken.bru"), `expected "key: value"`,
		`line 5, column 1: ` + filepath.Join("sub", "open.bru"), `never closed`,
		"big.bru: larger than",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if string(f.catalogBytes(t)) != string(before) {
		t.Error("a refused import changed the catalog")
	}
	for _, tt := range []struct{ in, want string }{
		{`{"type": "collection", "type": "collection"}`, `key "type" appears twice`},
		{`{"version": "1", "type": "something"}`, "not a Bruno collection"},
		{`{"version": "1", "type": "collection"}`, "import it by its path"},
		{"get {\n  url: https://x.example\n}\n", "no meta block"},
		{"meta {\n  name: x\n}\n\nhello\n", "line 5"},
		{"meta {\n  name: x\n}\n", "no method block"},
	} {
		_, _, err := ParseBruno([]byte(tt.in), RequestImportOptions{Env: "dev"})
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzBruno: the .bru reader never panics; what it accepts can be stored.
func FuzzBruno(f *testing.F) {
	for _, name := range []string{"Create order.bru", "Login.bru", filepath.Join("Users", "List users.bru"), filepath.Join("Users", "Admin", "folder.bru")} {
		data, err := os.ReadFile(filepath.Join("testdata", "import", "bruno", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("meta {\n  name: m\n}\npost {\n  url: x\n  body: multipartForm\n  auth: oauth2\n}\nbody:multipart-form {\n  f: @file(a.txt|b.txt)\n  ~g: '''\n    two\n    lines\n  '''\n}\nauth:oauth2 {\n  grant_type: password\n}\n"))
	f.Add([]byte("meta {\n  name: g\n}\npost {\n  url: {{h}}/:id\n  body: graphql\n}\nbody:graphql {\n  { a }\n}\nbody:graphql:vars {\n  {\"x\": 1}\n}\nparams:path {\n  id: {{user['a b']}}\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data, ParseBruno)
	})
}

// A Bruno, Insomnia or OpenAPI file given to the wrong command (secret
// import) is named, with the command that imports it.
func TestOtherFormatNamesEveryImporter(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"corpus/bruno/bruno-tests/bruno.json":    "authdeck import bruno",
		"import/insomnia.json":                   "authdeck import insomnia",
		"corpus/openapi/insomnia-petstore.json":  "authdeck import openapi",
		"import/postman_collection.json":         "authdeck import postman",
		"corpus/http/defra/http-client.env.json": "authdeck import http",
		"corpus/bruno/directus/bruno.json":       "authdeck import bruno",
		"corpus/openapi/oai-v3.0-uspto.json":     "authdeck import openapi",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		if format, command := OtherFormat(data); !strings.HasPrefix(command, want) {
			t.Errorf("%s: %q, %q; want %q", file, format, command, want)
		}
	}
}
