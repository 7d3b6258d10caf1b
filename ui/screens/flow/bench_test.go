package flow

import (
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/common"
	"github.com/authdeck/authdeck/ui/uitest"
)

// One frame of the OAuth 1.0a pane while it waits for an out-of-band
// verifier (URL, QR code beside the text, the focused field), 120×40:
//
//	go test -run '^$' -bench BenchmarkOAuth1PaneView -benchmem ./ui/screens/flow
func BenchmarkOAuth1PaneView(b *testing.B) {
	c := uitest.NewCommon(fixture(b))
	m, _, d := paneHost(b, c, common.RunFlowMsg{Env: "dev", Client: "album"}, waitingAuthorize, 120, 40)
	d.Wait(5*time.Second, "the field", func() bool { return m.Typing() })
	b.Cleanup(m.Close)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}
