package playground

import (
	"context"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Token exchange (RFC 8693) is op's: it parses the request, verifies the
// subject and actor tokens with the provider's own verifiers and mints the
// new token. The playground's storage supplies the policy (which client may
// exchange what, for which audience, with which scopes) and the claims.

var _ op.TokenExchangeStorage = (*storage)(nil)

// exchangeDenied is the error of an exchange the policy refuses.
func exchangeDenied(format string, args ...any) *oidc.Error {
	e := oidc.ErrInvalidRequest().WithDescription(format, args...)
	e.ErrorType = oidc.InvalidTarget
	return e
}

// ValidateTokenExchangeRequest implements op.TokenExchangeStorage: the
// client must have the grant; an access token subject must still be active
// (not revoked); the audience must be one the client may exchange for (the
// demo API unless the client names others); scopes are at most the
// subject's and the client's; the default token type is an access token.
func (s *storage) ValidateTokenExchangeRequest(_ context.Context, req op.TokenExchangeRequest) error {
	c := s.client(req.GetClientID())
	if c == nil {
		return oidc.ErrInvalidClient()
	}
	if !c.hasGrant(GrantTokenExchange) {
		return oidc.ErrUnauthorizedClient().WithDescription("token exchange is not enabled for this client")
	}
	var subjectScopes []string
	switch req.GetExchangeSubjectTokenType() {
	case oidc.AccessTokenType:
		at, ok := s.activeAccess(req.GetExchangeSubjectTokenIDOrToken())
		if !ok {
			return oidc.ErrInvalidGrant().WithDescription("the subject token is revoked or expired")
		}
		subjectScopes = at.scopes
	case oidc.RefreshTokenType:
		rt, ok := s.activeRefresh(req.GetExchangeSubjectTokenIDOrToken())
		if !ok {
			return oidc.ErrInvalidGrant().WithDescription("the subject token is revoked or expired")
		}
		subjectScopes = rt.scopes
	case oidc.IDTokenType:
		subjectScopes = []string{oidc.ScopeOpenID}
	default:
		return oidc.ErrInvalidRequest().WithDescription("subject_token_type %s is not exchanged here", req.GetExchangeSubjectTokenType())
	}
	if req.GetExchangeActor() != "" && req.GetExchangeActorTokenType() == oidc.AccessTokenType {
		if _, ok := s.activeAccess(req.GetExchangeActorTokenIDOrToken()); !ok {
			return oidc.ErrInvalidGrant().WithDescription("the actor token is revoked or expired")
		}
	}
	allowed := c.info.ExchangeAudiences
	if len(allowed) == 0 {
		allowed = []string{s.audience}
	}
	aud := req.GetAudience()
	if len(aud) == 0 {
		return exchangeDenied("name the audience the new token is for (one of %s)", strings.Join(allowed, ", "))
	}
	for _, a := range append(slices.Clone(aud), req.GetResourses()...) {
		if !slices.Contains(allowed, a) {
			return exchangeDenied("exchange denied: client %s may not get tokens for %s", c.info.ClientID, a)
		}
	}
	requested := req.GetScopes()
	var granted []string
	if len(requested) == 0 {
		for _, sc := range subjectScopes {
			if slices.Contains(c.info.Scopes, sc) {
				granted = append(granted, sc)
			}
		}
	} else {
		for _, sc := range requested {
			if !slices.Contains(subjectScopes, sc) || !slices.Contains(c.info.Scopes, sc) {
				return oidc.ErrInvalidScope().WithDescription("scope %q is not held by the subject token or not allowed for this client", sc)
			}
		}
		granted = slices.Clone(requested)
	}
	req.SetCurrentScopes(granted)
	switch req.GetRequestedTokenType() {
	case "":
		req.SetRequestedTokenType(oidc.AccessTokenType)
	case oidc.AccessTokenType, oidc.IDTokenType:
	default:
		return oidc.ErrInvalidRequest().WithDescription("requested_token_type %s cannot be issued here (access_token or id_token)", req.GetRequestedTokenType())
	}
	return nil
}

// CreateTokenExchangeRequest implements op.TokenExchangeStorage; nothing is
// kept beyond the tokens themselves.
func (s *storage) CreateTokenExchangeRequest(context.Context, op.TokenExchangeRequest) error {
	return nil
}

// GetPrivateClaimsFromTokenExchangeRequest implements
// op.TokenExchangeStorage: the scope claim, the actor (RFC 8693 §4.1) when
// one acted, and the DPoP confirmation.
func (s *storage) GetPrivateClaimsFromTokenExchangeRequest(ctx context.Context, req op.TokenExchangeRequest) (map[string]any, error) {
	claims := map[string]any{"scope": strings.Join(req.GetScopes(), " ")}
	if actor := req.GetExchangeActor(); actor != "" {
		claims["act"] = map[string]any{"sub": actor}
	}
	return withCnf(ctx, claims), nil
}

// SetUserinfoFromTokenExchangeRequest implements op.TokenExchangeStorage
// (the claims of an exchanged ID token).
func (s *storage) SetUserinfoFromTokenExchangeRequest(_ context.Context, info *oidc.UserInfo, req op.TokenExchangeRequest) error {
	s.setUserinfo(info, req.GetSubject(), req.GetScopes())
	return nil
}
