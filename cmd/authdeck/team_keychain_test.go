package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// secretService is a private D-Bus session bus with gnome-keyring's Secret
// Service on it, unlocked, in throw-away directories: what
// .ci/with-secret-service.sh sets up, started here once per person so each
// has a keychain of their own.
type secretService struct {
	addr string
	dir  string
}

// needSecretServiceTools skips (fails under CI=true) without the programs
// a private Secret Service needs.
func needSecretServiceTools(t *testing.T) {
	t.Helper()
	needTool(t, "dbus-daemon", "dbus")
	needTool(t, "gnome-keyring-daemon", "gnome-keyring")
	needTool(t, "secret-tool", "libsecret-tools")
}

// startSecretService starts a private bus and a gnome-keyring on it and
// waits (at most a minute, however loaded the machine) until the Secret
// Service owns its name. One that does not come up fails the test under
// CI=true and skips it elsewhere, with the daemon's log.
func startSecretService(t *testing.T, name string) *secretService {
	t.Helper()
	// a short directory: a unix socket path holds at most 108 bytes
	dir, err := os.MkdirTemp("", "ss-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	for _, d := range []string{"run", "data", "config", "cache", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s := &secretService{addr: "unix:path=" + filepath.Join(dir, "bus"), dir: dir}
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but a private Secret Service for "+name+" does not start: "+format, args...)
		}
		t.Skipf("no private Secret Service for "+name+": "+format, args...)
	}
	start := func(cmd *exec.Cmd) {
		t.Helper()
		if err := cmd.Start(); err != nil {
			unavailable("%s: %v", cmd.Path, err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	var busLog, keyringLog bytes.Buffer
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address="+s.addr)
	bus.Env = s.env(nil)
	bus.Stdout, bus.Stderr = &busLog, &busLog
	start(bus)
	deadline := time.Now().Add(time.Minute)
	var conn *dbus.Conn
	for {
		if conn, err = dbus.Connect(s.addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			unavailable("the bus at %s does not answer: %v\n%s", s.addr, err, busLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer conn.Close()
	keyring := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	keyring.Env = s.env(nil)
	// --unlock reads the new login keyring's password from stdin; it only
	// protects this throw-away keyring
	keyring.Stdin = strings.NewReader("authdeck-ci")
	keyring.Stdout, keyring.Stderr = &keyringLog, &keyringLog
	start(keyring)
	for {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&has)
		if err == nil && has {
			return s
		}
		if time.Now().After(deadline) {
			unavailable("org.freedesktop.secrets has no owner after a minute (%v); gnome-keyring-daemon says:\n%s", err, keyringLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// env is the environment of a program using this Secret Service, plus extra.
func (s *secretService) env(extra map[string]string) []string {
	env := []string{
		"DBUS_SESSION_BUS_ADDRESS=" + s.addr,
		"XDG_RUNTIME_DIR=" + filepath.Join(s.dir, "run"),
		"XDG_DATA_HOME=" + filepath.Join(s.dir, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(s.dir, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(s.dir, "cache"),
		"HOME=" + filepath.Join(s.dir, "home"),
		"PATH=" + os.Getenv("PATH"),
		"LANG=C.UTF-8",
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// items lists every item of the Secret Service as secret-tool prints them,
// secrets included, each authdeck item's base64 payload followed by what it
// decodes to (a value small enough for one item; larger ones are chunked).
func (s *secretService) items(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", "search", "--all", "--unlock", "service", "authdeck")
	cmd.Env = s.env(nil)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || out.Len() > 0 {
			t.Fatalf("secret-tool search: %v\n%s", err, errb.String())
		}
		return "" // no item at all: secret-tool exits 1
	}
	var b strings.Builder
	for line := range strings.SplitSeq(out.String()+errb.String(), "\n") {
		b.WriteString(line + "\n")
		if v, ok := strings.CutPrefix(line, "secret = "); ok {
			if dec, err := base64.StdEncoding.DecodeString(v[strings.LastIndex(v, ":")+1:]); err == nil {
				b.Write(dec)
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// buildAuthdeck returns the command as users get it (built once for the
// test run, buildBinary).
func buildAuthdeck(t *testing.T) string {
	t.Helper()
	return buildBinary(t, tagsRelease)
}

// keychainPerson runs the authdeck binary as one person: their home, age
// key and their own Secret Service (the keychain vault).
type keychainPerson struct {
	t        *testing.T
	name     string
	home     string
	key, pub string
	ss       *secretService
	bin      string
}

func (p *keychainPerson) run(dir, stdin string, args ...string) result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Dir = dir
	cmd.Env = p.ss.env(map[string]string{
		"HOME": p.home, "AUTHDECK_HOME": filepath.Join(p.home, ".authdeck"), "AUTHDECK_VAULT": "keychain",
		"AUTHDECK_IDENTITY": p.key, "NO_COLOR": "1",
	})
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		p.t.Fatalf("%s: authdeck %s: %v", p.name, strings.Join(args, " "), err)
	}
	return result{out: out.String(), err: errb.String(), code: code}
}

func (p *keychainPerson) must(dir, stdin string, args ...string) result {
	p.t.Helper()
	r := p.run(dir, stdin, args...)
	if r.code != 0 {
		p.t.Fatalf("%s: authdeck %s: exit %d\nstdout: %s\nstderr: %s", p.name, strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

// S-45 with real keychains: two people of one team workspace, each with
// their own private Secret Service (a bus and a gnome-keyring of their
// own, as .ci/with-secret-service.sh starts one), each running authdeck
// with the keychain vault. Each person's own value is in their own Secret
// Service only — secret-tool, the Secret Service's own client, is the
// oracle — the value the team shares is in neither (it is in the folder,
// encrypted), and each reads their own value and the team's.
func TestTeamWorkspaceTwoPeopleOwnSecretServices(t *testing.T) {
	t.Parallel()
	needTool(t, "git", "git")
	needSecretServiceTools(t)
	const (
		shared      = "sk_test_SHAREDteam5d1c2e77a0"
		aliceGithub = "ghp_ALICEkeychain000000000000000000000"
		bobGithub   = "ghp_BOBkeychain1111111111111111111111"
	)
	bin := buildAuthdeck(t)
	repo := t.TempDir()
	run(t, repo, nil, "git", "init", "-q", "-b", "main", ".")
	person := func(name string) *keychainPerson {
		tp := newTeammate(t, name, repo) // the home and age key
		return &keychainPerson{t: t, name: name, home: tp.home, key: tp.key, pub: tp.pub, ss: startSecretService(t, name), bin: bin}
	}
	alice, bob := person("alice"), person("bob")

	alice.must(repo, "", "init", "--key", alice.pub, "--me", "alice", "--name", "payments")
	alice.must(repo, "", "team", "add", bob.pub, "--name", "bob")
	alice.must(repo, shared+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--shared")
	alice.must(repo, aliceGithub+"\n", "secret", "add", "github", "--type", "API_KEY", "--value-stdin")

	// Bob has not set his github value: his keychain has none, and
	// alice's is not his.
	if r := bob.run(repo, "", "secret", "show", "github", "--reveal"); r.code == 0 || strings.Contains(r.all(), aliceGithub) {
		t.Fatalf("bob reads a github value he never set: exit %d", r.code)
	}
	if r := bob.must(repo, "", "doctor"); !strings.Contains(r.out, "secret github") {
		t.Errorf("bob's doctor does not list his missing value:\n%s", r.out)
	}
	bob.must(repo, bobGithub+"\n", "secret", "set", "github", "--value-stdin")

	for _, c := range []struct {
		p          *keychainPerson
		name, want string
	}{{alice, "github", aliceGithub}, {bob, "github", bobGithub}, {alice, "stripe", shared}, {bob, "stripe", shared}} {
		if r := c.p.must(repo, "", "secret", "show", c.name, "--reveal"); !strings.Contains(r.out, c.want) {
			t.Errorf("%s does not read the %s value they should", c.p.name, c.name)
		}
	}

	aliceItems, bobItems := alice.ss.items(t), bob.ss.items(t)
	switch {
	case !strings.Contains(aliceItems, aliceGithub):
		t.Errorf("alice's own value is not in her Secret Service")
	case !strings.Contains(bobItems, bobGithub):
		t.Errorf("bob's own value is not in his Secret Service")
	}
	if strings.Contains(aliceItems, bobGithub) {
		t.Errorf("bob's value is in alice's Secret Service")
	}
	if strings.Contains(bobItems, aliceGithub) {
		t.Errorf("alice's value is in bob's Secret Service")
	}
	if strings.Contains(aliceItems, shared) || strings.Contains(bobItems, shared) {
		t.Errorf("the team's shared value was copied into a personal keychain")
	}
	folderHolds(t, filepath.Join(repo, "authdeck"), shared, aliceGithub, bobGithub)
}
