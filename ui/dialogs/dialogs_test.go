package dialogs

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
)

type chosen struct{ n int }

func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	switch m := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, run(c)...)
		}
		return out
	case nil:
		return nil
	}
	return []tea.Msg{msg}
}

func has[T any](msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(T); ok {
			return true
		}
	}
	return false
}

func TestConfirmDefaultsToNo(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	yes := func() tea.Msg { return chosen{1} }
	tests := []struct {
		keys []string
		want bool
	}{
		{[]string{"enter"}, false},
		{[]string{"n"}, false},
		{[]string{"esc"}, false},
		{[]string{"y"}, true},
		{[]string{"right", "enter"}, true},
		{[]string{"right", "left", "enter"}, false},
	}
	for _, tt := range tests {
		d := NewConfirm(c, "Delete?", "body", "Delete", yes)
		var msgs []tea.Msg
		for _, k := range tt.keys {
			msgs = append(msgs, run(d.Update(uitest.Key(k)))...)
		}
		if got := has[chosen](msgs); got != tt.want {
			t.Errorf("%v: yes=%v, want %v", tt.keys, got, tt.want)
		}
		if (len(msgs) > 0) != has[common.CloseDialogMsg](msgs) {
			t.Errorf("%v: answered without closing", tt.keys)
		}
	}
}

func TestChoiceDigitsAndCurrent(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	opts := []Option{
		{Label: "a", Cmd: func() tea.Msg { return chosen{0} }},
		{Label: "b", Cmd: func() tea.Msg { return chosen{1} }, Current: true},
		{Label: "c", Cmd: func() tea.Msg { return chosen{2} }},
	}
	d := NewChoice(c, "Pick", opts)
	if d.Cursor() != 1 {
		t.Errorf("cursor starts at %d, want the current option", d.Cursor())
	}
	if v := ansi.Strip(d.View()); !strings.Contains(v, "b (current)") {
		t.Errorf("view:\n%s", v)
	}
	seq := d.Update(uitest.Key("3"))
	if seq == nil {
		t.Fatal("3 did nothing")
	}
	for range 3 {
		d.Update(uitest.Key("up"))
	}
	if d.Cursor() != 2 {
		t.Errorf("up wraps to %d", d.Cursor())
	}
}

func TestPromptValidatesAndMasks(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	var got string
	d := NewPrompt(c, PromptOptions{
		Title: "Passphrase", Secret: true,
		Validate: func(s string) error {
			if len(s) < 3 {
				return errors.New("too short")
			}
			return nil
		},
		OnSubmit: func(s string) tea.Cmd { got = s; return nil },
	})
	d.SetSize(80, 24)
	for _, r := range "ab" {
		d.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.Update(uitest.Key("enter"))
	if d.Err() != "too short" || got != "" {
		t.Fatalf("err %q, submitted %q", d.Err(), got)
	}
	if strings.Contains(ansi.Strip(d.View()), "ab") {
		t.Error("a secret prompt echoes")
	}
	d.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	d.Update(uitest.Key("enter"))
	if got != "abc" {
		t.Errorf("submitted %q", got)
	}
	if !d.Capturing() {
		t.Error("a prompt must capture letters")
	}
}

func TestInfoCopiesPublicText(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	d := NewInfo(c, "JWKS", `{"keys":[]}`, "public key (JWKS)")
	msgs := run(d.Update(uitest.Key("c")))
	if len(msgs) != 1 {
		t.Fatalf("c gave %v", msgs)
	}
	if cp, ok := msgs[0].(common.CopyMsg); !ok || cp.Value != `{"keys":[]}` {
		t.Errorf("copy = %#v", msgs[0])
	}
	if !has[common.CloseDialogMsg](run(d.Update(uitest.Key("esc")))) {
		t.Error("esc did not close")
	}
	if NewInfo(c, "x", "y", "").ShortHelp()[0].Enabled() {
		t.Error("copy offered without a label")
	}
}
