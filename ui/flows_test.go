package ui

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/dashboard"
	"github.com/authdeck/authdeck/ui/screens/flow"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// demoApp runs the TUI on the playground's demo workspace.
func demoApp(t *testing.T, mod func(*Options)) (*uitest.Driver, *Model, *uitest.Demo) {
	t.Helper()
	dm := uitest.StartDemo(t)
	opts := Options{
		Vault: dm.Vault, Engines: dm.Engines, Catalog: uitest.Catalog(dm.Vault), Dark: true,
		Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
	}
	if mod != nil {
		mod(&opts)
	}
	m := New(opts)
	return uitest.New(t, m, 120, 40), m, dm
}

// selectItem moves the browse cursor to the item called name.
func selectItem(t *testing.T, d *uitest.Driver, name string) {
	t.Helper()
	d.Press("/")
	d.Type(name)
	d.Press("enter")
}

// startFlow presses enter on the selected auth client and returns the flow
// pane once it is on top. It does not settle after the key: a running flow
// keeps posting its progress, so a settle would last until the flow ends
// or the driver's limit passes. Callers wait for what they need.
func startFlow(t *testing.T, d *uitest.Driver, m *Model) *flow.Model {
	t.Helper()
	d.Send(uitest.Key("enter"))
	d.Wait(10*time.Second, "the flow pane", func() bool { _, ok := m.Top().(*flow.Model); return ok })
	return flowPane(t, m)
}

func flowPane(t *testing.T, m *Model) *flow.Model {
	t.Helper()
	f, ok := m.Top().(*flow.Model)
	if !ok {
		t.Fatalf("top = %T, want the flow pane", m.Top())
	}
	return f
}

// osc52Copies returns the values the program asked the terminal to copy.
func osc52Copies(d *uitest.Driver) []string {
	var out []string
	for _, msg := range d.Seen() {
		v := reflect.ValueOf(msg)
		if v.Kind() == reflect.String && strings.HasSuffix(v.Type().String(), "setClipboardMsg") {
			out = append(out, v.String())
		}
	}
	return out
}

