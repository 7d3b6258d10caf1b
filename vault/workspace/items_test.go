package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// Item files carry every field of the model but the name, the environment,
// times and a token's use: a client written and read back is the same.
func TestItemFilesRoundTrip(t *testing.T) {
	t.Parallel()
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	ac := vault.AuthClient{
		Meta: vault.Meta{ID: "c1", Name: "svc", Env: "dev", Description: "the service", Expiration: &exp, Tenant: "acme", AllowedHosts: []string{"api.example.com"}, SharedWith: []string{"alice"}},
		Type: vault.ClientOAuth2, Issuer: "https://id.example.com", ClientID: "svc", AuthMethod: vault.AuthPrivateKeyJWT, Grant: vault.GrantAuthorizationCode,
		Scopes: []string{"read", "write"}, RedirectURI: "http://127.0.0.1:8123/callback", AuthParams: []vault.Param{{Key: "k", Value: "v&<>"}}, SigningAlg: "ES256", KeyID: "kid", DPoP: true, PAR: true, HasSecret: true,
		RefreshSkew: vault.Duration(45 * time.Second),
	}
	data := encodeClient(ac)
	for _, absent := range []string{`"name"`, `"env"`, `"created"`, `"updated"`, `"shared"`, `\u0026`} {
		if strings.Contains(string(data), absent) {
			t.Errorf("the client file holds %s:\n%s", absent, data)
		}
	}
	got, err := decodeClient("svc.json", data, "dev", "svc")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ac) {
		t.Errorf("read back\n%#v\nwant\n%#v", got, ac)
	}
	sec := vault.Secret{
		Meta: vault.Meta{ID: "s1", Name: "k", Env: "dev"}, Type: vault.TypeSessionAuth, AuthClient: "svc",
		Scope: "read", TokenExpires: &exp, HasRefresh: true, LastRefresh: &exp,
	}
	sdata := encodeSecret(sec)
	for _, absent := range []string{"scope", "tokenExpires", "hasRefresh", "lastRefresh"} {
		if strings.Contains(string(sdata), absent) {
			t.Errorf("a secret file holds its token's %s (personal, and it would change on every use):\n%s", absent, sdata)
		}
	}
}

