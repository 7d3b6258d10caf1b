package dpop

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxProofBytes bounds the proofs Verify reads.
const MaxProofBytes = 8 << 10

// Algorithms are the signature algorithms Verify accepts: the asymmetric
// ones of RFC 7518 and EdDSA (RFC 9449 §4.2 forbids symmetric ones and none).
var Algorithms = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA}

// Expect is what a proof must match: the request it came with and the
// server's policy.
type Expect struct {
	// Method and URL are the request's; the URL's query and fragment are
	// ignored.
	Method, URL string
	// AccessToken, when set, must be hashed in ath (a resource request).
	AccessToken string
	// JKT, when set, is the thumbprint the proof's key must have (the cnf.jkt
	// of the presented token, or a key the authorization code is bound to).
	JKT string
	// Nonce, when set, is the nonce the proof must carry; NonceValid, when
	// set, decides instead (a server that rotates nonces accepts the last
	// few). Without either, a proof's nonce is not checked.
	Nonce      string
	NonceValid func(string) bool
	// Now is the time of the check; zero means time.Now.
	Now time.Time
	// MaxAge is how old iat may be (default 5 min); Leeway how far in the
	// future (default 30 s).
	MaxAge, Leeway time.Duration
}

// Proof is what a verified proof says.
type Proof struct {
	// JKT is the RFC 7638 thumbprint of the proof's key.
	JKT string
	// JTI is the proof's unique id; the caller remembers it to refuse a replay.
	JTI string
	// HTM and HTU are the method and URI the proof was made for.
	HTM, HTU string
	// IssuedAt is the proof's iat.
	IssuedAt time.Time
	// Nonce is the nonce the proof carries, if any.
	Nonce string
}

// Error is a proof that failed a check. Code is ErrInvalidProof, or
// ErrUseNonce when only a (fresh) nonce is missing.
type Error struct {
	Code   string
	Reason string
}

func (e *Error) Error() string { return "DPoP proof: " + e.Reason }

func invalid(format string, args ...any) *Error {
	return &Error{Code: ErrInvalidProof, Reason: fmt.Sprintf(format, args...)}
}

// Verify checks a proof the way RFC 9449 §4.3 says a server must: one
// compact JWS of type dpop+jwt, signed with an asymmetric algorithm by the
// public key in its jwk header (never a private one), with jti, htm, htu
// and iat; htm and htu must match the request, iat must be recent, ath must
// hash the presented access token, the key must be the expected one, and
// the nonce must be the server's. Replay of a jti is the caller's check.
func Verify(proof string, x Expect) (*Proof, error) {
	jwk, payload, err := verifySignature(proof)
	if err != nil {
		return nil, err
	}
	c, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, invalid("the key has no thumbprint")
	}
	p := &Proof{JKT: base64.RawURLEncoding.EncodeToString(tp), JTI: c.JTI, HTM: c.HTM, HTU: c.HTU, IssuedAt: time.Unix(c.IAT, 0), Nonce: c.Nonce}

	if err := checkRequest(c, p.IssuedAt, x); err != nil {
		return nil, err
	}
	if err := checkBinding(c, p.JKT, x); err != nil {
		return nil, err
	}
	return p, nil
}

// verifySignature checks the shape of a proof — one compact JWS of type
// dpop+jwt with an asymmetric algorithm and a public key of fair strength
// in its jwk header — and its signature by that key, and returns the key
// and the payload.
func verifySignature(proof string) (*jose.JSONWebKey, []byte, error) {
	if proof == "" {
		return nil, nil, invalid("no DPoP header")
	}
	if len(proof) > MaxProofBytes {
		return nil, nil, invalid("longer than %d bytes", MaxProofBytes)
	}
	if strings.Count(proof, ".") != 2 {
		return nil, nil, invalid("not a compact JWS")
	}
	sig, err := jose.ParseSignedCompact(proof, Algorithms)
	if err != nil {
		return nil, nil, invalid("not a signed JWT with an asymmetric algorithm (%s)", clean(err.Error()))
	}
	if len(sig.Signatures) != 1 {
		return nil, nil, invalid("expected one signature")
	}
	h := sig.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != ProofType {
		return nil, nil, invalid("typ is %q, not %q", clean(typ), ProofType)
	}
	jwk := h.JSONWebKey
	if jwk == nil {
		return nil, nil, invalid("no jwk header")
	}
	if !jwk.IsPublic() {
		return nil, nil, invalid("the jwk header holds a private key")
	}
	if !jwk.Valid() {
		return nil, nil, invalid("the jwk header is not a valid key")
	}
	if err := keyStrength(jwk.Key); err != nil {
		return nil, nil, invalid("%s", err.Error())
	}
	payload, err := sig.Verify(jwk)
	if err != nil {
		return nil, nil, invalid("the signature does not verify with the jwk header's key")
	}
	return jwk, payload, nil
}

