package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// tokenServer serves h as a token endpoint and counts requests.
type tokenServer struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	last *http.Request
	form map[string][]string
}

func newTokenServer(t testing.TB, h http.HandlerFunc) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		_ = r.ParseForm()
		ts.mu.Lock()
		ts.last, ts.form = r, r.Form
		ts.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) lastRequest() (*http.Request, map[string][]string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.last, ts.form
}

func jsonReply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// ccClient is a client credentials client at tokenURL.
func ccClient(tokenURL string) (vault.AuthClient, *vault.ClientCredentials) {
	return vault.AuthClient{
		Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.ClientOAuth2,
		Endpoints: vault.Endpoints{Token: tokenURL}, ClientID: "svc-id",
		AuthMethod: vault.AuthClientSecretBasic, Grant: vault.GrantClientCredentials, Scopes: []string{"api:read"},
	}, &vault.ClientCredentials{ClientSecret: "svc-secret-value"}
}

// Broken and hostile token endpoints: each failure has its exit code and a
// message saying what happened, and nothing is stored (S-16, S-17, S-18, S-37).
func TestHostileTokenEndpoints(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 5<<20)
	cases := []struct {
		name     string
		h        http.HandlerFunc
		timeout  time.Duration
		wantKind Kind
		wantCode string
		wantMsg  string
		// ok cases check the result instead
		ok      bool
		expires time.Duration
	}{
		{name: "HTML instead of JSON", h: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Sign in</body></html>")
		}, wantKind: KindBadResponse, wantMsg: "text/html, not JSON"},
		{name: "500 without OAuth error", h: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, wantKind: KindUnreachable, wantMsg: "HTTP 500"},
		{name: "503 server_error", h: jsonReply(503, `{"error":"temporarily_unavailable"}`), wantKind: KindUnreachable, wantCode: "temporarily_unavailable"},
		{name: "slow server times out", h: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		}, timeout: 200 * time.Millisecond, wantKind: KindUnreachable, wantMsg: "did not answer in time"},
		{name: "S-16 200 with an error field", h: jsonReply(200, `{"error":"invalid_scope","error_description":"no such scope"}`), wantKind: KindRejected, wantCode: "invalid_scope", wantMsg: "no such scope"},
		{name: "S-16 expires_in as a string", h: jsonReply(200, `{"access_token":"tok-1234","token_type":"Bearer","expires_in":"3600"}`), ok: true, expires: time.Hour},
		{name: "S-16 form-encoded response", h: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			fmt.Fprint(w, "access_token=tok-5678&token_type=bearer&expires_in=60")
		}, ok: true, expires: time.Minute},
		{name: "S-18 5 MB body", h: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":"%s"}`, big)
		}, wantKind: KindBadResponse, wantMsg: "larger than 1048576 bytes"},
		{name: "non-bearer token type", h: jsonReply(200, `{"access_token":"tok","token_type":"mac"}`), wantKind: KindUnsupportedTokenType, wantMsg: `"mac" token`},
		{name: "DPoP token type", h: jsonReply(200, `{"access_token":"tok","token_type":"DPoP"}`), wantKind: KindUnsupportedTokenType},
		{name: "bearer in capitals", h: jsonReply(200, `{"access_token":"tok-9999","token_type":"BEARER"}`), ok: true},
		{name: "no access_token", h: jsonReply(200, `{"token_type":"bearer"}`), wantKind: KindBadResponse, wantMsg: "no access_token"},
		{name: "invalid JSON says where", h: jsonReply(200, "{\n\"access_token\": \"x\",\n oops}"), wantKind: KindBadResponse, wantMsg: "line 3"},
		{name: "redirect is not followed", h: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusTemporaryRedirect)
		}, wantKind: KindNotConfigured, wantMsg: "redirected (HTTP 307)"},
		{
			name: "S-09 hostile error description is sanitised", h: jsonReply(400, `{"error":"invalid_request","error_description":"bad \u001b[31mred\u001b[0m \"quoted\"\nline"}`),
			wantKind: KindRejected, wantCode: "invalid_request", wantMsg: "bad ?[31mred?[0m 'quoted' line",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTokenServer(t, tc.h)
			e := newEngine(t)
			if tc.timeout > 0 {
				e.HTTPClient = &http.Client{Timeout: tc.timeout, Transport: testTransport}
			}
			ac, creds := ccClient(ts.URL)
			putClient(t, e, ac, creds)
			tr := NewTranscript()
			r, err := e.Token(ctxT(t), TokenRequest{Name: "svc", Transcript: tr}, FlowCallbacks{})
			if tc.ok {
				mustf(t, err, "token")
				if tc.expires > 0 && r.ExpiresIn != tc.expires {
					t.Errorf("expires in %s, want %s", r.ExpiresIn, tc.expires)
				}
				return
			}
			oe := kindIs(t, err, tc.wantKind)
			if oe.Code != tc.wantCode {
				t.Errorf("code = %q, want %q", oe.Code, tc.wantCode)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("message %q does not contain %q", err.Error(), tc.wantMsg)
			}
			if strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("message carries control characters: %q", err.Error())
			}
			if _, err := e.Vault.Secret(vault.DefaultEnv, "svc"); !errors.Is(err, vault.ErrNotConfigured) {
				t.Errorf("a token secret was stored after a failure")
			}
			if strings.Contains(tr.Text(), big[:100]) || strings.Contains(tr.Text(), "Sign in</body>") {
				t.Errorf("the transcript shows a raw body (S-18)")
			}
			noLeakedSecret(t, "transcript", tr.Text(), creds.ClientSecret)
		})
	}
}

