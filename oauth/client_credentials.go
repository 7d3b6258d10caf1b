package oauth

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// clientCredentials runs the client credentials grant (RFC 6749 §4.4, a
// "server login": no user, a shared secret or an uploaded key) with the scopes of this call.
func (f *flow) clientCredentials(ctx context.Context, scopes []string) (*Result, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := f.tokenRequest(ctx, "token", form)
	if err != nil {
		return nil, missingScope(err, scopes)
	}
	return newResult(tok, scopes, "client_credentials", f.e.now()), nil
}

// missingScope turns invalid_scope into "missing input" when no scope was
// asked for at all (the "no scope" case: missing input).
func missingScope(err error, scopes []string) error {
	var oe *Error
	if len(scopes) == 0 && errors.As(err, &oe) && oe.Code == "invalid_scope" {
		cp := *oe
		cp.Kind = KindMissingInput
		cp.Reason = "no scope was requested and the server needs one"
		cp.Hint = "pass --scope or set the auth client's scopes"
		return &cp
	}
	return err
}
