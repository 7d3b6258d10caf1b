package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// revoke asks the revocation endpoint to revoke token (RFC 7009). The server
// answers 200 for unknown tokens too, so success says nothing about whether
// the token was valid.
func (f *flow) revoke(ctx context.Context, token, hint string) error {
	if err := f.needEndpoints(ctx, false, "revocation"); err != nil {
		return err
	}
	f.red.addValue(token)
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	header := http.Header{}
	if err := f.authenticate(form, header); err != nil {
		return err
	}
	resp, err := f.do(ctx, call{step: "revocation", url: f.eps.Revocation, form: form, header: header})
	if err != nil {
		return err
	}
	if resp.status >= 200 && resp.status <= 299 {
		return nil
	}
	var rerr error
	if m, derr := decodeFields("revocation", resp.status, resp.contentType, resp.body); derr == nil {
		if e := errorFromFields("revocation", resp.status, m); e != nil {
			rerr = e
		}
	}
	if rerr == nil {
		rerr = statusError("revocation", resp.status, resp.contentType)
	}
	f.fail(resp.idx, rerr)
	return rerr
}

// isUnsupportedTokenType reports whether err is the server saying it cannot
// revoke or introspect this kind of token (RFC 7009 §2.2.1).
func isUnsupportedTokenType(err error) bool {
	var oe *Error
	return errors.As(err, &oe) && oe.Code == "unsupported_token_type"
}

// RevokeOptions choose what RevokeTokens revokes.
type RevokeOptions struct {
	// Only revokes just this token (RefreshToken or AccessToken); empty
	// revokes both, the refresh token first.
	Only TokenKind
}

// Unrevocable is a token the provider said it cannot revoke
// (unsupported_token_type, as providers that issue JWT access tokens often
// answer). It stays valid until it expires.
type Unrevocable struct {
	// Kind is the token: AccessToken in practice.
	Kind TokenKind
	// Expires is when it stops working; zero when unknown.
	Expires time.Time
	// Description is the server's error_description, sanitised.
	Description string
}

// Revocation reports what RevokeTokens did; it is returned with an error
// too, when part of the work was done before the failure.
type Revocation struct {
	// Revoked lists the tokens the provider accepted to revoke, in order.
	Revoked []TokenKind
	// Unrevocable lists the tokens the provider cannot revoke. That is not
	// a failure: they expire on their own.
	Unrevocable []Unrevocable
	// GrantEnded reports that the refresh token, and with it the grant,
	// was revoked.
	GrantEnded bool
	// Removed reports that the stored token set was deleted from the vault.
	Removed bool
	// Kept names what is still stored when the token set was not deleted
	// ("the refresh token"), for the message to the user.
	Kept string
}

