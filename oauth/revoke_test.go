package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

var (
	structuredOnce sync.Once
	structuredPG   *playground.Server
	structuredErr  error
)

// structuredPlayground is a provider that, like panva's oidc-provider,
// answers unsupported_token_type when asked to revoke or introspect a JWT
// access token.
func structuredPlayground(t testing.TB) *playground.Server {
	t.Helper()
	structuredOnce.Do(func() {
		structuredPG, structuredErr = playground.Start(context.Background(), playground.Config{StructuredTokensOnly: true})
	})
	if structuredErr != nil {
		t.Fatalf("starting the playground: %v", structuredErr)
	}
	return structuredPG
}

// signedInClient registers a confidential code+refresh client at s, signs
// in and returns the engine holding the token set "app".
func signedInClient(t *testing.T, s *playground.Server) (*Engine, *Result, vault.AuthClient) {
	t.Helper()
	dc := registerSecretClient(t, s, playground.AuthMethodBasic, []string{playground.GrantAuthorizationCode, playground.GrantRefreshToken})
	e := newEngine(t)
	ac, creds := authClient("app", s, dc, vault.GrantAuthorizationCode)
	ac.Scopes = []string{"openid", "offline_access", playground.ScopeAPIRead}
	ac = putClient(t, e, ac, creds)
	r, _ := signIn(t, e, "app", FlowCallbacks{})
	if r.RefreshToken == "" {
		t.Fatalf("no refresh token")
	}
	return e, r, ac
}

func storedValue(t *testing.T, e *Engine, name string) (*vault.SecretValue, bool) {
	t.Helper()
	sec, err := e.Vault.Secret(vault.DefaultEnv, name)
	if errors.Is(err, vault.ErrNotConfigured) {
		return nil, false
	}
	mustf(t, err, "secret")
	v, err := e.Vault.SecretValue(ctxT(t), sec)
	mustf(t, err, "value")
	return &v, true
}

// The bug users hit: a provider that cannot revoke JWT access tokens. The
// refresh token is revoked first (the grant ends), the access token is
// reported as unrevocable with its expiry, that is not a failure, and the
// token set is gone (RFC 7009 §2.2.1).
func TestRevokeOnProviderThatCannotRevokeJWTs(t *testing.T) {
	t.Parallel()
	s := structuredPlayground(t)
	e, r, ac := signedInClient(t, s)
	tr := NewTranscript()
	rep, err := e.RevokeTokens(ctxT(t), TokenRequest{Name: "app", Transcript: tr}, RevokeOptions{})
	mustf(t, err, "revoke\n%s", tr.Text())
	if !slices.Equal(rep.Revoked, []TokenKind{RefreshToken}) || !rep.GrantEnded || !rep.Removed {
		t.Fatalf("report: %+v", rep)
	}
	if len(rep.Unrevocable) != 1 || rep.Unrevocable[0].Kind != AccessToken || !strings.Contains(rep.Unrevocable[0].Description, "Structured JWT Tokens cannot be revoked") {
		t.Fatalf("unrevocable: %+v", rep.Unrevocable)
	}
	if d := rep.Unrevocable[0].Expires.Sub(r.Expiry); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("unrevocable expiry %v, the token expires %v", rep.Unrevocable[0].Expires, r.Expiry)
	}
	if got := rep.String(); !strings.Contains(got, "cannot be revoked by this provider; it expires at ") {
		t.Errorf("report text: %q", got)
	}
	if _, ok := storedValue(t, e, "app"); ok {
		t.Errorf("the token set is still stored after the grant was revoked")
	}
	// The grant really ended: the refresh token no longer works.
	creds, err := e.Vault.ClientCredentials(ctxT(t), ac)
	mustf(t, err, "creds")
	_, err = e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: creds, RefreshToken: r.RefreshToken}, FlowCallbacks{})
	if oe := kindIs(t, err, KindRejected); oe.Code != "invalid_grant" {
		t.Errorf("refresh after revoke: %v", err)
	}
	// The order: refresh token first.
	var hints []string
	for _, x := range tr.Exchanges() {
		if x.Step == "revocation" {
			for _, p := range x.Params {
				if p.Name == "token_type_hint" {
					hints = append(hints, p.Value)
				}
			}
		}
	}
	if !slices.Equal(hints, []string{"refresh_token", "access_token"}) {
		t.Errorf("revocation order %v, want refresh_token then access_token", hints)
	}
	noLeakedSecret(t, "transcript", tr.Text(), r.AccessToken, r.RefreshToken)
}

