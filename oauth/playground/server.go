package playground

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// Config tunes the playground. The zero value is ready to use.
type Config struct {
	// Addr is the provider's listen address, a loopback IP with a port
	// (default 127.0.0.1:0: a port chosen by the OS).
	Addr string
	// APIAddr is the demo API's listen address (default 127.0.0.1:0).
	APIAddr string
	// AccessTokenLifetime is the default access token lifetime (default 5 min).
	AccessTokenLifetime time.Duration
	// ShortAccessTokenLifetime is the lifetime for ClientShort (default 60 s).
	ShortAccessTokenLifetime time.Duration
	// RefreshTokenLifetime is the lifetime of each refresh token (default 24 h).
	RefreshTokenLifetime time.Duration
	// DeviceCodeLifetime is how long a device code can be approved (default 10 min).
	DeviceCodeLifetime time.Duration
	// DevicePollInterval is the device flow's interval, whole seconds (default 5 s).
	DevicePollInterval time.Duration
	// SigningAlgorithm is the provider's token signing algorithm: RS256
	// (default) or ES256.
	SigningAlgorithm string
	// ClientKeyAlgorithm is ES256 (default) or RS256 for ClientServiceJWT's key.
	ClientKeyAlgorithm string
	// DisableIssParameter turns RFC 9207 off (no metadata, no iss in responses).
	DisableIssParameter bool
	// NoDPoPNonce lets DPoP proofs at the token and PAR endpoints go without
	// a server nonce; by default the provider asks for one (RFC 9449 §8),
	// as providers that speak DPoP commonly do.
	NoDPoPNonce bool
	// APIDPoPNonce makes the demo API ask for a server nonce in the proofs
	// that come with DPoP-bound tokens (RFC 9449 §9).
	APIDPoPNonce bool
	// DPoPNonceWindow is how long a server nonce lasts (default 5 min; the
	// previous window's nonce is accepted too).
	DPoPNonceWindow time.Duration
	// RequirePAR makes every authorization request go through the pushed
	// authorization request endpoint, and says so in discovery (RFC 9126 §5).
	RequirePAR bool
	// PARLifetime is how long a request_uri can be used (default 60 s).
	PARLifetime time.Duration
	// RequireSignedRequestObject makes discovery say
	// require_signed_request_object (RFC 9101 §10.5); clients registered
	// with RequireRequestObject are held to it.
	RequireSignedRequestObject bool
	// StructuredTokensOnly makes the revocation and introspection endpoints
	// refuse JWT access tokens with unsupported_token_type, as some
	// certified providers do (panva's oidc-provider: "Structured JWT Tokens
	// cannot be revoked"). Refresh tokens are still revoked and introspected.
	StructuredTokensOnly bool
	// OAuth1 starts the OAuth 1.0a provider (oauth1demo.Provider); nil runs none.
	OAuth1 OAuth1Starter
	// OAuth1Addr is the OAuth 1.0a provider's listen address (default 127.0.0.1:0).
	OAuth1Addr string
}

func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.APIAddr == "" {
		c.APIAddr = "127.0.0.1:0"
	}
	if c.OAuth1Addr == "" {
		c.OAuth1Addr = "127.0.0.1:0"
	}
	def(&c.AccessTokenLifetime, 5*time.Minute)
	def(&c.ShortAccessTokenLifetime, 60*time.Second)
	def(&c.RefreshTokenLifetime, 24*time.Hour)
	def(&c.DeviceCodeLifetime, 10*time.Minute)
	def(&c.DevicePollInterval, 5*time.Second)
	def(&c.PARLifetime, time.Minute)
	def(&c.DPoPNonceWindow, 5*time.Minute)
	for name, d := range map[string]time.Duration{
		"AccessTokenLifetime": c.AccessTokenLifetime, "ShortAccessTokenLifetime": c.ShortAccessTokenLifetime,
		"RefreshTokenLifetime": c.RefreshTokenLifetime, "DeviceCodeLifetime": c.DeviceCodeLifetime,
		"PARLifetime": c.PARLifetime, "DPoPNonceWindow": c.DPoPNonceWindow,
	} {
		if d < time.Second {
			return c, fmt.Errorf("playground: %s must be at least 1s", name)
		}
	}
	if c.DevicePollInterval < time.Second || c.DevicePollInterval%time.Second != 0 {
		return c, errors.New("playground: DevicePollInterval must be a whole number of seconds")
	}
	return c, nil
}

