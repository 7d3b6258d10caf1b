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

// TestOSC52CopyClearsOnlyIfUnchanged covers S-31 for OSC 52: the status
// says OSC 52, and the clear happens only when the terminal reports that it
// still holds the copied value.
func TestOSC52CopyClearsOnlyIfUnchanged(t *testing.T) {
	t.Parallel()
	for _, unchanged := range []bool{true, false} {
		c := NewClipboard(ClipboardOptions{Mode: "osc52", Clear: 20 * time.Millisecond})
		msgs := drive(c, flatten(c.Copy("access token of api", "tok-value")))
		v, ok := osc52(msgs)
		if !ok || v != "tok-value" {
			t.Fatalf("no OSC 52 copy of the value")
		}
		if s := status(msgs); !strings.Contains(s, "OSC 52") || !strings.Contains(s, "access token of api") || !strings.Contains(s, "clears in") {
			t.Errorf("status = %q", s)
		}
		if strings.Contains(status(msgs), "tok-value") {
			t.Error("the status shows the value")
		}
		// the timer fired (the tick ran inside flatten); the clipboard asked the terminal
		reply := "something else"
		if unchanged {
			reply = "tok-value"
		}
		after := drive(c, []tea.Msg{tea.ClipboardMsg{Content: reply}})
		cleared, ok := osc52(after)
		if unchanged && (!ok || cleared != "") {
			t.Error("an unchanged clipboard was not cleared")
		}
		if !unchanged && ok {
			t.Error("a clipboard the user changed was cleared")
		}
		if c.Pending() != 0 {
			t.Errorf("%d copies still pending", c.Pending())
		}
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
