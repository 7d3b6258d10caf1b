// Package dpop builds and checks DPoP proofs (RFC 9449, OAuth 2.0
// Demonstrating Proof of Possession): short JWTs, signed with a key the
// client holds, that bind a token request or a resource request to that
// key. The engine uses Key.Proof on token, refresh, device, pushed
// authorization and resource requests; the playground and the tests use
// Verify the way an authorization or resource server does.
//
// Only ES256 keys (EC P-256) are made and used for signing: they are small,
// fast, and accepted by every provider that speaks DPoP. Verify accepts the
// asymmetric algorithms RFC 9449 allows.
package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Header names and values of RFC 9449.
const (
	// HeaderName carries a proof on a request.
	HeaderName = "DPoP"
	// NonceHeader carries a server-supplied nonce on a response (§8, §9).
	NonceHeader = "DPoP-Nonce"
	// ProofType is the typ header of a proof.
	ProofType = "dpop+jwt"
	// TokenType is the token_type of a DPoP-bound access token, and the
	// Authorization scheme it is sent with.
	TokenType = "DPoP"
	// ErrUseNonce is the error code of a server that wants a (fresh) nonce.
	ErrUseNonce = "use_dpop_nonce"
	// ErrInvalidProof is the error code of a proof the server refused.
	ErrInvalidProof = "invalid_dpop_proof"
)

// Key is a DPoP key pair: an EC P-256 private key with its public JWK and
// RFC 7638 thumbprint (the jkt that bound tokens carry in cnf). A Key is
// safe for concurrent use. It never prints its private half.
type Key struct {
	priv *ecdsa.PrivateKey
	jwk  jose.JSONWebKey
	jkt  string
	// header is the base64url protected header, the same for every proof.
	header string
}

// GenerateKey makes a fresh ES256 key and returns it with its PKCS#8 PEM
// form, which is what the vault keeps.
func GenerateKey() (*Key, string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", err
	}
	k, err := NewKey(priv)
	if err != nil {
		return nil, "", err
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// ParseKey reads a PEM EC P-256 private key (PKCS#8 or SEC 1).
func ParseKey(pemText string) (*Key, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("the DPoP key is not PEM")
	}
	var priv *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the DPoP key does not parse: %v", err)
		}
		priv = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the DPoP key does not parse: %v", err)
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("the DPoP key is a %T; DPoP proofs are signed with ES256, which needs an EC P-256 key", k)
		}
		priv = ec
	default:
		return nil, fmt.Errorf("the DPoP key is a %q PEM block, not a private key", block.Type)
	}
	return NewKey(priv)
}

// NewKey wraps an EC P-256 private key.
func NewKey(priv *ecdsa.PrivateKey) (*Key, error) {
	if priv == nil || priv.Curve != elliptic.P256() {
		return nil, errors.New("DPoP proofs are signed with ES256, which needs an EC P-256 key")
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(jose.ES256)}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	jwkJSON, err := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey})
	if err != nil {
		return nil, err
	}
	hdr, err := json.Marshal(struct {
		Typ string          `json:"typ"`
		Alg string          `json:"alg"`
		JWK json.RawMessage `json:"jwk"`
	}{ProofType, string(jose.ES256), jwkJSON})
	if err != nil {
		return nil, err
	}
	return &Key{priv: priv, jwk: pub, jkt: base64.RawURLEncoding.EncodeToString(tp), header: base64.RawURLEncoding.EncodeToString(hdr)}, nil
}

// Thumbprint is the key's RFC 7638 SHA-256 thumbprint, base64url: the jkt
// of RFC 9449 §6.1 that a bound token names in cnf.
func (k *Key) Thumbprint() string { return k.jkt }

// PublicJWK returns the public half as a JWK.
func (k *Key) PublicJWK() jose.JSONWebKey { return k.jwk }

// String names the key by its thumbprint only.
func (k *Key) String() string { return "DPoP key " + k.jkt }

// ProofOptions are the optional parts of a proof.
type ProofOptions struct {
	// AccessToken, when set, adds ath (its SHA-256, base64url): required on
	// resource requests with a DPoP-bound token (§4.2, §7).
	AccessToken string
	// Nonce is the server's latest DPoP-Nonce, when it gave one (§8, §9).
	Nonce string
	// Now is the proof's iat; zero means time.Now.
	Now time.Time
}

// claims are a proof's payload, in the order RFC 9449 §4.2 lists them.
type claims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// Proof makes a proof for one request: method and target URI (its query
// and fragment are left out, §4.2), a fresh jti, iat, and ath and nonce
// when given. The public key travels in the jwk header; the private key
// never leaves the process.
func (k *Key) Proof(method, uri string, o ProofOptions) (string, error) {
	htu, err := HTU(uri)
	if err != nil {
		return "", err
	}
	if method == "" {
		return "", errors.New("a DPoP proof needs the request's method")
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	c := claims{JTI: base64.RawURLEncoding.EncodeToString(jti[:]), HTM: method, HTU: htu, IAT: now.Unix(), Nonce: o.Nonce}
	if o.AccessToken != "" {
		c.ATH = AccessTokenHash(o.AccessToken)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	// A proof goes with every request, so it is signed here directly (JWS
	// ES256, RFC 7515 §5.1 and RFC 7518 §3.4: the fixed header, then the
	// signature as R||S, 32 bytes each) rather than through go-jose, whose
	// signer rebuilds the header and its JWK for each proof at four times
	// the cost. Verify, and the tests, check these proofs with go-jose.
	b := make([]byte, 0, len(k.header)+1+base64.RawURLEncoding.EncodedLen(len(payload))+1+86)
	b = append(b, k.header...)
	b = append(b, '.')
	b = base64.RawURLEncoding.AppendEncode(b, payload)
	digest := sha256.Sum256(b)
	r, s, err := ecdsa.Sign(rand.Reader, k.priv, digest[:])
	if err != nil {
		return "", err
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	b = append(b, '.')
	b = base64.RawURLEncoding.AppendEncode(b, sig[:])
	return string(b), nil
}

// AccessTokenHash is the ath of a proof for token: base64url(SHA-256(token)).
func AccessTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// HTU is the htu of a request to uri: scheme, host and path without query
// and fragment, with the scheme and host lower-cased and a default port
// dropped (RFC 3986 §6.2.2, §6.2.3), so that client and server agree.
func HTU(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("the request URL does not parse: %v", err)
	}
	if !u.IsAbs() || u.Hostname() == "" || u.Opaque != "" {
		return "", fmt.Errorf("the request URL %q is not an absolute http(s) URL", clip(uri))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("the request URL %q is not an http(s) URL", clip(uri))
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	path := normalizePath(u.EscapedPath())
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// normalizePath upper-cases percent-encodings and decodes the ones of
// unreserved characters (RFC 3986 §6.2.2.1, §6.2.2.2).
func normalizePath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			v, _ := strconv.ParseUint(p[i+1:i+3], 16, 8)
			c := byte(v)
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteString("%" + strings.ToUpper(p[i+1:i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
