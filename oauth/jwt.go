package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// JWT is a decoded (not verified) JSON Web Token, for display.
type JWT struct {
	// Header and Claims are the decoded JSON objects.
	Header map[string]any
	Claims map[string]any
	// Alg and KeyID come from the header.
	Alg   string
	KeyID string
	// Issuer, Subject and Audience come from the claims.
	Issuer   string
	Subject  string
	Audience []string
	// Expiry, IssuedAt and NotBefore are nil when the claim is absent.
	Expiry    *time.Time
	IssuedAt  *time.Time
	NotBefore *time.Time
	// Scopes are the scope / scp claim split into names.
	Scopes []string
}

// maxJWTBytes bounds what DecodeJWT accepts.
const maxJWTBytes = 64 << 10

// DecodeJWT decodes a compact JWS without verifying it. Encrypted tokens
// (five parts) and opaque tokens are errors that say so; errors name the
// part that is broken.
func DecodeJWT(token string) (*JWT, error) {
	token = strings.TrimSpace(token)
	if len(token) > maxJWTBytes {
		return nil, fmt.Errorf("token is longer than %d bytes", maxJWTBytes)
	}
	parts := strings.Split(token, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, errors.New("the token is an encrypted JWT (JWE); it cannot be decoded without the key")
	default:
		return nil, fmt.Errorf("not a JWT: expected 3 dot-separated parts, found %d (the token may be opaque)", len(parts))
	}
	j := &JWT{}
	var err error
	if j.Header, err = decodePart(parts[0], "header"); err != nil {
		return nil, err
	}
	if j.Claims, err = decodePart(parts[1], "claims"); err != nil {
		return nil, err
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("signature: not base64url: %v", err)
	}
	j.Alg, _ = j.Header["alg"].(string)
	j.KeyID, _ = j.Header["kid"].(string)
	j.Issuer, _ = j.Claims["iss"].(string)
	j.Subject, _ = j.Claims["sub"].(string)
	switch a := j.Claims["aud"].(type) {
	case string:
		j.Audience = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				j.Audience = append(j.Audience, s)
			}
		}
	}
	j.Expiry = numericDate(j.Claims["exp"])
	j.IssuedAt = numericDate(j.Claims["iat"])
	j.NotBefore = numericDate(j.Claims["nbf"])
	switch s := j.Claims["scope"].(type) {
	case string:
		j.Scopes = strings.Fields(s)
	}
	if len(j.Scopes) == 0 {
		switch s := j.Claims["scp"].(type) {
		case string:
			j.Scopes = strings.Fields(s)
		case []any:
			for _, x := range s {
				if v, ok := x.(string); ok {
					j.Scopes = append(j.Scopes, v)
				}
			}
		}
	}
	return j, nil
}

func decodePart(p, name string) (map[string]any, error) {
	// Some issuers pad; RFC 7515 says they must not, but decoding is for display.
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
	if err != nil {
		return nil, fmt.Errorf("%s: not base64url: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object (%s)", name, jsonErrorAt(b, err))
	}
	if m == nil {
		return nil, fmt.Errorf("%s: not a JSON object", name)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the JSON object", name)
	}
	return m, nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) *time.Time {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return nil
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &t
}

// TimeClaim is a time-valued claim in human-readable form.
type TimeClaim struct {
	Name string
	Time time.Time
	// Human is "2026-11-24 10:00:00 UTC (in 59m)".
	Human string
}

// Times returns the exp, iat, nbf and auth_time claims, human-readable
// relative to now.
func (j *JWT) Times(now time.Time) []TimeClaim {
	var out []TimeClaim
	for _, name := range []string{"exp", "iat", "nbf", "auth_time"} {
		if t := numericDate(j.Claims[name]); t != nil {
			out = append(out, TimeClaim{Name: name, Time: *t, Human: HumanTime(*t, now)})
		}
	}
	return out
}

