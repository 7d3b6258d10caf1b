package playground

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// How long the intermediate artefacts of a flow live.
const (
	authRequestLifetime = 30 * time.Minute
	authCodeLifetime    = 2 * time.Minute
	purgeEvery          = time.Minute
)

// lifetimes holds the configurable token lifetimes.
type lifetimes struct {
	access       time.Duration
	refresh      time.Duration
	pollInterval time.Duration
}

// storage is the in-memory op.Storage of the playground provider. One mutex
// guards every map; the records handed to op are copies, so op and the login
// pages never share mutable state.
type storage struct {
	lt       lifetimes
	audience string // the demo API's URL, added to every access token's aud
	signing  *signingKey
	loginURL string

	mu           sync.Mutex
	clients      map[string]*client
	users        map[string]*user // by username
	authRequests map[string]*authRequest
	codes        map[string]codeEntry
	access       map[string]*accessToken  // by token id (jti)
	refresh      map[string]*refreshToken // by SHA-256 of the token
	spent        map[string]spentRefresh  // rotated refresh tokens, by SHA-256
	devices      map[string]*deviceEntry  // by device code
	userCodes    map[string]string        // normalized user code -> device code
	jtis         map[string]time.Time     // client assertion ids seen, until their exp
	lastPurge    time.Time
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.DeviceAuthorizationStorage     = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
)

func newStorage(lt lifetimes, audience, loginURL string, key *signingKey) *storage {
	return &storage{
		lt:           lt,
		audience:     audience,
		signing:      key,
		loginURL:     loginURL,
		clients:      make(map[string]*client),
		users:        map[string]*user{demoUser.username: demoUser},
		authRequests: make(map[string]*authRequest),
		codes:        make(map[string]codeEntry),
		access:       make(map[string]*accessToken),
		refresh:      make(map[string]*refreshToken),
		spent:        make(map[string]spentRefresh),
		devices:      make(map[string]*deviceEntry),
		userCodes:    make(map[string]string),
		jtis:         make(map[string]time.Time),
		lastPurge:    time.Now(),
	}
}

// user is an end-user of the provider.
type user struct {
	id, username        string
	passwordHash        [32]byte
	name, given, family string
	email               string
}

// demoUser is the playground's only end-user, demo / demo.
var demoUser = &user{
	id:           "demo-user",
	username:     DemoUser,
	passwordHash: sha256.Sum256([]byte(DemoPassword)),
	name:         "Demo User",
	given:        "Demo",
	family:       "User",
	email:        "demo@example.com",
}

// checkUser verifies a username and password without revealing which was wrong.
func (s *storage) checkUser(username, password string) (*user, bool) {
	s.mu.Lock()
	u := s.users[username]
	s.mu.Unlock()
	h := sha256.Sum256([]byte(password))
	if u == nil {
		subtle.ConstantTimeCompare(h[:], demoUser.passwordHash[:])
		return nil, false
	}
	return u, subtle.ConstantTimeCompare(h[:], u.passwordHash[:]) == 1
}

func (s *storage) userByID(id string) *user {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

// ---- clients ----

// createClient registers spec, returning the generated secret (empty for
// clients that do not use one). Only the secret's hash is stored.
func (s *storage) createClient(spec ClientSpec) (*client, string, error) {
	c, err := buildClient(spec, s.loginURL, time.Now())
	if err != nil {
		return nil, "", err
	}
	var secret string
	if c.authMethod == oidc.AuthMethodBasic || c.authMethod == oidc.AuthMethodPost || c.authMethod == authMethodSecretJWT {
		secret = randomToken(32)
		c.secretHash = hashSecret(secret)
		if c.authMethod == authMethodSecretJWT {
			c.hmacKey = []byte(secret)
		}
	} else if spec.Expiration != nil {
		return nil, "", specError("expiration applies to client secrets; %s clients have none", c.info.AuthMethod)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.clients[c.info.ClientID]; dup {
		return nil, "", specError("client id %q is already registered", c.info.ClientID)
	}
	s.clients[c.info.ClientID] = c
	return c, secret, nil
}

func (s *storage) client(id string) *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[id]
}

func (s *storage) clientInfos() []ClientInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ClientInfo, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, cloneInfo(c.info))
	}
	slices.SortFunc(out, func(a, b ClientInfo) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// dummyHash keeps the cost of rejecting an unknown client close to that of
// rejecting a wrong secret.
var dummyHash = hashSecret("unknown-client")

// authenticateSecret checks a client secret (basic or post). Failures are
// invalid_client errors whose descriptions never contain the secret.
func (s *storage) authenticateSecret(clientID, secret string) (*client, error) {
	c := s.client(clientID)
	if c == nil {
		h := hashSecret(secret)
		subtle.ConstantTimeCompare(h, dummyHash)
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client or wrong client secret")
	}
	if c.secretHash == nil {
		return nil, oidc.ErrInvalidClient().WithDescription("client %s authenticates with %s, not a secret", c.info.ClientID, c.info.AuthMethod)
	}
	if !c.checkSecret(secret) {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client or wrong client secret")
	}
	if c.secretExpired(time.Now()) {
		return nil, oidc.ErrInvalidClient().WithDescription("the client secret expired")
	}
	return c, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	if c := s.client(clientID); c != nil {
		return c, nil
	}
	return nil, errors.New("client not found")
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	_, err := s.authenticateSecret(clientID, clientSecret)
	return err
}

// ClientCredentials implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentials(_ context.Context, clientID, clientSecret string) (op.Client, error) {
	c, err := s.authenticateSecret(clientID, clientSecret)
	if err != nil {
		return nil, err
	}
	if !c.hasGrant(oidc.GrantTypeClientCredentials) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client credentials grant not enabled for this client")
	}
	return c, nil
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	c := s.client(clientID)
	if c == nil {
		return nil, oidc.ErrInvalidClient()
	}
	granted, err := machineScopes(c, scopes)
	if err != nil {
		return nil, err
	}
	return &clientTokenRequest{clientID: clientID, scopes: granted, audience: []string{clientID, s.audience}}, nil
}

