package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/authdeck/authdeck/ui/uitest"
	"github.com/authdeck/authdeck/vault"
)

// tuiHome writes a catalog with n items into a fresh AUTHDECK_HOME. Their
// values go to a throw-away memory store: start-up never reads them.
func tuiHome(tb testing.TB, n int) string {
	tb.Helper()
	home := filepath.Join(tb.TempDir(), "home")
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		tb.Fatal(err)
	}
	v := vault.New(cat, vault.NewMemoryStore())
	if _, err := v.Apply(context.Background(), uitest.BigBatch(n)); err != nil {
		tb.Fatal(err)
	}
	return home
}

// ptyRun is the TUI running in a pseudo-terminal.
type ptyRun struct {
	cmd   *exec.Cmd
	tty   *os.File
	out   chan []byte
	start time.Time
	buf   bytes.Buffer
}

func startPTY(tb testing.TB, bin, home string, env ...string) *ptyRun {
	tb.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"AUTHDECK_HOME=" + home, "AUTHDECK_VAULT=keychain", "TERM=xterm-256color", "HOME=" + filepath.Dir(home), "PATH=" + os.Getenv("PATH")}, env...)
	r := &ptyRun{cmd: cmd, out: make(chan []byte, 256)}
	r.start = time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		tb.Fatal(err)
	}
	r.tty = tty
	go func() {
		b := make([]byte, 64<<10)
		for {
			n, err := tty.Read(b)
			if n > 0 {
				r.out <- append([]byte(nil), b[:n]...)
			}
			if err != nil {
				close(r.out)
				return
			}
		}
	}()
	return r
}

// waitFor reads output until it contains want; it returns when want appeared.
func (r *ptyRun) waitFor(tb testing.TB, want string, timeout time.Duration) time.Time {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case b, ok := <-r.out:
			if !ok {
				tb.Fatalf("the TUI exited before showing %q:\n%q", want, r.buf.String())
			}
			r.buf.Write(b)
			if bytes.Contains(r.buf.Bytes(), []byte(want)) {
				return time.Now()
			}
		case <-deadline:
			tb.Fatalf("no %q after %s", want, timeout)
		}
	}
}

// drain keeps reading so the program never blocks on a full terminal.
func (r *ptyRun) drain() {
	go func() {
		for range r.out {
		}
	}()
}

func (r *ptyRun) stop() {
	_, _ = r.tty.Write([]byte("q"))
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
	_ = r.tty.Close()
}

// cpuTicks returns the process's user+system CPU time in clock ticks.
func cpuTicks(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Skipf("needs /proc: %v", err)
	}
	// fields after the command name, which is in parentheses
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

func rssKB(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("needs /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// BenchmarkStartupFirstFrame measures process start → first frame showing
// the list, with 1,000 catalog items, in a pseudo-terminal (budget: p90 ≤ 60 ms).
//
//	go test -run '^$' -bench BenchmarkStartupFirstFrame -benchtime 30x ./cmd/authdeck
func BenchmarkStartupFirstFrame(b *testing.B) {
	bin := buildTUI(b)
	home := tuiHome(b, 1000)
	var times []time.Duration
	var ticks int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := startPTY(b, bin, home)
		at := r.waitFor(b, "item-0003", 10*time.Second)
		ticks += cpuTicks(b, r.cmd.Process.Pid)
		times = append(times, at.Sub(r.start))
		b.StopTimer()
		r.drain()
		r.stop()
		b.StartTimer()
	}
	reportCPUPerStart(b, ticks, len(times))
	slices.Sort(times)
	p90 := times[min(len(times)-1, len(times)*9/10)]
	b.ReportMetric(float64(p90.Microseconds())/1000, "ms-p90")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-p50")
}

// reportCPUPerStart reports the CPU time starts used up to their first
// frame, on average (ticks: /proc's, summed over n starts). On a shared
// machine it varies far less than the wall time, which includes waiting
// for a core.
func reportCPUPerStart(b *testing.B, ticks int64, n int) {
	const hz = 100 // USER_HZ on Linux
	if n > 0 {
		b.ReportMetric(float64(ticks)*1000/hz/float64(n), "cpu-ms/start")
	}
}

// BenchmarkIdleCPUAndRSS measures the CPU the TUI uses while nothing
// animates (budget ≤ 0.5 %) over 30 s — /proc counts CPU in 10 ms ticks, so a
// longer window gives a finer figure — and its resident memory with 1,000
// catalog items (budget ≤ 30 MB).
//
//	go test -run '^$' -bench BenchmarkIdleCPUAndRSS -benchtime 1x ./cmd/authdeck
func BenchmarkIdleCPUAndRSS(b *testing.B) {
	bin := buildTUI(b)
	home := tuiHome(b, 1000)
	const idle = 30 * time.Second
	for i := 0; i < b.N; i++ {
		r := startPTY(b, bin, home)
		r.waitFor(b, "item-0003", 10*time.Second)
		r.drain()
		time.Sleep(time.Second) // let start-up work settle
		pid := r.cmd.Process.Pid
		before := cpuTicks(b, pid)
		time.Sleep(idle)
		used := cpuTicks(b, pid) - before
		rss := rssKB(b, pid)
		r.stop()
		const hz = 100 // USER_HZ on Linux
		b.ReportMetric(float64(used)/hz/idle.Seconds()*100, "%cpu-idle")
		b.ReportMetric(float64(rss)/1024, "MB-rss")
	}
}
