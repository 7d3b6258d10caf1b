package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
	"github.com/authdeck/authdeck/vault/vaulttest/ssfixtures"
)

// testNow is the fixed clock of command tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// harness runs commands in-process against one injected vault, the way a
// series of processes would share a workspace.
type harness struct {
	t     *testing.T
	v     *vault.Vault
	mem   *vault.MemoryStore
	store *vaulttest.CountingStore
	env   map[string]string
}

// newHarness returns a harness over a memory catalog and a counting memory store.
func newHarness(t *testing.T) *harness {
	t.Helper()
	mem := vault.NewMemoryStore()
	cs := vaulttest.NewCountingStore(mem)
	v := vault.New(vault.NewMemoryCatalog(), cs)
	v.Now = func() time.Time { return testNow }
	return &harness{t: t, v: v, mem: mem, store: cs, env: map[string]string{"AUTHDECK_VAULT": vault.BackendMemory, "PATH": ""}}
}

// newHarnessWith returns a harness over the given vault.
func newHarnessWith(t *testing.T, v *vault.Vault) *harness {
	t.Helper()
	return &harness{t: t, v: v, env: map[string]string{"AUTHDECK_VAULT": vault.BackendMemory, "PATH": ""}}
}

// newFileHomeHarness returns a harness over a file catalog in a brand-new
// home (which it returns) and a memory store, as a first run finds it.
func newFileHomeHarness(t *testing.T) (*harness, string) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	cat, err := vault.OpenFileCatalog(home)
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessWith(t, vault.New(cat, vault.NewMemoryStore())), home
}

// result is what one command run produced.
type result struct {
	out, err string
	code     int
}

func (r result) all() string { return r.out + r.err }

// opts change how a run sees its terminal.
type runOpts struct {
	tty    bool // stdin is a terminal (prompts and confirmations allowed)
	outTTY bool // stdout is a terminal (colour allowed)
	env    map[string]string
}

func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	return h.runWith(runOpts{}, stdin, args...)
}

func (h *harness) runWith(o runOpts, stdin string, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	streams := IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InFd: -1, OutTTY: o.outTTY}
	if o.tty {
		// Only confirmations and plain line reads use the terminal in these
		// tests; they read from In. No-echo prompts are covered end to end.
		streams.InFd = 0
	}
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	for k, v := range o.env {
		env[k] = v
	}
	a := &App{
		IO:        streams,
		Getenv:    func(k string) string { return env[k] },
		Now:       func() time.Time { return testNow },
		OpenVault: func(*App) (*vault.Vault, error) { return h.v, nil },
	}
	code := a.Run(args)
	return result{out: out.String(), err: errb.String(), code: code}
}

// must runs a command that has to succeed.
func (h *harness) must(stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != 0 {
		h.t.Fatalf("authdeck %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

// expect runs a command that has to fail with code and say every one of want.
func (h *harness) expect(code int, want []string, stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	checkResult(h.t, r, code, want, args)
	return r
}

func checkResult(t *testing.T, r result, code int, want []string, args []string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("authdeck %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.out, r.err)
	}
	for _, w := range want {
		if !strings.Contains(r.all(), w) {
			t.Fatalf("authdeck %s: output does not contain %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), w, r.out, r.err)
		}
	}
	if code != 0 && strings.Count(strings.TrimSpace(r.err), "\n") > 0 && !strings.Contains(strings.Join(args, " "), "import") {
		t.Fatalf("authdeck %s: the error is not one line:\n%s", strings.Join(args, " "), r.err)
	}
}

// noSecret fails when any output contains one of the secrets, without printing it.
func noSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s == "" {
			t.Fatalf("secret %d is empty; the check would prove nothing", i)
		}
		if strings.Contains(r.out, s) {
			t.Fatalf("stdout contains secret %d (%d chars)", i, len(s))
		}
		if strings.Contains(r.err, s) {
			t.Fatalf("stderr contains secret %d (%d chars)", i, len(s))
		}
	}
}

// storedKeys counts values in the harness's store.
func (h *harness) storedKeys() int { return len(h.mem.Keys()) }

// catalog returns the current catalog.
func (h *harness) catalog() *vault.Catalog {
	h.t.Helper()
	c, err := h.v.Load()
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// secretValue reads a secret's stored value straight from the vault.
func (h *harness) secretValue(env, name string) vault.SecretValue {
	h.t.Helper()
	s, err := h.v.Secret(env, name)
	if err != nil {
		h.t.Fatal(err)
	}
	val, err := h.v.SecretValue(context.Background(), s)
	if err != nil {
		h.t.Fatal(err)
	}
	return val
}

// writeFile writes a test file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// seedExamples returns the secret-service JSON examples of
// vault/testdata/secretservice, indexed by the ssfixtures constants.
func seedExamples(t *testing.T) []string {
	t.Helper()
	return ssfixtures.Examples(t)
}