// machineScopes validates the scopes of a grant without an end-user. When
// none are asked for, the client's API scopes are granted.
func machineScopes(c *client, requested []string) ([]string, error) {
	if len(requested) == 0 {
		var def []string
		for _, sc := range c.info.Scopes {
			if !isUserScope(sc) {
				def = append(def, sc)
			}
		}
		return def, nil
	}
	for _, sc := range requested {
		if isUserScope(sc) || !slices.Contains(c.info.Scopes, sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %q is not allowed for this client", sc)
		}
	}
	return slices.Clone(requested), nil
}

func isUserScope(sc string) bool {
	switch sc {
	case oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess, oidc.ScopePhone, oidc.ScopeAddress:
		return true
	}
	return false
}

// GetKeyByIDAndClientID implements op.OPStorage; op uses it to verify
// private_key_jwt client assertions.
func (s *storage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c := s.client(clientID)
	if c == nil || c.key == nil {
		return nil, errors.New("client has no registered public key")
	}
	if keyID != "" && keyID != c.key.KeyID {
		return nil, errors.New("unknown key id")
	}
	k := *c.key
	return &k, nil
}

// useJTI records a client assertion id and reports whether it was fresh.
func (s *storage) useJTI(clientID, jti string, exp time.Time) bool {
	key := clientID + "\x00" + jti
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(time.Now())
	if _, seen := s.jtis[key]; seen {
		return false
	}
	s.jtis[key] = exp
	return true
}

// ValidateJWTProfileScopes implements op.OPStorage. The RFC 7523 §2.1 JWT
// bearer grant is not offered by the playground; private_key_jwt is offered
// as client authentication instead.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("the JWT bearer grant is not enabled in the playground")
}

// ---- keys ----

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.signing, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.signing.alg}, nil
}

// KeySet implements op.AuthStorage.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.signing}}, nil
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// ---- authorization requests ----

type codeEntry struct {
	requestID string
	issued    time.Time
}

// authRequest implements op.AuthRequest.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	audience     []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	prompt       []string
	maxAge       *uint
	loginHint    string
	hintSubject  string
	challenge    *oidc.CodeChallenge
	code         string
	// codeJKT binds the authorization code to a DPoP key (RFC 9449 §10):
	// from dpop_jkt, or the proof that came with the pushed request.
	codeJKT string

	done     bool
	subject  string
	authTime time.Time
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAudience() []string                 { return a.audience }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}

// GetResponseMode returns the requested mode. A plain OAuth implicit
// request (response_type=token) defaults to the fragment, which op only does
// for the OpenID Connect implicit response types.
func (a *authRequest) GetResponseMode() oidc.ResponseMode {
	if a.responseMode == "" && a.responseType == responseTypeToken {
		return oidc.ResponseModeFragment
	}
	return a.responseMode
}

func (a *authRequest) clone() *authRequest {
	c := *a
	c.scopes = slices.Clone(a.scopes)
	c.audience = slices.Clone(a.audience)
	c.prompt = slices.Clone(a.prompt)
	if a.challenge != nil {
		ch := *a.challenge
		c.challenge = &ch
	}
	return &c
}

