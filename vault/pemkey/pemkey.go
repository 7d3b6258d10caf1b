// Package pemkey reads PEM private keys and names them by their RFC 7638
// thumbprint. It is the one PEM reader of the vault's validation, the CLI
// and the TUI's key descriptions.
package pemkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// ErrEncrypted is returned for a passphrase-protected PEM private key.
var ErrEncrypted = errors.New("encrypted private keys are not supported; decrypt it first (openssl pkey -in key.pem -out plain.pem)")

// Decode reads the first PEM block of pemText as a private key of any kind
// Go reads: PKCS #1 RSA, SEC 1 EC, or PKCS #8 (RSA, EC, Ed25519, X25519).
// It checks nothing about the key's size or curve; that is the caller's
// policy.
func Decode(pemText string) (crypto.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, ErrEncrypted
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %v", block.Type, err)
	}
	return key, nil
}

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
