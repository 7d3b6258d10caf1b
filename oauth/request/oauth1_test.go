package request

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// Obviously fake OAuth 1.0a values for the tests that sign against a
// handler of their own.
const (
	fakeConsumerSecret = "fake-consumer-secret-cccc"
	fakeOA1Token       = "fake-oa1-token-dddd"
	fakeOA1TokenSecret = "fake-oa1-token-secret-eeee"
)

// oauth1Fixture is a workspace whose OAuth 1.0a clients point at a loopback
// provider and hold token credentials it issued.
type oauth1Fixture struct {
	srv    *oauth1provider.Server
	v      *vault.Vault
	sender *Sender
	// secrets are every secret value of the workspace, for leak checks.
	secrets []string
}

var (
	oa1Once sync.Once
	oa1Fix  *oauth1Fixture
	oa1Err  error
)

// sharedOAuth1Fixture starts one provider and authorizes an HMAC-SHA1 and
// an RSA-SHA256 client through the real three-legged flow (the provider's
// test browser approving), once for the package's tests.
func sharedOAuth1Fixture(t *testing.T) *oauth1Fixture {
	t.Helper()
	oa1Once.Do(func() { oa1Fix, oa1Err = startOAuth1Fixture() })
	if oa1Err != nil {
		t.Fatalf("OAuth 1.0a fixture: %v", oa1Err)
	}
	return oa1Fix
}

func startOAuth1Fixture() (*oauth1Fixture, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := oauth1provider.Start(context.Background(), oauth1provider.Config{})
	if err != nil {
		return nil, err
	}
	demo, _ := srv.Consumer(oauth1provider.DemoConsumerKey)
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		return nil, err
	}
	if err := v.UseEnv("dev"); err != nil {
		return nil, err
	}
	f := &oauth1Fixture{srv: srv, v: v, sender: oauth1Sender(v)}
	f.secrets = append(f.secrets, demo.Secret)
	engine := &oauth1.Engine{Vault: v, Opener: func(ctx context.Context, authURL string) error {
		go func() {
			_ = oauth1provider.NewBrowser(oauth1provider.DemoUser, oauth1provider.DemoPassword).Open(context.WithoutCancel(ctx), authURL)
		}()
		return nil
	}, CallbackTimeout: 30 * time.Second}
	for _, c := range []struct{ name, method string }{{"hmac", oauth1.HMACSHA1}, {"rsa", oauth1.RSASHA256}} {
		ac := vault.AuthClient{
			Meta: vault.Meta{Name: c.name, Env: "dev"}, Type: vault.ClientOAuth1,
			Endpoints: vault.Endpoints{RequestToken: srv.RequestTokenURL, Authorization: srv.AuthorizeURL, Token: srv.AccessTokenURL},
			ClientID:  demo.Key, SignatureMethod: c.method,
		}
		creds := &vault.ClientCredentials{ClientSecret: demo.Secret}
		if oauth1.IsRSA(c.method) {
			creds = &vault.ClientCredentials{PrivateKey: demo.PrivateKeyPEM}
		}
		if _, err := v.PutClient(ctx, ac, creds); err != nil {
			return nil, err
		}
		r, err := engine.Authorize(ctx, oauth1.AuthorizeRequest{Env: "dev", Client: c.name}, oauth1.Callbacks{})
		if err != nil {
			return nil, fmt.Errorf("authorizing %s: %w", c.name, err)
		}
		f.secrets = append(f.secrets, r.Token, r.TokenSecret)
	}
	return f, nil
}

// assertNoOAuth1Secret fails when a token, token secret or consumer secret
// of the fixture appears in s (compared without printing them).
func (f *oauth1Fixture) assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for i, v := range f.secrets {
		if v == "" {
			t.Fatalf("secret %d is empty; the check would prove nothing", i)
		}
		if strings.Contains(s, v) || strings.Contains(s, oauth1.Encode(v)) {
			t.Errorf("%s contains secret %d (%d chars)", what, i, len(v))
		}
	}
}

// photos is what the provider's protected resource says it saw.
type photos struct {
	User, Consumer, Method, Placement, File, Size string
}

func decodePhotos(t *testing.T, r *Response) photos {
	t.Helper()
	if r.Body == nil {
		t.Fatalf("no body (status %d)", r.StatusCode)
	}
	var p photos
	if err := json.Unmarshal(r.Body.Bytes(), &p); err != nil {
		t.Fatalf("body: %v", err)
	}
	return p
}

