package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoServeSummary: `authdeck demo --serve` runs the OAuth 1.0a provider too
// and prints its section (endpoints, consumer key and secret, the demo user);
// screenshots/capture.sh reads the consumer secret from it to refuse captures
// that show it. The values are never printed by the test. The process runs
// without core dumps (S-46) and prints no library log lines.
func TestDemoServeSummary(t *testing.T) {
	bin := buildTUI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--serve")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	}()
	var lines []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "Serving until interrupted") {
			break
		}
	}
	found := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case strings.HasPrefix(l, "OAuth 1.0a provider"):
			found["section"] = true
		case strings.HasPrefix(strings.TrimSpace(l), "Request token") && strings.Contains(l, "http://127.0.0.1:") && strings.HasSuffix(l, "/oauth/request_token"):
			found["request token"] = true
		case strings.HasPrefix(strings.TrimSpace(l), "Protected resource") && strings.Contains(l, "/photos"):
			found["photos"] = true
		case len(f) == 3 && f[0] == "Consumer" && f[1] == "secret" && len(f[2]) >= 16:
			found["consumer secret"] = true
		case len(f) == 3 && f[0] == "Consumer" && f[1] == "key":
			found["consumer key"] = true
		}
	}
	for _, want := range []string{"section", "request token", "photos", "consumer key", "consumer secret"} {
		if !found[want] {
			t.Errorf("the --serve summary lacks the OAuth 1.0a %s line", want)
		}
	}
	// S-46: the running process has core dumps turned off.
	if limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(limits), "\n") {
			if f := strings.Fields(l); strings.HasPrefix(l, "Max core file size") && (len(f) < 6 || f[4] != "0" || f[5] != "0") {
				t.Errorf("core dumps are on: %q", l)
			}
		}
	} else if runtime.GOOS == "linux" {
		t.Fatal(err)
	}
	// The summary is what a user reads: the provider library's own log
	// lines ("registered route", request warnings) stay out of it.
	_ = cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(stdout)
	_ = cmd.Wait()
	all := strings.Join(lines, "\n") + "\n" + string(rest) + stderr.String()
	for _, noise := range []string{"registered route", "level=INFO", "level=WARN", "INFO "} {
		if strings.Contains(all, noise) {
			t.Errorf("demo --serve printed library log lines (%q):\n%s", noise, all)
		}
	}
}
