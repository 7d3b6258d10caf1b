package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTUIConsoleEditorsTmux drives the request console of `authdeck demo`
// in tmux with keys only: a query parameter added in the table joins the
// URL, a header is added, the body becomes a URL-encoded form with one
// field; the request is sent to a loopback server, which checks what
// arrived on the wire, and y copies the response body (OSC 52, checked
// through tmux's buffer).
func TestTUIConsoleEditorsTmux(t *testing.T) {
	tmux := needTool(t, "tmux", "tmux")
	bin := buildTUI(t)
	dir := t.TempDir()

	type arrival struct {
		target, header, ctype, body string
	}
	var mu sync.Mutex
	var got []arrival
	const answer = `{"received":true,"id":"e2e-7"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, arrival{r.RequestURI, r.Header.Get("X-E2E"), r.Header.Get("Content-Type"), string(b)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)

	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-console-%d", os.Getpid())}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -s set-clipboard on\nset -g default-terminal tmux-256color\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "AUTHDECK_HOME=" + filepath.Join(dir, "home"), "AUTHDECK_CLIPBOARD=osc52", "BROWSER=true", "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec env -i "+strings.Join(env, " ")+" "+bin+" demo 2>"+filepath.Join(dir, "stderr")+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.must("-f", conf, "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", script)
	t.Cleanup(func() { _, _ = s.cmd("kill-server") })
	s.must("set", "-s", "set-clipboard", "on")
	s.waitFor("demo API http://", 30*time.Second)

	// n → "Request" (the tenth choice) opens an empty console.
	s.keys("n")
	s.waitFor("New in dev", 10*time.Second)
	for range 9 {
		s.keys("Down")
	}
	s.keys("Enter")
	s.waitFor("Body · raw", 10*time.Second)

	s.typeText(srv.URL + "/e2e?a=1")
	s.waitFor("/e2e?a=1", 10*time.Second)
	s.keys("Tab", "Tab") // credential, then the parameter table
	s.waitFor("[Params 1]", 10*time.Second)
	s.keys("a")
	s.typeText("b")
	s.keys("Tab")
	s.typeText("two")
	s.keys("Enter")
	s.waitFor("/e2e?a=1&b=two", 10*time.Second)

	s.keys("Tab") // headers
	s.waitFor("[Headers]", 10*time.Second)
	s.keys("a")
	s.typeText("X-E2E")
	s.keys("Tab")
	s.typeText("yes")
	s.keys("Enter")
	s.waitFor("[Headers 1]", 10*time.Second)

	s.keys("Tab", "C-o") // body: a URL-encoded form
	s.waitFor("Body · form (URL-encoded)", 10*time.Second)
	s.keys("a")
	s.typeText("user")
	s.keys("Tab")
	s.typeText("ada lovelace")
	s.keys("Enter")
	s.waitFor("✓ user", 10*time.Second)

	s.keys("C-s")
	s.waitFor("200 OK", 20*time.Second)
	mu.Lock()
	arrived := append([]arrival(nil), got...)
	mu.Unlock()
	want := arrival{"/e2e?a=1&b=two", "yes", "application/x-www-form-urlencoded", "user=ada+lovelace"}
	if len(arrived) != 1 || arrived[0] != want {
		t.Fatalf("the server got %+v, want %+v", arrived, want)
	}

	s.keys("y")
	s.waitFor("Copied response body", 10*time.Second)
	var buf string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := s.cmd("show-buffer"); err == nil && strings.Contains(out, "e2e-7") {
			buf = out
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.TrimSpace(buf) != answer {
		t.Fatalf("tmux's buffer holds %q after y, want the response body", buf)
	}
}
