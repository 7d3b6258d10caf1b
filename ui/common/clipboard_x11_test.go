//go:build linux

package common

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// needX starts a private Xvfb server and returns its DISPLAY. CI installs
// Xvfb and xclip, so there a missing one fails the test; elsewhere the test
// is skipped with the reason.
func needX(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI (apt-get install -y xvfb xclip)", tool)
			}
			t.Skipf("%s not installed (apt-get install -y xvfb xclip)", tool)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// -displayfd: Xvfb picks a free display and writes its number on fd 3.
	x := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "320x240x24")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = x.Process.Kill(); _ = x.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report its display")
		}
		return ":" + n
	case <-time.After(15 * time.Second):
		t.Fatal("Xvfb did not start in 15 s")
	}
	return ""
}

// xclipOut reads the CLIPBOARD selection with the real xclip.
func xclipOut(t *testing.T, display string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xclip", "-out", "-selection", "clipboard")
	cmd.Env = []string{"DISPLAY=" + display}
	out, _ := cmd.Output() // no owner: xclip fails and the clipboard is empty
	return string(out)
}

// xclipIn sets the CLIPBOARD selection as another program would.
func xclipIn(t *testing.T, display, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-in", "-selection", "clipboard")
	cmd.Env = []string{"DISPLAY=" + display}
	cmd.Stdin = strings.NewReader(text)
	// xclip forks a selection owner that keeps running; it has no pipes of
	// ours, so Run returns when the parent exits.
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
}

// TestXclipCopyIsClearedOnTime covers S-31 with the real xclip on a real X
// server: the copy finishes at once although xclip's forked selection owner
// keeps running, the clear is due Clear after the copy, it empties a
// clipboard that still holds the value and leaves one the user changed, and
// quitting clears what is still ours (S-43).
func TestXclipCopyIsClearedOnTime(t *testing.T) {
	display := needX(t)
	t.Setenv("DISPLAY", display) // the tools run with the process environment
	opts := ClipboardOptions{
		Clear:   400 * time.Millisecond,
		Timeout: 3 * time.Second,
		Getenv:  func(k string) string { return map[string]string{"DISPLAY": display}[k] },
	}
	const secret = "xclip-secret-value-31f7"

	for _, userCopied := range []bool{false, true} {
		c := NewClipboard(opts)
		if !strings.Contains(c.Method(), "xclip") {
			t.Fatalf("method = %q, want xclip", c.Method())
		}
		start := time.Now()
		msg := c.Copy("token of api", secret)()
		done, ok := msg.(copyDoneMsg)
		if !ok || done.err != nil {
			t.Fatalf("copy: %#v %v", msg, done.err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("the copy took %s: it waited for xclip's selection owner", took)
		}
		if got := xclipOut(t, display); got != secret {
			t.Fatalf("the X clipboard holds %d bytes, not the copied value", len(got))
		}
		if userCopied {
			xclipIn(t, display, "the user copied this")
		}
		msgs := drive(c, []tea.Msg{msg})
		if s := status(msgs); !strings.HasPrefix(s, "Copied token of api via system clipboard (xclip); clears in") {
			t.Errorf("status = %q", s)
		}
		if took := time.Since(start); took > opts.Clear+2*time.Second {
			t.Errorf("the clear came %s after the copy (due after %s)", took, opts.Clear)
		}
		want := ""
		if userCopied {
			want = "the user copied this"
		}
		if got := xclipOut(t, display); got != want {
			t.Errorf("user copied: %v: clipboard holds %q, want %q", userCopied, got, want)
		}
		if c.Pending() != 0 {
			t.Errorf("%d copies pending", c.Pending())
		}
	}

	quit := opts
	quit.Clear = time.Hour
	c := NewClipboard(quit)
	if msg := c.Copy("token of api", secret)(); msg.(copyDoneMsg).err != nil {
		t.Fatal(msg)
	}
	if n := c.ClearPending(nil); n != 1 {
		t.Errorf("quit cleared %d copies", n)
	}
	if got := xclipOut(t, display); got != "" {
		t.Errorf("after quit the clipboard holds %d bytes", len(got))
	}
}
