package token

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/uitest"
)

func TestDecodesAndMasks(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "console")
	h := uitest.NewHost(c, m)
	d := uitest.New(t, h, 110, 60)
	if m.JWT() == nil || m.JWT().Subject != "alice" {
		t.Fatalf("jwt = %+v", m.JWT())
	}
	s := d.Screen()
	for _, want := range []string{"Bearer " + "••••••••", "in 4m 05s", "not granted", "api:write", "present", "55s ago", "HEADER", "fixture-key", "sub", "alice",
		"2026-03-14 09:30:58 UTC (in 4m05s)", "not verified: no OAuth engine"} {
		if !strings.Contains(s, want) {
			t.Errorf("token pane lacks %q:\n%s", want, s)
		}
	}
	tok := uitest.FixtureJWT()
	if strings.Contains(s, tok[:30]) || strings.Contains(s, uitest.FixtureRefresh) {
		t.Fatal("the token is shown before reveal (S-30)")
	}
	d.Press("v")
	if !strings.Contains(d.Screen(), tok[:30]) {
		t.Fatal("v does not reveal")
	}
	if strings.Contains(d.Screen(), uitest.FixtureRefresh) {
		t.Error("revealing the access token showed the refresh token")
	}
	m.Blur()
	if m.Revealed() {
		t.Error("covering the pane left the token revealed")
	}
	d.Press("c")
	if len(h.Copies) != 1 || h.Copies[0].Value != tok {
		t.Error("c did not copy the access token")
	}
	// Without an engine the actions that need one are not offered.
	if m.KeyMap().Introspect.Enabled() != true {
		// the client exists, so introspection is offered; it reports the missing engine
		d.Press("I")
	}
}

func TestOpaqueTokenAndCountdown(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	c.Env = "staging"
	m := New(c, "staging", "reports")
	h := uitest.NewHost(c, m)
	d := uitest.New(t, h, 110, 40)
	s := d.Screen()
	if !strings.Contains(s, "opaque token") || !strings.Contains(s, "expired 1m 00s ago") {
		t.Errorf("screen:\n%s", s)
	}
	if m.KeyMap().Refresh.Enabled() {
		t.Error("refresh offered without a refresh token")
	}
	// The countdown follows the clock.
	later := uitest.FixtureNow.Add(30 * time.Second)
	c.Now = func() time.Time { return later }
	if !strings.Contains(ansi.Strip(uitest.ViewString(h)), "expired 1m 30s ago") {
		t.Error("the countdown does not move with time")
	}
}

func TestTicksOnlyWhileVisible(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "console")
	if m.tick() == nil {
		t.Fatal("no countdown tick while visible")
	}
	m.Blur()
	if m.tick() != nil {
		t.Error("ticking while covered")
	}
	old := m.tickGen
	if m.Focus() == nil || m.tickGen == old {
		t.Error("no tick after coming back")
	}
	if cmd := m.Update(tickMsg{gen: old}); cmd != nil {
		t.Error("a stale tick re-armed the timer")
	}
	m.Close()
	if m.Value() != nil {
		t.Error("Close kept the token in memory")
	}
}

func TestVerificationStatusRendering(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "console")
	h := uitest.NewHost(c, m)
	uitest.New(t, h, 110, 60)
	for _, tt := range []struct {
		v    oauth.Verification
		want string
	}{
		{oauth.Verification{Status: oauth.Verified, KeyID: "k1"}, "✓ verified with key k1"},
		{oauth.Verification{Status: oauth.VerifyFailed, Reason: "bad signature"}, "✗ failed: bad signature"},
		{oauth.Verification{Status: oauth.NotVerified, Reason: "no key set"}, "not verified: no key set"},
	} {
		v := tt.v
		m.verify = &v
		if s := ansi.Strip(uitest.ViewString(h)); !strings.Contains(s, tt.want) {
			t.Errorf("want %q in view", tt.want)
		}
	}
}
