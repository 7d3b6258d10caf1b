package flow

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// Fixed, obviously fake values of the stand-in authorization.
const (
	fakeAuthURL     = "https://photos.example.test/oauth/authorize?oauth_token=example-temporary-token"
	fakeToken       = "oa1-flow-token-not-a-secret-4711"
	fakeTokenSecret = "oa1-flow-token-secret-not-a-secret-4712"
)

// waitingAuthorize shows a fixed out-of-band prompt and waits for the
// verifier, like the engine does, until the flow is cancelled.
func waitingAuthorize(ctx context.Context, _ oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error) {
	cb.Progress("requesting temporary credentials from photos.example.test")
	p := oauth.AuthPrompt{URL: fakeAuthURL, QR: oauth.QRCode(fakeAuthURL)}
	cb.AuthURL(p)
	cb.Progress("waiting for the verifier")
	if _, err := cb.Verifier(ctx, p); err != nil {
		return nil, &oauth1.Error{Kind: oauth1.KindAborted, Op: "authorization", Reason: "cancelled while waiting for the verifier", Err: err}
	}
	return nil, &oauth1.Error{
		Kind: oauth1.KindRejected, Op: "access token", Problem: "verifier_invalid", Reason: "the server rejected the verifier",
		Hint: "start the authorization again and enter the verifier shown at the end",
	}
}

// doneAuthorize returns fixed token credentials at once.
func doneAuthorize(_ context.Context, req oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error) {
	cb.Progress("requesting temporary credentials from photos.example.test")
	cb.Progress("exchanging the verifier for token credentials at photos.example.test")
	return &oauth1.Result{
		Env: req.Env, Client: req.Client, Secret: req.Client, Token: fakeToken, TokenSecret: fakeTokenSecret,
		Extra: []oauth1.Param{{Name: "screen_name", Value: "demo"}},
	}, nil
}

// fixture is the uitest workspace with an OAuth 1.0a client that has no
// token credentials yet ("album", oob) next to the one that has ("photos").
func fixture(t testing.TB) *vault.Vault {
	t.Helper()
	v := uitest.Fixture()
	uitest.AddOAuth1(v)
	ac, err := v.Client("dev", "photos")
	if err != nil {
		t.Fatal(err)
	}
	album := ac
	album.ID, album.Name, album.Callback = "", "album", oauth1.OOB
	if _, err := v.PutClient(t.Context(), album, &vault.ClientCredentials{ClientSecret: uitest.FixtureConsumerSecret}); err != nil {
		t.Fatal(err)
	}
	return v
}

// paneHost runs a pane on a stand-in authorization with a still spinner.
func paneHost(t testing.TB, c *common.Common, req common.RunFlowMsg, fn AuthorizeFunc, w, h int) (*OAuth1Model, *uitest.Host, *uitest.Driver) {
	t.Helper()
	m := newOAuth1(c, req, fn)
	m.Blur() // no animation: the golden frames are stable
	host := uitest.NewHost(c, m)
	return m, host, uitest.New(t, host, w, h)
}

func assertNoFakeSecrets(t *testing.T, screen string) {
	t.Helper()
	for i, s := range append(uitest.Secrets(), fakeToken, fakeTokenSecret) {
		if strings.Contains(screen, s[:min(12, len(s))]) {
			t.Errorf("the pane shows secret #%d (or its first 12 characters)", i)
		}
	}
}

// TestGoldenOAuth1Flow: the pane waiting for an out-of-band verifier (URL,
// QR code, focused field) and the pane after success (masked token
// credentials), at 80×24 and 120×40 in every built-in theme.
func TestGoldenOAuth1Flow(t *testing.T) {
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, tc := range []struct {
				name string
				fn   AuthorizeFunc
				req  common.RunFlowMsg
				done func(*OAuth1Model) bool
			}{
				{"oob", waitingAuthorize, common.RunFlowMsg{Env: "dev", Client: "album"}, func(m *OAuth1Model) bool { return m.Typing() }},
				{"done", doneAuthorize, common.RunFlowMsg{Env: "dev", Client: "album"}, func(m *OAuth1Model) bool { return !m.Running() }},
			} {
				t.Run(fmt.Sprintf("%s_%s_%dx%d", tc.name, th.Name, size[0], size[1]), func(t *testing.T) {
					t.Parallel()
					c := uitest.NewCommon(fixture(t))
					c.Styles = styles.New(th, true)
					m, _, d := paneHost(t, c, tc.req, tc.fn, size[0], size[1])
					d.Wait(5*time.Second, tc.name, func() bool { return tc.done(m) })
					d.Settle()
					screen := d.Screen()
					assertNoFakeSecrets(t, screen)
					golden.RequireEqual(t, screen)
					m.Close()
				})
			}
		}
	}
}

