package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// responseBenchSize is the body of the memory budget: "≤ 80 MB with a 10 MB response".
const responseBenchSize = 10 << 20

// responseJSON returns at least size bytes of valid JSON shaped like a real
// list endpoint: an envelope around customer records with nested objects and
// arrays, one record per line (so the raw view has lines to scroll while the
// pretty layout is computed).
func responseJSON(tb testing.TB, size int) []byte {
	tb.Helper()
	var b bytes.Buffer
	b.Grow(size + 1024)
	b.WriteString(`{"kind":"customers","page":1,"items":[` + "\n")
	for i := 1; b.Len() < size; i++ {
		if i > 1 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id":"rec-%06d","name":"Customer %d","email":"customer%d@example.test","active":%t,"balance":%d.%02d,`+
			`"address":{"street":"%d Main Street","city":"Springfield","zip":"%05d","geo":{"lat":%d.%04d,"lng":-%d.%04d}},`+
			`"tags":["tier-%d","region-%d"],"orders":[{"sku":"SKU-%04d","qty":%d,"price":%d.99},{"sku":"SKU-%04d","qty":%d,"price":%d.49}]}`,
			i, i, i, i%3 != 0, i*37%100000, i%100,
			i%900+1, i%100000, i%90, i%10000, i%180, i%10000,
			i%4, i%7, i%1000, i%5+1, i%50, (i+7)%1000, i%3+1, i%80)
	}
	b.WriteString("\n],\"next\":null}\n")
	if !json.Valid(b.Bytes()) {
		tb.Fatal("the benchmark body is not valid JSON")
	}
	return b.Bytes()
}

// responseHome writes a catalog holding one saved request, a GET of url
// without credentials, into a fresh AUTHDECK_HOME (values in a throw-away
// memory store, as tuiHome does: the request needs none).
func responseHome(tb testing.TB, url string) string {
	tb.Helper()
	home := filepath.Join(tb.TempDir(), "home")
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		tb.Fatal(err)
	}
	v := vault.New(cat, vault.NewMemoryStore())
	batch := vault.Batch{Requests: []vault.Request{{Name: "customers", Env: vault.DefaultEnv, Method: "GET", URL: url}}}
	if _, err := v.Apply(context.Background(), batch); err != nil {
		tb.Fatal(err)
	}
	return home
}

