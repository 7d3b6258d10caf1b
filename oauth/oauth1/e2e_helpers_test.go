package oauth1_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/internal/leakcheck"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/oauth1provider"
	"github.com/authdeck/authdeck/vault"
)

// testTransport is closed before the leak check so idle keep-alive
// connections do not count as leaked goroutines.
var testTransport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}

var testHTTP = &http.Client{Transport: testTransport, Timeout: 20 * time.Second}

func TestMain(m *testing.M) {
	os.Exit(leakcheck.Check(m.Run(), testTransport))
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const (
	consumerKey    = "photo-printer"
	consumerSecret = "consumer-secret-kd94hf93k423kf44"
)

// clock is a settable server clock.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// startProvider runs a provider with one consumer that can use every
// method: a secret and the fixed test key's public half.
func startProvider(t testing.TB, cfg oauth1provider.Config) *oauth1provider.Server {
	t.Helper()
	cfg.Consumers = []oauth1provider.Consumer{{
		Key: consumerKey, Secret: consumerSecret,
		PublicKey: testKey(t).Public().(*rsa.PublicKey), Name: "Printer",
	}}
	s, err := oauth1provider.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the provider: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the provider: %v", err)
		}
	})
	return s
}

// clientSpec is an OAuth 1.0a auth client to store.
type clientSpec struct {
	method, callback, tokenMethod string
	secret                        string // consumer secret stored (default the right one)
}

// newVault returns a memory vault with environment "dev" holding the
// OAuth 1.0a client "photos" for srv, and its store for snapshots.
func newVault(t testing.TB, srv *oauth1provider.Server, spec clientSpec) (*vault.Vault, *vault.MemoryStore) {
	t.Helper()
	store := vault.NewMemoryStore()
	v := vault.New(vault.NewMemoryCatalog(), store)
	if _, err := v.AddEnv(vault.Environment{Name: "dev"}); err != nil {
		t.Fatal(err)
	}
	if err := v.UseEnv("dev"); err != nil {
		t.Fatal(err)
	}
	if spec.secret == "" {
		spec.secret = consumerSecret
	}
	ac := vault.AuthClient{
		Meta: vault.Meta{Name: "photos", Env: "dev"}, Type: vault.ClientOAuth1,
		Endpoints: vault.Endpoints{RequestToken: srv.RequestTokenURL, Authorization: srv.AuthorizeURL, Token: srv.AccessTokenURL},
		ClientID:  consumerKey, SignatureMethod: spec.method, Callback: spec.callback, TokenMethod: spec.tokenMethod,
	}
	creds := &vault.ClientCredentials{ClientSecret: spec.secret}
	if oauth1.IsRSA(spec.method) {
		creds.PrivateKey = testKeyPEM(t)
	}
	if _, err := v.PutClient(ctxT(t), ac, creds); err != nil {
		t.Fatal(err)
	}
	return v, store
}

// snapshot fingerprints everything a vault holds (catalog and every stored
// value, hashed so nothing secret is printed), to prove a failed flow
// changed nothing (S-37).
func snapshot(t testing.TB, v *vault.Vault, store *vault.MemoryStore) string {
	t.Helper()
	cat, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(b)
	keys := store.Keys()
	slices.Sort(keys)
	for _, k := range keys {
		val, err := store.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "\x00%s\x00%x", k, sha256.Sum256(val))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// approve is a browser that approves as demo/demo and follows the callback.
func approve(ctx context.Context, authURL string) error {
	return oauth1provider.NewBrowser(oauth1provider.DemoUser, oauth1provider.DemoPassword).Open(ctx, authURL)
}

// newEngine returns an engine over v whose browser is fn.
func newEngine(v *vault.Vault, b *oauth1provider.Browsers, fn func(ctx context.Context, authURL string) error) *oauth1.Engine {
	return &oauth1.Engine{Vault: v, HTTPClient: testHTTP, Opener: b.Opener(fn), CallbackTimeout: 20 * time.Second}
}
