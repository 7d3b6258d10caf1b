package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// DeprecatedNote labels tokens from legacy grants (S-12).
const DeprecatedNote = "deprecated grant (OAuth 2.0 Security BCP, RFC 9700): enabled explicitly for this client"

// password runs the resource owner password credentials grant (RFC 6749
// §4.3). It is off unless the client enables deprecated grants (S-12). The
// username and password come from a SIMPLE secret linked to the client, else
// from the Credentials callback; they are never logged.
func (f *flow) password(ctx context.Context, scopes []string, username, password string) (*Result, error) {
	if err := f.allowDeprecated("password"); err != nil {
		return nil, err
	}
	if username == "" || password == "" {
		if f.cb.Credentials == nil {
			return nil, newError(KindMissingInput, "password grant",
				fmt.Sprintf("auth client %q uses the password grant and no username and password are available", f.ac.Name),
				"link a SIMPLE secret to the client, or run in a terminal to be asked", nil)
		}
		u, p, err := f.cb.Credentials(ctx, f.ac.Name)
		if err != nil {
			return nil, newError(KindMissingInput, "password grant", "no username and password were given", "", err)
		}
		username, password = u, p
	}
	if username == "" || password == "" {
		return nil, newError(KindMissingInput, "password grant", "the username or the password is empty", "", nil)
	}
	f.red.addValue(password)
	f.tr.note("password grant", DeprecatedNote)
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	tok, err := f.tokenRequest(ctx, "token", form)
	if err != nil {
		return nil, missingScope(err, scopes)
	}
	r := newResult(tok, scopes, "password", f.e.now())
	r.Deprecated = true
	return r, nil
}

// allowDeprecated refuses a legacy grant the client has not opted into (S-12).
func (f *flow) allowDeprecated(grant string) error {
	if f.ac.AllowDeprecated {
		return nil
	}
	return newError(KindNotConfigured, grant+" grant",
		fmt.Sprintf("the %s grant is deprecated and auth client %q has not enabled it", grant, f.ac.Name),
		"enable deprecated grants for this client explicitly (allowDeprecated) if you really need it", nil)
}
