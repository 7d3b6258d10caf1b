package statusline

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
)

func TestMessagesExpire(t *testing.T) {
	t.Parallel()
	st := styles.New(themes.Builtin()[0], true)
	m := New(func() *styles.Styles { return st })
	m.SetWidth(30)
	first := m.Show(common.StatusMsg{Kind: common.StatusError, Text: "first\nline", TTL: 5 * time.Millisecond})
	if v := ansi.Strip(m.View()); !strings.HasPrefix(v, "✗ first line") {
		t.Fatalf("view = %q", v)
	}
	second := m.Show(common.StatusMsg{Kind: common.StatusSuccess, Text: strings.Repeat("long message ", 5), TTL: 5 * time.Millisecond})
	// The first message's timer must not clear the second message.
	if !m.Update(first()) || m.Text() == "" {
		t.Fatal("an old timer cleared the newer message")
	}
	if w := ansi.StringWidth(m.View()); w > 30 {
		t.Errorf("status line is %d wide", w)
	}
	m.Update(second())
	if m.Text() != "" || m.View() != "" {
		t.Error("the message did not expire")
	}
	if m.Update("something else") {
		t.Error("claimed a foreign message")
	}
}

// A problem shown on a screen goes when that screen is left; a success, or
// a problem shown on the screen below, stays for its time.
func TestProblemsGoWithTheirScreen(t *testing.T) {
	t.Parallel()
	st := styles.New(themes.Builtin()[0], true)
	m := New(func() *styles.Styles { return st })
	m.SetWidth(60)
	depth := 2
	m.Depth = func() int { return depth }
	for _, tc := range []struct {
		kind   common.StatusKind
		shown  int
		stays  bool
		reason string
	}{
		{common.StatusError, 2, false, "an error shown on the screen just left"},
		{common.StatusWarning, 3, false, "a warning shown deeper still"},
		{common.StatusSuccess, 2, true, "a success"},
		{common.StatusInfo, 2, true, "an information"},
		{common.StatusError, 1, true, "an error shown on the screen below, after the pop"},
	} {
		depth = tc.shown
		m.Show(common.StatusMsg{Kind: tc.kind, Text: "message"})
		m.LeftScreen(1)
		if got := m.Text() != ""; got != tc.stays {
			t.Errorf("%s: stays = %v, want %v", tc.reason, got, tc.stays)
		}
	}
}
