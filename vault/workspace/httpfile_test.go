package workspace

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/vault"
)

// requestCases are requests a .http file must carry exactly.
var requestCases = []vault.Request{
	{Name: "plain", Method: "GET", URL: "https://api.example.com/users"},
	{
		Name: "with all", Method: "POST", URL: "{{baseUrl}}/users?x=1", Description: "Creates a user", Auth: "svc", Placement: vault.PlaceBody, InsecureSkipVerify: true,
		Headers: []vault.Header{{Name: "Accept", Value: "application/json"}, {Name: "X-Debug", Value: "1", Disabled: true}, {Name: "X-Pad", Value: "  spaced  "}, {Name: "X-Empty", Value: ""}},
		Params:  []vault.QueryParam{{Name: "q", Value: "a b&c=d"}, {Name: "off", Value: "1", Disabled: true}, {Name: "{{name}}", Value: "{{api key}}"}, {Name: "bad", Value: "{{open"}},
		Body:    "{\n  \"name\": \"x\"\n}\n",
	},
	{Name: "body without final newline", Method: "PUT", URL: "https://x.example.com/", Body: "a=1&b=2"},
	{Name: "body of newlines", Method: "PUT", URL: "https://x.example.com/", Body: "\n\n"},
	{Name: "body with a request separator", Method: "POST", URL: "https://x.example.com/", Body: "intro\n### not a request\nend"},
	{Name: "body that looks like a file", Method: "POST", URL: "https://x.example.com/", Body: "< /etc/passwd"},
	{Name: "body with a handler", Method: "POST", URL: "https://x.example.com/", Body: "x\n> {% client.global.set('a', 1) %}\n"},
	{Name: "CRLF body", Method: "POST", URL: "https://x.example.com/", Body: "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"},
	{Name: "body file", Method: "POST", URL: "https://x.example.com/", BodyFile: "./payload.json"},
	{Name: "body file with spaces", Method: "POST", URL: "https://x.example.com/", BodyFile: " odd name.json "},
	{Name: "body file sent as curl -d @file", Method: "POST", URL: "https://x.example.com/", BodyFile: "./form.txt", StripLineBreaks: true},
	{Name: "odd body file sent as curl -d @file", Method: "POST", URL: "https://x.example.com/", BodyFile: " odd name.txt ", StripLineBreaks: true},
	{Name: "form", Method: "POST", URL: "https://x.example.com/upload", Form: []vault.FormField{{Name: "a", Value: "1"}, {Name: "f", IsFile: true, File: "/tmp/x.png", ContentType: "image/png"}, {Name: "off", Value: "x", Disabled: true}}},
	{Name: "scheme", Method: "GET", URL: "https://x.example.com/", Scheme: &vault.AuthScheme{Type: vault.SchemeAWSv4, AccessKey: "{{ak}}", SecretKey: "{{sk}}", Region: "eu-west-1", Service: "s3"}},
	{Name: "url with spaces inside", Method: "GET", URL: "{{base url}}/a b"},
	{Name: "url looking like a version", Method: "GET", URL: "https://x.example.com/ HTTP/1.1"},
	{Name: "url with a newline", Method: "GET", URL: "https://x.example.com/\nInjected: yes"},
	{Name: "multi-line description", Method: "GET", URL: "https://x.example.com/", Description: "line 1\nline 2"},
	{Name: "quoted description", Method: "GET", URL: "https://x.example.com/", Description: `"quoted"`},
	{Name: "header names odd", Method: "GET", URL: "https://x.example.com/", Headers: []vault.Header{{Name: "#hash", Value: "1"}, {Name: "{{h}}", Value: "{{v}}"}, {Name: "a", Value: "  padded value  "}}},
	{Name: "weird method", Method: "PROPFIND", URL: "https://x.example.com/"},
}

// A request written as a .http file reads back the same, whatever its
// fields hold.
func TestRequestFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range requestCases {
		r.ID, r.Env, r.Folder = "0123456789abcdef", "dev", []string{"A", "B"}
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: the case itself is invalid: %v", r.Name, err)
		}
		data := encodeRequest(r)
		got, err := decodeRequest("x.http", data, "dev", []string{"A", "B"}, r.Name)
		if err != nil {
			t.Errorf("%s: %v\n%s", r.Name, err, data)
			continue
		}
		if !reflect.DeepEqual(normal(got), normal(r)) {
			t.Errorf("%s: read back\n%#v\nwant\n%#v\nfile:\n%s", r.Name, got, r, data)
		}
		if again := encodeRequest(got); string(again) != string(data) {
			t.Errorf("%s: written twice differs:\n%s\n---\n%s", r.Name, data, again)
		}
	}
}