// CreateAuthRequest implements op.AuthStorage. op has validated the client,
// redirect URI, response type and scopes; this adds the playground's PKCE
// policy: S256 only, and mandatory for public clients.
func (s *storage) CreateAuthRequest(ctx context.Context, ar *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	c := s.client(ar.ClientID)
	if c == nil {
		return nil, oidc.ErrInvalidClient()
	}
	if ar.CodeChallenge != "" && ar.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if ar.ResponseType == oidc.ResponseTypeCode && c.authMethod == oidc.AuthMethodNone && ar.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE (code_challenge with S256) is required for public clients")
	}
	req := &authRequest{
		id:           randomToken(18),
		created:      time.Now(),
		clientID:     ar.ClientID,
		redirectURI:  ar.RedirectURI,
		state:        ar.State,
		nonce:        ar.Nonce,
		scopes:       slices.Clone(ar.Scopes),
		audience:     []string{ar.ClientID, s.audience},
		responseType: ar.ResponseType,
		responseMode: ar.ResponseMode,
		prompt:       slices.Clone(ar.Prompt),
		maxAge:       ar.MaxAge,
		loginHint:    ar.LoginHint,
		hintSubject:  userID,
		codeJKT:      codeBindingFrom(ctx),
	}
	if ar.CodeChallenge != "" {
		req.challenge = &oidc.CodeChallenge{Challenge: ar.CodeChallenge, Method: ar.CodeChallengeMethod}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(req.created)
	s.authRequests[req.id] = req
	return req.clone(), nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	req, err := s.authRequest(id)
	if err != nil {
		return nil, err
	}
	return req, nil
}

func (s *storage) authRequest(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok || time.Since(req.created) > authRequestLifetime {
		return nil, errors.New("authorization request not found or expired")
	}
	return req.clone(), nil
}

// AuthRequestByCode implements op.AuthStorage.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[code]
	if !ok || time.Since(e.issued) > authCodeLifetime {
		return nil, errors.New("authorization code invalid, used or expired")
	}
	req, ok := s.authRequests[e.requestID]
	if !ok {
		return nil, errors.New("authorization code invalid, used or expired")
	}
	if req.codeJKT != "" && req.codeJKT != proofKeyFrom(ctx) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the authorization code is bound to a DPoP key; the proof is missing or made with another key")
	}
	return req.clone(), nil
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok {
		return errors.New("authorization request not found")
	}
	if req.code != "" {
		delete(s.codes, req.code)
	}
	req.code = code
	s.codes[code] = codeEntry{requestID: id, issued: time.Now()}
	return nil
}

// DeleteAuthRequest implements op.AuthStorage; op calls it once the code has
// been exchanged, which makes codes single-use.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteAuthRequestLocked(id)
	return nil
}

func (s *storage) deleteAuthRequestLocked(id string) {
	if req, ok := s.authRequests[id]; ok && req.code != "" {
		delete(s.codes, req.code)
	}
	delete(s.authRequests, id)
}

// completeAuthRequest records the signed-in user on a pending request.
func (s *storage) completeAuthRequest(id, subject string, authTime time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.authRequests[id]
	if !ok || req.done {
		return errors.New("authorization request not found or already completed")
	}
	req.done, req.subject, req.authTime = true, subject, authTime
	return nil
}

func (s *storage) deleteAuthRequest(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteAuthRequestLocked(id)
}

// purgeLocked drops expired records, at most once per purgeEvery, so that a
// long-running demo or a benchmark does not grow without bound.
func (s *storage) purgeLocked(now time.Time) {
	if now.Sub(s.lastPurge) < purgeEvery {
		return
	}
	s.lastPurge = now
	for id, req := range s.authRequests {
		if now.Sub(req.created) > authRequestLifetime {
			s.deleteAuthRequestLocked(id)
		}
	}
	for code, e := range s.codes {
		if now.Sub(e.issued) > authCodeLifetime {
			delete(s.codes, code)
		}
	}
	for id, t := range s.access {
		if now.After(t.expires) {
			delete(s.access, id)
		}
	}
	for h, t := range s.refresh {
		if now.After(t.expires) {
			delete(s.refresh, h)
		}
	}
	for h, sp := range s.spent {
		if now.After(sp.expires) {
			delete(s.spent, h)
		}
	}
	for dc, d := range s.devices {
		if now.Sub(d.state.Expires) > time.Minute {
			delete(s.devices, dc)
			delete(s.userCodes, normalizeUserCode(d.userCode))
		}
	}
	for k, exp := range s.jtis {
		if now.After(exp) {
			delete(s.jtis, k)
		}
	}
}
