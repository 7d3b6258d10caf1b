package oauth1provider

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Demo end-user credentials accepted by the authorization page.
const (
	// DemoUser is the demo resource owner's username.
	DemoUser = "demo"
	// DemoPassword is the demo resource owner's password.
	DemoPassword = "demo"
)

// DemoConsumerKey is the key of the consumer Start registers when the
// configuration names none.
const DemoConsumerKey = "authdeck-demo"

// Paths of the provider's endpoints.
const (
	// PathRequestToken is the temporary credentials endpoint (GET or POST).
	PathRequestToken = "/oauth/request_token"
	// PathAuthorize is the resource owner authorization page.
	PathAuthorize = "/oauth/authorize"
	// PathAccessToken is the token credentials endpoint (GET or POST).
	PathAccessToken = "/oauth/access_token"
	// PathPhotos is the protected resource (GET or POST).
	PathPhotos = "/photos"
)

// Config tunes the provider. The zero value is ready to use.
type Config struct {
	// Addr is the listen address, a loopback IP with a port (default
	// 127.0.0.1:0: a port chosen by the OS).
	Addr string
	// TempTokenLifetime is how long temporary credentials can be authorized
	// and exchanged (default 10 min).
	TempTokenLifetime time.Duration
	// TimestampWindow is how far oauth_timestamp may be from the server's
	// clock (default 5 min); nonces are remembered that long.
	TimestampWindow time.Duration
	// Realm names the provider in WWW-Authenticate (default "authdeck").
	Realm string
	// Now is the server's clock (default time.Now); tests move it to expire tokens.
	Now func() time.Time
	// Consumers are the registered clients. Empty means one demo consumer,
	// DemoConsumerKey, with a fresh secret and a fresh RSA key pair.
	Consumers []Consumer
}

// Consumer is a registered client.
type Consumer struct {
	// Key is the consumer key (client identifier).
	Key string
	// Secret is the consumer secret, for HMAC and PLAINTEXT.
	Secret string
	// PublicKey is the registered key for RSA-SHA1 and RSA-SHA256; nil
	// means the consumer cannot use RSA methods.
	PublicKey *rsa.PublicKey
	// Name is shown on the authorization page (default: the key).
	Name string
	// PrivateKeyPEM is the demo consumer's private key (PKCS#8), so the
	// playground can store it with the auth client; the server never uses it.
	PrivateKeyPEM string
}

func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.TempTokenLifetime == 0 {
		c.TempTokenLifetime = 10 * time.Minute
	}
	if c.TimestampWindow == 0 {
		c.TimestampWindow = 5 * time.Minute
	}
	if c.TempTokenLifetime < time.Second || c.TimestampWindow < time.Second {
		return c, errors.New("oauth1provider: TempTokenLifetime and TimestampWindow must be at least 1s")
	}
	if c.Realm == "" {
		c.Realm = "authdeck"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Server is a running provider.
type Server struct {
	// URL is the provider's base URL, http://127.0.0.1:PORT.
	URL string
	// RequestTokenURL, AuthorizeURL, AccessTokenURL and PhotosURL are its endpoints.
	RequestTokenURL, AuthorizeURL, AccessTokenURL, PhotosURL string
	// User and Password are the demo end-user's credentials (demo / demo).
	User, Password string

	cfg       Config
	st        *state
	srv       *http.Server
	wg        sync.WaitGroup
	stop      func() bool
	closeOnce sync.Once
	closeErr  error
}

// Start runs the provider on a loopback listener until Close is called or
// ctx is done.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("oauth1provider: listen address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("oauth1provider: listen address %q is not a loopback IP", cfg.Addr)
	}
	consumers := cfg.Consumers
	if len(consumers) == 0 {
		demo, err := demoConsumer()
		if err != nil {
			return nil, err
		}
		consumers = []Consumer{demo}
	}
	st := newState(cfg)
	for _, c := range consumers {
		if err := st.addConsumer(c); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	s := &Server{
		URL:             base,
		RequestTokenURL: base + PathRequestToken,
		AuthorizeURL:    base + PathAuthorize,
		AccessTokenURL:  base + PathAccessToken,
		PhotosURL:       base + PathPhotos,
		User:            DemoUser,
		Password:        DemoPassword,
		cfg:             cfg,
		st:              st,
	}
	s.srv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	s.stop = context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// Close stops the server and waits for its goroutine.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		// In-flight requests get a moment to finish; connections that never
		// sent a request (a client's spare dial) would hold Shutdown for 5 s,
		// so after the grace period everything left is closed.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				s.closeErr = err
			}
			if err := s.srv.Close(); err != nil {
				s.closeErr = errors.Join(s.closeErr, err)
			}
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// AddConsumer registers another client.
func (s *Server) AddConsumer(c Consumer) error { return s.st.addConsumer(c) }

// Consumers returns the registered clients (secrets included: this is a
// test and demo provider whose caller made them).
func (s *Server) Consumers() []Consumer { return s.st.consumerList() }

// Consumer returns the registered client with the given key.
func (s *Server) Consumer(key string) (Consumer, bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	c, ok := s.st.consumers[key]
	if !ok {
		return Consumer{}, false
	}
	return *c, true
}

// demoConsumer makes the default consumer: a random secret and a fresh
// 2048-bit RSA key pair.
func demoConsumer() (Consumer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Consumer{}, fmt.Errorf("oauth1provider: generating the demo RSA key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Consumer{}, fmt.Errorf("oauth1provider: encoding the demo RSA key: %w", err)
	}
	return Consumer{
		Key:           DemoConsumerKey,
		Secret:        randomToken(24),
		PublicKey:     &key.PublicKey,
		Name:          "authdeck demo",
		PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}, nil
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("oauth1provider: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
