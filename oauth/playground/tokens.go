package playground

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// accessToken is the server-side record of an issued JWT access token, kept
// so that tokens can be introspected and revoked.
type accessToken struct {
	id       string
	clientID string
	subject  string
	scopes   []string
	audience []string
	issued   time.Time
	expires  time.Time
	family   string // refresh token family it belongs to, if any
	jkt      string // thumbprint of the DPoP key it is bound to (RFC 9449), if any
}

// refreshToken is a stored refresh token. Only a hash of the token is kept.
type refreshToken struct {
	hash     string
	family   string
	clientID string
	subject  string
	scopes   []string // the scopes originally granted; kept across rotations
	audience []string
	amr      []string
	authTime time.Time
	expires  time.Time
	// jkt binds the token to a DPoP key: refresh tokens of public clients
	// obtained with a proof are only refreshed with the same key (RFC 9449 §5).
	jkt string
}

// spentRefresh remembers a rotated refresh token so that its reuse can be
// detected (RFC 9700 §4.14.2) until it would have expired anyway.
type spentRefresh struct {
	family  string
	expires time.Time
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// clientTokenRequest is the token request of the client credentials grant.
type clientTokenRequest struct {
	clientID string
	scopes   []string
	audience []string
}

func (r *clientTokenRequest) GetSubject() string    { return r.clientID }
func (r *clientTokenRequest) GetAudience() []string { return r.audience }
func (r *clientTokenRequest) GetScopes() []string   { return r.scopes }
func (r *clientTokenRequest) GetClientID() string   { return r.clientID }

// refreshTokenRequest implements op.RefreshTokenRequest.
type refreshTokenRequest struct {
	rec     refreshToken
	current []string
}

var _ op.RefreshTokenRequest = (*refreshTokenRequest)(nil)

func (r *refreshTokenRequest) GetAMR() []string                 { return r.rec.amr }
func (r *refreshTokenRequest) GetAudience() []string            { return r.rec.audience }
func (r *refreshTokenRequest) GetAuthTime() time.Time           { return r.rec.authTime }
func (r *refreshTokenRequest) GetClientID() string              { return r.rec.clientID }
func (r *refreshTokenRequest) GetScopes() []string              { return r.current }
func (r *refreshTokenRequest) GetSubject() string               { return r.rec.subject }
func (r *refreshTokenRequest) SetCurrentScopes(scopes []string) { r.current = slices.Clone(scopes) }

// tokenSource extracts what a stored token needs from the request types op
// passes to CreateAccessToken and CreateAccessAndRefreshTokens.
func tokenSource(req op.TokenRequest) (clientID string, amr []string, authTime time.Time, err error) {
	switch r := req.(type) {
	case *authRequest:
		return r.clientID, r.GetAMR(), r.authTime, nil
	case *refreshTokenRequest:
		return r.rec.clientID, r.rec.amr, r.rec.authTime, nil
	case *passwordRequest:
		return r.clientID, r.GetAMR(), r.authTime, nil
	case *op.DeviceAuthorizationState:
		return r.ClientID, r.AMR, r.AuthTime, nil
	case *clientTokenRequest:
		return r.clientID, nil, time.Time{}, nil
	case op.TokenExchangeRequest:
		return r.GetClientID(), r.GetAMR(), r.GetAuthTime(), nil
	}
	return "", nil, time.Time{}, oidc.ErrServerError().WithDescription("unsupported token request")
}

func (s *storage) accessLifetime(clientID string) time.Duration {
	if c := s.client(clientID); c != nil && c.info.AccessTokenLifetime > 0 {
		return c.info.AccessTokenLifetime
	}
	return s.lt.access
}

// newAccessLocked stores an access token record and returns it.
func (s *storage) newAccessLocked(clientID, subject string, scopes, audience []string, lifetime time.Duration, family, jkt string) *accessToken {
	now := time.Now()
	t := &accessToken{
		id:       randomToken(16),
		clientID: clientID,
		subject:  subject,
		scopes:   slices.Clone(scopes),
		audience: slices.Clone(audience),
		issued:   now,
		expires:  accessExpiry(now, lifetime),
		family:   family,
		jkt:      jkt,
	}
	s.access[t.id] = t
	return t
}

// accessExpiry ends a token just before the whole second after now+lifetime.
// The JWT's exp (whole seconds) is then exactly iat+lifetime, and op, which
// truncates the remaining validity to whole seconds, answers expires_in equal
// to the configured lifetime instead of one second less.
func accessExpiry(now time.Time, lifetime time.Duration) time.Time {
	return now.Truncate(time.Second).Add(lifetime + time.Second - time.Nanosecond)
}

// CreateAccessToken implements op.AuthStorage. The returned id becomes the
// JWT's jti; op signs the token itself.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID, _, _, err := tokenSource(req)
	if err != nil {
		return "", time.Time{}, err
	}
	lifetime := s.accessLifetime(clientID)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(time.Now())
	t := s.newAccessLocked(clientID, req.GetSubject(), req.GetScopes(), req.GetAudience(), lifetime, "", proofKeyFrom(ctx))
	return t.id, t.expires, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage with refresh token
// rotation: every refresh returns a new refresh token and spends the old one.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	clientID, amr, authTime, err := tokenSource(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	lifetime := s.accessLifetime(clientID)
	jkt := proofKeyFrom(ctx)
	// RFC 9449 §5: a public client's refresh token is bound to its DPoP key;
	// a confidential client's is bound to its authentication instead.
	refreshJKT := ""
	if c := s.client(clientID); c != nil && c.authMethod == oidc.AuthMethodNone {
		refreshJKT = jkt
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(now)

	if current == "" {
		if pr, ok := req.(*passwordRequest); ok && !pr.offline {
			// op asks for a refresh token for every password request (see
			// passwordRequest); only offline_access earns one.
			t := s.newAccessLocked(clientID, req.GetSubject(), req.GetScopes(), req.GetAudience(), lifetime, "", jkt)
			return t.id, "", t.expires, nil
		}
		family := randomToken(12)
		at := s.newAccessLocked(clientID, req.GetSubject(), req.GetScopes(), req.GetAudience(), lifetime, family, jkt)
		token := randomToken(32)
		rt := &refreshToken{
			hash:     hashToken(token),
			family:   family,
			clientID: clientID,
			subject:  req.GetSubject(),
			scopes:   slices.Clone(req.GetScopes()),
			audience: slices.Clone(req.GetAudience()),
			amr:      slices.Clone(amr),
			authTime: authTime,
			expires:  now.Add(s.lt.refresh),
			jkt:      refreshJKT,
		}
		s.refresh[rt.hash] = rt
		return at.id, token, at.expires, nil
	}

	// Rotation. The old token is looked up again under the lock: of two
	// concurrent refreshes with the same token only one wins.
	old := hashToken(current)
	rt, ok := s.refresh[old]
	if !ok || now.After(rt.expires) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token invalid, expired or already used")
	}
	if rt.jkt != "" && rt.jkt != jkt {
		return "", "", time.Time{}, errBoundRefresh()
	}
	delete(s.refresh, old)
	s.spent[old] = spentRefresh{family: rt.family, expires: rt.expires}
	at := s.newAccessLocked(clientID, rt.subject, req.GetScopes(), rt.audience, lifetime, rt.family, jkt)
	token := randomToken(32)
	next := *rt
	next.hash = hashToken(token)
	next.expires = now.Add(s.lt.refresh)
	s.refresh[next.hash] = &next
	return at.id, token, at.expires, nil
}

