package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// The transcript redacts every secret — client secret, assertion, code,
// verifier, tokens, passwords — in parameters, headers, URLs and response
// bodies, and anything that merely looks like a JWT or equals a known
// secret value; it describes non-JSON bodies instead of showing them (S-18).
func TestTranscriptRedaction(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	r := &redactor{}
	r.addValue("known-secret-value")
	params := r.params(url.Values{
		"client_secret": {"s3cret-1"}, "client_assertion": {"a.b.c"}, "code": {"the-code"}, "code_verifier": {"the-verifier"},
		"refresh_token": {"rt-value"}, "password": {"hunter2"}, "username": {"alice"}, "scope": {"api:read"},
		"custom": {"prefix known-secret-value suffix"}, "hint": {jwt},
	})
	text := ""
	for _, p := range params {
		text += p.Name + "=" + p.Value + "\n"
	}
	for _, leak := range []string{"s3cret-1", "a.b.c", "the-code", "the-verifier", "rt-value", "hunter2", "known-secret-value", jwt} {
		if strings.Contains(text, leak) {
			t.Errorf("params leak %q:\n%s", leak, text)
		}
	}
	for _, keep := range []string{"username=alice", "scope=api:read", "custom=prefix [redacted] suffix"} {
		if !strings.Contains(text, keep) {
			t.Errorf("params lost %q:\n%s", keep, text)
		}
	}
	if h := r.header("Authorization", "Basic c3ZjOnNlY3JldA=="); h.Value != "Basic [redacted]" {
		t.Errorf("authorization header: %q", h.Value)
	}
	u := r.url("https://as.example/cb?code=abc123&state=st&x=1#access_token=tok123&token_type=bearer")
	if strings.Contains(u, "abc123") || strings.Contains(u, "tok123") || !strings.Contains(u, "state=st") || !strings.Contains(u, "code=[redacted]") {
		t.Errorf("url: %s", u)
	}
	fields, note := r.body("application/json", []byte(`{"access_token":"at-1","nested":{"id_token":"`+jwt+`","n":5,"list":["known-secret-value"]},"error":"none"}`))
	body := ""
	for _, f := range fields {
		body += f.Name + ": " + f.Value + "\n"
	}
	if note != "" || strings.Contains(body, "at-1") || strings.Contains(body, jwt) || strings.Contains(body, "known-secret-value") ||
		!strings.Contains(body, "nested.n: 5") || !strings.Contains(body, "error: none") {
		t.Errorf("json body:\n%s", body)
	}
	_, note = r.body("text/html", []byte("<html>access_token=at-1</html>"))
	if note != "30 bytes of text/html, not shown" {
		t.Errorf("html note %q", note)
	}
}

// The text rendering shows requests, responses, errors and explanations.
func TestTranscriptText(t *testing.T) {
	t.Parallel()
	tr := NewTranscript()
	var live []Exchange
	tr.OnRecord = func(x Exchange) { live = append(live, x) }
	i := tr.record(Exchange{
		Time: time.Now(), Step: "token", Method: "POST", URL: "https://as.example/token",
		RequestHeaders: []Field{{"Authorization", "Basic " + Redacted}}, Params: []Field{{"grant_type", "client_credentials"}},
		Status: 401, ContentType: "application/json", Response: []Field{{"error", "invalid_client"}}, Duration: 12 * time.Millisecond,
	})
	f := &flow{tr: tr, red: &redactor{}}
	f.fail(i, oauthError("token", "invalid_client", "", "", 401))
	tr.note("refresh", "the server rotated the refresh token")
	got := tr.Text()
	for _, want := range []string{
		"→ POST https://as.example/token  [token]",
		"    Authorization: Basic [redacted]",
		"    grant_type=client_credentials",
		"← 401 Unauthorized  application/json  (12ms)",
		"    error: invalid_client",
		"! token: client authentication failed [invalid_client]",
		"! client authentication failed — check the client id, the client secret or key, and the auth method",
		"• refresh\n  the server rotated the refresh token",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
	if tr.Len() != 2 || len(live) != 3 {
		t.Errorf("%d entries, %d live notifications", tr.Len(), len(live))
	}
	var nilT *Transcript
	if nilT.Text() != "" || nilT.Len() != 0 || nilT.record(Exchange{}) != -1 {
		t.Errorf("a nil transcript must record nothing")
	}
}

// Error messages: sanitised, with the code; the kind decides the sentinel
// errors.Is matches.
func TestErrorRendering(t *testing.T) {
	t.Parallel()
	e := oauthError("token", "invalid_grant", "code \x1b[1mexpired\x1b[0m", "", 400)
	if got := e.Error(); got != `token: the server refused the grant: the code or refresh token is invalid, expired, used or revoked, or the redirect URI differs [invalid_grant]: the server says "code ?[1mexpired?[0m"` {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(e, ErrRejected) || KindOf(e) != KindRejected || errors.Is(e, vault.ErrNotConfigured) {
		t.Errorf("%v: not a rejection alone", e)
	}
	r := refreshError(e, "api").(*Error)
	if r.Hint != "sign in again: authdeck token api --force" {
		t.Errorf("refresh hint %q", r.Hint)
	}
	sentinels := []error{vault.ErrNotConfigured, vault.ErrMissingInput, ErrAborted, ErrUnreachable, ErrUnsupportedTokenType, ErrRejected, ErrBadResponse}
	for k, want := range map[Kind]error{
		KindOther: nil, KindNotConfigured: vault.ErrNotConfigured, KindMissingInput: vault.ErrMissingInput,
		KindAborted: ErrAborted, KindUnreachable: ErrUnreachable, KindUnsupportedTokenType: ErrUnsupportedTokenType, KindRejected: ErrRejected,
		KindVault: nil, KindBadResponse: ErrBadResponse,
	} {
		e := &Error{Kind: k}
		for _, s := range sentinels {
			if got := errors.Is(e, s); got != (s == want) {
				t.Errorf("%s: errors.Is(%v) = %v", k, s, got)
			}
		}
		if KindOf(e) != k || (want != nil && KindOf(fmt.Errorf("wrapped: %w", want)) != k) {
			t.Errorf("KindOf does not give back %s", k)
		}
	}
	locked := &Error{Kind: KindVault, Err: &vault.StoreError{Op: "get", Backend: "keychain", Key: "k", Err: vault.ErrLocked}}
	if !errors.Is(locked, vault.ErrLocked) || KindOf(locked) != KindVault || KindOf(locked.Err) != KindVault {
		t.Errorf("a vault failure: %v", locked)
	}
	if s := sanitize(strings.Repeat("é", 400), 300); len(s) > 304 || strings.ContainsRune(s, 'é') {
		t.Errorf("sanitize kept %d bytes", len(s))
	}
}
