package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/authdeck/authdeck/oauth/internal/loopback"
	"github.com/authdeck/authdeck/vault"
)

// DefaultRedirectPath is the path of the default loopback redirect URI
// http://127.0.0.1:{port}/callback (S-02).
const DefaultRedirectPath = "/callback"

// redirectPages words the listener's pages for an OAuth 2.0 sign-in.
var redirectPages = loopback.Pages{Arrival: "redirect", Flow: "Sign-in", Done: "Signed in"}

// listenLoopback starts the redirect listener (RFC 8252 §7.3; S-03, S-05).
// registered is the client's registered redirect URI: empty means
// http://127.0.0.1:{OS port}/callback; a loopback URI with a port binds that
// port and path; a loopback URI without a port gets an OS-chosen port
// written into it. It returns nil when the registered URI is not a loopback
// http URI (the user pastes the redirected URL instead).
func listenLoopback(registered string, implicit bool) (*loopback.Listener, error) {
	host, port, path := "127.0.0.1", "0", DefaultRedirectPath
	if registered != "" {
		u, err := url.Parse(registered)
		if err != nil {
			return nil, fmt.Errorf("redirect URI %q: %w", registered, err)
		}
		if u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) {
			return nil, nil
		}
		host = u.Hostname()
		if u.Port() != "" {
			port = u.Port()
		}
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	return loopback.Listen(loopback.Config{
		Host: host, Port: port, Path: path, Pages: redirectPages, Fragment: implicit,
		NoResponse: func(raw string) bool { q, _ := url.ParseQuery(raw); return len(q) == 0 },
	})
}

// listen starts the flow's redirect listener and returns the redirect URI
// to send: the one bound, or the registered one when the user pastes the
// redirected URL instead (the listener is then nil).
func (f *flow) listen(implicit bool) (*loopback.Listener, string, error) {
	l, err := listenLoopback(f.ac.RedirectURI, implicit)
	if err != nil {
		return nil, "", newError(KindOther, "authorization", err.Error(), "", nil)
	}
	if l == nil {
		return nil, f.ac.RedirectURI, nil
	}
	return l, l.URL, nil
}

// authCheck verifies authorization responses of one flow: state first (S-08),
// once only, then the RFC 9207 issuer (S-10), then an error (S-09).
type authCheck struct {
	mu         sync.Mutex
	state      string
	used       bool
	issuer     string
	requireIss bool
	implicit   bool
}

// responseParams are the authorization response's parameters, each of
// which may appear once (RFC 6749 §3.1: "Request and response parameters
// MUST NOT be included more than once").
var responseParams = []string{"state", "code", "iss", "error", "error_description", "error_uri", "access_token", "token_type", "expires_in", "scope", "id_token"}

// strayCallback is a redirect that is not this sign-in's answer: no state
// or another one, a parameter twice, text that is not UTF-8. It is refused
// (the browser gets 400) and the flow goes on waiting for the real answer,
// so a forged request cannot end the user's sign-in.
type strayCallback struct{ err error }

func (s *strayCallback) Error() string { return s.err.Error() }
func (s *strayCallback) Unwrap() error { return s.err }

// verify checks q and returns it when it carries a usable response. A
// *strayCallback error leaves the check as it was: the real answer may
// still come.
func (c *authCheck) verify(q url.Values) (url.Values, error) {
	const op = "authorization"
	stray := func(reason, hint string) error {
		return &strayCallback{newError(KindAborted, op, reason, hint, nil)}
	}
	for _, name := range responseParams {
		if len(q[name]) > 1 {
			return nil, stray(fmt.Sprintf("the redirect carried %s more than once; it was rejected before any token request (S-08)", name),
				"start the sign-in again from authdeck and use the newest browser tab")
		}
	}
	for name, vs := range q {
		if !utf8.ValidString(name) || !utf8.ValidString(strings.Join(vs, "")) {
			return nil, stray("the redirect carried a parameter that is not UTF-8 text; it was rejected before any token request (S-08)",
				"start the sign-in again from authdeck")
		}
	}
	got := q.Get("state")
	if got == "" {
		return nil, stray("the redirect carried no state; it was rejected before any token request (S-08)",
			"start the sign-in again from authdeck")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.state)) != 1 {
		return nil, stray("the redirect carried a state that does not belong to this sign-in (a stale tab or a forged request); it was rejected before any token request (S-08)",
			"start the sign-in again from authdeck and use the newest browser tab")
	}
	c.mu.Lock()
	replay := c.used
	c.used = true
	c.mu.Unlock()
	if replay {
		return nil, newError(KindAborted, op, "this authorization response was already used; a replay was rejected (S-08)", "start the sign-in again", nil)
	}
	iss := q.Get("iss")
	if c.requireIss && iss == "" {
		return nil, newError(KindAborted, op, "the provider advertises the iss parameter but the redirect has none (RFC 9207 mix-up defence, S-10)",
			"check that the browser was sent to the right provider", nil)
	}
	if iss != "" && c.issuer != "" && iss != c.issuer {
		return nil, newError(KindAborted, op, fmt.Sprintf("the redirect names the issuer %q, not %q (RFC 9207 mix-up defence, S-10)", sanitize(iss, 200), c.issuer),
			"check that the browser was sent to the right provider", nil)
	}
	if code := q.Get("error"); code != "" {
		return nil, oauthError(op, code, q.Get("error_description"), q.Get("error_uri"), 0)
	}
	if c.implicit {
		if q.Get("access_token") == "" {
			return nil, newError(KindBadResponse, op, "the redirect has no access_token", "", nil)
		}
		return q, nil
	}
	if q.Get("code") == "" {
		return nil, newError(KindBadResponse, op, "the redirect has neither a code nor an error", "", nil)
	}
	return q, nil
}

