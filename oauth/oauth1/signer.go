package oauth1

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// MaxFormBody bounds a form body read for signing; its parameters are part
// of the signature, so it must be read whole.
const MaxFormBody = 10 << 20

// formType is the only body type whose parameters are signed (§3.4.1.3.1).
const formType = "application/x-www-form-urlencoded"

// Signer signs requests with one set of client credentials and, once the
// flow has them, token credentials. The zero values of the optional fields
// have sensible defaults. A Signer is safe for concurrent use when its
// fields are not changed while it signs.
type Signer struct {
	// ConsumerKey is the client identifier (oauth_consumer_key).
	ConsumerKey string
	// ConsumerSecret is the client shared secret (HMAC and PLAINTEXT).
	ConsumerSecret string
	// Token is the temporary or token credentials identifier; empty for the
	// temporary-credentials request.
	Token string
	// TokenSecret is the shared secret that goes with Token.
	TokenSecret string
	// Method is the signature method, one of Methods.
	Method string
	// PrivateKey signs RSA-SHA1 and RSA-SHA256 requests; it must be an RSA key.
	PrivateKey crypto.Signer
	// Placement is where the protocol parameters go: the Authorization
	// header (default), the query, or a form body (§3.5).
	Placement vault.Placement
	// Realm, when set, is sent as the header's realm (never signed).
	Realm string
	// Callback, when set, is sent as oauth_callback (temporary credentials).
	Callback string
	// Verifier, when set, is sent as oauth_verifier (token credentials).
	Verifier string
	// BodyHash adds oauth_body_hash (the OAuth Request Body Hash
	// extension) to a request whose body is not a form: the base64 hash of
	// the body bytes (none: of no bytes), SHA-256 for the *-SHA256 methods
	// and SHA-1 for the others, so the signature covers the body. A form
	// body's parameters are signed themselves and get none.
	BodyHash bool
	// OmitVersion leaves oauth_version=1.0 out; the parameter is optional
	// (§3.1) and a few servers refuse it.
	OmitVersion bool
	// Now returns the current time for oauth_timestamp; nil means time.Now.
	Now func() time.Time
	// Nonce returns a fresh oauth_nonce; nil means 128 random bits (base64url).
	Nonce func() string
}

// Signed describes a request after signing, for display and tests.
type Signed struct {
	// BaseString is the signature base string that was signed.
	BaseString string
	// Protocol lists the oauth_* parameters sent, oauth_signature last.
	Protocol []Param
}

