package common

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/authdeck/authdeck/vault/pemkey"
)

// KeyInfo is what the TUI shows of a private key: enough to tell which key
// it is, nothing that would let anyone use it (S-26). The PEM itself never
// reaches a view, a clipboard or a log.
type KeyInfo struct {
	// ID is the RFC 7638 SHA-256 thumbprint of the public half, the key id
	// providers and JWKS use; empty when the PEM could not be read.
	ID string
	// Alg names the algorithm and size: "RSA 2048", "EC P-256", "Ed25519".
	Alg string
}

// DescribeKey reads a PEM private key just far enough to describe it. A PEM
// that does not parse gives a KeyInfo with only Alg set, saying so, so a
// broken value is reported without being shown. Keys TLS accepts but
// private_key_jwt does not (RSA under 2048 bits, other curves, Ed25519) are
// described too: a client certificate's key may be one.
func DescribeKey(pemText string) KeyInfo {
	unreadable := KeyInfo{Alg: "not a readable PEM private key"}
	key, err := pemkey.Decode(pemText)
	switch {
	case errors.Is(err, pemkey.ErrEncrypted):
		return KeyInfo{Alg: "encrypted PEM private key"}
	case err != nil:
		return unreadable
	}
	var info KeyInfo
	switch k := key.(type) {
	case *rsa.PrivateKey:
		info.Alg = fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		info.Alg = "EC " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		info.Alg = "Ed25519"
	case *ecdh.PrivateKey:
		// PKCS#8 also holds X25519 keys: key agreement, not signing, and
		// without a JWK thumbprint.
		return KeyInfo{Alg: "X25519 (not a signing key)"}
	default:
		return unreadable
	}
	if s, ok := key.(crypto.Signer); ok {
		info.ID = pemkey.Thumbprint(s.Public())
	}
	return info
}

// Text renders the key as "RSA 2048 · key id 3f…" (or only the algorithm
// when there is no key id).
func (k KeyInfo) Text() string {
	if k.ID == "" {
		return k.Alg
	}
	return k.Alg + " · key id " + k.ID
}

// keyFields are the fields a private key shows as: its algorithm and size,
// and its key id, never the key (S-26). Neither is secret, so both show
// masked and revealed alike.
func keyFields(label, pemText string) []Field {
	k := DescribeKey(pemText)
	out := []Field{{Label: label, Value: k.Alg + " (shown by key id only)"}}
	if k.ID != "" {
		out = append(out, Field{Label: "key id", Value: k.ID})
	}
	return out
}