// Signed requests against the provider's /photos, which verifies every
// signature: HMAC-SHA1 and RSA-SHA256, each in the header, the query and
// the form body, with query and form parameters signed too; the display
// copy masks the token and the signature (S-30, S-33).
func TestOAuth1SignedRequests(t *testing.T) {
	t.Parallel()
	f := sharedOAuth1Fixture(t)
	tests := []struct {
		auth      string
		method    string
		placement vault.Placement
		httpVerb  string
	}{
		{"hmac", oauth1.HMACSHA1, vault.PlaceHeader, "GET"},
		{"hmac", oauth1.HMACSHA1, vault.PlaceQuery, "GET"},
		{"hmac", oauth1.HMACSHA1, vault.PlaceBody, "POST"},
		{"hmac", oauth1.HMACSHA1, vault.PlaceHeader, "POST"},
		{"rsa", oauth1.RSASHA256, vault.PlaceHeader, "GET"},
		{"rsa", oauth1.RSASHA256, vault.PlaceQuery, "GET"},
		{"rsa", oauth1.RSASHA256, vault.PlaceBody, "POST"},
		{"rsa", oauth1.RSASHA256, vault.PlaceQuery, "POST"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.auth, tt.httpVerb, tt.placement), func(t *testing.T) {
			t.Parallel()
			spec := Spec{Method: tt.httpVerb, URL: f.srv.PhotosURL + "?file=vacation.jpg", Auth: tt.auth, Placement: tt.placement}
			if tt.httpVerb == "POST" {
				// No Content-Type: a form-looking body is sent as a form, as curl -d does, so its fields are signed.
				spec.Body = "size=original&note=a+b%21"
			}
			resp, err := f.sender.Send(context.Background(), "dev", spec, SendOptions{})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, problem %+v", resp.StatusCode, resp.OAuthProblem)
			}
			got := decodePhotos(t, resp)
			if got.Method != tt.method || got.Placement != string(tt.placement) || got.File != "vacation.jpg" || got.User != oauth1provider.DemoUser {
				t.Errorf("the provider saw %+v", got)
			}
			if tt.httpVerb == "POST" && got.Size != "original" {
				t.Errorf("the form body field did not arrive: %+v", got)
			}
			shown := preparedText(resp.Request) + resp.URL
			f.assertNoSecret(t, "the request as shown", shown)
			if !strings.Contains(shown, `oauth_signature`) || !strings.Contains(shown, mask.Dots) {
				t.Errorf("the display lacks the masked signature:\n%s", shown)
			}
			if resp.Request.Placement != tt.placement || !strings.Contains(resp.Request.Credential, "OAuth 1.0a token") || !strings.Contains(resp.Request.Credential, tt.method) {
				t.Errorf("credential %q, placement %q", resp.Request.Credential, resp.Request.Placement)
			}
			if warned := strings.Contains(strings.Join(resp.Request.Warnings, "\n"), "URL query"); warned != (tt.placement == vault.PlaceQuery) {
				t.Errorf("query warning %v for placement %s: %q", warned, tt.placement, resp.Request.Warnings)
			}
			entry := resp.HistoryEntry("dev", "", spec, time.Now())
			b, _ := json.Marshal(entry)
			f.assertNoSecret(t, "the history entry", string(b))
		})
	}
}

// copyWorkspace copies auth client name of the fixture and its token
// secret, stored under tokenName, into a fresh workspace; tamper changes
// the token value before it is stored.
func (f *oauth1Fixture) copyWorkspace(t *testing.T, name, tokenName string, tamper func(*vault.SecretValue)) (*vault.Vault, *vaulttest.CountingStore) {
	t.Helper()
	ctx := context.Background()
	cat, err := f.v.Load()
	if err != nil {
		t.Fatal(err)
	}
	ac, _ := cat.Client("dev", name)
	sec, _ := cat.Secret("dev", name)
	creds, err := f.v.ClientCredentials(ctx, *ac)
	if err != nil {
		t.Fatal(err)
	}
	val, err := f.v.SecretValue(ctx, *sec)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(&val)
	}
	store := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	cp := *ac
	cp.ID = ""
	if _, err := v.PutClient(ctx, cp, &creds); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: tokenName, Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: name}, &val); err != nil {
		t.Fatal(err)
	}
	return v, store
}

