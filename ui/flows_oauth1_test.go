package ui

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/oauth/playground/demo"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/browse"
	"github.com/authdeck/authdeck/ui/screens/dashboard"
	"github.com/authdeck/authdeck/ui/screens/flow"
	"github.com/authdeck/authdeck/ui/screens/request"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// startOAuth1Flow is startFlow for an OAuth 1.0a client: enter on it, and
// its flow pane once it is on top, without a settle a running flow would
// drag out.
func startOAuth1Flow(t *testing.T, d *uitest.Driver, m *Model) *flow.OAuth1Model {
	t.Helper()
	d.Send(uitest.Key("enter"))
	d.Wait(10*time.Second, "the OAuth 1.0a flow pane", func() bool { _, ok := m.Top().(*flow.OAuth1Model); return ok })
	return oauth1Pane(t, m)
}

func oauth1Pane(t *testing.T, m *Model) *flow.OAuth1Model {
	t.Helper()
	f, ok := m.Top().(*flow.OAuth1Model)
	if !ok {
		t.Fatalf("top = %T, want the OAuth 1.0a flow pane", m.Top())
	}
	return f
}

// useCallback switches a demo OAuth 1.0a client to another callback
// ("oob" or "" for loopback), keeping its credentials.
func useCallback(t *testing.T, d *uitest.Driver, v *vault.Vault, name, cb string) {
	t.Helper()
	ac, err := v.Client(demo.EnvDev, name)
	if err != nil {
		t.Fatal(err)
	}
	ac.Callback = cb
	if _, err := v.PutClient(t.Context(), ac, nil); err != nil {
		t.Fatal(err)
	}
	d.Send(common.ReloadCatalogMsg{})
	d.Settle()
}

