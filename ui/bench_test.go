package ui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/screens/token"
	"github.com/authdeck/authdeck/ui/uitest"
)

// benchApp returns the root model over the fixture plus n extra items,
// sized 120×40, with every command of its start run.
func benchApp(b *testing.B, n int) *Model {
	b.Helper()
	v := uitest.Fixture()
	if n > 0 {
		batch := uitest.BigBatch(n)
		for i := range batch.Clients {
			batch.Clients[i].Client.Env = "dev"
		}
		for i := range batch.Secrets {
			batch.Secrets[i].Secret.Env = "dev"
		}
		if _, err := v.Apply(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	m := New(Options{
		Vault: v, Catalog: uitest.Catalog(v), Now: func() time.Time { return uitest.FixtureNow }, Dark: true,
		Clipboard: common.NewClipboard(common.ClipboardOptions{Mode: "osc52"}),
	})
	uitest.New(b, m, 120, 40)
	return m
}

func benchView(b *testing.B, m *Model, change tea.Msg) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if change != nil {
			m.Update(change)
		}
		_ = m.View()
	}
}

// View cost per screen (a key press that changes the screen, then a frame):
//
//	go test -run '^$' -bench BenchmarkView ./ui
func BenchmarkViewBrowse1000(b *testing.B) {
	m := benchApp(b, 1000)
	benchView(b, m, uitest.Key("down"))
}

func BenchmarkViewBrowseUnchanged(b *testing.B) {
	m := benchApp(b, 1000)
	benchView(b, m, nil)
}

func BenchmarkViewTokenPane(b *testing.B) {
	m := benchApp(b, 0)
	m.Update(common.OpenTokenMsg{Env: "dev", Secret: "console"})
	uitest.New(b, m, 120, 40)
	benchView(b, m, uitest.Key("down"))
}

func BenchmarkViewDashboard(b *testing.B) {
	m := benchApp(b, 0)
	m.Update(uitest.Key("D"))
	benchView(b, m, uitest.Key("down"))
}

func BenchmarkViewForm(b *testing.B) {
	m := benchApp(b, 0)
	d := uitest.New(b, m, 120, 40)
	d.Send(common.EditMsg{Kind: common.EditClient, Env: "dev"})
	d.Settle()
	benchView(b, m, tea.KeyPressMsg{Code: 'a', Text: "a"})
}

func BenchmarkViewHelpOverlay(b *testing.B) {
	m := benchApp(b, 0)
	m.Update(uitest.Key("?"))
	benchView(b, m, nil)
}

func BenchmarkViewOAuth1TokenPane(b *testing.B) {
	m := benchApp(b, 0)
	uitest.AddOAuth1(m.Common().Vault)
	d := uitest.New(b, m, 120, 40)
	d.Send(common.ReloadCatalogMsg{})
	d.Settle()
	d.Send(common.OpenTokenMsg{Env: "dev", Secret: "photos"})
	d.Settle()
	if tp, ok := m.Top().(*token.Model); !ok || tp.Value() == nil || tp.Value().Token == "" {
		b.Fatalf("top = %T, not the OAuth 1.0a token pane with its token loaded", m.Top())
	}
	benchView(b, m, uitest.Key("down"))
}