// TokenRequestByRefreshToken implements op.AuthStorage. Presenting a refresh
// token that was already rotated revokes its whole family, as RFC 9700
// §4.14.2 recommends: either the client or an attacker holds a stolen copy.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	h := hashToken(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[h]; ok {
		if time.Now().After(rt.expires) {
			delete(s.refresh, h)
			return nil, errors.New("refresh token expired")
		}
		if rt.jkt != "" && rt.jkt != proofKeyFrom(ctx) {
			return nil, errBoundRefresh()
		}
		rec := *rt
		rec.scopes = slices.Clone(rt.scopes)
		rec.audience = slices.Clone(rt.audience)
		rec.amr = slices.Clone(rt.amr)
		return &refreshTokenRequest{rec: rec, current: slices.Clone(rt.scopes)}, nil
	}
	if sp, ok := s.spent[h]; ok {
		s.revokeFamilyLocked(sp.family)
		return nil, errors.New("refresh token reuse detected; the token family was revoked")
	}
	return nil, errors.New("unknown refresh token")
}

// errBoundRefresh refuses a DPoP-bound refresh token used without its key.
func errBoundRefresh() error {
	return oidc.ErrInvalidGrant().WithDescription("the refresh token is bound to a DPoP key; the proof is missing or made with another key")
}

