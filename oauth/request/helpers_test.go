package request

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// Obviously fake credential values; tests check they never show up masked output.
const (
	fakeAPIKey    = "fake-api-key-0000-1111-2222"
	fakeBearerKey = "fake-bearer-3333-4444-5555"
	fakePassword  = "fake-password-6666"
	fakeSecretVar = "fake-secret-var-7777-8888"
	fakeToken1    = "fake-token-first-aaaa"
	fakeToken2    = "fake-token-second-bbbb"
)

// fakeTokens is an Engine for bearer tokens that counts calls: the first
// token is tokens[0]; each forced call moves to the next one.
type fakeTokens struct {
	mu     sync.Mutex
	tokens []string
	idx    int
	calls  atomic.Int32
	forced atomic.Int32
	err    error
}

func (f *fakeTokens) RequestAuth(_ context.Context, req oauth.TokenRequest, _ oauth.FlowCallbacks) (*oauth.RequestAuth, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if req.Force {
		f.forced.Add(1)
		if f.idx < len(f.tokens)-1 {
			f.idx++
		}
	}
	return &oauth.RequestAuth{Token: f.tokens[f.idx]}, nil
}

// testCert returns a self-signed certificate and key (PEM) for host names.
func testCert(t testing.TB, cn string, hosts ...string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}))
}

type fixture struct {
	v      *vault.Vault
	store  *vaulttest.CountingStore
	tokens *fakeTokens
	sender *Sender
	env    string
}

// newFixture builds a memory vault with environment "dev" holding one
// credential of each kind and a plain and a secret variable.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	store := vaulttest.NewCountingStore(vault.NewMemoryStore())
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(v.SetVar(ctx, "dev", "greeting", "hello", false))
	must(v.SetVar(ctx, "dev", "apiSecret", fakeSecretVar, true))
	put := func(s vault.Secret, val vault.SecretValue) {
		t.Helper()
		s.Env = "dev"
		_, err := v.PutSecret(ctx, s, &val)
		must(err)
	}
	put(vault.Secret{Meta: vault.Meta{Name: "apikey"}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"}, vault.SecretValue{Key: fakeAPIKey})
	put(vault.Secret{Meta: vault.Meta{Name: "apikey-query"}, Type: vault.TypeAPIKey, QueryParam: "api_key"}, vault.SecretValue{Key: fakeAPIKey})
	put(vault.Secret{Meta: vault.Meta{Name: "bearer-key"}, Type: vault.TypeAPIKey}, vault.SecretValue{Key: "Bearer " + fakeBearerKey, HeaderName: "Authorization"})
	put(vault.Secret{Meta: vault.Meta{Name: "basic"}, Type: vault.TypeSimple}, vault.SecretValue{Username: "demo-user", Passphrase: fakePassword})
	put(vault.Secret{Meta: vault.Meta{Name: "oauth"}, Type: vault.TypeOAuthToken}, vault.SecretValue{AccessToken: "stored-not-used", RefreshToken: "fake-refresh"})
	put(vault.Secret{Meta: vault.Meta{Name: "restricted", AllowedHosts: []string{"api.example.com"}}, Type: vault.TypeAPIKey, HeaderName: "X-API-Key"}, vault.SecretValue{Key: fakeAPIKey})
	certPEM, keyPEM := testCert(t, "authdeck-test-client")
	put(vault.Secret{Meta: vault.Meta{Name: "mtls"}, Type: vault.TypeClientCert}, vault.SecretValue{Cert: certPEM, PrivateKey: keyPEM})
	must(v.UseEnv("dev"))
	tokens := &fakeTokens{tokens: []string{fakeToken1, fakeToken2}}
	return &fixture{v: v, store: store, tokens: tokens, env: "dev", sender: &Sender{Vault: v, Engine: tokens}}
}

// recorder is an httptest server that records every request it gets.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method string
	URL    string
	Header http.Header
	Body   string
	Host   string
}

func (r *recorder) got() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// newRecorder starts a server on addr ("127.0.0.1:0" when empty) that records
// requests and then calls h (or answers 200 {"ok":true}).
func newRecorder(t testing.TB, addr string, h http.HandlerFunc) *recorder {
	t.Helper()
	rec := &recorder{}
	handler := func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body = make([]byte, 0, 512)
			buf := make([]byte, 512)
			for {
				n, err := r.Body.Read(buf)
				body = append(body, buf[:n]...)
				if err != nil {
					break
				}
			}
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: string(body), Host: r.Host})
		rec.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(handler))
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			skipUnlessCI(t, "cannot listen on %s: %v", addr, err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	rec.Server = srv
	t.Cleanup(srv.Close)
	return rec
}

// skipUnlessCI skips locally but fails in CI, where everything a test needs
// must be present.
func skipUnlessCI(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
