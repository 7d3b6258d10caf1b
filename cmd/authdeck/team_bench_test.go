package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/workspace"
)

// teamTUIHome makes a repository whose team workspace folder holds n
// items (one file each), and an empty authdeck home beside it; the items'
// values go to a throw-away memory store: start-up never reads them.
func teamTUIHome(tb testing.TB, n int) (home, folder string) {
	tb.Helper()
	base := tb.TempDir()
	home = filepath.Join(base, "home")
	repo := filepath.Join(base, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		tb.Fatal(err)
	}
	folder = filepath.Join(repo, workspace.DefaultFolder)
	if _, err := workspace.Init(folder, workspace.InitOptions{Name: "payments"}); err != nil {
		tb.Fatal(err)
	}
	ws, err := workspace.Open(folder, workspace.Options{Home: home})
	if err != nil {
		tb.Fatal(err)
	}
	v := vault.New(ws, ws.Store(vault.NewMemoryStore()))
	if _, err := v.Apply(context.Background(), uitest.BigBatch(n)); err != nil {
		tb.Fatal(err)
	}
	return home, folder
}

// BenchmarkStartupFirstFrameTeamWorkspace is BenchmarkStartupFirstFrame with
// the 1,000 items in a team workspace folder (1,000 files read at start-up)
// instead of the personal catalog (budget: p90 ≤ 60 ms).
//
//	go test -run '^$' -bench BenchmarkStartupFirstFrameTeamWorkspace -benchtime 30x ./cmd/authdeck
func BenchmarkStartupFirstFrameTeamWorkspace(b *testing.B) {
	bin := buildTUI(b)
	home, folder := teamTUIHome(b, 1000)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := startPTY(b, bin, home, "AUTHDECK_WORKSPACE="+folder)
		at := r.waitFor(b, "item-0003", 10*time.Second)
		times = append(times, at.Sub(r.start))
		b.StopTimer()
		r.drain()
		r.stop()
		b.StartTimer()
	}
	slices.Sort(times)
	p90 := times[min(len(times)-1, len(times)*9/10)]
	b.ReportMetric(float64(p90.Microseconds())/1000, "ms-p90")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-p50")
}
