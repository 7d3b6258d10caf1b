package oauth1provider

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authdeck/authdeck/oauth/oauth1"
)

// problem is a failure to report with the OAuth Problem Reporting extension.
type problem struct {
	status  int
	code    string
	advice  string
	details []oauth1.Param
}

func (p *problem) Error() string { return p.code + ": " + p.advice }

func rejected(code, format string, args ...any) *problem {
	return &problem{status: http.StatusUnauthorized, code: code, advice: fmt.Sprintf(format, args...)}
}

func badRequest(code, format string, args ...any) *problem {
	return &problem{status: http.StatusBadRequest, code: code, advice: fmt.Sprintf(format, args...)}
}

// tokenKind says which credentials a request must be signed with.
type tokenKind int

const (
	// noToken: the temporary-credentials request, signed with the client credentials only.
	noToken tokenKind = iota
	// tempTok: the token request, signed with authorized temporary credentials.
	tempTok
	// accessTok: a protected resource request, signed with token credentials.
	accessTok
)

// verified is a request whose signature checked out.
type verified struct {
	in       *oauth1.Incoming
	consumer *Consumer
	temp     *tempToken
	tempKey  string
	access   *accessToken
}

// maxRequestBody bounds what the provider reads of a request body.
const maxRequestBody = 1 << 20

// verify checks a signed request (§3.2): its parameters, consumer, signature
// method, timestamp, token, signature and, last, the nonce, which is only
// remembered for requests that are otherwise valid.
func (s *Server) verify(w http.ResponseWriter, r *http.Request, kind tokenKind) (*verified, *problem) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	in, p := parseSigned(r)
	if p != nil {
		return nil, p
	}
	cc, ok := s.st.consumer(in.Get("oauth_consumer_key"))
	if !ok {
		return nil, rejected("consumer_key_unknown", "no consumer has this key")
	}
	method := in.Get("oauth_signature_method")
	if p := checkSignatureMethod(method, cc); p != nil {
		return nil, p
	}
	now := s.cfg.Now()
	tsRaw, nonce := in.Get("oauth_timestamp"), in.Get("oauth_nonce")
	var ts time.Time
	// PLAINTEXT may leave both out (§3.1); every other method needs them.
	if method != oauth1.Plaintext || tsRaw != "" || nonce != "" {
		if ts, p = s.checkTimestamp(tsRaw, nonce, now); p != nil {
			return nil, p
		}
	}
	v := &verified{in: in, consumer: &cc}
	token := in.Get("oauth_token")
	tokenSecret, p := s.st.checkToken(v, kind, token, now)
	if p != nil {
		return nil, p
	}
	if err := in.Verify(cc.Secret, tokenSecret, cc.PublicKey); err != nil {
		if errors.Is(err, oauth1.ErrBadSignature) {
			return nil, rejected("signature_invalid", "the signature does not match the request")
		}
		return nil, badRequest("signature_method_rejected", "%v", err)
	}
	if nonce != "" && s.st.seenNonce(cc.Key, token, tsRaw, nonce, ts) {
		return nil, rejected("nonce_used", "this nonce was already used with this timestamp")
	}
	return v, nil
}

// parseSigned reads the OAuth parameters of r and refuses a protocol version
// other than 1.0.
func parseSigned(r *http.Request) (*oauth1.Incoming, *problem) {
	in, err := oauth1.ParseRequest(r, "http")
	if err != nil {
		var oe *oauth1.Error
		if errors.As(err, &oe) && oe.Problem != "" {
			return nil, badRequest(oe.Problem, "%s", oe.Reason)
		}
		return nil, badRequest("parameter_rejected", "%v", err)
	}
	if v, ok := in.Protocol["oauth_version"]; ok && v != "1.0" {
		p := badRequest("version_rejected", "oauth_version %q is not supported", v)
		p.details = []oauth1.Param{{Name: "oauth_acceptable_versions", Value: "1.0-1.0"}}
		return nil, p
	}
	return in, nil
}