// S-17: every RFC 6749 §5.2 error code has its own message and exit code 7,
// and the transcript explains it with a next step.
func TestEveryTokenErrorCodeIsExplained(t *testing.T) {
	t.Parallel()
	codes := []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"}
	seen := map[string]string{}
	for _, code := range codes {
		ts := newTokenServer(t, jsonReply(400, fmt.Sprintf(`{"error":%q}`, code)))
		e := newEngine(t)
		ac, creds := ccClient(ts.URL)
		tr := NewTranscript()
		_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds, Transcript: tr}, FlowCallbacks{})
		oe := kindIs(t, err, KindRejected)
		if oe.Code != code || oe.Hint == "" {
			t.Errorf("%s: code %q hint %q", code, oe.Code, oe.Hint)
		}
		if prev, dup := seen[oe.Reason]; dup {
			t.Errorf("%s and %s share the message %q", code, prev, oe.Reason)
		}
		seen[oe.Reason] = code
		if !strings.Contains(err.Error(), code) {
			t.Errorf("%s: the error does not print the code: %q", code, err)
		}
		if !strings.Contains(tr.Text(), oe.Hint) {
			t.Errorf("%s: the transcript lacks the next step", code)
		}
	}
	if _, hint := Explain("invalid_client"); !strings.Contains(hint, "client id") || !strings.Contains(hint, "auth method") {
		t.Errorf("invalid_client hint = %q", hint)
	}
}

// S-13: plain http is refused except on loopback, before any request.
func TestPlainHTTPRefusedExceptLoopback(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	for _, u := range []string{"http://auth.example.com/token", "http://10.0.0.1/token", "ftp://127.0.0.1/token"} {
		ac, creds := ccClient(u)
		_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
		oe := kindIs(t, err, KindNotConfigured)
		if !strings.Contains(oe.Error(), "token endpoint") {
			t.Errorf("%s: %v", u, err)
		}
	}
	_, err := e.Discover(ctxT(t), "http://issuer.example.com")
	kindIs(t, err, KindNotConfigured)
}

