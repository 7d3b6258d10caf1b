package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// In a team workspace whose shared value is encrypted to a
// passphrase-protected SSH key, the key's passphrase is asked for in a
// dialog of the TUI, never on the terminal under the alternate screen: esc
// leaves the value closed and says so, the passphrase typed opens it.
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

	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-keypass-%d", os.Getpid())}
	t.Cleanup(func() { _, _ = s.cmd("kill-server") })
	stderr := filepath.Join(dir, "tui.stderr")
	script := filepath.Join(dir, "tui.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncd "+repo+" && exec env -i "+strings.Join(env, " ")+" "+bin+" 2>>"+stderr+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	start := func() {
		t.Helper()
		s.must("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "35", script)
		// The list's check of which values this person can open asks.
		s.waitFor("Passphrase of your key", 20*time.Second)
	}
	start()
	s.keys("Escape")
	s.waitFor("● not set", 10*time.Second)
	s.keys("q")
	s.waitGone(10 * time.Second)

	start()
	s.typeText(keyPass)
	s.keys("Enter")
	s.waitFor("shared", 10*time.Second)
	s.keys("v")
	scr := s.waitFor(value, 30*time.Second)
	if strings.Contains(scr, keyPass) || strings.Contains(scr, "not set") {
		t.Errorf("after the passphrase: the passphrase is on screen, or the value is still marked not set:\n%s", scr)
	}
	s.keys("q")
	s.waitGone(10 * time.Second)
	if out, _ := os.ReadFile(stderr); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("the TUI wrote to stderr while it owned the terminal: %q", tuiFirstLine(string(out)))
	}
}
