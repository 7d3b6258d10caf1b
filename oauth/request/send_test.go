package request

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/mask"
)

func send(t *testing.T, f *fixture, spec Spec) *Response {
	t.Helper()
	resp, err := f.sender.Send(context.Background(), f.env, spec, SendOptions{})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return resp
}

// assertNoSecret fails when any fake secret value appears in s (compared
// without printing the value).
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, v := range []string{fakeAPIKey, fakeBearerKey, fakePassword, fakeSecretVar, fakeToken1, fakeToken2} {
		if strings.Contains(s, v) {
			t.Errorf("%s contains a secret value (%d chars)", what, len(v))
		}
	}
}

func preparedText(p Prepared) string {
	var b strings.Builder
	fmt.Fprintln(&b, p.Method, p.URL, p.Credential, p.Body)
	for _, h := range p.Headers {
		fmt.Fprintln(&b, h.Name+": "+h.Value)
	}
	return b.String()
}

// TestSendCredentialKinds sends each kind of credential and checks where the
// server found it, and that the display copy masks it (S-30, S-33).
func TestSendCredentialKinds(t *testing.T) {
	t.Parallel()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("demo-user:"+fakePassword))
	tests := []struct {
		name  string
		spec  Spec
		check func(t *testing.T, r recorded)
		desc  string
	}{
		{"API key header", Spec{URL: "/x", Auth: "apikey"}, func(t *testing.T, r recorded) {
			if r.Header.Get("X-API-Key") != fakeAPIKey || r.Header.Get("Authorization") != "" {
				t.Error("X-API-Key not sent as configured")
			}
		}, `API key "apikey" in header X-API-Key`},
		{"API key query parameter", Spec{URL: "/x?a=1", Auth: "apikey-query"}, func(t *testing.T, r recorded) {
			if !strings.Contains(r.URL, "api_key="+fakeAPIKey) || !strings.Contains(r.URL, "a=1") {
				t.Error("api_key query parameter not sent")
			}
		}, `API key "apikey-query" in query parameter api_key`},
		{"bearer API key", Spec{URL: "/x", Auth: "bearer-key"}, func(t *testing.T, r recorded) {
			if r.Header.Get("Authorization") != "Bearer "+fakeBearerKey {
				t.Error("bearer API key not in Authorization")
			}
		}, `bearer token "bearer-key" in the Authorization header`},
		{"basic", Spec{URL: "/x", Auth: "basic"}, func(t *testing.T, r recorded) {
			if r.Header.Get("Authorization") != basic {
				t.Error("basic credentials not sent")
			}
		}, `basic credentials "basic" (user demo-user)`},
		{"OAuth token in the header (default)", Spec{URL: "/x", Auth: "oauth"}, func(t *testing.T, r recorded) {
			if r.Header.Get("Authorization") != "Bearer "+fakeToken1 {
				t.Error("token not in Authorization")
			}
		}, `OAuth token "oauth" in the Authorization header`},
		{"OAuth token in the query (S-14)", Spec{URL: "/x", Auth: "oauth", Placement: vault.PlaceQuery}, func(t *testing.T, r recorded) {
			if !strings.Contains(r.URL, "access_token="+fakeToken1) || r.Header.Get("Authorization") != "" {
				t.Error("token not (only) in the query")
			}
		}, `OAuth token "oauth" in the URL query (access_token)`},
		{"OAuth token in the form body (S-14)", Spec{
			Method: "POST", URL: "/x", Body: "a=1", Auth: "oauth", Placement: vault.PlaceBody,
			Headers: []vault.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		}, func(t *testing.T, r recorded) {
			if r.Body != "a=1&access_token="+fakeToken1 || r.Header.Get("Authorization") != "" {
				t.Error("token not (only) in the form body")
			}
		}, `OAuth token "oauth" in the form body (access_token)`},
		{"bearer API key in the query", Spec{URL: "/x", Auth: "bearer-key", Placement: vault.PlaceQuery}, func(t *testing.T, r recorded) {
			if !strings.Contains(r.URL, "access_token="+fakeBearerKey) {
				t.Error("bearer key not in the query")
			}
		}, `bearer token "bearer-key" in the URL query (access_token)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			srv := newRecorder(t, "", nil)
			spec := tt.spec
			spec.URL = srv.URL + spec.URL
			resp := send(t, f, spec)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := srv.got()
			if len(got) != 1 {
				t.Fatalf("server got %d requests", len(got))
			}
			tt.check(t, got[0])
			if resp.Request.Credential != tt.desc {
				t.Errorf("credential = %q, want %q", resp.Request.Credential, tt.desc)
			}
			assertNoSecret(t, "prepared request", preparedText(resp.Request))
			assertNoSecret(t, "final URL", resp.URL)
			if tt.spec.Placement == vault.PlaceQuery || tt.spec.Placement == vault.PlaceBody || tt.spec.Auth == "apikey-query" {
				if len(resp.Request.Warnings) == 0 {
					t.Error("a token in the query or body must carry a warning (S-14)")
				}
			} else if len(resp.Request.Warnings) != 0 {
				t.Errorf("unexpected warnings %q", resp.Request.Warnings)
			}
		})
	}
}

func TestSendPlacementErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"body placement on GET", Spec{URL: "/x", Auth: "oauth", Placement: vault.PlaceBody}, "needs a request with a form body"},
		{"body placement with a JSON body", Spec{
			Method: "POST", URL: "/x", Auth: "oauth", Placement: vault.PlaceBody, Body: `{}`,
			Headers: []vault.Header{{Name: "Content-Type", Value: "application/json"}},
		}, "application/x-www-form-urlencoded"},
		{"query placement of a header API key", Spec{URL: "/x", Auth: "apikey", Placement: vault.PlaceQuery}, "applies to bearer tokens"},
		{"body placement of basic credentials", Spec{Method: "POST", URL: "/x", Auth: "basic", Placement: vault.PlaceBody}, "applies to bearer tokens"},
		{"unknown placement", Spec{URL: "/x", Auth: "oauth", Placement: "cookie"}, "not header, body or query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			srv := newRecorder(t, "", nil)
			spec := tt.spec
			spec.URL = srv.URL + spec.URL
			_, err := f.sender.Send(context.Background(), f.env, spec, SendOptions{})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tt.want)
			}
			if n := len(srv.got()); n != 0 {
				t.Fatalf("server got %d requests; nothing may be sent", n)
			}
		})
	}
}

// TestRefreshOnInvalidToken: 401 invalid_token → exactly one refresh and one retry (S-19).
func TestRefreshOnInvalidToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		accept      string // token the server accepts ("" = none)
		wantStatus  int
		wantReqs    int
		wantForced  int32
		wantRefresh bool
	}{
		{"refresh fixes it", fakeToken2, 200, 2, 1, true},
		{"still rejected after one refresh", "", 401, 2, 1, true},
		{"first token fine", fakeToken1, 200, 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
				if tt.accept != "" && r.Header.Get("Authorization") == "Bearer "+tt.accept {
					_, _ = io.WriteString(w, `{"ok":true}`)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="test", error="invalid_token", error_description="expired"`)
				w.WriteHeader(http.StatusUnauthorized)
			})
			resp := send(t, f, Spec{URL: srv.URL + "/me", Auth: "oauth"})
			if resp.StatusCode != tt.wantStatus || resp.Refreshed != tt.wantRefresh {
				t.Fatalf("status %d refreshed %v", resp.StatusCode, resp.Refreshed)
			}
			if n := len(srv.got()); n != tt.wantReqs {
				t.Fatalf("server got %d requests, want %d", n, tt.wantReqs)
			}
			if got := f.tokens.forced.Load(); got != tt.wantForced {
				t.Fatalf("forced refreshes = %d, want %d", got, tt.wantForced)
			}
		})
	}
}