// S-27: the client authentication method is explicit; with none set no
// request is made, and a rejected method is never retried with another.
func TestClientAuthIsNeverGuessed(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, jsonReply(401, `{"error":"invalid_client"}`))
	e := newEngine(t)
	ac, creds := ccClient(ts.URL)
	ac.AuthMethod = ""
	_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	kindIs(t, err, KindNotConfigured)
	if ts.hits.Load() != 0 {
		t.Fatalf("a request was sent without an auth method")
	}
	for _, m := range []vault.AuthMethod{vault.AuthClientSecretBasic, vault.AuthClientSecretPost} {
		before := ts.hits.Load()
		ac.AuthMethod = m
		_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
		kindIs(t, err, KindRejected)
		if n := ts.hits.Load() - before; n != 1 {
			t.Errorf("%s: %d requests, want 1 (no retry with another method)", m, n)
		}
		r, form := ts.lastRequest()
		_, _, basic := r.BasicAuth()
		if (m == vault.AuthClientSecretBasic) != basic || (m == vault.AuthClientSecretPost) != (len(form["client_secret"]) == 1) {
			t.Errorf("%s: basic header %v, client_secret in body %v", m, basic, len(form["client_secret"]) == 1)
		}
	}
}

// S-25, S-26: a private_key_jwt assertion has the jwt-bearer type, no
// secret and no basic header; iss = sub = client id; aud = issuer (or the
// token endpoint without one); exp ≤ 5 min; a fresh jti each time; it
// verifies with the public key; the key never shows up anywhere.
func TestPrivateKeyJWTAssertion(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"ES256", "RS256", "PS256"} {
		for _, issuer := range []string{"", "https://issuer.example"} {
			t.Run(alg+" issuer="+issuer, func(t *testing.T) {
				t.Parallel()
				ts := newTokenServer(t, jsonReply(200, `{"access_token":"tok-abcd","token_type":"Bearer"}`))
				priv, _ := keyPair(t, map[string]string{"ES256": "ES256"}[alg])
				key, err := vault.ParsePrivateKey(priv)
				mustf(t, err, "key")
				e := newEngine(t)
				ac, _ := ccClient(ts.URL + "/token")
				ac.Issuer, ac.AuthMethod, ac.SigningAlg = issuer, vault.AuthPrivateKeyJWT, alg
				creds := vault.ClientCredentials{PrivateKey: priv}
				tr := NewTranscript()
				var jtis []string
				for range 2 {
					_, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: creds, Transcript: tr}, FlowCallbacks{})
					mustf(t, err, "fetch")
					r, form := ts.lastRequest()
					if _, _, ok := r.BasicAuth(); ok || len(form["client_secret"]) > 0 {
						t.Fatalf("a secret or basic header was sent with private_key_jwt")
					}
					if got := form["client_assertion_type"]; len(got) != 1 || got[0] != JWTBearerAssertionType {
						t.Fatalf("client_assertion_type = %v", got)
					}
					sig, err := jose.ParseSignedCompact(form["client_assertion"][0], []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
					mustf(t, err, "assertion does not parse with %s", alg)
					payload, err := sig.Verify(pemkey.PublicKey(key))
					mustf(t, err, "assertion does not verify")
					var c map[string]any
					mustf(t, json.Unmarshal(payload, &c), "claims")
					wantAud := issuer
					if wantAud == "" {
						wantAud = ts.URL + "/token"
					}
					exp, iat := c["exp"].(float64), c["iat"].(float64)
					if c["iss"] != "svc-id" || c["sub"] != "svc-id" || c["aud"] != wantAud || exp-iat > 300 || exp <= iat {
						t.Fatalf("claims: %v", c)
					}
					if sig.Signatures[0].Header.KeyID != pemkey.Thumbprint(key) {
						t.Errorf("kid = %q, want the key's thumbprint", sig.Signatures[0].Header.KeyID)
					}
					jtis = append(jtis, c["jti"].(string))
				}
				if jtis[0] == jtis[1] || len(jtis[0]) < 16 {
					t.Errorf("jti not unique: %q %q", jtis[0], jtis[1])
				}
				text := tr.Text()
				noLeakedSecret(t, "transcript", text, priv, "PRIVATE KEY")
				if strings.Count(text, "client_assertion="+Redacted) != 2 {
					t.Errorf("assertions are not redacted in the transcript")
				}
			})
		}
	}
	t.Run("mismatched algorithm", func(t *testing.T) {
		t.Parallel()
		priv, _ := keyPair(t, "ES256")
		ac, _ := ccClient("https://127.0.0.1:1/token")
		ac.AuthMethod, ac.SigningAlg = vault.AuthPrivateKeyJWT, "RS256"
		_, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: vault.ClientCredentials{PrivateKey: priv}}, FlowCallbacks{})
		kindIs(t, err, KindNotConfigured)
		noLeakedSecret(t, "error", err.Error(), priv)
	})
}

