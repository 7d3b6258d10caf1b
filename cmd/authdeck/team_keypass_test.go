package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/authdeck/authdeck/vault"
)

// With a passphrase-protected SSH key, doctor tells which values are set
// without asking for the key's passphrase (a shared value encrypted to the
// key counts as set, from its file's header); reading the value asks.
func TestDoctorAsksNoKeyPassphrase(t *testing.T) {
	t.Parallel()
	repo := newRepo(t)
	home := t.TempDir()
	const pass = "alice key pass"
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "alice", []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(home, ".ssh", "id_ed25519")
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	spk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key+".pub", ssh.MarshalAuthorizedKey(spk), 0o644); err != nil {
		t.Fatal(err)
	}
	personal := vault.NewMemory()
	personal.Now = func() time.Time { return testNow }
	env := map[string]string{"AUTHDECK_VAULT": vault.BackendMemory, "AUTHDECK_HOME": filepath.Join(home, ".authdeck"), "HOME": home, "PATH": ""}
	var asked atomic.Int32
	run := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		a := &App{
			IO:        IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InFd: -1},
			Getenv:    func(k string) string { return env[k] },
			Now:       func() time.Time { return testNow },
			Dir:       repo,
			OpenVault: func(a *App) (*vault.Vault, error) { return a.inTeamWorkspace(personal, nil) },
		}
		a.tuiKeyPassphrase = func(string) ([]byte, error) {
			asked.Add(1)
			return []byte(pass), nil
		}
		code := a.Run(args)
		return result{out: out.String(), err: errb.String(), code: code}
	}
	must := func(stdin string, args ...string) result {
		t.Helper()
		r := run(stdin, args...)
		if r.code != 0 {
			t.Fatalf("authdeck %s: exit %d\n%s", strings.Join(args, " "), r.code, r.all())
		}
		return r
	}
	must("", "init", "--key", key+".pub", "--me", "alice", "--env-name", "dev")
	must(teamSandboxKey+"\n", "secret", "add", "stripe", "--type", "API_KEY", "--value-stdin", "--shared")
	must(teamClientSec+"\n", "client", "add", "svc", "--token-url", "https://id.example.com/token", "--client-id", "svc",
		"--auth-method", "client_secret_basic", "--client-secret-stdin", "--shared")
	// A personal secret a teammate committed: alice has no value of it.
	gh := filepath.Join(repo, "authdeck", "environments", "dev", "secrets", "github.json")
	if err := os.WriteFile(gh, []byte("{\n  \"id\": \"0a1b2c3d4e5f6789\",\n  \"type\": \"API_KEY\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("adding shared values asked for the key's passphrase %d times", n)
	}
	r := run("", "doctor")
	if n := asked.Load(); n != 0 {
		t.Fatalf("doctor asked for the key's passphrase %d times:\n%s", n, r.all())
	}
	for _, want := range []string{`you are "alice"`, "1 value you still have to set", "secret github (dev)"} {
		if !strings.Contains(r.all(), want) {
			t.Errorf("doctor does not say %q:\n%s", want, r.all())
		}
	}
	for _, not := range []string{"stripe", "svc (dev)"} {
		if strings.Contains(r.all(), not) {
			t.Errorf("doctor lists %q, shared with this person's key:\n%s", not, r.all())
		}
	}
	r = must("", "secret", "show", "stripe", "--reveal")
	if !strings.Contains(r.out, teamSandboxKey) || asked.Load() != 1 {
		t.Errorf("reading the shared value asked %d times (want 1):\n%s", asked.Load(), r.all())
	}
}