// A file written by hand that authdeck cannot read is an error naming the
// file and its line, and the folder is left as it is: no Load succeeds and
// no change is written until it is fixed.
func TestBrokenFileChangesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, content, want string
	}{
		{"syntax", "environments/default/environment.json", "{\n  \"id\": \"e1\",\n  \"variables\": [\n}\n", "environment.json:4:1: invalid character"},
		{"unknown field", "environments/default/secrets/a.json", "{\n  \"id\": \"s1\",\n  \"type\": \"API_KEY\",\n  \"key\": \"x\"\n}\n", "secrets/a.json:4: unknown field \"key\""},
		{"wrong type", "environments/default/clients/c.json", "{\n  \"id\": \"c1\",\n  \"scopes\": \"read\"\n}\n", "clients/c.json:3:18: scopes should be []string, not string"},
		{"invalid item", "environments/default/secrets/b.json", "{\n  \"id\": \"s2\",\n  \"type\": \"NOPE\"\n}\n", "secrets/b.json:3: type"},
		{"duplicate key", "environments/default/secrets/d.json", "{\n  \"id\": \"s3\",\n  \"type\": \"API_KEY\",\n  \"type\": \"SIMPLE\"\n}\n", "secrets/d.json:4: the key \"type\" is given twice"},
		{"name inside", "environments/default/secrets/e.json", "{\n  \"id\": \"s4\",\n  \"name\": \"other\",\n  \"type\": \"API_KEY\"\n}\n", "secrets/e.json:3: remove \"name\""},
		{"token set", "environments/default/secrets/t.json", "{\n  \"id\": \"s5\",\n  \"type\": \"OA2_AUTHORIZATION_CODE\"\n}\n", "secrets/t.json:3: OA2_AUTHORIZATION_CODE secrets are token sets"},
		{"truncated", "environments/default/clients/t.json", "", "clients/t.json: is empty"},
		{"copied file", "environments/default/secrets/copy.json", "{\n  \"id\": \"SAME\",\n  \"type\": \"API_KEY\"\n}\n", "one was copied from the other"},
		{"bad member", "team/eve.pub", "ssh-dss AAAAB3NzaC1kc3MAAACBAP\n", "team/eve.pub:1: ssh-dss keys cannot receive"},
		{"bad name escape", "environments/default/secrets/bad%zz.json", "{\"id\":\"s9\",\"type\":\"API_KEY\"}", "bad%zz.json: \"bad%zz\" has a '%'"},
		{"environment without file", "environments/empty/clients/x.json", "{\"id\":\"c9\"}", "environments/empty: has no environment.json"},
		{"two requests one name", "environments/default/requests/f/r.http", "GET https://x.example.com/\n", "a request named \"r\" is also in"},
		{"future format", MarkerFile, "{\n  \"version\": 99,\n  \"id\": \"w1\",\n  \"name\": \"x\"\n}\n", "authdeck-workspace.json:2: format version 99"},
		{"workspace name with an escape", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\",\n  \"name\": \"pay\\u001b]0;owned\\u0007\"\n}\n", "authdeck-workspace.json:4: name contains the control character U+001B"},
		{"workspace name too long", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\",\n  \"name\": \"" + strings.Repeat("n", vault.MaxNameLen+1) + "\"\n}\n", "authdeck-workspace.json:4: name is longer than 100 characters"},
		{"workspace name empty", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\",\n  \"name\": \"\"\n}\n", "authdeck-workspace.json:4: name is required"},
		{"workspace name missing", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\"\n}\n", "authdeck-workspace.json: name is required"},
		{"workspace name with a slash", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\",\n  \"name\": \"a/b\"\n}\n", "authdeck-workspace.json:4: name must not contain"},
		{"workspace name spaced", MarkerFile, "{\n  \"version\": 1,\n  \"id\": \"w1\",\n  \"name\": \" pay\"\n}\n", "authdeck-workspace.json:4: name starts or ends with a space"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			root := newFolder(t)
			p := newPerson(t, "alice")
			_, v := p.open(t, root)
			if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "same", Env: "default"}, Type: vault.TypeAPIKey}, &vault.SecretValue{Key: "k"}); err != nil {
				t.Fatal(err)
			}
			if _, err := v.PutRequest(vault.Request{Name: "r", Env: "default", Method: "GET", URL: "https://x.example.com/"}); err != nil {
				t.Fatal(err)
			}
			if tc.name == "copied file" {
				s, _ := v.Secret("default", "same")
				tc.content = strings.ReplaceAll(tc.content, "SAME", s.ID)
			}
			path := filepath.Join(root, filepath.FromSlash(tc.file))
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			before := tree(t, root)
			if tc.file == MarkerFile {
				_, err := Open(root, Options{Home: p.home})
				var fe *FileError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !filepath.IsAbs(fe.Path) {
					t.Fatalf("Open: %v, want a FileError with the absolute path saying %q", err, tc.want)
				}
				if strings.ContainsAny(err.Error(), "\x1b\x07") {
					t.Fatalf("the error repeats the name's control characters: %q", err)
				}
				if _, err := v.Load(); !errors.As(err, &fe) {
					t.Fatalf("Load over a broken workspace file: %v", err)
				}
				if _, err := v.AddEnv(vault.Environment{Name: "other"}); !errors.As(err, &fe) {
					t.Fatalf("a change over a broken workspace file: %v", err)
				}
				if after := tree(t, root); !reflect.DeepEqual(after, before) {
					t.Fatalf("the folder changed: %v → %v", keys(before), keys(after))
				}
				return
			}
			_, err := v.Load()
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !filepath.IsAbs(fe.Path) {
				t.Fatalf("Load: %v, want a FileError with the absolute path saying %q", err, tc.want)
			}
			if _, err := v.AddEnv(vault.Environment{Name: "other"}); !errors.As(err, &fe) {
				t.Fatalf("a change over a broken folder: %v", err)
			}
			if err := v.RemoveSecret(ctx, "default", "same"); err == nil {
				t.Fatal("a removal over a broken folder succeeded")
			}
			if after := tree(t, root); !reflect.DeepEqual(after, before) {
				t.Fatalf("the folder changed: %v → %v", keys(before), keys(after))
			}
		})
	}
}

