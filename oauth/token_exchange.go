package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/authdeck/authdeck/vault"
)

// TokenExchangeGrantType is the grant_type of RFC 8693 token exchange.
const TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange"

// Token type URIs (RFC 8693 §3).
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeSAML1        = "urn:ietf:params:oauth:token-type:saml1"
	TokenTypeSAML2        = "urn:ietf:params:oauth:token-type:saml2"
)

// TokenTypeURI expands a short token type ("access_token", "refresh_token",
// "id_token", "jwt", "saml1", "saml2") to its RFC 8693 URI; a URI (urn:…)
// is returned unchanged and "" stays "".
func TokenTypeURI(s string) (string, error) {
	switch s := strings.TrimSpace(s); {
	case s == "":
		return "", nil
	case strings.HasPrefix(s, "urn:"):
		if strings.ContainsAny(s, " \t\r\n") {
			return "", fmt.Errorf("token type %q contains spaces", s)
		}
		return s, nil
	}
	for _, u := range []string{TokenTypeAccessToken, TokenTypeRefreshToken, TokenTypeIDToken, TokenTypeJWT, TokenTypeSAML1, TokenTypeSAML2} {
		if strings.TrimPrefix(u, "urn:ietf:params:oauth:token-type:") == s {
			return u, nil
		}
	}
	return "", fmt.Errorf("token type %q is not access_token, refresh_token, id_token, jwt, saml1, saml2 or a urn: URI", s)
}

// shortTokenType is the last part of a token type URI, for messages.
func shortTokenType(uri string) string {
	if i := strings.LastIndex(uri, ":"); i >= 0 && strings.HasPrefix(uri, "urn:ietf:params:oauth:token-type:") {
		return uri[i+1:]
	}
	return uri
}

// ExchangeInput is what a token exchange trades (RFC 8693 §2.1).
type ExchangeInput struct {
	// SubjectToken is the token exchanged; SubjectTokenType its type URI
	// (default: an access token).
	SubjectToken, SubjectTokenType string
	// ActorToken, when set, is the token of the party acting for the
	// subject; ActorTokenType its type URI (default: an access token).
	ActorToken, ActorTokenType string
	// RequestedTokenType is the type URI asked for; empty lets the server choose.
	RequestedTokenType string
}

// tokenExchange runs the RFC 8693 token exchange grant: the subject (and
// actor) token for a new token for the client's audience or resource, with
// scopes when given. Neither token is ever written to the transcript.
func (f *flow) tokenExchange(ctx context.Context, in ExchangeInput, scopes []string) (*Result, error) {
	if in.SubjectToken == "" {
		return nil, newError(KindMissingInput, "token exchange", "there is no subject token to exchange",
			"name the credential whose token is exchanged (--subject), or give the token on stdin", nil)
	}
	f.red.addValue(in.SubjectToken)
	f.red.addValue(in.ActorToken)
	subjectType := in.SubjectTokenType
	if subjectType == "" {
		subjectType = TokenTypeAccessToken
	}
	form := url.Values{
		"grant_type":         {TokenExchangeGrantType},
		"subject_token":      {in.SubjectToken},
		"subject_token_type": {subjectType},
	}
	if in.ActorToken != "" {
		actorType := in.ActorTokenType
		if actorType == "" {
			actorType = TokenTypeAccessToken
		}
		form.Set("actor_token", in.ActorToken)
		form.Set("actor_token_type", actorType)
	}
	if in.RequestedTokenType != "" {
		form.Set("requested_token_type", in.RequestedTokenType)
	}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := f.tokenRequest(ctx, "token exchange", form)
	if err != nil {
		return nil, err
	}
	if tok.IssuedTokenType == "" {
		// RFC 8693 §2.2.1 requires it; a server that leaves it out issued
		// what it was asked for, or an access token.
		tok.IssuedTokenType = in.RequestedTokenType
		if tok.IssuedTokenType == "" {
			tok.IssuedTokenType = TokenTypeAccessToken
		}
	}
	if in.RequestedTokenType != "" && tok.IssuedTokenType != in.RequestedTokenType {
		f.tr.note("token exchange", fmt.Sprintf("asked for a %s, the server issued a %s", shortTokenType(in.RequestedTokenType), shortTokenType(tok.IssuedTokenType)))
	}
	r := newResult(tok, scopes, TokenExchangeGrantName, f.e.now())
	return r, nil
}

