package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTUIVariablesTmux drives the Variables section of `authdeck demo` in
// tmux with keys only: n → Variable opens the form; a bad name's message
// shows at once (no resize needed); a secret variable is added with its
// value masked while typed and never on screen after, the cursor lands on
// it; s asks before making it plain and then shows its value; d asks and
// removes it.
func TestTUIVariablesTmux(t *testing.T) {
	tmux := needTool(t, "tmux", "tmux")
	bin := buildTUI(t)
	dir := t.TempDir()
	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-vars-%d", os.Getpid())}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g default-terminal tmux-256color\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "AUTHDECK_HOME=" + filepath.Join(dir, "home"), "AUTHDECK_CLIPBOARD=osc52", "BROWSER=true", "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")}
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec env -i "+strings.Join(env, " ")+" "+bin+" demo 2>"+filepath.Join(dir, "stderr")+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.must("-f", conf, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", script)
	t.Cleanup(func() { _, _ = s.cmd("kill-server") })
	s.waitFor("demo API http://", 30*time.Second)

	// n → "Variable" (the eleventh choice, after "Request").
	s.keys("n")
	s.waitFor("New in dev", 10*time.Second)
	for range 10 {
		s.keys("Down")
	}
	s.keys("Enter")
	s.waitFor("New variable in dev", 10*time.Second)

	s.typeText("api$Token")
	s.keys("Enter")
	s.waitFor("(found '$')", 10*time.Second)
	for range 6 {
		s.keys("BSpace")
	}
	s.typeText("Token")
	s.keys("Enter") // the name
	s.waitFor("Kind", 10*time.Second)
	s.keys("Down", "Enter") // secret
	s.waitFor("fills {{apiToken}}", 10*time.Second)

	const value = "e2e-variable-secret-0001"
	s.typeText(value)
	scr := s.waitFor(strings.Repeat("*", len(value)), 10*time.Second)
	if strings.Contains(scr, value) {
		t.Fatalf("the secret value is echoed while typed:\n%s", scr)
	}
	s.keys("Enter")
	scr = s.waitFor(`Set apiToken in environment "dev" (secret`, 15*time.Second)
	if strings.Contains(scr, value) {
		t.Fatalf("the secret value is on screen after saving:\n%s", scr)
	}
	if !strings.Contains(scr, "▌ apiToken secret") || !strings.Contains(scr, "{{apiToken}}") {
		t.Fatalf("the cursor is not on the new variable:\n%s", scr)
	}

	// s on a secret variable asks; y makes it plain, and its value shows.
	s.keys("s")
	s.waitFor("Make apiToken plain?", 10*time.Second)
	s.keys("y")
	scr = s.waitFor("Made apiToken plain", 15*time.Second)
	if !strings.Contains(s.waitFor(value, 10*time.Second), "▌ apiToken plain") {
		t.Errorf("after making it plain the cursor moved:\n%s", scr)
	}

	// d asks; y removes it.
	s.keys("d")
	s.waitFor("Delete variable apiToken?", 10*time.Second)
	s.keys("y")
	scr = s.waitFor(`Removed apiToken from environment "dev"`, 15*time.Second)
	if strings.Contains(scr, "apiToken plain") {
		t.Errorf("the deleted variable is still listed:\n%s", scr)
	}
	if errOut, _ := os.ReadFile(filepath.Join(dir, "stderr")); len(strings.TrimSpace(string(errOut))) > 0 {
		t.Errorf("the demo wrote to stderr while the TUI owned the terminal: %q", tuiFirstLine(string(errOut)))
	}
}