// checkRequest checks that htm and htu name the request and that iat is
// recent.
func checkRequest(c *claims, iat time.Time, x Expect) error {
	if c.HTM != x.Method {
		return invalid("htm is %q but the request is a %s", clean(c.HTM), x.Method)
	}
	want, err := HTU(x.URL)
	if err != nil {
		return invalid("the request URL: %s", err.Error())
	}
	got, err := HTU(c.HTU)
	if err != nil || got != want {
		return invalid("htu %q is not the request's URI %q", clean(c.HTU), want)
	}
	now := x.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxAge, leeway := x.MaxAge, x.Leeway
	if maxAge <= 0 {
		maxAge = 5 * time.Minute
	}
	if leeway <= 0 {
		leeway = 30 * time.Second
	}
	switch {
	case iat.After(now.Add(leeway)):
		return invalid("iat is in the future")
	case iat.Before(now.Add(-maxAge - leeway)):
		return invalid("iat is older than %s", maxAge)
	}
	return nil
}

// checkBinding checks that ath hashes the presented access token, that the
// proof's key (thumbprint jkt) is the expected one and that the nonce is
// the server's.
func checkBinding(c *claims, jkt string, x Expect) error {
	if x.AccessToken != "" {
		if c.ATH == "" {
			return invalid("no ath: a proof sent with an access token must hash it")
		}
		if subtle.ConstantTimeCompare([]byte(c.ATH), []byte(AccessTokenHash(x.AccessToken))) != 1 {
			return invalid("ath does not match the access token")
		}
	}
	if x.JKT != "" && subtle.ConstantTimeCompare([]byte(jkt), []byte(x.JKT)) != 1 {
		return invalid("the proof is signed with another key than the one the token is bound to")
	}
	switch {
	case x.NonceValid != nil:
		if c.Nonce == "" || !x.NonceValid(c.Nonce) {
			return &Error{Code: ErrUseNonce, Reason: "the server requires a fresh nonce"}
		}
	case x.Nonce != "":
		if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(x.Nonce)) != 1 {
			return &Error{Code: ErrUseNonce, Reason: "the server requires its nonce"}
		}
	}
	return nil
}

// parseClaims decodes the payload strictly: a JSON object with string jti,
// htm, htu, a numeric iat, and optional string ath and nonce.
func parseClaims(payload []byte) (*claims, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, invalid("the payload is not a JSON object")
	}
	if dec.More() {
		return nil, invalid("data after the payload's JSON object")
	}
	str := func(k string, required bool) (string, error) {
		v, ok := m[k]
		if !ok {
			if required {
				return "", invalid("no %s claim", k)
			}
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", invalid("%s is not a string", k)
		}
		if required && s == "" {
			return "", invalid("%s is empty", k)
		}
		if len(s) > 2048 {
			return "", invalid("%s is too long", k)
		}
		return s, nil
	}
	var c claims
	var err error
	if c.JTI, err = str("jti", true); err != nil {
		return nil, err
	}
	if c.HTM, err = str("htm", true); err != nil {
		return nil, err
	}
	if c.HTU, err = str("htu", true); err != nil {
		return nil, err
	}
	if c.ATH, err = str("ath", false); err != nil {
		return nil, err
	}
	if c.Nonce, err = str("nonce", false); err != nil {
		return nil, err
	}
	n, ok := m["iat"].(json.Number)
	if !ok {
		return nil, invalid("no numeric iat claim")
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return nil, invalid("iat is not a time")
	}
	c.IAT = int64(f)
	return &c, nil
}

// keyStrength refuses weak proof keys: RSA under 2048 bits, curves other
// than P-256/384/521.
func keyStrength(key any) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("the RSA key has %d bits; at least 2048 are needed", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		switch k.Curve.Params().Name {
		case "P-256", "P-384", "P-521":
		default:
			return fmt.Errorf("the EC curve %s is not accepted", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return fmt.Errorf("a %T key is not accepted", key)
	}
	return nil
}

// clean keeps server-facing reasons printable and short.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
	return clip(s)
}