// testPKI is a CA with a server and a client certificate.
type testPKI struct {
	pool             *x509.CertPool
	server           tls.Certificate
	clientCertPEM    string
	clientKeyPEM     string
	clientCommonName string
}

func newPKI(t testing.TB) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	mustf(t, err, "CA")
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ip bool) (string, string) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		}
		if ip {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		mustf(t, err, "certificate")
		kd, _ := x509.MarshalPKCS8PrivateKey(k)
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
	}
	p := &testPKI{pool: x509.NewCertPool(), clientCommonName: "svc-id"}
	p.pool.AddCert(ca)
	sc, sk := issue(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, true)
	p.server, err = tls.X509KeyPair([]byte(sc), []byte(sk))
	mustf(t, err, "server pair")
	p.clientCertPEM, p.clientKeyPEM = issue(3, p.clientCommonName, x509.ExtKeyUsageClientAuth, false)
	return p
}

// tls_client_auth (RFC 8705) over real mutual TLS; TLS verification stays on
// (S-15): an untrusted server fails with exit 5 unless the client turns
// verification off explicitly.
func TestTLSClientAuthAndVerification(t *testing.T) {
	t.Parallel()
	pki := newPKI(t)
	var seenCN atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if len(r.TLS.PeerCertificates) == 0 || r.PostForm.Get("client_id") != "svc-id" || r.PostForm.Get("client_secret") != "" {
			jsonReply(401, `{"error":"invalid_client"}`)(w, r)
			return
		}
		seenCN.Store(r.TLS.PeerCertificates[0].Subject.CommonName)
		jsonReply(200, `{"access_token":"mtls-token","token_type":"Bearer","expires_in":60}`)(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool, ClientAuth: tls.VerifyClientCertIfGiven}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	trusting := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool}}}

	ac, _ := ccClient(srv.URL + "/token")
	ac.AuthMethod = vault.AuthTLSClient
	creds := vault.ClientCredentials{Cert: pki.clientCertPEM, CertKey: pki.clientKeyPEM}
	e := newEngine(t)
	e.HTTPClient = trusting
	r, err := e.Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: creds}, FlowCallbacks{})
	mustf(t, err, "tls_client_auth")
	if r.AccessToken != "mtls-token" || seenCN.Load() != pki.clientCommonName {
		t.Fatalf("server saw client certificate %v", seenCN.Load())
	}

	// S-15: the default client does not trust the test CA.
	basic, bcreds := ccClient(srv.URL + "/token")
	e2 := newEngine(t)
	e2.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	_, err = e2.Fetch(ctxT(t), FetchRequest{Client: basic, Credentials: *bcreds}, FlowCallbacks{})
	oe := kindIs(t, err, KindUnreachable)
	if !strings.Contains(oe.Reason, "TLS") {
		t.Errorf("reason %q does not name TLS", oe.Reason)
	}
	// Explicitly per client: verification off reaches the server (which then refuses the client).
	basic.InsecureSkipVerify = true
	tr := NewTranscript()
	_, err = e2.Fetch(ctxT(t), FetchRequest{Client: basic, Credentials: *bcreds, Transcript: tr}, FlowCallbacks{})
	kindIs(t, err, KindRejected)
	if !strings.Contains(tr.Text(), "TLS certificate verification is OFF") {
		t.Errorf("the transcript does not show that verification is off")
	}
	// And the setting does not leak into other clients of the same engine.
	basic.InsecureSkipVerify = false
	_, err = e2.Fetch(ctxT(t), FetchRequest{Client: basic, Credentials: *bcreds}, FlowCallbacks{})
	kindIs(t, err, KindUnreachable)
}

