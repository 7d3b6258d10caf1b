package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/oauth/playground/oauth1demo"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

var (
	oa1Once sync.Once
	oa1PG   *playground.Server
	oa1Err  error
)

// oauth1Playground is one playground with its OAuth 1.0a provider for the
// command tests: the flows run against the demo's own endpoints.
func oauth1Playground(t *testing.T) *playground.OAuth1 {
	t.Helper()
	oa1Once.Do(func() { oa1PG, oa1Err = oauth1demo.Start(context.Background(), playground.Config{}) })
	if oa1Err != nil {
		t.Fatalf("playground: %v", oa1Err)
	}
	return oa1PG.OAuth1
}

// waitBrowsers waits for the browsers and fails on their errors.
func waitBrowsers(t *testing.T, b *oauth1provider.Browsers) {
	t.Helper()
	for _, err := range b.Wait() {
		t.Errorf("browser: %v", err)
	}
}

// approve signs in as the demo user, approves, and follows the callback.
func approve(ctx context.Context, authURL string) error {
	return oauth1provider.NewBrowser(oauth1provider.DemoUser, oauth1provider.DemoPassword).Open(ctx, authURL)
}

// runOpened runs a command with an injected opener and no terminal.
func (h *harness) runOpened(open oauth.Opener, stdin string, args ...string) result {
	h.t.Helper()
	var out, errb strings.Builder
	a := &App{
		IO:        IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InFd: -1},
		Getenv:    func(k string) string { return h.env[k] },
		Now:       time.Now,
		OpenVault: func(*App) (*vault.Vault, error) { return h.v, nil },
		Opener:    open,
	}
	code := a.Run(args)
	return result{out: out.String(), err: errb.String(), code: code}
}

// startOpened runs a command in the background with stdin a terminal pipe
// and the opener made from the run (so a browser can type into it).
func startOpened(h *harness, open func(p *pipeRun) oauth.Opener, args ...string) *pipeRun {
	pr, pw := io.Pipe()
	p := &pipeRun{stdin: pw, done: make(chan int, 1)}
	a := &App{
		IO:        IOStreams{In: pr, Out: &p.stdout, Err: p, InFd: 0},
		Getenv:    func(k string) string { return h.env[k] },
		Now:       time.Now,
		OpenVault: func(*App) (*vault.Vault, error) { return h.v, nil },
		Opener:    open(p),
	}
	go func() { p.done <- a.Run(args) }()
	return p
}

// oauth1AddArgs are the `client add` arguments for the playground's
// OAuth 1.0a provider.
func oauth1AddArgs(o *playground.OAuth1, name, method string, extra ...string) []string {
	args := []string{
		"client", "add", name, "--oauth1", "--request-token-url", o.RequestTokenURL, "--auth-url", o.AuthorizeURL,
		"--token-url", o.AccessTokenURL, "--client-id", o.ConsumerKey, "--signature-method", method,
	}
	return append(args, extra...)
}

// addOAuth1 adds an OAuth 1.0a client through the CLI: HMAC and PLAINTEXT
// with the consumer secret on stdin, RSA with the demo key from a file.
func addOAuth1(t *testing.T, h *harness, o *playground.OAuth1, name, method string, extra ...string) {
	t.Helper()
	if strings.HasPrefix(method, "RSA-") {
		h.must("", oauth1AddArgs(o, name, method, append(extra, "--private-key-file", writeFile(t, "consumer.pem", o.PrivateKeyPEM))...)...)
		return
	}
	h.must(o.ConsumerSecret+"\n", oauth1AddArgs(o, name, method, append(extra, "--client-secret-stdin")...)...)
}

// checkCode checks the exit code and that the output says each of want.
func checkCode(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.out, r.err)
	}
	for _, w := range want {
		if !strings.Contains(r.all(), w) {
			t.Fatalf("output does not contain %q\nstdout: %s\nstderr: %s", w, r.out, r.err)
		}
	}
}

