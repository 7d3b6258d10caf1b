package common

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// flatten runs cmd and returns every message it produces (batches and
// sequences expanded).
func flatten(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, flatten(v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

func osc52(msgs []tea.Msg) (string, bool) {
	for _, m := range msgs {
		v := reflect.ValueOf(m)
		if v.Kind() == reflect.String && strings.HasSuffix(v.Type().String(), "setClipboardMsg") {
			return v.String(), true
		}
	}
	return "", false
}

func status(msgs []tea.Msg) string {
	for _, m := range msgs {
		if s, ok := m.(StatusMsg); ok {
			return s.Text
		}
	}
	return ""
}

// drive feeds msgs to the clipboard until it has nothing more to say, and
// returns everything that was produced.
func drive(c *Clipboard, msgs []tea.Msg) []tea.Msg {
	var all []tea.Msg
	for len(msgs) > 0 {
		m := msgs[0]
		msgs = msgs[1:]
		all = append(all, m)
		if cmd, ok := c.Update(m); ok {
			msgs = append(msgs, flatten(cmd)...)
		}
	}
	return all
}

// terminal plays the terminal for OSC 52: it keeps what the program set and,
// when answers is true, answers reads with it, as a terminal that supports
// OSC 52 queries does (tmux and many others never answer).
type terminal struct {
	clip    string
	answers bool
	reads   int
}

// drive feeds msgs to the clipboard, and the terminal's answers back, until
// nothing more comes, and returns everything that was produced.
func (term *terminal) drive(c *Clipboard, msgs []tea.Msg) []tea.Msg {
	var all []tea.Msg
	for len(msgs) > 0 {
		m := msgs[0]
		msgs = msgs[1:]
		all = append(all, m)
		v := reflect.ValueOf(m)
		switch name := v.Type().String(); {
		case strings.HasSuffix(name, "setClipboardMsg"):
			term.clip = v.String()
		case strings.HasSuffix(name, "readClipboardMsg"):
			term.reads++
			if term.answers {
				msgs = append([]tea.Msg{tea.ClipboardMsg{Content: term.clip}}, msgs...)
			}
		}
		if cmd, ok := c.Update(m); ok {
			msgs = append(msgs, flatten(cmd)...)
		}
	}
	return all
}

func statuses(msgs []tea.Msg) []string {
	var out []string
	for _, m := range msgs {
		if s, ok := m.(StatusMsg); ok {
			out = append(out, s.Text)
		}
	}
	return out
}

// TestOSC52ClearsOnlyIfUnchangedWhenTheTerminalAnswers covers S-31 for OSC
// 52 on a terminal that answers reads: the status says OSC 52, and the clear
// happens only when the terminal still holds the copied value.
func TestOSC52ClearsOnlyIfUnchangedWhenTheTerminalAnswers(t *testing.T) {
	t.Parallel()
	for _, userCopied := range []bool{false, true} {
		c := NewClipboard(ClipboardOptions{Mode: "osc52", Clear: 20 * time.Millisecond, ReadWait: 20 * time.Millisecond})
		term := &terminal{answers: true}
		// A first copy teaches the clipboard that this terminal answers.
		term.drive(c, flatten(c.Copy("id token of web", "first-value")))
		if term.reads < 1 || term.clip != "" {
			t.Fatalf("reads %d, clipboard %q after the first copy's clear", term.reads, term.clip)
		}
		copyCmd := c.Copy("access token of api", "tok-value")
		msgs := flatten(copyCmd)
		if v, ok := osc52(msgs); !ok || v != "tok-value" {
			t.Fatalf("no OSC 52 copy of the value")
		}
		if s := status(msgs); !strings.Contains(s, "OSC 52") || !strings.Contains(s, "access token of api") || !strings.Contains(s, "clears in") || !strings.Contains(s, "if unchanged") {
			t.Errorf("status = %q", s)
		}
		if strings.Contains(strings.Join(statuses(msgs), " "), "tok-value") {
			t.Error("the status shows the value")
		}
		// The user copies something else before the time is up: the
		// terminal reports it, and it is left alone.
		all := []tea.Msg{}
		for _, m := range msgs {
			all = append(all, m)
			if userCopied && strings.HasSuffix(reflect.TypeOf(m).String(), "setClipboardMsg") {
				all = append(all, userCopy("the user copied this"))
			}
		}
		term.drive(c, all)
		want := ""
		if userCopied {
			want = "the user copied this"
		}
		if term.clip != want {
			t.Errorf("user copied: %v; terminal clipboard %q, want %q", userCopied, term.clip, want)
		}
		if c.Pending() != 0 {
			t.Errorf("%d copies still pending", c.Pending())
		}
	}
}

// userCopy stands for the user copying text in another program: the
// terminal's clipboard changes without the program saying so.
func userCopy(text string) tea.Msg { return tea.SetClipboard(text)() }

// TestOSC52OverwritesWhenTheTerminalIsSilent covers S-43: a terminal that
// never answers reads (tmux, many others) gets a status that says the copy
// will be overwritten, and it is, when its time is up.
func TestOSC52OverwritesWhenTheTerminalIsSilent(t *testing.T) {
	t.Parallel()
	c := NewClipboard(ClipboardOptions{Mode: "osc52", Clear: 20 * time.Millisecond, ReadWait: 20 * time.Millisecond})
	term := &terminal{}
	msgs := term.drive(c, flatten(c.Copy("access token of api", "tok-value")))
	st := statuses(msgs)
	if len(st) < 2 || !strings.Contains(st[0], "by overwriting, if the terminal can't report") {
		t.Fatalf("statuses = %q", st)
	}
	if !strings.Contains(st[len(st)-1], "Overwrote the terminal clipboard") {
		t.Errorf("last status = %q", st[len(st)-1])
	}
	if term.clip != "" || c.Pending() != 0 {
		t.Errorf("terminal clipboard %q, %d pending", term.clip, c.Pending())
	}
}

// TestClearPendingOnQuit covers S-43: copies still waiting are cleared when
// the program ends, an OSC 52 one by overwriting it.
func TestClearPendingOnQuit(t *testing.T) {
	t.Parallel()
	c := NewClipboard(ClipboardOptions{Mode: "osc52", Clear: time.Hour})
	_ = c.Copy("access token of api", "tok-value")
	var out strings.Builder
	if n := c.ClearPending(&out); n != 1 || out.String() != "\x1b]52;c;\x07" {
		t.Errorf("cleared %d, wrote %q", n, out.String())
	}
	if c.Pending() != 0 {
		t.Error("copies still pending after quit")
	}

	opts, clip, _ := fakeTool(t, false)
	opts.Clear = time.Hour
	sys := NewClipboard(opts)
	flatten(sys.Copy("key of weather", "system-value"))
	if n := sys.ClearPending(nil); n != 1 {
		t.Errorf("cleared %d system copies", n)
	}
	if b, _ := os.ReadFile(clip); string(b) != "" {
		t.Errorf("the system clipboard still holds %q after quit", b)
	}
}

// fakeTool installs an "xclip" that keeps the clipboard in a file and
// records its environment.
func fakeTool(t *testing.T, fail bool) (ClipboardOptions, string, string) {
	t.Helper()
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip")
	envFile := filepath.Join(dir, "env")
	script := "#!/bin/sh\nenv > " + envFile + "\n"
	if fail {
		script += "echo 'Error: Can'\\''t open display' >&2\nexit 1\n"
	} else {
		script += "case \"$1\" in -in) cat > " + clip + ";; -out) cat " + clip + ";; esac\n"
	}
	tool := filepath.Join(dir, "xclip")
	if err := os.WriteFile(tool, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	opts := ClipboardOptions{
		Clear:  20 * time.Millisecond,
		Getenv: func(k string) string { return map[string]string{"DISPLAY": ":0"}[k] },
		LookPath: func(name string) (string, error) {
			if name == "xclip" {
				return tool, nil
			}
			return "", os.ErrNotExist
		},
	}
	return opts, clip, envFile
}

func TestSystemClipboardCopyAndClear(t *testing.T) {
	t.Setenv("AUTHDECK_PASSPHRASE", "passphrase-that-must-not-leak")
	for _, changed := range []bool{false, true} {
		opts, clip, envFile := fakeTool(t, false)
		c := NewClipboard(opts)
		if !strings.Contains(c.Method(), "xclip") {
			t.Fatalf("method = %q", c.Method())
		}
		copied := flatten(c.Copy("key of weather", "system-value"))
		if b, _ := os.ReadFile(clip); string(b) != "system-value" {
			t.Fatalf("the tool did not receive the value on stdin")
		}
		if changed {
			if err := os.WriteFile(clip, []byte("the user copied this"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		msgs := drive(c, copied)
		if s := status(msgs); !strings.Contains(s, "system clipboard (xclip)") {
			t.Errorf("status = %q", s)
		}
		b, _ := os.ReadFile(clip)
		if changed && string(b) != "the user copied this" {
			t.Error("the user's own clipboard content was cleared")
		}
		if !changed && string(b) != "" {
			t.Error("the copied value was not cleared")
		}
		env, _ := os.ReadFile(envFile)
		if strings.Contains(string(env), "passphrase-that-must-not-leak") {
			t.Error("the clipboard tool saw AUTHDECK_PASSPHRASE (S-33)")
		}
	}
}

func TestSystemClipboardFailureFallsBackToOSC52(t *testing.T) {
	t.Parallel()
	opts, _, _ := fakeTool(t, true)
	c := NewClipboard(opts)
	msgs := drive(c, flatten(c.Copy("key", "fallback-value")))
	if v, ok := osc52(msgs); !ok || v != "fallback-value" {
		t.Fatal("no OSC 52 fallback")
	}
	if s := status(msgs); !strings.Contains(s, "OSC 52") {
		t.Errorf("status = %q", s)
	}
}

func TestRemoteUsesOSC52(t *testing.T) {
	t.Parallel()
	opts, _, _ := fakeTool(t, false)
	opts.Remote = true
	if m := NewClipboard(opts).Method(); m != MethodOSC52 {
		t.Errorf("over SSH the method is %q", m)
	}
	if !IsRemote(func(k string) string { return map[string]string{"SSH_TTY": "/dev/pts/1"}[k] }) {
		t.Error("SSH_TTY not recognised")
	}
	if IsRemote(func(string) string { return "" }) {
		t.Error("a local session counted as remote")
	}
}