// A connection refused is exit 5 with the host named.
func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustf(t, err, "listen")
	addr := ln.Addr().String()
	ln.Close()
	ac, creds := ccClient("http://" + addr + "/token")
	_, err = newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	oe := kindIs(t, err, KindUnreachable)
	if !strings.Contains(oe.Reason, addr) {
		t.Errorf("reason %q does not name %s", oe.Reason, addr)
	}
}

// S-11: discovery metadata naming another issuer is refused (exit 2) and
// nothing is stored; the second well-known location is tried after a 404.
func TestDiscoveryIssuerMismatch(t *testing.T) {
	t.Parallel()
	var base string
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		jsonReply(200, `{"issuer":"https://evil.example","token_endpoint":"`+base+`/token"}`)(w, nil)
	})
	mux.HandleFunc("/token", jsonReply(200, `{"access_token":"t","token_type":"bearer"}`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base = srv.URL
	e := newEngine(t)
	ac, creds := ccClient("")
	ac.Endpoints.Token, ac.Issuer = "", srv.URL
	putClient(t, e, ac, creds)
	_, err := e.Token(ctxT(t), TokenRequest{Name: "svc"}, FlowCallbacks{})
	oe := kindIs(t, err, KindNotConfigured)
	if !strings.Contains(oe.Reason, "evil.example") || !strings.Contains(oe.Reason, "S-11") {
		t.Errorf("reason: %q", oe.Reason)
	}
	if _, err := e.Vault.Secret(vault.DefaultEnv, "svc"); !errors.Is(err, vault.ErrNotConfigured) {
		t.Errorf("a token was stored despite the mismatch")
	}

	// RFC 8414 location after a 404 at the OpenID one; issuer with a path.
	mux2 := http.NewServeMux()
	srv2 := httptest.NewServer(mux2)
	t.Cleanup(srv2.Close)
	mux2.HandleFunc("/.well-known/oauth-authorization-server/tenant", func(w http.ResponseWriter, _ *http.Request) {
		jsonReply(200, `{"issuer":"`+srv2.URL+`/tenant","token_endpoint":"`+srv2.URL+`/tenant/token"}`)(w, nil)
	})
	md, err := newEngine(t).Discover(ctxT(t), srv2.URL+"/tenant")
	mustf(t, err, "RFC 8414 discovery")
	if md.TokenEndpoint != srv2.URL+"/tenant/token" {
		t.Errorf("token endpoint %q", md.TokenEndpoint)
	}
	// No metadata anywhere: not configured, with a hint to set endpoints.
	_, err = newEngine(t).Discover(ctxT(t), srv2.URL+"/nothing")
	oe = kindIs(t, err, KindNotConfigured)
	if !strings.Contains(oe.Hint, "--token-url") {
		t.Errorf("hint %q", oe.Hint)
	}
}

// S-14 (engine side): introspection and revocation send the token in the
// POST body, never in a URL, even for a client whose token endpoint uses GET.
func TestTokensNeverInURLs(t *testing.T) {
	t.Parallel()
	var urls []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		urls = append(urls, r.URL.String())
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/introspect") {
			jsonReply(200, `{"active":true,"scope":"a b","exp":1900000000}`)(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	e := newEngine(t)
	ac, creds := ccClient(srv.URL + "/token")
	ac.TokenMethod = "GET"
	ac.Endpoints.Introspection, ac.Endpoints.Revocation = srv.URL+"/introspect", srv.URL+"/revoke"
	putClient(t, e, ac, creds)
	_, err := e.Vault.PutSecret(ctxT(t), vault.Secret{Meta: vault.Meta{Name: "svc", Env: vault.DefaultEnv}, Type: vault.TypeOAuthToken, AuthClient: "svc"},
		&vault.SecretValue{AccessToken: "access-token-value", RefreshToken: "refresh-token-value", TokenType: "Bearer"})
	mustf(t, err, "token set")
	in, err := e.Introspect(ctxT(t), TokenRequest{Name: "svc"}, AccessToken)
	mustf(t, err, "introspect")
	if !in.Active || len(in.Scopes) != 2 || in.Expiry == nil {
		t.Errorf("introspection: %+v", in)
	}
	mustf(t, e.Revoke(ctxT(t), TokenRequest{Name: "svc"}), "revoke")
	for _, u := range urls {
		noLeakedSecret(t, "request URL", u, "access-token-value", "refresh-token-value", "svc-secret-value")
	}
	if len(urls) != 3 {
		t.Errorf("%d requests, want introspection + 2 revocations", len(urls))
	}
}

// The token endpoint may be called with GET (some API gateways want it); the grant parameters
// go in the query, and the secret still in the basic header.
func TestTokenEndpointGET(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Query().Get("grant_type") != "client_credentials" || r.URL.Query().Get("audience") != "https://api.example" ||
			r.URL.Query().Get("resource") != "https://api.example/v1" || r.URL.Query().Get("tenant") != "t1" {
			jsonReply(400, `{"error":"invalid_request"}`)(w, r)
			return
		}
		jsonReply(200, `{"access_token":"get-token","token_type":"bearer","scope":"api:read extra"}`)(w, r)
	})
	ac, creds := ccClient(ts.URL + "/token")
	ac.TokenMethod, ac.Audience, ac.Resource = "GET", "https://api.example", "https://api.example/v1"
	ac.TokenParams = []vault.Param{{Key: "tenant", Value: "t1"}, {Key: "grant_type", Value: "ignored"}}
	r, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	mustf(t, err, "GET token request")
	if strings.Join(r.ExtraScopes, " ") != "extra" || len(r.MissingScopes) != 0 {
		t.Errorf("scope diff: extra %v missing %v", r.ExtraScopes, r.MissingScopes)
	}
	req, _ := ts.lastRequest()
	if _, _, ok := req.BasicAuth(); !ok || req.URL.Query().Get("client_secret") != "" {
		t.Errorf("the secret did not stay in the basic header")
	}
}

