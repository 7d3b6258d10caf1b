package flow

import (
	"testing"

	"github.com/authdeck/authdeck/oauth"
	"github.com/authdeck/authdeck/ui/common"
)

// The pane learns that its token set is gone from two sources, in either
// order: the token pane says why (revoked or deleted), and a catalog
// without the set is taken to mean deleted. The known reason stays.
func TestTokenSetGoneKeepsTheKnownReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		order []string
		want  string
	}{
		{"revoked, then seen missing", []string{"revoked", "deleted"}, "revoked"},
		{"seen missing, then revoked", []string{"deleted", "revoked"}, "revoked"},
		{"deleted only", []string{"deleted"}, "deleted"},
	} {
		m := &Model{result: &oauth.Result{Env: "dev", Secret: "svc", AccessToken: "at", RefreshToken: "rt"}}
		for _, why := range tc.order {
			m.Update(common.TokenSetGoneMsg{Env: "dev", Secret: "svc", Why: why})
		}
		if m.gone != tc.want {
			t.Errorf("%s: the pane says %q, want %q", tc.name, m.gone, tc.want)
		}
		if m.result.AccessToken != "" || m.result.RefreshToken != "" {
			t.Errorf("%s: the gone set's tokens are still offered", tc.name)
		}
	}
	m := &Model{result: &oauth.Result{Env: "dev", Secret: "svc", AccessToken: "at"}}
	m.Update(common.TokenSetGoneMsg{Env: "dev", Secret: "other", Why: "revoked"})
	if m.gone != "" || m.result.AccessToken != "at" {
		t.Error("another token set's news dropped this pane's tokens")
	}
}
