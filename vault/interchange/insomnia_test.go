package interchange

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

func TestImportInsomnia(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	_, notes := f.importFile(t, "insomnia.json", ParseInsomnia)
	assertSecretsInVaultOnly(t, f, "insomnia.json")
	ctx := t.Context()
	vars, _ := f.v.Vars(ctx, "dev")
	if vars["base"] != "https://staging.acme.example" || vars["apiToken"] != "fake-insomnia-token-0051" {
		t.Errorf("dev variables %v", vars)
	}
	prod, err := f.v.Vars(ctx, "prod")
	if err != nil || prod["base"] != "https://api.acme.example" || prod["apiToken"] != "fake-insomnia-token-0052" {
		t.Errorf("prod variables %v %v", prod, err)
	}
	list := requestByName(t, f.v, "List users")
	if list.URL != "{{base}}/users" || !slices.Equal(list.Folder, []string{"Users"}) || headerValue(list, "Authorization") != "Bearer {{apiToken}}" ||
		headerValue(list, "X-Request-Id") != "{{$guid}}" || !slices.Equal(list.Params, []vault.QueryParam{{Name: "page", Value: "1"}, {Name: "debug", Value: "1", Disabled: true}}) {
		t.Errorf("List users: %+v", list)
	}
	del := requestByName(t, f.v, "Delete user")
	if !slices.Equal(del.Folder, []string{"Users", "Admin"}) || headerValue(del, "Authorization") != "" || del.Scheme == nil || del.Scheme.Type != "basic" || del.Scheme.Username != "admin" || !strings.HasPrefix(del.Scheme.Password, "{{") {
		t.Errorf("Delete user: %+v %+v", del, del.Scheme)
	}
	login := requestByName(t, f.v, "Login")
	if !strings.HasPrefix(login.Body, "user=alice&password={{") || len(login.Params) != 1 || login.Params[0].Name != "api_key" || !strings.HasPrefix(login.Params[0].Value, "{{") {
		t.Errorf("Login: %+v", login)
	}
	m2m := requestByName(t, f.v, "Machine")
	ac, err := f.v.Client("dev", m2m.Auth)
	if err != nil || ac.Grant != vault.GrantClientCredentials || ac.ClientID != "svc" || ac.Endpoints.Token != "https://id.acme.example/token" || !ac.HasSecret || ac.AuthMethod != vault.AuthClientSecretBasic {
		t.Errorf("client %+v %v", ac, err)
	}
	if !hasNote(notes, NoteSkipped, `websocket request "socket"`) {
		t.Errorf("notes %v", notes)
	}
}

func TestImportInsomniaErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`{"_type": "export", "__export_format": 3, "resources": []}`, "not an Insomnia v4 export"},
		{`{"_type": "export", "__export_format": 4, "resources": [], "resources": []}`, `line 1, column 60: key "resources" appears twice`},
		{"_type: export\n__export_format: 4\nresources:\n  - _id: a\n    _id: b\n", `line 5, column 5: key "_id" appears twice`},
		{"_type: export\n__export_format: 4\nresources: [\n", "line"},
	} {
		_, _, err := ParseInsomnia([]byte(tt.in), RequestImportOptions{Env: "dev"})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzInsomnia: the Insomnia importer never panics; what it accepts can be stored.
func FuzzInsomnia(f *testing.F) {
	data, err := os.ReadFile("testdata/import/insomnia.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("_type: export\n__export_format: 4\nresources:\n  - {_id: r, _type: request, parentId: g, url: x, authentication: {type: oauth2, grantType: implicit}}\n  - {_id: g, _type: request_group, parentId: r}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data, ParseInsomnia)
	})
}
