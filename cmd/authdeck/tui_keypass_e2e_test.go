package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// In a team workspace whose shared value is encrypted to a
// passphrase-protected SSH key, the TUI starts without asking for the key's
// passphrase: which values this person still has to set is told from the
// shared files' headers, so the value is not marked "not set" and no dialog
// comes up. The passphrase is asked for in a dialog of the TUI (never on the
// terminal under the alternate screen) when the value is used: revealing it
// (esc leaves it closed and says so), sending a request with it (the
// passphrase typed opens it and the request carries it), and once opened it
// is not asked for again.
func TestTUISSHKeyPassphraseDialogTmux(t *testing.T) {
	tmux := needTool(t, "tmux", "tmux")
	keygen := needTool(t, "ssh-keygen", "openssh-client")
	bin := buildTUI(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	const keyPass, value = "key pass 1", "sk_test_sharedE2E0042"
	key := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", keyPass, "-C", "alice", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	env := []string{
		"HOME=" + dir, "AUTHDECK_HOME=" + filepath.Join(dir, "home"), "AUTHDECK_VAULT=memory",
		"AUTHDECK_IDENTITY=" + key, "TERM=xterm-256color", "PATH=" + os.Getenv("PATH"),
	}
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env, cmd.Stdin = repo, env, strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("authdeck %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("", "init") // adds this person to the team, by the key AUTHDECK_IDENTITY names
	run(value, "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--shared")

	// A request of the workspace sent with the shared value, as a teammate
	// would commit it (a .http file of the folder).
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	reqDir := filepath.Join(repo, "authdeck", "environments", "default", "requests")
	if err := os.MkdirAll(reqDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(reqDir, "me.http"), []byte("### me\n# @auth stripe\nGET "+srv.URL+"/me\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-keypass-%d", os.Getpid())}
	t.Cleanup(func() { _, _ = s.cmd("kill-server") })
	stderr := filepath.Join(dir, "tui.stderr")
	script := filepath.Join(dir, "tui.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncd "+repo+" && exec env -i "+strings.Join(env, " ")+" "+bin+" 2>>"+stderr+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.must("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "35", script)
	// "(you)" beside the member comes with the result of the check of which
	// values this person has: the check is over, and it asked for nothing
	// (it would still be waiting for the dialog's answer).
	scr := s.waitFor("(you)", 20*time.Second)
	if strings.Contains(scr, "Passphrase of your key") || strings.Contains(scr, "not set") {
		t.Fatalf("at start: a passphrase dialog, or the shared value marked not set:\n%s", scr)
	}

	// Revealing the value asks; esc leaves it closed and says so, and the
	// list still does not mark it.
	s.keys("v")
	s.waitFor("Passphrase of your key", 20*time.Second)
	s.keys("Escape")
	scr = s.waitFor("is shared with the team, but", 10*time.Second)
	if strings.Contains(scr, "not set") || strings.Contains(scr, value) {
		t.Errorf("after esc: the value marked not set, or shown:\n%s", scr)
	}

	// Sending the request asks again; the passphrase typed opens the value
	// and the request carries it.
	s.keys("Down")
	s.waitFor("me GET", 10*time.Second)
	s.keys("Enter")
	s.waitFor("ctrl+s sends", 10*time.Second)
	s.keys("C-s")
	s.waitFor("Passphrase of your key", 20*time.Second)
	s.typeText(keyPass)
	s.keys("Enter")
	scr = s.waitFor("200 OK", 20*time.Second)
	if strings.Contains(scr, keyPass) {
		t.Errorf("the passphrase is on screen:\n%s", scr)
	}
	mu.Lock()
	got := slices.Clone(auths)
	mu.Unlock()
	if len(got) != 1 || got[0] != value {
		t.Errorf("the server got %d requests (Authorization as expected: %v), want 1 carrying the shared value", len(got), len(got) == 1 && got[0] == value)
	}

	// The key is open now: revealing asks nothing more.
	s.keys("Escape")
	s.waitFor("REQUESTS 1", 10*time.Second)
	s.keys("Up")
	s.waitFor("(you)", 10*time.Second)
	s.keys("v")
	scr = s.waitFor(value, 30*time.Second)
	if strings.Contains(scr, "Passphrase of your key") || strings.Contains(scr, "not set") {
		t.Errorf("after the passphrase: asked again, or the value marked not set:\n%s", scr)
	}
	s.keys("q")
	s.waitGone(10 * time.Second)
	if out, _ := os.ReadFile(stderr); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("the TUI wrote to stderr while it owned the terminal: %q", tuiFirstLine(string(out)))
	}
}
