package vault

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"

	"github.com/go-jose/go-jose/v4"
)

// PublicKey returns the public half of an RSA or ECDSA private key.
func PublicKey(key any) crypto.PublicKey {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	}
	return nil
}

// Thumbprint returns the RFC 7638 SHA-256 JWK thumbprint of a key's public
// half (base64url), used as key id. It identifies a key without revealing it.
func Thumbprint(key any) string {
	pub := PublicKey(key)
	if pub == nil {
		pub = key
	}
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}