// Endpoints lists the provider's URLs (also available from discovery).
type Endpoints struct {
	Discovery           string // /.well-known/openid-configuration
	Authorization       string // authorization endpoint
	Token               string // token endpoint
	Introspection       string // RFC 7662
	Revocation          string // RFC 7009
	Userinfo            string // OpenID Connect userinfo
	EndSession          string // RP-initiated logout
	JWKS                string // the provider's public keys
	DeviceAuthorization string // RFC 8628 device authorization endpoint
	DeviceVerification  string // the page where users enter a device's user code
	PushedAuthorization string // RFC 9126 pushed authorization request endpoint
}

// Server is a running playground: the OpenID provider and the demo API.
type Server struct {
	// Issuer is the provider's issuer, http://127.0.0.1:PORT.
	Issuer string
	// APIURL is the demo API's base URL; access tokens carry it in aud.
	APIURL string
	// Clients are the demo clients with their freshly generated credentials.
	Clients []DemoClient
	// User and Password are the demo end-user's credentials (demo / demo).
	User, Password string
	// APIKey is accepted by GET /apikey (X-API-Key header or api_key query).
	APIKey string
	// BasicUser and BasicPassword are accepted by GET /basic.
	BasicUser, BasicPassword string
	// AdminToken authorizes POST /admin/clients on the provider.
	AdminToken string
	// OAuth1 describes the OAuth 1.0a provider and its demo consumer; nil
	// when the playground runs without one (Config.OAuth1).
	OAuth1 *OAuth1

	st         *storage
	oauth1     OAuth1Provider
	endpoints  Endpoints
	servers    []*http.Server
	cancelBase context.CancelFunc
	mu         sync.Mutex // guards stopAfter
	stopAfter  func() bool
	wg         sync.WaitGroup
	closeOnce  sync.Once
	closeErr   error
}

// Start runs the provider and the demo API on loopback listeners until Close
// is called or ctx is done.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback(cfg.Addr)
	if err != nil {
		return nil, err
	}
	apiLn, err := listenLoopback(cfg.APIAddr)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s, handler, apiHandler, err := build(cfg, ln.Addr().String(), apiLn.Addr().String())
	if err != nil {
		ln.Close()
		apiLn.Close()
		return nil, err
	}
	if err := s.startOAuth1(ctx, cfg); err != nil {
		ln.Close()
		apiLn.Close()
		return nil, err
	}
	base, cancel := context.WithCancel(context.Background())
	s.cancelBase = cancel
	for _, pair := range []struct {
		ln net.Listener
		h  http.Handler
	}{{ln, handler}, {apiLn, apiHandler}} {
		srv := &http.Server{
			Handler:           pair.h,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return base },
		}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = srv.Serve(pair.ln)
		}()
	}
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	s.mu.Lock()
	s.stopAfter = stop
	s.mu.Unlock()
	return s, nil
}

func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("playground: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("playground: listen address %q is not a loopback IP", addr)
	}
	return net.Listen("tcp", addr)
}