// checkSignatureMethod refuses a method the consumer has no credential for.
func checkSignatureMethod(method string, cc Consumer) *problem {
	switch method {
	case oauth1.HMACSHA1, oauth1.HMACSHA256, oauth1.Plaintext:
		if cc.Secret == "" {
			return badRequest("signature_method_rejected", "this consumer has no secret; sign with RSA-SHA1 or RSA-SHA256")
		}
	case oauth1.RSASHA1, oauth1.RSASHA256:
		if cc.PublicKey == nil {
			return badRequest("signature_method_rejected", "this consumer has no registered RSA public key")
		}
	default:
		return badRequest("signature_method_rejected", "supported: HMAC-SHA1, HMAC-SHA256, RSA-SHA1, RSA-SHA256, PLAINTEXT")
	}
	return nil
}

// checkTimestamp requires a timestamp and a nonce and the timestamp within
// the server's window of now.
func (s *Server) checkTimestamp(tsRaw, nonce string, now time.Time) (time.Time, *problem) {
	var absent []string
	if tsRaw == "" {
		absent = append(absent, "oauth_timestamp")
	}
	if nonce == "" {
		absent = append(absent, "oauth_nonce")
	}
	if len(absent) > 0 {
		p := badRequest("parameter_absent", "the request lacks %s", strings.Join(absent, " and "))
		p.details = []oauth1.Param{{Name: "oauth_parameters_absent", Value: strings.Join(absent, "&")}}
		return time.Time{}, p
	}
	sec, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, badRequest("parameter_rejected", "oauth_timestamp is not a number of seconds")
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > s.cfg.TimestampWindow || -d > s.cfg.TimestampWindow {
		p := rejected("timestamp_refused", "the timestamp is %s from the server's clock; the window is %s", d.Round(time.Second).Abs(), s.cfg.TimestampWindow)
		p.details = []oauth1.Param{{
			Name:  "oauth_acceptable_timestamps",
			Value: fmt.Sprintf("%d-%d", now.Add(-s.cfg.TimestampWindow).Unix(), now.Add(s.cfg.TimestampWindow).Unix()),
		}}
		return time.Time{}, p
	}
	return ts, nil
}

// consumer returns a copy of the consumer registered under key.
func (st *state) consumer(key string) (Consumer, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.consumers[key]
	if !ok {
		return Consumer{}, false
	}
	return *c, true
}

// checkToken checks the token a request of this kind must (or must not) be
// signed with, records it in v and returns its secret.
func (st *state) checkToken(v *verified, kind tokenKind, token string, now time.Time) (string, *problem) {
	switch kind {
	case noToken:
		if token != "" {
			return "", badRequest("parameter_rejected", "the temporary-credentials request is signed with the client credentials only; oauth_token must be empty")
		}
	case tempTok:
		if token == "" {
			p := badRequest("parameter_absent", "the request lacks oauth_token")
			p.details = []oauth1.Param{{Name: "oauth_parameters_absent", Value: "oauth_token"}}
			return "", p
		}
		st.mu.Lock()
		t, ok := st.temps[token]
		var tc tempToken
		if ok {
			tc = *t
		}
		st.mu.Unlock()
		switch {
		case !ok || tc.consumer != v.consumer.Key:
			return "", rejected("token_rejected", "unknown temporary credentials")
		case tc.used:
			return "", rejected("token_used", "these temporary credentials were already exchanged")
		case now.After(tc.expires):
			return "", rejected("token_expired", "the temporary credentials expired")
		}
		v.temp, v.tempKey = &tc, token
		return tc.secret, nil
	case accessTok:
		st.mu.Lock()
		t, ok := st.tokens[token]
		var tc accessToken
		if ok {
			tc = *t
		}
		st.mu.Unlock()
		if token == "" || !ok || tc.consumer != v.consumer.Key {
			return "", rejected("token_rejected", "unknown token credentials")
		}
		v.access = &tc
		return tc.secret, nil
	}
	return "", nil
}
