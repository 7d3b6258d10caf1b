// Package loopback is the redirect listener the browser flows share (RFC
// 8252 §7.3): loopback only, one flow per listener, GET on the exact path,
// a page that is never cached and sends no referrer, closed after the flow
// (S-02, S-03, S-05, S-06). The OAuth 2.0 and OAuth 1.0a engines parse and
// verify what arrives; this package only receives it.
package loopback

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pages words the listener's pages for one protocol.
type Pages struct {
	// Arrival names what reaches the listener: "redirect", "callback".
	Arrival string
	// Flow names the flow in titles: "Sign-in", "Authorization".
	Flow string
	// Done is the title once the flow accepted the response: "Signed in".
	Done string
}

// Config says where to listen and how to answer.
type Config struct {
	// Host is the loopback host the redirect URI names; "localhost" binds
	// both 127.0.0.1 and ::1 because the browser may resolve it to either.
	Host string
	// Port is the port to bind; "0" lets the OS choose.
	Port string
	// Path is the escaped path the redirect must use exactly.
	Path string
	// Pages words the pages.
	Pages Pages
	// Fragment answers a request without a response with a page that sends
	// the fragment back as a query (the implicit grant keeps its response
	// in the fragment).
	Fragment bool
	// NoResponse reports whether a query carries no response at all, so the
	// flow keeps waiting; nil means only an empty query.
	NoResponse func(rawQuery string) bool
}

// Callback is one redirect that reached the listener. The flow must Reply
// once: the browser's page waits for the verdict.
type Callback struct {
	// RawQuery is the redirect's query, unparsed.
	RawQuery string
	reply    chan error
}

// Reply tells the waiting page whether the flow accepted the response.
func (c Callback) Reply(err error) {
	if c.reply != nil {
		c.reply <- err
	}
}

// Listener receives the redirect of one flow.
type Listener struct {
	// URL is the redirect URI with the port actually bound (S-04).
	URL string
	// C delivers the redirect; it holds one, and later ones are turned away
	// while it waits.
	C chan Callback

	cfg        Config
	srv        *http.Server
	done       chan struct{}
	wg         sync.WaitGroup
	closeOnce  sync.Once
	noResponse func(string) bool
	// handed, when set (tests), runs once a redirect is handed to the
	// flow, before the page waits for the verdict.
	handed func()
}

// Listen binds the listener and starts serving. An error names the address
// that could not be bound.
func Listen(cfg Config) (*Listener, error) {
	port := cfg.Port
	if port == "" {
		port = "0"
	}
	bindHosts := []string{cfg.Host}
	if strings.EqualFold(cfg.Host, "localhost") {
		bindHosts = []string{"127.0.0.1", "::1"}
	}
	var lns []net.Listener
	for i, h := range bindHosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(strings.Trim(h, "[]"), port))
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("cannot listen on %s port %s for the %s: %w", h, port, cfg.Pages.Arrival, err)
			}
			continue
		}
		if port == "0" {
			port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		}
		lns = append(lns, ln)
	}
	l := &Listener{
		URL:        "http://" + net.JoinHostPort(strings.Trim(cfg.Host, "[]"), port) + cfg.Path,
		C:          make(chan Callback, 1),
		cfg:        cfg,
		done:       make(chan struct{}),
		noResponse: cfg.NoResponse,
	}
	if l.noResponse == nil {
		l.noResponse = func(raw string) bool { return raw == "" }
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

// Close stops the listener and waits for its goroutines (S-05: no leaks).
// A nil listener (the user pastes the redirect instead) closes as a no-op.
func (l *Listener) Close() {
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
// contains what the redirect carried, is not cached and sends no referrer.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if r.URL.EscapedPath() != l.cfg.Path {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet {
		h.Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := l.cfg.Pages
	if l.noResponse(r.URL.RawQuery) {
		if l.cfg.Fragment {
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src '"+fragmentScriptHash+"'")
			writePage(w, http.StatusOK, "Finishing sign-in…", "If nothing happens, copy this page's address into authdeck.", "<script>"+fragmentScript+"</script>")
			return
		}
		writePage(w, http.StatusBadRequest, "No authorization response",
			"This address only receives the "+p.Arrival+" of an authdeck "+strings.ToLower(p.Flow)+".", "")
		return
	}
	msg := Callback{RawQuery: r.URL.RawQuery, reply: make(chan error, 1)}
	// A finished flow turns the browser away even while the channel has room.
	select {
	case <-l.done:
		writePage(w, http.StatusGone, p.Flow+" already finished", "Return to authdeck.", "")
		return
	default:
	}
	select {
	case l.C <- msg:
	case <-l.done:
		writePage(w, http.StatusGone, p.Flow+" already finished", "Return to authdeck.", "")
		return
	default:
		writePage(w, http.StatusConflict, p.Flow+" already in progress", "Return to authdeck.", "")
		return
	}
	if l.handed != nil {
		l.handed()
	}
	var err error
	select {
	case err = <-msg.reply:
	case <-l.done:
		// The flow replies before it closes the listener, so a verdict
		// already given wins over the end it came with: a flow that took
		// the response and finished at once still shows its page as done.
		select {
		case err = <-msg.reply:
		default:
			err = errors.New("flow ended")
		}
	case <-time.After(30 * time.Second):
		err = errors.New("no answer")
	}
	if err != nil {
		writePage(w, http.StatusBadRequest, p.Flow+" not completed", "authdeck did not accept this response. Return to the terminal for details.", "")
		return
	}
	writePage(w, http.StatusOK, p.Done, "authdeck received the authorization. You can close this tab and return to the terminal.", "")
}

func writePage(w http.ResponseWriter, status int, title, text, extra string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>authdeck: %s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;color:#222}</style></head>
<body><h1>%s</h1><p>%s</p>%s</body></html>`, title, title, text, extra)
}
