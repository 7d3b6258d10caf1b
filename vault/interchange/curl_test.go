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

func TestSplitShell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"plain words", "curl -s https://x.example", [][]string{{"curl", "-s", "https://x.example"}}},
		{"single quotes keep everything", `curl 'a b' '$HOME' 'x"y'`, [][]string{{"curl", "a b", "$HOME", `x"y`}}},
		{"double quotes and escapes", `curl "a \"b\" \$c \\ d" "e'f"`, [][]string{{"curl", `a "b" $c \ d`, "e'f"}}},
		{"ANSI-C quotes", `curl $'line\none\ttab \'q\' \x41\u00e9\101'`, [][]string{{"curl", "line\none\ttab 'q' Aé" + "A"}}},
		{"adjacent quotes join", `curl 'a'"b"c`, [][]string{{"curl", "abc"}}},
		{"line continuation", "curl \\\n  -H 'X: y' \\\r\n  https://x.example", [][]string{{"curl", "-H", "X: y", "https://x.example"}}},
		{"backslash escapes a space", `curl a\ b`, [][]string{{"curl", "a b"}}},
		{"two commands on two lines", "curl a\ncurl b", [][]string{{"curl", "a"}, {"curl", "b"}}},
		{"separators", "curl a; curl b && curl c || curl d", [][]string{{"curl", "a"}, {"curl", "b"}, {"curl", "c"}, {"curl", "d"}}},
		{"pipe drops the rest", "curl a | jq .x > out.json", [][]string{{"curl", "a"}}},
		{"comment", "# a comment\ncurl a # trailing", [][]string{{"curl", "a"}}},
		{"hash inside a word", "curl a#b", [][]string{{"curl", "a#b"}}},
		{"empty quotes are a word", "curl -d ''", [][]string{{"curl", "-d", ""}}},
		{"expansions kept literally", `curl "$TOKEN" ${HOST} $(date)`, [][]string{{"curl", "$TOKEN", "${HOST}", "$(date)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmds, err := SplitShell(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(cmds) != len(tt.want) {
				t.Fatalf("commands %+v", cmds)
			}
			for i, c := range cmds {
				if strings.Join(c.Words, "\x00") != strings.Join(tt.want[i], "\x00") {
					t.Fatalf("command %d = %q, want %q", i, c.Words, tt.want[i])
				}
			}
		})
	}
	cmds, _ := SplitShell(`curl "$TOKEN" | cat`)
	if len(cmds[0].Expansions) != 1 || cmds[0].Expansions[0] != "$TOKEN" || !cmds[0].Piped {
		t.Fatalf("expansions %q piped %v", cmds[0].Expansions, cmds[0].Piped)
	}
}

func TestSplitShellErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		line, col int
		msg       string
	}{
		{"curl 'abc", 1, 6, "single quote"},
		{"curl \\\n  \"abc", 2, 3, "double quote"},
		{"curl $'abc", 1, 6, "$'…' quote"},
	}
	for _, tt := range tests {
		_, err := SplitShell(tt.in)
		var se *ShellWordsError
		if !errors.As(err, &se) || se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: err = %v, want line %d column %d %q", tt.in, err, tt.line, tt.col, tt.msg)
		}
	}
}