// TestNoRefreshOnInsufficientScope: 403 insufficient_scope → no refresh, the scope is reported (S-19).
func TestNoRefreshOnInsufficientScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="api:write"`)
		w.WriteHeader(http.StatusForbidden)
	})
	resp := send(t, f, Spec{Method: "POST", URL: srv.URL + "/data", Auth: "oauth"})
	scope, ok := resp.InsufficientScope()
	if !ok || scope != "api:write" {
		t.Fatalf("InsufficientScope = %q, %v", scope, ok)
	}
	if resp.Refreshed || f.tokens.forced.Load() != 0 || len(srv.got()) != 1 {
		t.Fatalf("refreshed=%v forced=%d requests=%d", resp.Refreshed, f.tokens.forced.Load(), len(srv.got()))
	}
}

// TestNoRefreshForStaticCredentials: an API key rejected with a Bearer
// invalid_token challenge has nothing to refresh.
func TestNoRefreshForStaticCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	resp := send(t, f, Spec{URL: srv.URL, Auth: "bearer-key"})
	if resp.StatusCode != http.StatusUnauthorized || resp.Refreshed || len(srv.got()) != 1 || f.tokens.calls.Load() != 0 {
		t.Fatalf("status %d refreshed %v requests %d token calls %d", resp.StatusCode, resp.Refreshed, len(srv.got()), f.tokens.calls.Load())
	}
}

// TestAllowedHostsRefused (S-34): nothing is sent, no value is read, no token fetched.
func TestAllowedHostsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", nil)
	before := f.store.Calls()
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL + "/x", Auth: "restricted"}, SendOptions{})
	var he *HostRefusedError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want *HostRefusedError", err)
	}
	if !strings.Contains(err.Error(), "api.example.com") || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("message %q should name the allowed hosts and say nothing was sent", err)
	}
	if oauth.KindOf(err) != oauth.KindNotConfigured {
		t.Errorf("kind %s", oauth.KindOf(err))
	}
	if len(srv.got()) != 0 || f.store.Calls() != before {
		t.Fatalf("requests %d, store calls %d", len(srv.got()), f.store.Calls()-before)
	}
	// The same credential goes to an allowed host: the check is not a blanket refusal.
	ok := []string{"127.0.0.1"}
	s, _ := f.v.Secret("dev", "restricted")
	s.AllowedHosts = ok
	if _, err := f.v.PutSecret(context.Background(), s, nil); err != nil {
		t.Fatal(err)
	}
	if resp := send(t, f, Spec{URL: srv.URL + "/x", Auth: "restricted"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("allowed host: status %d", resp.StatusCode)
	}
}

// TestAllowedHostsOfTheAuthClient: a token secret linked to an auth client
// is also bound by the client's allowedHosts.
func TestAllowedHostsOfTheAuthClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "idp", Env: "dev", AllowedHosts: []string{"*.example.com"}}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: "https://idp.example.com/token"}, ClientID: "c", AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials,
	}
	if _, err := f.v.PutClient(ctx, ac, &vault.ClientCredentials{ClientSecret: "fake-client-secret"}); err != nil {
		t.Fatal(err)
	}
	val := vault.SecretValue{AccessToken: "x", AuthClientID: "idp"}
	if _, err := f.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "linked", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "idp"}, &val); err != nil {
		t.Fatal(err)
	}
	srv := newRecorder(t, "", nil)
	for _, name := range []string{"linked", "idp"} {
		_, err := f.sender.Send(ctx, f.env, Spec{URL: srv.URL, Auth: name}, SendOptions{})
		var he *HostRefusedError
		if !errors.As(err, &he) {
			t.Fatalf("%s: err = %v", name, err)
		}
	}
	if len(srv.got()) != 0 || f.tokens.calls.Load() != 0 {
		t.Fatal("something was sent or fetched")
	}
}

// TestNeverSendsWithoutAuth (S-22): a credential that cannot be applied stops the request.
func TestNeverSendsWithoutAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tokens Engine
		auth   string
	}{
		{"token source fails", &fakeTokens{err: errors.New("provider down")}, "oauth"},
		{"token source returns nothing", &fakeTokens{tokens: []string{"  "}}, "oauth"},
		{"no token source", nil, "oauth"},
		{"unknown credential", &fakeTokens{tokens: []string{"x"}}, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.sender.Engine = tt.tokens
			srv := newRecorder(t, "", nil)
			_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL, Auth: tt.auth}, SendOptions{})
			if err == nil {
				t.Fatal("sent without the configured credential")
			}
			if len(srv.got()) != 0 {
				t.Fatal("a request went out")
			}
		})
	}
}

func TestPlainHTTPCredentialRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Refused before any lookup or connection: example.invalid is never resolved.
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: "http://api.example.invalid/x", Auth: "apikey"}, SendOptions{})
	var ce *CredentialError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("err = %v", err)
	}
	// Without a credential plain http is the user's business.
	_, err = f.sender.Send(context.Background(), f.env, Spec{URL: "http://127.0.0.1:1/x"}, SendOptions{})
	var te *TransportError
	if !errors.As(err, &te) || oauth.KindOf(err) != oauth.KindUnreachable {
		t.Fatalf("err = %v (kind %s), want a transport error", err, oauth.KindOf(err))
	}
}

func TestVariables(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", nil)
	resp := send(t, f, Spec{
		Method:  "POST",
		URL:     srv.URL + "/{{greeting}}",
		Headers: []vault.Header{{Name: "X-Secret", Value: "{{apiSecret}}"}, {Name: "X-Plain", Value: "{{ greeting }}"}},
		Body:    `{"msg":"{{greeting}}","s":"{{apiSecret}}"}`,
	})
	r := srv.got()[0]
	if r.URL != "/hello" || r.Header.Get("X-Secret") != fakeSecretVar || r.Header.Get("X-Plain") != "hello" ||
		r.Body != `{"msg":"hello","s":"`+fakeSecretVar+`"}` {
		t.Fatalf("variables not substituted: %s %v", r.URL, r.Header)
	}
	assertNoSecret(t, "prepared request", preparedText(resp.Request))
	if !strings.Contains(resp.Request.Body, `"msg":"hello"`) {
		t.Errorf("plain variables are shown: %q", resp.Request.Body)
	}

	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL + "/{{nope}}/{{greeting}}"}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), "{{nope}}") || !strings.Contains(err.Error(), `"dev"`) || oauth.KindOf(err) != oauth.KindMissingInput {
		t.Fatalf("unknown variable: err = %v (kind %s)", err, oauth.KindOf(err))
	}
	_, err = f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL, Headers: []vault.Header{{Name: "X", Value: "{{broken"}}}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), `header "X"`) {
		t.Fatalf("malformed template: err = %v", err)
	}
	if len(srv.got()) != 1 {
		t.Fatal("a request with a bad variable went out")
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{URL: ""}, "url: is empty"},
		{Spec{URL: "example.com/x"}, "not an absolute URL"},
		{Spec{URL: "ftp://example.com/x"}, "not http or https"},
		{Spec{URL: "https://user:pw@example.com/"}, "must not carry credentials"},
		{Spec{Method: "GE T", URL: "https://example.com/"}, "not an HTTP method"},
		{Spec{URL: "https://example.com/", Headers: []vault.Header{{Name: "Bad Name", Value: "x"}}}, "not a valid header name"},
		{Spec{URL: "https://example.com/", Headers: []vault.Header{{Name: "X", Value: "a\r\nInjected: 1"}}}, "line break"},
	}
	for _, tt := range tests {
		_, err := f.sender.Send(context.Background(), f.env, tt.spec, SendOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.spec, err, tt.want)
		}
	}
}

// TestPrepareMaskedReadsNothing: showing a request (or copying it as curl)
// makes no vault call and no token fetch; reveal shows real values.
func TestPrepareMaskedReadsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	spec := Spec{URL: "https://api.example.com/x?q={{greeting}}", Auth: "oauth", Headers: []vault.Header{{Name: "X-S", Value: "{{apiSecret}}"}}}
	before := f.store.Calls()
	p, err := f.sender.Prepare(context.Background(), f.env, spec, false)
	if err != nil {
		t.Fatal(err)
	}
	if f.store.Calls() != before || f.tokens.calls.Load() != 0 {
		t.Fatalf("masked prepare made %d store calls and %d token fetches", f.store.Calls()-before, f.tokens.calls.Load())
	}
	if p.URL != "https://api.example.com/x?q=hello" || p.Headers[0].Value != mask.Dots || p.Headers[1].Value != "Bearer "+mask.Dots {
		t.Fatalf("masked prepare: %s %v", p.URL, p.Headers)
	}
	p, err = f.sender.Prepare(context.Background(), f.env, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Revealed || p.Headers[0].Value != fakeSecretVar || p.Headers[1].Value != "Bearer "+fakeToken1 {
		t.Fatal("revealed prepare does not hold the real values")
	}
}

func TestMaskedValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"short", mask.Dots},
		{"abcdefgh", mask.Dots + "gh"},
		{"0123456789abcdef", mask.Dots + "cdef"},
		{"0123456789abcde\n", mask.Dots},
	}
	for _, tt := range tests {
		if got := MaskedValue(tt.in); got != tt.want {
			t.Errorf("MaskedValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRedirectNeverForwardsCredentials: a redirect to another origin carries
// no Authorization, no API key header, no secret-variable header, no query
// credential, no cookie and no Referer — and a same-origin redirect keeps them.
func TestRedirectNeverForwardsCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		auth      string
		placement vault.Placement
		target    string // "other-host", "other-port", "same"
	}{
		{"custom API key header to another host", "apikey", "", "other-host"},
		{"custom API key header to another port", "apikey", "", "other-port"},
		{"bearer token to another host", "oauth", "", "other-host"},
		{"query token to another host", "oauth", vault.PlaceQuery, "other-host"},
		{"query API key to another port", "apikey-query", "", "other-port"},
		{"basic to another host", "basic", "", "other-host"},
		{"API key header, same origin", "apikey", "", "same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			addr := "127.0.0.1:0"
			if tt.target == "other-host" {
				addr = "127.0.0.2:0"
			}
			dest := newRecorder(t, addr, nil)
			var src *recorder
			src = newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/final" {
					_, _ = io.WriteString(w, `{"same":true}`)
					return
				}
				to := dest.URL + "/landing?x=1"
				if tt.target == "same" {
					to = src.URL + "/final"
				}
				http.Redirect(w, r, to, http.StatusFound)
			})
			resp := send(t, f, Spec{
				URL: src.URL + "/start", Auth: tt.auth, Placement: tt.placement,
				Headers: []vault.Header{{Name: "X-Var", Value: "{{apiSecret}}"}, {Name: "Cookie", Value: "session=fake-cookie"}, {Name: "X-Plain", Value: "kept"}},
			})
			if resp.StatusCode != http.StatusOK || len(resp.Redirects) != 1 {
				t.Fatalf("status %d, redirects %v", resp.StatusCode, resp.Redirects)
			}
			var hop recorded
			if tt.target == "same" {
				got := src.got()
				hop = got[len(got)-1]
				if hop.Header.Get("X-API-Key") != fakeAPIKey || hop.Header.Get("X-Var") != fakeSecretVar {
					t.Fatal("a same-origin redirect lost the credential")
				}
				return
			}
			got := dest.got()
			if len(got) != 1 {
				t.Fatalf("destination got %d requests", len(got))
			}
			hop = got[0]
			for _, h := range []string{"Authorization", "X-API-Key", "X-Var", "Cookie", "Referer"} {
				if hop.Header.Get(h) != "" {
					t.Errorf("header %s was forwarded to another origin", h)
				}
			}
			if hop.Header.Get("X-Plain") != "kept" {
				t.Error("ordinary headers should still be forwarded")
			}
			assertNoSecret(t, "redirected request", fmt.Sprint(hop.URL, hop.Header, hop.Body))
			if !resp.Redirects[0].Stripped || len(resp.Notes) == 0 {
				t.Errorf("redirect not reported as stripped: %+v %q", resp.Redirects, resp.Notes)
			}
			assertNoSecret(t, "redirect record", fmt.Sprint(resp.Redirects, resp.URL))
		})
	}
}

// TestRedirectWithBodyTokenStops: a 307 would re-send the form body carrying
// the token to another origin, so it is not followed.
func TestRedirectWithBodyTokenStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dest := newRecorder(t, "127.0.0.2:0", nil)
	src := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dest.URL+"/steal", http.StatusTemporaryRedirect)
	})
	resp := send(t, f, Spec{Method: "POST", URL: src.URL, Auth: "oauth", Placement: vault.PlaceBody})
	if resp.StatusCode != http.StatusTemporaryRedirect || len(dest.got()) != 0 {
		t.Fatalf("status %d, destination requests %d", resp.StatusCode, len(dest.got()))
	}
	if len(resp.Notes) == 0 || !strings.Contains(resp.Notes[0], "not followed") {
		t.Fatalf("notes %q", resp.Notes)
	}
}

// TestRedirectWithSecretBodyStops covers S-41: a 307 or 308 would re-send a
// body carrying a secret variable to another origin, so it is not followed;
// a 303 (the body is dropped) and a same-origin 307 are.
func TestRedirectWithSecretBodyStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, ctype string
		status            int
		sameOrigin        bool
		follow            bool
	}{
		{"307 JSON body with a secret variable", `{"password":"{{apiSecret}}"}`, "application/json", http.StatusTemporaryRedirect, false, false},
		{"308 form body with a secret variable", "user=alice&password={{apiSecret}}", "application/x-www-form-urlencoded", http.StatusPermanentRedirect, false, false},
		{"307 body without secrets", `{"q":"plain"}`, "application/json", http.StatusTemporaryRedirect, false, true},
		{"303 drops the body", "password={{apiSecret}}", "application/x-www-form-urlencoded", http.StatusSeeOther, false, true},
		{"307 to the same origin", `{"password":"{{apiSecret}}"}`, "application/json", http.StatusTemporaryRedirect, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			dest := newRecorder(t, "127.0.0.2:0", nil)
			var src *recorder
			src = newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/final" {
					_, _ = io.WriteString(w, "ok")
					return
				}
				to := dest.URL + "/steal"
				if tt.sameOrigin {
					to = src.URL + "/final"
				}
				http.Redirect(w, r, to, tt.status)
			})
			resp := send(t, f, Spec{
				Method: "POST", URL: src.URL + "/start", Body: tt.body,
				Headers: []vault.Header{{Name: "Content-Type", Value: tt.ctype}},
			})
			if followed := resp.StatusCode == http.StatusOK; followed != tt.follow {
				t.Fatalf("status %d (followed %v, want %v), notes %q", resp.StatusCode, followed, tt.follow, resp.Notes)
			}
			for _, hop := range dest.got() {
				assertNoSecret(t, "request to another origin", string(hop.Body))
			}
			if !tt.follow && (len(dest.got()) != 0 || len(resp.Notes) == 0 || !strings.Contains(resp.Notes[0], "body carrying a secret")) {
				t.Fatalf("destination got %d requests; notes %q", len(dest.got()), resp.Notes)
			}
		})
	}
}

// TestErrorsAndHistoryHoldNoEncodedSecret covers S-42: a secret variable
// rendered into a URL that does not parse is not quoted by the error, and a
// server that echoes the credential back — the basic Authorization header's
// base64, a token URL-encoded or JSON-escaped — leaves none of it in the
// history entry.
func TestErrorsAndHistoryHoldNoEncodedSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Masked, the URL parses; with the value in it, it does not.
	const badValue = "fake-bad%zz-secret 9999"
	if err := f.v.SetVar(context.Background(), f.env, "badSecret", badValue, true); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"https://api.example.com:{{apiSecret}}/x", "https://api.example.com/{{badSecret}}"} {
		_, err := f.sender.Send(context.Background(), f.env, Spec{URL: target}, SendOptions{})
		if err == nil {
			t.Fatalf("%s was sent", target)
		}
		assertNoSecret(t, "the error", err.Error())
		if strings.Contains(err.Error(), "bad%zz") || strings.Contains(err.Error(), "bad%25zz") {
			t.Errorf("the error quotes the secret variable: %d chars", len(err.Error()))
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "url" {
			t.Errorf("error %v is not a url input error", err)
		}
	}

	echo := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		auth := r.Header.Get("Authorization")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"authorization": auth,
			"b64url":        base64.RawURLEncoding.EncodeToString([]byte(r.Header.Get("X-Var"))),
			"query":         url.QueryEscape(r.Header.Get("X-Var")),
		})
	})
	for _, auth := range []string{"basic", "oauth", "apikey"} {
		resp := send(t, f, Spec{URL: echo.URL, Auth: auth, Headers: []vault.Header{{Name: "X-Var", Value: "{{apiSecret}}"}}})
		entry := resp.HistoryEntry(f.env, "", Spec{URL: echo.URL, Auth: auth}, time.Now())
		b, _ := json.Marshal(entry)
		assertNoSecret(t, auth+" history entry", string(b))
		for _, encoded := range []string{
			base64.StdEncoding.EncodeToString([]byte("demo-user:" + fakePassword)),
			base64.RawURLEncoding.EncodeToString([]byte(fakeSecretVar)),
		} {
			if strings.Contains(string(b), encoded) {
				t.Errorf("%s: the history entry holds an encoded secret (%d chars)", auth, len(encoded))
			}
		}
		if !strings.Contains(entry.ResponseBody, "authorization") {
			t.Errorf("%s: the response body was not kept: %q", auth, entry.ResponseBody)
		}
	}
}

func TestRedirectLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var srv *recorder
	srv = newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	})
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{})
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.got()); n != MaxRedirects {
		t.Fatalf("requests %d", n)
	}
}

func newTLSRecorder(t *testing.T, clientAuth tls.ClientAuthType) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := ""
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprintf(w, `{"client":%q}`, cn)
	}))
	srv.TLS = &tls.Config{ClientAuth: clientAuth}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv, pool := newTLSRecorder(t, tls.NoClientCert)
	f := newFixture(t)

	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{})
	var te *TransportError
	if !errors.As(err, &te) || !strings.Contains(te.Reason, "not signed by a trusted authority") || oauth.KindOf(err) != oauth.KindUnreachable {
		t.Fatalf("untrusted certificate: err = %v", err)
	}

	resp, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL, Insecure: true}, SendOptions{})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("insecure: %v", err)
	}
	if !resp.Request.Insecure || !strings.Contains(strings.Join(resp.Request.Warnings, " "), "TLS certificate verification is OFF") {
		t.Fatal("turning verification off must be visible (S-15)")
	}

	trusting := &Sender{Vault: f.v, RootCAs: pool}
	resp, err = trusting.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{})
	if err != nil || resp.StatusCode != http.StatusOK || resp.TLS == "" || resp.Timing.TLS <= 0 {
		t.Fatalf("trusted: err %v, tls %q, timing %+v", err, resp.TLS, resp.Timing)
	}
}

func TestClientCertificate(t *testing.T) {
	t.Parallel()
	srv, pool := newTLSRecorder(t, tls.RequireAnyClientCert)
	f := newFixture(t)
	f.sender.RootCAs = pool
	resp := send(t, f, Spec{URL: srv.URL, Auth: "mtls"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body.Bytes()), "authdeck-test-client") {
		t.Fatalf("status %d body %s", resp.StatusCode, resp.Body.Bytes())
	}
	if !strings.Contains(resp.Request.Credential, "CN=authdeck-test-client") {
		t.Errorf("credential %q should describe the certificate", resp.Request.Credential)
	}
	if _, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{}); err == nil {
		t.Fatal("the server requires a client certificate; without one the handshake must fail")
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	start := time.Now()
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL, Timeout: 200 * time.Millisecond}, SendOptions{})
	var te *TransportError
	if !errors.As(err, &te) || te.Reason != "timed out" || oauth.KindOf(err) != oauth.KindUnreachable {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatal("the timeout was not honoured")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err = f.sender.Send(ctx, f.env, Spec{URL: srv.URL}, SendOptions{})
	if oauth.KindOf(err) != oauth.KindAborted {
		t.Fatalf("cancelled: err = %v, kind %s", err, oauth.KindOf(err))
	}
}

func TestResponseBodies(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte(`{"k":"v"},`), 1000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, r *Response)
	}{
		{"gzip", func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			gz := gzip.NewWriter(w)
			gz.Write([]byte("["))
			gz.Write(big)
			gz.Write([]byte("0]"))
			gz.Close()
		}, func(t *testing.T, r *Response) {
			if r.Encoding != "gzip" || r.Size != int64(len(big)+3) || r.WireSize >= r.Size || r.Kind != KindJSON {
				t.Fatalf("encoding %q size %d wire %d kind %v", r.Encoding, r.Size, r.WireSize, r.Kind)
			}
		}},
		{"corrupt gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("definitely not gzip"))
		}, nil},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			fl := w.(http.Flusher)
			for i := range 5 {
				fmt.Fprintf(w, "chunk %d\n", i)
				fl.Flush()
				time.Sleep(5 * time.Millisecond)
			}
		}, func(t *testing.T, r *Response) {
			if r.Body.Len() != 5 || r.Body.Line(4) != "chunk 4" || r.Timing.FirstByte > r.Timing.Total {
				t.Fatalf("lines %d, timing %+v", r.Body.Len(), r.Timing)
			}
		}},
		{"invalid UTF-8", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("ok \xff\xfe bytes\n\x1b[31mred"))
		}, func(t *testing.T, r *Response) {
			if r.Body.Line(0) != "ok \xff\xfe bytes" || r.Kind != KindText {
				t.Fatalf("the bytes must be kept as they are: %q", r.Body.Line(0))
			}
			if got := string(AppendDisplay(nil, r.Body.AppendLine(nil, 1, -1))); got != "␛[31mred" {
				t.Fatalf("display %q", got)
			}
		}},
		{"brotli is not decoded", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte{1, 2, 3})
		}, func(t *testing.T, r *Response) {
			if r.Encoding != "" || len(r.Notes) == 0 || r.Size != 3 {
				t.Fatalf("encoding %q notes %q", r.Encoding, r.Notes)
			}
		}},
		{"no content", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, func(t *testing.T, r *Response) {
			if r.Body != nil || r.Kind != KindEmpty || r.StatusCode != http.StatusNoContent {
				t.Fatalf("body %v kind %v", r.Body, r.Kind)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			srv := newRecorder(t, "", tt.handler)
			resp, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{})
			if tt.check == nil {
				if err == nil {
					t.Fatal("expected an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, resp)
		})
	}
}

// TestLargeBodies: a body at the in-memory limit is kept; one byte more goes
// to a 0600 temporary file, never held; a sink streams it instead.
func TestLargeBodies(t *testing.T) {
	t.Parallel()
	const limit = 50 << 20
	chunk := bytes.Repeat([]byte(`{"id":1,"name":"padding padding padding"},`), 1<<10)
	serve := func(n int, withLength bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if withLength {
				w.Header().Set("Content-Length", fmt.Sprint(n))
			}
			for n > 0 {
				k := min(n, len(chunk))
				if _, err := w.Write(chunk[:k]); err != nil {
					return
				}
				n -= k
			}
		}
	}
	tests := []struct {
		name       string
		size       int
		withLength bool
		wantFile   bool
	}{
		{"50 MB in memory", limit, true, false},
		{"over 50 MB with a length", limit + 1, true, true},
		{"over 50 MB chunked", limit + 1, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.sender.SpillDir = t.TempDir()
			srv := newRecorder(t, "", serve(tt.size, tt.withLength))
			resp := send(t, f, Spec{URL: srv.URL})
			if resp.Size != int64(tt.size) {
				t.Fatalf("size %d", resp.Size)
			}
			if !tt.wantFile {
				if resp.Body == nil || resp.Body.Size() != tt.size || resp.BodyFile != "" {
					t.Fatal("body should be in memory")
				}
				return
			}
			if resp.Body != nil || resp.BodyFile == "" || resp.Kind != KindJSON {
				t.Fatalf("body should be in a file: body %v file %q kind %v", resp.Body != nil, resp.BodyFile, resp.Kind)
			}
			fi, err := os.Stat(resp.BodyFile)
			if err != nil || fi.Size() != int64(tt.size) || fi.Mode().Perm() != 0o600 {
				t.Fatalf("temp file: %v size %d mode %v", err, fi.Size(), fi.Mode())
			}
			saved := filepath.Join(t.TempDir(), "body.json")
			if err := resp.SaveBody(saved); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(saved); err != nil || fi.Size() != int64(tt.size) || fi.Mode().Perm() != 0o600 {
				t.Fatalf("saved file: %v", err)
			}
			if resp.BodyFile != "" {
				t.Fatal("the temporary file should be gone after saving")
			}
		})
	}
	t.Run("discard", func(t *testing.T) {
		f := newFixture(t)
		f.sender.SpillDir = t.TempDir()
		f.sender.MaxBody = 1 << 10
		srv := newRecorder(t, "", serve(4<<10, false))
		resp := send(t, f, Spec{URL: srv.URL})
		name := resp.BodyFile
		if err := resp.Discard(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("discarded body file still exists")
		}
	})
	t.Run("spill limit", func(t *testing.T) {
		f := newFixture(t)
		f.sender.SpillDir = t.TempDir()
		f.sender.MaxBody, f.sender.MaxSpill = 1<<10, 8<<10
		srv := newRecorder(t, "", serve(64<<10, true))
		resp := send(t, f, Spec{URL: srv.URL})
		defer resp.Discard()
		if !resp.Truncated || resp.Size != 8<<10 {
			t.Fatalf("truncated %v size %d", resp.Truncated, resp.Size)
		}
	})
	t.Run("sink", func(t *testing.T) {
		f := newFixture(t)
		srv := newRecorder(t, "", serve(3<<20, false))
		var out bytes.Buffer
		var sawStatus int
		resp, err := f.sender.Send(context.Background(), f.env, Spec{URL: srv.URL}, SendOptions{Sink: func(r *Response) io.Writer {
			sawStatus = r.StatusCode
			return &out
		}})
		if err != nil || sawStatus != 200 || out.Len() != 3<<20 || resp.Body != nil || resp.Kind != KindJSON {
			t.Fatalf("err %v status %d streamed %d", err, sawStatus, out.Len())
		}
	})
}

func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	_, err := f.sender.Send(context.Background(), f.env, Spec{URL: u}, SendOptions{})
	var te *TransportError
	if !errors.As(err, &te) || !strings.Contains(te.Reason, "connection failed") || oauth.KindOf(err) != oauth.KindUnreachable {
		t.Fatalf("err = %v", err)
	}
}

func TestUserHeaderReplacedByCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", nil)
	resp := send(t, f, Spec{URL: srv.URL, Auth: "oauth", Headers: []vault.Header{{Name: "authorization", Value: "Bearer typed-by-hand"}}})
	got := srv.got()[0].Header.Values("Authorization")
	if len(got) != 1 || got[0] != "Bearer "+fakeToken1 {
		t.Fatalf("Authorization = %q", got)
	}
	if len(resp.Request.Warnings) == 0 {
		t.Fatal("replacing a typed header should be reported")
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		// an API that echoes the key back
		fmt.Fprintf(w, `{"you sent":%q}`, r.Header.Get("X-API-Key"))
	})
	resp := send(t, f, Spec{URL: srv.URL, Auth: "apikey"})
	if scrubbed := resp.Scrub(string(resp.Body.Bytes())); strings.Contains(scrubbed, fakeAPIKey) || !strings.Contains(scrubbed, mask.Dots) {
		t.Fatal("Scrub left the credential in an echoed body")
	}
}

// TestSessionAuthAndProxy: a session-auth secret's token comes from the
// token source and goes out as a bearer token; a configured proxy carries
// the request.
func TestSessionAuthAndProxy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "session", Env: "dev"}, Type: vault.ClientSessionAuth,
		SessionAuth: &vault.SessionTemplate{
			URL: "https://login.example.com/session", AuthType: vault.SessionFormAuth, TokenPath: "token",
			RequestFields: []vault.Param{{Key: "user", Value: "{{fields.user}}"}},
		},
	}
	if _, err := f.v.PutClient(ctx, ac, nil); err != nil {
		t.Fatal(err)
	}
	val := vault.SecretValue{AuthClientID: "session", InputFields: map[string]string{"user": "u"}}
	if _, err := f.v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: "sess", Env: "dev"}, Type: vault.TypeSessionAuth, AuthClient: "session"}, &val); err != nil {
		t.Fatal(err)
	}
	var proxied []string
	var mu sync.Mutex
	proxy := newRecorder(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied = append(proxied, r.URL.String())
		mu.Unlock()
		_, _ = io.WriteString(w, "via proxy")
	})
	pu, _ := url.Parse(proxy.URL)
	f.sender.Proxy = http.ProxyURL(pu)
	// Plain http to a non-loopback host needs AllowHTTP for a credential.
	resp := send(t, f, Spec{URL: "http://api.example.com/x", Auth: "sess", AllowHTTP: true})
	got := proxy.got()
	if resp.StatusCode != http.StatusOK || len(got) != 1 {
		t.Fatalf("status %d, proxy requests %d", resp.StatusCode, len(got))
	}
	mu.Lock()
	defer mu.Unlock()
	if proxied[0] != "http://api.example.com/x" || got[0].Header.Get("Authorization") != "Bearer "+fakeToken1 {
		t.Fatalf("proxy got %s with the session token: %v", proxied[0], got[0].Header.Get("Authorization") == "Bearer "+fakeToken1)
	}
	if f.tokens.calls.Load() != 1 || !strings.Contains(resp.Request.Credential, `session token "sess"`) {
		t.Fatalf("token calls %d, credential %q", f.tokens.calls.Load(), resp.Request.Credential)
	}
}