// The "no scope" case: invalid_scope when no scope was asked for is
// missing input (exit 3).
func TestNoScopeIsMissingInput(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, jsonReply(400, `{"error":"invalid_scope","error_description":"scope is required"}`))
	ac, creds := ccClient(ts.URL)
	ac.Scopes = nil
	_, err := newEngine(t).Fetch(ctxT(t), FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	oe := kindIs(t, err, KindMissingInput)
	if !strings.Contains(oe.Hint, "--scope") {
		t.Errorf("hint %q", oe.Hint)
	}
}

// Cancelling the context ends a flow as aborted (exit 4), here once the
// request has been sent to a token endpoint that never answers: the wait
// for its answer (S-39) ends when the HTTP client gives up, a second here.
func TestCancelledFlow(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ac, creds := ccClient(ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled as soon as the request is written whole (the engine's own
	// trace hook, which marks it sent, runs first).
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(w httptrace.WroteRequestInfo) {
		if w.Err == nil {
			cancel()
		}
	}})
	e := newEngine(t)
	e.HTTPClient = &http.Client{Transport: testTransport, Timeout: time.Second}
	_, err := e.Fetch(ctx, FetchRequest{Client: ac, Credentials: *creds}, FlowCallbacks{})
	kindIs(t, err, KindAborted)
	if n := ts.hits.Load(); n != 1 {
		t.Fatalf("the token endpoint got %d requests, want the one sent before the cancel", n)
	}
}