func TestImportCurlFile(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t, 0)
	_, notes := f.importFile(t, "commands.curl", ParseCurl)
	assertSecretsInVaultOnly(t, f, "commands.curl")
	ctx := context.Background()

	tests := []struct {
		name, method, url, auth, body string
		headers                       map[string]string
		insecure                      bool
	}{
		{
			name: "GET api.acme.example v1 orders", method: "GET", url: "https://api.acme.example/v1/orders?limit=5", auth: "GET api.acme.example v1 orders token",
			headers: map[string]string{"accept": "application/json", "x-client-version": "3.2.1", "authorization": ""},
		},
		{
			name: "PUT api.acme.example v1 flags beta", method: "PUT", url: "https://api.acme.example/v1/flags/beta", auth: "PUT api.acme.example v1 flags beta basic",
			body: `{"enabled": true}`, headers: map[string]string{"Content-Type": "application/json", "Accept": "application/json"},
		},
		{
			name: "GET partners.acme.example v2 items", method: "GET", url: "https://partners.acme.example/v2/items", auth: "GET partners.acme.example v2 items X-API-Key",
			headers: map[string]string{"X-API-Key": ""},
		},
		{
			name: "POST api.acme.example v1 notes", method: "POST", url: "https://api.acme.example/v1/notes",
			body: `{"text":"line one\nline two","token":"{{token}}"}`, headers: map[string]string{"Content-Type": "application/json"},
		},
		{name: "GET api.acme.example v1 search", method: "GET", url: "https://api.acme.example/v1/search?q=red%20shoes&page=2"},
		{
			name: "POST localhost:8443 hooks", method: "POST", url: "https://localhost:8443/hooks", body: "secret={{secret}}&event=build",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, insecure: true,
		},
	}
	for _, tt := range tests {
		r := requestByName(t, f.v, tt.name)
		if r.Method != tt.method || r.URL != tt.url || r.Auth != tt.auth || r.Body != tt.body || r.InsecureSkipVerify != tt.insecure {
			t.Errorf("%s: got %s %s auth %q body %q insecure %v", tt.name, r.Method, r.URL, r.Auth, r.Body, r.InsecureSkipVerify)
		}
		for h, want := range tt.headers {
			if got := headerValue(r, h); got != want {
				t.Errorf("%s: header %s = %q, want %q", tt.name, h, got, want)
			}
		}
	}
	key, _ := f.v.Secret("dev", "GET partners.acme.example v2 items X-API-Key")
	if val, _ := f.v.SecretValue(ctx, key); key.HeaderName != "X-API-Key" || val.Key != "fake-curl-api-key-0013" {
		t.Errorf("API key secret header %q", key.HeaderName)
	}
	basic, _ := f.v.Secret("dev", "PUT api.acme.example v1 flags beta basic")
	if val, _ := f.v.SecretValue(ctx, basic); val.Username != "ops" || val.Passphrase != "fake-curl-password-0012" {
		t.Errorf("basic secret user %q", val.Username)
	}
	for _, want := range []string{`"echo" is not a curl command`, "pipe or redirection", "-k: TLS verification"} {
		if !hasNote(notes, NoteSkipped, want) && !hasNote(notes, NoteWarning, want) {
			t.Errorf("no note %q", want)
		}
	}
}

func TestImportCurlOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in                    string
		method, url, body, userAuth string
		header                      [2]string
		note                        string
	}{
		{name: "-XPOST attached, -d joins with &", in: `curl -XPOST https://x.example/a -d a=1 -d b=2`, method: "POST", url: "https://x.example/a", body: "a=1&b=2"},
		{name: "--request= form", in: `curl --request=DELETE --url=https://x.example/a`, method: "DELETE", url: "https://x.example/a"},
		{name: "-I is HEAD", in: `curl -I https://x.example`, method: "HEAD", url: "https://x.example"},
		{name: "combined short flags with a value", in: `curl -sSLH 'Accept: text/plain' https://x.example`, method: "GET", url: "https://x.example", header: [2]string{"Accept", "text/plain"}},
		{name: "-d @file is read when sent", in: `curl -d @body.json https://x.example`, method: "POST", url: "https://x.example"},
		{name: "bare host gets http, as in curl", in: `curl x.example/p`, method: "GET", url: "http://x.example/p", note: "http:// was assumed"},
		{name: "user agent and referer", in: `curl -A agent/1 -e https://ref.example https://x.example`, method: "GET", url: "https://x.example", header: [2]string{"User-Agent", "agent/1"}},
		{name: "cookie goes to the vault", in: `curl -b 'sid=fake-cookie-value-0020' https://x.example`, method: "GET", url: "https://x.example", header: [2]string{"Cookie", "{{Cookie}}"}},
		{name: "oauth2 bearer", in: `curl --oauth2-bearer fake-oauth2-bearer-0021 https://x.example`, method: "GET", url: "https://x.example", userAuth: "GET x.example token"},
		{name: "shell variable warned", in: `curl -H "Authorization: Bearer $TOKEN" https://x.example`, method: "GET", url: "https://x.example", note: "$TOKEN is a shell variable of your environment"},
		{name: "query secret", in: `curl 'https://x.example/a?api_key=fake-query-secret-0022&x=1'`, method: "GET", url: "https://x.example/a?api_key={{api_key}}&x=1"},
		{name: "unknown option noted", in: `curl --frobnicate https://x.example`, method: "GET", url: "https://x.example", note: "unknown option --frobnicate"},
		{name: "an option with a value authdeck does not read skips the value", in: `curl --max-filesize 100 --speed-time=30 https://x.example`, method: "GET", url: "https://x.example", note: "option --max-filesize ignored"},
		{name: "-Y and -y take values", in: `curl -Y 100 -y30 https://x.example`, method: "GET", url: "https://x.example"},
		{name: "-C takes a value", in: `curl -C - https://x.example`, method: "GET", url: "https://x.example"},
		{name: "-u with an empty user still sends basic, its blob in the vault", in: `curl -u :fake-password-0030 https://x.example`, method: "GET", url: "https://x.example", header: [2]string{"Authorization", "Basic {{Authorization_basic}}"}},
		{name: "multipart is a POST", in: `curl -F file=@a.png https://x.example`, method: "POST", url: "https://x.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, notes, err := ParseCurl([]byte(tt.in), RequestImportOptions{Env: "dev"})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Requests) != 1 {
				t.Fatalf("requests %v", b.Requests)
			}
			r := b.Requests[0]
			if r.Method != tt.method || r.URL != tt.url || r.Body != tt.body {
				t.Fatalf("got %s %s body %q", r.Method, r.URL, r.Body)
			}
			if tt.userAuth != "" && r.Auth != tt.userAuth {
				t.Errorf("auth %q", r.Auth)
			}
			if tt.header[0] != "" && headerValue(r, tt.header[0]) != tt.header[1] {
				t.Errorf("header %s = %q", tt.header[0], headerValue(r, tt.header[0]))
			}
			if tt.note != "" && !hasNote(notes, NoteSkipped, tt.note) && !hasNote(notes, NoteWarning, tt.note) {
				t.Errorf("no note %q in %v", tt.note, notes)
			}
			if strings.Contains(tt.in, "fake-") {
				for _, x := range b.Requests {
					if strings.Contains(x.URL+x.Body+headerValue(x, "Cookie")+headerValue(x, "Authorization"), "fake-") {
						t.Error("a credential stayed in the request")
					}
				}
			}
		})
	}
	// --digest: a digest scheme whose password is a secret variable; --basic after it wins.
	b, _, err := ParseCurl([]byte("curl -u me:fake-digest-pass-0031 --digest https://x.example/d\ncurl -u me:fake-digest-pass-0031 --digest --basic https://x.example/b"), RequestImportOptions{Env: "dev"})
	if err != nil || len(b.Requests) != 2 {
		t.Fatalf("--digest: %v %v", err, b.Requests)
	}
	if s := b.Requests[0].Scheme; s == nil || s.Type != vault.SchemeDigest || s.Username != "me" || !strings.HasPrefix(s.Password, "{{") || b.SecretVars["dev"][strings.Trim(s.Password, "{}")] != "fake-digest-pass-0031" {
		t.Errorf("--digest scheme %+v", b.Requests[0].Scheme)
	}
	if b.Requests[1].Scheme != nil || b.Requests[1].Auth == "" {
		t.Errorf("--digest --basic: scheme %+v auth %q", b.Requests[1].Scheme, b.Requests[1].Auth)
	}
	b, _, err = ParseCurl([]byte("curl https://x.example/a\ncurl https://x.example/b"), RequestImportOptions{Env: "dev", Name: "mine"})
	if err != nil || b.Requests[0].Name != "mine" || b.Requests[1].Name != "mine 2" {
		t.Fatalf("named imports: %v", err)
	}
}

func TestImportCurlErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want  string
		line, col int
	}{
		{"curl -H 'unterminated https://x.example", "single quote is never closed", 1, 9},
		{"curl https://x.example -H", "option -H needs a value", 1, 1},
		{"curl -s", "no URL", 1, 1},
		{"echo hi\nls", "no curl command found", 0, 0},
		{"curl 'https://x.example/{{broken'", "url", 0, 0},
		{"\xff\xfe", "not UTF-8", 0, 0},
	}
	for _, tt := range tests {
		_, _, err := ParseCurl([]byte(tt.in), RequestImportOptions{Env: "dev"})
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.in, err, tt.want)
			continue
		}
		if tt.line > 0 && (ie.Problems[0].Line != tt.line || ie.Problems[0].Col != tt.col) {
			t.Errorf("%q: at %d:%d, want %d:%d", tt.in, ie.Problems[0].Line, ie.Problems[0].Col, tt.line, tt.col)
		}
	}
}

// FuzzCurl: the shell splitter and the curl importer never panic or hang
// (S-36); what they accept can be stored.
func FuzzCurl(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "import", "commands.curl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		`curl -XPOST -d a=1 https://x.example`, `curl $'\x41\u12' "a\\" '`, "curl \\\r\n -u a: x.example", `curl -- -x`,
		`curl -G -d '' --json '{}' --url=https://x.example/{{v}}`, "curl -sSLkX", `curl "$(a` + "`b`" + `" 'x'`,
		`curl -F 'a="q\"x";type=t/x;filename=f' -F b=@"c d.png" --form-string e=@f -T g h/ i`, "export A=1 B=2\ncurl $A -d @<(x) ${B:-y}",
		`curl -F =x -F 'y=@' -d @- -T - --data-binary @z -d @w u`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if cmds, err := SplitShell(string(data)); err == nil {
			for _, c := range cmds {
				if len(c.Words) == 0 {
					t.Fatal("a command without words")
				}
			}
		}
		fuzzImport(t, data, ParseCurl)
	})
}

