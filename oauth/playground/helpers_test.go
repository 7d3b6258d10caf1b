package playground

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/authdeck/authdeck/oauth/internal/leakcheck"
)

// shared is one playground for the tests that do not need their own config.
var shared *Server

// extra are playgrounds with other configs shared by several tests; they
// are closed with shared when the tests end.
var extra []*Server

// testTransport is closed before the leak check so idle keep-alive
// connections do not count as leaked goroutines.
var testTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}

var testHTTP = &http.Client{Transport: testTransport, Timeout: 30 * time.Second}

func TestMain(m *testing.M) {
	var err error
	shared, err = Start(context.Background(), Config{DevicePollInterval: time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start playground:", err)
		os.Exit(1)
	}
	code := m.Run()
	for _, s := range append([]*Server{shared}, extra...) {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close playground:", err)
			code = 1
		}
	}
	os.Exit(leakcheck.Check(code, testTransport))
}

// ctxT returns a context bound to the test with the test HTTP client for x/oauth2.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return context.WithValue(ctx, oauth2.HTTPClient, testHTTP)
}

func demoClient(t testing.TB, s *Server, id string) DemoClient {
	t.Helper()
	c, ok := s.Client(id)
	if !ok {
		t.Fatalf("no demo client %q", id)
	}
	return c
}

func endpoint(s *Server, style oauth2.AuthStyle) oauth2.Endpoint {
	ep := s.Endpoints()
	return oauth2.Endpoint{
		AuthURL:       ep.Authorization,
		TokenURL:      ep.Token,
		DeviceAuthURL: ep.DeviceAuthorization,
		AuthStyle:     style,
	}
}

func styleOf(method string) oauth2.AuthStyle {
	if method == AuthMethodPost || method == AuthMethodNone {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// userConfig is an oauth2.Config for a demo client's browser or device flows.
func userConfig(s *Server, c DemoClient, redirect string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.Secret,
		Endpoint:     endpoint(s, styleOf(c.AuthMethod)),
		RedirectURL:  redirect,
		Scopes:       scopes,
	}
}

// retrieveError asserts err is an OAuth error response with the given code.
func retrieveError(t testing.TB, err error, code string) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want OAuth error %q, got %v", code, err)
	}
	if re.ErrorCode != code {
		t.Fatalf("want OAuth error %q, got %q (%s), status %d", code, re.ErrorCode, re.ErrorDescription, re.Response.StatusCode)
	}
	return re
}

// tokenResponse is the raw result of a token endpoint call.
type tokenResponse struct {
	status int
	body   map[string]any
}

func (r tokenResponse) str(k string) string { s, _ := r.body[k].(string); return s }

// postForm POSTs form to url (optionally with HTTP basic) and decodes the JSON answer.
func postForm(t testing.TB, u string, form url.Values, basicUser, basicPass string) tokenResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := tokenResponse{status: resp.StatusCode, body: map[string]any{}}
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out.body); err != nil {
			t.Fatalf("POST %s: status %d, body is not JSON", u, resp.StatusCode)
		}
	}
	return out
}

// get performs a GET with optional headers and returns status, headers and body.
func get(t testing.TB, u string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// jwks fetches the provider's key set over HTTP, as a resource server would.
func jwks(t testing.TB, s *Server) jose.JSONWebKeySet {
	t.Helper()
	status, _, body := get(t, s.Endpoints().JWKS, nil)
	if status != http.StatusOK {
		t.Fatalf("jwks: status %d", status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("jwks: %v", err)
	}
	return set
}

// accessClaims verifies a JWT access token against the JWKS and returns its claims.
func accessClaims(t testing.TB, s *Server, token string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("access token is not a JWS: %v", err)
	}
	set := jwks(t, s)
	if len(tok.Headers) != 1 {
		t.Fatalf("want one signature")
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", tok.Headers[0].KeyID)
	}
	claims := map[string]any{}
	var std jwt.Claims
	if err := tok.Claims(keys[0].Key, &claims, &std); err != nil {
		t.Fatalf("signature does not verify with the JWKS: %v", err)
	}
	if err := std.Validate(jwt.Expected{Issuer: s.Issuer, AnyAudience: jwt.Audience{s.APIURL}, Time: time.Now()}); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return claims
}

type assertionOpt func(c *jwt.Claims, h *jose.SignerOptions)

// clientAssertion signs a private_key_jwt assertion (RFC 7523 §2.2) with the
// demo client's key.
func clientAssertion(t testing.TB, s *Server, c DemoClient, opts ...assertionOpt) string {
	t.Helper()
	return signAssertion(t, s.Issuer, c.ClientID, c.PrivateKeyPEM, jose.SignatureAlgorithm(c.SigningAlgorithm), c.KeyID, opts...)
}

func signAssertion(t testing.TB, issuer, clientID, privPEM string, alg jose.SignatureAlgorithm, kid string, opts ...assertionOpt) string {
	t.Helper()
	block, _ := pem.Decode([]byte(privPEM))
	if block == nil {
		t.Fatal("no PEM private key")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := jwt.Claims{
		Issuer:   clientID,
		Subject:  clientID,
		Audience: jwt.Audience{issuer},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(2 * time.Minute)),
		ID:       randomToken(12),
	}
	so := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		so = so.WithHeader(jose.HeaderKey("kid"), kid)
	}
	for _, o := range opts {
		o(&claims, so)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key.(crypto.Signer)}, so)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertionForm is a client credentials request authenticated with an assertion.
func assertionForm(assertion, scope string) url.Values {
	v := url.Values{
		"grant_type":            {GrantClientCredentials},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	if scope != "" {
		v.Set("scope", scope)
	}
	return v
}

// loopbackRedirect returns a redirect URI on an arbitrary loopback port.
func loopbackRedirect(port int) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", port, LoopbackRedirectPath)
}

// authorize runs the browser leg for cfg and returns the redirect's query
// (or fragment) parameters.
func authorize(t testing.TB, b *Browser, cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) (state string, params url.Values) {
	t.Helper()
	state = randomToken(16)
	u, err := b.Authorize(ctxT(t), cfg.AuthCodeURL(state, opts...))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	params = u.Query()
	if u.Fragment != "" {
		params, _ = url.ParseQuery(u.Fragment)
	}
	return state, params
}
