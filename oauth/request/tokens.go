package request

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// EngineTokens makes the OAuth engine a TokenSource: a token from the cache
// while it is good, else refreshed or fetched by the client's grant; with
// force (after a 401 invalid_token) the refresh token is used now, and
// without one the grant runs anew.
type EngineTokens struct {
	Engine *oauth.Engine
	// Callbacks show progress, an authorization URL or a device code when
	// getting a token needs the user.
	Callbacks oauth.FlowCallbacks
	// NoBrowser keeps the browser closed for authorization-code grants.
	NoBrowser bool
}

// AccessToken returns a bearer access token for the secret or auth client name.
func (t EngineTokens) AccessToken(ctx context.Context, env, name string, force bool) (string, error) {
	req := oauth.TokenRequest{Env: env, Name: name, NoBrowser: t.NoBrowser}
	var r *oauth.Result
	var err error
	if force {
		r, err = t.Engine.Refresh(ctx, req, t.Callbacks)
		var oe *oauth.Error
		if err != nil && errors.As(err, &oe) && (oe.Kind == oauth.KindMissingInput || oe.Kind == oauth.KindNotConfigured) {
			// no refresh token (client credentials) or session auth: get a new token
			req.Force = true
			r, err = t.Engine.Token(ctx, req, t.Callbacks)
		}
	} else {
		r, err = t.Engine.Token(ctx, req, t.Callbacks)
	}
	if err != nil {
		return "", err
	}
	if tt := r.TokenType; tt != "" && !strings.EqualFold(tt, "bearer") {
		return "", &UnsupportedTokenError{Type: tt}
	}
	return r.AccessToken, nil
}

// UnsupportedTokenError says the server issued a token that is not a bearer token.
type UnsupportedTokenError struct{ Type string }

func (e *UnsupportedTokenError) Error() string {
	return fmt.Sprintf("unsupported token type %q (only bearer tokens can be sent)", e.Type)
}

// ExitCode is 6 (unsupported token type).
func (e *UnsupportedTokenError) ExitCode() int { return vault.ExitUnsupported }
