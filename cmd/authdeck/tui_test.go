package main

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTUINeedsATerminal(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := Main(nil, IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, InFd: -1},
		func(k string) string { return map[string]string{"AUTHDECK_VAULT": "memory"}[k] })
	if code == 0 || !strings.Contains(errb.String(), "needs a terminal") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestTUIUnknownEnvironment(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := Main([]string{"--env", "nope"}, IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, InFd: -1},
		func(k string) string { return map[string]string{"AUTHDECK_VAULT": "memory"}[k] })
	if code != 2 || !strings.Contains(errb.String(), `no environment "nope"`) {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestDemoServe: `authdeck demo --serve` prints the playground's URLs and
// throwaway credentials, keeps serving, and stops cleanly on an interrupt.
func TestDemoServe(t *testing.T) {
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
	var text strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		text.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "Serving until interrupted") {
			break
		}
	}
	for _, want := range []string{"Issuer", "http://127.0.0.1:", "Demo API", "service-basic", "client_secret", "cli", "device"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo --serve exited with %v; stderr %q", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo --serve did not stop on SIGINT")
	}
}
