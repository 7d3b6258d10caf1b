package ui

import (
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/wizard"
)

// An error shown on a screen is gone from the status line once that screen
// is left; one shown after going back stays.
func TestStatusErrorGoesWithItsScreen(t *testing.T) {
	t.Parallel()
	d, m, _ := demoApp(t, nil)
	d.Send(common.PushMsg{Screen: wizard.New(m.Common(), "dev")})
	d.Send(common.StatusMsg{Kind: common.StatusError, Text: "about the wizard"})
	if m.Status() != "about the wizard" {
		t.Fatalf("status = %q", m.Status())
	}
	d.Send(common.PopMsg{})
	if m.Status() != "" {
		t.Errorf("the wizard's error is still on the status line after leaving it: %q", m.Status())
	}
	d.Send(common.StatusMsg{Kind: common.StatusError, Text: "about the list"})
	d.Send(common.PushMsg{Screen: wizard.New(m.Common(), "dev")})
	if m.Status() != "about the list" {
		t.Errorf("an error went when a screen was opened over it: %q", m.Status())
	}
}
