package loopback

import (
	"net/http"
	"testing"
	"time"
)

// TestVerdictBeforeCloseShowsDone: a flow that accepts the response and
// finishes at once (Reply, then Close, before the page's handler looks)
// still gives the browser its "done" page, never "not completed". Both the
// verdict and the end are ready when the handler looks; the verdict wins.
func TestVerdictBeforeCloseShowsDone(t *testing.T) {
	t.Parallel()
	for i := range 50 {
		l, err := Listen(Config{Host: "127.0.0.1", Path: "/callback", Pages: Pages{Arrival: "redirect", Flow: "Sign-in", Done: "Signed in"}})
		if err != nil {
			t.Fatal(err)
		}
		// The page looks for the verdict only once the flow has given it
		// and closed the listener, as a busy machine may schedule it.
		settled := make(chan struct{})
		l.handed = func() { <-settled }
		status := make(chan int, 1)
		go func() {
			c := &http.Client{Timeout: 10 * time.Second}
			resp, err := c.Get(l.URL + "?code=c&state=s")
			if err != nil {
				status <- 0
				return
			}
			_ = resp.Body.Close()
			status <- resp.StatusCode
		}()
		m := <-l.C
		m.Reply(nil)
		closed := make(chan struct{})
		go func() { l.Close(); close(closed) }()
		<-l.done // Close's first step; it then waits for the page
		close(settled)
		<-closed
		if got := <-status; got != http.StatusOK {
			t.Fatalf("try %d: the accepted response's page answered %d, want 200", i+1, got)
		}
	}
}
