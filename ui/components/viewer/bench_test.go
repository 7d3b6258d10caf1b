package viewer

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	tea "charm.land/bubbletea/v2"

	oreq "github.com/authdeck/authdeck/oauth/request"
	"github.com/authdeck/authdeck/themes"
	"github.com/authdeck/authdeck/ui/styles"
	"github.com/authdeck/authdeck/ui/uitest"
)

// benchJSON returns a minified JSON list response of about n bytes.
func benchJSON(n int) []byte {
	var b bytes.Buffer
	b.Grow(n + 256)
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","active":%t,"score":%d.%02d,"tags":["alpha","beta"],"owner":{"id":"u-%d","email":"user%d@example.com"},"note":null}`,
			i, i, i%3 != 0, i%1000, i%100, i%97, i%97)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

var sizes = []struct {
	name string
	n    int
}{{"1MB", 1 << 20}, {"10MB", 10 << 20}, {"50MB", 50 << 20}}

// BenchmarkFirstScreen is the time from the body's bytes arriving to the
// first screen (budget: ≤ 100 ms for 10 MB): read into the body model,
// index the lines, render the visible lines at 120×40. The pretty layout is
// started in a command and is not waited for.
func BenchmarkFirstScreen(b *testing.B) {
	st := styles.New(themes.Builtin()[0], true)
	for _, sz := range sizes {
		data := benchJSON(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				body, err := oreq.ReadBody(bytes.NewReader(data), int64(len(data)), 0, "application/json")
				if err != nil {
					b.Fatal(err)
				}
				m := New(st)
				m.SetSize(120, 40)
				_ = m.SetBody(body)
				if len(m.View()) == 0 {
					b.Fatal("empty view")
				}
			}
		})
	}
}

// BenchmarkPrettyFirstScreen adds the pretty layout (which the viewer runs
// off the UI loop) before the first screen, for comparison.
func BenchmarkPrettyFirstScreen(b *testing.B) {
	st := styles.New(themes.Builtin()[0], true)
	for _, sz := range sizes {
		data := benchJSON(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			for b.Loop() {
				body, _ := oreq.ReadBody(bytes.NewReader(data), int64(len(data)), 0, "application/json")
				m := New(st)
				m.SetSize(120, 40)
				run(m, m.SetBody(body))
				if !m.Pretty() {
					b.Fatal("not pretty")
				}
				_ = m.View()
			}
		})
	}
}

// BenchmarkScrollStep is one key press down plus the redraw, in the pretty
// view of a large body (budget: ≤ 2 ms).
func BenchmarkScrollStep(b *testing.B) {
	st := styles.New(themes.Builtin()[0], true)
	for _, sz := range sizes {
		data := benchJSON(sz.n)
		body, _ := oreq.NewBody(data, "application/json")
		for _, mode := range []string{"pretty", "raw"} {
			b.Run(sz.name+"-"+mode, func(b *testing.B) {
				m := New(st)
				m.SetSize(120, 40)
				run(m, m.SetBody(body))
				if mode == "raw" {
					press(m, "p")
				}
				down := keyDown()
				n := 0
				for b.Loop() {
					if n++; n%1000 == 0 {
						press(m, "g")
					}
					m.HandleKey(down)
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkMemory reports the heap held by a body on screen, pretty layout
// included, as a multiple of the body's size (budget: ≤ 3×).
func BenchmarkMemory(b *testing.B) {
	st := styles.New(themes.Builtin()[0], true)
	for _, sz := range sizes {
		data := benchJSON(sz.n)
		b.Run(sz.name, func(b *testing.B) {
			var ratio float64
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				// A copy stands for the bytes the sender read from the network.
				body, _ := oreq.ReadBody(bytes.NewReader(data), int64(len(data)), 0, "application/json")
				m := New(st)
				m.SetSize(120, 40)
				run(m, m.SetBody(body))
				_ = m.View()
				runtime.GC()
				runtime.ReadMemStats(&after)
				ratio = float64(after.HeapAlloc-before.HeapAlloc) / float64(len(data))
				runtime.KeepAlive(m)
			}
			b.ReportMetric(ratio, "x-body")
		})
	}
}

// TestBudgetsSmoke keeps the benchmarks' set-up honest in ordinary test
// runs: a 1 MB body reaches the pretty view and scrolls.
func TestBudgetsSmoke(t *testing.T) {
	t.Parallel()
	body, err := oreq.NewBody(benchJSON(1<<20), "application/json")
	if err != nil {
		t.Fatal(err)
	}
	m := New(styles.New(themes.Builtin()[0], true))
	m.SetSize(120, 40)
	run(m, m.SetBody(body))
	if !m.Pretty() || m.lineCount() < 50_000 {
		t.Fatalf("pretty %v lines %d", m.Pretty(), m.lineCount())
	}
	m.HandleKey(keyDown())
	if m.Top() != 1 {
		t.Fatal("scroll")
	}
}

func keyDown() tea.KeyPressMsg { return uitest.Key("down") }

// BenchmarkCountMatches is the match count a search adds (it runs in the
// search's command, off the UI loop): every match of a common word in a
// minified 10 MB body.
func BenchmarkCountMatches(b *testing.B) {
	data := benchJSON(10 << 20)
	body, err := oreq.ReadBody(bytes.NewReader(data), int64(len(data)), 0, "application/json")
	if err != nil {
		b.Fatal(err)
	}
	q := oreq.NewQuery("alpha")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, n, err := countMatches(b.Context(), body, q, oreq.Match{}); err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}
