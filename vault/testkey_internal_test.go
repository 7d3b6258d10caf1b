package vault

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// generateTestKey returns a new private key for alg (RS256/PS256: RSA 2048,
// ES256: EC P-256) and its PKCS #8 PEM, for the package's own tests (the
// generator itself, vault/keygen, imports vault).
func generateTestKey(alg string) (crypto.Signer, string, error) {
	var key crypto.Signer
	var err error
	switch alg {
	case AlgRS256, AlgPS256:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case AlgES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, "", fmt.Errorf("no test key for %q", alg)
	}
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", err
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}
