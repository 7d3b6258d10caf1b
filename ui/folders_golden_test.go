package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// TestGoldenRequestTree: saved requests filed in folders (as a Postman
// import files them) listed as a tree, Users folded, the cursor on a
// request two folders deep, at 80×24 and 120×40 in every built-in theme.
func TestGoldenRequestTree(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				d, m, v := fixtureApp(t, size[0], size[1], func(o *Options) { o.Theme = th.Name })
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
				d.Send(common.ReloadCatalogMsg{})
				d.Settle()
				pressUntil(t, d, m, "▾ Users")
				d.Press("enter")
				pressUntil(t, d, m, "refund one")
				screen := d.Screen()
				assertNoSecrets(t, "request tree", screen)
				golden.RequireEqual(t, screen)
			})
		}
	}
}

// pressUntil moves the browse cursor down from the top until it is on name.
func pressUntil(t *testing.T, d *uitest.Driver, m *Model, name string) {
	t.Helper()
	d.Press("g")
	for range 40 {
		if selectedItem(t, m) == name {
			return
		}
		d.Press("down")
	}
	t.Fatalf("%q not found in the list", name)
}
