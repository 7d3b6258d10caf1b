package token

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

func TestDecodesAndMasks(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "console")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 110, 60)
	if m.JWT() == nil || m.JWT().Subject != "alice" {
		t.Fatalf("jwt = %+v", m.JWT())
	}
	s := d.Screen()
	for _, want := range []string{
		"Bearer " + "••••••••", "in 4m 05s", "not granted", "api:write", "present", "55s ago", "HEADER", "fixture-key", "sub", "alice",
		"2026-03-14 09:30:58 UTC (in 4m05s)", "not verified: no OAuth engine",
	} {
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
	d := uitest.NewBusy(t, h, 110, 40)
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
	d := uitest.NewBusy(t, h, 110, 60)
	d.Wait(10*time.Second, "the token set", func() bool { return m.Value() != nil })
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

// A pane opened on a session catalog that does not list the token set yet
// (a flow stored it a moment ago; the reload is still on its way) reads
// the catalog with the value and shows the set, instead of "not found".
func TestOpensOnATokenSetNewerThanTheSnapshot(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	if _, err := v.PutSecret(context.Background(), vault.Secret{Meta: vault.Meta{Name: "fresh", Env: "dev"}, Type: vault.TypeOAuthToken, AuthClient: "billing-service"},
		&vault.SecretValue{AccessToken: "opaque-fresh-token-not-a-secret", TokenType: "Bearer"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Catalog.Secret("dev", "fresh"); ok {
		t.Fatal("the snapshot should predate the token set")
	}
	m := New(c, "dev", "fresh")
	// The host also hands the pane the (stale) snapshot while it loads.
	d := uitest.NewBusy(t, uitest.NewHost(c, m), 100, 30)
	d.Wait(10*time.Second, "the token set", func() bool { return m.Value() != nil || m.LoadErr() != nil })
	if m.LoadErr() != nil || m.Value() == nil || m.Value().AccessToken != "opaque-fresh-token-not-a-secret" {
		t.Fatalf("load err %v, value loaded %v", m.LoadErr(), m.Value() != nil)
	}
	s := d.Screen()
	if !strings.Contains(s, "billing-service · client credentials") || strings.Contains(s, "Create it first") {
		t.Errorf("screen:\n%s", s)
	}
}

// The ID token is decoded beside the access token on a wide pane and under
// it on a narrow one; neither raw token is shown.
func TestIDTokenBesideAccessToken(t *testing.T) {
	t.Parallel()
	for _, w := range []int{120, 80} {
		c := uitest.NewCommon(uitest.Fixture())
		m := New(c, "dev", "console")
		d := uitest.NewBusy(t, uitest.NewHost(c, m), w, 80)
		if m.IDToken() == nil || m.IDToken().Subject != "alice" {
			t.Fatalf("id token = %+v", m.IDToken())
		}
		s := d.Screen()
		beside := false
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "ACCESS TOKEN · CLAIMS") && strings.Contains(l, "ID TOKEN · CLAIMS") {
				beside = true
			}
		}
		if beside != (w >= 120) {
			t.Errorf("width %d: claims side by side = %v\n%s", w, beside, s)
		}
		for _, want := range []string{"Alice Example", "alice@example.test", "ID TOKEN · HEADER"} {
			if !strings.Contains(s, want) {
				t.Errorf("width %d: no %q", w, want)
			}
		}
		if strings.Contains(s, uitest.FixtureIDToken()[40:70]) || strings.Contains(s, uitest.FixtureJWT()[40:70]) {
			t.Error("a raw token is shown (S-30)")
		}
	}
}

// Copying an expired token that cannot be refreshed asks first: get a new
// one, or copy the dead one knowingly. Nothing is copied before the answer.
func TestCopyExpiredTokenAsks(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	c.Env = "staging"
	m := New(c, "staging", "reports")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 110, 40)
	d.Press("c")
	if len(h.Copies) != 0 {
		t.Fatal("an expired token was copied without a word")
	}
	if h.Dialog == nil || !strings.Contains(d.Screen(), "expired 1m 00s ago") || !strings.Contains(d.Screen(), "Get a new token") {
		t.Fatalf("no question about the expired token:\n%s", d.Screen())
	}
	d.Press("enter") // the first option: a new token
	if len(h.Copies) != 0 || len(h.Intents) != 1 {
		t.Fatalf("copies %d, intents %v", len(h.Copies), h.Intents)
	}
	if rf, ok := h.Intents[0].(common.RunFlowMsg); !ok || rf.Client != "reports" || !rf.Force {
		t.Errorf("intent = %#v, want the client's flow forced", h.Intents[0])
	}
	d.Press("c", "down", "enter")
	if len(h.Copies) != 1 || h.Copies[0].Value != "opaque-example-token-not-a-secret" {
		t.Errorf("copy anyway copied %d values", len(h.Copies))
	}
}

// A token set deleted elsewhere leaves the pane saying so, with the way to
// a new token instead of "Create it first".
func TestGoneTokenSetOffersANewOne(t *testing.T) {
	t.Parallel()
	v := uitest.Fixture()
	c := uitest.NewCommon(v)
	m := New(c, "dev", "console")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 110, 40)
	if err := v.RemoveSecret(context.Background(), "dev", "console"); err != nil {
		t.Fatal(err)
	}
	d.Send(common.CatalogMsg{Catalog: uitest.Catalog(v)})
	d.Settle()
	s := d.Screen()
	if !strings.Contains(s, "revoked or deleted") || !strings.Contains(s, "get a new token") && !strings.Contains(s, "to get a new token from the auth client console") {
		t.Errorf("screen:\n%s", s)
	}
	if m.Value() != nil || m.KeyMap().Copy.Enabled() || !m.KeyMap().Reauth.Enabled() {
		t.Error("the gone token set is still offered, or no new one is")
	}
	d.Press("a")
	if len(h.Intents) != 1 {
		t.Fatalf("intents = %v", h.Intents)
	}
	if rf := h.Intents[0].(common.RunFlowMsg); rf.Client != "console" {
		t.Errorf("flow for %q", rf.Client)
	}
}

// s opens the request console with this token set as the credential.
func TestSendARequestWithThisToken(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c, "dev", "console")
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 110, 40)
	d.Wait(10*time.Second, "the token set", func() bool { return m.Value() != nil })
	d.Press("s")
	if len(h.Intents) != 1 {
		t.Fatalf("intents = %v", h.Intents)
	}
	if o := h.Intents[0].(common.OpenRequestMsg); o.Auth != "console" || o.Env != "dev" || o.Name != "" {
		t.Errorf("open = %#v", o)
	}
}