// --access-token on such a provider changes nothing and is not a failure;
// --refresh-token ends the grant and deletes the set.
func TestRevokeOneTokenOnStructuredProvider(t *testing.T) {
	t.Parallel()
	s := structuredPlayground(t)
	e, r, _ := signedInClient(t, s)
	before, _ := storedValue(t, e, "app")
	rep, err := e.RevokeTokens(ctxT(t), TokenRequest{Name: "app"}, RevokeOptions{Only: AccessToken})
	mustf(t, err, "revoke --access-token")
	if len(rep.Revoked) != 0 || len(rep.Unrevocable) != 1 || rep.Removed || rep.Kept != "the token set unchanged" {
		t.Fatalf("report: %+v", rep)
	}
	after, ok := storedValue(t, e, "app")
	if !ok || !reflect.DeepEqual(*after, *before) {
		t.Fatalf("the token set changed although nothing was revoked")
	}
	if callAPI(t, s, r.AccessToken) != 200 {
		t.Errorf("the unrevocable access token stopped working")
	}
	rep, err = e.RevokeTokens(ctxT(t), TokenRequest{Name: "app"}, RevokeOptions{Only: RefreshToken})
	mustf(t, err, "revoke --refresh-token")
	if !slices.Equal(rep.Revoked, []TokenKind{RefreshToken}) || !rep.Removed {
		t.Fatalf("report: %+v", rep)
	}
	if _, ok := storedValue(t, e, "app"); ok {
		t.Errorf("token set kept after the grant was revoked")
	}
}

// On a provider that revokes access tokens, --access-token revokes it and
// keeps the refresh token, so the next token call refreshes.
func TestRevokeAccessTokenKeepsGrant(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	e, r, _ := signedInClient(t, s)
	rep, err := e.RevokeTokens(ctxT(t), TokenRequest{Name: "app"}, RevokeOptions{Only: AccessToken})
	mustf(t, err, "revoke --access-token")
	if !slices.Equal(rep.Revoked, []TokenKind{AccessToken}) || rep.GrantEnded || rep.Removed || rep.Kept != "the refresh token" {
		t.Fatalf("report: %+v", rep)
	}
	if callAPI(t, s, r.AccessToken) != 401 {
		t.Errorf("the revoked access token still works")
	}
	v, ok := storedValue(t, e, "app")
	if !ok || v.AccessToken != "" || v.RefreshToken != r.RefreshToken {
		t.Fatalf("stored: ok=%v access=%v refresh kept=%v", ok, v != nil && v.AccessToken != "", v != nil && v.RefreshToken == r.RefreshToken)
	}
	nr, err := e.Token(ctxT(t), TokenRequest{Name: "app"}, FlowCallbacks{})
	mustf(t, err, "token after revoking the access token")
	if !nr.Refreshed || callAPI(t, s, nr.AccessToken) != 200 {
		t.Errorf("token after revoke: refreshed=%v", nr.Refreshed)
	}
	// Both, on this provider: both revoked, set deleted.
	rep, err = e.RevokeTokens(ctxT(t), TokenRequest{Name: "app"}, RevokeOptions{})
	mustf(t, err, "revoke")
	if !slices.Equal(rep.Revoked, []TokenKind{RefreshToken, AccessToken}) || !rep.Removed || len(rep.Unrevocable) != 0 {
		t.Fatalf("report: %+v", rep)
	}
	_, err = e.RevokeTokens(ctxT(t), TokenRequest{Name: "app"}, RevokeOptions{})
	kindIs(t, err, KindMissingInput)
}

