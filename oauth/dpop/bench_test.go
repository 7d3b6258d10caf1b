package dpop

import (
	"testing"
	"time"
)

// BenchmarkProof is the client's cost of one DPoP proof (an ES256
// signature over a fresh jti, htu and ath): what every DPoP request adds.
func BenchmarkProof(b *testing.B) {
	k, _, err := GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Proof("GET", "https://api.example.com/data?x=1", ProofOptions{AccessToken: "eyJhbGciOiJFUzI1NiJ9.e30.sig", Nonce: "n"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is a server's cost of checking one proof.
func BenchmarkVerify(b *testing.B) {
	k, _, err := GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	p, err := k.Proof("GET", "https://api.example.com/data", ProofOptions{AccessToken: "tok", Now: now})
	if err != nil {
		b.Fatal(err)
	}
	x := Expect{Method: "GET", URL: "https://api.example.com/data", AccessToken: "tok", JKT: k.Thumbprint(), Now: now}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(p, x); err != nil {
			b.Fatal(err)
		}
	}
}