// NewNonce returns 128 random bits as unpadded base64url: unreserved
// characters only, so it needs no encoding.
func NewNonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("oauth1: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Sign adds the OAuth protocol parameters and the signature to req. A form
// body is read to sign its parameters and put back, so req can be sent as
// it is. Errors say what in the request or the signer is unusable; req is
// unchanged when Sign fails.
func (s *Signer) Sign(req *http.Request) error {
	_, err := s.SignRequest(req)
	return err
}

// SignRequest is Sign that also returns the base string and the protocol
// parameters, so a caller can show what was signed.
func (s *Signer) SignRequest(req *http.Request) (*Signed, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("oauth1: no request to sign")
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	placement, err := s.placement()
	if err != nil {
		return nil, err
	}
	u := *req.URL
	if req.Host != "" {
		// The server sees the Host header, so that is what it signs.
		u.Host = req.Host
	}
	query, err := ParseForm(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("oauth1: request URL query: %w", err)
	}
	if p, ok := firstProtocol(query); ok {
		return nil, fmt.Errorf("oauth1: the request URL already carries the protocol parameter %s; the signer adds those", clip(p, 40))
	}
	body, bodyParams, err := formBody(req, placement)
	if err != nil {
		return nil, err
	}
	proto := s.protocolParams()
	if s.BodyHash && placement != vault.PlaceBody && !isFormType(req.Header.Get("Content-Type")) {
		h, err := hashBody(req, s.Method)
		if err != nil {
			return nil, err
		}
		proto = append(proto, Param{Name: "oauth_body_hash", Value: h})
	}
	signedParams := make([]Param, 0, len(proto)+len(bodyParams))
	signedParams = append(signedParams, proto...)
	signedParams = append(signedParams, bodyParams...)
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	// The query is part of u, so baseString adds it.
	base, err := baseString(method, &u, signedParams)
	if err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	sig, err := Signature(s.Method, base, s.ConsumerSecret, s.TokenSecret, s.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	proto = append(proto, Param{Name: "oauth_signature", Value: sig})

	if err := placeProtocol(req, placement, s.Realm, proto, body); err != nil {
		return nil, err
	}
	return &Signed{BaseString: base, Protocol: proto}, nil
}

// placement is where the signer puts the protocol parameters, the header
// when it names none.
func (s *Signer) placement() (vault.Placement, error) {
	switch s.Placement {
	case "":
		return vault.PlaceHeader, nil
	case vault.PlaceHeader, vault.PlaceQuery, vault.PlaceBody:
		return s.Placement, nil
	}
	return "", fmt.Errorf("oauth1: placement %q is not header, query or body", clip(string(s.Placement), 40))
}

// formBody reads req's form body (put back) and its parameters, which are
// signed; it refuses one that already carries protocol parameters, and a
// body placement where the request has or cannot have a form body.
func formBody(req *http.Request, placement vault.Placement) ([]byte, []Param, error) {
	body, isForm, otherBody, err := readForm(req)
	if err != nil {
		return nil, nil, err
	}
	if isForm {
		ps, err := ParseForm(string(body))
		if err != nil {
			return nil, nil, fmt.Errorf("oauth1: form body: %w", err)
		}
		if p, ok := firstProtocol(ps); ok {
			return nil, nil, fmt.Errorf("oauth1: the form body already carries the protocol parameter %s; the signer adds those", clip(p, 40))
		}
		return body, ps, nil
	}
	if placement != vault.PlaceBody {
		return body, nil, nil
	}
	if otherBody || req.Header.Get("Content-Type") != "" {
		return nil, nil, errors.New("oauth1: body placement needs an application/x-www-form-urlencoded body (or none); put the parameters in the header or the query instead")
	}
	switch req.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return body, nil, nil
	}
	return nil, nil, fmt.Errorf("oauth1: body placement needs a method with a body (POST, PUT, PATCH), not %s", req.Method)
}

// placeProtocol puts the signed protocol parameters in req: an
// Authorization header, the query or the end of the form body.
func placeProtocol(req *http.Request, placement vault.Placement, realm string, proto []Param, body []byte) error {
	switch placement {
	case vault.PlaceHeader:
		h, err := AuthorizationHeader(realm, proto)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", h)
	case vault.PlaceQuery:
		if req.URL.RawQuery != "" {
			req.URL.RawQuery += "&" + formEncode(proto)
		} else {
			req.URL.RawQuery = formEncode(proto)
		}
	case vault.PlaceBody:
		nb := append([]byte(nil), body...)
		if len(nb) > 0 {
			nb = append(nb, '&')
		}
		nb = append(nb, formEncode(proto)...)
		req.Header.Set("Content-Type", formType)
		setBody(req, nb)
	}
	return nil
}

// check reports what is missing from the signer before anything is read.
func (s *Signer) check() error {
	if s.ConsumerKey == "" {
		return errors.New("oauth1: no consumer key (the auth client's client id)")
	}
	if err := checkMethod(s.Method); err != nil {
		return fmt.Errorf("oauth1: %w", err)
	}
	if IsRSA(s.Method) {
		if s.PrivateKey == nil {
			return fmt.Errorf("oauth1: %s needs the client's RSA private key", s.Method)
		}
		if _, ok := s.PrivateKey.Public().(*rsa.PublicKey); !ok {
			return fmt.Errorf("oauth1: %s needs an RSA private key, not another kind", s.Method)
		}
	}
	if s.Token == "" && s.TokenSecret != "" {
		return errors.New("oauth1: a token secret without its token")
	}
	return nil
}

// protocolParams returns the oauth_* parameters except the signature.
func (s *Signer) protocolParams() []Param {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	nonce := NewNonce
	if s.Nonce != nil {
		nonce = s.Nonce
	}
	ps := []Param{{Name: "oauth_consumer_key", Value: s.ConsumerKey}}
	if s.Token != "" {
		ps = append(ps, Param{Name: "oauth_token", Value: s.Token})
	}
	ps = append(ps,
		Param{Name: "oauth_signature_method", Value: s.Method},
		Param{Name: "oauth_timestamp", Value: strconv.FormatInt(now().Unix(), 10)},
		Param{Name: "oauth_nonce", Value: nonce()},
	)
	if !s.OmitVersion {
		ps = append(ps, Param{Name: "oauth_version", Value: "1.0"})
	}
	if s.Callback != "" {
		ps = append(ps, Param{Name: "oauth_callback", Value: s.Callback})
	}
	if s.Verifier != "" {
		ps = append(ps, Param{Name: "oauth_verifier", Value: s.Verifier})
	}
	return ps
}

// AuthorizationHeader formats protocol parameters as an "OAuth" Authorization
// header value (§3.5.1): realm first when set, then name="value" pairs with
// names and values percent-encoded.
func AuthorizationHeader(realm string, proto []Param) (string, error) {
	var b strings.Builder
	b.WriteString("OAuth ")
	first := true
	if realm != "" {
		for i := 0; i < len(realm); i++ {
			if c := realm[i]; c < 0x20 || c == 0x7f {
				return "", fmt.Errorf("oauth1: the realm has a control character at byte %d", i+1)
			}
		}
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(realm)
		b.WriteString(`realm="` + r + `"`)
		first = false
	}
	for _, p := range proto {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(Encode(p.Name))
		b.WriteString(`="`)
		b.WriteString(Encode(p.Value))
		b.WriteByte('"')
	}
	return b.String(), nil
}

// firstProtocol returns the first oauth_* parameter name in ps.
func firstProtocol(ps []Param) (string, bool) {
	for _, p := range ps {
		if strings.HasPrefix(p.Name, "oauth_") {
			return p.Name, true
		}
	}
	return "", false
}

// readForm reads req's body when it is a form, which is when its parameters
// are signed; the body is put back for sending. Other bodies are not read:
// other reports that one is there.
func readForm(req *http.Request) (body []byte, isForm, other bool, err error) {
	hasBody := req.Body != nil && req.Body != http.NoBody
	if ct := req.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, false, false, fmt.Errorf("oauth1: Content-Type %q does not parse: %v", clip(ct, 80), err)
		}
		isForm = mt == formType
	}
	if !isForm || !hasBody {
		return nil, isForm, hasBody && !isForm, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, MaxFormBody+1))
	_ = req.Body.Close()
	if err == nil && len(b) > MaxFormBody {
		err = fmt.Errorf("the form body is larger than %d bytes; its parameters cannot be signed", MaxFormBody)
	}
	if err != nil {
		// Whatever was read goes back, so a failed Sign leaves a sendable request.
		setBody(req, b)
		return nil, true, false, fmt.Errorf("oauth1: reading the form body: %w", err)
	}
	setBody(req, b)
	return b, true, false, nil
}

// setBody installs b as req's body so req can be sent and, for redirects
// and retries, replayed.
func setBody(req *http.Request, b []byte) {
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.ContentLength = int64(len(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// hashBody is the oauth_body_hash of req's body (put back), hashed with
// the hash of the signature method: SHA-256 for the *-SHA256 methods,
// SHA-1 otherwise.
func hashBody(req *http.Request, method string) (string, error) {
	var b []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		b, err = io.ReadAll(io.LimitReader(req.Body, MaxFormBody+1))
		_ = req.Body.Close()
		setBody(req, b)
		if err == nil && len(b) > MaxFormBody {
			err = fmt.Errorf("the body is larger than %d bytes", MaxFormBody)
		}
		if err != nil {
			return "", fmt.Errorf("oauth1: reading the body to hash it: %w", err)
		}
	}
	var sum []byte
	if strings.HasSuffix(method, "-SHA256") {
		x := sha256.Sum256(b)
		sum = x[:]
	} else {
		x := sha1.Sum(b)
		sum = x[:]
	}
	return base64.StdEncoding.EncodeToString(sum), nil
}

// isFormType reports whether ct is application/x-www-form-urlencoded.
func isFormType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == formType
}
