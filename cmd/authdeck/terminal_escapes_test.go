package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/authdeck/authdeck/vault"
)

// Tests of S-40: text from outside never reaches a terminal with controls
// or escape sequences in it, and values HTTP cannot carry are refused.

// sgr matches the colour codes authdeck itself paints with on a terminal.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// rawControls lists the characters of out a terminal would act on, beside
// authdeck's own colours: C0 controls other than line feed, DEL, C1
// controls (as UTF-8 or as raw bytes) and bidirectional overrides.
func rawControls(out string) []string {
	out = sgr.ReplaceAllString(out, "")
	var found []string
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0x20 && r != '\n', r == 0x7f, r >= 0x80 && r < 0xa0,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			found = append(found, fmt.Sprintf("%q at byte %d", out[i:i+size], i))
		}
		i += size
	}
	return found
}

func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	if c := rawControls(out); len(c) > 0 {
		t.Errorf("%s reaches the terminal with %v:\n%q", what, c, out)
	}
}

// hostileServer is an authorization server on loopback that puts control
// characters and escape sequences wherever it can.
func hostileServer(t *testing.T, tokenBody string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			fmt.Fprintf(w, `{"device_code":"dc","user_code":"WX\u001b]0;owned\u0007YZ\u009b2J\u202e","verification_uri":%q,"expires_in":60,"interval":1}`, srv.URL+"/activate")
		case "/token":
			if tokenBody == "" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"access_denied","error_description":"denied \u001b[2J\u009b31m by \u001b]52;c;aGk=\u0007"}`)
				return
			}
			fmt.Fprint(w, tokenBody)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func putHostileClient(t *testing.T, h *harness, name string, grant vault.Grant, srv *httptest.Server) {
	t.Helper()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: srv.URL + "/token", Device: srv.URL + "/device"},
		ClientID:  "x", AuthMethod: vault.AuthClientSecretPost, Grant: grant,
	}
	if _, err := h.v.PutClient(context.Background(), ac, &vault.ClientCredentials{ClientSecret: "s3cret-hostile"}); err != nil {
		t.Fatal(err)
	}
}

// A device-flow user_code (and the server's error description) with
// escape sequences in it is shown escaped, never obeyed.
func TestTerminalEscapesDeviceUserCode(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t, "")
	h := newHarness(t)
	realNow(h)
	putHostileClient(t, h, "tv", vault.GrantDeviceCode, srv)
	r := h.run("", "token", "tv", "--no-browser")
	if r.code == 0 {
		t.Fatalf("the denied device flow succeeded:\n%s", r.err)
	}
	noRawControls(t, "token (device flow) stderr", r.err)
	if want := `    WX\x1b]0;owned\x07YZ\u009b2J\u202e` + "\n"; !strings.Contains(r.err, want) {
		t.Errorf("the user code is not shown escaped (want %q):\n%s", want, r.err)
	}
	if !strings.Contains(r.err, "access_denied") {
		t.Errorf("the server's error is not reported:\n%s", r.err)
	}
}

// An access token with control bytes from a token endpoint is refused and
// nothing is stored; `token -f header` never prints `Bearer tok^@^[[2J`.
func TestTerminalEscapesTokenFromServerRefused(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t, `{"access_token":"tok\u0000\u001b[2J","token_type":"Bearer","expires_in":3600}`)
	h := newHarness(t)
	realNow(h)
	putHostileClient(t, h, "svc", vault.GrantClientCredentials, srv)
	before := h.storedKeys()
	for _, format := range []string{"header", "bare", "json"} {
		r := h.run("", "token", "svc", "-f", format)
		if r.code != exitOther || r.out != "" {
			t.Fatalf("-f %s: exit %d, stdout %q", format, r.code, r.out)
		}
		noRawControls(t, "token -f "+format+" stderr", r.err)
		if !strings.Contains(r.err, "access_token in the token response holds the control character 0x00 at byte 3") {
			t.Errorf("-f %s: the error does not say what is wrong:\n%s", format, r.err)
		}
	}
	if h.storedKeys() != before {
		t.Errorf("a refused token was stored (%d values, was %d)", h.storedKeys(), before)
	}
}

// storeTokenSecret stores a token secret, then replaces its value in the
// store the way a vault written before the check (or edited by hand)
// would hold it.
func storeTokenSecret(t *testing.T, h *harness, name, access string) {
	t.Helper()
	s := vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken}
	s, err := h.v.PutSecret(context.Background(), s, &vault.SecretValue{AccessToken: "placeholder"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(vault.SecretValue{AccessToken: access})
	if err := h.mem.Set(context.Background(), "secret/"+s.ID, b); err != nil {
		t.Fatal(err)
	}
}

// A stored token is printed byte for byte when it can be (always for a
// token68 value), never raw when it holds an ASCII control (it could never
// be a header value), and never raw to a terminal when a terminal would
// act on it; -f json shows any of them escaped.
func TestTerminalEscapesTokenPrinting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	storeTokenSecret(t, h, "ctl", "tok\x00\x1b[2J")
	storeTokenSecret(t, h, "c1", "tok\u009b2J")
	storeTokenSecret(t, h, "t68", "aB0-._~+/==")
	pipe, tty := runOpts{}, runOpts{outTTY: true}

	for _, o := range []runOpts{pipe, tty} {
		for _, f := range []string{"bare", "header"} {
			r := h.runWith(o, "", "token", "ctl", "-f", f)
			if r.code != exitOther || r.out != "" {
				t.Errorf("ctl -f %s (tty %v): exit %d, stdout %q", f, o.outTTY, r.code, r.out)
			}
			if !strings.Contains(r.err, "holds the control character 0x00 at byte 3, so it can never be sent in an HTTP header") {
				t.Errorf("ctl -f %s: %s", f, r.err)
			}
			noRawControls(t, "token ctl stderr", r.err)
		}
		js := h.runWith(o, "", "token", "ctl", "-f", "json")
		if js.code != 0 || !strings.Contains(js.out, `"access_token": "tok\u0000\u001b[2J"`) {
			t.Errorf("-f json does not show the token escaped: exit %d\n%s%s", js.code, js.out, js.err)
		}
		noRawControls(t, "token -f json", js.out)
	}

	if r := h.run("", "token", "c1"); r.code != 0 || r.out != "tok\u009b2J\n" {
		t.Errorf("a pipe does not get the token byte for byte: exit %d, %q %s", r.code, r.out, r.err)
	}
	r := h.runWith(tty, "", "token", "c1", "-f", "header")
	if r.code != exitOther || r.out != "" || !strings.Contains(r.err, `holds characters a terminal would act on (\u009b); it is not printed to a terminal`) {
		t.Errorf("a terminal got a C1 token: exit %d, %q %s", r.code, r.out, r.err)
	}
	noRawControls(t, "token c1 stderr", r.err)
	js := h.runWith(tty, "", "token", "c1", "-f", "json")
	if js.code != 0 || !strings.Contains(js.out, `"access_token": "tok\u009b2J"`) {
		t.Errorf("-f json on a terminal: exit %d\n%s%s", js.code, js.out, js.err)
	}

	for _, o := range []runOpts{pipe, tty} {
		if r := h.runWith(o, "", "token", "t68", "-f", "header"); r.code != 0 || r.out != "Authorization: Bearer aB0-._~+/==\n" {
			t.Errorf("a token68 token is not printed as it is (tty %v): exit %d, %q %s", o.outTTY, r.code, r.out, r.err)
		}
	}
}

// Descriptions, tenants and names typed or imported are shown escaped in
// lists, details and JSON.
func TestTerminalEscapesDescriptionsAndNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.must("", "env", "add", "staging", "--description", "clears\x1b[2J\x1b]0;title\x07", "--tenant", "t\u009b31m\u202eevil")
	h.must("s3cret-key", "secret", "add", "key", "--type", "API_KEY", "--value-stdin", "--description", "note\x1b]52;c;aGk=\x07", "--env", "staging")
	tty := runOpts{outTTY: true}
	for _, args := range [][]string{
		{"env", "list"},
		{"env", "show", "staging"},
		{"env", "list", "--json"},
		{"env", "show", "staging", "--json"},
		{"secret", "list", "--env", "staging"},
		{"secret", "show", "key", "--env", "staging"},
		{"secret", "list", "--json", "--env", "staging"},
	} {
		r := h.runWith(tty, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.err)
		}
		noRawControls(t, strings.Join(args, " "), r.all())
		if !strings.Contains(r.out, `\u001b`) && !strings.Contains(r.out, `\x1b`) {
			t.Errorf("%v does not show the escape escaped:\n%s", args, r.out)
		}
	}
	if r := h.must("", "env", "show", "staging"); !strings.Contains(r.out, `clears\x1b[2J\x1b]0;title\x07`) || !strings.Contains(r.out, `t\u009b31m\u202eevil`) {
		t.Errorf("env show:\n%s", r.out)
	}

	// An imported Postman collection: request names, folder names,
	// descriptions and URLs from the file (the importer makes names
	// printable; the rest is escaped when shown).
	col := `{"info":{"name":"c","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
	 "item":[{"name":"fold\u009b2Jer","item":[{"name":"get \u202eme","request":{"method":"GET","url":"https://api.example.com/x?q=\u001b[2J",
	   "description":"desc \u001b]0;t\u0007 \u0085 end","header":[{"key":"X-Note","value":"a\u009bb"}]}}]}]}`
	file := writeFile(t, "col.json", col)
	imp := h.runWith(tty, "", "import", "postman", file)
	noRawControls(t, "import postman", imp.all())
	if imp.code != 0 {
		t.Fatalf("import: exit %d: %s", imp.code, imp.err)
	}
	for _, args := range [][]string{{"request", "list"}, {"request", "show", "get me"}, {"request", "list", "--json"}} {
		r := h.runWith(tty, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.err)
		}
		noRawControls(t, strings.Join(args, " "), r.all())
	}
	if r := h.must("", "request", "list"); !strings.Contains(r.out, `https://api.example.com/x?q=\x1b[2J`) {
		t.Errorf("request list:\n%s", r.out)
	}
	if r := h.must("", "request", "show", "get me"); !strings.Contains(r.out, `desc \x1b]0;t\x07 \u0085 end`) || !strings.Contains(r.out, `X-Note: a\u009bb`) {
		t.Errorf("request show:\n%s", r.out)
	}
}

// Errors quoting input are printed escaped.
func TestTerminalEscapesErrorsQuotingInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	missing := filepath.Join(t.TempDir(), "no\x1b[2Jsuch\u009b.json")
	r := h.run("", "import", "postman", missing)
	if r.code == 0 {
		t.Fatal("importing a missing file succeeded")
	}
	noRawControls(t, "import error", r.err)
	if !strings.Contains(r.err, `no\x1b[2Jsuch\u009b.json`) {
		t.Errorf("the error does not name the file escaped:\n%s", r.err)
	}
}

