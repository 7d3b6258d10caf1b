package oauth1

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/internal/loopback"
)

var listenerHTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// TestListenerS06 checks the callback listener: loopback with an OS port
// (S-02, S-03), GET on the exact path only, a page without the token or
// verifier that is never cached and sends no referrer (S-06), one callback
// only, and nothing listening after close (S-05).
func TestListenerS06(t *testing.T) {
	t.Parallel()
	l, err := listen("")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l2, err := listen("")
	if err != nil {
		t.Fatal(err)
	}
	l2.Close()
	if !strings.HasPrefix(l.URL, "http://127.0.0.1:") || !strings.HasSuffix(l.URL, "/callback") || l.URL == l2.URL {
		t.Fatalf("callback URLs %s and %s: want two loopback URLs with different ports", l.URL, l2.URL)
	}
	do := func(method, target string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, target, nil)
		resp, err := listenerHTTP.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	base := strings.TrimSuffix(l.URL, "/callback")
	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{"POST", l.URL + "?oauth_token=t&oauth_verifier=v", http.StatusMethodNotAllowed},
		{"GET", base + "/callback/x?oauth_token=t", http.StatusNotFound},
		{"GET", base + "/", http.StatusNotFound},
		{"GET", l.URL, http.StatusBadRequest},
	} {
		if got, h, _ := do(tc.method, tc.target); got != tc.want || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: %d (Cache-Control %q), want %d", tc.method, tc.target, got, h.Get("Cache-Control"), tc.want)
		}
	}
	// The flow's side: take the callback and accept it.
	go func() {
		m := <-l.C
		if m.RawQuery != "oauth_token=tmp-token-123&oauth_verifier=verifier-456" {
			m.Reply(errors.New("unexpected query"))
			return
		}
		m.Reply(nil)
	}()
	status, h, body := do("GET", l.URL+"?oauth_token=tmp-token-123&oauth_verifier=verifier-456")
	if status != http.StatusOK {
		t.Fatalf("callback: %d %s", status, body)
	}
	for name, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if h.Get(name) != want {
			t.Errorf("%s = %q, want %q", name, h.Get(name), want)
		}
	}
	if strings.Contains(body, "tmp-token-123") || strings.Contains(body, "verifier-456") {
		t.Error("the callback page shows the token or the verifier")
	}
	// Nobody takes a second callback: the flow has its answer.
	l.C <- loopback.Callback{} // occupy the slot as a waiting flow would not
	if status, _, _ := do("GET", l.URL+"?oauth_token=x&oauth_verifier=y"); status != http.StatusConflict {
		t.Errorf("second callback while one is pending: %d, want 409", status)
	}
	l.Close()
	if _, err := listenerHTTP.Get(l.URL + "?oauth_token=x"); err == nil {
		t.Error("the listener still answers after close")
	}
}

// TestListenRegistered checks callbacks configured as a loopback URL, and
// refusals of anything else.
func TestListenRegistered(t *testing.T) {
	t.Parallel()
	l, err := listen("http://localhost/oauth/done")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.URL, "http://127.0.0.1:") || !strings.HasSuffix(l.URL, "/oauth/done") {
		t.Errorf("callback URL %s", l.URL)
	}
	for _, bad := range []string{"https://example.com/cb", "http://example.com/cb", "http://127.0.0.1/cb?x=1", "myapp://cb"} {
		_, err := listen(bad)
		var oe *Error
		if !errors.As(err, &oe) || oe.Kind != KindNotConfigured {
			t.Errorf("listen(%q) = %v, want a not-configured error", bad, err)
		}
	}
}

// TestBrowserLegClosesVerifierPrompt checks that a verifier prompt still
// open when the loopback callback wins is cancelled and waited for, so no
// goroutine outlives the flow.
func TestBrowserLegClosesVerifierPrompt(t *testing.T) {
	t.Parallel()
	l, err := listen("")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := &Client{Opener: func(ctx context.Context, u string) error {
		go func() {
			resp, err := listenerHTTP.Get(l.URL + "?oauth_token=tmp&oauth_verifier=v1")
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}, CallbackTimeout: 10 * time.Second}
	promptDone := make(chan struct{})
	cb := Callbacks{Verifier: func(ctx context.Context, _ oauth.AuthPrompt) (string, error) {
		defer close(promptDone)
		<-ctx.Done()
		return "", ctx.Err()
	}}
	v, err := c.browserLeg(context.Background(), l, &Credentials{Token: "tmp"}, "http://127.0.0.1:1/authorize?oauth_token=tmp", Options{}, cb, noRecorder{}, &redactor{})
	if err != nil || v != "v1" {
		t.Fatalf("got %q, %v", v, err)
	}
	select {
	case <-promptDone:
	default:
		t.Error("browserLeg returned while the verifier prompt was still running")
	}
}
