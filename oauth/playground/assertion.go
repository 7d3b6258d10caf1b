package playground

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// client_secret_jwt (RFC 7523 §2.2 with an HMAC, OpenID Connect Core §9) is
// not verified by zitadel's op, whose assertion verifier only knows the
// public keys of private_key_jwt clients. The checks here are those op
// makes for private_key_jwt, with the client's secret as the HS256 key.

// maxAssertionLifetime bounds exp - now of a client assertion.
const maxAssertionLifetime = 10 * time.Minute

// isHMACAssertion reports whether a client assertion is an HS256 JWS.
func isHMACAssertion(assertion string) bool {
	_, err := jose.ParseSignedCompact(assertion, []jose.SignatureAlgorithm{jose.HS256})
	return err == nil
}

// assertionClaims are the claims checked in a client assertion.
type assertionClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience audience `json:"aud"`
	Expiry   *int64   `json:"exp"`
	IssuedAt *int64   `json:"iat"`
	JTI      string   `json:"jti"`
}

// audience is a JWT aud: one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// verifySecretJWT authenticates a client_secret_jwt client.
func (s *opServer) verifySecretJWT(ctx context.Context, cc *op.ClientCredentials) (op.Client, error) {
	reject := func(desc string) (op.Client, error) {
		return nil, oidc.ErrInvalidClient().WithDescription("client assertion rejected: %s", desc)
	}
	jws, err := jose.ParseSignedCompact(cc.ClientAssertion, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil || len(jws.Signatures) != 1 {
		return reject("not a JWT")
	}
	var unverified assertionClaims
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil || unverified.Issuer == "" {
		return reject("not a JWT with an iss claim")
	}
	c := s.st.client(unverified.Issuer)
	if c == nil || c.authMethod != authMethodSecretJWT || c.hmacKey == nil {
		// Same answer as a bad signature: the assertion names no such client.
		return reject("signature does not verify with the client's secret")
	}
	payload, err := jws.Verify(c.hmacKey)
	if err != nil {
		return reject("signature does not verify with the client's secret")
	}
	var claims assertionClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return reject("the claims do not parse")
	}
	now := time.Now()
	issuer := op.IssuerFromContext(ctx)
	switch {
	case claims.Issuer != c.info.ClientID || claims.Subject != c.info.ClientID:
		return reject("iss and sub must both be the client id")
	case cc.ClientID != "" && cc.ClientID != c.info.ClientID:
		return reject("client_id does not match the assertion's issuer")
	case !slices.ContainsFunc(claims.Audience, func(a string) bool { return a == issuer || a == s.tokenURL(issuer) }):
		return reject("aud must be the issuer")
	case claims.Expiry == nil:
		return reject("no exp")
	case !now.Before(time.Unix(*claims.Expiry, 0)):
		return reject("expired")
	case time.Unix(*claims.Expiry, 0).After(now.Add(maxAssertionLifetime)):
		return reject("exp is too far ahead")
	case claims.IssuedAt != nil && time.Unix(*claims.IssuedAt, 0).After(now.Add(time.Minute)):
		return reject("bad iat")
	case claims.JTI == "":
		return reject("no jti")
	}
	if c.secretExpired(now) {
		return nil, oidc.ErrInvalidClient().WithDescription("the client secret expired")
	}
	if !s.st.useJTI(c.info.ClientID, claims.JTI, time.Unix(*claims.Expiry, 0)) {
		return reject("jti was already used")
	}
	return c, nil
}

// tokenURL is the token endpoint's absolute URL, also accepted as aud.
func (s *opServer) tokenURL(issuer string) string {
	return s.provider.TokenEndpoint().Absolute(issuer)
}

// credentialsFrom reads client authentication from an HTTP request the way
// op does for the token endpoint (basic, form secret, or assertion), for the
// endpoints the playground serves itself.
func credentialsFrom(r *http.Request) (*op.ClientCredentials, bool, error) {
	cc := &op.ClientCredentials{
		ClientID:            r.PostForm.Get("client_id"),
		ClientSecret:        r.PostForm.Get("client_secret"),
		ClientAssertion:     r.PostForm.Get("client_assertion"),
		ClientAssertionType: r.PostForm.Get("client_assertion_type"),
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, true, oidc.ErrInvalidClient().WithDescription("malformed basic credentials")
		}
		if cc.ClientSecret != "" || cc.ClientAssertion != "" || (cc.ClientID != "" && cc.ClientID != id) {
			return nil, true, oidc.ErrInvalidRequest().WithDescription("client authentication must not use more than one method")
		}
		cc.ClientID, cc.ClientSecret = id, secret
	}
	if cc.ClientAssertion != "" && cc.ClientSecret != "" {
		return nil, basic, oidc.ErrInvalidRequest().WithDescription("client authentication must not use more than one method")
	}
	return cc, basic, nil
}

// authenticate checks any client authentication the provider speaks and
// returns the client: assertions (private_key_jwt, client_secret_jwt),
// secrets (basic, post, with the registered method enforced), or a public
// client naming itself.
func (s *opServer) authenticate(ctx context.Context, r *http.Request) (*client, error) {
	cc, basic, err := credentialsFrom(r)
	if err != nil {
		return nil, err
	}
	return s.authenticateCreds(ctx, cc, basic)
}

// authenticateCreds is authenticate for credentials already read; basic
// says whether they came in an HTTP basic header.
func (s *opServer) authenticateCreds(ctx context.Context, cc *op.ClientCredentials, basic bool) (*client, error) {
	if cc.ClientAssertion != "" {
		oc, err := s.verifyAssertion(ctx, cc)
		if err != nil {
			return nil, err
		}
		return oc.(*client), nil
	}
	c := s.st.client(cc.ClientID)
	if c == nil {
		if cc.ClientSecret != "" {
			_, err := s.st.authenticateSecret(cc.ClientID, cc.ClientSecret)
			return nil, err
		}
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client")
	}
	if c.authMethod == oidc.AuthMethodNone {
		if cc.ClientSecret != "" {
			return nil, oidc.ErrInvalidClient().WithDescription("client %s is public and has no secret", c.info.ClientID)
		}
		return c, nil
	}
	if c.authMethod == oidc.AuthMethodPrivateKeyJWT {
		return nil, oidc.ErrInvalidClient().WithDescription("client %s authenticates with private_key_jwt", c.info.ClientID)
	}
	if _, err := s.st.authenticateSecret(cc.ClientID, cc.ClientSecret); err != nil {
		return nil, err
	}
	if err := checkMethod(c, basic, !basic && cc.ClientSecret != ""); err != nil {
		return nil, err
	}
	return c, nil
}
