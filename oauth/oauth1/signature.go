package oauth1

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: RFC 5849 defines HMAC-SHA1 and RSA-SHA1, and providers still require them
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
)

// Signature methods (RFC 5849 §3.4; HMAC-SHA256 and RSA-SHA256 are the
// common SHA-256 variants providers offer).
const (
	// HMACSHA1 signs with HMAC-SHA1 keyed by both shared secrets (§3.4.2).
	HMACSHA1 = "HMAC-SHA1"
	// HMACSHA256 is HMAC-SHA1 with SHA-256.
	HMACSHA256 = "HMAC-SHA256"
	// RSASHA1 signs with RSASSA-PKCS1-v1_5 and SHA-1 (§3.4.3).
	RSASHA1 = "RSA-SHA1"
	// RSASHA256 is RSA-SHA1 with SHA-256.
	RSASHA256 = "RSA-SHA256"
	// Plaintext sends the shared secrets themselves; only safe over TLS (§3.4.4).
	Plaintext = "PLAINTEXT"
)

// Methods lists every supported signature method.
var Methods = []string{HMACSHA1, HMACSHA256, RSASHA1, RSASHA256, Plaintext}

// ErrBadSignature means a signature does not match the request.
var ErrBadSignature = errors.New("signature does not match")

// IsRSA reports whether method signs with a private key.
func IsRSA(method string) bool { return method == RSASHA1 || method == RSASHA256 }

// checkMethod says what is wrong with a signature method name.
func checkMethod(method string) error {
	if slices.Contains(Methods, method) {
		return nil
	}
	if method == "" {
		return errors.New("no signature method set (HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256 or PLAINTEXT)")
	}
	return fmt.Errorf("signature method %q is not HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256 or PLAINTEXT", clip(method, 40))
}

// SigningKey is the HMAC key and the PLAINTEXT signature of §3.4.2 and
// §3.4.4: the encoded consumer secret and the encoded token secret joined
// by '&' (which stays when a secret is empty).
func SigningKey(consumerSecret, tokenSecret string) string {
	return Encode(consumerSecret) + "&" + Encode(tokenSecret)
}

func hashFor(method string) (func() hash.Hash, crypto.Hash) {
	switch method {
	case HMACSHA1, RSASHA1:
		return sha1.New, crypto.SHA1
	}
	return sha256.New, crypto.SHA256
}

// Signature computes the oauth_signature of base. HMAC methods key with
// SigningKey; RSA methods sign with key (RSASSA-PKCS1-v1_5, §3.4.3);
// PLAINTEXT ignores base and returns the key itself (§3.4.4).
func Signature(method, base, consumerSecret, tokenSecret string, key crypto.Signer) (string, error) {
	if err := checkMethod(method); err != nil {
		return "", err
	}
	switch method {
	case Plaintext:
		return SigningKey(consumerSecret, tokenSecret), nil
	case HMACSHA1, HMACSHA256:
		newHash, _ := hashFor(method)
		m := hmac.New(newHash, []byte(SigningKey(consumerSecret, tokenSecret)))
		m.Write([]byte(base))
		return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
	}
	if key == nil {
		return "", fmt.Errorf("%s needs a private key", method)
	}
	if _, ok := key.Public().(*rsa.PublicKey); !ok {
		return "", fmt.Errorf("%s needs an RSA private key", method)
	}
	newHash, h := hashFor(method)
	d := newHash()
	d.Write([]byte(base))
	sig, err := key.Sign(rand.Reader, d.Sum(nil), h)
	if err != nil {
		return "", fmt.Errorf("%s signing failed: %w", method, err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifySignature checks sig (decoded from oauth_signature) against base.
// HMAC and PLAINTEXT signatures are compared in constant time; RSA
// signatures are verified with pub, which must be an *rsa.PublicKey. A
// mismatch wraps ErrBadSignature.
func VerifySignature(method, base, sig, consumerSecret, tokenSecret string, pub crypto.PublicKey) error {
	if err := checkMethod(method); err != nil {
		return err
	}
	switch method {
	case Plaintext:
		if subtle.ConstantTimeCompare([]byte(sig), []byte(SigningKey(consumerSecret, tokenSecret))) != 1 {
			return ErrBadSignature
		}
		return nil
	case HMACSHA1, HMACSHA256:
		want, _ := Signature(method, base, consumerSecret, tokenSecret, nil)
		if !hmac.Equal([]byte(sig), []byte(want)) {
			return ErrBadSignature
		}
		return nil
	}
	rpub, ok := pub.(*rsa.PublicKey)
	if !ok || rpub == nil {
		return fmt.Errorf("%s needs the consumer's registered RSA public key", method)
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("%w: the signature is not base64", ErrBadSignature)
	}
	newHash, h := hashFor(method)
	d := newHash()
	d.Write([]byte(base))
	if err := rsa.VerifyPKCS1v15(rpub, h, d.Sum(nil), raw); err != nil {
		return ErrBadSignature
	}
	return nil
}