// normal makes empty and nil lists equal for comparison.
func normal(r vault.Request) vault.Request {
	if len(r.Headers) == 0 {
		r.Headers = nil
	}
	if len(r.Params) == 0 {
		r.Params = nil
	}
	if len(r.Form) == 0 {
		r.Form = nil
	}
	if len(r.Folder) == 0 {
		r.Folder = nil
	}
	return r
}

// The files authdeck writes are what JetBrains' and VS Code's clients read:
// the request line, parameters as continuation lines, headers, the body.
func TestRequestFileIsStandardHTTP(t *testing.T) {
	t.Parallel()
	r := vault.Request{
		ID: "r1", Name: "List users", Env: "dev", Method: "GET", URL: "{{baseUrl}}/users", Auth: "api",
		Params:  []vault.QueryParam{{Name: "page", Value: "1"}, {Name: "q", Value: "a b"}},
		Headers: []vault.Header{{Name: "Accept", Value: "application/json"}},
	}
	want := "### List users\n# @id r1\n# @auth api\nGET {{baseUrl}}/users\n    ?page=1\n    &q=a+b\nAccept: application/json\n"
	if got := string(encodeRequest(r)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Files written by hand read as the clients read them; what authdeck
// cannot keep is an error at its line, never a silent loss.
func TestRequestFileByHand(t *testing.T) {
	t.Parallel()
	ok := []struct {
		name, file string
		check      func(vault.Request) bool
	}{
		{"no method", "https://x.example.com/a\n", func(r vault.Request) bool { return r.Method == "GET" && r.URL == "https://x.example.com/a" }},
		{"http version", "POST https://x.example.com/a HTTP/1.1\nContent-Type: text/plain\n\nhi\n", func(r vault.Request) bool {
			return r.URL == "https://x.example.com/a" && r.Body == "hi\n" && r.Headers[0].Value == "text/plain"
		}},
		{"CRLF checkout", "### x\r\nGET https://x.example.com/\r\nA: 1\r\n\r\nbody\r\n", func(r vault.Request) bool { return r.Body == "body\n" && r.Headers[0].Value == "1" }},
		{"comments", "# a note\n// another\nGET https://x.example.com/\n# a header comment\nA: 1\n", func(r vault.Request) bool { return len(r.Headers) == 1 }},
		{"url continued", "GET https://x.example.com\n    /path\n    ?a=1\n", func(r vault.Request) bool {
			return r.URL == "https://x.example.com/path" && len(r.Params) == 1 && r.Params[0] == vault.QueryParam{Name: "a", Value: "1"}
		}},
		{"file body", "POST https://x.example.com/\n\n< ./data.json\n", func(r vault.Request) bool { return r.BodyFile == "./data.json" && r.Body == "" }},
		{"file body sent as curl -d @file", "# @strip-line-breaks\nPOST https://x.example.com/\n\n< ./form.txt\n", func(r vault.Request) bool {
			return r.BodyFile == "./form.txt" && r.StripLineBreaks
		}},
		{"no id", "GET https://x.example.com/\n", func(r vault.Request) bool { return r.ID == derivedID("request", "dev", "hand") }},
	}
	for _, tc := range ok {
		r, err := decodeRequest("hand.http", []byte(tc.file), "dev", nil, "hand")
		if err != nil || !tc.check(r) {
			t.Errorf("%s: %v %#v", tc.name, err, r)
		}
	}
	bad := []struct {
		name, file, want string
	}{
		{"two requests", "GET https://x.example.com/a\n\n###\nGET https://x.example.com/b\n", "hand.http:3: a second request"},
		{"second request in headers", "GET https://x.example.com/a\nA: 1\n### b\n", "hand.http:3: a second request"},
		{"unknown tag", "# @no-redirect\nGET https://x.example.com/\n", "hand.http:1: unknown tag @no-redirect"},
		{"tag twice", "# @auth a\n# @auth b\nGET https://x.example.com/\n", "hand.http:2: @auth is given twice (first on line 1)"},
		{"tag below", "GET https://x.example.com/\n# @auth a\n", "hand.http:2: tags go above the request line"},
		{"bad header", "GET https://x.example.com/\nnot a header\n", "hand.http:2: expected a header"},
		{"bad json tag", "# @header {\"at\":0,\"name\":\"a\"\nGET https://x.example.com/\n", "hand.http:1: @header"},
		{"placement", "# @placement sideways\nGET https://x.example.com/\n", "hand.http:1: placement"},
		{"no request line", "### only\n# @id x\n", "hand.http: has no request line"},
		{"lower-case method", "get https://x.example.com/\n", "hand.http:1: the method \"get\" should be upper case"},
		{"handler", "POST https://x.example.com/\n\nbody\n> {% client.test() %}\n", "hand.http:4: response handlers"},
		{"not utf-8", "GET https://x.example.com/\xff\n", "hand.http:1: is not UTF-8"},
		{"bad id", "# @id ../../etc\nGET https://x.example.com/\n", "hand.http:1: id"},
		{"place outside", "# @param {\"at\":5,\"name\":\"a\",\"value\":\"b\"}\nGET https://x.example.com/\n", "hand.http:1: @param: place 5 is outside"},
		{"bad template", "GET {{open\n", "hand.http:1: url"},
		{"flag with a value", "# @strip-line-breaks yes\nPOST https://x.example.com/\n\n< ./a.txt\n", "hand.http:1: @strip-line-breaks takes no value"},
		{"line breaks of no file", "# @strip-line-breaks\nPOST https://x.example.com/\n\nbody\n", "hand.http:1: stripLineBreaks: applies to a bodyFile"},
	}
	for _, tc := range bad {
		_, err := decodeRequest("hand.http", []byte(tc.file), "dev", nil, "hand")
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, vault.ErrCatalogCorrupt) {
			t.Errorf("%s: %v, want a FileError saying %q", tc.name, err, tc.want)
		}
	}
}

// FuzzRequestFileRoundTrip: any valid request written as a file reads back
// the same and is written the same again.
func FuzzRequestFileRoundTrip(f *testing.F) {
	for _, r := range requestCases {
		h, p := vault.Header{}, vault.QueryParam{}
		if len(r.Headers) > 0 {
			h = r.Headers[0]
		}
		if len(r.Params) > 0 {
			p = r.Params[0]
		}
		f.Add(r.Method, r.URL, r.Description, h.Name, h.Value, h.Disabled, p.Name, p.Value, p.Disabled, r.Body, r.BodyFile, r.Auth)
	}
	f.Fuzz(func(t *testing.T, method, u, desc, hn, hv string, hd bool, pn, pv string, pd bool, body, bodyFile, auth string) {
		r := vault.Request{ID: "r1", Name: "fuzz", Env: "dev", Method: method, URL: u, Description: desc, Body: body, BodyFile: bodyFile, Auth: auth}
		if hn != "" {
			r.Headers = []vault.Header{{Name: "Accept", Value: "x"}, {Name: hn, Value: hv, Disabled: hd}}
		}
		if pn != "" {
			r.Params = []vault.QueryParam{{Name: pn, Value: pv, Disabled: pd}, {Name: "z", Value: "1"}}
		}
		if r.Validate() != nil || !utf8Valid(r) {
			return
		}
		data := encodeRequest(r)
		got, err := decodeRequest("f.http", data, "dev", nil, "fuzz")
		if err != nil {
			t.Fatalf("a valid request does not read back: %v\n%q", err, data)
		}
		if !reflect.DeepEqual(normal(got), normal(r)) {
			t.Fatalf("read back\n%#v\nwant\n%#v\nfile:\n%q", got, r, data)
		}
		if again := encodeRequest(got); string(again) != string(data) {
			t.Fatalf("written twice differs:\n%q\n%q", data, again)
		}
	})
}

func utf8Valid(r vault.Request) bool {
	for _, s := range []string{r.Method, r.URL, r.Description, r.Body, r.BodyFile, r.Auth} {
		if !validUTF8(s) {
			return false
		}
	}
	for _, h := range r.Headers {
		if !validUTF8(h.Name) || !validUTF8(h.Value) {
			return false
		}
	}
	for _, p := range r.Params {
		if !validUTF8(p.Name) || !validUTF8(p.Value) {
			return false
		}
	}
	return true
}

// FuzzRequestFile: no input panics or hangs the reader; what it accepts is
// a valid request that is written and read back the same.
func FuzzRequestFile(f *testing.F) {
	for _, r := range requestCases {
		r.ID, r.Env = "r1", "dev"
		f.Add(encodeRequest(r))
	}
	f.Add([]byte("GET https://x.example.com/\r\nA: 1\r\n\r\nb"))
	f.Add([]byte("# @header {\"at\":0,\"name\":\"a\",\"value\":\"b\"}\n# @param {\"at\":1,\"name\":\"c\",\"value\":\"d\"}\nGET x\n    ?e=f\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRequest("f.http", data, "dev", nil, "fuzz")
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != "f.http" {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted an invalid request: %v", err)
		}
		again, err := decodeRequest("f.http", encodeRequest(r), "dev", nil, "fuzz")
		if err != nil || !reflect.DeepEqual(normal(again), normal(r)) {
			t.Fatalf("accepted request does not survive a rewrite: %v\n%#v\n%#v", err, r, again)
		}
	})
}
