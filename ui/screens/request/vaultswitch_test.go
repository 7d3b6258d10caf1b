package request

import (
	"net/http"
	"testing"

	"github.com/authdeck/authdeck/ui/uitest"
)

// TestSenderFollowsVaultSwitch: a console opened before the session
// switched vaults resolves the request in the new vault — here a variable
// only the new vault has — not in the vault it was opened over.
func TestSenderFollowsVaultSwitch(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	f := newFixture(t, "", 100, 30)
	f.typeURL("{{target}}/users")
	f.sendAndWait(t)
	if f.m.Err() == nil || srv.count() != 0 {
		t.Fatal("the first vault has no {{target}}, yet the request went out")
	}

	next := uitest.Fixture()
	if err := next.SetVar(t.Context(), "dev", "target", srv.URL, false); err != nil {
		t.Fatal(err)
	}
	f.c.Vault, f.c.Catalog = next, uitest.Catalog(next) // what the vault pane's switch does
	f.sendAndWait(t)
	if f.m.Err() != nil || srv.count() != 1 || f.m.Response() == nil || f.m.Response().StatusCode != http.StatusOK {
		t.Fatalf("after the switch: err %v, %d requests", f.m.Err(), srv.count())
	}
	if f.m.sender.Vault != next {
		t.Error("the console kept a sender over the old vault")
	}
}
