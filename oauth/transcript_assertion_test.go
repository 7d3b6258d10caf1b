package oauth

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// The transcript shows a client assertion decoded — header and claims,
// times with their date — beside the redacted assertion, and never the
// signature or the token itself (S-42).
func TestTranscriptDecodedAssertion(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	secret := []byte(strings.Repeat("k", 40))
	a, err := SignAssertion("cli-1", "https://as.example", secret, "HS256", "", now)
	mustf(t, err, "signing")
	sig := a[strings.LastIndexByte(a, '.')+1:]
	r := &redactor{}
	r.addValue(a)
	fields := r.params(url.Values{"client_assertion": {a}, "client_assertion_type": {JWTBearerAssertionType}, "grant_type": {"client_credentials"}})
	got := map[string]string{}
	var text strings.Builder
	for _, f := range fields {
		got[f.Name] = f.Value
		text.WriteString(f.Name + "=" + f.Value + "\n")
	}
	want := map[string]string{
		"client_assertion":            Redacted,
		"client_assertion.header.alg": "HS256",
		"client_assertion.header.typ": "JWT",
		"client_assertion.iss":        "cli-1",
		"client_assertion.sub":        "cli-1",
		"client_assertion.aud":        "https://as.example",
		"client_assertion.iat":        "1796637600 (2026-12-07 10:00:00 UTC)",
		"client_assertion.exp":        "1796637720 (2026-12-07 10:02:00 UTC)",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q\n%s", k, got[k], v, text.String())
		}
	}
	if len(got["client_assertion.jti"]) < 20 {
		t.Errorf("jti %q", got["client_assertion.jti"])
	}
	for _, leak := range []string{a, sig, string(secret), base64.RawURLEncoding.EncodeToString(secret)} {
		if strings.Contains(text.String(), leak) {
			t.Errorf("the transcript holds the assertion, its signature or its key:\n%s", text.String())
		}
	}
	// Not a JWT: nothing decoded; a claim with a secret's name is redacted.
	if fs := r.params(url.Values{"client_assertion": {"opaque"}}); len(fs) != 1 || fs[0].Value != Redacted {
		t.Errorf("an opaque assertion: %v", fs)
	}
	hs := r.decodedJWT("client_assertion", "eyJhbGciOiJub25lIn0."+base64.RawURLEncoding.EncodeToString([]byte(`{"password":"hunter2","n":1}`))+".")
	for _, f := range hs {
		if strings.Contains(f.Value, "hunter2") {
			t.Errorf("a claim named password is shown: %v", hs)
		}
	}
}

// recordingTransport keeps the bodies of the requests it sends, so a test
// knows the assertion that went over the wire.
type recordingTransport struct {
	mu     sync.Mutex
	bodies []string
	next   http.RoundTripper
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		rt.mu.Lock()
		rt.bodies = append(rt.bodies, string(b))
		rt.mu.Unlock()
	}
	return rt.next.RoundTrip(req)
}

// sentAssertions are the client assertions the transport saw.
func (rt *recordingTransport) sentAssertions() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out []string
	for _, b := range rt.bodies {
		if q, err := url.ParseQuery(b); err == nil && q.Get("client_assertion") != "" {
			out = append(out, q.Get("client_assertion"))
		}
	}
	return out
}

// End to end against the playground: a private_key_jwt (ES256) and a
// client_secret_jwt client get tokens; the transcript shows the assertion
// each sent decoded (alg, kid, iss, sub, aud = issuer, jti, iat, exp) and
// holds neither the assertion, its signature, the client secret nor the
// private key.
func TestTranscriptDecodedAssertionFlows(t *testing.T) {
	t.Parallel()
	s := sharedPlayground(t)
	priv, pub := keyPair(t, "ES256")
	jwtInfo, _, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodPrivateKeyJWT, PublicKey: pub,
		Grants: []string{playground.GrantClientCredentials}, Scopes: []string{playground.ScopeAPIRead},
	})
	mustf(t, err, "registering the private_key_jwt client")
	hsInfo, hsSecret, err := s.CreateClient(playground.ClientSpec{
		AuthMethod: playground.AuthMethodSecretJWT,
		Grants:     []string{playground.GrantClientCredentials}, Scopes: []string{playground.ScopeAPIRead},
	})
	mustf(t, err, "registering the client_secret_jwt client")
	cases := []struct {
		name, alg, kid string
		ac             vault.AuthClient
		creds          vault.ClientCredentials
		keyParts       []string
	}{
		{
			"private_key_jwt", "ES256", jwtInfo.KeyID,
			vault.AuthClient{ClientID: jwtInfo.ClientID, AuthMethod: vault.AuthPrivateKeyJWT, KeyID: jwtInfo.KeyID, SigningAlg: "ES256"},
			vault.ClientCredentials{PrivateKey: priv},
			pemLines(priv),
		},
		{
			"client_secret_jwt", "HS256", "",
			vault.AuthClient{ClientID: hsInfo.ClientID, AuthMethod: vault.AuthClientSecretJWT},
			vault.ClientCredentials{ClientSecret: hsSecret},
			[]string{hsSecret, base64.RawURLEncoding.EncodeToString([]byte(hsSecret))},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{next: testHTTP.Transport}
			if rt.next == nil {
				rt.next = http.DefaultTransport
			}
			e := newEngine(t)
			e.HTTPClient = &http.Client{Transport: rt, Timeout: testHTTP.Timeout}
			ac := tc.ac
			ac.Meta = vault.Meta{Name: "svc", Env: vault.DefaultEnv}
			ac.Type, ac.Issuer, ac.Grant, ac.Scopes = vault.ClientOAuth2, s.Issuer, vault.GrantClientCredentials, []string{playground.ScopeAPIRead}
			tr := NewTranscript()
			r, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: tc.creds, Transcript: tr}, FlowCallbacks{})
			mustf(t, err, "token\n%s", tr.Text())
			checkDecodedAssertion(t, tr.Text(), rt.sentAssertions(), ac.ClientID, s.Issuer, tc.alg, tc.kid, append([]string{r.AccessToken}, tc.keyParts...))
		})
	}
}

// checkDecodedAssertion checks that text shows the one assertion sent
// decoded, and holds neither it, its signature nor any of secrets.
func checkDecodedAssertion(t *testing.T, text string, sent []string, clientID, issuer, alg, kid string, secrets []string) {
	t.Helper()
	if len(sent) != 1 {
		t.Fatalf("%d assertions sent, want 1", len(sent))
	}
	j, err := DecodeJWT(sent[0])
	mustf(t, err, "decoding the sent assertion")
	wants := []string{
		"client_assertion=" + Redacted,
		"client_assertion.header.alg=" + alg,
		"client_assertion.iss=" + clientID,
		"client_assertion.sub=" + clientID,
		"client_assertion.aud=" + issuer,
		"client_assertion.jti=" + fmt.Sprint(j.Claims["jti"]),
		"client_assertion.exp=" + fmt.Sprint(j.Claims["exp"]) + " (" + j.Expiry.Format("2006-01-02 15:04:05 UTC") + ")",
	}
	if kid != "" {
		wants = append(wants, "client_assertion.header.kid="+kid)
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, text)
		}
	}
	sig := sent[0][strings.LastIndexByte(sent[0], '.')+1:]
	noLeakedSecret(t, "transcript", text, append([]string{sent[0], sig}, secrets...)...)
}

// pemLines are the base64 lines of a PEM block: any of them in a
// transcript would be a piece of the key.
func pemLines(p string) []string {
	var out []string
	for _, l := range strings.Split(p, "\n") {
		if len(l) > 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}