// HumanTime renders t in UTC with its distance from now ("in 5m", "3h ago").
func HumanTime(t, now time.Time) string {
	d := t.Sub(now)
	rel := "now"
	switch {
	case d > time.Second:
		rel = "in " + shortDuration(d)
	case d < -time.Second:
		rel = shortDuration(-d) + " ago"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC") + " (" + rel + ")"
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// ClaimNames returns the claim names in sorted order, for stable display.
func (j *JWT) ClaimNames() []string {
	names := make([]string, 0, len(j.Claims))
	for k := range j.Claims {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// VerifyStatus is the outcome of a signature check.
type VerifyStatus int

// Signature check outcomes.
const (
	// NotVerified means no key set was available to check against.
	NotVerified VerifyStatus = iota
	// Verified means the signature matches a key of the issuer's JWKS.
	Verified
	// VerifyFailed means the signature does not verify, or the token is malformed.
	VerifyFailed
)

// String returns "verified", "not verified" or "failed".
func (s VerifyStatus) String() string {
	switch s {
	case Verified:
		return "verified"
	case VerifyFailed:
		return "failed"
	case NotVerified:
		// not verified, below
	}
	return "not verified"
}

// Verification is the result of VerifyJWT.
type Verification struct {
	Status VerifyStatus
	// Reason explains the status in a few words.
	Reason string
	// KeyID is the key that verified the signature.
	KeyID string
}

// VerifyOptions say where the keys come from.
type VerifyOptions struct {
	// JWKSURL is the key set; when empty, Issuer's discovery supplies jwks_uri.
	JWKSURL string
	// Issuer is used for discovery when JWKSURL is empty.
	Issuer string
}

// allowedAlgs are the signature algorithms accepted when verifying ("none" never is).
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

type jwksEntry struct {
	set *jose.JSONWebKeySet
	at  time.Time
}

// VerifyJWT checks token's signature against the issuer's JWKS and says
// verified, not verified (no key set) or failed. It does not judge expiry or
// audience; the decoded times are shown next to it.
func (e *Engine) VerifyJWT(ctx context.Context, token string, o VerifyOptions) Verification {
	e.init()
	f := e.bareFlow(nil)
	jwksURL := o.JWKSURL
	if jwksURL == "" && o.Issuer != "" {
		md, err := f.discover(ctx, o.Issuer)
		if err != nil {
			return Verification{Status: NotVerified, Reason: "no key set: " + err.Error()}
		}
		jwksURL = md.JWKSURI
	}
	if jwksURL == "" {
		return Verification{Status: NotVerified, Reason: "no JWKS URL is known for this issuer"}
	}
	return f.verifySignature(ctx, token, jwksURL)
}

// verifySignature checks token's signature against the key set at jwksURL,
// re-reading the set once when it lacks the token's key id (rotation).
func (f *flow) verifySignature(ctx context.Context, token, jwksURL string) Verification {
	e := f.e
	sig, err := jose.ParseSignedCompact(strings.TrimSpace(token), allowedAlgs)
	if err != nil {
		return Verification{Status: VerifyFailed, Reason: "not a signed JWT with an accepted algorithm: " + sanitize(err.Error(), 160)}
	}
	set, err := f.keySet(ctx, jwksURL)
	if err != nil {
		return Verification{Status: NotVerified, Reason: "the key set could not be read: " + err.Error()}
	}
	kid := ""
	if len(sig.Signatures) > 0 {
		kid = sig.Signatures[0].Header.KeyID
	}
	keys := set.Keys
	if kid != "" {
		keys = set.Key(kid)
		if len(keys) == 0 {
			// The issuer may have rotated keys since the set was cached.
			e.mu.Lock()
			delete(e.jwks, jwksURL)
			e.mu.Unlock()
			if set, err = f.keySet(ctx, jwksURL); err == nil {
				keys = set.Key(kid)
			}
		}
		if len(keys) == 0 {
			return Verification{Status: VerifyFailed, Reason: fmt.Sprintf("the issuer's key set has no key %q", sanitize(kid, 80))}
		}
	}
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if _, err := sig.Verify(k.Key); err == nil {
			return Verification{Status: Verified, Reason: "signature matches the issuer's key", KeyID: k.KeyID}
		}
	}
	return Verification{Status: VerifyFailed, Reason: "the signature does not match the issuer's keys"}
}

// keySet fetches (and caches for a while) a JWKS.
func (f *flow) keySet(ctx context.Context, jwksURL string) (*jose.JSONWebKeySet, error) {
	e := f.e
	e.mu.Lock()
	if c, ok := e.jwks[jwksURL]; ok && e.now().Sub(c.at) < discoveryTTL {
		e.mu.Unlock()
		return c.set, nil
	}
	e.mu.Unlock()
	resp, err := f.do(ctx, call{step: "jwks", method: "GET", url: jwksURL})
	if err != nil {
		return nil, err
	}
	if resp.status != 200 {
		return nil, statusError("jwks", resp.status, resp.contentType)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(resp.body, &set); err != nil {
		return nil, fmt.Errorf("the key set is not a JWKS: %s", sanitize(err.Error(), 120))
	}
	e.mu.Lock()
	e.jwks[jwksURL] = &jwksEntry{set: &set, at: e.now()}
	e.mu.Unlock()
	return &set, nil
}
