package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tmuxSession is a private tmux server (its own socket) running one window.
type tmuxSession struct {
	t      *testing.T
	tmux   string
	socket string
}

func (s *tmuxSession) cmd(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, s.tmux, append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (s *tmuxSession) must(args ...string) string {
	s.t.Helper()
	out, err := s.cmd(args...)
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *tmuxSession) screen() string { return s.must("capture-pane", "-p", "-t", "e2e") }

// keys sends tmux key names one at a time, as a person types.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.must("send-keys", "-t", "e2e", k)
		time.Sleep(60 * time.Millisecond)
	}
}

// typeText sends literal text one character at a time.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	for _, r := range text {
		s.must("send-keys", "-t", "e2e", "-l", string(r))
		time.Sleep(25 * time.Millisecond)
	}
}

// waitFor polls the screen until it contains want.
func (s *tmuxSession) waitFor(want string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var scr string
	for time.Now().Before(deadline) {
		scr = s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %q; screen:\n%s", want, scr)
	return ""
}

// TestTUIEndToEndTmux runs `authdeck demo` in tmux: switches environment,
// filters, runs client credentials, sees the decoded token and copies it —
// the copy is checked through tmux's buffer (OSC 52, S-31) without printing it.
func TestTUIEndToEndTmux(t *testing.T) {
	tmux := needTool(t, "tmux", "tmux")
	bin := buildTUI(t)
	dir := t.TempDir()
	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-e2e-%d", os.Getpid())}
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

	// The status line is the last row drawn: a capture taken while the
	// first frame is still being painted has the lists but not the banner.
	s.waitFor("AUTH CLIENTS", 20*time.Second)
	scr := s.waitFor("demo API http://", 20*time.Second)
	m := regexp.MustCompile(`demo API (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no demo API URL on screen:\n%s", scr)
	}
	apiURL := m[1]

	// Switch environment and back.
	s.keys("E")
	s.waitFor("Environment", 5*time.Second)
	s.keys("Down", "Enter")
	scr = s.waitFor("env staging", 5*time.Second)
	if strings.Contains(scr, "service-post") {
		t.Errorf("staging lists dev's clients:\n%s", scr)
	}
	s.keys("E", "Up", "Enter")
	s.waitFor("env dev", 5*time.Second)

	// Filter down to one client and run client credentials.
	s.keys("/")
	s.typeText("service-basic")
	s.keys("Enter")
	s.waitFor("1 match", 5*time.Second)
	s.keys("Enter")
	scr = s.waitFor("Token issued", 15*time.Second)
	if !strings.Contains(scr, "••••••••") {
		t.Errorf("the result is not masked:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("CLAIMS", 10*time.Second)
	scr = s.waitFor("verified", 10*time.Second)
	for _, want := range []string{"HEADER", "client_id", "service-basic", "expires"} {
		if !strings.Contains(scr, want) {
			t.Errorf("token pane lacks %q:\n%s", want, scr)
		}
	}

	// Copy the token: OSC 52 lands in tmux's paste buffer.
	s.keys("c")
	scr = s.waitFor("Copied access token of service-basic", 5*time.Second)
	if !strings.Contains(scr, "OSC 52") {
		t.Errorf("the status does not say how it was copied (S-31):\n%s", scr)
	}
	var buf string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := s.cmd("show-buffer"); err == nil && strings.Count(out, ".") == 2 {
			buf = strings.TrimSpace(out)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if buf == "" {
		t.Fatal("tmux's buffer holds no token after the copy")
	}
	if strings.Contains(s.screen(), buf[:24]) {
		t.Error("the copied token is visible on screen (S-30)")
	}
	// The buffer holds the real token: it decodes to the client's claims and
	// the demo API accepts it. Nothing of it is printed.
	parts := strings.Split(buf, ".")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("the copied value is not a JWT (payload does not decode)")
	}
	var c struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(claims, &c); err != nil || c.ClientID != "service-basic" {
		t.Errorf("the copied token is not service-basic's (client_id %q)", c.ClientID)
	}
	req, _ := http.NewRequest(http.MethodGet, apiURL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+buf)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the demo API answered %d to the copied token", resp.StatusCode)
	}

	s.keys("q")
	deadline = time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := s.cmd("has-session", "-t", "e2e"); err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if errOut, _ := os.ReadFile(filepath.Join(dir, "stderr")); len(strings.TrimSpace(string(errOut))) > 0 {
		t.Errorf("the demo wrote to stderr while the TUI owned the terminal: %q", tuiFirstLine(string(errOut)))
	}
}

func tuiFirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