func (s *storage) revokeFamilyLocked(family string) {
	if family == "" {
		return
	}
	for h, rt := range s.refresh {
		if rt.family == family {
			delete(s.refresh, h)
		}
	}
	for id, at := range s.access {
		if at.family == family {
			delete(s.access, id)
		}
	}
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(_ context.Context, _ string, token string) (string, string, error) {
	h := hashToken(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[h]
	if !ok {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.subject, h, nil
}

// RevokeToken implements op.AuthStorage (RFC 7009). Revoking a refresh token
// also revokes the access tokens issued from the same grant.
func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.access[tokenOrID]; ok {
		if at.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		delete(s.access, tokenOrID)
		return nil
	}
	for _, key := range []string{tokenOrID, hashToken(tokenOrID)} {
		if rt, ok := s.refresh[key]; ok {
			if rt.clientID != clientID {
				return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
			}
			s.revokeFamilyLocked(rt.family)
			return nil
		}
	}
	// Unknown tokens are not an error (RFC 7009 §2.2).
	return nil
}

// TerminateSession implements op.AuthStorage: ending the session at the
// provider revokes the user's tokens for that client.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	if userID == "" || clientID == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, rt := range s.refresh {
		if rt.subject == userID && rt.clientID == clientID {
			delete(s.refresh, h)
		}
	}
	for id, at := range s.access {
		if at.subject == userID && at.clientID == clientID {
			delete(s.access, id)
		}
	}
	return nil
}

// accessTokenActive reports whether the access token with id jti was issued
// by this provider, has not been revoked and has not expired.
func (s *storage) accessTokenActive(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.access[jti]
	return ok && time.Now().Before(at.expires)
}

func (s *storage) activeAccess(id string) (accessToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.access[id]
	if !ok || !time.Now().Before(at.expires) {
		return accessToken{}, false
	}
	c := *at
	c.scopes = slices.Clone(at.scopes)
	c.audience = slices.Clone(at.audience)
	return c, true
}

// activeRefresh returns the record of an active refresh token.
func (s *storage) activeRefresh(token string) (refreshToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[hashToken(token)]
	if !ok || !time.Now().Before(rt.expires) {
		return refreshToken{}, false
	}
	c := *rt
	c.scopes = slices.Clone(rt.scopes)
	c.audience = slices.Clone(rt.audience)
	return c, true
}

// ---- claims, userinfo, introspection ----

// GetPrivateClaimsFromRequest implements op.CanGetPrivateClaimsFromRequest:
// op does not put the granted scopes into JWT access tokens, so the
// space-delimited "scope" claim (RFC 9068 §2.2.3) is added here.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	return withCnf(ctx, map[string]any{"scope": strings.Join(req.GetScopes(), " ")}), nil
}

// withCnf adds the RFC 9449 §6.1 confirmation of a DPoP-bound token.
func withCnf(ctx context.Context, claims map[string]any) map[string]any {
	if jkt := proofKeyFrom(ctx); jkt != "" {
		claims["cnf"] = map[string]string{"jkt": jkt}
	}
	return claims
}

// GetPrivateClaimsFromScopes implements op.OPStorage; op prefers
// GetPrivateClaimsFromRequest.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, _, _ string, scopes []string) (map[string]any, error) {
	return map[string]any{"scope": strings.Join(scopes, " ")}, nil
}

// SetUserinfoFromScopes implements op.OPStorage; it is deprecated in favour
// of SetUserinfoFromRequest and intentionally empty.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest (ID token claims).
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	s.setUserinfo(info, req.GetSubject(), scopes)
	return nil
}

// SetUserinfoFromToken implements op.OPStorage (the userinfo endpoint).
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	at, ok := s.activeAccess(tokenID)
	if !ok {
		return oidc.ErrAccessDenied().WithDescription("access token invalid, revoked or expired")
	}
	if !slices.Contains(at.scopes, oidc.ScopeOpenID) {
		return &oidc.Error{ErrorType: "insufficient_scope", Description: "the userinfo endpoint needs a token with the openid scope"}
	}
	if s.userByID(at.subject) == nil {
		return oidc.ErrAccessDenied().WithDescription("the token does not represent an end-user")
	}
	s.setUserinfo(info, at.subject, at.scopes)
	return nil
}

func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) {
	u := s.userByID(subject)
	if u == nil {
		return
	}
	info.Subject = u.id
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			info.Name = u.name
			info.GivenName = u.given
			info.FamilyName = u.family
			info.PreferredUsername = u.username
		case oidc.ScopeEmail:
			info.Email = u.email
			info.EmailVerified = oidc.Bool(true)
		}
	}
}

// SetIntrospectionFromToken implements op.OPStorage (RFC 7662). Any
// authenticated client of the playground may introspect any token.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, _, _ string) error {
	at, ok := s.activeAccess(tokenID)
	if !ok {
		return errors.New("token inactive")
	}
	resp.Scope = at.scopes
	resp.ClientID = at.clientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(at.expires)
	resp.IssuedAt = oidc.FromTime(at.issued)
	resp.NotBefore = oidc.FromTime(at.issued)
	resp.Subject = at.subject
	resp.Audience = at.audience
	resp.Issuer = op.IssuerFromContext(ctx)
	resp.JWTID = at.id
	if u := s.userByID(at.subject); u != nil {
		resp.Username = u.username
	}
	return nil
}
