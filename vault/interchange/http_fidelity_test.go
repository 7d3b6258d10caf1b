package interchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// parseHTTPIn writes files into a fresh folder and imports name from it.
func parseHTTPIn(t *testing.T, files map[string]string, name string, env string, cat *vault.Catalog) (vault.Batch, []Note, error) {
	t.Helper()
	dir := t.TempDir()
	for n, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ParseHTTPFile([]byte(files[name]), RequestImportOptions{Env: env, Catalog: cat, Path: filepath.Join(dir, name)})
}

func TestHTTPVariableAfterRequestIsNotBody(t *testing.T) {
	t.Parallel()
	// REST Client reads @name = value as a file variable wherever it is.
	in := "POST https://api.example.com/login\nContent-Type: application/json\n\n{\"user\": \"{{user}}\"}\n\n@user = alice\n@apiPassword = fake-late-password-0031\n"
	b, _, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 1 || b.Requests[0].Body != `{"user": "{{user}}"}` {
		t.Fatalf("requests %+v", b.Requests)
	}
	if b.Vars["dev"]["user"] != "alice" || b.SecretVars["dev"]["apiPassword"] != "fake-late-password-0031" {
		t.Errorf("variables %v, secret %v", b.Vars, b.SecretVars)
	}
}

func TestHTTPRequestsWithoutSeparators(t *testing.T) {
	t.Parallel()
	in := "GET https://x.example/a\nAccept: text/plain\n\nGET https://x.example/b\n\nPOST https://x.example/c\nContent-Type: text/plain\n\nhello\n\nDELETE https://x.example/d\n"
	b, _, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range b.Requests {
		got = append(got, r.Method+" "+r.URL+" "+fmt.Sprintf("%q", r.Body))
	}
	want := []string{`GET https://x.example/a ""`, `GET https://x.example/b ""`, `POST https://x.example/c "hello"`, `DELETE https://x.example/d ""`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s", strings.Join(got, "\n"))
	}
}

func TestHTTPHostlessAndContinuedRequestLines(t *testing.T) {
	t.Parallel()
	in := "GET /api\nHost: example.com:8080\n\n###\nGET /api\nHOST: example.com:443\n\n###\nGET /x\nHost: http://example.com\n\n###\nGET localhost:9999/ping\n\n###\n" +
		"GET http://example.com:8080\n    /api\n    /get\n    ?id=123\n    &value=New York\n\n###\nGET {{host}}/path?q=a b\n"
	b, _, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"http://example.com:8080/api", "https://example.com:443/api", "http://example.com/x", "http://localhost:9999/ping",
		"http://example.com:8080/api/get?id=123&value=New%20York", "{{host}}/path?q=a%20b",
	}
	if len(b.Requests) != len(want) {
		t.Fatalf("%d requests", len(b.Requests))
	}
	for k, w := range want {
		if b.Requests[k].URL != w {
			t.Errorf("request %d: %s, want %s", k, b.Requests[k].URL, w)
		}
		if headerValue(b.Requests[k], "Host") != "" {
			t.Errorf("request %d keeps the Host header", k)
		}
	}
	_, _, err = ParseHTTPFile([]byte("GET /no/host\nAccept: */*\n"), RequestImportOptions{Env: "dev"})
	if err == nil || !strings.Contains(err.Error(), "line 1, column 1") || !strings.Contains(err.Error(), "has no host") {
		t.Errorf("no host: %v", err)
	}
}

func TestHTTPScriptsAndResponseLinesSkipped(t *testing.T) {
	t.Parallel()
	in := "### sign\n< {%\n  request.variables.set(\"sig\", \"x\")\n%}\nPOST https://x.example/a\nContent-Type: application/json\n\n{\"a\": 1}\n> {%\n  client.test(\"ok\", function() {});\n%}\n>> out.json\n\n### two\nGET https://x.example/b\n> ./check.js\n<> 2024-01-01T000000.200.json\n"
	b, notes, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 2 || b.Requests[0].Body != `{"a": 1}` || b.Requests[1].Body != "" {
		t.Fatalf("requests %+v", b.Requests)
	}
	for _, want := range []string{"line 2, column 1: pre-request script not run", "line 9, column 1: response handler script not run", "line 12, column 1: >> out.json not imported", "line 16, column 1: > ./check.js not imported", "<> 2024"} {
		if !hasNote(notes, NoteSkipped, want) {
			t.Errorf("no note %q in %v", want, notes)
		}
	}
	_, _, err = ParseHTTPFile([]byte("GET https://x.example\n\n> {%\n client.log(1)\n"), RequestImportOptions{Env: "dev"})
	if err == nil || !strings.Contains(err.Error(), "line 3, column 3") || !strings.Contains(err.Error(), "never closed") {
		t.Errorf("unclosed script: %v", err)
	}
}

