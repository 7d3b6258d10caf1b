package common_test

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func pkcs8(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// TestDescribeKey covers S-26: a private key is described by algorithm,
// size and RFC 7638 thumbprint, whatever its encoding, and a PEM that does
// not parse is reported without being echoed.
func TestDescribeKey(t *testing.T) {
	t.Parallel()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	xk, _ := ecdh.X25519().GenerateKey(rand.Reader)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ek)
	tests := []struct {
		name, pem, alg, id string
	}{
		{"RSA PKCS#8", pkcs8(t, rk), "RSA 2048", pemkey.Thumbprint(rk)},
		{"RSA PKCS#1", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})), "RSA 2048", pemkey.Thumbprint(rk)},
		{"EC SEC 1", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})), "EC P-256", pemkey.Thumbprint(ek)},
		{"EC P-384 (a TLS key)", pkcs8(t, p384), "EC P-384", pemkey.Thumbprint(p384)},
		{"Ed25519", pkcs8(t, edk), "Ed25519", pemkey.Thumbprint(edk.Public())},
		{"X25519", pkcs8(t, xk), "X25519 (not a signing key)", ""},
		{"EC P-224 (no JWK form)", pkcs8(t, p224), "EC P-224", ""},
		{"encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted PEM private key", ""},
		{"a certificate", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n-----END CERTIFICATE-----\n", "not a readable PEM private key", ""},
		{"garbage body", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n", "not a readable PEM private key", ""},
		{"no PEM", "just text", "not a readable PEM private key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := common.DescribeKey(tt.pem)
			if k.Alg != tt.alg || k.ID != tt.id {
				t.Fatalf("DescribeKey = %q, key id %q; want %q, %q", k.Alg, k.ID, tt.alg, tt.id)
			}
			if tt.id != "" && len(tt.id) != 43 {
				t.Fatalf("thumbprint %q is not a base64url SHA-256", tt.id)
			}
			if at, leaked := uitest.PEMLeak(k.Text(), tt.pem); leaked {
				t.Errorf("the description shows the key (%s)", at)
			}
		})
	}
}

// TestFieldsNeverHoldAPrivateKey: the fields detail panes show (masked or
// revealed) carry a key's description, never its PEM (S-26), for secrets
// and client credentials alike; other values are unchanged.
func TestFieldsNeverHoldAPrivateKey(t *testing.T) {
	t.Parallel()
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key := pkcs8(t, ek)
	id := pemkey.Thumbprint(ek)
	cert := "-----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE-----\n"
	cases := map[string][]common.Field{
		"PRIVATE_KEY":     common.SecretFields(vault.TypePrivateKey, vault.SecretValue{PrivateKey: key}),
		"CLIENT_CERT":     common.SecretFields(vault.TypeClientCert, vault.SecretValue{Cert: cert, PrivateKey: key}),
		"private_key_jwt": common.ClientSecretFields(vault.ClientCredentials{PrivateKey: key}),
		"tls_client_auth": common.ClientSecretFields(vault.ClientCredentials{Cert: cert, CertKey: key}),
	}
	for name, fields := range cases {
		var all []string
		hasID := false
		for _, f := range fields {
			all = append(all, f.Label+" "+f.Value)
			hasID = hasID || (f.Label == "key id" && f.Value == id)
			if strings.Contains(f.Value, "EC P-256") && f.Secret {
				t.Errorf("%s: the key's description is marked secret, so it would be masked", name)
			}
		}
		if at, leaked := uitest.PEMLeak(strings.Join(all, "\n"), key); leaked {
			t.Errorf("%s: the fields show the private key (%s)", name, at)
		}
		if !hasID {
			t.Errorf("%s: no key id field", name)
		}
	}
	for _, name := range []string{"CLIENT_CERT", "tls_client_auth"} {
		if f := cases[name][0]; f.Label != "certificate" || f.Value != cert || f.Secret {
			t.Errorf("%s: the public certificate is not shown as it is: %q", name, f.Label)
		}
	}
	if f := common.ClientSecretFields(vault.ClientCredentials{ClientSecret: "s3cret-value"}); len(f) != 1 || !f[0].Secret || f[0].Value != "s3cret-value" {
		t.Errorf("a client secret is no longer a secret field: %d fields", len(f))
	}
}

// FuzzDescribeKey: a stored value described as a private key is outside
// input (pasted, imported, read from a file); whatever it holds, describing
// it never panics, and the description is one of the known forms — never
// an echo of the value (S-26).
func FuzzDescribeKey(f *testing.F) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ek)
	f.Add(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n")
	f.Add("-----BEGIN EC PRIVATE KEY-----\n\n-----END EC PRIVATE KEY-----")
	f.Add("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		k := common.DescribeKey(in)
		if k.ID != "" && len(k.ID) != 43 {
			t.Fatalf("key id of %d characters", len(k.ID))
		}
		switch {
		case k.Alg == "not a readable PEM private key", k.Alg == "encrypted PEM private key", k.Alg == "Ed25519", k.Alg == "X25519 (not a signing key)",
			strings.HasPrefix(k.Alg, "RSA "), strings.HasPrefix(k.Alg, "EC "):
		default:
			t.Fatalf("unexpected description %q", k.Alg)
		}
		// A key JWK has no form for (EC P-224) has no thumbprint either.
		signing := strings.HasPrefix(k.Alg, "RSA ") || strings.HasPrefix(k.Alg, "EC ") || k.Alg == "Ed25519"
		if !signing && k.ID != "" {
			t.Fatalf("%s has key id %q", k.Alg, k.ID)
		}
	})
}