// TestOAuth1PaneKeysTellTheTruth: while the field has the focus only
// enter and esc act (letters go into the field); esc leaves the field, p
// comes back to it, and an empty verifier is not sent.
func TestOAuth1PaneKeysTellTheTruth(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(fixture(t))
	m, h, d := paneHost(t, c, common.RunFlowMsg{Env: "dev", Client: "album"}, waitingAuthorize, 100, 40)
	d.Wait(5*time.Second, "the field", func() bool { return m.Typing() })
	if !m.Capturing() || !m.WantsBack() {
		t.Fatal("the focused field does not capture keys")
	}
	if k := m.KeyMap(); k.Cancel.Enabled() || k.Open.Enabled() || k.CopyURL.Enabled() || !k.Submit.Enabled() || !k.Leave.Enabled() {
		t.Error("while typing, only send and leave should be enabled")
	}
	d.Type("xuo") // letters, not cancel/copy/open
	if !m.Running() || len(h.Copies) != 0 {
		t.Fatal("letters typed into the field acted as keys")
	}
	d.Press("esc")
	if m.Typing() || !m.Running() {
		t.Fatal("esc should leave the field, not end the flow")
	}
	if strings.Contains(d.Screen(), "xuo") {
		t.Error("leaving the field kept the text on screen")
	}
	k := m.KeyMap()
	if !k.Verifier.Enabled() || !k.Cancel.Enabled() || !k.CopyURL.Enabled() || k.Token.Enabled() || k.Copy.Enabled() {
		t.Error("after leaving the field: verifier, cancel and copy URL should be enabled, token and copy not")
	}
	d.Press("u")
	if len(h.Copies) != 1 || h.Copies[0].Value != fakeAuthURL {
		t.Fatalf("u copied %v", h.Copies)
	}
	d.Press("p")
	if !m.Typing() {
		t.Fatal("p did not put the focus back in the field")
	}
	d.Press("enter")
	if !m.Running() || !strings.Contains(d.Screen(), "Type the verifier") {
		t.Errorf("an empty verifier was sent:\n%s", d.Screen())
	}
	d.Type("some-verifier")
	d.Press("enter")
	d.Wait(5*time.Second, "the stand-in refusal", func() bool { return !m.Running() })
	if oauth.KindOf(m.Err()) != oauth.KindRejected || m.Typing() {
		t.Fatalf("err = %v, typing %v", m.Err(), m.Typing())
	}
	if k := m.KeyMap(); !k.Reauth.Enabled() || !k.Back.Enabled() || k.Cancel.Enabled() || k.Verifier.Enabled() {
		t.Error("after the failure: r and esc should be offered, cancel and verifier not")
	}
}

// TestOAuth1StoredCredentialsAndTarget: a client with token credentials
// shows them without running the flow unless forced; a name that is not an
// OAuth 1.0a client ends in an explanation before anything runs.
func TestOAuth1StoredCredentialsAndTarget(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(fixture(t))
	ran := 0
	count := func(ctx context.Context, req oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error) {
		ran++
		return doneAuthorize(ctx, req, cb)
	}
	m, _, d := paneHost(t, c, common.RunFlowMsg{Env: "dev", Client: "photos"}, count, 100, 30)
	d.Wait(5*time.Second, "the stored credentials", func() bool { return !m.Running() })
	if m.Err() != nil || !m.Result().FromCache || m.Result().Token != uitest.FixtureOA1Token || ran != 0 {
		t.Fatalf("stored: err %v, ran %d", m.Err(), ran)
	}
	assertNoFakeSecrets(t, d.Screen())
	d.Press("r")
	d.Wait(5*time.Second, "the forced flow", func() bool { return !m.Running() })
	if ran != 1 || m.Result().FromCache || m.Result().Secret != "photos" {
		t.Errorf("r: ran %d, result %+v", ran, m.Result() != nil)
	}

	for _, tc := range []struct {
		name string
		req  common.RunFlowMsg
		want string
	}{
		{"oauth2 client", common.RunFlowMsg{Env: "dev", Client: "console"}, "not an OAuth 1.0a client"},
		{"api key secret", common.RunFlowMsg{Env: "dev", Client: "photos", Secret: "weather-key"}, "not OAuth 1.0a token credentials"},
		{"unknown client", common.RunFlowMsg{Env: "dev", Client: "nope"}, `no auth client "nope"`},
	} {
		m, _, d := paneHost(t, c, tc.req, count, 100, 30)
		if m.Running() || m.Err() == nil || !strings.Contains(d.Screen(), tc.want) || !strings.Contains(d.Screen(), "Next:") && !strings.Contains(d.Screen(), "✗") {
			t.Errorf("%s: err %v\n%s", tc.name, m.Err(), d.Screen())
		}
	}
	if ran != 1 {
		t.Errorf("a flow ran for a bad target (%d runs)", ran)
	}
}

