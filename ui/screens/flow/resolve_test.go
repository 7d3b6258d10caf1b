package flow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/oauth1"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// TestOAuth1PaneResolvesWithTheVault: the OAuth 1.0a pane works on what the
// vault's resolver says the client and secret mean, and shows its refusals
// in its words: two token secrets for "album" are ambiguous, and naming one
// of them picks it.
func TestOAuth1PaneResolvesWithTheVault(t *testing.T) {
	t.Parallel()
	v := fixture(t)
	for _, name := range []string{"a1", "a2"} {
		s := vault.Secret{Meta: vault.Meta{Name: name, Env: "dev"}, Type: vault.TypeOAuth1Token, AuthClient: "album"}
		if _, err := v.PutSecret(t.Context(), s, &vault.SecretValue{Token: fakeToken + name, TokenSecret: fakeTokenSecret}); err != nil {
			t.Fatal(err)
		}
	}
	c := uitest.NewCommon(v)
	ran := 0
	count := func(ctx context.Context, req oauth1.AuthorizeRequest, cb oauth1.Callbacks) (*oauth1.Result, error) {
		ran++
		return doneAuthorize(ctx, req, cb)
	}
	ambiguous := common.RunFlowMsg{Env: "dev", Client: "album"}
	_, want := vault.ResolveTokenSecret(c.Catalog, "dev", "album", "")
	if want == nil || !IsOAuth1(c.Catalog, ambiguous) {
		t.Fatalf("the fixture: resolver %v, OAuth 1.0a pane %v", want, IsOAuth1(c.Catalog, ambiguous))
	}
	m, _, d := paneHost(t, c, ambiguous, count, 120, 30)
	if m.Running() || m.Err() == nil || m.Err().Error() != want.Error() || !strings.Contains(d.Screen(), "has several token secrets") {
		t.Errorf("ambiguous: err %v, want %q\n%s", m.Err(), want, d.Screen())
	}
	m, _, d = paneHost(t, c, common.RunFlowMsg{Env: "dev", Client: "album", Secret: "a2"}, count, 120, 30)
	d.Wait(5*time.Second, "the stored credentials", func() bool { return !m.Running() })
	if m.Err() != nil || m.Result() == nil || m.Result().Secret != "a2" || !m.Result().FromCache || ran != 0 {
		t.Errorf("named: err %v, result %+v, ran %d", m.Err(), m.Result(), ran)
	}
}