// storeFingerprint lists the catalog's secrets and the store's keys, to
// show a failed command stored nothing (S-37).
func (h *harness) storeFingerprint() string {
	h.t.Helper()
	var names []string
	for _, s := range h.catalog().SecretsIn(vault.DefaultEnv) {
		names = append(names, s.Name)
	}
	return fmt.Sprint(names, h.storedKeys())
}

// `client add --oauth1`: what is missing or wrong is refused before
// anything is stored, naming the flag; a good client is stored with its
// consumer secret or RSA key in the vault, and shown masked.
func TestOAuth1ClientAdd(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPEM := writeFile(t, "ec.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string
	}{
		{
			"some flow URLs", "",
			[]string{"client", "add", "p", "--oauth1", "--request-token-url", o.RequestTokenURL, "--client-id", "k", "--signature-method", "HMAC-SHA1"},
			exitNotConfigured,
			[]string{"--auth-url, --token-url too", "or none of them"},
		},
		{"no consumer key", "", []string{
			"client", "add", "p", "--oauth1", "--request-token-url", o.RequestTokenURL, "--auth-url", o.AuthorizeURL,
			"--token-url", o.AccessTokenURL, "--signature-method", "HMAC-SHA1",
		}, exitMissingInput, []string{"--client-id"}},
		{"no signature method", "", oauth1AddArgs(o, "p", ""), exitMissingInput, []string{"--signature-method is required", "never guessed"}},
		{"unknown signature method", "", oauth1AddArgs(o, "p", "RSA-MD5"), exitOther, []string{`"RSA-MD5" is not HMAC-SHA1`, "--signature-method"}},
		{
			"OAuth 2.0 flags", "", oauth1AddArgs(o, "p", "HMAC-SHA1", "--grant", "client_credentials", "--scope", "x"), exitOther,
			[]string{"--grant, --scope do not apply to an OAuth 1.0a client"},
		},
		{"OAuth 1.0a flags without --oauth1", "", []string{
			"client", "add", "p", "--token-url", o.AccessTokenURL, "--client-id", "k",
			"--auth-method", "client_secret_basic", "--signature-method", "HMAC-SHA1",
		}, exitOther, []string{"--signature-method do not apply to an OAuth 2.0 client", "--oauth1"}},
		{"callback off loopback", "", oauth1AddArgs(o, "p", "HMAC-SHA1", "--callback", "https://example.com/cb"), exitOther, []string{"--callback", "loopback"}},
		{"plain http off loopback (S-13)", "", oauth1AddArgs(o, "p", "HMAC-SHA1", "--auth-url", "http://example.com/a"), exitOther, []string{"plain http"}},
		{"bad token method", "", oauth1AddArgs(o, "p", "HMAC-SHA1", "--token-method", "PUT"), exitOther, []string{`"PUT" is not GET or POST`, "--token-method"}},
		{"RSA without a key", "", oauth1AddArgs(o, "p", "RSA-SHA256"), exitMissingInput, []string{"RSA-SHA256 needs --private-key-file"}},
		{"RSA with an EC key", "", oauth1AddArgs(o, "p", "RSA-SHA1", "--private-key-file", ecPEM), exitOther, []string{"need an RSA key"}},
		{"HMAC without a secret or a terminal", "", oauth1AddArgs(o, "p", "HMAC-SHA1"), exitMissingInput, []string{"consumer secret is needed", "--client-secret-stdin"}},
		{"empty secret on stdin", "\n", oauth1AddArgs(o, "p", "PLAINTEXT", "--client-secret-stdin"), exitMissingInput, []string{"stdin was empty"}},
	}
	before := h.storeFingerprint()
	for _, tc := range cases {
		r := h.run(tc.stdin, tc.args...)
		checkResult(t, r, tc.code, tc.want, tc.args)
		if len(h.catalog().ClientsIn(vault.DefaultEnv)) != 0 || h.storeFingerprint() != before {
			t.Fatalf("%s: something was stored", tc.name)
		}
	}

	r := h.must(o.ConsumerSecret+"\n", oauth1AddArgs(o, "photos", "hmac-sha256", "--client-secret-stdin", "--callback", "oob", "--token-method", "get")...)
	if !strings.Contains(r.out, `Added OAuth 1.0a auth client "photos"`) || !strings.Contains(r.out, "HMAC-SHA256, callback oob") || !strings.Contains(r.out, "consumer secret") {
		t.Errorf("add output: %s", r.out)
	}
	noSecret(t, r, o.ConsumerSecret)
	ac, _ := h.catalog().Client(vault.DefaultEnv, "photos")
	if ac.Type != vault.ClientOAuth1 || ac.SignatureMethod != "HMAC-SHA256" || ac.Callback != "oob" || ac.TokenMethod != "GET" || ac.Grant != "" || ac.AuthMethod != "" {
		t.Errorf("stored client %+v", ac)
	}
	show := h.must("", "client", "show", "photos")
	for _, want := range []string{"request token:", o.RequestTokenURL, "signature method:", "HMAC-SHA256", "callback:", "oob (the verifier is typed in)", "consumer secret:"} {
		if !strings.Contains(show.out, want) {
			t.Errorf("client show lacks %q:\n%s", want, show.out)
		}
	}
	noSecret(t, show, o.ConsumerSecret)
	if list := h.must("", "client", "list"); !strings.Contains(list.out, "OAuth 1.0a") || !strings.Contains(list.out, "HMAC-SHA256") {
		t.Errorf("client list:\n%s", list.out)
	}

	// edit: OAuth 2.0 flags are refused; a switch to RSA needs the key.
	h.expect(exitOther, []string{"--grant do not apply to an OAuth 1.0a client"}, "", "client", "edit", "photos", "--grant", "device_code")
	h.expect(exitMissingInput, []string{"RSA-SHA256 needs --private-key-file"}, "", "client", "edit", "photos", "--signature-method", "RSA-SHA256")
	h.must("", "client", "edit", "photos", "--signature-method", "RSA-SHA256", "--private-key-file", writeFile(t, "k.pem", o.PrivateKeyPEM), "--callback", "loopback")
	ac, _ = h.catalog().Client(vault.DefaultEnv, "photos")
	if ac.SignatureMethod != "RSA-SHA256" || ac.Callback != "" || ac.KeyID == "" {
		t.Errorf("edited client %+v", ac)
	}
	show = h.must("", "client", "show", "photos", "--json")
	if strings.Contains(show.out, "PRIVATE KEY") {
		t.Errorf("client show prints the private key")
	}

	// No flow URL at all: a client that signs with stored token credentials.
	r = h.must(o.ConsumerSecret+"\n", "client", "add", "signer", "--oauth1", "--client-id", "k", "--signature-method", "HMAC-SHA1", "--client-secret-stdin")
	if !strings.Contains(r.out, `Added OAuth 1.0a auth client "signer"`) || !strings.Contains(r.err, "It has no flow") || !strings.Contains(r.err, "--type OA1_TOKEN --auth-client signer") {
		t.Errorf("adding a client without a flow: %s%s", r.out, r.err)
	}
	noSecret(t, r, o.ConsumerSecret)
	if ac, _ := h.catalog().Client(vault.DefaultEnv, "signer"); ac.Endpoints.RequestToken != "" || ac.Endpoints.Authorization != "" || ac.Endpoints.Token != "" {
		t.Errorf("stored client without a flow %+v", ac.Endpoints)
	}
}