// TestNewForPicksThePane: OAuth 1.0a clients and token secrets get the
// OAuth 1.0a pane, everything else the OAuth 2.0 one.
func TestNewForPicksThePane(t *testing.T) {
	t.Parallel()
	c := uitest.NewCommon(fixture(t))
	for _, tc := range []struct {
		req    common.RunFlowMsg
		oauth1 bool
	}{
		{common.RunFlowMsg{Env: "dev", Client: "photos"}, true},
		{common.RunFlowMsg{Env: "dev", Client: "album"}, true},
		{common.RunFlowMsg{Env: "dev", Secret: "photos"}, true},
		{common.RunFlowMsg{Env: "dev", Client: "console"}, false},
		{common.RunFlowMsg{Env: "staging", Client: "photos"}, false},
	} {
		if got := IsOAuth1(c.Catalog, tc.req); got != tc.oauth1 {
			t.Errorf("IsOAuth1(%+v) = %v", tc.req, got)
		}
		_, isOA1 := NewFor(c, tc.req).(*OAuth1Model)
		if isOA1 != tc.oauth1 {
			t.Errorf("NewFor(%+v) OAuth 1.0a pane = %v", tc.req, isOA1)
		}
	}
}

// TestOAuth1PaneNoFlow: for a client without flow URLs the pane runs
// nothing: without token credentials it says there are none and no flow
// to get them; with them it shows them, says there is no flow to run,
// and offers no re-authorization.
func TestOAuth1PaneNoFlow(t *testing.T) {
	t.Parallel()
	v := fixture(t)
	ac, err := v.Client("dev", "photos")
	if err != nil {
		t.Fatal(err)
	}
	signer := ac
	signer.ID, signer.Name, signer.Endpoints, signer.Callback = "", "signer", vault.Endpoints{}, ""
	if _, err := v.PutClient(t.Context(), signer, &vault.ClientCredentials{ClientSecret: uitest.FixtureConsumerSecret}); err != nil {
		t.Fatal(err)
	}
	c := uitest.NewCommon(v)
	ran := 0
	count := func(ctx context.Context, req oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error) {
		ran++
		return doneAuthorize(ctx, req, cb)
	}
	m, _, d := paneHost(t, c, common.RunFlowMsg{Env: "dev", Client: "signer"}, count, 120, 30)
	if m.Running() || m.Err() == nil || !strings.Contains(d.Screen(), "no flow to get them") {
		t.Errorf("no token credentials: err %v\n%s", m.Err(), d.Screen())
	}

	sec := vault.Secret{Meta: vault.Meta{Name: "signer token", Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "signer"}
	if _, err := v.PutSecret(t.Context(), sec, &vault.SecretValue{Token: fakeToken, TokenSecret: fakeTokenSecret}); err != nil {
		t.Fatal(err)
	}
	c = uitest.NewCommon(v)
	m, _, d = paneHost(t, c, common.RunFlowMsg{Env: "dev", Client: "signer"}, count, 120, 30)
	d.Wait(5*time.Second, "the stored credentials", func() bool { return !m.Running() })
	if m.Err() != nil || m.Result() == nil || !m.Result().FromCache || !m.Result().NoFlow || !strings.Contains(d.Screen(), "has no flow to run") {
		t.Fatalf("stored: err %v\n%s", m.Err(), d.Screen())
	}
	if m.KeyMap().Reauth.Enabled() {
		t.Error("re-authorise offered for a client without a flow")
	}
	d.Press("r")
	if ran != 0 {
		t.Errorf("a flow ran %d times for a client without one", ran)
	}
	assertNoFakeSecrets(t, d.Screen())
}