// Revocation endpoints that fail: nothing deleted when the grant could not
// be revoked; after the grant ended, the refresh token is dropped and the
// access token kept for another try (S-37).
func TestRevokeFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// answer for the refresh token, then the access token
		refresh, access http.HandlerFunc
		kind            Kind
		want            string
		// what stays stored: "both", "access", "none"
		stored string
	}{
		{"refresh rejected", jsonReply(401, `{"error":"invalid_client"}`), nil, KindRejected, "client authentication failed", "both"},
		{"refresh unsupported", jsonReply(400, `{"error":"unsupported_token_type"}`), nil, KindRejected, "cannot revoke the refresh token, so the grant stays alive", "both"},
		{"access fails after grant ended", jsonReply(200, `{}`), jsonReply(503, `{"error":"temporarily_unavailable"}`), KindUnreachable, "the refresh token was revoked (the grant has ended), but the access token could not be revoked", "access"},
		{"access unsupported", jsonReply(200, `{}`), jsonReply(400, `{"error":"unsupported_token_type","error_description":"Structured JWT Tokens cannot be revoked"}`), 0, "", "none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				if r.PostForm.Get("token_type_hint") == "refresh_token" {
					tc.refresh(w, r)
					return
				}
				if tc.access == nil {
					t.Errorf("the access token was revoked after the refresh token failed")
					w.WriteHeader(500)
					return
				}
				tc.access(w, r)
			}))
			t.Cleanup(srv.Close)
			e := newEngine(t)
			ac, creds := ccClient(srv.URL + "/token")
			ac.Endpoints.Revocation = srv.URL + "/revoke"
			putClient(t, e, ac, creds)
			orig := vault.SecretValue{AccessToken: "access-token-value", RefreshToken: "refresh-token-value", TokenType: "Bearer", Expires: "2030-01-02T03:04:05Z"}
			_, err := e.Vault.PutSecret(ctxT(t), vault.Secret{Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "svc"}, &orig)
			mustf(t, err, "token set")
			rep, err := e.RevokeTokens(ctxT(t), TokenRequest{Name: "svc"}, RevokeOptions{})
			if tc.want == "" {
				mustf(t, err, "revoke")
				if len(rep.Unrevocable) != 1 || !rep.Unrevocable[0].Expires.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
					t.Errorf("unrevocable: %+v", rep.Unrevocable)
				}
			} else {
				kindIs(t, err, tc.kind)
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q lacks %q", err, tc.want)
				}
				noLeakedSecret(t, "error", err.Error(), "access-token-value", "refresh-token-value", "svc-secret-value")
			}
			v, ok := storedValue(t, e, "svc")
			switch tc.stored {
			case "both":
				if !ok || !reflect.DeepEqual(*v, orig) {
					t.Errorf("the token set changed although the grant was not revoked")
				}
			case "access":
				if !ok || v.RefreshToken != "" || v.AccessToken != orig.AccessToken {
					t.Errorf("want only the access token kept: ok=%v", ok)
				}
			case "none":
				if ok {
					t.Errorf("the token set is still stored")
				}
			}
		})
	}
}

