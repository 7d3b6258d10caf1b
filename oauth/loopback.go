package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// DefaultRedirectPath is the path of the default loopback redirect URI
// http://127.0.0.1:{port}/callback (S-02).
const DefaultRedirectPath = "/callback"

// callbackMsg is one redirect that reached the listener; the handler waits
// on reply to pick the page it shows.
type callbackMsg struct {
	q     url.Values
	reply chan error
}

// loopback is the redirect listener of one flow (RFC 8252 §7.3): loopback
// only, one flow per listener, closed after the flow (S-03, S-05).
type loopback struct {
	redirectURI string
	path        string
	implicit    bool
	srv         *http.Server
	ch          chan callbackMsg
	done        chan struct{}
	wg          sync.WaitGroup
	closeOnce   sync.Once
}

// listenLoopback starts the redirect listener. registered is the client's
// registered redirect URI: empty means http://127.0.0.1:{OS port}/callback;
// a loopback URI with a port binds that port and path; a loopback URI
// without a port gets an OS-chosen port written into it. It returns nil when
// the registered URI is not a loopback http URI (the user pastes the
// redirected URL instead).
func listenLoopback(registered string, implicit bool) (*loopback, error) {
	host, port, path := "127.0.0.1", "0", DefaultRedirectPath
	scheme := "http"
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
	bindHosts := []string{host}
	if strings.EqualFold(host, "localhost") {
		// The browser may resolve localhost to either address.
		bindHosts = []string{"127.0.0.1", "::1"}
	}
	var lns []net.Listener
	for i, h := range bindHosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(strings.Trim(h, "[]"), port))
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("cannot listen on %s port %s for the redirect: %w", h, port, err)
			}
			continue
		}
		if port == "0" {
			port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		}
		lns = append(lns, ln)
	}
	hostPart := host
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		hostPart = "[" + host + "]"
	}
	l := &loopback{
		redirectURI: scheme + "://" + hostPart + ":" + port + path,
		path:        path,
		implicit:    implicit,
		ch:          make(chan callbackMsg, 1),
		done:        make(chan struct{}),
	}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second}
	for _, ln := range lns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			_ = l.srv.Serve(ln)
		}()
	}
	return l, nil
}

// close stops the listener and waits for its goroutines (S-05: no leaks).
func (l *loopback) close() {
	if l == nil {
		return
	}
	l.closeOnce.Do(func() {
		close(l.done)
		// Let a handler that already has its answer finish its page.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := l.srv.Shutdown(ctx); err != nil {
			_ = l.srv.Close()
		}
		l.wg.Wait()
	})
}

// fragmentScript sends an implicit-grant response, which browsers keep in the
// fragment, back to the same path as a query. It redirects only to this
// page's own path, never to a URL taken from the response (S-06).
const fragmentScript = `if(location.hash.length>1){location.replace(location.pathname+"?"+location.hash.substring(1))}`

var fragmentScriptHash = func() string {
	h := sha256.Sum256([]byte(fragmentScript))
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}()

// ServeHTTP answers only GET on the exact path (S-06). The page never
// contains the code, a token or the state, is not cached and sends no referrer.
func (l *loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if r.URL.EscapedPath() != l.path {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet {
		h.Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if len(q) == 0 {
		if l.implicit {
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src '"+fragmentScriptHash+"'")
			writePage(w, http.StatusOK, "Finishing sign-in…", "If nothing happens, copy this page's address into authdeck.", "<script>"+fragmentScript+"</script>")
			return
		}
		writePage(w, http.StatusBadRequest, "No authorization response", "This address only receives the redirect of an authdeck sign-in.", "")
		return
	}
	msg := callbackMsg{q: q, reply: make(chan error, 1)}
	select {
	case l.ch <- msg:
	case <-l.done:
		writePage(w, http.StatusGone, "Sign-in already finished", "Return to authdeck.", "")
		return
	default:
		writePage(w, http.StatusConflict, "Sign-in already in progress", "Return to authdeck.", "")
		return
	}
	var err error
	select {
	case err = <-msg.reply:
	case <-l.done:
		err = errors.New("flow ended")
	case <-time.After(30 * time.Second):
		err = errors.New("no answer")
	}
	if err != nil {
		writePage(w, http.StatusBadRequest, "Sign-in not completed", "authdeck did not accept this response. Return to the terminal for details.", "")
		return
	}
	writePage(w, http.StatusOK, "Signed in", "authdeck received the authorization. You can close this tab and return to the terminal.", "")
}

func writePage(w http.ResponseWriter, status int, title, text, extra string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>authdeck: %s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}</style></head>
<body><h1>%s</h1><p>%s</p>%s</body></html>`, title, title, text, extra)
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

// verify checks q and returns it when it carries a usable response.
func (c *authCheck) verify(q url.Values) (url.Values, error) {
	const op = "authorization"
	got := q.Get("state")
	if got == "" {
		return nil, newError(KindAborted, op, "the redirect carried no state; it was rejected before any token request (S-08)",
			"start the sign-in again from authdeck", nil)
	}
	if len(q["state"]) > 1 || subtle.ConstantTimeCompare([]byte(got), []byte(c.state)) != 1 {
		return nil, newError(KindAborted, op, "the redirect carried a state that does not belong to this sign-in (a stale tab or a forged request); it was rejected before any token request (S-08)",
			"start the sign-in again from authdeck and use the newest browser tab", nil)
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
func (f *flow) waitRedirect(ctx context.Context, l *loopback, check *authCheck, redirectURI string, timeout time.Duration) (url.Values, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var listen chan callbackMsg
	if l != nil {
		listen = l.ch
	}
	pasted := f.cb.Pasted
	if listen == nil && pasted == nil {
		return nil, newError(KindNotConfigured, "authorization",
			fmt.Sprintf("the redirect URI %s is not a loopback address, so authdeck cannot receive the redirect, and there is no way to paste it here", redirectURI),
			"run the flow in a terminal (to paste the redirected URL) or register http://127.0.0.1/callback", nil)
	}
	for {
		select {
		case <-ctx.Done():
			return nil, newError(KindAborted, "authorization", "cancelled while waiting for the browser", "", ctx.Err())
		case <-timer.C:
			return nil, newError(KindAborted, "authorization", fmt.Sprintf("timed out after %s waiting for the browser to come back", timeout),
				"start again and finish signing in sooner", nil)
		case m := <-listen:
			q, err := check.verify(m.q)
			m.reply <- err
			f.recordCallback("callback", m.q, err)
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
