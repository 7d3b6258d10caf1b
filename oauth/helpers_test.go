package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
)

// TestMain doubles as the entry point of the helper processes of the
// cross-process refresh test (the test binary re-executes itself).
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperProcess())
	}
	os.Exit(m.Run())
}

// testTransport is a private transport so tests can drop idle connections
// before counting goroutines.
var testTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, ForceAttemptHTTP2: false}

var testHTTP = &http.Client{Transport: testTransport, Timeout: 20 * time.Second}

// ctxT is a test-bound context.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newEngine returns an engine over a fresh memory vault.
func newEngine(t testing.TB) *Engine {
	t.Helper()
	return &Engine{
		Vault: vault.NewMemory(), HTTPClient: testHTTP, CallbackTimeout: 30 * time.Second,
		Opener: func(context.Context, string) error { return errors.New("no browser in this test") },
	}
}

var (
	sharedOnce sync.Once
	sharedPG   *playground.Server
	sharedErr  error
)

// sharedPlayground is one provider for tests that only use demo clients as
// they are. It lives until the test binary exits.
func sharedPlayground(t testing.TB) *playground.Server {
	t.Helper()
	sharedOnce.Do(func() {
		sharedPG, sharedErr = playground.Start(context.Background(), playground.Config{DevicePollInterval: time.Second})
	})
	if sharedErr != nil {
		t.Fatalf("starting the playground: %v", sharedErr)
	}
	return sharedPG
}

func demo(t testing.TB, s *playground.Server, id string) playground.DemoClient {
	t.Helper()
	c, ok := s.Client(id)
	if !ok {
		t.Fatalf("no demo client %q", id)
	}
	return c
}

// authClient maps a demo client onto an authdeck auth client using discovery.
func authClient(name string, s *playground.Server, dc playground.DemoClient, grant vault.Grant) (vault.AuthClient, *vault.ClientCredentials) {
	ac := vault.AuthClient{
		Meta:       vault.Meta{Name: name, Env: vault.DefaultEnv},
		Type:       vault.ClientOAuth2,
		Issuer:     s.Issuer,
		ClientID:   dc.ClientID,
		AuthMethod: vault.AuthMethod(dc.AuthMethod),
		Grant:      grant,
		RedirectURI: func() string {
			if dc.LoopbackRedirect {
				return ""
			}
			return dc.RedirectURI
		}(),
	}
	var creds *vault.ClientCredentials
	switch ac.AuthMethod {
	case vault.AuthClientSecretBasic, vault.AuthClientSecretPost:
		creds = &vault.ClientCredentials{ClientSecret: dc.Secret}
	case vault.AuthPrivateKeyJWT:
		creds = &vault.ClientCredentials{PrivateKey: dc.PrivateKeyPEM}
		ac.SigningAlg, ac.KeyID = dc.SigningAlgorithm, dc.KeyID
	case vault.AuthClientSecretJWT, vault.AuthNone, vault.AuthTLSClient:
		// no credentials from the dynamic client
	}
	if grant.Deprecated() {
		ac.AllowDeprecated = true
	}
	return ac, creds
}

// putClient stores ac in e's vault.
func putClient(t testing.TB, e *Engine, ac vault.AuthClient, creds *vault.ClientCredentials) vault.AuthClient {
	t.Helper()
	out, err := e.Vault.PutClient(context.Background(), ac, creds)
	if err != nil {
		t.Fatalf("storing auth client %q: %v", ac.Name, err)
	}
	return out
}

// browserOpener signs in with the playground's Browser helper when the
// engine opens the authorization URL. It runs in the background, like a
// real browser, and reports its outcome on the returned channel.
func browserOpener(b *playground.Browser) (Opener, <-chan error, *atomic.Int32) {
	done := make(chan error, 4)
	var opened atomic.Int32
	return func(ctx context.Context, u string) error {
		opened.Add(1)
		go func() { done <- b.Open(context.WithoutCancel(ctx), u) }()
		return nil
	}, done, &opened
}

// noLeakedSecret fails when out contains any of the secrets; it never prints them.
func noLeakedSecret(t testing.TB, what, out string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("%s contains secret #%d (%d bytes); it must be redacted", what, i, len(s))
		}
	}
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// kindIs checks an error's kind, as the *Error carries it and as KindOf finds it.
func kindIs(t testing.TB, err error, want Kind) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("error %q (%T) is not an *oauth.Error", err, err)
	}
	if oe.Kind != want {
		t.Fatalf("kind = %s, want %s (error: %v)", oe.Kind, want, err)
	}
	if got := KindOf(err); got != want {
		t.Fatalf("KindOf = %s, want %s", got, want)
	}
	return oe
}

// dirStore is a vault.Store keeping each value in its own file, so several
// processes can share a vault in the cross-process test. Writes are atomic.
type dirStore struct{ dir string }

func (d dirStore) path(key string) string {
	return filepath.Join(d.dir, hex.EncodeToString([]byte(key)))
}

func (d dirStore) Get(_ context.Context, key string) ([]byte, error) {
	b, err := os.ReadFile(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &vault.StoreError{Op: "get", Backend: "dir", Key: key, Err: vault.ErrNotFound}
	}
	return b, err
}

func (d dirStore) Set(_ context.Context, key string, value []byte) error {
	return vault.WriteFileAtomic(d.path(key), value)
}

func (d dirStore) Delete(_ context.Context, key string) error {
	err := os.Remove(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return &vault.StoreError{Op: "delete", Backend: "dir", Key: key, Err: vault.ErrNotFound}
	}
	return err
}

func (d dirStore) Backend() string { return "dir" }

func (d dirStore) Apply(ctx context.Context, changes []vault.Change) ([]vault.Change, error) {
	return vault.ApplyEach(ctx, d, changes)
}

// openDirVault opens the shared on-disk vault of the cross-process test.
func openDirVault(home string) (*vault.Vault, error) {
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		return nil, err
	}
	store := filepath.Join(home, "values")
	if err := vault.EnsurePrivateDir(store); err != nil {
		return nil, err
	}
	return vault.New(cat, dirStore{dir: store}), nil
}

func mustf(t testing.TB, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}
