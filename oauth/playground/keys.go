package playground

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// randomToken returns n random bytes, base64url encoded without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b)
}

// signingKey is the provider's token signing key. It implements op.SigningKey.
type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the verification half of signingKey. It implements op.Key.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.key.Public() }

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = publicKey{}
)

// newSigningKey generates the provider key: RSA-2048 for RS256 (the default,
// which OpenID Connect requires providers to offer) or P-256 for ES256,
// which signs about ten times faster.
func newSigningKey(alg string) (*signingKey, error) {
	var key crypto.Signer
	var err error
	sigAlg := jose.RS256
	switch alg {
	case "", string(jose.RS256):
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case string(jose.ES256):
		sigAlg = jose.ES256
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("playground: unsupported signing algorithm %q (want RS256 or ES256)", alg)
	}
	if err != nil {
		return nil, err
	}
	return &signingKey{id: "pg-" + randomToken(6), alg: sigAlg, key: key}, nil
}

// clientKey is a generated private_key_jwt key pair for a demo client.
type clientKey struct {
	privatePEM string // PKCS#8
	publicPEM  string // PKIX
	keyID      string
	alg        jose.SignatureAlgorithm
}

// newClientKey generates an EC P-256 (ES256) or RSA-2048 (RS256) key pair.
func newClientKey(alg string) (*clientKey, error) {
	var priv crypto.Signer
	var err error
	sigAlg := jose.ES256
	switch alg {
	case "", string(jose.ES256):
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case string(jose.RS256):
		sigAlg = jose.RS256
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, specError("unsupported client key algorithm %q (want ES256 or RS256)", alg)
	}
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	jwk := jose.JSONWebKey{Key: priv.Public()}
	kid, err := thumbprint(&jwk)
	if err != nil {
		return nil, err
	}
	return &clientKey{
		privatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		publicPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		keyID:      kid,
		alg:        sigAlg,
	}, nil
}

func thumbprint(k *jose.JSONWebKey) (string, error) {
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// parsePublicKey reads a client's public key given as a JWK or as PEM
// (PKIX "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY" or a certificate). It accepts
// RSA keys of at least 2048 bits and EC P-256 keys, and refuses private keys.
func parsePublicKey(text, keyID string) (*jose.JSONWebKey, error) {
	text = strings.TrimSpace(text)
	var pub any
	if strings.HasPrefix(text, "{") {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal([]byte(text), &jwk); err != nil {
			return nil, specError("public key is not a valid JWK: %v", err)
		}
		if !jwk.IsPublic() {
			return nil, specError("the JWK holds a private key; register the public key only")
		}
		pub = jwk.Key
		if keyID == "" {
			keyID = jwk.KeyID
		}
	} else {
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, specError("public key is neither a JWK nor PEM")
		}
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			cert, err = x509.ParseCertificate(block.Bytes)
			if err == nil {
				pub = cert.PublicKey
			}
		default:
			return nil, specError("PEM block %q is not a public key", block.Type)
		}
		if err != nil {
			return nil, specError("cannot parse public key: %v", err)
		}
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, specError("RSA key has %d bits, at least 2048 are needed", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, specError("EC key must use P-256")
		}
	default:
		return nil, specError("unsupported public key type %T", pub)
	}
	jwk := &jose.JSONWebKey{Key: pub, Use: "sig"}
	if keyID == "" {
		tp, err := thumbprint(jwk)
		if err != nil {
			return nil, specError("cannot compute key thumbprint: %v", err)
		}
		keyID = tp
	}
	jwk.KeyID = keyID
	return jwk, nil
}