// FuzzItemFiles: no item file panics a reader; errors name the file; what
// reads is valid and writes back to what reads the same.
func FuzzItemFiles(f *testing.F) {
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	f.Add(encodeEnv(vault.Environment{ID: "e1", Name: "dev", Tenant: "t", Variables: []vault.Variable{{Name: "a", Value: "1"}, {Name: "b", Secret: true}}}))
	f.Add(encodeClient(vault.AuthClient{Meta: vault.Meta{ID: "c1", Expiration: &exp}, Type: vault.ClientOAuth2, Issuer: "https://id.example.com", ClientID: "x", AuthMethod: vault.AuthNone, Grant: vault.GrantAuthorizationCode}))
	f.Add(encodeSecret(vault.Secret{Meta: vault.Meta{ID: "s1", SharedWith: []string{"a"}}, Type: vault.TypeAPIKey, HeaderName: "X-Key"}))
	f.Add([]byte(`{"id":"x","type":"API_KEY","type":"SIMPLE"}`))
	f.Add([]byte(`{"id":"x","variables":[{"name":"a","value":"b","secret":true}]}`))
	f.Add([]byte("{\"version\":1,\"id\":\"w1\",\"name\":\"payments\"}"))
	f.Add([]byte("{\"version\":1,\"id\":\"w1\",\"name\":\"a\\u009bb\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if e, err := decodeEnv("e.json", data, "dev"); err == nil {
			back, err := decodeEnv("e.json", encodeEnv(e), "dev")
			if err != nil || !reflect.DeepEqual(back, e) {
				t.Fatalf("environment does not survive a rewrite: %v", err)
			}
		} else if !isFileErr(err, "e.json") {
			t.Fatalf("environment: %v", err)
		}
		if ac, err := decodeClient("c.json", data, "dev", "c"); err == nil {
			back, err := decodeClient("c.json", encodeClient(ac), "dev", "c")
			if err != nil || !reflect.DeepEqual(back, ac) {
				t.Fatalf("client does not survive a rewrite: %v\n%#v\n%#v", err, ac, back)
			}
		} else if !isFileErr(err, "c.json") {
			t.Fatalf("client: %v", err)
		}
		if s, err := decodeSecret("s.json", data, "dev", "s"); err == nil {
			back, err := decodeSecret("s.json", encodeSecret(s), "dev", "s")
			if err != nil || !reflect.DeepEqual(back, s) {
				t.Fatalf("secret does not survive a rewrite: %v", err)
			}
		} else if !isFileErr(err, "s.json") {
			t.Fatalf("secret: %v", err)
		}
		if _, err := parseMemberFile("m.pub", data, "m"); err != nil && !isFileErr(err, "m.pub") {
			t.Fatalf("member: %v", err)
		}
		if m, err := parseMeta(data); err == nil {
			if vault.ValidateName("workspace", m.Name) != nil {
				t.Fatalf("workspace file read with a name init refuses: %q", m.Name)
			}
			back, err := parseMeta(encodeJSON(m))
			if err != nil || back != m {
				t.Fatalf("workspace file does not survive a rewrite: %v", err)
			}
		} else if !isFileErr(err, MarkerFile) {
			t.Fatalf("workspace file: %v", err)
		}
	})
}

func isFileErr(err error, path string) bool {
	var fe *FileError
	return errors.As(err, &fe) && fe.Path == path
}

// Names become file names every file system keeps, and back.
func TestNameEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file string }{
		{"dev", "dev"},
		{"List users", "List users"},
		{"a/b", "a%2Fb"},
		{"50%", "50%25"},
		{".hidden", "%2Ehidden"},
		{"..", "%2E%2E"},
		{"end.", "end%2E"},
		{"CON", "%43ON"},
		{"nul.txt", "%6Eul.txt"},
		{"Wörter", "Wörter"},
		{`a:b*c?"<>|`, "a%3Ab%2Ac%3F%22%3C%3E%7C"},
	} {
		if got := encodeName(tc.name); got != tc.file {
			t.Errorf("encodeName(%q) = %q, want %q", tc.name, got, tc.file)
		}
		if back, err := decodeName(tc.file); err != nil || back != tc.name {
			t.Errorf("decodeName(%q) = %q, %v", tc.file, back, err)
		}
	}
}

// FuzzNames: every name encodes to one path component and decodes back.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"dev", "a/b", "%", "..", "CON", " x ", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !validUTF8(name) {
			return
		}
		e := encodeName(name)
		if strings.ContainsAny(e, `/\:*?"<>|`) || e == "." || e == ".." || strings.HasPrefix(e, ".") {
			t.Fatalf("%q encodes to %q", name, e)
		}
		if back, err := decodeName(e); err != nil || back != name {
			t.Fatalf("%q → %q → %q, %v", name, e, back, err)
		}
		_, _ = decodeName(name)
	})
}
