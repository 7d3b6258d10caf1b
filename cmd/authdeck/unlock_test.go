//go:build linux

package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noPassphrase runs a command with AUTHDECK_PASSPHRASE empty (unset for authdeck).
var noPassphrase = []string{"AUTHDECK_PASSPHRASE="}

// agentProcess returns the pid of the process listening on the socket in
// dir (SO_PEERCRED), or 0 when none answers.
func agentProcess(t *testing.T, dir string) int {
	t.Helper()
	socks, _ := filepath.Glob(filepath.Join(dir, "authdeck", "agent-*.sock"))
	if len(socks) != 1 {
		return 0
	}
	c, err := net.Dial("unix", socks[0])
	if err != nil {
		return 0
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	_ = raw.Control(func(fd uintptr) {
		cred, _ = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cred == nil {
		return 0
	}
	return int(cred.Pid)
}

// waitGone waits until no process is pid (the agent exited).
func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the agent (pid %d) is still running after %s", pid, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUnlockAndLock: `authdeck unlock` keeps the identity in an agent, so
// commands run without the passphrase; `authdeck lock` and the deadline end
// it; the passphrase is in neither the agent's arguments nor its
// environment.
func TestUnlockAndLock(t *testing.T) {
	e := newE2E(t)
	run, err := os.MkdirTemp("", "adrun")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(run) })
	e.env = append(e.env, "XDG_RUNTIME_DIR="+run)
	const key = "unlock-e2e-key-9d8c7b6a"
	e.must(key+"\n", "secret", "add", "api", "--type", "API_KEY", "--value-stdin")

	if r := e.run("", noPassphrase, "secret", "show", "api", "--reveal"); r.code != exitMissingInput {
		t.Fatalf("before unlock, without a passphrase: exit %d, want %d\n%s", r.code, exitMissingInput, r.all())
	}
	r := e.must("", "unlock", "--for", "10m")
	if !strings.Contains(r.out, "Unlocked the file vault in "+e.home) {
		t.Fatalf("unlock said: %s", r.all())
	}
	pid := agentProcess(t, run)
	if pid == 0 {
		t.Fatal("no agent answers after unlock")
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) })
	for _, f := range []string{"environ", "cmdline"} {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(e2ePass)) || bytes.Contains(b, []byte("AUTHDECK_PASSPHRASE")) {
			t.Fatalf("the agent's %s holds the passphrase", f)
		}
	}
	if r := e.run("", noPassphrase, "secret", "show", "api", "--reveal"); r.code != 0 || !strings.Contains(r.out, key) {
		t.Fatalf("unlocked, without a passphrase: exit %d\n%s", r.code, r.all())
	}
	// A second unlock replaces the agent.
	e.must("", "unlock", "--for", "10m")
	waitGone(t, pid, 10*time.Second)
	pid = agentProcess(t, run)
	if pid == 0 {
		t.Fatal("no agent answers after the second unlock")
	}
	if r := e.must("", "lock"); !strings.Contains(r.out, "Locked") {
		t.Fatalf("lock said: %s", r.all())
	}
	waitGone(t, pid, 10*time.Second)
	if r := e.run("", noPassphrase, "secret", "show", "api", "--reveal"); r.code != exitMissingInput {
		t.Fatalf("after lock, without a passphrase: exit %d, want %d\n%s", r.code, exitMissingInput, r.all())
	}
	if r := e.must("", "lock"); !strings.Contains(r.out, "No unlock agent was running") {
		t.Fatalf("a second lock said: %s", r.all())
	}

	// The deadline ends the agent by itself.
	e.must("", "unlock", "--for", "2s")
	pid = agentProcess(t, run)
	if pid == 0 {
		t.Fatal("no agent answers after unlock --for 2s")
	}
	waitGone(t, pid, 30*time.Second)
	if socks, _ := filepath.Glob(filepath.Join(run, "authdeck", "*.sock")); len(socks) != 0 {
		t.Fatalf("the expired agent left its socket: %v", socks)
	}
	if r := e.run("", noPassphrase, "secret", "show", "api", "--reveal"); r.code != exitMissingInput {
		t.Fatalf("after the deadline, without a passphrase: exit %d, want %d\n%s", r.code, exitMissingInput, r.all())
	}

	// A wrong passphrase unlocks nothing.
	if r := e.run("", []string{"AUTHDECK_PASSPHRASE=wrong"}, "unlock"); r.code != exitVault || agentProcess(t, run) != 0 {
		t.Fatalf("unlock with a wrong passphrase: exit %d, want %d, and no agent\n%s", r.code, exitVault, r.all())
	}
	if r := e.run("", []string{"AUTHDECK_VAULT=keychain"}, "unlock"); r.code != exitNotConfigured {
		t.Fatalf("unlock on the keychain backend: exit %d\n%s", r.code, r.all())
	}
	if r := e.run("", nil, "unlock", "--for", "48h"); r.code != exitOther {
		t.Fatalf("unlock --for 48h: exit %d\n%s", r.code, r.all())
	}
}
