package oauth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// sessionSetup stores a SESSION_AUTH client with tmpl and a secret with inputs.
func sessionSetup(t testing.TB, e *Engine, tmpl vault.SessionTemplate, inputs map[string]string) {
	t.Helper()
	putClient(t, e, vault.AuthClient{Meta: vault.Meta{Name: "dyn", Env: vault.DefaultEnv}, Type: vault.ClientSessionAuth, SessionAuth: &tmpl}, nil)
	_, err := e.Vault.PutSecret(ctxT(t), vault.Secret{Meta: vault.Meta{Name: "dyn-user", Env: vault.DefaultEnv}, Type: vault.TypeSessionAuth, AuthClient: "dyn"},
		&vault.SecretValue{InputFields: inputs})
	mustf(t, err, "session secret")
}

// dynamicsTemplate is a Dynamics 365 session-auth client in the secret-service form
// (vault/testdata/secretservice/session_client.json).
func dynamicsTemplate(base string) vault.SessionTemplate {
	return vault.SessionTemplate{
		URL:      base + "/{{fields.tenantid}}/oauth2/v2.0/token",
		AuthType: vault.SessionFormAuth,
		RequestFields: []vault.Param{
			{Key: "grant_type", Value: "client_credentials"},
			{Key: "scope", Value: "{{fields.scope}}"},
			{Key: "client_id", Value: "{{fields.clientid}}"},
			{Key: "client_secret", Value: "{{fields.secret}}"},
		},
		TokenPath:      "access_token",
		ExpirationPath: "expires_in",
	}
}

var dynamicsInputs = map[string]string{"tenantid": "contoso", "scope": "https://dyn.example/.default", "clientid": "user-app", "secret": "user-secret-value"}

// Session auth: the template is filled from the secret's input
// fields, sent as a form, the token read at tokenPath, the expiry at
// expirationPath, and the token cached in the secret until it expires.
func TestSessionAuthFormDynamics(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_ = r.ParseForm()
		f := r.PostForm
		if r.URL.Path != "/contoso/oauth2/v2.0/token" || f.Get("grant_type") != "client_credentials" || f.Get("client_id") != "user-app" ||
			f.Get("client_secret") != "user-secret-value" || f.Get("scope") != "https://dyn.example/.default" {
			jsonReply(400, `{"error":"invalid_request"}`)(w, r)
			return
		}
		jsonReply(200, `{"token_type":"Bearer","expires_in":3599,"access_token":"session-token-1"}`)(w, r)
	}))
	t.Cleanup(srv.Close)
	e := newEngine(t)
	sessionSetup(t, e, dynamicsTemplate(srv.URL), dynamicsInputs)
	tr := NewTranscript()
	r, err := e.Token(ctxT(t), TokenRequest{Name: "dyn", Transcript: tr}, FlowCallbacks{})
	mustf(t, err, "session auth")
	if r.AccessToken != "session-token-1" || r.Grant != GrantSessionAuth || r.ExpiresIn < 3598*time.Second || r.Secret != "dyn-user" {
		t.Fatalf("result: grant %q expires %s secret %q", r.Grant, r.ExpiresIn, r.Secret)
	}
	noLeakedSecret(t, "transcript", tr.Text(), "user-secret-value", "session-token-1")
	again, err := e.Token(ctxT(t), TokenRequest{Name: "dyn-user"}, FlowCallbacks{})
	mustf(t, err, "cached")
	if !again.FromCache || hits.Load() != 1 {
		t.Errorf("second call: fromCache=%v, %d requests", again.FromCache, hits.Load())
	}
	sec, _ := e.Vault.Secret(vault.DefaultEnv, "dyn-user")
	val, err := e.Vault.SecretValue(ctxT(t), sec)
	mustf(t, err, "value")
	if val.AccessToken != "session-token-1" || val.Expires == "" || val.InputFields["secret"] != "user-secret-value" || sec.TokenExpires == nil {
		t.Errorf("the secret does not cache the token with its input fields")
	}
}

// JSON_AUTH with nested paths and the expiry as a date, Unix seconds or a
// numeric string.
func TestSessionAuthJSONAndExpiryForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		expiry string
		want   time.Time
	}{
		{"date", `"2030-01-02T03:04:05Z"`, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"unix seconds", `1900000000`, time.Unix(1900000000, 0).UTC()},
		{"seconds as a string", `"120"`, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body map[string]string
				b, _ := io.ReadAll(r.Body)
				if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &body) != nil || body["user"] != "alice" || body["pass"] != "alice-password" {
					jsonReply(401, `{"message":"bad credentials"}`)(w, r)
					return
				}
				jsonReply(200, fmt.Sprintf(`{"data":{"session":[{"token":"json-session-token","expires":%s}]}}`, tc.expiry))(w, r)
			}))
			t.Cleanup(srv.Close)
			e := newEngine(t)
			now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			e.Now = func() time.Time { return now }
			sessionSetup(t, e, vault.SessionTemplate{
				URL: srv.URL + "/login", AuthType: vault.SessionJSONAuth,
				RequestFields: []vault.Param{{Key: "user", Value: "{{fields.user}}"}, {Key: "pass", Value: "{{fields.pass}}"}},
				TokenPath:     "data.session.0.token", ExpirationPath: "data.session.0.expires",
			},
				map[string]string{"user": "alice", "pass": "alice-password"})
			r, err := e.Token(ctxT(t), TokenRequest{Name: "dyn-user"}, FlowCallbacks{})
			mustf(t, err, "session auth")
			want := tc.want
			if want.IsZero() {
				want = now.Add(120 * time.Second)
			}
			if r.AccessToken != "json-session-token" || !r.Expiry.Equal(want) {
				t.Errorf("expiry %s, want %s", r.Expiry, want)
			}
		})
	}
}