// waitOutput reads the TUI's output until ok accepts what was written since
// offset from of r.buf; it returns when that happened. Checking the whole
// tail, not each read, finds text split across reads.
func (r *ptyRun) waitOutput(tb testing.TB, from int, what string, timeout time.Duration, ok func(out []byte) bool) time.Time {
	tb.Helper()
	if ok(r.buf.Bytes()[from:]) {
		return time.Now()
	}
	deadline := time.After(timeout)
	for {
		select {
		case b, open := <-r.out:
			if !open {
				tb.Fatalf("the TUI exited while waiting for %s; its output since then:\n%q", what, tail(r.buf.Bytes()[from:], 2000))
			}
			r.buf.Write(b)
			if ok(r.buf.Bytes()[from:]) {
				return time.Now()
			}
		case <-deadline:
			tb.Fatalf("gave up waiting for %s after %s; the TUI's output since then:\n%q", what, timeout, tail(r.buf.Bytes()[from:], 2000))
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (r *ptyRun) key(tb testing.TB, k string) time.Time {
	tb.Helper()
	at := time.Now()
	if _, err := r.tty.Write([]byte(k)); err != nil {
		tb.Fatalf("typing %q: %v", k, err)
	}
	return at
}

// quiet reads output until none came for gap (at most timeout).
func (r *ptyRun) quiet(tb testing.TB, gap, timeout time.Duration) {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case b, open := <-r.out:
			if !open {
				tb.Fatalf("the TUI exited; its last output:\n%q", tail(r.buf.Bytes(), 2000))
			}
			r.buf.Write(b)
		case <-time.After(gap):
			return
		case <-deadline:
			tb.Fatalf("the TUI kept drawing for %s without a pause of %s", timeout, gap)
		}
	}
}

// openConsole opens the saved request (the only item, so the selected one).
// The first frame is painted before the program reads keys, so enter waits
// for the renderer's own first frame, and is pressed again if it was
// still lost: in the list, enter only opens.
func (r *ptyRun) openConsole(tb testing.TB) {
	tb.Helper()
	isConsole := func(out []byte) bool { return bytes.Contains(out, []byte("ctrl+s sends")) }
	r.quiet(tb, 300*time.Millisecond, 10*time.Second)
	from := r.buf.Len()
	r.key(tb, "\r")
	deadline := time.After(3 * time.Second)
	for !isConsole(r.buf.Bytes()[from:]) {
		select {
		case b, open := <-r.out:
			if !open {
				tb.Fatalf("the TUI exited before opening the request; its last output:\n%q", tail(r.buf.Bytes(), 2000))
			}
			r.buf.Write(b)
		case <-deadline:
			r.key(tb, "\r")
			r.waitOutput(tb, from, "the request console (enter on the saved request)", 10*time.Second, isConsole)
			return
		}
	}
}

// procKB reads one "Name: N kB" field of /proc/PID/status.
func procKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// rssSampler polls VmRSS every 10 ms; the kernel's high-water mark (VmHWM)
// also catches peaks between polls. Both come from counters the kernel
// batches per thread, so they can differ by a few hundred kB. It reads
// /proc through procKB, not rssKB: it runs off the benchmark's goroutine,
// where a failure must not end the benchmark.
type rssSampler struct {
	mu   sync.Mutex
	max  int64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := procKB(pid, "VmRSS"); err == nil {
				s.mu.Lock()
				s.max = max(s.max, kb)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// done stops the sampler and returns the largest VmRSS seen, in kB.
func (s *rssSampler) done() int64 {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max
}

// The viewer's bar reads "json · formatting… · lines 1–26 of 30194 · 10.0 MB".
// The renderer rewrites only the cells that changed, from the first changed
// cell on; a scroll always changes the last digit of the first line number,
// so "<digits>–<digit>" of the new range is always written.
var (
	barRangeRe = regexp.MustCompile(`lines 1–(\d+) of \d+`)
	rangeRe    = regexp.MustCompile(`(\d+)–\d`)
)

// scrolled reports whether out shows a range that no longer starts at line 1.
func scrolled(out []byte) bool {
	for _, m := range rangeRe.FindAllSubmatch(out, -1) {
		if string(m[1]) != "1" {
			return true
		}
	}
	return false
}

// BenchmarkResponse10MBRSS opens a saved request in the TUI (in a
// pseudo-terminal), sends it to a loopback server answering 10 MB of JSON,
// and measures the memory budget "RSS ≤ 80 MB with a 10 MB response"
// and "never blocks keys". The request is sent rounds times; each new body
// replaces the one on screen. Metrics:
//
//   - MB-rss: VmRSS once the first body's first lines are on screen.
//   - MB-rss-pretty: VmRSS once its pretty layout is shown, after a look
//     around it (bottom, raw, pretty, top).
//   - MB-rss-hwm-1st: the kernel's high-water mark (VmHWM) at that point,
//     so the peak with one 10 MB response, formatting included.
//   - MB-rss-max: the largest VmRSS polled every 10 ms over all rounds.
//   - MB-rss-hwm: VmHWM at the end, peaks between polls included.
//   - ms-key-echo-p90, ms-key-echo-p50: one scroll key (j) per round,
//     pressed as soon as the new body is on screen, to the frame that shows
//     the scroll. The key lands just after a frame, so this is the worst
//     phase of the 15 fps frame clock (cmd/authdeck/tui.go): one frame,
//     67 ms, is the floor; a UI loop blocked by the body would show above it.
//   - keys-while-formatting: of those presses, how many were made while the
//     viewer still said "formatting…" (laying out 10 MB takes tens of
//     milliseconds, so not every round catches it).
//   - ms-first-screen: ctrl+s to the first body lines, first round.
//
// Run it with:
//
//	go test -run '^$' -bench BenchmarkResponse10MBRSS -benchtime 1x ./cmd/authdeck/
func BenchmarkResponse10MBRSS(b *testing.B) {
	const (
		rounds   = 20
		marker   = `"rec-000001"` // the first record: on the first screen raw and pretty
		waitLong = 20 * time.Second
	)
	body := responseJSON(b, responseBenchSize)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	bin := buildTUI(b)
	home := responseHome(b, srv.URL+"/v1/customers")

	var (
		echoes                              []time.Duration
		firstScreens                        []time.Duration
		rssFirst, rssPretty, rssMax, rssHWM int64
		rssHWM1st                           int64
		whileFormatting                     int
	)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		func() {
			r := startPTY(b, bin, home)
			stopped := false
			stop := func() {
				if stopped {
					return
				}
				stopped = true
				_, _ = r.tty.Write([]byte{0x03}) // ctrl+c quits from any screen
				r.drain()
				r.stop()
			}
			defer stop()
			pid := r.cmd.Process.Pid
			sampler := sampleRSS(pid)
			defer sampler.done()

			r.waitFor(b, "customers", 10*time.Second)
			r.openConsole(b)

			height := 0
			for round := 0; round < rounds; round++ {
				from := r.buf.Len()
				sent := r.key(b, "\x13") // ctrl+s
				// The new body is on screen when its bar shows lines 1–h: the
				// first round by its first record, later rounds by the range
				// going back to the top (the previous round scrolled).
				if round == 0 {
					shown := r.waitOutput(b, from, "the first lines of the body ("+marker+" and the viewer's range)", waitLong, func(out []byte) bool {
						return bytes.Contains(out, []byte(marker)) && barRangeRe.Match(out)
					})
					m := barRangeRe.FindSubmatch(r.buf.Bytes()[from:])
					height, _ = strconv.Atoi(string(m[1]))
					if height < 2 {
						b.Fatalf("the viewer shows %d lines of the body", height)
					}
					firstScreens = append(firstScreens, shown.Sub(sent))
					rssFirst = max(rssFirst, rssKB(b, pid))
				} else {
					top := fmt.Sprintf("1–%d", height)
					r.waitOutput(b, from, fmt.Sprintf("the re-sent body (range %s) in round %d", top, round), waitLong, func(out []byte) bool {
						return bytes.Contains(out, []byte(top))
					})
				}
				// The bar says "formatting…" while the layout runs and then
				// "pretty" (a different word, so it is written).
				fmtAt := bytes.Index(r.buf.Bytes()[from:], []byte("formatting…"))
				if fmtAt >= 0 {
					fmtAt += from
					if !bytes.Contains(r.buf.Bytes()[fmtAt:], []byte("pretty")) {
						whileFormatting++
					}
				}
				mark := r.buf.Len()
				pressed := r.key(b, "j")
				echoed := r.waitOutput(b, mark, fmt.Sprintf("the scroll after j in round %d", round), 10*time.Second, scrolled)
				echoes = append(echoes, echoed.Sub(pressed))
				if fmtAt >= 0 {
					r.waitOutput(b, fmtAt, fmt.Sprintf("the pretty layout in round %d", round), waitLong, func(out []byte) bool {
						return bytes.Contains(out, []byte("pretty"))
					})
				}
				if round == 0 {
					// Look around the pretty view: to the bottom (the last
					// lines are rendered from the index), raw and back.
					for _, k := range []string{"G", "p", "p", "g"} {
						m := r.buf.Len()
						r.key(b, k)
						r.waitOutput(b, m, fmt.Sprintf("a frame after %q", k), 10*time.Second, func(out []byte) bool { return len(out) > 0 })
					}
					// g is back at the top: scroll once more, so the next
					// round's body shows by its range going back to 1.
					m := r.buf.Len()
					r.key(b, "j")
					r.waitOutput(b, m, "the scroll after the tour", 10*time.Second, scrolled)
					time.Sleep(200 * time.Millisecond)
					rssPretty = max(rssPretty, rssKB(b, pid))
					if hwm, err := procKB(pid, "VmHWM"); err == nil {
						rssHWM1st = max(rssHWM1st, hwm)
					}
				}
			}
			rssMax = max(rssMax, sampler.done(), rssFirst, rssPretty)
			if hwm, err := procKB(pid, "VmHWM"); err == nil {
				rssHWM = max(rssHWM, hwm)
			}
			stop()
		}()
	}
	b.StopTimer()
	slices.Sort(echoes)
	slices.Sort(firstScreens)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(float64(rssFirst)/1024, "MB-rss")
	b.ReportMetric(float64(rssPretty)/1024, "MB-rss-pretty")
	b.ReportMetric(float64(rssHWM1st)/1024, "MB-rss-hwm-1st")
	b.ReportMetric(float64(rssMax)/1024, "MB-rss-max")
	b.ReportMetric(float64(rssHWM)/1024, "MB-rss-hwm")
	b.ReportMetric(ms(echoes[min(len(echoes)-1, len(echoes)*9/10)]), "ms-key-echo-p90")
	b.ReportMetric(ms(echoes[len(echoes)/2]), "ms-key-echo-p50")
	b.ReportMetric(float64(whileFormatting)/float64(b.N), "keys-while-formatting")
	b.ReportMetric(ms(firstScreens[len(firstScreens)/2]), "ms-first-screen")
}