var oauth1URLLine = regexp.MustCompile(`\n  (http://127\.0\.0\.1:\d+/oauth/authorize\?\S+)\n`)

// `authdeck token` for an OAuth 1.0a client: the three-legged flow with the
// browser opened through the opener (S-01: the URL on stderr too), the
// token alone on stdout, the token secret only with --reveal; later calls
// come from the vault; --force authorizes again; -v prints the transcript
// with the secrets redacted.
func TestOAuth1TokenCommand(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	addOAuth1(t, h, o, "photos", "HMAC-SHA1")
	var b oauth1provider.Browsers
	open := b.Opener(approve)
	r := h.runOpened(open, "", "token", "photos", "-f", "json")
	waitBrowsers(t, &b)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.err)
	}
	if !oauth1URLLine.MatchString(r.err) || !strings.Contains(r.err, `stored the token credentials in secret "photos"`) {
		t.Errorf("stderr:\n%s", r.err)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(r.out), &j); err != nil {
		t.Fatalf("json: %v\n%s", err, r.out)
	}
	stored := h.secretValue(vault.DefaultEnv, "photos")
	if j["token"] != stored.Token || j["has_token_secret"] != true || j["from_cache"] != false || j["protocol"] != "oauth1" ||
		j["signature_method"] != "HMAC-SHA1" || j["consumer_key"] != o.ConsumerKey || j["client"] != "photos" || j["secret"] != "photos" {
		t.Errorf("json: %v", j)
	}
	if _, ok := j["token_secret"]; ok {
		t.Errorf("json carries token_secret without --reveal")
	}
	if extra, _ := j["extra"].(map[string]any); extra["screen_name"] != oauth1provider.DemoUser {
		t.Errorf("extra: %v", j["extra"])
	}
	noSecret(t, r, stored.TokenSecret, o.ConsumerSecret)
	sec, _ := h.catalog().Secret(vault.DefaultEnv, "photos")
	if sec.Type != vault.TypeOAuth1Token || sec.AuthClient != "photos" {
		t.Errorf("secret %+v", sec)
	}

	// From the vault: no browser, the same token; --reveal adds the token secret.
	bare := h.runOpened(open, "", "token", "photos")
	if bare.code != 0 || bare.out != stored.Token+"\n" || bare.err != "" {
		t.Errorf("bare: exit %d, %d lines, stderr %q", bare.code, strings.Count(bare.out, "\n"), bare.err)
	}
	rev := h.runOpened(open, "", "token", "photos", "--reveal")
	if rev.out != stored.Token+"\n"+stored.TokenSecret+"\n" {
		t.Errorf("--reveal does not print the token and then the token secret")
	}
	js := h.runOpened(open, "", "token", "photos", "-f", "json", "--reveal")
	if err := json.Unmarshal([]byte(js.out), &j); err != nil || j["token_secret"] != stored.TokenSecret || j["from_cache"] != true {
		t.Errorf("json --reveal: from_cache %v, has the token secret %v", j["from_cache"], j["token_secret"] == stored.TokenSecret)
	}
	if n := len(b.URLs()); n != 1 {
		t.Errorf("the browser opened %d times", n)
	}

	// What does not apply is refused before anything runs.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"token", "photos", "-f", "header"}, exitUnsupported, "OAuth 1.0a signs each request"},
		{[]string{"token", "photos", "--scope", "read"}, exitOther, "--scope does not apply to OAuth 1.0a"},
		{[]string{"token", "introspect", "photos"}, exitNotConfigured, "OAuth 2.0 refresh, introspection and revocation do not apply"},
		{[]string{"token", "revoke", "photos"}, exitNotConfigured, "OAuth 2.0 refresh, introspection and revocation do not apply"},
	} {
		r := h.runOpened(open, "", tc.args...)
		checkResult(t, r, tc.code, []string{tc.want}, tc.args)
	}

	// --force authorizes again; -v shows each leg with the secrets redacted.
	force := h.runOpened(open, "", "token", "photos", "--force", "-v")
	waitBrowsers(t, &b)
	if force.code != 0 {
		t.Fatalf("--force: exit %d:\n%s", force.code, force.err)
	}
	fresh := h.secretValue(vault.DefaultEnv, "photos")
	if fresh.Token == stored.Token || force.out != fresh.Token+"\n" || len(b.URLs()) != 2 {
		t.Errorf("--force did not authorize again")
	}
	for _, want := range []string{"--- transcript (secrets redacted) ---", "[request token]", "[authorization]", "[access token]", "oauth_signature="} {
		if !strings.Contains(force.err, want) {
			t.Errorf("transcript lacks %q:\n%s", want, force.err)
		}
	}
	noSecret(t, force, fresh.TokenSecret, o.ConsumerSecret, stored.TokenSecret)
	if len(h.catalog().SecretsIn(vault.DefaultEnv)) != 1 {
		t.Errorf("--force made another secret")
	}
}

