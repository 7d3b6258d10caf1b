package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// buildTUITestKDF builds the binary with the test build's scrypt knob, so
// each process of the test does not pay a full-strength KDF.
func buildTUITestKDF(tb testing.TB) string {
	tb.Helper()
	return buildBinary(tb, tagsTestKDF)
}

// startTUI runs bin in a new tmux session with env and stderr to a file.
func startTUI(t *testing.T, s *tmuxSession, dir, bin string, env []string, name string) string {
	t.Helper()
	stderr := filepath.Join(dir, name+".stderr")
	script := filepath.Join(dir, name+".sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec env -i "+strings.Join(env, " ")+" "+bin+" 2>"+stderr+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.must("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", script)
	return stderr
}

// waitGone waits for the tmux session to end (the program quit).
func (s *tmuxSession) waitGone(timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, err := s.cmd("has-session", "-t", "e2e"); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the TUI did not quit; screen:\n%s", s.screen())
}

// The file vault's passphrase is asked for in a dialog of the TUI, never on
// stderr under the alternate screen: a new vault's passphrase is typed
// twice (two different ones are refused), the value is saved under the
// passphrase typed and reads back with it from the CLI; an existing vault
// asks once, and esc cancels without reading anything.
func TestTUIFileVaultPassphraseDialogTmux(t *testing.T) {
	tmux := needTool(t, "tmux", "tmux")
	bin := buildTUITestKDF(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	const pass, value = "correct horse battery", "sk_test_e2e_value_42"
	env := []string{
		"HOME=" + dir, "AUTHDECK_HOME=" + home, "AUTHDECK_VAULT=file", "AUTHDECK_TEST_SCRYPT_WORK_FACTOR=10",
		"TERM=xterm-256color", "PATH=" + os.Getenv("PATH"),
	}
	s := &tmuxSession{t: t, tmux: tmux, socket: fmt.Sprintf("authdeck-pass-%d", os.Getpid())}
	t.Cleanup(func() { _, _ = s.cmd("kill-server") })
	stderr := startTUI(t, s, dir, bin, env, "first")

	s.waitFor("press n to add", 20*time.Second)
	s.keys("n")
	s.waitFor("API key", 5*time.Second)
	s.keys("3")
	s.waitFor("New API key in default", 5*time.Second)
	// A refused field says why at once, in the real terminal's first
	// layout (no resize needed).
	s.keys("Enter")
	s.waitFor("name is required", 5*time.Second)
	s.typeText("stripe")
	s.keys("Enter", "Enter") // name, description
	s.typeText(value)
	s.keys("Enter", "Enter", "Enter", "Enter", "Enter", "Enter", "Enter") // key, header, query; expiry, tenant, hosts, placement
	s.waitFor("Choose a passphrase for the new file vault", 15*time.Second)
	s.typeText(pass)
	s.keys("Enter")
	s.waitFor("Type the new passphrase again", 5*time.Second)
	s.typeText(pass + "x")
	s.keys("Enter")
	s.waitFor("the two passphrases differ", 5*time.Second)
	if _, err := os.Stat(filepath.Join(home, vault.FileVaultName)); err == nil {
		t.Fatal("the vault was written before the passphrase was confirmed")
	}
	s.keys("C-u")
	s.typeText(pass)
	s.keys("Enter")
	scr := s.waitFor("Created", 30*time.Second)
	if strings.Contains(scr, pass) || strings.Contains(scr, value) {
		t.Error("the passphrase or the value is on screen")
	}
	s.keys("q")
	s.waitGone(10 * time.Second)
	if out, _ := os.ReadFile(stderr); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("the TUI wrote to stderr while it owned the terminal: %q", tuiFirstLine(string(out)))
	}

	// The CLI reads the value back with the passphrase typed in the dialog.
	show := exec.Command(bin, "secret", "show", "stripe", "--reveal")
	show.Env = append(env, "AUTHDECK_PASSPHRASE="+pass)
	if out, err := show.CombinedOutput(); err != nil || !strings.Contains(string(out), value) {
		t.Fatalf("secret show --reveal with the passphrase typed in the TUI: %v (value shown: %v)", err, strings.Contains(string(out), value))
	}

	// An existing vault: the dialog asks once; esc cancels and reads nothing.
	stderr = startTUI(t, s, dir, bin, env, "second")
	s.waitFor("stripe", 20*time.Second)
	s.keys("v")
	scr = s.waitFor("Passphrase of the file vault", 15*time.Second)
	if strings.Contains(scr, "Choose a passphrase") {
		t.Error("an existing vault is treated as a new one")
	}
	s.keys("Escape")
	s.waitFor("No passphrase given for the file vault", 10*time.Second)
	s.keys("v")
	s.waitFor("Passphrase of the file vault", 15*time.Second)
	s.typeText(pass)
	s.keys("Enter")
	s.waitFor(value, 30*time.Second)
	s.keys("q")
	s.waitGone(10 * time.Second)
	if out, _ := os.ReadFile(stderr); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("the TUI wrote to stderr while it owned the terminal: %q", tuiFirstLine(string(out)))
	}
}