// getPhoto sends a request signed with the stored token credentials of
// name to the provider's protected resource and returns who it answered for.
func getPhoto(t *testing.T, dm *uitest.Demo, name string) string {
	t.Helper()
	signer, err := (&oauth1.Engine{Vault: dm.Vault}).Signer(t.Context(), demo.EnvDev, name)
	if err != nil {
		t.Fatalf("no signer for %s: %v", name, err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, dm.Server.OAuth1.PhotosURL+"?file=vacation.jpg", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer.SignRequest(req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ User, File string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil || body.File != "vacation.jpg" {
		t.Fatalf("the provider answered %d to a request signed with the stored token credentials", resp.StatusCode)
	}
	return body.User
}

// TestOAuth1LoopbackFlowToTokenPane: enter on an OAuth 1.0a client runs the
// three legs, the browser comes back to the loopback listener (S-02), the
// token credentials are stored and shown masked (S-30), and the token pane
// offers exactly the actions OAuth 1.0a has.
func TestOAuth1LoopbackFlowToTokenPane(t *testing.T) {
	t.Parallel()
	var logBuf strings.Builder
	d, m, dm := demoApp(t, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	selectItem(t, d, demo.ClientPhotos)
	if s := d.Screen(); !strings.Contains(s, "OAuth 1.0a") || !strings.Contains(s, "HMAC-SHA1") || !strings.Contains(s, "request token") {
		t.Errorf("the client's detail does not describe it:\n%s", s)
	}
	f := startOAuth1Flow(t, d, m)
	d.Wait(20*time.Second, "the browser to approve", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("flow failed: %v\n%s", f.Err(), f.Transcript().Text())
	}
	if p := f.AuthPrompt(); p == nil || !p.Listening || !strings.HasPrefix(p.RedirectURI, "http://127.0.0.1:") {
		t.Fatalf("auth prompt = %+v, want a loopback listener (S-02)", p)
	}
	r := f.Result()
	if r.Token == "" || r.TokenSecret == "" || r.Secret != demo.ClientPhotos || r.FromCache {
		t.Fatalf("result: secret %q, cached %v, token present %v", r.Secret, r.FromCache, r.Token != "")
	}
	screen := d.Screen()
	for _, want := range []string{"Authorized", "stored as", "token secret", "HMAC-SHA1", "no header to copy"} {
		if !strings.Contains(screen, want) {
			t.Errorf("result view lacks %q:\n%s", want, screen)
		}
	}
	for i, secret := range []string{r.Token, r.TokenSecret, dm.Server.OAuth1.ConsumerSecret} {
		if strings.Contains(screen, secret) || strings.Contains(f.Transcript().Text(), secret) || strings.Contains(logBuf.String(), secret) {
			t.Errorf("secret #%d is on screen, in the transcript or in the log (S-30, S-33)", i)
		}
	}
	sec, ok := uitest.Catalog(dm.Vault).Secret(demo.EnvDev, demo.ClientPhotos)
	if !ok || sec.Type != vault.TypeOAuth1Token || sec.AuthClient != demo.ClientPhotos || sec.LastRefresh == nil {
		t.Fatalf("stored secret = %+v", sec)
	}
	if user := getPhoto(t, dm, demo.ClientPhotos); user != dm.Server.OAuth1.User {
		t.Errorf("the provider answered for %q", user)
	}

	// The transcript shows the three legs, redacted.
	d.Press("l")
	if s := d.Screen(); !strings.Contains(s, "Transcript") || !strings.Contains(s, "[access token]") || !strings.Contains(s, "oauth_token_secret: [redacted]") {
		t.Errorf("transcript not shown:\n%s", s)
	}
	if tr := f.Transcript().Text(); !strings.Contains(tr, "[request token]") || !strings.Contains(tr, "[authorization]") || !strings.Contains(tr, "• callback") {
		t.Errorf("the transcript lacks a leg:\n%s", tr)
	}
	d.Press("l", "c")
	copies := osc52Copies(d)
	if len(copies) == 0 || copies[len(copies)-1] != r.Token {
		t.Fatal("c did not copy the token")
	}

	d.Press("enter")
	tp, ok := m.Top().(*token.Model)
	if !ok {
		t.Fatalf("enter opened %T", m.Top())
	}
	d.Wait(5*time.Second, "the token credentials to load", func() bool { return tp.Value() != nil })
	screen = d.Screen()
	for _, want := range []string{"OAuth 1.0a", "consumer key", dm.Server.OAuth1.ConsumerKey, "HMAC-SHA1", "token secret", "no expiry", "authorized", "SIGNING"} {
		if !strings.Contains(screen, want) {
			t.Errorf("token pane lacks %q:\n%s", want, screen)
		}
	}
	for _, absent := range []string{"HEADER", "CLAIMS", "refresh token", "I introspect", "R revoke", "r refresh", "h copy header", r.Token, r.TokenSecret} {
		if strings.Contains(screen, absent) {
			t.Errorf("token pane shows %q, which an OAuth 1.0a token does not have (or must not show)", absent)
		}
	}
	km := tp.KeyMap()
	for name, b := range map[string]bool{"copy header": km.CopyHeader.Enabled(), "refresh": km.Refresh.Enabled(), "introspect": km.Introspect.Enabled(), "revoke": km.Revoke.Enabled()} {
		if b {
			t.Errorf("%s is enabled for OAuth 1.0a token credentials", name)
		}
	}
	if !km.Copy.Enabled() || !km.Reauth.Enabled() || !km.Delete.Enabled() || !km.Reveal.Enabled() {
		t.Error("copy, re-authorise, delete and reveal should be offered")
	}
	d.Press("R", "I", "h") // disabled: nothing happens
	if m.Dialog() != nil || tp.Busy() != "" {
		t.Error("a disabled OAuth 2.0 action ran on OAuth 1.0a token credentials")
	}
	d.Press("v")
	if !tp.Revealed() || !strings.Contains(d.Screen(), r.Token[:min(20, len(r.Token))]) {
		t.Fatal("v did not reveal the token")
	}
	if strings.Contains(d.Screen(), r.TokenSecret) {
		t.Error("revealing the token showed the token secret")
	}
	d.Press("esc")
	if tp.Revealed() {
		t.Error("leaving the pane did not re-mask the token (S-30)")
	}

	// The dashboard lists it, metadata only, with the actions that apply.
	d.Press("esc", "D")
	db, ok := m.Top().(*dashboard.Model)
	if !ok {
		t.Fatalf("D opened %T", m.Top())
	}
	idx := -1
	for i, row := range db.Rows() {
		if row.Name == demo.ClientPhotos && row.OAuth1 {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("the dashboard does not list the OAuth 1.0a token credentials")
	}
	for db.Cursor() < idx {
		d.Press("down")
	}
	if k := db.KeyMap(); k.Refresh.Enabled() || k.Revoke.Enabled() || !k.Reauth.Enabled() || !k.Delete.Enabled() {
		t.Errorf("dashboard actions for OA1: refresh %v revoke %v reauth %v delete %v", k.Refresh.Enabled(), k.Revoke.Enabled(), k.Reauth.Enabled(), k.Delete.Enabled())
	}
	if s := d.Screen(); !strings.Contains(s, "(OAuth 1.0a)") || !strings.Contains(s, "no expiry") {
		t.Errorf("the dashboard row does not say what it is:\n%s", s)
	}

	// Re-authorising from the dashboard runs the flow again into the same secret.
	d.Press("a")
	f = oauth1Pane(t, m)
	d.Wait(20*time.Second, "the second authorization", func() bool { return !f.Running() })
	if f.Err() != nil || f.Result().FromCache || !f.Result().Replaced || f.Result().Token == r.Token {
		t.Fatalf("re-authorisation: err %v, cached %v, replaced %v", f.Err(), f.Result().FromCache, f.Result().Replaced)
	}
}

// TestOAuth1StoredTokenShownWithoutFlow: with token credentials stored,
// get token shows them (like `authdeck token`) and r authorizes again.
func TestOAuth1StoredTokenShownWithoutFlow(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	opened := 0
	inner := dm.Engines.Opener
	dm.Engines.Opener = func(ctx context.Context, u string) error { opened++; return inner(ctx, u) }
	selectItem(t, d, demo.ClientPhotos)
	f := startOAuth1Flow(t, d, m)
	d.Wait(20*time.Second, "the first authorization", func() bool { return !f.Running() })
	first := f.Result()
	if f.Err() != nil || first == nil {
		t.Fatalf("flow failed: %v", f.Err())
	}
	d.Press("esc", "enter")
	f = oauth1Pane(t, m)
	d.Wait(10*time.Second, "the stored credentials", func() bool { return !f.Running() })
	if f.Err() != nil || !f.Result().FromCache || f.Result().Token != first.Token || opened != 1 {
		t.Fatalf("second get token: err %v, cached %v, same token %v, browser opened %d times", f.Err(), f.Result().FromCache, f.Result().Token == first.Token, opened)
	}
	if !strings.Contains(d.Screen(), "Stored token credentials") {
		t.Errorf("the pane does not say the credentials were stored:\n%s", d.Screen())
	}
	// In the list, enter on the token secret opens the token pane and t
	// runs get token on it (the stored credentials again).
	d.Press("esc") // the list is still filtered on "photos"
	b := m.Top().(*browse.Model)
	for i := 0; i < 5; i++ {
		if it, ok := b.Selected(); ok && it.Section == browse.SectionTokens {
			break
		}
		d.Press("down")
	}
	if it, ok := b.Selected(); !ok || it.Section != browse.SectionTokens || it.Name != demo.ClientPhotos {
		t.Fatalf("cannot select the token secret: %+v\n%s", it, d.Screen())
	}
	if s := d.Screen(); !strings.Contains(s, "oauth1 token") || !strings.Contains(s, "no expiry") {
		t.Errorf("the secret's detail does not describe it:\n%s", s)
	}
	d.Press("enter")
	if _, ok := m.Top().(*token.Model); !ok {
		t.Fatalf("enter on the token secret opened %T", m.Top())
	}
	d.Press("esc", "t")
	f = oauth1Pane(t, m)
	d.Wait(10*time.Second, "the stored credentials", func() bool { return !f.Running() })
	if f.Err() != nil || !f.Result().FromCache || f.Result().Secret != demo.ClientPhotos || opened != 1 {
		t.Errorf("t on the token secret: err %v, result %+v, browser opened %d times", f.Err(), f.Result() != nil, opened)
	}
}

// TestOAuth1OOBTypedVerifierRSA: an out-of-band client (here RSA-SHA256)
// takes the verifier typed into the pane's field, which has the focus at
// once; the verifier never reaches the log or the transcript.
func TestOAuth1OOBTypedVerifierRSA(t *testing.T) {
	t.Parallel()
	var logBuf strings.Builder
	d, m, dm := demoApp(t, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	dm.Engines.Opener = func(context.Context, string) error { return nil } // the test approves below
	useCallback(t, d, dm.Vault, demo.ClientPhotosRSA, oauth1.OOB)
	selectItem(t, d, demo.ClientPhotosRSA)
	f := startOAuth1Flow(t, d, m)
	d.Wait(10*time.Second, "the verifier field", func() bool { return f.AwaitingVerifier() && f.Typing() })
	screen := d.Screen()
	for _, want := range []string{"Out of band", "verifier ›", f.AuthPrompt().URL[:40], "send verifier"} {
		if !strings.Contains(screen, want) {
			t.Errorf("oob pane lacks %q:\n%s", want, screen)
		}
	}
	if f.AuthPrompt().Listening {
		t.Error("an oob flow listens on loopback")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	approval, err := dm.OAuth1Browser.Authorize(ctx, f.AuthPrompt().URL)
	if err != nil || approval.Verifier == "" {
		t.Fatalf("approving: %v", err)
	}
	d.Press("enter") // nothing typed yet: the field says what it wants
	if !strings.Contains(d.Screen(), "Type the verifier") || !f.Running() {
		t.Fatalf("an empty verifier was sent:\n%s", d.Screen())
	}
	d.Type(approval.Verifier) // q, E, ? … in it are letters of the verifier, not global keys
	d.Press("enter")
	d.Wait(15*time.Second, "the token credentials", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("oob flow failed: %v\n%s", f.Err(), f.Transcript().Text())
	}
	if f.Result().Method != oauth1.RSASHA256 {
		t.Errorf("method = %q", f.Result().Method)
	}
	if user := getPhoto(t, dm, demo.ClientPhotosRSA); user != dm.Server.OAuth1.User {
		t.Errorf("the provider answered for %q", user)
	}
	if strings.Contains(logBuf.String(), approval.Verifier) || strings.Contains(f.Transcript().Text(), approval.Verifier) {
		t.Error("the verifier reached the log or the transcript")
	}
	if strings.Contains(d.Screen(), approval.Verifier) {
		t.Error("the verifier is still on screen after it was sent")
	}
}

// TestOAuth1WrongVerifierExplainsAndStoresNothing (S-37): the provider
// refuses a wrong verifier; the pane shows the reason, the detail and what
// to do next, and nothing is stored.
func TestOAuth1WrongVerifierExplainsAndStoresNothing(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	dm.Engines.Opener = func(context.Context, string) error { return nil }
	useCallback(t, d, dm.Vault, demo.ClientPhotos, oauth1.OOB)
	before := uitest.Catalog(dm.Vault)
	selectItem(t, d, demo.ClientPhotos)
	f := startOAuth1Flow(t, d, m)
	d.Wait(10*time.Second, "the verifier field", func() bool { return f.AwaitingVerifier() && f.Typing() })
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := dm.OAuth1Browser.Authorize(ctx, f.AuthPrompt().URL); err != nil {
		t.Fatal(err)
	}
	const wrong = "not-the-verifier-7351"
	d.Type(wrong)
	d.Press("enter")
	d.Wait(15*time.Second, "the refusal", func() bool { return !f.Running() })
	var oe *oauth1.Error
	if !errors.As(f.Err(), &oe) || oe.Problem != "verifier_invalid" || oauth.KindOf(f.Err()) != oauth.KindRejected {
		t.Fatalf("err = %v, want the provider's verifier_invalid", f.Err())
	}
	screen := d.Screen()
	for _, want := range []string{"Rejected by the server", "rejected the verifier", "verifier_invalid", "Next:", "start the authorization again"} {
		if !strings.Contains(screen, want) {
			t.Errorf("error pane lacks %q:\n%s", want, screen)
		}
	}
	if _, ok := uitest.Catalog(dm.Vault).Secret(demo.EnvDev, demo.ClientPhotos); ok {
		t.Error("a refused flow stored token credentials (S-37)")
	}
	if after := uitest.Catalog(dm.Vault); len(after.Secrets) != len(before.Secrets) {
		t.Errorf("secrets: %d before, %d after", len(before.Secrets), len(after.Secrets))
	}
	d.Press("l")
	if s := d.Screen(); !strings.Contains(s, "verifier entered") || strings.Contains(s, wrong) || strings.Contains(f.Transcript().Text(), wrong) {
		t.Errorf("the transcript should show the leg and redact the typed verifier:\n%s", f.Transcript().Text())
	}
}

// TestOAuth1CancelAndRetry: x cancels while waiting for the browser, the
// listener closes (S-05), nothing is stored, r starts again, esc cancels a
// running flow and then goes back.
func TestOAuth1CancelAndRetry(t *testing.T) {
	t.Parallel()
	d, m, dm := demoApp(t, nil)
	dm.Engines.Opener = func(context.Context, string) error { return nil } // nobody approves
	selectItem(t, d, demo.ClientPhotos)
	f := startOAuth1Flow(t, d, m)
	d.Wait(10*time.Second, "the authorization URL", func() bool { return f.AuthPrompt() != nil })
	redirect := f.AuthPrompt().RedirectURI
	if s := d.Screen(); !strings.Contains(s, "Waiting for the browser") || !strings.Contains(s, "p takes the verifier") {
		t.Errorf("loopback pane lacks the wait and the fallback:\n%s", s)
	}
	if f.Typing() {
		t.Error("a local loopback flow put the focus in the verifier field")
	}
	d.Press("x")
	d.Wait(10*time.Second, "the cancellation", func() bool { return !f.Running() })
	if oauth.KindOf(f.Err()) != oauth.KindAborted {
		t.Fatalf("cancel gave %v (kind %v), want aborted", f.Err(), oauth.KindOf(f.Err()))
	}
	if s := d.Screen(); !strings.Contains(s, "Cancelled. Nothing was stored; r starts again.") || strings.Contains(s, "✗") {
		t.Errorf("the cancelled flow does not say calmly what happened and what next:\n%s", s)
	}
	if _, ok := uitest.Catalog(dm.Vault).Secret(demo.EnvDev, demo.ClientPhotos); ok {
		t.Error("a cancelled flow stored token credentials")
	}
	if resp, err := http.Get(redirect + "?oauth_token=x&oauth_verifier=y"); err == nil {
		resp.Body.Close()
		t.Error("the loopback listener still answers after the cancel (S-05)")
	}
	d.Press("r")
	if !f.Running() {
		t.Fatal("r did not start the flow again")
	}
	d.Wait(10*time.Second, "the authorization URL again", func() bool { return f.AuthPrompt() != nil })
	d.Press("esc") // cancels a running flow rather than leaving
	d.Wait(10*time.Second, "the second cancellation", func() bool { return !f.Running() })
	d.Press("esc")
	if _, ok := m.Top().(*flow.OAuth1Model); ok {
		t.Error("esc on a finished flow did not go back")
	}
}

// TestOAuth1RemoteSessionTakesPastedCallback: over SSH no browser opens
// (S-01: the URL is shown), the field has the focus, and the address the
// remote browser landed on finishes the flow.
func TestOAuth1RemoteSessionTakesPastedCallback(t *testing.T) {
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
	selectItem(t, d, demo.ClientPhotos)
	f := startOAuth1Flow(t, d, m)
	d.Wait(10*time.Second, "the verifier field", func() bool { return f.AwaitingVerifier() && f.Typing() })
	if s := d.Screen(); !strings.Contains(s, "SSH session") || !strings.Contains(s, "paste the address") {
		t.Errorf("remote pane lacks the explanation:\n%s", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	approval, err := dm.OAuth1Browser.Authorize(ctx, f.AuthPrompt().URL)
	if err != nil || approval.Callback == nil {
		t.Fatalf("approving: %v", err)
	}
	d.Send(tea.PasteMsg{Content: approval.Callback.String()})
	d.Press("enter")
	d.Wait(15*time.Second, "the pasted callback to finish the flow", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("paste fallback failed: %v", f.Err())
	}
	if opened != 0 {
		t.Errorf("a browser was opened %d times over SSH", opened)
	}
	d.Press("esc")
	d.Press("o") // on the browse screen now: nothing to open
	if _, ok := m.Top().(*flow.OAuth1Model); ok {
		t.Error("esc did not leave the finished flow")
	}
}

// TestOAuth1SavedPhotosRequest: the demo's saved request to the photo is
// refused with a pointer to the flow before photos is authorized, and
// signed and answered after.
func TestOAuth1SavedPhotosRequest(t *testing.T) {
	t.Parallel()
	d, m, _ := demoApp(t, nil)
	send := func() *request.Model {
		t.Helper()
		d.Send(common.OpenRequestMsg{Env: demo.EnvDev, Name: demo.RequestPhotos})
		d.Settle()
		rq, ok := m.Top().(*request.Model)
		if !ok {
			t.Fatalf("top = %T, want the request console", m.Top())
		}
		d.Press("ctrl+s")
		d.Wait(15*time.Second, "the response", func() bool { return !rq.Busy() && (rq.Response() != nil || rq.Err() != nil) })
		return rq
	}
	rq := send()
	if rq.Err() == nil || !strings.Contains(d.Screen(), "Not configured") || !strings.Contains(d.Screen(), "authorize it first") {
		t.Fatalf("before the authorization: err %v\n%s", rq.Err(), d.Screen())
	}
	d.Press("esc")
	for range 3 {
		if _, ok := m.Top().(*browse.Model); ok {
			break
		}
		d.Press("esc")
	}
	selectItem(t, d, demo.ClientPhotos)
	f := startOAuth1Flow(t, d, m)
	d.Wait(20*time.Second, "the authorization", func() bool { return !f.Running() })
	if f.Err() != nil {
		t.Fatalf("flow failed: %v", f.Err())
	}
	rq = send()
	if rq.Err() != nil || rq.Response().StatusCode != http.StatusOK {
		t.Fatalf("after the authorization: err %v", rq.Err())
	}
	if s := d.Screen(); !strings.Contains(s, "vacation.jpg") || !strings.Contains(s, "HMAC-SHA1") {
		t.Errorf("the response is not shown:\n%s", s)
	}
}
