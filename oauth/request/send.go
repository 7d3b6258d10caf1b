package request

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/dpop"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/history"
	"github.com/authdeck/authdeck/vault/mask"
)

// Defaults of a Sender.
const (
	// DefaultMaxBody is the largest body kept in memory; a larger one is
	// streamed to a temporary file (or discarded), never held.
	DefaultMaxBody = 50 << 20
	// DefaultMaxSpill bounds a body streamed to a temporary file.
	DefaultMaxSpill = 2 << 30
	// DefaultTimeout bounds a whole exchange, body included.
	DefaultTimeout = 60 * time.Second
	// MaxRedirects is how many redirects are followed.
	MaxRedirects = 10
)

// Sender sends requests with credentials of a vault applied. Set the fields
// before first use; a Sender is safe for concurrent use and keeps
// connections alive between requests.
type Sender struct {
	// Vault holds the environment, its variables and credentials.
	Vault *vault.Vault
	// Engine gives the tokens and signers of OAuth credentials; nil makes
	// such credentials an error. Build the Sender with it in one place
	// (package oauth/engines).
	Engine Engine
	// Callbacks show progress, an authorization URL or a device code when
	// getting a token needs the user.
	Callbacks oauth.FlowCallbacks
	// NoBrowser keeps the browser closed when getting a token needs a
	// browser sign-in; the URL is still shown.
	NoBrowser bool
	// Proxy picks a proxy per request; nil means http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// RootCAs are the trusted authorities; nil means the system's.
	RootCAs *x509.CertPool
	// MaxBody is the in-memory body limit; zero means DefaultMaxBody.
	MaxBody int64
	// MaxSpill bounds a body streamed to a temporary file; zero means DefaultMaxSpill.
	MaxSpill int64
	// SpillDir holds temporary body files; empty means os.TempDir().
	SpillDir string
	// Timeout bounds an exchange when the Spec sets none; zero means DefaultTimeout.
	Timeout time.Duration
	// Catalog returns the catalog to resolve names in; nil means Vault.Load.
	// A UI that holds a fresh snapshot passes it here to skip a reload.
	Catalog func() (*vault.Catalog, error)

	// Getenv and Dotenv are where {{$processEnv NAME}} and {{$dotenv NAME}}
	// read at send time; nil means the process environment and ./.env.
	Getenv func(name string) (string, bool)
	Dotenv func() (map[string]string, error)

	mu         sync.Mutex
	transports map[transportKey]*http.Transport
}

type transportKey struct {
	insecure bool
	cert     *tls.Certificate
}

// Redirect is one redirect that was followed (or not).
type Redirect struct {
	Status int
	// From and To are the URLs, with credential values masked.
	From, To string
	// Stripped reports that the credential was removed because To is another origin.
	Stripped bool
}

// Response is what came back. Its body is in memory (Body), in a temporary
// file (BodyFile), streamed to the caller's writer, or discarded.
type Response struct {
	Status     string
	StatusCode int
	Proto      string
	Header     http.Header
	// URL is the final URL (after redirects), with credential values masked.
	URL string
	// Request is the request as sent, masked.
	Request Prepared
	// Body is the body in memory; nil when it was streamed, spilled or empty.
	Body *Body
	// Kind is what the body holds.
	Kind Kind
	// BodyFile is the temporary file (mode 0600) holding a body over the
	// in-memory limit; remove it with Discard or keep it with SaveBody.
	BodyFile string
	// Size is the body's size after content decoding; WireSize what crossed the network.
	Size, WireSize int64
	// Encoding is the Content-Encoding that was decoded ("gzip"), if any.
	Encoding string
	// Truncated reports a body cut at MaxSpill.
	Truncated bool
	Timing    Timing
	// Challenge is the Bearer challenge of a 401 or 403, if any.
	Challenge *Challenge
	// OAuthProblem is the problem an OAuth 1.0a provider reported about a
	// signed request (signature_invalid, timestamp_refused, …), if any.
	OAuthProblem *OAuthProblem
	// Refreshed reports the token was refreshed after 401 invalid_token and
	// the request sent again (S-19).
	Refreshed bool
	// Redirects lists the redirects followed.
	Redirects []Redirect
	// Notes say what the sender did that the user should know (a redirect
	// not followed, a credential not forwarded, an encoding not decoded).
	Notes []string
	// TLS describes the connection's TLS version and cipher, if any.
	TLS string

	secrets []string
	// head is the start of a body streamed to a Sink.
	head []byte
}