// The auth client's name signs with its token secret, like the secret's name.
func TestOAuth1ByClientName(t *testing.T) {
	t.Parallel()
	f := sharedOAuth1Fixture(t)
	v, _ := f.copyWorkspace(t, "rsa", "rsa-token", nil)
	for _, name := range []string{"rsa", "rsa-token"} {
		resp, err := oauth1Sender(v).Send(context.Background(), "dev", Spec{URL: f.srv.PhotosURL, Auth: name}, SendOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := decodePhotos(t, resp); resp.StatusCode != http.StatusOK || got.Method != oauth1.RSASHA256 {
			t.Errorf("%s: status %d, %+v", name, resp.StatusCode, got)
		}
	}
}

// Bad input and missing configuration: clear errors, nothing sent.
func TestOAuth1Errors(t *testing.T) {
	t.Parallel()
	f := sharedOAuth1Fixture(t)
	ctx := context.Background()
	// A client that was never authorized, and a token secret naming no client.
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "fresh", Env: "dev"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: f.srv.RequestTokenURL, Authorization: f.srv.AuthorizeURL, Token: f.srv.AccessTokenURL},
		ClientID:  "ck", SignatureMethod: oauth1.HMACSHA1,
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: fakeConsumerSecret}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "loose", Env: "dev"}, Type: vault.TypeOAuth1Token},
		&vault.SecretValue{Token: fakeOA1Token, TokenSecret: fakeOA1TokenSecret}); err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	rec := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	other := oauth1Sender(v)
	tests := []struct {
		name   string
		sender *Sender
		spec   Spec
		kind   oauth.Kind
		want   string
	}{
		{"body placement with GET", f.sender, Spec{URL: rec.URL, Auth: "hmac", Placement: vault.PlaceBody}, oauth.KindOther, "needs a method with a form body"},
		{"body placement with JSON", f.sender, Spec{
			Method: "POST", URL: rec.URL, Auth: "hmac", Placement: vault.PlaceBody,
			Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"a":1}`,
		}, oauth.KindOther, "application/x-www-form-urlencoded"},
		{"protocol parameter already in the URL", f.sender, Spec{URL: rec.URL + "?oauth_token=x", Auth: "hmac"}, oauth.KindOther, "already carries the protocol parameter oauth_token"},
		{"client never authorized", other, Spec{URL: rec.URL, Auth: "fresh"}, oauth.KindNotConfigured, "no token credentials yet"},
		{"token secret without a client", other, Spec{URL: rec.URL, Auth: "loose"}, oauth.KindNotConfigured, "names no auth client"},
	}
	for _, tt := range tests {
		_, err := tt.sender.Send(ctx, "dev", tt.spec, SendOptions{})
		if err == nil || oauth.KindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v (kind %s), want %s and %q", tt.name, err, oauth.KindOf(err), tt.kind, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), fakeOA1TokenSecret) {
			t.Errorf("%s: the error carries the token secret", tt.name)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// S-34: allowedHosts are checked before the store is read or anything is
// signed; the token secret's own list counts as well as its client's.
func TestOAuth1AllowedHostsBeforeSigning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "photos", Env: "dev", AllowedHosts: []string{"api.example.com"}}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
		ClientID:  "ck", SignatureMethod: oauth1.HMACSHA1,
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: fakeConsumerSecret}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []vault.Secret{
		{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		{Meta: vault.Meta{Name: "own", Env: "dev", AllowedHosts: []string{"other.example.com"}}, Type: vault.TypeOAuth1Token},
	} {
		if _, err := v.PutSecret(ctx, s, &vault.SecretValue{Token: fakeOA1Token, TokenSecret: fakeOA1TokenSecret}); err != nil {
			t.Fatal(err)
		}
	}
	var hits atomic.Int32
	rec := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	sender := oauth1Sender(v)
	before := store.Calls()
	for _, name := range []string{"photos", "own"} {
		_, err := sender.Send(ctx, "dev", Spec{URL: rec.URL, Auth: name}, SendOptions{})
		var he *HostRefusedError
		if !errors.As(err, &he) || oauth.KindOf(err) != oauth.KindNotConfigured {
			t.Errorf("%s: %v, want a refused host", name, err)
		}
	}
	if n := store.Calls() - before; n != 0 {
		t.Errorf("%d store calls before the host was refused", n)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// A wrong token secret: the provider's problem report comes back explained.
func TestOAuth1SignatureMismatch(t *testing.T) {
	t.Parallel()
	f := sharedOAuth1Fixture(t)
	v, _ := f.copyWorkspace(t, "hmac", "tampered", func(val *vault.SecretValue) { val.TokenSecret += "x" })
	resp, err := oauth1Sender(v).Send(context.Background(), "dev", Spec{URL: f.srv.PhotosURL, Auth: "tampered"}, SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := resp.OAuthProblem
	if resp.StatusCode != http.StatusUnauthorized || p == nil || p.Code != "signature_invalid" || !strings.Contains(p.Reason, "could not verify the signature") || p.Hint == "" {
		t.Fatalf("status %d, problem %+v", resp.StatusCode, p)
	}
}

// Prepare without reveal reads nothing and shows what the catalog knows;
// with reveal the request is really signed.
func TestOAuth1Prepare(t *testing.T) {
	t.Parallel()
	f := sharedOAuth1Fixture(t)
	ctx := context.Background()
	// A workspace of its own, so no other test's calls are counted.
	v, store := f.copyWorkspace(t, "hmac", "hmac", nil)
	sender := oauth1Sender(v)
	before := store.Calls()
	p, err := sender.Prepare(ctx, "dev", Spec{
		URL: f.srv.PhotosURL, Auth: "hmac",
		Headers: []vault.Header{{Name: "Authorization", Value: "Basic dXNlcjpwYXNz"}},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := store.Calls() - before; n != 0 {
		t.Errorf("a masked Prepare made %d store calls", n)
	}
	auth := ""
	for _, h := range p.Headers {
		if h.Name == "Authorization" {
			auth = h.Value
		}
	}
	want := `OAuth oauth_consumer_key="` + oauth1provider.DemoConsumerKey + `", oauth_token="` + mask.Dots + `", oauth_signature_method="HMAC-SHA1"`
	if !strings.HasPrefix(auth, want) || !strings.Contains(auth, `oauth_signature="`+mask.Dots+`"`) {
		t.Errorf("masked header %q", auth)
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "header Authorization was replaced") {
		t.Errorf("warnings %q", p.Warnings)
	}
	r, err := sender.Prepare(ctx, "dev", Spec{URL: f.srv.PhotosURL, Auth: "hmac"}, true)
	if err != nil {
		t.Fatal(err)
	}
	_, ps, err := oauth1.ParseAuthorization(r.Headers[len(r.Headers)-1].Value)
	if err != nil {
		t.Fatalf("revealed header: %v", err)
	}
	for _, x := range ps {
		if x.Name == "oauth_signature" && (x.Value == "" || strings.Contains(x.Value, mask.Dots)) {
			t.Errorf("the revealed header has no real signature")
		}
	}
}

// verifyingServer checks every request's signature with the fixed fake
// secrets and remembers the nonces it saw.
type verifyingServer struct {
	mu     sync.Mutex
	nonces []string
	bad    []string
}

func (vs *verifyingServer) check(r *http.Request) bool {
	in, err := oauth1.ParseRequest(r, "http")
	if err == nil {
		err = in.Verify(fakeConsumerSecret, fakeOA1TokenSecret, nil)
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if err != nil {
		vs.bad = append(vs.bad, r.URL.Path+": "+err.Error())
		return false
	}
	vs.nonces = append(vs.nonces, in.Get("oauth_nonce"))
	return true
}

// redirectWorkspace holds a client with fixed fake secrets and its token.
func redirectWorkspace(t testing.TB) *Sender {
	t.Helper()
	ctx := context.Background()
	v := vault.NewMemory()
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: "https://p.example/rt", Authorization: "https://p.example/a", Token: "https://p.example/at"},
		ClientID:  "ck", SignatureMethod: oauth1.HMACSHA256,
	}
	if _, err := v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: fakeConsumerSecret}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "photos"},
		&vault.SecretValue{Token: fakeOA1Token, TokenSecret: fakeOA1TokenSecret}); err != nil {
		t.Fatal(err)
	}
	return oauth1Sender(v)
}

// Redirects: on the same origin the request is signed anew (fresh nonce, a
// signature over the new URL); to another origin nothing of the credential
// goes along; a body carrying the parameters is not re-sent.
func TestOAuth1Redirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		placement vault.Placement
		method    string
		status    int
		target    string // "same" or "other"
		// want: the final status, and whether the redirect was followed
		wantStatus int
	}{
		{"header, same origin", vault.PlaceHeader, "GET", http.StatusFound, "same", 200},
		{"query, same origin", vault.PlaceQuery, "GET", http.StatusFound, "same", 200},
		{"header, same origin, 307 POST form", vault.PlaceHeader, "POST", http.StatusTemporaryRedirect, "same", 200},
		{"header, other origin", vault.PlaceHeader, "GET", http.StatusFound, "other", 200},
		{"query, other origin", vault.PlaceQuery, "GET", http.StatusFound, "other", 200},
		{"body, same origin", vault.PlaceBody, "POST", http.StatusTemporaryRedirect, "same", http.StatusTemporaryRedirect},
		{"body, other origin", vault.PlaceBody, "POST", http.StatusTemporaryRedirect, "other", http.StatusTemporaryRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sender := redirectWorkspace(t)
			vs := &verifyingServer{}
			dest := newRecorder(t, "127.0.0.2:0", nil)
			var src *recorder
			src = newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
				// The recorder read the body; the signature check needs it again.
				got := src.got()
				r.Body = io.NopCloser(strings.NewReader(got[len(got)-1].Body))
				if !vs.check(r) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				if r.URL.Path == "/final" {
					_, _ = io.WriteString(w, `{"ok":true}`)
					return
				}
				to := dest.URL + "/landing"
				if tt.target == "same" {
					to = src.URL + "/final"
				}
				// Echo the query, as some servers do, protocol parameters included.
				if r.URL.RawQuery != "" {
					to += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, to, tt.status)
			})
			spec := Spec{Method: tt.method, URL: src.URL + "/start?x=1", Auth: "photos", Placement: tt.placement}
			if tt.method == "POST" {
				spec.Body = "a=1"
			}
			resp, err := sender.Send(context.Background(), "dev", spec, SendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; bad signatures %q, notes %q", resp.StatusCode, tt.wantStatus, vs.bad, resp.Notes)
			}
			vs.mu.Lock()
			bad, nonces := vs.bad, vs.nonces
			vs.mu.Unlock()
			if len(bad) > 0 {
				t.Errorf("signatures refused: %q", bad)
			}
			if tt.wantStatus != 200 {
				if len(dest.got()) != 0 || len(resp.Notes) == 0 || !strings.Contains(resp.Notes[0], "not followed") {
					t.Errorf("a body with the parameters went on: destination %d requests, notes %q", len(dest.got()), resp.Notes)
				}
				return
			}
			switch tt.target {
			case "same":
				if len(nonces) != 2 || nonces[0] == nonces[1] {
					t.Errorf("nonces %q: the redirect was not signed anew", nonces)
				}
				if !strings.Contains(strings.Join(resp.Notes, "\n"), "signed again") {
					t.Errorf("notes %q", resp.Notes)
				}
			case "other":
				got := dest.got()
				if len(got) != 1 {
					t.Fatalf("destination got %d requests", len(got))
				}
				hop := got[0]
				if hop.Header.Get("Authorization") != "" || strings.Contains(hop.URL, "oauth_") || strings.Contains(hop.Body, "oauth_") {
					t.Errorf("the credential went to another origin: %s %v", hop.URL, hop.Header)
				}
				if !strings.Contains(hop.URL, "x=1") {
					t.Errorf("the ordinary query was lost: %s", hop.URL)
				}
				if len(resp.Redirects) != 1 || !resp.Redirects[0].Stripped {
					t.Errorf("redirect not reported as stripped: %+v", resp.Redirects)
				}
			}
			for _, s := range []string{fakeOA1Token, fakeOA1TokenSecret, fakeConsumerSecret} {
				if strings.Contains(fmt.Sprint(resp.Redirects, resp.Notes, resp.URL, preparedText(resp.Request)), s) {
					t.Errorf("a secret shows in the redirect record")
				}
			}
		})
	}
}

func TestStripProtocolQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, out  string
		stripped bool
	}{
		{"", "", false},
		{"a=1", "a=1", false},
		{"a=1&oauth_token=x&b=2", "a=1&b=2", true},
		{"oauth%5Fsignature=x&oauth_nonce=y", "", true},
		{"not_oauth_x=1&oauth_=2", "not_oauth_x=1", true},
		{"%zz=1&oauth_a=2", "%zz=1", true},
	}
	for _, tt := range tests {
		u := &url.URL{RawQuery: tt.in}
		if got := stripProtocolQuery(u); got != tt.stripped || u.RawQuery != tt.out {
			t.Errorf("strip(%q) = %q, %v; want %q, %v", tt.in, u.RawQuery, got, tt.out, tt.stripped)
		}
	}
}

// oauth1Sender is a sender whose OAuth 1.0a credentials are signed by an
// oauth1.Engine over v, as package oauth/engines wires it.
func oauth1Sender(v *vault.Vault) *Sender {
	return &Sender{Vault: v, Engine: &oauth.Dispatcher{Vault: v, OAuth1: &oauth1.Engine{Vault: v}}}
}
