package flow

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/oauth/engines"
	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// syncBuffer is a log sink the flow's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exchangeDemo is the playground with a token exchange client, "given",
// that names no subject credential (the subject token is given at each
// call), and a subject token from another demo client that the vault does
// not keep.
func exchangeDemo(t *testing.T) (*uitest.Demo, string) {
	t.Helper()
	dm := uitest.StartDemo(t)
	ctx := context.Background()
	ac, err := dm.Vault.Client("dev", playground.ClientExchange)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := dm.Vault.ClientCredentials(ctx, ac)
	if err != nil {
		t.Fatal(err)
	}
	given := ac
	given.Name, given.ID, given.Exchange = "given", "", nil
	if _, err := dm.Vault.PutClient(ctx, given, &creds); err != nil {
		t.Fatal(err)
	}
	e := engines.New(dm.Vault, dm.Engines).OAuth2
	r, err := e.Token(ctx, oauth.TokenRequest{Env: "dev", Name: playground.ClientServiceBasic}, oauth.FlowCallbacks{})
	if err != nil {
		t.Fatal(err)
	}
	if err := dm.Vault.RemoveSecret(ctx, "dev", r.Secret); err != nil {
		t.Fatal(err)
	}
	return dm, r.AccessToken
}

func exchangePane(t *testing.T, dm *uitest.Demo, req common.RunFlowMsg) (*Model, *uitest.Host, *uitest.Driver, *syncBuffer) {
	t.Helper()
	c := uitest.NewCommon(dm.Vault)
	c.EngineConfig = dm.Engines
	logs := &syncBuffer{}
	c.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := New(c, req)
	m.Blur()
	h := uitest.NewHost(c, m)
	return m, h, uitest.New(t, h, 120, 40), logs
}

// TestExchangeAsksForTheSubjectToken: a token exchange client that trades
// a subject token given at each call (the CLI's --subject-token-stdin)
// asks for it in a masked prompt when no stored token stands in; the
// exchange then runs against the playground and its token is stored,
// while the subject token appears nowhere — screen, transcript, log,
// vault. A line with spaces is refused; esc cancels without storing; r
// asks again.
func TestExchangeAsksForTheSubjectToken(t *testing.T) {
	t.Parallel()
	dm, subject := exchangeDemo(t)
	m, h, d, logs := exchangePane(t, dm, common.RunFlowMsg{Env: "dev", Client: "given"})
	d.Wait(20*time.Second, "the subject prompt", func() bool { return h.Dialog != nil })
	if m.Running() || m.Err() != nil || !strings.Contains(d.Screen(), "Subject token for given") || !strings.Contains(d.Screen(), "Subject token needed") {
		t.Fatalf("no subject prompt: running %v err %v\n%s", m.Running(), m.Err(), d.Screen())
	}
	d.Type("two words")
	d.Press("enter")
	if h.Dialog == nil || !strings.Contains(d.Screen(), "no spaces or line breaks") {
		t.Fatalf("a value with a space was taken:\n%s", d.Screen())
	}
	for range len("two words") {
		d.Press("backspace")
	}
	d.Send(tea.PasteMsg{Content: subject + "\n"}) // pasted, as a token is
	if strings.Contains(d.Screen(), subject[:16]) {
		t.Fatal("the prompt shows the subject token as it is pasted")
	}
	d.Press("enter")
	d.Wait(20*time.Second, "the exchange", func() bool { return h.Dialog == nil && !m.Running() && m.state != askingSubject })
	if m.Err() != nil || m.Result() == nil {
		t.Fatalf("exchange failed: %v\n%s", m.Err(), d.Screen())
	}
	r := m.Result()
	if r.Grant != oauth.TokenExchangeGrantName || r.AccessToken == "" || r.AccessToken == subject || r.FromCache {
		t.Fatalf("result: grant %q, new token %v, from cache %v", r.Grant, r.AccessToken != subject, r.FromCache)
	}
	if !strings.Contains(d.Screen(), "Token issued") {
		t.Errorf("no success view:\n%s", d.Screen())
	}
	d.Press("l") // the transcript, on screen too
	noSubject(t, subject, d.Screen(), m.Transcript().Text(), logs.String())
	noStoredSubject(t, dm.Vault, subject)
	if s, err := dm.Vault.Secret("dev", r.Secret); err != nil || s.AuthClient != "given" {
		t.Fatalf("the exchanged token set was not stored: %v", err)
	}

	storedTokenThenAskAgain(t, dm)
}

// storedTokenThenAskAgain: with a stored token standing in there is no
// prompt; r (a new token) asks again, and esc there leaves nothing changed.
func storedTokenThenAskAgain(t *testing.T, dm *uitest.Demo) {
	t.Helper()
	m2, h2, d2, _ := exchangePane(t, dm, common.RunFlowMsg{Env: "dev", Client: "given"})
	d2.Wait(20*time.Second, "the stored token", func() bool { return !m2.Running() })
	if h2.Dialog != nil || m2.Result() == nil || !m2.Result().FromCache {
		t.Fatalf("with a stored token: dialog %v result %+v err %v", h2.Dialog != nil, m2.Result(), m2.Err())
	}
	d2.Press("r")
	if h2.Dialog == nil {
		t.Fatalf("r did not ask for a subject token:\n%s", d2.Screen())
	}
	d2.Press("esc")
	d2.Wait(5*time.Second, "the cancel", func() bool { return h2.Dialog == nil })
	if !strings.Contains(d2.Screen(), "Cancelled. Nothing was stored") || m2.Err() != nil {
		t.Errorf("esc on the prompt:\n%s", d2.Screen())
	}
}

// TestExchangeSubjectRejected: a subject token the provider did not issue
// is refused by the token endpoint; the pane says so and stores nothing.
func TestExchangeSubjectRejected(t *testing.T) {
	t.Parallel()
	dm, _ := exchangeDemo(t)
	m, h, d, _ := exchangePane(t, dm, common.RunFlowMsg{Env: "dev", Client: "given", Force: true})
	if h.Dialog == nil {
		t.Fatalf("a forced exchange did not ask for the subject first:\n%s", d.Screen())
	}
	const bogus = "not-a-token-the-provider-issued"
	d.Type(bogus)
	d.Press("enter")
	d.Wait(20*time.Second, "the refusal", func() bool { return h.Dialog == nil && m.state == failed })
	if oauth.KindOf(m.Err()) != oauth.KindRejected {
		t.Fatalf("err %v, want a rejection", m.Err())
	}
	if strings.Contains(d.Screen(), bogus) {
		t.Errorf("the refused subject token is on screen:\n%s", d.Screen())
	}
	if _, err := dm.Vault.Secret("dev", "given"); err == nil {
		t.Error("a token set was stored for a refused exchange")
	}
}

func noSubject(t *testing.T, subject string, outs ...string) {
	t.Helper()
	for i, out := range outs {
		for _, part := range strings.Split(subject, ".") {
			if len(part) >= 12 && strings.Contains(out, part) {
				t.Errorf("output %d (screen, transcript, log) holds part of the subject token", i)
			}
		}
	}
}

// noStoredSubject fails when the vault keeps the subject token anywhere.
func noStoredSubject(t *testing.T, v *vault.Vault, subject string) {
	t.Helper()
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.SecretsIn("dev") {
		val, err := v.SecretValue(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if val.AccessToken == subject || val.RefreshToken == subject || val.IDToken == subject || val.Key == subject {
			t.Errorf("secret %q holds the subject token", s.Name)
		}
	}
}
