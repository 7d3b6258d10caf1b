package oauth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// RequestObjectType is the typ of a request object (RFC 9101 §10.8).
const RequestObjectType = "oauth-authz-req+jwt"

// RequestObjectLifetime is how long a request object is valid.
const RequestObjectLifetime = 5 * time.Minute

// SignRequestObject makes an RFC 9101 request object of an authorization
// request: every parameter as a string claim (client_id too), iss =
// clientID, aud = audience (the issuer), iat, nbf, exp and a unique jti,
// typed oauth-authz-req+jwt. key and alg are those of SignAssertion: a
// private key (RS256, PS256, ES256) or a client secret as []byte (HS256).
func SignRequestObject(params url.Values, clientID, audience string, key any, alg, keyID string, now time.Time) (string, error) {
	sigAlg, err := assertionAlg(key, alg)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType(RequestObjectType)
	if keyID != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), keyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sigAlg, Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("preparing the request object signer: %w", err)
	}
	claims := map[string]any{}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "iss", "aud", "exp", "iat", "nbf", "jti", "request", "request_uri":
			return "", fmt.Errorf("parameter %q cannot go into a request object", k)
		}
		if len(params[k]) > 1 {
			return "", fmt.Errorf("parameter %q is repeated; a request object holds one value per parameter", k)
		}
		claims[k] = params.Get(k)
	}
	var jti [18]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	claims["client_id"] = clientID
	claims["iss"] = clientID
	claims["aud"] = audience
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(RequestObjectLifetime).Unix()
	claims["jti"] = base64.RawURLEncoding.EncodeToString(jti[:])
	return jwt.Signed(signer).Claims(claims).Serialize()
}
