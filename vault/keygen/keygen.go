// Package keygen generates what authdeck stores and hands to providers:
// random secret values, client key pairs, and the public forms of a key
// (a PKIX PEM, a JWKS) that providers accept for uploaded client keys.
package keygen

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
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Sizes of generated secret values, in random bytes before encoding.
const (
	// DefaultSecretBytes gives 256 bits of entropy.
	DefaultSecretBytes = 32
	// MinSecretBytes keeps a generated value at 128 bits or more.
	MinSecretBytes = 16
	// MaxSecretBytes keeps a generated value well under keychain size limits.
	MaxSecretBytes = 1024
)

// SecretValue returns n random bytes from crypto/rand, base64url
// encoded without padding, so the value is safe in headers, URLs and shells.
func SecretValue(n int) (string, error) {
	if n < MinSecretBytes || n > MaxSecretBytes {
		return "", &vault.ValidationError{Kind: "generated secret", Field: "bytes", Msg: fmt.Sprintf("%d: a generated secret has %d to %d random bytes", n, MinSecretBytes, MaxSecretBytes)}
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// generatedRSABits is the size of generated RSA keys.
const generatedRSABits = 2048

// KeyPair creates a private key for alg (RS256 and PS256: RSA 2048,
// ES256: EC P-256) and returns it with its PKCS#8 PEM encoding.
func KeyPair(alg string) (crypto.Signer, string, error) {
	var key crypto.Signer
	var err error
	switch alg {
	case vault.AlgRS256, vault.AlgPS256:
		key, err = rsa.GenerateKey(rand.Reader, generatedRSABits)
	case vault.AlgES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, "", &vault.ValidationError{Kind: "key", Field: "alg", Msg: fmt.Sprintf("%q is not RS256, PS256 or ES256", alg)}
	}
	if err != nil {
		return nil, "", fmt.Errorf("generating a %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", fmt.Errorf("encoding the %s key: %w", alg, err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// AlgFits reports whether alg can sign with key (RS256/PS256 need RSA, ES256 an EC key).
func AlgFits(key any, alg string) bool {
	switch key.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		return alg == vault.AlgRS256 || alg == vault.AlgPS256
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return alg == vault.AlgES256
	}
	return false
}

// DefaultAlg returns the usual algorithm for a key: RS256 for RSA, ES256 for EC.
func DefaultAlg(key any) string {
	switch key.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return vault.AlgES256
	}
	return vault.AlgRS256
}

// PublicKeyPEM returns the PKIX "PUBLIC KEY" PEM of a private key's public
// half, the form providers accept for uploaded client keys.
func PublicKeyPEM(key any) (string, error) {
	pub := pemkey.PublicKey(key)
	if pub == nil {
		return "", errors.New("not an RSA or EC private key")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encoding the public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// publicJWK returns the public half of key as a JWK with use "sig", the given
// alg and the RFC 7638 thumbprint as kid.
func publicJWK(key any, alg string) (jose.JSONWebKey, error) {
	pub := pemkey.PublicKey(key)
	if pub == nil {
		return jose.JSONWebKey{}, errors.New("not an RSA or EC private key")
	}
	if !AlgFits(key, alg) {
		return jose.JSONWebKey{}, &vault.ValidationError{Kind: "key", Field: "alg", Msg: fmt.Sprintf("%s does not fit a %s key", alg, keyKind(key))}
	}
	return jose.JSONWebKey{Key: pub, KeyID: pemkey.Thumbprint(key), Use: "sig", Algorithm: alg}, nil
}

// PublicJWKS returns {"keys":[jwk]} for the public half of key.
func PublicJWKS(key any, alg string) ([]byte, error) {
	jwk, err := publicJWK(key, alg)
	if err != nil {
		return nil, err
	}
	return json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
}

func keyKind(key any) string {
	switch key.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "EC"
	}
	return fmt.Sprintf("%T", key)
}
