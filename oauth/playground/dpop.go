package playground

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authdeck/authdeck/oauth/dpop"
)

// DPoP (RFC 9449) is not implemented by zitadel's op beyond a few types, so
// the playground checks proofs in front of op's token endpoint, hands the
// proof key's thumbprint to storage through the request context (storage
// binds the tokens it creates to it and puts it in the access token's
// cnf.jkt), and turns op's token_type "Bearer" into "DPoP" for bound tokens.
// The demo API checks the proofs that come with DPoP-bound tokens.

// Proof age limits (RFC 9449 §11.1).
const (
	proofMaxAge = 2 * time.Minute
	proofLeeway = 30 * time.Second
)

// dpopAlgs is dpop_signing_alg_values_supported.
var dpopAlgs = []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"}

type proofKey struct{}

// withProofKey records the thumbprint of a verified proof's key.
func withProofKey(ctx context.Context, jkt string) context.Context {
	return context.WithValue(ctx, proofKey{}, jkt)
}

// proofKeyFrom is the thumbprint of the request's verified proof, or "".
func proofKeyFrom(ctx context.Context) string {
	s, _ := ctx.Value(proofKey{}).(string)
	return s
}

// dpopChecker verifies proofs for one endpoint: method, URL, server nonces
// when asked for, and jti replay. A failed proof does not spend its jti.
type dpopChecker struct {
	url    string
	nonces *dpop.Nonces // nil: no nonce required
	replay *dpop.ReplayCache
}

func (c *dpopChecker) check(proof, method, accessToken, jkt string) (*dpop.Proof, *dpop.Error) {
	return c.checkAt(c.url, proof, method, accessToken, jkt)
}

// checkAt is check for a request to target.
func (c *dpopChecker) checkAt(target, proof, method, accessToken, jkt string) (*dpop.Proof, *dpop.Error) {
	now := time.Now()
	x := dpop.Expect{Method: method, URL: target, AccessToken: accessToken, JKT: jkt, Now: now, MaxAge: proofMaxAge, Leeway: proofLeeway}
	if c.nonces != nil {
		x.NonceValid = c.nonces.Valid
	}
	p, err := dpop.Verify(proof, x)
	if err != nil {
		var de *dpop.Error
		if !errors.As(err, &de) {
			de = &dpop.Error{Code: dpop.ErrInvalidProof, Reason: err.Error()}
		}
		return nil, de
	}
	if !c.replay.Use(p, p.IssuedAt.Add(proofMaxAge+proofLeeway), now) {
		return nil, &dpop.Error{Code: dpop.ErrInvalidProof, Reason: "DPoP proof: its jti was already used (a replayed proof)"}
	}
	return p, nil
}

// nonce is the DPoP-Nonce to send, or "".
func (c *dpopChecker) nonce() string {
	if c.nonces == nil {
		return ""
	}
	return c.nonces.Current()
}

// dpopFront checks DPoP proofs on token requests before op sees them.
type dpopFront struct {
	st        *storage
	tokenPath string
	checker   *dpopChecker
	next      http.Handler
}

func (d *dpopFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != d.tokenPath || r.Method != http.MethodPost {
		d.next.ServeHTTP(w, r)
		return
	}
	proofs := r.Header.Values(dpop.HeaderName)
	if n := d.checker.nonce(); n != "" {
		w.Header().Set(dpop.NonceHeader, n)
	}
	if len(proofs) > 1 {
		tokenError(w, dpop.ErrInvalidProof, "more than one DPoP header")
		return
	}
	if len(proofs) == 0 {
		// ParseForm is idempotent: op still sees the form afterwards.
		_ = r.ParseForm()
		if c := d.st.client(clientIDOf(r)); c != nil && c.info.DPoPBound {
			tokenError(w, dpop.ErrInvalidProof, "client "+c.info.ClientID+" must send a DPoP proof with every token request (dpop_bound_access_tokens)")
			return
		}
		d.next.ServeHTTP(w, r)
		return
	}
	p, derr := d.checker.check(proofs[0], http.MethodPost, "", "")
	if derr != nil {
		tokenError(w, derr.Code, derr.Reason)
		return
	}
	bw := &bufferedWriter{header: http.Header{}}
	d.next.ServeHTTP(bw, r.WithContext(withProofKey(r.Context(), p.JKT)))
	body := bw.body.Bytes()
	if bw.status == 0 || bw.status == http.StatusOK {
		body = dpopTokenType(body)
	}
	for k, vs := range bw.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	w.WriteHeader(bw.status)
	_, _ = w.Write(body)
}

// dpopTokenType makes a token response's token_type "DPoP" (RFC 9449 §5.1).
func dpopTokenType(body []byte) []byte {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return body
	}
	if _, ok := m["access_token"]; !ok {
		return body
	}
	var tt string
	if err := json.Unmarshal(m["token_type"], &tt); err != nil || !strings.EqualFold(tt, oidc.BearerToken) {
		return body
	}
	m["token_type"] = json.RawMessage(`"` + dpop.TokenType + `"`)
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// clientIDOf names the client of a token request without authenticating it:
// basic user, client_id, or the iss of a client assertion.
func clientIDOf(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		return id
	}
	if id := r.PostForm.Get("client_id"); id != "" {
		return id
	}
	if a := r.PostForm.Get("client_assertion"); a != "" {
		if parts := strings.Split(a, "."); len(parts) == 3 {
			var c struct {
				Issuer string `json:"iss"`
			}
			if b, err := decodeSegment(parts[1]); err == nil && json.Unmarshal(b, &c) == nil {
				return c.Issuer
			}
		}
	}
	return ""
}

// tokenError writes an RFC 6749 §5.2 error answer with status 400.
func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, apiError{Error: code, Description: desc})
}

// bufferedWriter holds op's answer so it can be adjusted before it is sent.
type bufferedWriter struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// decodeSegment decodes a base64url JWT segment.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
