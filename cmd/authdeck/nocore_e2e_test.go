//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCoreDumpsTurnedOffAtStart (S-46): authdeck sets RLIMIT_CORE to 0,
// soft and hard, as it starts, so a crash cannot write its memory (and the
// secrets in it) to a core file. Started with core files allowed, the
// command 'authdeck exec' runs inherits the limits authdeck holds.
func TestCoreDumpsTurnedOffAtStart(t *testing.T) {
	e := newE2E(t)
	e.must(`{"accessToken": "core-test-token-0123456789"}`, "secret", "add", "tok", "--type", "OA2_AUTHORIZATION_CODE", "--value-stdin")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := func(script string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script}, args...)...)
		cmd.Env, cmd.Dir = e.env, filepath.Dir(e.home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sh -c %q: %v\n%s", script, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// The shell can allow core files here; where the hard limit is already
	// 0 there is nothing to turn off.
	cmd := exec.CommandContext(ctx, "sh", "-c", "ulimit -c 4096 && ulimit -c")
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "4096" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot allow core files to start with (ulimit -c 4096: %v %s)", err, out)
		}
		t.Skipf("core files cannot be allowed here (hard limit 0), so there is nothing to turn off: %v %s", err, out)
	}
	got := run(`ulimit -c 4096 && exec "$0" exec tok -- sh -c 'ulimit -c; ulimit -Hc'`, e.bin)
	if got != "0\n0" {
		t.Fatalf("the core file limits under authdeck (soft, hard) are %q, want 0 and 0", got)
	}
}