// Values HTTP cannot carry are refused when stored, naming the field, and
// nothing is stored.
func TestTerminalEscapesStoredValuesRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"secret", "add", "k", "--type", "API_KEY", "--value-stdin"}, "ab\x01cd", "value.key: holds the control character 0x01 at byte 2, which an HTTP request cannot carry"},
		{[]string{"secret", "add", "k", "--type", "API_KEY", "--value-stdin", "--header-name", "X-Key"}, "k\x7f", "value.key: holds the control character 0x7f at byte 1"},
		{[]string{"secret", "add", "t", "--type", "OA2_AUTHORIZATION_CODE", "--value-stdin"}, `{"accessToken":"tok\u0000\u001b[2J"}`, "value.accessToken: holds the control character 0x00 at byte 3"},
		{[]string{"secret", "add", "t", "--type", "OA2_AUTHORIZATION_CODE", "--value-stdin"}, `{"accessToken":"ok","refreshToken":"r\u001b"}`, "value.refreshToken: holds the control character 0x1b at byte 1"},
	}
	for _, tc := range cases {
		r := h.run(tc.stdin, tc.args...)
		if r.code != exitOther || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: exit %d, want %q in:\n%s", tc.args, r.code, tc.want, r.err)
		}
		noRawControls(t, "stored value error", r.err)
	}
	if n := h.storedKeys(); n != 0 {
		t.Errorf("%d values were stored", n)
	}
	if c := h.catalog(); len(c.Secrets) != 0 {
		t.Errorf("the catalog holds %d secrets", len(c.Secrets))
	}
}
