package oauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// JWTBearerAssertionType is the client_assertion_type of private_key_jwt (RFC 7523).
const JWTBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid (S-25: ≤ 5 min).
const AssertionLifetime = 2 * time.Minute

// AssertionClaims are the claims of a private_key_jwt client assertion.
type AssertionClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	Expiry   int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	ID       string `json:"jti"`
}

// SignAssertion makes a client assertion (RFC 7523 §3, S-25): iss = sub =
// clientID, aud = audience, a unique jti, exp two minutes ahead. A private
// key signs a private_key_jwt assertion with alg (RS256, PS256 or ES256;
// empty picks RS256 for RSA keys and ES256 for EC keys); a []byte key is the
// client secret of client_secret_jwt and signs with HS256. The key never
// leaves the process (S-26).
func SignAssertion(clientID, audience string, key any, alg, keyID string, now time.Time) (string, error) {
	sigAlg, err := assertionAlg(key, alg)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if keyID != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), keyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sigAlg, Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("preparing the client assertion signer: %w", err)
	}
	jti := make([]byte, 18)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims := AssertionClaims{
		Issuer:   clientID,
		Subject:  clientID,
		Audience: audience,
		IssuedAt: now.Unix(),
		Expiry:   now.Add(AssertionLifetime).Unix(),
		ID:       base64.RawURLEncoding.EncodeToString(jti),
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func assertionAlg(key any, alg string) (jose.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case []byte:
		if alg != "" && alg != "HS256" {
			return "", fmt.Errorf("signing algorithm %q does not fit client_secret_jwt (use HS256)", alg)
		}
		if len(k) < 32 {
			// RFC 7518 §3.2: an HS256 key has at least 256 bits.
			return "", fmt.Errorf("client_secret_jwt signs with the client secret as an HS256 key, which needs at least 32 bytes; this secret has %d", len(k))
		}
		return jose.HS256, nil
	case *rsa.PrivateKey:
		switch alg {
		case "", "RS256":
			return jose.RS256, nil
		case "PS256":
			return jose.PS256, nil
		}
		return "", fmt.Errorf("signing algorithm %q does not fit an RSA key (use RS256 or PS256)", alg)
	case *ecdsa.PrivateKey:
		if alg == "" || alg == "ES256" {
			if k.Curve.Params().Name != "P-256" {
				return "", fmt.Errorf("ES256 needs a P-256 key")
			}
			return jose.ES256, nil
		}
		return "", fmt.Errorf("signing algorithm %q does not fit an EC key (use ES256)", alg)
	case crypto.Signer:
		return "", fmt.Errorf("unsupported key type %T", k)
	}
	return "", fmt.Errorf("unsupported key type %T", key)
}

// assertionAudience is the issuer, or the token endpoint when the client has none (S-25).
func (f *flow) assertionAudience() string {
	if f.ac.Issuer != "" {
		return f.ac.Issuer
	}
	return f.eps.Token
}

// authenticate adds the client's authentication to a token-endpoint style
// request (token, device authorization, introspection, revocation). The
// method is always the configured one, never guessed (S-27).
func (f *flow) authenticate(form url.Values, header http.Header) error {
	ac := f.ac
	switch ac.AuthMethod {
	case vault.AuthClientSecretBasic:
		if f.creds.ClientSecret == "" {
			return f.missingSecret()
		}
		// RFC 6749 §2.3.1: both parts are form-encoded before base64.
		cred := url.QueryEscape(ac.ClientID) + ":" + url.QueryEscape(f.creds.ClientSecret)
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case vault.AuthClientSecretPost:
		if f.creds.ClientSecret == "" {
			return f.missingSecret()
		}
		form.Set("client_id", ac.ClientID)
		form.Set("client_secret", f.creds.ClientSecret)
	case vault.AuthPrivateKeyJWT:
		if f.creds.PrivateKey == "" {
			return newError(KindNotConfigured, "client authentication",
				fmt.Sprintf("auth client %q uses private_key_jwt but has no private key", ac.Name),
				"generate one with `authdeck client keygen "+ac.Name+"` or import one with --private-key-file", nil)
		}
		key, err := vault.ParsePrivateKey(f.creds.PrivateKey)
		if err != nil {
			return newError(KindNotConfigured, "client authentication", "the client's private key is not usable: "+err.Error(), "", nil)
		}
		kid := ac.KeyID
		if kid == "" {
			kid = pemkey.Thumbprint(key)
		}
		a, err := SignAssertion(ac.ClientID, f.assertionAudience(), key, ac.SigningAlg, kid, f.e.now())
		if err != nil {
			return newError(KindNotConfigured, "client authentication", err.Error(), "", nil)
		}
		f.red.addValue(a)
		form.Set("client_id", ac.ClientID)
		form.Set("client_assertion_type", JWTBearerAssertionType)
		form.Set("client_assertion", a)
	case vault.AuthClientSecretJWT:
		if f.creds.ClientSecret == "" {
			return f.missingSecret()
		}
		a, err := SignAssertion(ac.ClientID, f.assertionAudience(), []byte(f.creds.ClientSecret), "HS256", "", f.e.now())
		if err != nil {
			return newError(KindNotConfigured, "client authentication", err.Error(), "", nil)
		}
		f.red.addValue(a)
		form.Set("client_id", ac.ClientID)
		form.Set("client_assertion_type", JWTBearerAssertionType)
		form.Set("client_assertion", a)
	case vault.AuthNone, vault.AuthTLSClient:
		// A public client identifies itself; a tls_client_auth client
		// authenticates with its certificate at the TLS layer (RFC 8705).
		form.Set("client_id", ac.ClientID)
	case "":
		return newError(KindNotConfigured, "client authentication",
			fmt.Sprintf("auth client %q has no auth method", ac.Name),
			"set it explicitly (--auth-method); it is never guessed", nil)
	default:
		return newError(KindNotConfigured, "client authentication",
			fmt.Sprintf("auth client %q has an unknown auth method %q", ac.Name, ac.AuthMethod), "", nil)
	}
	return nil
}

func (f *flow) missingSecret() error {
	return newError(KindNotConfigured, "client authentication",
		fmt.Sprintf("auth client %q uses %s but has no client secret stored", f.ac.Name, f.ac.AuthMethod),
		"store it with `authdeck client add "+f.ac.Name+" … --client-secret-stdin`", nil)
}
