package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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

// Revoke revokes the stored refresh token (which ends the grant at most
// providers) and the access token of req's token set, then deletes the token
// set from the vault. It holds the token set's lock throughout, so no
// refresh rotates a token while it is being revoked. When revocation fails
// nothing is deleted.
func (e *Engine) Revoke(ctx context.Context, req TokenRequest) error {
	t, _, f, err := e.storedFlow(ctx, req, "revocation")
	if err != nil {
		return err
	}
	key := lockKey(t.env, t.secretName)
	_, err = e.exclusive(ctx, key+"-revoke", key, func(ctx context.Context) (*Result, error) {
		val, err := e.reload(ctx, t)
		if err != nil {
			return nil, err
		}
		if val == nil {
			return nil, newError(KindMissingInput, "revocation", fmt.Sprintf("no token is stored for %q", req.Name), "", nil)
		}
		if val.RefreshToken != "" {
			if err := f.revoke(ctx, val.RefreshToken, string(RefreshToken)); err != nil {
				return nil, err
			}
		}
		if val.AccessToken != "" {
			if err := f.revoke(ctx, val.AccessToken, string(AccessToken)); err != nil {
				return nil, err
			}
		}
		if err := e.Vault.RemoveSecret(ctx, t.env, t.secretName); err != nil {
			return nil, vaultError("deleting the revoked token", err)
		}
		return &Result{}, nil
	})
	return err
}