// maxPastedURL bounds a pasted URL.
const maxPastedURL = 16 << 10

// ParseRedirectURL parses a URL the user pasted from the browser's address
// bar after the redirect. It must be the redirect URI (same scheme, host,
// port and path) carrying an authorization response in its query — or, for
// the implicit grant, in its fragment. Errors say what is wrong.
func ParseRedirectURL(pasted, redirectURI string, implicit bool) (url.Values, error) {
	s := strings.TrimSpace(pasted)
	if s == "" {
		return nil, errors.New("nothing was pasted")
	}
	if len(s) > maxPastedURL {
		return nil, fmt.Errorf("the pasted text is longer than %d bytes", maxPastedURL)
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return nil, fmt.Errorf("the pasted text has a space or control character at position %d; paste only the address", i+1)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("the pasted text is not a URL: %v", unwrapURL(err))
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, errors.New("the pasted text is not an absolute URL (expected the full address, starting with http)")
	}
	if redirectURI != "" {
		want, err := url.Parse(redirectURI)
		if err == nil && (!strings.EqualFold(u.Scheme, want.Scheme) || !strings.EqualFold(u.Host, want.Host) || u.EscapedPath() != want.EscapedPath()) {
			return nil, fmt.Errorf("the pasted URL does not start with the redirect URI %s", redirectURI)
		}
	}
	raw := u.RawQuery
	if implicit && u.Fragment != "" {
		raw = u.EscapedFragment()
	}
	if raw == "" {
		return nil, errors.New("the pasted URL has no authorization response (no ?code=… or ?error=…)")
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("the pasted URL's parameters do not parse: %v", err)
	}
	if q.Get("state") == "" {
		return nil, errors.New("the pasted URL has no state parameter")
	}
	if q.Get("code") == "" && q.Get("error") == "" && q.Get("access_token") == "" {
		return nil, errors.New("the pasted URL has neither a code nor an error")
	}
	return q, nil
}

// waitRedirect waits for the authorization response from the listener or
// the paste channel, until ctx ends or timeout passes (S-05). A response
// that fails verification ends the flow; a paste that does not parse is
// reported through PasteRejected and the wait goes on.
func (f *flow) waitRedirect(ctx context.Context, l *loopback.Listener, check *authCheck, redirectURI string, timeout time.Duration) (url.Values, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var listen chan loopback.Callback
	if l != nil {
		listen = l.C
	}
	pasted := f.cb.Pasted
	if listen == nil && pasted == nil {
		return nil, newError(KindNotConfigured, "authorization",
			fmt.Sprintf("the redirect URI %s is not a loopback address, so authdeck cannot receive the redirect, and there is no way to paste it here", redirectURI),
			"run the flow in a terminal (to paste the redirected URL) or register http://127.0.0.1/callback", nil)
	}
	// refused is the last redirect turned away while waiting, said when
	// the wait ends without the real one.
	var refused error
	for {
		select {
		case <-ctx.Done():
			return nil, newError(KindAborted, "authorization", "cancelled while waiting for the browser", "", ctx.Err())
		case <-timer.C:
			if refused != nil {
				return nil, newError(KindAborted, "authorization", fmt.Sprintf("timed out after %s waiting for the browser to come back; a redirect that was not this sign-in's was refused meanwhile (%v)", timeout, refused),
					"start again and finish signing in in the newest browser tab", nil)
			}
			return nil, newError(KindAborted, "authorization", fmt.Sprintf("timed out after %s waiting for the browser to come back", timeout),
				"start again and finish signing in sooner", nil)
		case m := <-listen:
			// A query that does not parse fully keeps what it could, as
			// net/url's Query does; verify says what is missing.
			sent, _ := url.ParseQuery(m.RawQuery)
			q, err := check.verify(sent)
			m.Reply(err)
			f.recordCallback("callback", sent, err)
			var stray *strayCallback
			if errors.As(err, &stray) {
				// Not this sign-in's answer: the browser got 400, the
				// wait goes on until the deadline.
				refused = stray.err
				f.cb.progress("a redirect that is not this sign-in's was refused; still waiting for the browser")
				continue
			}
			return q, err
		case s, ok := <-pasted:
			if !ok {
				pasted = nil
				if listen == nil {
					return nil, newError(KindAborted, "authorization", "no redirected URL was pasted", "", nil)
				}
				continue
			}
			q, perr := ParseRedirectURL(s, redirectURI, check.implicit)
			if perr != nil {
				if f.cb.PasteRejected != nil {
					f.cb.PasteRejected(perr)
				}
				continue
			}
			q, err := check.verify(q)
			f.recordCallback("pasted redirect", q, err)
			var stray *strayCallback
			if errors.As(err, &stray) && f.cb.PasteRejected != nil {
				f.cb.PasteRejected(stray.err)
				continue
			}
			return q, err
		}
	}
}

// recordCallback notes the redirect in the transcript without its secrets.
func (f *flow) recordCallback(step string, q url.Values, err error) {
	x := Exchange{Time: time.Now(), Step: step, Params: f.red.params(q)}
	if err != nil {
		x.Error = f.red.scrub(err.Error())
		var oe *Error
		if errors.As(err, &oe) && oe.Hint != "" {
			x.Explanation = oe.Hint
		}
	}
	f.tr.record(x)
}