// A missing field, a bad URL, a path that matches nothing: each a clear
// error naming it, with its exit code, and the secret unchanged.
func TestSessionAuthErrors(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasSuffix(r.URL.Path, "/deny") {
			jsonReply(401, `{"error":"invalid_client","error_description":"unknown client"}`)(w, r)
			return
		}
		jsonReply(200, `{"result":{"jwt":"tok-xyz"},"ttl":"soon"}`)(w, r)
	}))
	t.Cleanup(srv.Close)
	base := dynamicsTemplate(srv.URL)
	cases := []struct {
		name     string
		mutate   func(*vault.SessionTemplate, map[string]string)
		wantKind Kind
		want     []string
		network  bool
	}{
		{
			"missing input field", func(_ *vault.SessionTemplate, in map[string]string) { delete(in, "secret"); delete(in, "scope") },
			KindMissingInput,
			[]string{"{{fields.scope}}, {{fields.secret}}", "requestFields[1] (scope)", "requestFields[3] (client_secret)"},
			false,
		},
		{"bad URL once filled", func(tm *vault.SessionTemplate, in map[string]string) {
			tm.URL = "https://{{fields.tenantid}}/token"
			in["tenantid"] = "bad host!"
		}, KindNotConfigured, []string{"endpoints.auth.url", "invalid character"}, false},
		{
			"token path matches nothing", func(tm *vault.SessionTemplate, _ map[string]string) {
				tm.TokenPath, tm.ExpirationPath = "result.token", ""
			},
			KindBadResponse,
			[]string{`tokenPath "result.token" matches nothing`, `"result" has no key "token"`, "keys: jwt"},
			true,
		},
		{
			"expiration path matches nothing", func(tm *vault.SessionTemplate, _ map[string]string) {
				tm.TokenPath, tm.ExpirationPath = "result.jwt", "expires.at"
			},
			KindBadResponse,
			[]string{`expirationPath "expires.at" matches nothing`, "keys: result, ttl"},
			true,
		},
		{
			"expiry is not a time", func(tm *vault.SessionTemplate, _ map[string]string) {
				tm.TokenPath, tm.ExpirationPath = "result.jwt", "ttl"
			},
			KindBadResponse,
			[]string{`expirationPath "ttl"`, "neither a number of seconds nor a date"},
			true,
		},
		{
			"server refuses", func(tm *vault.SessionTemplate, _ map[string]string) { tm.URL = srv.URL + "/deny" },
			KindRejected,
			[]string{"invalid_client", "unknown client"},
			true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := base
			tmpl.RequestFields = append([]vault.Param(nil), base.RequestFields...)
			in := map[string]string{}
			for k, v := range dynamicsInputs {
				in[k] = v
			}
			tc.mutate(&tmpl, in)
			e := newEngine(t)
			sessionSetup(t, e, tmpl, in)
			before := hits.Load()
			_, err := e.Token(ctxT(t), TokenRequest{Name: "dyn"}, FlowCallbacks{})
			kindIs(t, err, tc.wantKind)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err.Error(), w)
				}
			}
			if sent := hits.Load() != before; sent != tc.network {
				t.Errorf("request sent = %v, want %v", sent, tc.network)
			}
			noLeakedSecret(t, "error", err.Error(), "user-secret-value", "tok-xyz")
			sec, _ := e.Vault.Secret(vault.DefaultEnv, "dyn-user")
			val, _ := e.Vault.SecretValue(ctxT(t), sec)
			if val.AccessToken != "" {
				t.Errorf("a token was cached after a failure")
			}
		})
	}
}

// LookupPath walks objects and arrays and says where it stops.
func TestLookupPath(t *testing.T) {
	t.Parallel()
	var doc any
	mustf(t, json.Unmarshal([]byte(`{"a":{"b":[{"c":"x"},"y"]},"n":3}`), &doc), "doc")
	for _, tc := range []struct{ path, want, err string }{
		{"a.b.0.c", "x", ""},
		{"a.b.1", "y", ""},
		{"a.b.2", "", "is a list of 2"},
		{"a.x", "", `has no key "x" (keys: b)`},
		{"n.m", "", "is a number, not an object"},
		{"", "", "is empty"},
	} {
		v, err := LookupPath(doc, tc.path)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want %q", tc.path, err, tc.err)
			}
			continue
		}
		if err != nil || v != tc.want {
			t.Errorf("%q = %v, %v", tc.path, v, err)
		}
	}
}
