package dpop

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const rfcJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

func rfcProof(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc9449-figure2.jwt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// The specification's own example proof verifies, and its key's thumbprint
// is the one RFC 9449 §6.1 publishes.
func TestVerifyRFC9449Example(t *testing.T) {
	t.Parallel()
	iat := time.Unix(1562262616, 0)
	p, err := Verify(rfcProof(t), Expect{Method: "POST", URL: "https://server.example.com/token", Now: iat})
	if err != nil {
		t.Fatal(err)
	}
	if p.JKT != rfcJKT || p.JTI != "-BwC3ESc6acc2lTc" || !p.IssuedAt.Equal(iat) {
		t.Fatalf("proof: %+v", p)
	}
	// The same proof for another method, URI, or long after: refused.
	for _, x := range []Expect{
		{Method: "GET", URL: "https://server.example.com/token", Now: iat},
		{Method: "POST", URL: "https://server.example.com/resource", Now: iat},
		{Method: "POST", URL: "https://server.example.com/token", Now: iat.Add(time.Hour)},
		{Method: "POST", URL: "https://server.example.com/token", Now: iat, JKT: "other"},
		{Method: "POST", URL: "https://server.example.com/token", Now: iat, AccessToken: "tok"},
		{Method: "POST", URL: "https://server.example.com/token", Now: iat, Nonce: "n"},
	} {
		if _, err := Verify(rfcProof(t), x); err == nil {
			t.Errorf("accepted for %+v", x)
		}
	}
}

// S-44: proofs made by a Key verify with its thumbprint, carry ath for the
// token, the nonce, the request's method and its URI without the query.
func TestProofRoundTrip(t *testing.T) {
	t.Parallel()
	k, pemText, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseKey(pemText)
	if err != nil || again.Thumbprint() != k.Thumbprint() {
		t.Fatalf("the PEM does not give the same key back: %v", err)
	}
	if strings.Contains(k.String(), "PRIVATE") || !strings.Contains(k.String(), k.Thumbprint()) {
		t.Errorf("String: %q", k.String())
	}
	now := time.Now()
	proof, err := k.Proof("GET", "https://API.example.com:443/data?x=1#frag", ProofOptions{AccessToken: "tok", Nonce: "n1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Verify(proof, Expect{Method: "GET", URL: "https://api.example.com/data?y=2", AccessToken: "tok", Nonce: "n1", JKT: k.Thumbprint(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if p.HTU != "https://api.example.com/data" || p.Nonce != "n1" || p.JKT != k.Thumbprint() {
		t.Errorf("proof: %+v", p)
	}
	// The header carries the public key only.
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(proof, ".")[0])
	var h map[string]any
	if err := json.Unmarshal(hdr, &h); err != nil {
		t.Fatal(err)
	}
	jwk, _ := h["jwk"].(map[string]any)
	if h["typ"] != ProofType || h["alg"] != "ES256" || jwk == nil || jwk["d"] != nil {
		t.Errorf("header: %v", h)
	}
	// Two proofs never share a jti.
	p2, _ := k.Proof("GET", "https://api.example.com/data", ProofOptions{})
	q, err := Verify(p2, Expect{Method: "GET", URL: "https://api.example.com/data"})
	if err != nil || q.JTI == p.JTI {
		t.Errorf("second proof: %v, same jti=%v", err, q != nil && q.JTI == p.JTI)
	}
}

// Hostile proofs: each is refused with invalid_dpop_proof (or use_dpop_nonce
// for a missing nonce), never accepted.
func TestVerifyRefusesHostileProofs(t *testing.T) {
	t.Parallel()
	k, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const url = "https://as.example/token"
	good, _ := k.Proof("POST", url, ProofOptions{Now: now})
	other, _, _ := GenerateKey()
	sign := func(alg jose.SignatureAlgorithm, key any, hdr map[jose.HeaderKey]any, claims any) string {
		opts := &jose.SignerOptions{ExtraHeaders: hdr}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(claims)
		o, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := o.CompactSerialize()
		return out
	}
	pub := k.PublicJWK()
	okClaims := map[string]any{"jti": "j", "htm": "POST", "htu": url, "iat": now.Unix()}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0xff
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	otherProof, _ := other.Proof("POST", url, ProofOptions{Now: now})
	swapped := parts[0] + "." + strings.Split(otherProof, ".")[1] + "." + strings.Split(otherProof, ".")[2]
	privJWK := jose.JSONWebKey{Key: k.priv}
	cases := []struct {
		name, proof string
		x           Expect
		code        string
	}{
		{"empty", "", Expect{}, ErrInvalidProof},
		{"garbage", "a.b.c", Expect{}, ErrInvalidProof},
		{"bad signature", tampered, Expect{}, ErrInvalidProof},
		{"signature of another key", swapped, Expect{}, ErrInvalidProof},
		{"wrong htm", good, Expect{Method: "GET"}, ErrInvalidProof},
		{"wrong htu", good, Expect{URL: "https://as.example/other"}, ErrInvalidProof},
		{"wrong host", good, Expect{URL: "https://evil.example/token"}, ErrInvalidProof},
		{"too old", good, Expect{Now: now.Add(10 * time.Minute)}, ErrInvalidProof},
		{"from the future", good, Expect{Now: now.Add(-10 * time.Minute)}, ErrInvalidProof},
		{"missing ath", good, Expect{AccessToken: "tok"}, ErrInvalidProof},
		{"other key than bound", good, Expect{JKT: other.Thumbprint()}, ErrInvalidProof},
		{"missing nonce", good, Expect{Nonce: "n"}, ErrUseNonce},
		{"stale nonce", good, Expect{NonceValid: func(string) bool { return false }}, ErrUseNonce},
		{"HS256", sign(jose.HS256, []byte(strings.Repeat("k", 32)), map[jose.HeaderKey]any{"typ": ProofType}, okClaims), Expect{}, ErrInvalidProof},
		{"typ JWT", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": "JWT", "jwk": pub}, okClaims), Expect{}, ErrInvalidProof},
		{"no jwk", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": ProofType}, okClaims), Expect{}, ErrInvalidProof},
		{"private jwk", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": ProofType, "jwk": privJWK}, okClaims), Expect{}, ErrInvalidProof},
		{"weak RSA", sign(jose.RS256, rsaKey, map[jose.HeaderKey]any{"typ": ProofType, "jwk": jose.JSONWebKey{Key: &rsaKey.PublicKey}}, okClaims), Expect{}, ErrInvalidProof},
		{"no jti", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": ProofType, "jwk": pub}, map[string]any{"htm": "POST", "htu": url, "iat": now.Unix()}), Expect{}, ErrInvalidProof},
		{"iat string", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": ProofType, "jwk": pub}, map[string]any{"jti": "j", "htm": "POST", "htu": url, "iat": "now"}), Expect{}, ErrInvalidProof},
		{"htu relative", sign(jose.ES256, k.priv, map[jose.HeaderKey]any{"typ": ProofType, "jwk": pub}, map[string]any{"jti": "j", "htm": "POST", "htu": "/token", "iat": now.Unix()}), Expect{}, ErrInvalidProof},
		{"huge", strings.Repeat("a", MaxProofBytes+1), Expect{}, ErrInvalidProof},
	}
	for _, tc := range cases {
		x := tc.x
		if x.Method == "" {
			x.Method = "POST"
		}
		if x.URL == "" {
			x.URL = url
		}
		if x.Now.IsZero() {
			x.Now = now
		}
		_, err := Verify(tc.proof, x)
		var de *Error
		if !errors.As(err, &de) || de.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

// htu normalisation: client and server agree whatever the case, default
// port or percent-encoding, and never on another path.
func TestHTU(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://EXAMPLE.com:443/a/b?q=1#f": "https://example.com/a/b",
		"http://example.com:80":             "http://example.com/",
		"http://127.0.0.1:8080/x":           "http://127.0.0.1:8080/x",
		"https://example.com/%7euser/%2f":   "https://example.com/~user/%2F",
		"http://[::1]:9000/t":               "http://[::1]:9000/t",
	} {
		got, err := HTU(in)
		if err != nil || got != want {
			t.Errorf("HTU(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"/token", "ftp://example.com/", "mailto:a@b", "%zz", ""} {
		if _, err := HTU(bad); err == nil {
			t.Errorf("HTU(%q) accepted", bad)
		}
	}
}

// Server helpers: a jti is accepted once per key; nonces rotate and the
// previous window's nonce still passes.
func TestReplayCacheAndNonces(t *testing.T) {
	t.Parallel()
	c := NewReplayCache(2)
	now := time.Now()
	p := &Proof{JKT: "k", JTI: "1"}
	if !c.Use(p, now.Add(time.Minute), now) || c.Use(p, now.Add(time.Minute), now) {
		t.Fatal("a jti was accepted twice or not at all")
	}
	if !c.Use(&Proof{JKT: "other", JTI: "1"}, now.Add(time.Minute), now) {
		t.Error("the same jti from another key was refused")
	}
	if c.Use(&Proof{JKT: "k", JTI: "3"}, now.Add(time.Minute), now) {
		t.Error("a full cache accepted a new jti")
	}
	if !c.Use(&Proof{JKT: "k", JTI: "4"}, now.Add(time.Minute), now.Add(2*time.Minute)) {
		t.Error("expired ids were not purged")
	}

	clock := now
	n := NewNonces(time.Minute, func() time.Time { return clock })
	first := n.Current()
	if !n.Valid(first) || n.Valid("x") {
		t.Fatal("nonce check")
	}
	clock = clock.Add(time.Minute)
	if n.Current() == first || !n.Valid(first) {
		t.Error("the nonce did not rotate, or the previous one stopped working at once")
	}
	clock = clock.Add(2 * time.Minute)
	if n.Valid(first) {
		t.Error("an old nonce still passes")
	}
}

// ParseKey refuses what cannot sign ES256 and says why.
func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "not PEM",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n": "not a private key",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n": "does not parse",
	} {
		if _, err := ParseKey(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%.20q) = %v, want %q", in, err, want)
		}
	}
}

// FuzzVerify: whatever the proof, Verify answers an error or a proof whose
// key and jti are set, and never panics (S-36).
func FuzzVerify(f *testing.F) {
	f.Add(rfcProof(f), "POST", "https://server.example.com/token")
	k, _, _ := GenerateKey()
	p, _ := k.Proof("GET", "http://127.0.0.1/x", ProofOptions{AccessToken: "t"})
	f.Add(p, "GET", "http://127.0.0.1/x")
	f.Add("a.b.c", "GET", "http://x/")
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.", "POST", "https://a/")
	f.Fuzz(func(t *testing.T, proof, method, url string) {
		got, err := Verify(proof, Expect{Method: method, URL: url, Now: time.Unix(1562262616, 0)})
		if err == nil && (got.JKT == "" || got.JTI == "") {
			t.Fatalf("accepted a proof without key or jti: %+v", got)
		}
	})
}

// FuzzHTU: the htu of any string is an error or an absolute http(s) URI
// without query or fragment, and normalising it again changes nothing.
func FuzzHTU(f *testing.F) {
	for _, s := range []string{"https://a.example/x?y#z", "http://[::1]:80/%41", "HTTP://A:443/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := HTU(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(h, "?#") || !(strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://")) {
			t.Fatalf("HTU(%q) = %q", s, h)
		}
		if again, err := HTU(h); err != nil || again != h {
			t.Fatalf("HTU is not stable: %q -> %q -> %q (%v)", s, h, again, err)
		}
	})
}