func TestHTTPBodies(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"api.http": "POST https://x.example/form\nContent-Type: application/x-www-form-urlencoded\n\nname=New York\n&city=Zürich\n\n###\n" +
			"POST https://x.example/upload\nContent-Type: multipart/form-data; boundary=b\n\n--b\nContent-Disposition: form-data; name=\"f\"; filename=\"a.json\"\n\n< ./data/a.json\n--b--\n\n###\n" +
			"POST https://x.example/graphql\nX-Request-Type: GraphQL\n\nquery ($id: ID!) { user(id: $id) { name } }\n\n{\"id\": \"7\"}\n\n###\n" +
			"POST https://x.example/missing\n\n< ./nope.json\n",
		"data/a.json": "{\"k\": \"v\"}",
	}
	b, notes, err := parseHTTPIn(t, files, "api.http", "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"name=New%20York&city=Z%C3%BCrich",
		"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.json\"\r\n\r\n{\"k\": \"v\"}\r\n--b--",
		`{"query":"query ($id: ID!) { user(id: $id) { name } }","variables":{"id":"7"}}`,
		"",
	}
	for k, w := range want {
		if b.Requests[k].Body != w {
			t.Errorf("request %d body %q, want %q", k, b.Requests[k].Body, w)
		}
	}
	if headerValue(b.Requests[2], "X-Request-Type") != "" || headerValue(b.Requests[2], "Content-Type") != "application/json" {
		t.Errorf("graphql headers %v", b.Requests[2].Headers)
	}
	if !hasNote(notes, NoteWarning, "nope.json cannot be read") {
		t.Errorf("no warning about the missing body file: %v", notes)
	}
}

func TestHTTPEnvironmentFiles(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	ctx := context.Background()
	c, _ := f.v.Load()
	files := map[string]string{
		"api.http":              "GET {{host}}/me\nAuthorization: Bearer {{token}}\n",
		HTTPEnvFile:             `{"dev": {"host": "https://dev.example", "apiKey": "fake-env-api-key-0041", "port": 8080}, "prod": {"host": "https://api.example", "Security": {"Auth": {}}}}`,
		HTTPPrivateEnvFile:      `{"dev": {"token": "fake-private-token-0042"}, "prod": {"token": "fake-private-token-0043"}}`,
		".vscode/settings.json": "{\n  // REST Client\n  \"rest-client.environmentVariables\": {\n    \"$shared\": {\"version\": \"v1\"},\n    \"staging\": {\"host\": \"https://staging.example\",},\n  },\n}\n",
	}
	b, notes, err := parseHTTPIn(t, files, "api.http", "dev", c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]map[string]string{
		"dev":     {"host": "https://dev.example", "apiKey": "fake-env-api-key-0041", "port": "8080", "token": "fake-private-token-0042"},
		"prod":    {"host": "https://api.example", "token": "fake-private-token-0043"},
		"staging": {"host": "https://staging.example", "version": "v1"},
	} {
		vars, err := f.v.Vars(ctx, env)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		for k, v := range want {
			if vars[k] != v {
				t.Errorf("%s: %s = %q, want %q", env, k, vars[k], v)
			}
		}
	}
	cat := string(f.catalogBytes(t))
	for _, secret := range []string{"fake-env-api-key-0041", "fake-private-token-0042", "fake-private-token-0043"} {
		if strings.Contains(cat, secret) {
			t.Errorf("%s is in the catalog", secret)
		}
	}
	if !hasNote(notes, NoteSkipped, `"Security" in environment "prod"`) {
		t.Errorf("the Security block is not reported: %v", notes)
	}
	r := requestByName(t, f.v, "GET {{host}}-me")
	if r.URL != "{{host}}/me" || headerValue(r, "Authorization") != "Bearer {{token}}" {
		t.Errorf("request %+v", r)
	}
}