// TokenExchangeGrantName is the grant's name in results ("token_exchange").
const TokenExchangeGrantName = "token_exchange"

// exchangeChain is the context key of the credentials a token exchange is
// getting tokens for, so that a subject that exchanges back is caught.
type exchangeChain struct{}

// exchangeInput gathers what a token_exchange client trades: the tokens
// given with the request, else fresh tokens of the credentials its
// configuration names (their own flows run as needed).
func (e *Engine) exchangeInput(ctx context.Context, f *flow, t *target, req TokenRequest) (ExchangeInput, error) {
	x := vault.TokenExchange{}
	if t.client.Exchange != nil {
		x = *t.client.Exchange
	}
	in := ExchangeInput{
		SubjectTokenType: x.SubjectTokenType, ActorTokenType: x.ActorTokenType, RequestedTokenType: x.RequestedTokenType,
		SubjectToken: req.SubjectToken, ActorToken: req.ActorToken,
	}
	chain, _ := ctx.Value(exchangeChain{}).([]string)
	chain = append(slices.Clone(chain), t.name)
	ctx = context.WithValue(ctx, exchangeChain{}, chain)
	if in.SubjectToken == "" {
		if x.Subject == "" {
			return in, newError(KindMissingInput, "token exchange",
				fmt.Sprintf("auth client %q exchanges a subject token given at each call, and none was given", t.client.Name),
				"give it on stdin (authdeck token "+t.name+" --subject-token-stdin), or name the credential it comes from (authdeck client edit "+t.client.Name+" --subject NAME)", nil)
		}
		tok, err := e.exchangeToken(ctx, f, t, req, x.Subject, in.SubjectTokenType, chain, "subject")
		if err != nil {
			return in, err
		}
		in.SubjectToken = tok
	}
	if in.ActorToken == "" && x.Actor != "" {
		tok, err := e.exchangeToken(ctx, f, t, req, x.Actor, in.ActorTokenType, chain, "actor")
		if err != nil {
			return in, err
		}
		in.ActorToken = tok
	}
	return in, nil
}

// exchangeToken gets the token of type typ (an access token by default) of
// the credential name, for the given role in an exchange.
func (e *Engine) exchangeToken(ctx context.Context, f *flow, t *target, req TokenRequest, name, typ string, chain []string, role string) (string, error) {
	if slices.Contains(chain, name) {
		return "", newError(KindNotConfigured, "token exchange",
			fmt.Sprintf("the token exchange goes round in a circle: %s → %s", strings.Join(chain, " → "), name),
			"name a "+role+" that is not exchanged from this client", nil)
	}
	f.cb.progress("token exchange: getting the %s token of %s", role, name)
	r, err := e.Token(ctx, TokenRequest{Env: t.env, Name: name, NoBrowser: req.NoBrowser, Transcript: req.Transcript}, f.cb)
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) {
			cp := *oe
			cp.Reason = fmt.Sprintf("getting the %s token from %q: %s", role, name, oe.Reason)
			return "", &cp
		}
		return "", fmt.Errorf("token exchange: getting the %s token from %q: %w", role, name, err)
	}
	tok := r.AccessToken
	switch typ {
	case TokenTypeRefreshToken:
		tok = r.RefreshToken
	case TokenTypeIDToken:
		tok = r.IDToken
	}
	if tok == "" {
		return "", newError(KindMissingInput, "token exchange", fmt.Sprintf("%q has no %s to use as the %s token", name, shortTokenType(typ), role), "", nil)
	}
	return tok, nil
}