// String says in one sentence what happened, for status lines.
func (r *Revocation) String() string {
	if r == nil {
		return ""
	}
	var parts []string
	if len(r.Revoked) > 0 {
		names := make([]string, len(r.Revoked))
		for i, k := range r.Revoked {
			names[i] = k.Words()
		}
		parts = append(parts, "revoked the "+strings.Join(names, " and the "))
	}
	for _, u := range r.Unrevocable {
		s := "the " + u.Kind.Words() + " cannot be revoked by this provider"
		if !u.Expires.IsZero() {
			s += "; it expires at " + u.Expires.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		parts = append(parts, s)
	}
	switch {
	case r.Removed:
		parts = append(parts, "deleted the token set from the vault")
	case r.Kept != "":
		parts = append(parts, "kept "+r.Kept+" in the vault")
	}
	if len(parts) == 0 {
		return "nothing to revoke"
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Words names the token kind in plain words ("access token").
func (k TokenKind) Words() string { return strings.ReplaceAll(string(k), "_", " ") }

// Revoke revokes the stored tokens of req's token set and deletes the set
// once the grant is revoked: RevokeTokens with the default options.
func (e *Engine) Revoke(ctx context.Context, req TokenRequest) error {
	_, err := e.RevokeTokens(ctx, req, RevokeOptions{})
	return err
}

// RevokeTokens revokes the stored tokens of req's token set (RFC 7009) the
// way a user means it on any provider:
//
//   - by default the refresh token first (revoking it ends the grant at the
//     provider), then the access token; once the grant has ended the token
//     set is deleted from the vault;
//   - an access token the provider cannot revoke (unsupported_token_type,
//     RFC 7009 §2.2.1: providers issuing JWT access tokens say so) is
//     reported with its expiry and is not a failure;
//   - Only: RefreshToken revokes just the refresh token (and deletes the
//     set: the grant has ended); AccessToken revokes just the access token
//     and keeps the refresh token, so the next token call refreshes.
//
// When the grant cannot be revoked nothing is deleted. When the refresh
// token was revoked but the access token then fails for another reason, the
// refresh token is dropped from the vault, the access token kept (revoke it
// again with Only: AccessToken), and the error returned with the report.
// The token set's lock is held throughout, so no refresh rotates a token
// while it is being revoked; vault writes finish even if ctx is cancelled
// after the provider answered (S-39).
func (e *Engine) RevokeTokens(ctx context.Context, req TokenRequest, o RevokeOptions) (*Revocation, error) {
	switch o.Only {
	case "", AccessToken, RefreshToken:
	default:
		return nil, newError(KindOther, "revocation", fmt.Sprintf("unknown token kind %q", o.Only), "", nil)
	}
	t, _, f, err := e.storedFlow(ctx, req, "revocation")
	if err != nil {
		return nil, err
	}
	rep := &Revocation{}
	key := lockKey(t.env, t.secretName)
	_, err = e.exclusive(ctx, key+"-revoke", key, func(ctx context.Context) (*Result, error) {
		return &Result{}, e.revokeLocked(ctx, t, f, o, rep)
	})
	return rep, err
}

func (e *Engine) revokeLocked(ctx context.Context, t *target, f *flow, o RevokeOptions, rep *Revocation) error {
	val, err := e.reload(ctx, t)
	if err != nil {
		return err
	}
	if val == nil {
		return newError(KindMissingInput, "revocation", fmt.Sprintf("no token is stored for %q", t.name), "", nil)
	}
	wantRefresh := o.Only == "" || o.Only == RefreshToken
	wantAccess := o.Only == "" || o.Only == AccessToken
	for _, need := range []struct {
		want  bool
		kind  TokenKind
		value string
	}{{o.Only == RefreshToken, RefreshToken, val.RefreshToken}, {o.Only == AccessToken, AccessToken, val.AccessToken}} {
		if need.want && need.value == "" {
			return newError(KindMissingInput, "revocation", fmt.Sprintf("no %s is stored for %q", need.kind.Words(), t.name), "", nil)
		}
	}
	// Writes after the provider has answered must not be lost to a cancel.
	wctx := context.WithoutCancel(ctx)
	if wantRefresh && val.RefreshToken != "" {
		if err := revokeRefresh(ctx, f, val.RefreshToken); err != nil {
			return err
		}
		rep.Revoked = append(rep.Revoked, RefreshToken)
		rep.GrantEnded = true
	}
	var accessErr error
	if wantAccess && val.AccessToken != "" {
		accessErr = revokeAccess(ctx, f, val, rep)
	}
	if accessErr != nil {
		return e.afterAccessFailed(wctx, t, val, rep, accessErr)
	}
	return e.settle(wctx, t, val, o, rep)
}

// revokeRefresh revokes the refresh token; a provider that cannot is an
// error, since the grant would stay alive.
func revokeRefresh(ctx context.Context, f *flow, token string) error {
	err := f.revoke(ctx, token, string(RefreshToken))
	if err == nil || !isUnsupportedTokenType(err) {
		return err
	}
	var oe *Error
	errors.As(err, &oe)
	cp := *oe
	cp.Reason = "the provider cannot revoke the refresh token, so the grant stays alive; nothing was deleted"
	cp.Hint = "end the grant at the provider (its console or the user's app settings)"
	return &cp
}

// revokeAccess revokes the access token and reports it in rep: revoked, or
// unrevocable (valid until it expires) when the provider does not revoke
// access tokens. Other failures are returned.
func revokeAccess(ctx context.Context, f *flow, val *vault.SecretValue, rep *Revocation) error {
	err := f.revoke(ctx, val.AccessToken, string(AccessToken))
	switch {
	case err == nil:
		rep.Revoked = append(rep.Revoked, AccessToken)
	case isUnsupportedTokenType(err):
		var oe *Error
		errors.As(err, &oe)
		rep.Unrevocable = append(rep.Unrevocable, Unrevocable{Kind: AccessToken, Expires: accessExpiry(val), Description: oe.Description})
		f.tr.note("revocation", "the provider cannot revoke this access token (unsupported_token_type); it stays valid until it expires")
	default:
		return err
	}
	return nil
}

// afterAccessFailed handles an access token that could not be revoked: when
// the grant has ended, the stored set keeps only the access token, and the
// error says what was done.
func (e *Engine) afterAccessFailed(wctx context.Context, t *target, val *vault.SecretValue, rep *Revocation, accessErr error) error {
	if !rep.GrantEnded {
		return accessErr
	}
	// The grant is gone: keep only what can still be revoked.
	kept := *val
	kept.RefreshToken = ""
	if _, err := e.Vault.PutSecret(wctx, *t.secret, &kept); err != nil {
		return vaultError("dropping the revoked refresh token", err)
	}
	rep.Kept = "the access token"
	var oe *Error
	if errors.As(accessErr, &oe) {
		cp := *oe
		cp.Reason = "the refresh token was revoked (the grant has ended), but the access token could not be revoked: " + oe.Reason
		cp.Hint = "try again with `authdeck token revoke " + t.name + " --access-token`"
		return &cp
	}
	return accessErr
}

// settle updates the stored token set after the revocations: deleted when
// nothing in it is of use any more, else without the revoked access token,
// else unchanged.
func (e *Engine) settle(wctx context.Context, t *target, val *vault.SecretValue, o RevokeOptions, rep *Revocation) error {
	switch {
	case rep.GrantEnded || o.Only == "":
		// The grant was revoked, or there was none to revoke (no refresh
		// token) and the access token is revoked or cannot be: nothing
		// stored is of use any more.
		if err := e.Vault.RemoveSecret(wctx, t.env, t.secretName); err != nil {
			return vaultError("deleting the revoked token", err)
		}
		rep.Removed = true
	case len(rep.Revoked) > 0:
		// --access-token: the refresh token still holds the grant.
		kept := *val
		kept.AccessToken, kept.Expires = "", ""
		if kept.RefreshToken == "" && kept.IDToken == "" {
			if err := e.Vault.RemoveSecret(wctx, t.env, t.secretName); err != nil {
				return vaultError("deleting the revoked token", err)
			}
			rep.Removed = true
			return nil
		}
		if _, err := e.Vault.PutSecret(wctx, *t.secret, &kept); err != nil {
			return vaultError("dropping the revoked access token", err)
		}
		rep.Kept = "the refresh token"
	default:
		rep.Kept = "the token set unchanged"
	}
	return nil
}

// accessExpiry is when the stored access token expires: the stored expiry,
// else the JWT's exp claim; zero when neither is known.
func accessExpiry(val *vault.SecretValue) time.Time {
	if val.Expires != "" {
		if t, err := vault.ParseExpiry(val.Expires); err == nil {
			return t
		}
	}
	if j, err := DecodeJWT(val.AccessToken); err == nil && j.Expiry != nil {
		return *j.Expiry
	}
	return time.Time{}
}