// S-01 with the real opener: $BROWSER names the program that gets the
// authorization URL (here a script that writes it to a file, from which
// the test's browser takes it); no opener is injected.
func TestOAuth1TokenHonoursBROWSER(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	addOAuth1(t, h, o, "photos", "PLAINTEXT")
	dir := t.TempDir()
	got := filepath.Join(dir, "url")
	script := writeFile(t, "browser.sh", "#!/bin/sh\nprintf '%s' \"$1\" > \""+got+".tmp\" && mv \""+got+".tmp\" \""+got+"\"\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	h.env["BROWSER"] = script
	done := make(chan result, 1)
	go func() { done <- h.runOpened(nil, "", "token", "photos") }()
	var authURL []byte
	for range 400 {
		if b, err := os.ReadFile(got); err == nil && len(b) > 0 {
			authURL = b
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if len(authURL) == 0 {
		t.Fatal("$BROWSER never got the URL")
	}
	if err := approve(context.Background(), string(authURL)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	r := <-done
	if r.code != 0 || r.out != h.secretValue(vault.DefaultEnv, "photos").Token+"\n" || !strings.Contains(r.err, string(authURL)) {
		t.Fatalf("exit %d:\n%s", r.code, r.err)
	}
}

// An oob callback: the verifier the provider's page shows is typed in on
// the terminal; a wrong one is refused by the provider (exit 7) and nothing
// is stored; without a terminal there is no way to type it (exit 3).
func TestOAuth1TokenOOB(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	addOAuth1(t, h, o, "photos", "RSA-SHA256", "--callback", "oob", "--token-method", "GET")
	before := h.storeFingerprint()
	var b oauth1provider.Browsers
	// typing reads the verifier off the page and types it (or wrong) on the terminal.
	typing := func(wrong bool) func(p *pipeRun) oauth.Opener {
		return func(p *pipeRun) oauth.Opener {
			return b.Opener(func(ctx context.Context, authURL string) error {
				a, err := oauth1provider.NewBrowser(oauth1provider.DemoUser, oauth1provider.DemoPassword).Authorize(ctx, authURL)
				if err != nil {
					return err
				}
				if a.Verifier == "" || a.Callback != nil {
					return fmt.Errorf("not an out-of-band page: %+v", a)
				}
				v := a.Verifier
				if wrong {
					v = "not-the-verifier"
				}
				_, err = fmt.Fprintf(p.stdin, "%s\n", v)
				return err
			})
		}
	}
	p := startOpened(h, typing(true), "token", "photos")
	code := <-p.done
	p.stdin.Close()
	waitBrowsers(t, &b)
	if code != exitRejected || !strings.Contains(p.errText(), "verifier_invalid") || !strings.Contains(p.errText(), "type the verifier") {
		t.Fatalf("wrong verifier: exit %d:\n%s", code, p.errText())
	}
	if h.storeFingerprint() != before {
		t.Fatalf("a failed authorization stored something")
	}
	r := h.runOpened(b.Opener(approve), "", "token", "photos")
	waitBrowsers(t, &b)
	checkResult(t, r, exitMissingInput, []string{"out-of-band (oob) callback", "no way to enter the verifier"}, []string{"token", "photos"})
	if h.storeFingerprint() != before {
		t.Fatalf("a refused authorization stored something")
	}

	p = startOpened(h, typing(false), "token", "photos", "-f", "json", "--reveal")
	code = <-p.done
	p.stdin.Close()
	waitBrowsers(t, &b)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, p.errText())
	}
	var j map[string]any
	if err := json.Unmarshal(p.stdout.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	stored := h.secretValue(vault.DefaultEnv, "photos")
	if j["token"] != stored.Token || j["token_secret"] != stored.TokenSecret || j["signature_method"] != "RSA-SHA256" {
		t.Errorf("json: token matches %v, token secret matches %v", j["token"] == stored.Token, j["token_secret"] == stored.TokenSecret)
	}
	noSecret(t, result{err: p.errText()}, stored.Token, stored.TokenSecret)
}

// Failures of the flow end with the provider's reason and exit 7, and
// store nothing (S-37): a consumer secret that does not match (the
// signature is refused) and temporary credentials that expired before they
// were exchanged.
func TestOAuth1TokenRejected(t *testing.T) {
	t.Parallel()
	t.Run("signature mismatch", func(t *testing.T) {
		t.Parallel()
		o := oauth1Playground(t)
		h := newHarness(t)
		h.must("not-the-consumer-secret\n", oauth1AddArgs(o, "photos", "HMAC-SHA1", "--client-secret-stdin")...)
		before := h.storeFingerprint()
		var b oauth1provider.Browsers
		r := h.runOpened(b.Opener(approve), "", "token", "photos")
		waitBrowsers(t, &b)
		checkResult(t, r, exitRejected, []string{"request token", "signature_invalid", "could not verify the signature", "check the consumer key and secret"}, []string{"token", "photos"})
		if len(b.URLs()) != 0 || h.storeFingerprint() != before {
			t.Errorf("the flow went on (browser opened %d times) or stored something", len(b.URLs()))
		}
		noSecret(t, r, "not-the-consumer-secret")
	})
	t.Run("expired temporary credentials", func(t *testing.T) {
		t.Parallel()
		var offset atomic.Int64
		srv, err := oauth1provider.Start(context.Background(), oauth1provider.Config{
			TempTokenLifetime: time.Minute, TimestampWindow: time.Hour,
			Now:       func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
			Consumers: []oauth1provider.Consumer{{Key: "slow-printer", Secret: "fake-consumer-secret-slow"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		h := newHarness(t)
		h.must("fake-consumer-secret-slow\n", "client", "add", "slow", "--oauth1", "--request-token-url", srv.RequestTokenURL,
			"--auth-url", srv.AuthorizeURL, "--token-url", srv.AccessTokenURL, "--client-id", "slow-printer", "--signature-method", "PLAINTEXT", "--client-secret-stdin")
		before := h.storeFingerprint()
		var b oauth1provider.Browsers
		// The user approves, then takes two minutes to come back.
		late := b.Opener(func(ctx context.Context, authURL string) error {
			br := oauth1provider.NewBrowser(oauth1provider.DemoUser, oauth1provider.DemoPassword)
			a, err := br.Authorize(ctx, authURL)
			if err != nil {
				return err
			}
			offset.Add(int64(2 * time.Minute))
			resp, err := br.Client.Get(a.Callback.String())
			if err == nil {
				resp.Body.Close()
			}
			return err
		})
		r := h.runOpened(late, "", "token", "slow")
		waitBrowsers(t, &b)
		// The flow talked to the user first, so the error is the last line.
		checkCode(t, r, exitRejected, "access token", "token_expired", "start the authorization again")
		if h.storeFingerprint() != before {
			t.Errorf("an expired authorization stored something")
		}
	})
}

// `authdeck request --auth` signs with HMAC-SHA1 and RSA-SHA256 in the
// header, the query and the form body; the playground's protected resource
// verifies each signature. A tampered token secret gets the provider's
// problem explained, and exit 7 with --fail.
func TestOAuth1RequestCommand(t *testing.T) {
	t.Parallel()
	o := oauth1Playground(t)
	h := newHarness(t)
	var b oauth1provider.Browsers
	for _, c := range []struct{ name, method string }{{"hmac", "HMAC-SHA1"}, {"rsa", "RSA-SHA256"}} {
		addOAuth1(t, h, o, c.name, c.method)
		if r := h.runOpened(b.Opener(approve), "", "token", c.name); r.code != 0 {
			t.Fatalf("token %s: exit %d:\n%s", c.name, r.code, r.err)
		}
	}
	waitBrowsers(t, &b)
	var secrets []string
	for _, n := range []string{"hmac", "rsa"} {
		v := h.secretValue(vault.DefaultEnv, n)
		secrets = append(secrets, v.Token, v.TokenSecret)
	}
	secrets = append(secrets, o.ConsumerSecret)
	tests := []struct {
		auth, method, placement, verb string
	}{
		{"hmac", "HMAC-SHA1", "header", "GET"},
		{"hmac", "HMAC-SHA1", "query", "GET"},
		{"hmac", "HMAC-SHA1", "body", "POST"},
		{"rsa", "RSA-SHA256", "header", "POST"},
		{"rsa", "RSA-SHA256", "query", "GET"},
		{"rsa", "RSA-SHA256", "body", "POST"},
	}
	for _, tt := range tests {
		args := []string{"request", tt.verb, o.PhotosURL + "?file=vacation.jpg", "--auth", tt.auth, "--placement", tt.placement, "-v"}
		if tt.verb == "POST" {
			args = append(args, "-d", "size=original")
		}
		r := h.must("", args...)
		var got map[string]string
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("%v: body %q: %v", args, r.out, err)
		}
		if got["method"] != tt.method || got["placement"] != tt.placement || got["file"] != "vacation.jpg" || (tt.verb == "POST" && got["size"] != "original") {
			t.Errorf("%v: the provider saw %v", args, got)
		}
		if !strings.Contains(r.err, "* credential: OAuth 1.0a token") {
			t.Errorf("%v: -v does not describe the credential:\n%s", args, r.err)
		}
		noSecret(t, r, secrets...)
	}

	// A tampered token secret: the signature is refused and explained.
	ctx := context.Background()
	val := h.secretValue(vault.DefaultEnv, "hmac")
	val.TokenSecret = "tampered-" + val.TokenSecret
	if _, err := h.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "tampered", Env: vault.DefaultEnv}, Type: vault.TypeOAuth1Token, AuthClient: "hmac"}, &val); err != nil {
		t.Fatal(err)
	}
	r := h.must("", "request", "GET", o.PhotosURL, "--auth", "tampered")
	if !strings.Contains(r.err, "the server rejected the OAuth 1.0a request (401 signature_invalid)") || !strings.Contains(r.err, "check the consumer key and secret") {
		t.Errorf("stderr:\n%s", r.err)
	}
	checkCode(t, h.run("", "request", "GET", o.PhotosURL, "--auth", "tampered", "--fail"), exitRejected, "HTTP 401", "--fail", "signature_invalid")
	noSecret(t, r, val.TokenSecret)
	// A client that was never authorized says how to authorize it; nothing is sent.
	addOAuth1(t, h, o, "never", "HMAC-SHA256")
	h.expect(exitNotConfigured, []string{`auth client "never" has no token credentials yet`, "authdeck token never"}, "", "request", "GET", o.PhotosURL, "--auth", "never")
	// S-34 before signing: the demo API is not an allowed host of a client that lists one.
	h.must("", "client", "edit", "hmac", "--allowed-host", strings.TrimPrefix(o.URL, "http://"))
	h.expect(exitNotConfigured, []string{"refusing to send credential", "allowedHosts"}, "", "request", "GET", oa1PG.APIURL+"/me", "--auth", "hmac")
}

// FuzzParseCallbackFlag: --callback never panics and only ever yields the
// loopback listener, oob, or an http URL on a loopback host (S-36).
func FuzzParseCallbackFlag(f *testing.F) {
	for _, s := range []string{
		"", "oob", "OOB", "loopback", "http://127.0.0.1:8765/cb", "http://[::1]:1/x", "https://127.0.0.1/cb",
		"http://example.com/cb", "http://127.0.0.1/cb?x=1", "http://user@127.0.0.1/", "%zz", "http://127.0.0.1:99999/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cb, err := parseCallbackFlag(s)
		if err != nil {
			if cb != "" {
				t.Fatalf("%q: a value with an error", s)
			}
			return
		}
		if cb == "" || cb == "oob" {
			return
		}
		u, perr := url.Parse(cb)
		if perr != nil || u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) || u.RawQuery != "" || u.User != nil {
			t.Fatalf("%q accepted as %q", s, cb)
		}
	})
}
