package interchange_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/interchange"
)

// A secret moved to the vault comes back with the encoding of its context:
// a form field's value form-encoded, a JSON string's with its escapes, so
// the body sent is the body the source file sends, byte for byte, and the
// secret is nowhere in the catalog.
func TestSecretEncodingRoundTrip(t *testing.T) {
	const formSecret = `Ab+c/d=e&f%g`
	jsonBody := `{"username": "alice", "password": "pa\"ss\\w0rd\u00e9\n"}`
	pm := func(body map[string]any, headers ...map[string]string) string {
		doc, _ := json.Marshal(map[string]any{
			"info": map[string]string{"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
			"item": []any{map[string]any{"name": "login", "request": map[string]any{"method": "POST", "url": "https://api.example/login", "header": headers, "body": body}}},
		})
		return string(doc)
	}
	formWire := "grant_type=client_credentials&client_secret=" + url.QueryEscape(formSecret)
	cases := []struct {
		name, format, src string
		want              string // the body the source sends
		secret            string // the secret as the body carries it
	}{
		{"curl --data-urlencode", "curl", `curl https://api.example/login -d grant_type=client_credentials --data-urlencode 'client_secret=` + formSecret + `'`, formWire, formSecret},
		{"curl -d form-encoded", "curl", `curl https://api.example/login -d 'grant_type=client_credentials&client_secret=` + url.QueryEscape(formSecret) + `'`, formWire, formSecret},
		{"curl -d JSON without a Content-Type", "curl", `curl https://api.example/login -d '` + jsonBody + `'`, jsonBody, `pa\"ss\\w0rd\u00e9\n`},
		{"curl --json", "curl", `curl https://api.example/login --json '` + jsonBody + `'`, jsonBody, `pa\"ss\\w0rd\u00e9\n`},
		{"Postman urlencoded", "postman", pm(map[string]any{"mode": "urlencoded", "urlencoded": []map[string]string{{"key": "grant_type", "value": "client_credentials"}, {"key": "client_secret", "value": formSecret}}}), formWire, formSecret},
		{"Postman raw JSON", "postman", pm(map[string]any{"mode": "raw", "raw": jsonBody, "options": map[string]any{"raw": map[string]string{"language": "json"}}}, map[string]string{"key": "Content-Type", "value": "application/json"}), jsonBody, `pa\"ss\\w0rd\u00e9\n`},
		{".http form", "http", "POST https://api.example/login\nContent-Type: application/x-www-form-urlencoded\n\n" + formWire + "\n", formWire, formSecret},
		{".http JSON", "http", "POST https://api.example/login\nContent-Type: application/json\n\n" + jsonBody + "\n", jsonBody, `pa\"ss\\w0rd\u00e9\n`},
	}
	parsers := map[string]func([]byte, interchange.RequestImportOptions) (vault.Batch, []interchange.Note, error){
		"curl": interchange.ParseCurl, "postman": interchange.ParsePostman, "http": interchange.ParseHTTPFile,
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := newWorkspace(t)
			if _, err := ws.importInto(parsers[c.format], []byte(c.src), ws.env); err != nil {
				t.Fatal(err)
			}
			got, err := ws.sent(t, ws.env)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d requests imported", len(got))
			}
			for _, w := range got {
				if w.Body != c.want {
					t.Errorf("sent body\n  %q\nwant\n  %q", w.Body, c.want)
				}
				if strings.HasPrefix(c.want, "{") && !json.Valid([]byte(w.Body)) {
					t.Error("the JSON body sent is not valid JSON")
				}
			}
			cat, err := os.ReadFile(ws.catPath)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{c.secret, url.QueryEscape(formSecret), "w0rd"} {
				if strings.Contains(c.want, form) && strings.Contains(string(cat), form) {
					t.Errorf("the secret (as %d bytes) is in the catalog", len(form))
				}
			}
		})
	}
}
