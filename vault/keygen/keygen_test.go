package keygen

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/pemkey"
)

func TestSecretValue(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, n := range []int{MinSecretBytes, DefaultSecretBytes, 33, MaxSecretBytes} {
		v, err := SecretValue(n)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) != n {
			t.Fatalf("%d bytes: value decodes to %d bytes (%v)", n, len(raw), err)
		}
		if seen[v] {
			t.Fatal("the same value was generated twice")
		}
		seen[v] = true
	}
	for _, n := range []int{-1, 0, MinSecretBytes - 1, MaxSecretBytes + 1} {
		if _, err := SecretValue(n); !errors.Is(err, vault.ErrInvalid) {
			t.Fatalf("%d bytes: err = %v, want vault.ErrInvalid", n, err)
		}
	}
}

func BenchmarkSecretValue(b *testing.B) {
	for b.Loop() {
		if _, err := SecretValue(DefaultSecretBytes); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyPairAndPublicForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg, kty string
	}{
		{vault.AlgRS256, "RSA"},
		{vault.AlgPS256, "RSA"},
		{vault.AlgES256, "EC"},
	}
	for _, tc := range tests {
		t.Run(tc.alg, func(t *testing.T) {
			t.Parallel()
			key, privPEM, err := KeyPair(tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := vault.ParsePrivateKey(privPEM)
			if err != nil {
				t.Fatalf("generated PEM does not parse: %v", err)
			}
			if pemkey.Thumbprint(parsed) != pemkey.Thumbprint(key) {
				t.Fatal("PEM holds another key")
			}
			switch k := key.(type) {
			case *rsa.PrivateKey:
				if k.N.BitLen() != generatedRSABits {
					t.Fatalf("RSA key of %d bits", k.N.BitLen())
				}
			case *ecdsa.PrivateKey:
			default:
				t.Fatalf("key type %T", key)
			}
			pubPEM, err := PublicKeyPEM(key)
			if err != nil {
				t.Fatal(err)
			}
			if blk, _ := pem.Decode([]byte(pubPEM)); blk == nil || blk.Type != "PUBLIC KEY" {
				t.Fatalf("public PEM is not a PUBLIC KEY block")
			}
			if strings.Contains(pubPEM, "PRIVATE") {
				t.Fatal("public PEM mentions a private key")
			}
			raw, err := PublicJWKS(key, tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(raw, &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("JWKS %s: %v", raw, err)
			}
			jwk := set.Keys[0]
			if jwk["kty"] != tc.kty || jwk["alg"] != tc.alg || jwk["use"] != "sig" || jwk["kid"] != pemkey.Thumbprint(key) {
				t.Fatalf("JWK = %v", jwk)
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				if _, ok := jwk[private]; ok {
					t.Fatalf("JWKS carries private member %q", private)
				}
			}
			var ks jose.JSONWebKeySet
			if err := json.Unmarshal(raw, &ks); err != nil || !ks.Keys[0].IsPublic() || !ks.Keys[0].Valid() {
				t.Fatalf("JWKS does not load as a valid public key set: %v", err)
			}
		})
	}
	if _, _, err := KeyPair("HS256"); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("HS256: err = %v, want vault.ErrInvalid", err)
	}
}

func TestPublicJWKRefusesMismatchedAlg(t *testing.T) {
	t.Parallel()
	key, _, err := KeyPair(vault.AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PublicJWKS(key, vault.AlgRS256); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("RS256 for an EC key: err = %v", err)
	}
	if DefaultAlg(key) != vault.AlgES256 || !AlgFits(key, vault.AlgES256) || AlgFits(key, vault.AlgPS256) {
		t.Fatal("EC key algorithm helpers are wrong")
	}
}