// InsufficientScope reports a 403 insufficient_scope and the scope it asks for.
func (r *Response) InsufficientScope() (string, bool) {
	if r.StatusCode == http.StatusForbidden && r.Challenge != nil && r.Challenge.Error() == "insufficient_scope" {
		return r.Challenge.Scope(), true
	}
	return "", false
}

// Scrub replaces every secret value of the request (credential, secret
// variables) in s by a mask, for text that may echo them (history, logs).
func (r *Response) Scrub(s string) string { return scrub(s, r.secrets) }

func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) < 4 {
			continue
		}
		for _, form := range encodedForms(v) {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, mask.Dots)
			}
		}
	}
	return s
}

// encodedForms are the ways a secret shows up in text a server sends back
// or an error quotes: as it is, URL-encoded, JSON-escaped and base64 (an
// echoed Authorization header, a token in a JSON body). Longest first, so a
// form is replaced before a shorter one inside it (S-42).
func encodedForms(v string) []string {
	quoted, _ := json.Marshal(v)
	b := []byte(v)
	forms := []string{
		v, url.QueryEscape(v), url.PathEscape(v), string(quoted[1 : len(quoted)-1]),
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(forms)
}

// Discard removes the temporary body file, if any.
func (r *Response) Discard() error {
	if r.BodyFile == "" {
		return nil
	}
	err := os.Remove(r.BodyFile)
	r.BodyFile = ""
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// SaveBody writes the body to path (mode 0600): the in-memory body, or the
// temporary file moved (or copied) there.
func (r *Response) SaveBody(path string) error {
	switch {
	case r.Body != nil:
		return WriteNew(path, bytes.NewReader(r.Body.Bytes()))
	case r.BodyFile != "":
		if err := os.Rename(r.BodyFile, path); err == nil {
			r.BodyFile = ""
			return nil
		}
		f, err := os.Open(r.BodyFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := WriteNew(path, f); err != nil {
			return err
		}
		return r.Discard()
	}
	return errors.New("the response has no body to save")
}

// WriteNew writes r to a new file at path (mode 0600), refusing a path that
// exists; a failed copy leaves no file behind.
func WriteNew(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// SendOptions tune one Send.
type SendOptions struct {
	// Sink, when set, is called once the final response's headers are in
	// and says where its body goes: a writer to stream it to (the CLI's
	// stdout), io.Discard to drop it, or nil to keep it (in memory up to
	// MaxBody, else in a temporary file). The first bytes of a streamed body
	// (up to history.MaxBody) are kept for the history entry.
	Sink func(*Response) io.Writer
}

// Send renders spec in env, applies its credential and sends it. On `401`
// with a Bearer `invalid_token` challenge and a refreshable credential it
// refreshes the token once and sends again; a `403 insufficient_scope` is
// returned as is, with the scope asked for in Challenge (S-19). An HTTP
// error status is not a Go error: check Response.StatusCode.
func (s *Sender) Send(ctx context.Context, env string, spec Spec, opts SendOptions) (*Response, error) {
	p, err := s.plan(env, spec)
	if err != nil {
		return nil, err
	}
	b, err := s.build(ctx, p, false, true)
	if err != nil {
		return nil, err
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = s.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b.nonceOK = true
	resp, retry, err := s.exchange(ctx, b, opts, true)
	if err != nil || !retry {
		return resp, err
	}
	if b.scheme.challenge != nil {
		return s.answerDigest(ctx, b, opts)
	}
	if b.nonceRetry {
		// The resource server wants a DPoP nonce: prove the request again
		// with the nonce it gave, once.
		b.nonceOK, b.nonceRetry = false, false
		b.real = b.base.clone()
		if _, _, err := p.cred.apply(b.real, b.vals); err != nil {
			return nil, err
		}
		resp, retry, err = s.exchange(ctx, b, opts, true)
		if resp != nil {
			resp.Notes = append(resp.Notes, "the server asked for a DPoP nonce (use_dpop_nonce): the request was proved again with it and sent once more")
		}
		if err != nil || !retry {
			return resp, err
		}
	}
	// 401 invalid_token: refresh once, send once more (S-19).
	vals, err := s.fetch(ctx, env, p.cred, true)
	if err != nil {
		return nil, err
	}
	b.vals = vals
	if vals.token != "" {
		b.secrets = append(b.secrets, vals.token)
	}
	b.real = b.base.clone()
	if _, _, err := p.cred.apply(b.real, vals); err != nil {
		return nil, err
	}
	resp, _, err = s.exchange(ctx, b, opts, false)
	if resp != nil {
		resp.Refreshed = true
	}
	return resp, err
}

// exchange sends b.real once. With mayRetry, a 401 invalid_token for a
// refreshable credential returns retry = true with the body drained.
func (s *Sender) exchange(ctx context.Context, b *built, opts SendOptions, mayRetry bool) (*Response, bool, error) {
	w := b.real
	tm := newTimer()
	req, err := newHTTPRequest(ctx, w)
	if err != nil {
		return nil, false, err
	}
	req = req.WithContext(httpTraceContext(req.Context(), tm))
	resp := &Response{Request: b.prep, secrets: b.secrets}
	cert := b.vals.cert
	client := &http.Client{
		Transport:     s.transport(b.plan.spec.Insecure, cert),
		CheckRedirect: s.redirectPolicy(b, resp),
	}
	hresp, err := client.Do(req)
	if err != nil {
		if hresp != nil && hresp.Body != nil {
			hresp.Body.Close()
		}
		return nil, false, classifyTransport(w.url.Host, err)
	}
	defer hresp.Body.Close()
	resp.Status, resp.StatusCode, resp.Proto = hresp.Status, hresp.StatusCode, hresp.Proto
	resp.Header = hresp.Header
	resp.URL = scrub(maskQuery(hresp.Request.URL, b), b.secrets)
	if hresp.TLS != nil {
		resp.TLS = fmt.Sprintf("%s, %s", tls.VersionName(hresp.TLS.Version), tls.CipherSuiteName(hresp.TLS.CipherSuite))
	}
	if hresp.StatusCode == http.StatusUnauthorized || hresp.StatusCode == http.StatusForbidden {
		if c, ok := tokenChallenge(hresp.Header.Values("WWW-Authenticate")); ok {
			resp.Challenge = &c
		}
	}
	if answerOnce(b, hresp, resp, mayRetry) {
		_, _ = io.CopyN(io.Discard, hresp.Body, 64<<10)
		return resp, true, nil
	}
	oa1Problem := b.plan.cred != nil && b.plan.cred.oauth1 && hresp.StatusCode >= 400 && hresp.StatusCode < 500
	if oa1Problem {
		resp.OAuthProblem = oauthProblem(hresp.Header, nil)
	}
	var sink io.Writer
	if opts.Sink != nil {
		sink = opts.Sink(resp)
	}
	if err := s.readBody(hresp, resp, sink); err != nil {
		return nil, false, err
	}
	if oa1Problem && resp.OAuthProblem == nil {
		body := resp.head
		if resp.Body != nil {
			body = resp.Body.Bytes()
		}
		resp.OAuthProblem = oauthProblem(hresp.Header, body)
	}
	resp.Timing = tm.done()
	return resp, false, nil
}

// newHTTPRequest makes the HTTP request for wire w, with the headers a
// request sends when it names none (as curl does).
func newHTTPRequest(ctx context.Context, w *wire) (*http.Request, error) {
	var body io.Reader
	if len(w.body) > 0 {
		body = bytes.NewReader(w.body)
	}
	req, err := http.NewRequestWithContext(ctx, w.method, w.url.String(), body)
	if err != nil {
		return nil, &InputError{Field: "url", Msg: err.Error()}
	}
	req.Header = w.httpHeader()
	if h := req.Header.Get("Host"); h != "" {
		// net/http sends req.Host, not a Host header: honour one given.
		req.Host = h
		req.Header.Del("Host")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "authdeck")
	}
	if len(req.Header.Values("Accept")) == 0 {
		// What curl and browsers send when the request names no type, so a
		// request imported from curl reaches the server as curl sends it.
		req.Header.Set("Accept", "*/*")
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "gzip, deflate")
	}
	return req, nil
}

// answerOnce keeps the DPoP nonce the server sent and reports a response
// the request is sent again for (with mayRetry): a 401 asking for a DPoP
// nonce, a digest challenge, or invalid_token for a refreshable credential.
func answerOnce(b *built, hresp *http.Response, resp *Response, mayRetry bool) bool {
	if pr := b.vals.prover; pr != nil {
		nonce := hresp.Header.Get(dpop.NonceHeader)
		pr.SetNonce(b.real.url.String(), nonce)
		if mayRetry && b.nonceOK && nonce != "" && hresp.StatusCode == http.StatusUnauthorized && resp.Challenge != nil &&
			strings.EqualFold(resp.Challenge.Scheme, dpop.TokenType) && resp.Challenge.Error() == dpop.ErrUseNonce {
			b.nonceRetry = true
			return true
		}
	}
	if !mayRetry || hresp.StatusCode != http.StatusUnauthorized {
		return false
	}
	if takeDigestChallenge(b, hresp.Header) {
		return true
	}
	return b.plan.cred != nil && b.plan.cred.token && resp.Challenge != nil && resp.Challenge.Error() == "invalid_token"
}

// maskQuery renders u for display with a query credential masked.
func maskQuery(u *url.URL, b *built) string {
	c := b.plan.cred
	if c == nil {
		return u.String()
	}
	var params []string
	switch {
	case c.secret != nil && c.secret.Type == vault.TypeAPIKey && c.queryParam != "":
		params = []string{c.queryParam}
	case c.oauth1 && c.placement == vault.PlaceQuery:
		params = []string{"oauth_token", "oauth_signature"}
	case c.placement == vault.PlaceQuery:
		params = []string{"access_token"}
	}
	q := u.Query()
	found := false
	for _, p := range params {
		if q.Has(p) {
			q.Set(p, mask.Dots)
			found = true
		}
	}
	if !found {
		return u.String()
	}
	cp := *u
	cp.RawQuery = q.Encode()
	return cp.String()
}

// transport returns a kept-alive transport for the TLS settings.
func (s *Sender) transport(insecure bool, cert *tls.Certificate) *http.Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := transportKey{insecure: insecure, cert: cert}
	if t, ok := s.transports[key]; ok {
		return t
	}
	if s.transports == nil {
		s.transports = map[transportKey]*http.Transport{}
	}
	proxy := s.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: s.RootCAs, InsecureSkipVerify: insecure} //nolint:gosec // per request, explicit and shown (S-15)
	if cert != nil {
		tc.Certificates = []tls.Certificate{*cert}
	}
	t := &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Bodies are decoded here, so the wire size can be reported.
		DisableCompression: true,
		TLSClientConfig:    tc,
	}
	s.transports[key] = t
	return t
}

