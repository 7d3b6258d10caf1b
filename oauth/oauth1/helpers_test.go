package oauth1_test

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/vault"
)

// fixedClock returns a clock stopped at unix seconds sec.
func fixedClock(sec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, 0) }
}

// fixedNonce returns a nonce source that always answers n.
func fixedNonce(n string) func() string { return func() string { return n } }

// testKeyPEM is the fixed RSA test key (testdata/rsa2048.pem), generated
// with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` for
// these tests only.
func testKeyPEM(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rsa2048.pem")
	if err != nil {
		t.Fatalf("reading the test key: %v", err)
	}
	return string(b)
}

func testKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := vault.ParsePrivateKey(testKeyPEM(t))
	if err != nil {
		t.Fatalf("parsing the test key: %v", err)
	}
	return k.(crypto.Signer)
}

// rawRequest reads an HTTP/1.1 request as it appears in the RFC.
func rawRequest(t testing.TB, raw string) *http.Request {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("reading the request: %v", err)
	}
	return req
}

// header returns the protocol parameters of an OAuth Authorization header.
func headerParams(t testing.TB, h string) (string, map[string]string) {
	t.Helper()
	realm, ps, err := oauth1.ParseAuthorization(h)
	if err != nil {
		t.Fatalf("ParseAuthorization(%q): %v", h, err)
	}
	m := map[string]string{}
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return realm, m
}

// ecKey is a P-256 key, which RSA methods must refuse.
func ecKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