// build wires storage, op, the login pages and the demo API together.
func build(cfg Config, addr, apiAddr string) (*Server, http.Handler, http.Handler, error) {
	issuer := "http://" + addr
	apiURL := "http://" + apiAddr
	key, err := newSigningKey(cfg.SigningAlgorithm)
	if err != nil {
		return nil, nil, nil, err
	}
	st := newStorage(lifetimes{
		access:       cfg.AccessTokenLifetime,
		refresh:      cfg.RefreshTokenLifetime,
		pollInterval: cfg.DevicePollInterval,
	}, apiURL, pathLogin, key)
	s := &Server{
		Issuer:        issuer,
		APIURL:        apiURL,
		User:          DemoUser,
		Password:      DemoPassword,
		APIKey:        randomToken(24),
		BasicUser:     "demo-basic",
		BasicPassword: randomToken(18),
		AdminToken:    randomToken(24),
		st:            st,
	}
	if err := s.registerDemoClients(cfg); err != nil {
		return nil, nil, nil, err
	}

	provider, err := newProvider(issuer, st, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ep := provider.Endpoints()
	legacy := op.NewLegacyServer(provider, ep)
	srv := &opServer{
		LegacyServer: legacy, provider: provider, st: st, issParam: !cfg.DisableIssParameter,
		structuredOnly: cfg.StructuredTokensOnly, requirePAR: cfg.RequirePAR, requireJAR: cfg.RequireSignedRequestObject,
		parURL: issuer + pathPAR,
	}
	opHandler := op.RegisterLegacyServer(srv, op.AuthorizeCallbackHandler(provider))
	var asNonces *dpop.Nonces
	if !cfg.NoDPoPNonce {
		asNonces = dpop.NewNonces(cfg.DPoPNonceWindow, nil)
	}
	replay := dpop.NewReplayCache(0)

	_, port, _ := net.SplitHostPort(addr)
	ss := newSessions("authdeck_playground_" + port)
	ui := &loginUI{st: st, ss: ss, authorizer: provider, callbackURL: legacy.AuthCallbackURL()}
	mux := http.NewServeMux()
	ui.register(mux)
	mux.HandleFunc("GET "+pathLoggedOut, loggedOut)
	(&adminAPI{s: s}).register(mux)
	mux.Handle("/", opHandler)

	h := op.NewIssuerInterceptor(provider.IssuerFromRequest).Handler(mux)
	h = &authzFront{
		srv: srv, st: st, issuer: issuer, authPath: ep.Authorization.Relative(), lifetime: cfg.PARLifetime,
		requireAll: cfg.RequirePAR, checker: &dpopChecker{url: issuer + pathPAR, nonces: asNonces, replay: replay},
		pushed: map[string]*pushedRequest{}, next: h,
	}
	h = &passwordGrant{provider: provider, st: st, issuer: issuer, tokenPath: ep.Token.Relative(), next: h}
	h = &dpopFront{
		st: st, tokenPath: ep.Token.Relative(), next: h,
		checker: &dpopChecker{url: ep.Token.Absolute(issuer), nonces: asNonces, replay: replay},
	}
	h = endBrowserSession(ep.EndSession.Relative(), ss, h)
	h = noStore([]string{ep.Token.Relative(), ep.DeviceAuthorization.Relative(), ep.Introspection.Relative(), pathPAR}, h)
	if !cfg.DisableIssParameter {
		auth := ep.Authorization.Relative()
		h = issParameter(issuer, []string{auth, auth + "/callback", pathLogin, pathConsent}, h)
	}

	s.endpoints = Endpoints{
		Discovery:           issuer + oidc.DiscoveryEndpoint,
		Authorization:       ep.Authorization.Absolute(issuer),
		Token:               ep.Token.Absolute(issuer),
		Introspection:       ep.Introspection.Absolute(issuer),
		Revocation:          ep.Revocation.Absolute(issuer),
		Userinfo:            ep.Userinfo.Absolute(issuer),
		EndSession:          ep.EndSession.Absolute(issuer),
		JWKS:                ep.JwksURI.Absolute(issuer),
		DeviceAuthorization: ep.DeviceAuthorization.Absolute(issuer),
		DeviceVerification:  issuer + pathDevice,
		PushedAuthorization: issuer + pathPAR,
	}
	api := newDemoAPI(st, issuer, apiURL, s.APIKey, s.BasicUser, s.BasicPassword)
	api.dpop = &dpopChecker{replay: dpop.NewReplayCache(0)}
	if cfg.APIDPoPNonce {
		api.dpop.nonces = dpop.NewNonces(cfg.DPoPNonceWindow, nil)
	}
	return s, h, api.handler(), nil
}

func (s *Server) registerDemoClients(cfg Config) error {
	key, err := newClientKey(cfg.ClientKeyAlgorithm)
	if err != nil {
		return err
	}
	for _, spec := range demoSpecs(cfg) {
		dc := DemoClient{Name: spec.Name, Description: spec.Description}
		if spec.AuthMethod == AuthMethodPrivateKeyJWT {
			spec.PublicKey, spec.KeyID = key.publicPEM, key.keyID
			dc.PrivateKeyPEM, dc.PublicKeyPEM, dc.SigningAlgorithm = key.privatePEM, key.publicPEM, string(key.alg)
		}
		c, secret, err := s.st.createClient(spec)
		if err != nil {
			return fmt.Errorf("playground: demo client %s: %w", spec.ClientID, err)
		}
		info := c.info
		dc.ClientID, dc.Secret, dc.AuthMethod = info.ClientID, secret, info.AuthMethod
		dc.Grants, dc.Scopes, dc.KeyID = slices.Clone(info.Grants), slices.Clone(info.Scopes), info.KeyID
		dc.LoopbackRedirect = info.LoopbackRedirect
		if len(spec.RedirectURIs) > 0 {
			dc.RedirectURI = spec.RedirectURIs[0]
		}
		dc.ShortLived = spec.AccessTokenLifetime > 0 && spec.AccessTokenLifetime < cfg.AccessTokenLifetime
		dc.Legacy = slices.Contains(info.Grants, GrantPassword) || slices.Contains(info.Grants, GrantImplicit)
		dc.AccessTokenLifetime = cfg.AccessTokenLifetime
		if info.AccessTokenLifetime > 0 {
			dc.AccessTokenLifetime = info.AccessTokenLifetime
		}
		dc.DPoPBound, dc.RequirePAR, dc.RequireRequestObject = info.DPoPBound, info.RequirePAR, info.RequireRequestObject
		if slices.Contains(info.Grants, GrantTokenExchange) {
			dc.ExchangeSubject = ClientServiceBasic
		}
		s.Clients = append(s.Clients, dc)
	}
	return nil
}

// Client returns the demo client with the given client id.
func (s *Server) Client(clientID string) (DemoClient, bool) {
	for _, c := range s.Clients {
		if c.ClientID == clientID {
			return c, true
		}
	}
	return DemoClient{}, false
}

// Endpoints returns the provider's endpoint URLs.
func (s *Server) Endpoints() Endpoints { return s.endpoints }

// CreateClient registers a client. A secret is generated server-side for
// client_secret_basic and client_secret_post clients and returned here only:
// the provider keeps nothing but its SHA-256 hash.
func (s *Server) CreateClient(spec ClientSpec) (ClientInfo, string, error) {
	c, secret, err := s.st.createClient(spec)
	if err != nil {
		return ClientInfo{}, "", err
	}
	return cloneInfo(c.info), secret, nil
}

// ListClients returns every registered client, without secrets.
func (s *Server) ListClients() []ClientInfo { return s.st.clientInfos() }

// Close stops both servers and waits for their goroutines to end.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		stop := s.stopAfter
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		// Cancelling the base context ends in-flight requests such as /slow.
		s.cancelBase()
		// Handlers that wait end with the base context; what is left is
		// CPU work (key checks, signing), which a loaded machine running
		// the race detector can stretch past a few seconds.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var errs []error
		for _, srv := range s.servers {
			if err := srv.Shutdown(ctx); err != nil {
				errs = append(errs, err, srv.Close())
			}
		}
		s.wg.Wait()
		if s.oauth1 != nil {
			if err := s.oauth1.Close(); err != nil {
				errs = append(errs, fmt.Errorf("OAuth 1.0a provider: %w", err))
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
