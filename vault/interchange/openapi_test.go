package interchange

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

func TestImportOpenAPI(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	_, notes := f.importFile(t, "openapi.yaml", ParseOpenAPI)
	vars, err := f.v.Vars(t.Context(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if vars["baseUrl"] != "https://eu.api.acme.example/v2" {
		t.Errorf("baseUrl %q", vars["baseUrl"])
	}
	list := requestByName(t, f.v, "List orders")
	if list.URL != "{{baseUrl}}/orders" || !slices.Equal(list.Folder, []string{"Orders"}) ||
		!slices.Equal(list.Params, []vault.QueryParam{{Name: "status", Value: "open"}, {Name: "limit", Value: "20", Disabled: true}}) ||
		headerValue(list, "X-Request-Id") != "req-1" || headerValue(list, "X-API-Key") != "{{apiKeyHeader}}" || headerValue(list, "Cookie") != "{{Cookie}}" || vars["Cookie"] != "session=s1" {
		t.Errorf("List orders: %+v", list)
	}
	create := requestByName(t, f.v, "createOrder")
	if create.Auth != "user" || create.Body != "{\n  \"qty\": 2,\n  \"sku\": \"A-1\"\n}" || headerValue(create, "Content-Type") != "application/json" {
		t.Errorf("createOrder: %+v", create)
	}
	get := requestByName(t, f.v, "Get an order")
	if get.URL != "{{baseUrl}}/orders/ord_42" || get.Auth != "oidc" {
		t.Errorf("Get an order: %+v", get)
	}
	cancel := requestByName(t, f.v, "Cancel an order")
	if cancel.Scheme == nil || cancel.Scheme.Type != vault.SchemeBasic || cancel.Scheme.Password != "{{basicAuth_password}}" {
		t.Errorf("Cancel an order: %+v", cancel)
	}
	report := requestByName(t, f.v, "Report")
	if headerValue(report, "Authorization") != "Bearer {{bearer}}" || !slices.Contains(report.Params, vault.QueryParam{Name: "api_key", Value: "{{apiKeyQuery}}"}) {
		t.Errorf("Report: %+v", report)
	}
	upload := requestByName(t, f.v, "Upload")
	if len(upload.Form) != 2 || !upload.Form[0].IsFile || upload.Form[1] != (vault.FormField{Name: "note", Value: "hi"}) || headerValue(upload, "X-API-Key") != "" {
		t.Errorf("Upload: %+v", upload)
	}
	login := requestByName(t, f.v, "Login")
	if login.Body != "mode=fast&user=alice" || login.Auth != "" {
		t.Errorf("Login: %+v", login)
	}
	user, err := f.v.Client("dev", "user")
	if err != nil || user.Grant != vault.GrantAuthorizationCode || user.Endpoints.Authorization != "https://id.acme.example/authorize" ||
		user.Endpoints.Token != "https://id.acme.example/token" || !slices.Equal(user.Scopes, []string{"orders:write"}) || user.AuthMethod != vault.AuthNone {
		t.Errorf("client user: %+v %v", user, err)
	}
	oidc, err := f.v.Client("dev", "oidc")
	if err != nil || oidc.Issuer != "https://id.acme.example" || !slices.Equal(oidc.Scopes, []string{"openid", "orders:read"}) {
		t.Errorf("client oidc: %+v %v", oidc, err)
	}
	c, _ := f.v.Load()
	e, _ := c.Env("dev")
	for _, n := range []string{"apiKeyHeader", "apiKeyQuery", "bearer", "basicAuth_password"} {
		if v, ok := e.Var(n); !ok || !v.Secret {
			t.Errorf("%s is not a secret variable", n)
		}
	}
	for _, want := range []string{"client credentials flow", "server 2: https://sandbox.acme.example/v2 (Sandbox)", `{region} is "eu"`, "form field file is a file"} {
		if !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.String(), want) }) {
			t.Errorf("no note %q in %v", want, notes)
		}
	}
}

func TestImportOpenAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"swagger": "2.0", "info": {}}`, "Swagger 2.0"},
		{"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: {}\n  /a: {}\n", "line 5, column 3: key \"/a\" appears twice"},
		{`{"openapi": "3.0.0", "openapi": "3.0.1"}`, `line 1, column 22: key "openapi" appears twice`},
		{"info: {title: x}\n", "not an OpenAPI 3 document"},
		{"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: 'other.yaml#/p'\n", "other.yaml"},
		{"openapi: 3.0.0\n\tbad: [\n", "line"},
		{"openapi: 3.0.0\ninfo: {title: \xff}\n", "line 2, column 15: the file is not UTF-8"},
	}
	for _, tt := range tests {
		_, _, err := ParseOpenAPI([]byte(tt.in), RequestImportOptions{Env: "dev"})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzOpenAPI: the OpenAPI importer never panics; what it accepts can be stored.
func FuzzOpenAPI(f *testing.F) {
	data, err := os.ReadFile("testdata/import/openapi.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		`{"openapi":"3.0.0","info":{"title":"x","version":"1"},"paths":{"/a/{b}":{"get":{"parameters":[{"name":"b","in":"path","required":true}]}}}}`,
		"openapi: 3.1.0\ninfo: {title: x, version: '1'}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/A'}}}\npaths: {/a: {post: {requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data, ParseOpenAPI)
	})
}
