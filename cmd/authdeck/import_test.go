package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

func importTestdata(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "vault", "interchange", "testdata", "import", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// catalogJSON is the catalog as it would be written to disk.
func catalogJSON(t *testing.T, v *vault.Vault) string {
	t.Helper()
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, file string
		want         []string
		secrets      []string
	}{
		{"postman", "postman_collection.json", []string{
			`Imported from`, `12 requests`, `Created:`, `request "List users"`, `(in folder Users)`, `To the memory demo vault (values are not shown):`,
			`secret "Users › Admin basic"`, `Skipped:`, `Warnings:`, `{{$nonesuch}}`,
		}, []string{"fake-collection-token-0001", "fake-admin-password-0003", "fake-client-secret-0008"}},
		{
			"curl", "commands.curl",
			[]string{`6 requests`, `request "GET api.acme.example v1 orders"`, `"echo" is not a curl command`},
			[]string{"fake-curl-bearer-0011", "fake-curl-password-0012", "fake-form-secret-0015"},
		},
		{"http", "requests.http", []string{`5 requests`, `request "createNote"`, `response handler script not run`}, []string{"fake-http-api-key-0016", "fake-http-basic-0018"}},
		{"insomnia", "insomnia.json", []string{`4 requests`, `environment "prod"`, `auth client`}, []string{"fake-insomnia-token-0051", "fake-insomnia-pass-0053", "fake-insomnia-secret-0056"}},
		{
			"bruno", "bruno",
			[]string{`5 requests`, `environment "prod"`, `request "List users"`, `(in folder Users / Admin)`, `assertions not run`},
			[]string{"fake-bruno-token-0071", "fake-bruno-admin-pass-0072", "fake-bruno-apikey-0074"},
		},
		{"openapi", "openapi.yaml", []string{`7 requests`, `2 auth clients`, `auth client "user"`, `(in folder Orders)`, `client credentials flow`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			path := importTestdata(t, tt.file)
			// --dry-run prints the plan and stores nothing.
			before := catalogJSON(t, h.v)
			r := h.must("", "import", tt.format, path, "--dry-run")
			if !strings.Contains(r.out, "Would import") || !strings.Contains(r.out, "Nothing was stored (--dry-run).") {
				t.Fatalf("dry run:\n%s", r.out)
			}
			if catalogJSON(t, h.v) != before || h.storedKeys() != 0 {
				t.Fatal("--dry-run changed the vault")
			}
			r = h.must("", "import", tt.format, path)
			for _, w := range tt.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("report lacks %q:\n%s", w, r.out)
				}
			}
			noSecret(t, r, tt.secrets...)
			cat := catalogJSON(t, h.v)
			for i, s := range tt.secrets {
				if strings.Contains(cat, s) {
					t.Errorf("secret %d is in the catalog", i)
				}
			}
			if h.storedKeys() == 0 {
				t.Fatal("nothing went to the vault")
			}
		})
	}
}

func TestImportCommandFromStdinAndErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must("curl -u 'me:fake-stdin-pass-0001' https://x.example/a", "import", "curl", "-", "--name", "from stdin")
	if !strings.Contains(r.out, `request "from stdin"`) || !strings.Contains(r.out, "from stdin into environment") {
		t.Fatalf("%s", r.out)
	}
	noSecret(t, r, "fake-stdin-pass-0001")

	before := catalogJSON(t, h.v)
	keys := h.storedKeys()
	r = h.run("curl 'unterminated", "import", "curl", "-")
	if r.code != exitOther || !strings.Contains(r.err, "line 1, column 6: single quote is never closed") || !strings.Contains(r.err, "nothing was imported") {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if catalogJSON(t, h.v) != before || h.storedKeys() != keys {
		t.Fatal("a failed import changed the vault (S-37)")
	}
	h.expect(exitOther, []string{`unknown import format "har"`}, "", "import", "har", "x")
	h.expect(exitNotConfigured, []string{`no environment "nope"`}, "", "import", "curl", "-", "--env", "nope")
}

func TestImportPostmanEnvironmentCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.must("", "import", "postman", importTestdata(t, "postman_environment.json"))
	if !strings.Contains(r.out, `into environment "Acme staging"`) || !strings.Contains(r.out, `environment "Acme staging"`) {
		t.Fatalf("%s", r.out)
	}
	c, _ := h.v.Load()
	if _, ok := c.Env("Acme staging"); !ok {
		t.Fatal("the environment was not created")
	}
}
