package browse

import (
	"strings"
	"testing"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// withFolders adds to the fixture's dev environment requests filed as a
// Postman import files them: Payments/charge, Payments/Refunds/refund one
// and two, Users/me.
func withFolders(t *testing.T) *vault.Vault {
	t.Helper()
	v := uitest.Fixture()
	for _, r := range []vault.Request{
		{Name: "charge", Method: "POST", URL: "{{api}}/charges", Folder: []string{"Payments"}},
		{Name: "refund one", Method: "POST", URL: "{{api}}/refunds", Folder: []string{"Payments", "Refunds"}},
		{Name: "me", Method: "GET", URL: "{{api}}/me", Folder: []string{"Users"}},
		{Name: "refund two", Method: "GET", URL: "{{api}}/refunds/2", Folder: []string{"Payments", "Refunds"}},
	} {
		r.Env = "dev"
		if _, err := v.PutRequest(r); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// TestRequestsAsATree: the requests are listed as 'request list' prints
// them, folders indented under their parents; the section counts requests,
// not folder rows.
func TestRequestsAsATree(t *testing.T) {
	t.Parallel()
	d, _, _ := newBrowse(t, withFolders(t))
	s := d.Screen()
	for _, want := range []string{"REQUESTS 6", "▾ Payments 3", "  charge POST", "▾ Refunds 2", "    refund one POST", "    refund two GET", "▾ Users 1", "  me GET"} {
		if !strings.Contains(s, want) {
			t.Errorf("the list lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "list users") > strings.Index(s, "Payments") {
		t.Error("the top-level requests do not come before the folders")
	}
}

// TestFoldersFoldAndUnfold: enter and space fold a folder (its requests
// leave the list, the cursor stays on it), → unfolds, ← on a request goes
// to its folder and ← there folds it.
func TestFoldersFoldAndUnfold(t *testing.T) {
	t.Parallel()
	d, _, m := newBrowse(t, withFolders(t))
	selectName(t, d, m, "▾ Payments")
	if hb := m.KeyMap().Open.Help(); hb.Desc != "fold" {
		t.Errorf("enter on an open folder is offered as %q", hb.Desc)
	}
	if m.KeyMap().Edit.Enabled() || m.KeyMap().Delete.Enabled() || m.KeyMap().Copy.Enabled() {
		t.Error("edit, delete or copy offered on a folder row")
	}
	d.Press("enter")
	s := d.Screen()
	if !strings.Contains(s, "▸ Payments 3") || strings.Contains(s, "charge") || strings.Contains(s, "refund one") {
		t.Fatalf("enter did not fold Payments:\n%s", s)
	}
	if it, _ := m.Selected(); it.Name != "▸ Payments" {
		t.Errorf("after folding the cursor is on %q", it.Name)
	}
	if !strings.Contains(s, "REQUESTS 6") {
		t.Errorf("folding changed the section's count:\n%s", s)
	}
	d.Press("right")
	if s := d.Screen(); !strings.Contains(s, "charge") || !strings.Contains(s, "refund two") {
		t.Fatalf("→ did not unfold Payments:\n%s", s)
	}
	d.Press("space")
	if s := d.Screen(); strings.Contains(s, "charge") {
		t.Fatalf("space did not fold Payments:\n%s", s)
	}
	d.Press("space")
}

// TestLeftMovesUpTheTree: ← on a request goes to its folder and shows the
// folder's detail; ← there folds it; ← on a folded folder goes to its parent.
func TestLeftMovesUpTheTree(t *testing.T) {
	t.Parallel()
	d, _, m := newBrowse(t, withFolders(t))
	selectName(t, d, m, "refund two")
	d.Press("left")
	if it, _ := m.Selected(); it.Name != "▾ Refunds" {
		t.Fatalf("← on a request moved to %q, want its folder", it.Name)
	}
	if s := d.Screen(); !strings.Contains(s, "folder          Payments / Refunds") || !strings.Contains(s, "requests        2") {
		t.Errorf("the folder's detail:\n%s", s)
	}
	d.Press("left")
	if s := d.Screen(); strings.Contains(s, "refund two") || !strings.Contains(s, "▸ Refunds") {
		t.Fatalf("← on an open folder did not fold it:\n%s", s)
	}
	d.Press("left")
	if it, _ := m.Selected(); it.Name != "▾ Payments" {
		t.Errorf("← on a folded folder moved to %q, want its parent", it.Name)
	}
}

// TestFilterFindsRequestsInFoldedFolders: the filter matches requests in a
// folded folder (never the folder rows); clearing the filter on one opens
// its folders so the cursor stays on it; enter opens it.
func TestFilterFindsRequestsInFoldedFolders(t *testing.T) {
	t.Parallel()
	d, h, m := newBrowse(t, withFolders(t))
	selectName(t, d, m, "▾ Payments")
	d.Press("enter")
	d.Press("/")
	d.Type("refund tw")
	d.Press("enter")
	if it, _ := m.Selected(); it.Name != "refund two" {
		t.Fatalf("the filter selected %q in a folded folder", it.Name)
	}
	if s := d.Screen(); strings.Contains(s, "Payments 3") {
		t.Errorf("a folder row matched the filter:\n%s", s)
	}
	d.Press("esc")
	if it, _ := m.Selected(); it.Name != "refund two" {
		t.Fatalf("clearing the filter moved the cursor to %q", it.Name)
	}
	if s := d.Screen(); !strings.Contains(s, "▾ Payments") || !strings.Contains(s, "    refund two GET") {
		t.Errorf("the folders around the request did not open:\n%s", s)
	}
	d.Press("enter")
	if or, ok := lastIntent(h).(common.OpenRequestMsg); !ok || or.Name != "refund two" {
		t.Errorf("enter on the request sent %#v", lastIntent(h))
	}
}

// TestFoldsSurviveACatalogChange: a folded folder stays folded when the
// catalog changes (a save elsewhere), and a request saved into it by a
// change that names it opens it and is selected.
func TestFoldsSurviveACatalogChange(t *testing.T) {
	t.Parallel()
	v := withFolders(t)
	d, _, m := newBrowse(t, v)
	selectName(t, d, m, "▾ Users")
	d.Press("enter")
	selectName(t, d, m, "▾ Payments")
	d.Press("enter")
	r, err := v.PutRequest(vault.Request{Name: "refund three", Env: "dev", Method: "DELETE", URL: "{{api}}/refunds/3", Folder: []string{"Payments", "Refunds"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Send(common.CatalogMsg{Catalog: uitest.Catalog(v)})
	d.Settle()
	if s := d.Screen(); !strings.Contains(s, "▸ Payments 4") || !strings.Contains(s, "▸ Users 1") {
		t.Fatalf("the folds did not survive the change:\n%s", s)
	}
	d.Send(common.ResultMsg{OK: "Saved", Catalog: uitest.Catalog(v), Item: common.ItemRef{Kind: "request", Env: "dev", Name: r.Name}})
	d.Settle()
	if it, _ := m.Selected(); it.Name != "refund three" {
		t.Fatalf("the saved request is not selected (%q)", it.Name)
	}
	if s := d.Screen(); !strings.Contains(s, "▸ Users 1") || !strings.Contains(s, "▾ Payments 4") {
		t.Errorf("opened more or less than the saved request's folders:\n%s", s)
	}
}

// helpKeys lists the enabled bindings of the help overlay as "key desc".
func helpKeys(m *Model) []string {
	var out []string
	for _, group := range m.FullHelp() {
		for _, b := range group {
			if b.Enabled() {
				out = append(out, b.Help().Key+" "+b.Help().Desc)
			}
		}
	}
	return out
}

// TestHelpNamesTheNewKeys: ? lists s on a variable, the fold keys on a
// folder, and ← on a request inside one.
func TestHelpNamesTheNewKeys(t *testing.T) {
	t.Parallel()
	d, _, m := newBrowse(t, withFolders(t))
	cases := []struct {
		row  string
		want []string
	}{
		{"api", []string{"s mark secret", "e edit value", "d delete"}},
		{"▾ Payments", []string{"enter fold", "space fold/unfold", "← fold / to folder"}},
		{"charge", []string{"← fold / to folder", "enter open"}},
	}
	for _, tc := range cases {
		selectName(t, d, m, tc.row)
		got := strings.Join(helpKeys(m), " | ")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("on %q the help lacks %q: %s", tc.row, w, got)
			}
		}
	}
	selectName(t, d, m, "▾ Payments")
	d.Press("enter")
	if got := strings.Join(helpKeys(m), " | "); !strings.Contains(got, "→ unfold") || !strings.Contains(got, "enter unfold") {
		t.Errorf("on a folded folder the help lacks → and enter unfold: %s", got)
	}
}
