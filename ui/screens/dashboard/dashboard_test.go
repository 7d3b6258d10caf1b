package dashboard

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// TestListsEveryEnvironmentWithoutStoreCalls: the dashboard reads catalog
// metadata only.
func TestListsEveryEnvironmentWithoutStoreCalls(t *testing.T) {
	t.Parallel()
	base := uitest.Fixture()
	counting := vaulttest.NewCountingStore(base.Store())
	v := vault.New(base.Catalogs(), counting)
	c := uitest.NewCommon(v)
	m := New(c)
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 120, 30)
	d.Busy = uitest.StoreBusy // a copy or a delete still at work holds each step back
	if n := counting.Calls(); n != 0 {
		t.Fatalf("listing made %d store calls", n)
	}
	if len(m.Rows()) != 2 {
		t.Fatalf("rows = %d", len(m.Rows()))
	}
	s := d.Screen()
	for _, want := range []string{"console", "dev", "staging", "reports", "in 4m 05s", "expired 1m", "✓", "55s ago"} {
		if !strings.Contains(s, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, s)
		}
	}
	if !m.KeyMap().Refresh.Enabled() {
		t.Error("refresh not offered for a token set with a refresh token")
	}
	d.Press("down")
	if m.KeyMap().Refresh.Enabled() {
		t.Error("refresh offered for a token set without a refresh token")
	}
	// reports expired a minute ago and has no refresh token: not copied,
	// and the status says how to get a new one.
	d.Press("c")
	if len(h.Copies) != 0 {
		t.Fatal("an expired token was copied")
	}
	if st := h.LastStatus(); !strings.Contains(st, "expired 1m 00s ago") || !strings.Contains(st, "press a") {
		t.Errorf("status = %q", st)
	}
	d.Press("G", "g", "c") // console, still valid
	if len(h.Copies) != 1 || h.Copies[0].Value != uitest.FixtureJWT() {
		t.Fatalf("copy = %d copies", len(h.Copies))
	}
	d.Press("G")
	d.Press("enter")
	if ot, ok := h.Intents[len(h.Intents)-1].(common.OpenTokenMsg); !ok || ot.Env != "staging" || ot.Secret != "reports" {
		t.Errorf("enter sent %#v", h.Intents[len(h.Intents)-1])
	}
	d.Press("d", "y")
	if _, ok := uitest.Catalog(v).Secret("staging", "reports"); ok {
		t.Error("d y did not delete the token set")
	}
	if len(m.Rows()) != 1 {
		t.Errorf("rows after delete = %d", len(m.Rows()))
	}
}

func TestTicksOnlyWhileVisible(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(uitest.Fixture())
	m := New(c)
	if m.Init() == nil {
		t.Fatal("no countdown although token sets expire")
	}
	m.Blur()
	if m.tick() != nil {
		t.Error("ticking while covered")
	}
	if m.Focus() == nil {
		t.Error("no countdown after coming back")
	}
	empty := New(uitest.NewCommon(vault.NewMemory()))
	if empty.Init() != nil {
		t.Error("ticking with nothing to count down")
	}
}

// TestListsOAuth1TokenCredentials: OA1 token credentials are listed from
// catalog metadata like token sets, with only the actions that apply.
func TestListsOAuth1TokenCredentials(t *testing.T) {
	t.Parallel()
	base := uitest.Fixture()
	uitest.AddOAuth1(base)
	counting := vaulttest.NewCountingStore(base.Store())
	v := vault.New(base.Catalogs(), counting)
	c := uitest.NewCommon(v)
	m := New(c)
	h := uitest.NewHost(c, m)
	d := uitest.NewBusy(t, h, 120, 30)
	d.Busy = uitest.StoreBusy // a copy or a delete still at work holds each step back
	if n := counting.Calls(); n != 0 {
		t.Fatalf("listing made %d store calls", n)
	}
	idx := -1
	for i, r := range m.Rows() {
		if r.Name == "photos" {
			idx = i
			if !r.OAuth1 || r.Client != "photos" {
				t.Errorf("row = %+v", r)
			}
		}
	}
	if idx < 0 || len(m.Rows()) != 3 {
		t.Fatalf("rows = %d, photos at %d", len(m.Rows()), idx)
	}
	for m.Cursor() < idx {
		d.Press("down")
	}
	s := d.Screen()
	for _, want := range []string{"photos", "(OAuth 1.0a)", "no expiry", "2h 00m ago"} {
		if !strings.Contains(s, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, s)
		}
	}
	k := m.KeyMap()
	if k.Refresh.Enabled() || k.Revoke.Enabled() || !k.Reauth.Enabled() || !k.Copy.Enabled() || !k.Delete.Enabled() {
		t.Errorf("OA1 actions: refresh %v revoke %v reauth %v copy %v delete %v", k.Refresh.Enabled(), k.Revoke.Enabled(), k.Reauth.Enabled(), k.Copy.Enabled(), k.Delete.Enabled())
	}
	d.Press("r", "R") // disabled: nothing happens
	if h.Dialog != nil || len(h.Status) != 0 {
		t.Fatalf("a disabled key acted: dialog %v, status %v", h.Dialog != nil, h.Status)
	}
	d.Press("c")
	if len(h.Copies) != 1 || h.Copies[0].Value != uitest.FixtureOA1Token {
		t.Fatalf("c copied %d values", len(h.Copies))
	}
	d.Press("a")
	if rf, ok := h.Intents[len(h.Intents)-1].(common.RunFlowMsg); !ok || rf.Client != "photos" || rf.Secret != "photos" || !rf.Force {
		t.Errorf("a sent %#v", h.Intents[len(h.Intents)-1])
	}
	d.Press("d", "y")
	if _, ok := uitest.Catalog(v).Secret("dev", "photos"); ok || len(m.Rows()) != 2 {
		t.Errorf("d y did not delete the OA1 token credentials (rows %d)", len(m.Rows()))
	}
}