func TestClientCredentialsFlowTokenPaneCopy(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	selectItem(t, d, "service-basic")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the flow to finish", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("flow failed: %v", f.Err())
	}
	r := f.Result()
	if r.AccessToken == "" || r.Grant != "client_credentials" {
		t.Fatalf("result = grant %q, token present %v", r.Grant, r.AccessToken != "")
	}
	screen := d.Screen()
	if !strings.Contains(screen, "Token issued") || strings.Contains(screen, r.AccessToken[:20]) {
		t.Errorf("result view should say so and keep the token masked (S-30):\n%s", screen)
	}
	// The token set is stored in the vault and listed (catalog metadata).
	if _, ok := uitest.Catalog(dm.Vault).Secret("dev", "service-basic"); !ok {
		t.Fatal("the token set was not stored")
	}

	d.Press("enter")
	tp, ok := m.Top().(*token.Model)
	if !ok {
		t.Fatalf("enter opened %T", m.Top())
	}
	d.Wait(10*time.Second, "signature verification", func() bool { return tp.Verification() != nil })
	if st := tp.Verification().Status; st != oauth.Verified {
		t.Fatalf("signature status = %v (%s)", st, tp.Verification().Reason)
	}
	screen = d.Screen()
	for _, want := range []string{"verified", "HEADER", "CLAIMS", "client_id", "expires", "in 4m"} {
		if !strings.Contains(screen, want) {
			t.Errorf("token pane lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, r.AccessToken[:20]) {
		t.Error("token pane shows the token before reveal (S-30)")
	}

	// S-30: reveal on a key, masked again on leaving.
	d.Press("v")
	if !tp.Revealed() || !strings.Contains(d.Screen(), r.AccessToken[:20]) {
		t.Fatal("v did not reveal the token")
	}
	d.Press("v")
	if tp.Revealed() {
		t.Fatal("v did not hide the token again")
	}
	d.Press("v", "esc")
	if tp.Revealed() {
		t.Error("leaving the pane did not re-mask the token")
	}

	// S-31: copying via OSC 52 is labelled as such; the copied value is the token.
	d.Send(common.OpenTokenMsg{Env: "dev", Secret: "service-basic"})
	d.Settle()
	tp = m.Top().(*token.Model)
	d.Wait(5*time.Second, "the token to load", func() bool { return tp.Value() != nil })
	d.Press("c")
	copies := osc52Copies(d)
	if len(copies) == 0 || copies[len(copies)-1] != r.AccessToken {
		t.Fatalf("c did not copy the access token through OSC 52 (%d copies)", len(copies))
	}
	if st := m.Status(); !strings.Contains(st, "OSC 52") || !strings.Contains(st, "access token of service-basic") {
		t.Errorf("status = %q, want what was copied and how", st)
	}
	d.Press("h")
	copies = osc52Copies(d)
	if copies[len(copies)-1] != "Authorization: Bearer "+r.AccessToken {
		t.Error("h did not copy the Authorization header")
	}
}

func TestAuthorizationCodeFlowThenRefreshFromDashboard(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	selectItem(t, d, "cli")
	f := startFlow(t, d, m)
	d.Wait(20*time.Second, "the browser sign-in", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("flow failed: %v\n%s", f.Err(), f.Transcript().Text())
	}
	if f.AuthPrompt() == nil || !strings.HasPrefix(f.AuthPrompt().RedirectURI, "http://127.0.0.1:") {
		t.Fatalf("auth prompt = %+v", f.AuthPrompt())
	}
	if f.Result().RefreshToken == "" {
		t.Fatal("the cli client should get a refresh token (offline_access)")
	}
	sec, _ := uitest.Catalog(dm.Vault).Secret("dev", "cli")
	if sec == nil || !sec.HasRefresh {
		t.Fatal("the token set is not listed with its refresh token")
	}
	before := sec.LastRefresh

	d.Press("esc", "D")
	db, ok := m.Top().(*dashboard.Model)
	if !ok {
		t.Fatalf("D opened %T", m.Top())
	}
	idx := -1
	for i, r := range db.Rows() {
		if r.Name == "cli" && r.Env == "dev" {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("the dashboard does not list the cli token set")
	}
	for db.Cursor() < idx {
		d.Press("down")
	}
	if !strings.Contains(d.Screen(), "✓") {
		t.Error("the dashboard does not mark the refresh token")
	}
	d.Press("r")
	d.Wait(10*time.Second, "the refresh", func() bool {
		s, _ := uitest.Catalog(dm.Vault).Secret("dev", "cli")
		return s != nil && s.LastRefresh != nil && (before == nil || s.LastRefresh.After(*before) || !s.LastRefresh.Equal(*before))
	})
	d.Settle()
	if st := m.Status(); !strings.Contains(st, "Refreshed cli") {
		t.Errorf("status after refresh = %q", st)
	}
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	dm.Engines.Opener = func(context.Context, string) error { return nil } // the test approves below
	selectItem(t, d, "cli-device")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the device code", func() bool { return f.DevicePrompt() != nil })
	p := f.DevicePrompt()
	screen := d.Screen()
	if !strings.Contains(screen, "█ ▄▄▄▄▄ █") {
		t.Errorf("the device QR code is not shown at 120×40:\n%s", screen)
	}
	// S-23: the user code and the verification URI are shown prominently,
	// with a warning to check the domain.
	for _, want := range []string{strings.Join(strings.Split(p.UserCode, ""), " "), p.VerificationURI, "Check that the page is on " + p.Host} {
		if !strings.Contains(screen, want) {
			t.Errorf("device pane lacks %q:\n%s", want, screen)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := dm.Browser.ApproveDevice(ctx, p.VerificationURI, p.UserCode); err != nil {
		t.Fatal(err)
	}
	d.Wait(20*time.Second, "the device flow to finish", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("device flow failed: %v", f.Err())
	}
	if f.Result().Grant != string(vault.GrantDeviceCode) && !strings.Contains(f.Result().Grant, "device_code") {
		t.Errorf("grant = %q", f.Result().Grant)
	}
}

func TestFlowCancelAndRetry(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	dm.Engines.Opener = func(context.Context, string) error { return nil } // nobody signs in
	selectItem(t, d, "cli")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the authorization URL", func() bool { return f.AuthPrompt() != nil })
	d.Press("x")
	d.Wait(10*time.Second, "the cancellation", func() bool { return !f.Running() })
	if oauth.KindOf(f.Err()) != oauth.KindAborted {
		t.Fatalf("cancel gave %v (kind %v), want aborted", f.Err(), oauth.KindOf(f.Err()))
	}
	// A cancel is the person's choice: it reads as such, not as a failure
	// after a ticked "cancelling…".
	s := d.Screen()
	if !strings.Contains(s, "Cancelled. Nothing was stored; r starts again.") || !strings.Contains(s, "■ cancelled: nothing was stored") {
		t.Errorf("the cancelled flow does not say what happened and what next:\n%s", s)
	}
	if strings.Contains(s, "✗") || strings.Contains(s, "Aborted") || strings.Contains(s, "cancelling…") {
		t.Errorf("the cancelled flow reads as a failure:\n%s", s)
	}
	if _, ok := uitest.Catalog(dm.Vault).Secret("dev", "cli"); ok {
		t.Error("a cancelled flow stored a token set")
	}
	d.Press("r")
	if !f.Running() {
		t.Fatal("r did not start the flow again")
	}
	d.Press("esc") // cancels a running flow rather than leaving
	d.Wait(10*time.Second, "the second cancellation", func() bool { return !f.Running() })
	d.Press("esc")
	if _, ok := m.Top().(*flow.Model); ok {
		t.Error("esc on a finished flow did not go back")
	}
}

func TestFlowRejectedExplainsAndTranscriptRedacts(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	ac, err := dm.Vault.Client("dev", "service-post")
	if err != nil {
		t.Fatal(err)
	}
	const wrong = "wrong-secret-for-the-test-0123456789"
	if _, err := dm.Vault.PutClient(t.Context(), ac, &vault.ClientCredentials{ClientSecret: wrong}); err != nil {
		t.Fatal(err)
	}
	d.Send(common.ReloadCatalogMsg{})
	d.Settle()
	selectItem(t, d, "service-post")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the flow to fail", func() bool { return !f.Running() })
	if oauth.KindOf(f.Err()) != oauth.KindRejected {
		t.Fatalf("err = %v, want rejected", f.Err())
	}
	d.Press("l")
	screen := d.Screen()
	for _, want := range []string{"Rejected by the server", "Next:", "Transcript", "invalid_client"} {
		if !strings.Contains(screen, want) {
			t.Errorf("failure view lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, wrong) || strings.Contains(f.Transcript().Text(), wrong) {
		t.Error("the client secret appears in the transcript (S-33)")
	}
}

// TestRemoteSessionOffersPasteAndDevice covers the SSH case: no browser is
// opened, the pane says why, the paste fallback finishes the flow, and the
// device flow is offered.
func TestRemoteSessionOffersPasteAndDevice(t *testing.T) {
	t.Parallel()
	opened := 0
	d, m, dm := demoApp(t, func(o *Options) {
		o.Getenv = func(k string) string {
			if k == "SSH_CONNECTION" {
				return "10.0.0.2 50000 10.0.0.1 22"
			}
			return ""
		}
	})
	dm.Engines.Opener = func(context.Context, string) error { opened++; return nil }
	selectItem(t, d, "cli")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the authorization URL", func() bool { return f.AuthPrompt() != nil })
	screen := d.Screen()
	// The authorization URL's QR code is too tall to sit with the text at
	// 120×40; Q shows it on its own, and Q again goes back.
	if !strings.Contains(screen, "Q shows the QR code on its own") {
		t.Errorf("the remote pane does not say how to see the QR code:\n%s", screen)
	}
	d.Press("Q")
	if qr := d.Screen(); !strings.Contains(qr, "█ ▄▄▄▄▄ █") || !strings.Contains(qr, "Q goes back") || strings.Contains(qr, "SSH session") {
		t.Errorf("Q does not show the QR code on its own:\n%s", qr)
	}
	d.Press("Q")
	if back := d.Screen(); !strings.Contains(back, "SSH session") {
		t.Errorf("Q again does not go back to the text:\n%s", back)
	}
	for _, want := range []string{"SSH session", "paste", "d to sign in with the device flow"} {
		if !strings.Contains(screen, want) {
			t.Errorf("remote pane lacks %q:\n%s", want, screen)
		}
	}
	if !strings.Contains(fmt.Sprint(f.ShortHelp()), "device") {
		t.Error("the device key is not offered")
	}
	// The user signs in on their own machine and pastes where the browser landed.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	landed, err := dm.Browser.Authorize(ctx, f.AuthPrompt().URL)
	if err != nil {
		t.Fatal(err)
	}
	d.Press("p")
	d.Send(tea.PasteMsg{Content: landed.String()})
	d.Press("enter")
	d.Wait(15*time.Second, "the pasted redirect to finish the flow", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("paste fallback failed: %v", f.Err())
	}
	if opened != 0 {
		t.Errorf("a browser was opened %d times over SSH", opened)
	}
	// Device flow offered instead.
	d.Press("r")
	d.Wait(10*time.Second, "the authorization URL again", func() bool { return f.AuthPrompt() != nil })
	d.Press("d")
	d.Wait(10*time.Second, "the device code", func() bool { return f.DevicePrompt() != nil })
	d.Press("x")
}

func TestTokenPaneIntrospectAndRevoke(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	selectItem(t, d, "service-basic")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the flow", func() bool { return !f.Running() })
	d.Press("enter")
	tp := m.Top().(*token.Model)
	d.Wait(5*time.Second, "the token", func() bool { return tp.Value() != nil })
	d.Press("I")
	d.Wait(10*time.Second, "introspection", func() bool { return tp.Introspection() != nil })
	if !tp.Introspection().Active {
		t.Fatal("a fresh token is inactive")
	}
	if !strings.Contains(d.Screen(), "INTROSPECTION") {
		t.Error("introspection result not shown")
	}
	d.Press("R")
	if m.Dialog() == nil {
		t.Fatal("revoke does not ask first")
	}
	d.Press("y")
	d.Wait(10*time.Second, "the revocation", func() bool {
		_, ok := uitest.Catalog(dm.Vault).Secret("dev", "service-basic")
		return !ok
	})
	d.Settle()
	if _, ok := m.Top().(*token.Model); ok {
		t.Error("the token pane stayed open after revoking")
	}
	// Back on the flow pane, the revoked token is no longer offered, and
	// enter advises getting a new one instead of "Create it first".
	if m.Top() != f {
		t.Fatalf("top = %T, want the flow pane", m.Top())
	}
	k := f.KeyMap()
	if k.Copy.Enabled() || k.CopyHeader.Enabled() || f.Result().AccessToken != "" {
		t.Error("the flow pane still offers the revoked token")
	}
	before := len(osc52Copies(d))
	d.Press("c", "h")
	if len(osc52Copies(d)) != before {
		t.Error("c or h copied the revoked token")
	}
	if !strings.Contains(d.Screen(), "has since been revoked") {
		t.Errorf("the flow pane does not say the token set was revoked:\n%s", d.Screen())
	}
	d.Press("enter")
	if st := m.Status(); !strings.Contains(st, "was revoked") || !strings.Contains(st, "get a new token") || strings.Contains(st, "Create it first") {
		t.Errorf("enter on the revoked result: status %q", st)
	}
	if m.Top() != f {
		t.Error("enter opened a pane on the revoked token set")
	}
	d.Press("r")
	d.Wait(10*time.Second, "a new token", func() bool { return !f.Running() && f.Result() != nil && f.Result().AccessToken != "" })
	if !f.KeyMap().Copy.Enabled() {
		t.Error("the new token is not offered")
	}
}

// TestPasswordGrantAsksAndLogsNoSecret: the deprecated password grant asks
// for the resource owner's credentials in masked prompts (S-12: labelled
// deprecated), and the TUI's log records the flow without any secret.
func TestPasswordGrantAsksAndLogsNoSecret(t *testing.T) {
	t.Parallel()
	var logBuf strings.Builder
	d, m, dm := demoApp(t, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	selectItem(t, d, "legacy-password")
	if !strings.Contains(d.Screen(), "deprecated") {
		t.Errorf("the password client is not labelled deprecated:\n%s", d.Screen())
	}
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the username prompt", func() bool { return m.Dialog() != nil })
	if !strings.Contains(d.Screen(), "deprecated") {
		t.Errorf("the prompt does not say the grant is deprecated:\n%s", d.Screen())
	}
	d.Type(dm.Server.User)
	d.Press("enter")
	d.Wait(5*time.Second, "the password prompt", func() bool { return m.Dialog() != nil })
	d.Type(dm.Server.Password)
	d.Press("enter")
	d.Wait(15*time.Second, "the password grant", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("password grant failed: %v", f.Err())
	}
	if !f.Result().Deprecated {
		t.Error("the result is not marked deprecated")
	}
	logText := logBuf.String()
	if !strings.Contains(logText, "flow done") || !strings.Contains(logText, "legacy-password") {
		t.Errorf("the log lacks the flow: %q", logText)
	}
	for i, secret := range []string{f.Result().AccessToken, f.Result().RefreshToken, dm.Server.Password + "\n"} {
		if secret != "" && secret != "\n" && strings.Contains(logText, secret) {
			t.Errorf("the log holds secret #%d (S-33)", i)
		}
	}
	for _, c := range dm.Server.Clients {
		if c.Secret != "" && strings.Contains(logText, c.Secret) {
			t.Errorf("the log holds the client secret of %s", c.ClientID)
		}
	}
}

// c on an expired token: the flow pane says so and names r instead of
// copying it; the token pane refreshes it first, as the CLI does, and
// copies the new one.
func TestCopyingAnExpiredToken(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	selectItem(t, d, "cli")
	f := startFlow(t, d, m)
	d.Wait(20*time.Second, "the sign-in", func() bool { return !f.Running() })
	if f.Err() != nil || f.Result().RefreshToken == "" {
		t.Fatalf("flow: %v", f.Err())
	}
	d.Settle() // the flow's own status lands first
	old := f.Result().AccessToken
	later := time.Now().Add(2 * time.Hour)
	m.Common().Now = func() time.Time { return later }
	before := len(osc52Copies(d))
	d.Press("c")
	if len(osc52Copies(d)) != before {
		t.Fatal("the flow pane copied an expired token")
	}
	if st := m.Status(); !strings.Contains(st, "expired") || !strings.Contains(st, "press r") {
		t.Errorf("status = %q", st)
	}

	d.Press("enter")
	tp := m.Top().(*token.Model)
	d.Wait(5*time.Second, "the token", func() bool { return tp.Value() != nil })
	d.Press("c")
	d.Wait(15*time.Second, "the refresh and the copy", func() bool { return len(osc52Copies(d)) > before })
	copies := osc52Copies(d)
	got := copies[len(copies)-1]
	if got == old {
		t.Fatal("the expired token was copied instead of a refreshed one")
	}
	val, err := dm.Vault.SecretValue(context.Background(), *mustSecret(t, dm.Vault, "dev", "cli"))
	if err != nil {
		t.Fatal(err)
	}
	if got != val.AccessToken {
		t.Error("the copied token is not the refreshed one the vault holds")
	}
}

func mustSecret(t *testing.T, v *vault.Vault, env, name string) *vault.Secret {
	t.Helper()
	s, ok := uitest.Catalog(v).Secret(env, name)
	if !ok {
		t.Fatalf("no secret %s in %s", name, env)
	}
	return s
}

// A browser that fails to open (the opener exits non-zero at once: no
// display, no browser installed) is reported as a failure with what to do
// instead, never as a step done.
func TestBrowserThatFailsIsReported(t *testing.T) {
	t.Parallel()
	falseBin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) to stand for a failing browser")
	}
	d, m, dm := demoApp(t, nil)
	dm.Engines.Opener = oauth.SystemOpener(func(k string) string {
		if k == "BROWSER" {
			return falseBin
		}
		return ""
	})
	selectItem(t, d, "cli")
	f := startFlow(t, d, m)
	d.Wait(10*time.Second, "the browser's failure", func() bool { return strings.Contains(d.Screen(), "The browser did not open") })
	s := d.Screen()
	if strings.Contains(s, "✓ could not open") || strings.Contains(s, "opened the browser") {
		t.Errorf("the failure is shown as a step done:\n%s", s)
	}
	if !strings.Contains(s, "exit status 1") || !strings.Contains(s, "Copy the URL (u)") {
		t.Errorf("the failure does not say why or what to do:\n%s", s)
	}
	// The status line says it too (its message follows the screen's).
	d.Wait(5*time.Second, "the status line", func() bool { return strings.Contains(m.Status(), "did not open") })
	if !f.Running() {
		t.Error("the flow gave up; it should wait for the URL to be opened by hand")
	}
	d.Press("x")
}
