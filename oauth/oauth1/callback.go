package oauth1

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/vault"
)

// OOB is the callback value of an out-of-band configuration (§2.1): the
// provider shows the verifier and the user types it in.
const OOB = "oob"

// maxCallbackQuery bounds a callback query or a pasted callback URL.
const maxCallbackQuery = 16 << 10

// ParseCallback checks the query of the redirect back from the provider
// (§2.2) and returns the verifier. oauth_token must equal the temporary
// token the flow sent the user with (a different one is a stale tab or a
// forged request); a refusal (denied=…, oauth_problem=user_refused) ends the
// flow as cancelled; a missing oauth_verifier is missing input.
func ParseCallback(rawQuery, tempToken string) (string, error) {
	const op = "authorization"
	if len(rawQuery) > maxCallbackQuery {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: fmt.Sprintf("the callback query is longer than %d bytes", maxCallbackQuery)}
	}
	ps, err := ParseForm(rawQuery)
	if err != nil {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback query does not parse: " + sanitize(err.Error(), 200)}
	}
	var tokens, verifiers []string
	var denied, problem, advice string
	for _, p := range ps {
		switch p.Name {
		case "oauth_token":
			tokens = append(tokens, p.Value)
		case "oauth_verifier":
			verifiers = append(verifiers, p.Value)
		case "denied":
			denied = "user_refused"
		case "oauth_problem":
			problem = p.Value
		case "oauth_problem_advice":
			advice = p.Value
		}
	}
	if len(tokens) > 1 || len(verifiers) > 1 {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback carries oauth_token or oauth_verifier more than once; it was refused"}
	}
	if len(tokens) == 1 && subtle.ConstantTimeCompare([]byte(tokens[0]), []byte(tempToken)) != 1 {
		return "", &Error{Kind: KindAborted, Op: op,
			Reason: "the callback names a temporary token that does not belong to this authorization (a stale tab or a forged request); it was refused before any token request",
			Hint:   "start the authorization again and use the newest browser tab"}
	}
	if problem == "" {
		problem = denied
	}
	if problem != "" {
		return "", problemError(op, problem, advice, 0)
	}
	if len(tokens) == 0 {
		return "", &Error{Kind: KindBadResponse, Op: op, Reason: "the callback has no oauth_token, so it cannot be matched to this authorization"}
	}
	if len(verifiers) == 0 || verifiers[0] == "" {
		return "", &Error{Kind: KindMissingInput, Op: op, Reason: "the callback has no oauth_verifier",
			Hint: "the provider may be speaking OAuth 1.0 without the verifier (1.0a); start again, or use the out-of-band (oob) callback and type the verifier in"}
	}
	return verifiers[0], nil
}

// parseTyped reads what the user typed or pasted for an out-of-band
// authorization: the verifier itself, or the whole callback URL.
func parseTyped(s, tempToken string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: "no verifier was entered",
			Hint: "copy the verifier the provider shows after you approve, and enter it"}
	}
	if len(s) > maxCallbackQuery {
		return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: fmt.Sprintf("the text entered is longer than %d bytes", maxCallbackQuery)}
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", &Error{Kind: KindMissingInput, Op: "authorization", Reason: "the pasted URL does not parse"}
		}
		return ParseCallback(u.RawQuery, tempToken)
	}
	for i, r := range s {
		if r < 0x21 || r == 0x7f {
			return "", &Error{Kind: KindMissingInput, Op: "authorization",
				Reason: fmt.Sprintf("the verifier has a space or control character at position %d; enter only the verifier", i+1)}
		}
	}
	return s, nil
}

// callbackMsg is one redirect that reached the listener; the handler waits
// on reply to pick the page it shows.
type callbackMsg struct {
	rawQuery string
	reply    chan error
}

// listener receives the provider's redirect on loopback (S-02, S-03): one
// flow, one callback, closed when the flow ends (S-05).
type listener struct {
	callbackURL string
	path        string
	srv         *http.Server
	ch          chan callbackMsg
	done        chan struct{}
	wg          sync.WaitGroup
	closeOnce   sync.Once
}

// listen starts the callback listener. registered is empty for
// http://127.0.0.1:{OS port}/callback, or a loopback http URL whose port
// (if any) and path are used.
func listen(registered string) (*listener, error) {
	host, port, path := "127.0.0.1", "0", oauth.DefaultRedirectPath
	if registered != "" {
		u, err := url.Parse(registered)
		if err != nil || u.Scheme != "http" || !vault.IsLoopbackHost(u.Hostname()) || u.RawQuery != "" {
			return nil, &Error{Kind: KindNotConfigured, Op: "configuration",
				Reason: fmt.Sprintf("the callback %q is neither %q nor a loopback http URL without a query", clip(registered, 200), OOB),
				Hint:   "leave the callback empty (http://127.0.0.1:{port}/callback) or set it to oob"}
		}
		if h := u.Hostname(); !strings.EqualFold(h, "localhost") {
			host = h
		}
		if u.Port() != "" {
			port = u.Port()
		}
		if path = u.EscapedPath(); path == "" {
			path = "/"
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, &Error{Kind: KindOther, Op: "authorization", Reason: fmt.Sprintf("cannot listen on %s port %s for the callback", host, port), Err: err}
	}
	port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	l := &listener{
		callbackURL: "http://" + net.JoinHostPort(host, port) + path,
		path:        path,
		ch:          make(chan callbackMsg, 1),
		done:        make(chan struct{}),
	}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		_ = l.srv.Serve(ln)
	}()
	return l, nil
}

// close stops the listener and waits for its goroutine (S-05: no leaks).
func (l *listener) close() {
	if l == nil {
		return
	}
	l.closeOnce.Do(func() {
		close(l.done)
		// A handler that already has its answer may finish its page.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := l.srv.Shutdown(ctx); err != nil {
			_ = l.srv.Close()
		}
		l.wg.Wait()
	})
}

// ServeHTTP answers only GET on the exact path (S-06). The page never shows
// the token or the verifier, is not cached and sends no referrer.
func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if r.URL.RawQuery == "" {
		page(w, http.StatusBadRequest, "No authorization response", "This address only receives the callback of an authdeck authorization.")
		return
	}
	msg := callbackMsg{rawQuery: r.URL.RawQuery, reply: make(chan error, 1)}
	select {
	case <-l.done:
		page(w, http.StatusGone, "Authorization already finished", "Return to authdeck.")
		return
	default:
	}
	select {
	case l.ch <- msg:
	case <-l.done:
		page(w, http.StatusGone, "Authorization already finished", "Return to authdeck.")
		return
	default:
		page(w, http.StatusConflict, "Authorization already in progress", "Return to authdeck.")
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
		page(w, http.StatusBadRequest, "Authorization not completed", "authdeck did not accept this response. Return to the terminal for details.")
		return
	}
	page(w, http.StatusOK, "Authorized", "authdeck received the authorization. You can close this tab and return to the terminal.")
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>authdeck: %s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}</style></head>
<body><h1>%s</h1><p>%s</p></body></html>`, title, title, text)
}