func TestHTTPEnvironmentFileGivenDirectly(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	c, _ := f.v.Load()
	data := []byte(`{"dev": {"base": "https://dev.example", "password": "fake-direct-password-0044"}, "test": {"base": "https://test.example"}}`)
	b, _, err := ParseHTTPFile(data, RequestImportOptions{Env: "dev", Catalog: c, Path: "/somewhere/" + HTTPEnvFile})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 0 {
		t.Fatalf("an environment file became requests: %+v", b.Requests)
	}
	if b.Vars["dev"]["base"] != "https://dev.example" || b.SecretVars["dev"]["password"] != "fake-direct-password-0044" || b.Vars["test"]["base"] != "https://test.example" {
		t.Errorf("vars %v secret %v", b.Vars, b.SecretVars)
	}
	// Every value of the private file goes to the vault.
	b, _, err = ParseHTTPFile([]byte(`{"dev": {"base": "https://dev.example"}}`), RequestImportOptions{Env: "dev", Catalog: c, Path: HTTPPrivateEnvFile})
	if err != nil || b.SecretVars["dev"]["base"] != "https://dev.example" || len(b.Vars) != 0 {
		t.Errorf("private file: %v %v %v", err, b.Vars, b.SecretVars)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"dev": {"a": "1", "a": "2"}}`, `line 1, column 20: the environment file: key "a" appears twice`},
		{"{\"dev\": {\"a\": \"\xff\"}}", "line 1, column 16"},
		{`{"dev": ["x"]}`, "should be an object of variables"},
		{`{}`, "defines no environment"},
		{`{"dev": {"a": }}`, "line 1, column 15"},
	} {
		_, _, err := ParseHTTPFile([]byte(tt.in), RequestImportOptions{Env: "dev", Catalog: c})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestHTTPTargetEnvironmentFromFiles(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	c, _ := f.v.Load()
	files := map[string]string{"a.http": "GET {{base}}/x\n", HTTPEnvFile: `{"local": {"base": "http://localhost:3000"}, "prod": {"base": "https://api.example"}}`}
	b, notes, err := parseHTTPIn(t, files, "a.http", "", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 1 || b.Requests[0].Env != "local" || len(b.Envs) != 2 {
		t.Fatalf("requests %+v envs %+v", b.Requests, b.Envs)
	}
	if !hasNote(notes, NoteCreated, "the requests go there") {
		t.Errorf("notes %v", notes)
	}
	if _, err := f.v.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	// Without environment files, an environment must be given.
	if _, _, err := ParseHTTPFile([]byte("GET https://x.example\n"), RequestImportOptions{Catalog: c}); err == nil {
		t.Error("no environment: accepted")
	}
}

func TestHTTPInvalidUTF8(t *testing.T) {
	t.Parallel()
	_, _, err := ParseHTTPFile([]byte("GET https://x.example\nX-A: \xc3\x28\n"), RequestImportOptions{Env: "dev"})
	if err == nil || !strings.Contains(err.Error(), "line 2, column 6") || !strings.Contains(err.Error(), "not UTF-8") {
		t.Errorf("err = %v", err)
	}
}

// A file of thousands of requests of one name imports in linear time:
// each unique name is found in O(log n) probes.
func TestHTTPManySameNamedRequests(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for range 3000 {
		b.WriteString("### same\nGET https://x.example/a\n\n")
	}
	start := time.Now()
	batch, _, err := ParseHTTPFile([]byte(b.String()), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Requests) != 3000 || batch.Requests[2999].Name != "same 3000" {
		t.Fatalf("%d requests, last %q", len(batch.Requests), batch.Requests[len(batch.Requests)-1].Name)
	}
	t.Logf("3000 same-named requests parsed in %v", time.Since(start))
}

func TestUniqueNames(t *testing.T) {
	t.Parallel()
	taken := map[string]bool{}
	for i := range 100 {
		n := unique(taken, "x", " ")
		if taken[n] {
			t.Fatalf("%q given twice", n)
		}
		taken[n] = true
		if want := map[bool]string{true: "x", false: fmt.Sprintf("x %d", i+1)}[i == 0]; n != want {
			t.Fatalf("name %d = %q, want %q", i, n, want)
		}
	}
	// With holes, any free name will do, but it must be free.
	delete(taken, "x 40")
	if n := unique(taken, "x", " "); taken[n] {
		t.Fatalf("%q is taken", n)
	}
}

// FuzzHTTPEnvFile: an environment file either imports or is refused with
// problems; it never becomes a request.
func FuzzHTTPEnvFile(f *testing.F) {
	for _, s := range []string{`{"dev": {"a": "1"}}`, `{"$shared": {"v": 1}, "p": {"t": null, "o": {"x": 1}}}`, `{"rest-client.environmentVariables": {"a": {"b": "c"}}}`, "{\"a\": {\"b\": \"c\",}, // x\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '{' {
			return
		}
		b, _, err := ParseHTTPFile(data, RequestImportOptions{Env: "dev", Path: HTTPPrivateEnvFile})
		if err == nil && len(b.Requests) > 0 {
			t.Fatal("an environment file became requests")
		}
		fuzzImport(t, data, ParseHTTPFile)
	})
}

// TestHTTPGraphQLMethod checks JetBrains' GRAPHQL request line (which
// rest.nvim reads too): a POST of the query, and of its variables when the
// body has them, as JSON; and REST Client's X-Request-Type: GraphQL, which
// names the operation of a named query and always sends variables.
func TestHTTPGraphQLMethod(t *testing.T) {
	t.Parallel()
	in := "GRAPHQL https://x.example/graphql\nAuthorization: token {{token}}\n\nquery {\n  viewer { login }\n}\n\n###\n" +
		"GRAPHQL https://x.example/graphql\nContent-Type: application/graphql+json\n\nquery ($n: String!) { repo(name: $n) { id } }\n\n{\n  \"n\": \"a&b\",\n  \"m\": 1\n}\n\n###\n" +
		"POST https://x.example/graphql\nX-Request-Type: GraphQL\n\nquery launches($limit: Int!) { past(limit: $limit) { name } }\n\n{\"limit\": 10}\n"
	b, _, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ body, ct string }{
		{`{"query":"query {\n  viewer { login }\n}"}`, "application/json"},
		{`{"query":"query ($n: String!) { repo(name: $n) { id } }","variables":{"n":"a&b","m":1}}`, "application/graphql+json"},
		{`{"query":"query launches($limit: Int!) { past(limit: $limit) { name } }","operationName":"launches","variables":{"limit":10}}`, "application/json"},
	}
	if len(b.Requests) != len(want) {
		t.Fatalf("%d requests: %+v", len(b.Requests), b.Requests)
	}
	for k, w := range want {
		r := b.Requests[k]
		if r.Method != "POST" || r.Body != w.body || headerValue(r, "Content-Type") != w.ct {
			t.Errorf("request %d: %s, body %s, Content-Type %q; want POST, %s, %q", k+1, r.Method, r.Body, headerValue(r, "Content-Type"), w.body, w.ct)
		}
	}
}

// TestHTTPFormLineBreaksEncoded checks that a form body's line breaks (a
// line not starting with &) are percent-encoded as REST Client's encodeurl
// does, and sent as written by JetBrains.
func TestHTTPFormLineBreaksEncoded(t *testing.T) {
	t.Parallel()
	in := "POST https://x.example/post\nContent-Type: application/x-www-form-urlencoded\n\nkey1 = value1 &\nkey2 = value2\n&key3=v3\n"
	b, _, err := ParseHTTPFile([]byte(in), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Requests[0].Body, "key1%20=%20value1%20&%0Akey2%20=%20value2&key3=v3"; got != want {
		t.Errorf("REST Client form body %q, want %q", got, want)
	}
	b, _, err = ParseHTTPFile([]byte(in+"\n> {% client.log(1) %}\n"), RequestImportOptions{Env: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Requests[0].Body, "key1 = value1 &\nkey2 = value2&key3=v3"; got != want {
		t.Errorf("JetBrains form body %q, want %q", got, want)
	}
}

// TestHTTPBodyFileWithPlaceholders checks a "< path" body file holding
// {{…}}: REST Client sends it as it is (only "<@ path" fills variables
// in), so the request is sent from the file; "<@" and a JetBrains file
// (which fills variables in) keep it inline, where authdeck fills them in.
func TestHTTPBodyFileWithPlaceholders(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"api.http":   "@bar = baz\n\nPOST https://x.example/raw\n\n< ./input.json\n\n###\nPOST https://x.example/filled\n\n<@ ./input.json\n\n###\nPOST https://x.example/plain\n\n< ./plain.json\n",
		"input.json": "{\"foo\": \"{{bar}}\"}\n",
		"plain.json": "{\"foo\": \"bar\"}\n",
	}
	b, notes, err := parseHTTPIn(t, files, "api.http", "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, filled, plain := b.Requests[0], b.Requests[1], b.Requests[2]
	if filepath.Base(raw.BodyFile) != "input.json" || !filepath.IsAbs(raw.BodyFile) || raw.Body != "" {
		t.Errorf("\"< input.json\": body file %q, body %q; want the file, sent as it is", raw.BodyFile, raw.Body)
	}
	if !hasNote(notes, NoteCreated, "which REST Client sends as written") {
		t.Errorf("no note saying why the body is sent from its file: %v", notes)
	}
	if filled.BodyFile != "" || filled.Body != files["input.json"] {
		t.Errorf("\"<@ input.json\": body file %q, body %q; want the file's text inline", filled.BodyFile, filled.Body)
	}
	if plain.BodyFile != "" || plain.Body != files["plain.json"] {
		t.Errorf("\"< plain.json\": body file %q, body %q; want the file's text inline", plain.BodyFile, plain.Body)
	}
	// JetBrains fills the variables of a "< path" file in.
	files["http-client.env.json"] = `{"dev": {"host": "https://x.example"}}`
	b, _, err = parseHTTPIn(t, files, "api.http", "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := b.Requests[0]; r.BodyFile != "" || r.Body != files["input.json"] {
		t.Errorf("JetBrains \"< input.json\": body file %q, body %q; want the file's text inline", r.BodyFile, r.Body)
	}
}