// CloseIdleConnections closes kept-alive connections.
func (s *Sender) CloseIdleConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.transports {
		t.CloseIdleConnections()
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readBody decodes the body and sends it to sink, or keeps it.
func (s *Sender) readBody(hresp *http.Response, resp *Response, sink io.Writer) error {
	wire := &countingReader{r: hresp.Body}
	var r io.Reader = wire
	sizeHint := hresp.ContentLength
	enc := strings.ToLower(strings.TrimSpace(hresp.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip", "deflate":
		dec, err := newDecoder(enc, wire)
		if err != nil {
			if errors.Is(err, io.EOF) {
				r = bytes.NewReader(nil)
				break
			}
			return &TransportError{Host: hresp.Request.URL.Host, Reason: "the " + enc + " body is corrupt: " + err.Error(), Err: err}
		}
		defer dec.Close()
		r, resp.Encoding, sizeHint = dec, enc, -1
	default:
		resp.Notes = append(resp.Notes, fmt.Sprintf("the body is %s-encoded and shown as received", enc))
	}
	maxBody := s.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	maxSpill := s.MaxSpill
	if maxSpill <= 0 {
		maxSpill = DefaultMaxSpill
	}
	bodyErr := func(err error) error {
		return &TransportError{Host: hresp.Request.URL.Host, Reason: "reading the response body: " + classifyTransport("", err).Reason, Err: err}
	}
	ct := hresp.Header.Get("Content-Type")
	if sink != nil {
		sn := &sniffer{w: sink, keep: history.MaxBody + 1}
		n, err := io.Copy(sn, r)
		resp.Size, resp.WireSize = n, wire.n
		if err != nil {
			return bodyErr(err)
		}
		resp.Kind = DetectKind(ct, sn.head)
		resp.head = sn.head
		return nil
	}
	if sizeHint > maxBody {
		return s.spill(resp, nil, r, wire, maxSpill, ct)
	}
	buf, err := readAll(r, sizeHint, maxBody)
	if errors.Is(err, ErrBodyTooLarge) {
		// Over the limit: what was read goes to the file first, then the
		// rest; the buffer is dropped when this returns.
		return s.spill(resp, buf, r, wire, maxSpill, ct)
	}
	if err != nil {
		return bodyErr(err)
	}
	resp.Size, resp.WireSize = int64(len(buf)), wire.n
	if len(buf) == 0 {
		resp.Kind = KindEmpty
		return nil
	}
	body, err := NewBody(buf, ct)
	if err != nil {
		return err
	}
	resp.Body, resp.Kind = body, body.Kind()
	return nil
}

// sniffer passes writes through and keeps the first bytes (8 KiB, or keep)
// for DetectKind and the history.
type sniffer struct {
	w    io.Writer
	head []byte
	keep int
}

func (s *sniffer) Write(p []byte) (int, error) {
	keep := max(s.keep, 8192)
	if len(s.head) < keep {
		s.head = append(s.head, p[:min(len(p), keep-len(s.head))]...)
	}
	return s.w.Write(p)
}

func newDecoder(enc string, r io.Reader) (io.ReadCloser, error) {
	if enc == "deflate" {
		return zlib.NewReader(r)
	}
	return gzip.NewReader(r)
}

// spill streams head then r into a temporary file (0600), so a body over
// the in-memory limit is never held.
func (s *Sender) spill(resp *Response, head []byte, r io.Reader, wire *countingReader, maxSpill int64, ct string) error {
	f, err := os.CreateTemp(s.SpillDir, "authdeck-body-*")
	if err != nil {
		return fmt.Errorf("creating a temporary file for a large body: %w", err)
	}
	name := f.Name()
	sn := &sniffer{w: f}
	n1, err := sn.Write(head)
	if err == nil {
		var n2 int64
		n2, err = io.Copy(sn, io.LimitReader(r, max(maxSpill-int64(n1), 0)))
		resp.Size = int64(n1) + n2
		if err == nil && resp.Size >= maxSpill {
			var probe [1]byte
			if k, _ := io.ReadFull(r, probe[:]); k > 0 {
				resp.Truncated = true
				resp.Notes = append(resp.Notes, fmt.Sprintf("the body was cut at %d bytes", maxSpill))
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("saving a large body to %s: %w", filepath.Dir(name), err)
	}
	resp.BodyFile, resp.WireSize = name, wire.n
	resp.Kind = DetectKind(ct, sn.head)
	return nil
}

func httpTraceContext(ctx context.Context, tm *timer) context.Context {
	return httptrace.WithClientTrace(ctx, tm.trace())
}
