//go:build linux

package agent

import (
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

// startAgent listens in a fresh private runtime directory and serves in
// the background; the returned channel gets Serve's result.
func startAgent(t *testing.T, deadline time.Time) (*Server, *age.X25519Identity, [32]byte, chan error) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("identity file " + id.Recipient().String()))
	// A short directory: a socket address holds about 100 bytes.
	run, err := os.MkdirTemp("", "ag")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(run) })
	path, err := SocketPath(func(string) string { return run }, "/home/someone/.config/authdeck")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(path, id, sum, deadline)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return srv, id, sum, done
}

// waitServe waits for Serve to return.
func waitServe(t *testing.T, done chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
		done <- nil // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("the agent did not exit")
	}
}

func TestSocketIsPrivateAndServesTheIdentity(t *testing.T) {
	srv, id, sum, _ := startAgent(t, time.Now().Add(time.Minute))
	fi, err := os.Lstat(srv.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, want a 0600 socket", fi.Mode())
	}
	di, err := os.Stat(filepath.Dir(srv.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode = %04o, want 0700", di.Mode().Perm())
	}
	got, err := Identity(srv.Path(), sum)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.String() != id.String() {
		t.Fatal("the agent did not hand back the identity it holds")
	}
	// Another identity file (a re-wrapped identity, another vault): none.
	other := sum
	other[0] ^= 1
	if got, err := Identity(srv.Path(), other); err != nil || got != nil {
		t.Fatalf("Identity(other file) = %v, %v; want nil, nil", got, err)
	}
	exp, err := Status(srv.Path())
	if err != nil || time.Until(exp) < 50*time.Second {
		t.Fatalf("Status = %v, %v", exp, err)
	}
}

func TestClientRefusesSocketOthersMayOpen(t *testing.T) {
	srv, _, sum, _ := startAgent(t, time.Now().Add(time.Minute))
	if err := os.Chmod(srv.Path(), 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := Identity(srv.Path(), sum)
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), "mode 0666") {
		t.Fatalf("Identity over a 0666 socket: %v; want ErrUnsafe naming the mode", err)
	}
	if err := os.Chmod(srv.Path(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(srv.Path()), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Identity(srv.Path(), sum); !errors.Is(err, ErrUnsafe) {
		t.Fatalf("Identity with a 0755 socket directory: %v; want ErrUnsafe", err)
	}
}

// nobody is the uid the cross-user tests act as.
const nobody = 65534

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		// Acting as another user needs root; without it the checks above
		// (mode) and the peer check's own code path still run.
		t.Skip("needs root to act as another user")
	}
}

func TestClientRefusesSocketOfAnotherUser(t *testing.T) {
	requireRoot(t)
	srv, _, sum, _ := startAgent(t, time.Now().Add(time.Minute))
	if err := os.Lchown(srv.Path(), nobody, nobody); err != nil {
		t.Fatal(err)
	}
	_, err := Identity(srv.Path(), sum)
	if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Fatalf("Identity over another user's socket: %v; want ErrUnsafe naming the owner", err)
	}
}

// TestAgentRefusesPeerOfAnotherUser opens the socket to everyone and has a
// process running as another user ask for the identity: the agent hangs
// up without an answer.
func TestAgentRefusesPeerOfAnotherUser(t *testing.T) {
	if path := os.Getenv("AUTHDECK_AGENT_TEST_PEER"); path != "" {
		// The helper, running as nobody.
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(`{"op":"status"}` + "\n")); err != nil {
			if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
				return // it hung up before the request was written
			}
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		if len(b) != 0 {
			t.Fatalf("the agent answered another user: %q", b)
		}
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("read: %v (want the agent to hang up)", err)
		}
		return
	}
	requireRoot(t)
	srv, _, _, _ := startAgent(t, time.Now().Add(time.Minute))
	// Let nobody reach the socket: every directory on the way opened, the
	// socket 0666 (the client of this package would refuse it; a hostile
	// process would not ask).
	for d := filepath.Dir(srv.Path()); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(srv.Path(), 0o666); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(binDir), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "agent.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^TestAgentRefusesPeerOfAnotherUser$", "-test.count=1")
	cmd.Env = []string{"AUTHDECK_AGENT_TEST_PEER=" + srv.Path(), "PATH=/usr/bin:/bin"}
	cmd.Dir = "/"
	cmd.SysProcAttr = asUser(nobody)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the helper running as uid %d: %v\n%s", nobody, err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("the helper did not run its check:\n%s", out)
	}
}

func TestAgentExitsAtItsDeadline(t *testing.T) {
	srv, _, sum, done := startAgent(t, time.Now().Add(300*time.Millisecond))
	waitServe(t, done)
	if _, err := os.Lstat(srv.Path()); !os.IsNotExist(err) {
		t.Errorf("the socket is still there after the deadline: %v", err)
	}
	if _, err := Identity(srv.Path(), sum); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("Identity after the deadline: %v; want ErrNoAgent", err)
	}
}

func TestLockEndsTheAgent(t *testing.T) {
	srv, _, sum, done := startAgent(t, time.Now().Add(time.Hour))
	ran, err := Lock(srv.Path())
	if err != nil || !ran {
		t.Fatalf("Lock = %v, %v; want true, nil", ran, err)
	}
	waitServe(t, done)
	if _, err := Identity(srv.Path(), sum); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("Identity after lock: %v; want ErrNoAgent", err)
	}
	if ran, err := Lock(srv.Path()); err != nil || ran {
		t.Fatalf("a second Lock = %v, %v; want false, nil", ran, err)
	}
}

func TestListenRefusesARunningAgentAndReplacesAStaleSocket(t *testing.T) {
	srv, id, sum, _ := startAgent(t, time.Now().Add(time.Minute))
	if _, err := Listen(srv.Path(), id, sum, time.Now().Add(time.Minute)); err == nil || !strings.Contains(err.Error(), "already answers") {
		t.Fatalf("a second Listen on a live socket: %v", err)
	}
	// A socket left behind by an agent that was killed: nobody listens.
	stale := filepath.Join(filepath.Dir(srv.Path()), "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	_ = ln.Close()
	if err := os.Chmod(stale, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Identity(stale, sum); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("Identity over a stale socket: %v; want ErrNoAgent", err)
	}
	s2, err := Listen(stale, id, sum, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	s2.Close()
}

func TestSocketPathNeedsARuntimeDir(t *testing.T) {
	if _, err := SocketPath(func(string) string { return "" }, "/h"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("SocketPath without XDG_RUNTIME_DIR: %v", err)
	}
	a, _ := SocketPath(func(string) string { return "/run/user/1" }, "/h/one")
	b, _ := SocketPath(func(string) string { return "/run/user/1" }, "/h/two")
	if a == b || !strings.HasPrefix(a, "/run/user/1/authdeck/agent-") {
		t.Fatalf("socket paths %q and %q", a, b)
	}
}
