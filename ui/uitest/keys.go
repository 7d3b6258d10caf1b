package uitest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

// Names of the items AddPrivateKeys adds to the dev environment.
const (
	// KeySecret is a PRIVATE_KEY secret (EC P-256).
	KeySecret = "signing-key"
	// CertSecret is a CLIENT_CERT secret (certificate + EC P-256 key).
	CertSecret = "mtls-cert"
	// JWTClient is an OAuth 2.0 client authenticating with private_key_jwt (RSA).
	JWTClient = "jwt-service"
	// RSAClient is an OAuth 1.0a client signing with RSA-SHA256.
	RSAClient = "photos-rsa"
	// TLSClient is an OAuth 2.0 client authenticating with tls_client_auth.
	TLSClient = "mtls-service"
)

// PrivateKeys are the PEMs AddPrivateKeys stored, so tests can check that
// no view, copy or form ever shows them (S-26).
type PrivateKeys struct {
	// RSA is the PEM of the jwt-service and photos-rsa key.
	RSA string
	// EC is the PEM of the signing-key secret and of both mTLS keys.
	EC string
	// Cert is the (public) certificate of the mTLS items.
	Cert string
	// RSAKeyID and ECKeyID are the RFC 7638 thumbprints of the two keys.
	RSAKeyID, ECKeyID string
}

var (
	keysOnce sync.Once
	keys     PrivateKeys
	keysErr  error
)

// fixtureKeys generates the keys once per test binary: an RSA 2048 key
// takes long enough under the race detector to be worth sharing.
func fixtureKeys() (PrivateKeys, error) {
	keysOnce.Do(func() { keys, keysErr = newFixtureKeys() })
	return keys, keysErr
}

func newFixtureKeys() (PrivateKeys, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return PrivateKeys{}, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return PrivateKeys{}, err
	}
	encode := func(key any) (string, error) {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
	}
	var k PrivateKeys
	if k.RSA, err = encode(rk); err != nil {
		return k, err
	}
	if k.EC, err = encode(ek); err != nil {
		return k, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mtls.example.test"},
		NotBefore: FixtureNow.AddDate(0, -1, 0), NotAfter: FixtureNow.AddDate(1, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ek.PublicKey, ek)
	if err != nil {
		return k, err
	}
	k.Cert = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	k.RSAKeyID, k.ECKeyID = pemkey.Thumbprint(rk), pemkey.Thumbprint(ek)
	return k, nil
}

// AddPrivateKeys adds to v's dev environment every kind of item that keeps
// a private key: a PRIVATE_KEY and a CLIENT_CERT secret, a private_key_jwt
// and a tls_client_auth OAuth 2.0 client, and an RSA-SHA256 OAuth 1.0a
// client with its token credentials (secret photos-rsa). It returns the
// keys it stored.
func AddPrivateKeys(v *vault.Vault) (PrivateKeys, error) {
	k, err := fixtureKeys()
	if err != nil {
		return k, fmt.Errorf("uitest: generating the fixture keys: %w", err)
	}
	issuer := "https://login.example.test"
	base := "https://photos.example.test/oauth"
	b := vault.Batch{
		Clients: []vault.ClientItem{
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: JWTClient, Env: "dev"}, Type: vault.ClientOAuth2, Issuer: issuer, ClientID: JWTClient,
					Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthPrivateKeyJWT, SigningAlg: vault.AlgRS256, KeyID: k.RSAKeyID,
				},
				Creds: &vault.ClientCredentials{PrivateKey: k.RSA},
			},
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: TLSClient, Env: "dev"}, Type: vault.ClientOAuth2, Issuer: issuer, ClientID: TLSClient,
					Grant: vault.GrantClientCredentials, AuthMethod: vault.AuthTLSClient,
				},
				Creds: &vault.ClientCredentials{Cert: k.Cert, CertKey: k.EC},
			},
			{
				Client: vault.AuthClient{
					Meta: vault.Meta{Name: RSAClient, Env: "dev"}, Type: vault.ClientOAuth1,
					Endpoints: vault.Endpoints{RequestToken: base + "/request_token", Authorization: base + "/authorize", Token: base + "/access_token"},
					ClientID:  "photos-rsa-consumer", SignatureMethod: "RSA-SHA256", KeyID: k.RSAKeyID,
				},
				Creds: &vault.ClientCredentials{PrivateKey: k.RSA},
			},
		},
		Secrets: []vault.SecretItem{
			{Secret: vault.Secret{Meta: vault.Meta{Name: KeySecret, Env: "dev"}, Type: vault.TypePrivateKey}, Value: vault.SecretValue{PrivateKey: k.EC}},
			{Secret: vault.Secret{Meta: vault.Meta{Name: CertSecret, Env: "dev"}, Type: vault.TypeClientCert}, Value: vault.SecretValue{Cert: k.Cert, PrivateKey: k.EC}},
			{
				Secret: vault.Secret{Meta: vault.Meta{Name: RSAClient, Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: RSAClient},
				Value:  vault.SecretValue{Token: FixtureOA1Token, TokenSecret: FixtureOA1TokenSecret},
			},
		},
	}
	if _, err := v.Apply(context.Background(), b); err != nil {
		return k, fmt.Errorf("uitest: private key fixture: %w", err)
	}
	return k, nil
}

// PEMLeak reports where text shows any part of pemText: its BEGIN line or
// any 12-character run of its base64 body, however the view wrapped it.
// Runs that also occur in public (a certificate holds the public half a
// private key's PEM carries too) prove nothing and are skipped. The answer
// names a position, never the characters, so a failing test does not print
// the key (S-33).
func PEMLeak(text, pemText string, public ...string) (where string, leaked bool) {
	if strings.Contains(text, "PRIVATE KEY-----") {
		return "a BEGIN/END PRIVATE KEY line", true
	}
	const run = 12
	for i, line := range strings.Split(strings.TrimSpace(pemText), "\n") {
		if strings.HasPrefix(line, "-----") {
			continue
		}
		for at := 0; at+run <= len(line); at += run / 2 {
			w := line[at : at+run]
			if strings.Contains(text, w) && !containsAny(public, w) {
				return fmt.Sprintf("PEM line %d, characters %d–%d", i+1, at+1, at+run), true
			}
		}
	}
	return "", false
}

func containsAny(texts []string, s string) bool {
	for _, t := range texts {
		if strings.Contains(strings.ReplaceAll(t, "\n", ""), s) {
			return true
		}
	}
	return false
}