// curl -F, -T and -d @file become forms and body files read when sent,
// relative paths made absolute against BaseDir; several URLs in one
// command become one request each.
func TestImportCurlFilesAndURLs(t *testing.T) {
	t.Parallel()
	in := `curl -F 'meta={"a":1};type=application/json' -F 'file=@"dir/my file.png"' --form-string 'raw=@not-a-file' https://x.example/up
curl -T report.csv https://x.example/files/
curl --data-binary @/abs/body.bin https://x.example/b https://y.example/c`
	b, notes, err := ParseCurl([]byte(in), RequestImportOptions{Env: "dev", BaseDir: "/work/here"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Requests) != 4 {
		t.Fatalf("%d requests", len(b.Requests))
	}
	form := b.Requests[0].Form
	want := []vault.FormField{
		{Name: "meta", Value: `{"a":1}`, ContentType: "application/json"},
		{Name: "file", IsFile: true, File: "/work/here/dir/my file.png", ContentType: "image/png"},
		{Name: "raw", Value: "@not-a-file"},
	}
	if !slices.Equal(form, want) || b.Requests[0].Method != "POST" {
		t.Errorf("form\n got %+v\nwant %+v", form, want)
	}
	up := b.Requests[1]
	if up.Method != "PUT" || up.BodyFile != "/work/here/report.csv" || up.URL != "https://x.example/files/report.csv" || headerValue(up, "Expect") != "100-continue" {
		t.Errorf("-T: %s %s file %q headers %v", up.Method, up.URL, up.BodyFile, up.Headers)
	}
	for i, u := range []string{"https://x.example/b", "https://y.example/c"} {
		r := b.Requests[2+i]
		if r.URL != u || r.BodyFile != "/abs/body.bin" || r.Method != "POST" {
			t.Errorf("URL %d: %s %s %q", i, r.Method, r.URL, r.BodyFile)
		}
	}
	if hasNote(notes, NoteWarning, "line breaks") {
		t.Error("--data-binary @file keeps line breaks; no note expected")
	}
	for i, r := range b.Requests {
		if r.StripLineBreaks {
			t.Errorf("request %d (%s %s): --data-binary and -T send the file as it is, but the request strips its line breaks", i, r.Method, r.URL)
		}
	}
}

// TestImportCurlRemovedHeader: -H 'Name:' makes curl send no such header,
// not an empty one: the request keeps it disabled, and no Content-Type is
// added for the data.
func TestImportCurlRemovedHeader(t *testing.T) {
	t.Parallel()
	b, _, err := ParseCurl([]byte(`curl -H 'Content-Type:' -H 'X-Empty;' -d 'a=1' https://x.example/in`), RequestImportOptions{Env: "dev", Name: "cmd"})
	if err != nil {
		t.Fatal(err)
	}
	want := []vault.Header{{Name: "Content-Type", Disabled: true}, {Name: "X-Empty"}}
	if got := b.Requests[0].Headers; !slices.Equal(got, want) {
		t.Errorf("headers %+v, want %+v", got, want)
	}
}

// TestImportCurlDataFileLineBreaks: -d, --data and --data-ascii @file send
// the file without its line breaks (curl's file2string), so the imported
// request does; --data-binary, --json and -T send it as it is.
func TestImportCurlDataFileLineBreaks(t *testing.T) {
	t.Parallel()
	for opt, strip := range map[string]bool{"-d": true, "--data": true, "--data-ascii": true, "--data-binary": false, "--json": false, "-T": false} {
		arg := "@body.txt"
		if opt == "-T" {
			arg = "body.txt" // -T takes the file's name as it is
		}
		b, _, err := ParseCurl([]byte("curl "+opt+" "+arg+" https://x.example/in"), RequestImportOptions{Env: "dev", Name: "cmd", BaseDir: "/work/here"})
		if err != nil {
			t.Fatalf("%s: %v", opt, err)
		}
		r := b.Requests[0]
		if r.BodyFile != "/work/here/body.txt" || r.StripLineBreaks != strip {
			t.Errorf("%s %s: body file %q, strip line breaks %v; want /work/here/body.txt, %v", opt, arg, r.BodyFile, r.StripLineBreaks, strip)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("%s: the imported request does not validate: %v", opt, err)
		}
	}
}
