package pemkey

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func pemOf(t *testing.T, typ string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestDecode(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := func(k any) []byte {
		b, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name, pem string
		want      string // the key's type, or the error text
	}{
		{"PKCS #1 RSA", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), "*rsa.PrivateKey"},
		{"SEC 1 EC", pemOf(t, "EC PRIVATE KEY", ecDER), "*ecdsa.PrivateKey"},
		{"PKCS #8 RSA", pemOf(t, "PRIVATE KEY", pkcs8(rsaKey)), "*rsa.PrivateKey"},
		{"PKCS #8 Ed25519", pemOf(t, "PRIVATE KEY", pkcs8(edKey)), "ed25519.PrivateKey"},
		{"PKCS #8 X25519", pemOf(t, "PRIVATE KEY", pkcs8(xKey)), "*ecdh.PrivateKey"},
		{"encrypted", pemOf(t, "ENCRYPTED PRIVATE KEY", []byte{1}), ErrEncrypted.Error()},
		{"certificate", pemOf(t, "CERTIFICATE", []byte{1}), `PEM block "CERTIFICATE" is not a private key`},
		{"damaged", pemOf(t, "EC PRIVATE KEY", []byte{1, 2, 3}), "parsing EC PRIVATE KEY: "},
		{"not PEM", "hello", "no PEM block found"},
	} {
		key, err := Decode(tt.pem)
		got := ""
		switch {
		case err != nil:
			got = err.Error()
		default:
			got = typeName(key)
		}
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := Decode(pemOf(t, "ENCRYPTED PRIVATE KEY", nil)); !errors.Is(err, ErrEncrypted) {
		t.Errorf("an encrypted key: %v, want ErrEncrypted", err)
	}
}

func typeName(k any) string {
	switch k.(type) {
	case *rsa.PrivateKey:
		return "*rsa.PrivateKey"
	case *ecdsa.PrivateKey:
		return "*ecdsa.PrivateKey"
	case ed25519.PrivateKey:
		return "ed25519.PrivateKey"
	case *ecdh.PrivateKey:
		return "*ecdh.PrivateKey"
	}
	return "?"
}

// TestThumbprint: a private key and its public half name the same key, as a
// base64url SHA-256 digest (43 characters).
func TestThumbprint(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tp := Thumbprint(ecKey); tp == "" || tp != Thumbprint(&ecKey.PublicKey) || len(tp) != 43 {
		t.Errorf("thumbprint %q of the private key, %q of the public one", tp, Thumbprint(&ecKey.PublicKey))
	}
	if pub, ok := PublicKey(ecKey).(*ecdsa.PublicKey); !ok || pub != &ecKey.PublicKey {
		t.Error("PublicKey of an EC key is not its public half")
	}
	if PublicKey("not a key") != nil {
		t.Error("PublicKey of a non-key")
	}
}

// FuzzDecode: no input panics, and a key comes back only with no error.
func FuzzDecode(f *testing.F) {
	f.Add("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIE3ll8nU0tF6n0kp0nO0mK3ojZs7aK3PZpqj1x0bH6ZJ\n-----END PRIVATE KEY-----\n")
	f.Add("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := Decode(s)
		if (key == nil) == (err == nil) {
			t.Fatalf("key %v with error %v", key, err)
		}
	})
}