// Introspection on a provider that will not introspect JWT access tokens
// falls back to local verification against the JWKS and says so; the
// refresh token is still introspected by the provider.
func TestIntrospectFallsBackToLocalVerification(t *testing.T) {
	t.Parallel()
	s := structuredPlayground(t)
	e, r, ac := signedInClient(t, s)
	tr := NewTranscript()
	in, err := e.Introspect(ctxT(t), TokenRequest{Name: "app", Transcript: tr}, AccessToken)
	mustf(t, err, "introspect")
	if in.Local == nil || !strings.Contains(in.Local.Why, "unsupported_token_type") || !strings.Contains(in.Local.Why, "cannot be introspected") {
		t.Fatalf("no local verification: %+v", in.Local)
	}
	if !in.Active || in.Local.JWKSURL != s.Endpoints().JWKS || in.Issuer != s.Issuer || in.Expiry == nil {
		t.Fatalf("local verification: active=%v jwks=%q iss=%q", in.Active, in.Local.JWKSURL, in.Issuer)
	}
	results := map[string]CheckResult{}
	for _, c := range in.Local.Checks {
		results[c.Name] = c.Result
	}
	want := map[string]CheckResult{"signature": CheckPassed, "exp": CheckPassed, "aud": CheckSkipped, "iss": CheckPassed, "scope": CheckPassed}
	for k, v := range want {
		if results[k] != v {
			t.Errorf("check %s = %s, want %s (%+v)", k, results[k], v, in.Local.Checks)
		}
	}
	if !strings.Contains(tr.Text(), "verifying the token locally") {
		t.Errorf("the transcript does not say the token was verified locally")
	}
	// With the API as the audience the aud check runs.
	ac.Audience = s.APIURL
	_, err = e.Vault.PutClient(ctxT(t), ac, nil)
	mustf(t, err, "client")
	in, err = e.Introspect(ctxT(t), TokenRequest{Name: "app"}, AccessToken)
	mustf(t, err, "introspect")
	if in.Local.Checks[2].Result != CheckPassed {
		t.Errorf("aud check: %+v", in.Local.Checks[2])
	}
	ac.Audience = "https://other.example"
	_, err = e.Vault.PutClient(ctxT(t), ac, nil)
	mustf(t, err, "client")
	in, err = e.Introspect(ctxT(t), TokenRequest{Name: "app"}, AccessToken)
	mustf(t, err, "introspect")
	if in.Active || in.Local.Checks[2].Result != CheckFailed {
		t.Errorf("wrong audience accepted: %+v", in.Local.Checks[2])
	}
	// The refresh token: the provider answers.
	rin, err := e.Introspect(ctxT(t), TokenRequest{Name: "app"}, RefreshToken)
	mustf(t, err, "introspect the refresh token")
	if rin.Local != nil || !rin.Active {
		t.Errorf("refresh token introspection: local=%v active=%v", rin.Local != nil, rin.Active)
	}
	// A tampered token is no JWT of the provider's: it says inactive.
	tamper(t, e, "app", r.AccessToken)
	in, err = e.Introspect(ctxT(t), TokenRequest{Name: "app"}, AccessToken)
	mustf(t, err, "introspect")
	if in.Active {
		t.Errorf("tampered token is active")
	}
}

// A provider without an introspection endpoint: the JWT is verified locally
// against the configured JWKS; an opaque token gets the plain error.
func TestIntrospectWithoutEndpoint(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	dc := demo(t, s, playground.ClientServiceBasic)
	e := newEngine(t)
	ep := s.Endpoints()
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: ep.Token, JWKS: ep.JWKS}, ClientID: dc.ClientID,
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{playground.ScopeAPIRead},
		Audience: s.APIURL,
	}
	putClient(t, e, ac, &vault.ClientCredentials{ClientSecret: dc.Secret})
	_, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
	mustf(t, err, "token")
	in, err := e.Introspect(ctxT(t), TokenRequest{Name: "svc"}, AccessToken)
	mustf(t, err, "introspect")
	if in.Local == nil || in.Local.Why != "the provider publishes no introspection endpoint" || !in.Active {
		t.Fatalf("local: %+v", in.Local)
	}
	if in.Local.Checks[3].Result != CheckSkipped {
		t.Errorf("iss check without an issuer: %+v", in.Local.Checks[3])
	}
	// A tampered token fails the signature check and is not active.
	v, _ := storedValue(t, e, "svc")
	tamper(t, e, "svc", v.AccessToken)
	in, err = e.Introspect(ctxT(t), TokenRequest{Name: "svc"}, AccessToken)
	mustf(t, err, "introspect")
	if in.Active || in.Local.Checks[0].Result != CheckFailed {
		t.Errorf("tampered token: active=%v signature=%+v", in.Active, in.Local.Checks[0])
	}
	sec, _ := e.Vault.Secret(vault.DefaultEnv, "svc")
	_, err = e.Vault.PutSecret(ctxT(t), sec, &vault.SecretValue{AccessToken: "opaque-token", TokenType: "Bearer"})
	mustf(t, err, "opaque")
	_, err = e.Introspect(ctxT(t), TokenRequest{Name: "svc"}, AccessToken)
	kindIs(t, err, KindNotConfigured)
}

// tamper stores token with one bit of its signature flipped as name's access token.
func tamper(t *testing.T, e *Engine, name, token string) {
	t.Helper()
	v, _ := storedValue(t, e, name)
	parts := strings.Split(token, ".")
	sig := []byte(parts[2])
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	v.AccessToken = parts[0] + "." + parts[1] + "." + string(sig)
	sec, _ := e.Vault.Secret(vault.DefaultEnv, name)
	_, err := e.Vault.PutSecret(ctxT(t), sec, v)
	mustf(t, err, "tamper")
}
