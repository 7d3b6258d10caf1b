package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/uitest"
)

// TestGoldenOAuth1TokenPane: the token pane of OAuth 1.0a token
// credentials (fake fixture values, masked) at 80×24 and 120×40 in every
// built-in theme.
func TestGoldenOAuth1TokenPane(t *testing.T) {
	t.Parallel()
	for _, th := range themes.Builtin() {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", th.Name, size[0], size[1]), func(t *testing.T) {
				v := uitest.Fixture()
				uitest.AddOAuth1(v)
				m := New(Options{
					Vault: v, Catalog: uitest.Catalog(v), Now: func() time.Time { return uitest.FixtureNow }, Dark: true, Theme: th.Name,
					Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
				})
				d := uitest.New(t, m, size[0], size[1])
				d.Send(common.OpenTokenMsg{Env: "dev", Secret: "photos"})
				d.Settle()
				tp, ok := m.Top().(*token.Model)
				if !ok || tp.Value() == nil {
					t.Fatalf("top = %T, loaded %v", m.Top(), ok && tp.Value() != nil)
				}
				screen := d.Screen()
				assertNoSecrets(t, "OAuth 1.0a token pane", screen)
				golden.RequireEqual(t, screen)
			})
		}
	}
}
