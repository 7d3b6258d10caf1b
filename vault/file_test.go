package vault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

const testPass = "correct horse battery staple"

func newFileStore(t testing.TB, dir, pass string) *vault.FileStore {
	t.Helper()
	s, err := vault.NewFileStore(vault.FileOptions{
		Dir: dir, WorkFactor: testWorkFactor,
		Passphrase: func() (string, error) { return pass, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// S-35, S-37: the conformance suite against the age-encrypted file backend.
func TestFileConformance(t *testing.T) {
	t.Parallel()
	vaulttest.Run(t, func(t *testing.T) vault.Store { return newFileStore(t, t.TempDir(), testPass) })
}

// The vault is two standard age files: the identity file, encrypted to the
// passphrase, and the vault encrypted to that identity. The age library (as
// an outside tool would) unwraps the identity with the passphrase alone and
// decrypts every value with it.
func TestFileRecoverableWithAge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newFileStore(t, dir, testPass)
	ctx := context.Background()
	want := map[string][]byte{"secret/a": []byte("first value"), "client/b": {0, 1, 2, 0xff}, "env/c": vaulttest.RandomBytes(5000)}
	for k, v := range want {
		if err := s.Set(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	wrapped, err := os.ReadFile(filepath.Join(dir, vault.FileIdentityName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(wrapped, []byte("age-encryption.org/v1\n-> scrypt ")) {
		t.Fatalf("the identity file does not start with an age scrypt header: %q", wrapped[:min(40, len(wrapped))])
	}
	data, err := os.ReadFile(filepath.Join(dir, vault.FileVaultName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> X25519 ")) {
		t.Fatalf("the vault file does not start with an age X25519 header: %q", data[:min(40, len(data))])
	}
	id := unwrapTestIdentity(t, dir, testPass)
	doc := decryptTestVault(t, data, id)
	if doc.Format != "authdeck-vault" || doc.Version != 1 {
		t.Errorf("format %q version %d", doc.Format, doc.Version)
	}
	if len(doc.Values) != len(want) {
		t.Fatalf("decrypted vault has %d values, want %d", len(doc.Values), len(want))
	}
	for k, v := range want {
		if !bytes.Equal(doc.Values[k], v) {
			t.Errorf("value %q differs in the decrypted file", k)
		}
	}
	// The plaintext never reaches the disk.
	if bytes.Contains(data, []byte("first value")) || bytes.Contains(wrapped, []byte("AGE-SECRET-KEY")) {
		t.Fatal("a value or the identity is readable on disk")
	}
}

// unwrapTestIdentity decrypts dir's identity file with pass, as the age tool does.
func unwrapTestIdentity(t testing.TB, dir, pass string) *age.X25519Identity {
	t.Helper()
	wrapped, err := os.ReadFile(filepath.Join(dir, vault.FileIdentityName))
	if err != nil {
		t.Fatal(err)
	}
	sid, err := age.NewScryptIdentity(pass)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(wrapped), sid)
	if err != nil {
		t.Fatalf("decrypting the identity file: %v", err)
	}
	ids, err := age.ParseIdentities(r)
	if err != nil || len(ids) != 1 {
		t.Fatalf("the identity file holds %d identities (%v), want 1", len(ids), err)
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		t.Fatalf("the identity file holds a %T", ids[0])
	}
	return id
}

type testVaultDoc struct {
	Format  string            `json:"format"`
	Version int               `json:"version"`
	Values  map[string][]byte `json:"values"`
}

// decryptTestVault decrypts a vault file with any age identity and parses it.
func decryptTestVault(t testing.TB, data []byte, id age.Identity) testVaultDoc {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		t.Fatalf("age.Decrypt: %v", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc testVaultDoc
	if err := json.Unmarshal(plain, &doc); err != nil {
		t.Fatalf("decrypted vault is not JSON: %v", err)
	}
	return doc
}

// A wrong passphrase is an error wrapping ErrLocked that says so (CLI exit 8);
// nothing is written, and the passphrase is asked for again next time.
func TestFileWrongPassphrase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	good := newFileStore(t, dir, testPass)
	if err := good.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, vault.FileVaultName))
	var asked atomic.Int32
	bad, err := vault.NewFileStore(vault.FileOptions{
		Dir: dir, WorkFactor: testWorkFactor,
		Passphrase: func() (string, error) { asked.Add(1); return "not the passphrase", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, gerr := bad.Get(ctx, "k")
	for op, err := range map[string]error{"get": gerr, "set": bad.Set(ctx, "k", []byte("x")), "delete": bad.Delete(ctx, "k")} {
		if !errors.Is(err, vault.ErrLocked) {
			t.Fatalf("%s with a wrong passphrase: err = %v, want ErrLocked", op, err)
		}
		if !strings.Contains(err.Error(), "wrong passphrase") {
			t.Errorf("%s: message %q does not say the passphrase is wrong", op, err)
		}
		if !vault.IsStoreFailure(err) {
			t.Errorf("%s: %v is not a store failure", op, err)
		}
	}
	if n := asked.Load(); n != 3 {
		t.Errorf("passphrase asked %d times over 3 failed calls, want 3 (a wrong one is not kept)", n)
	}
	after, _ := os.ReadFile(filepath.Join(dir, vault.FileVaultName))
	if !bytes.Equal(before, after) {
		t.Fatal("the vault file changed after calls with a wrong passphrase")
	}
	if got, err := good.Get(ctx, "k"); err != nil || string(got) != "v" {
		t.Fatalf("with the right passphrase Get = %q, %v", got, err)
	}
}

// A corrupt, truncated or foreign vault file gives a clear error and is
// never overwritten.
func TestFileCorruptVaultIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	// encrypt encrypts plain to the vault's own identity, so only the
	// document inside is wrong.
	encrypt := func(t *testing.T, dir, plain string) []byte {
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, unwrapTestIdentity(t, dir, testPass).Recipient())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, plain)
		_ = w.Close()
		return buf.Bytes()
	}
	x25519 := func(t *testing.T) []byte {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w, _ := age.Encrypt(&buf, id.Recipient())
		_, _ = io.WriteString(w, `{"format":"authdeck-vault","version":1,"values":{}}`)
		_ = w.Close()
		return buf.Bytes()
	}
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string, good []byte) []byte
		want   string
	}{
		{"truncated to half", func(_ *testing.T, _ string, g []byte) []byte { return g[:len(g)/2] }, "truncated or altered"},
		{"truncated to the header", func(_ *testing.T, _ string, g []byte) []byte { return g[:bytes.Index(g, []byte("\n---"))+1] }, "not a readable age file"},
		{"last byte dropped", func(_ *testing.T, _ string, g []byte) []byte { return g[:len(g)-1] }, "truncated or altered"},
		{"payload byte flipped", func(_ *testing.T, _ string, g []byte) []byte {
			b := bytes.Clone(g)
			b[len(b)-20] ^= 0x40
			return b
		}, "truncated or altered"},
		{"header MAC altered", func(_ *testing.T, _ string, g []byte) []byte {
			b := bytes.Clone(g)
			i := bytes.Index(b, []byte("\n--- ")) + 6
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return b
		}, "not a readable age file"},
		{"empty file", func(*testing.T, string, []byte) []byte { return nil }, "not a readable age file"},
		{"not an age file", func(*testing.T, string, []byte) []byte { return []byte(`{"values":{}}`) }, "not a readable age file"},
		{"encrypted to another key", func(t *testing.T, _ string, _ []byte) []byte { return x25519(t) }, "is not encrypted to the identity in"},
		{"decrypts to garbage", func(t *testing.T, dir string, _ []byte) []byte {
			return encrypt(t, dir, "{\"format\": \"authdeck-vault\",\n \"version\": 1,\n \"values\": {\"k\": 12}}")
		}, "line 3, column"},
		{"decrypts to another document", func(t *testing.T, dir string, _ []byte) []byte { return encrypt(t, dir, `{"hello":"world"}`) }, "not an authdeck vault"},
		{"newer vault version", func(t *testing.T, dir string, _ []byte) []byte {
			return encrypt(t, dir, `{"format":"authdeck-vault","version":9,"values":{}}`)
		}, "version 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx := context.Background()
			s := newFileStore(t, dir, testPass)
			if err := s.Set(ctx, "k", vaulttest.RandomBytes(20<<10)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, vault.FileVaultName)
			good, _ := os.ReadFile(path)
			damaged := tc.damage(t, dir, good)
			if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := newFileStore(t, dir, testPass)
			_, gerr := fresh.Get(ctx, "k")
			for op, err := range map[string]error{"get": gerr, "set": fresh.Set(ctx, "k", []byte("new")), "delete": fresh.Delete(ctx, "k")} {
				if !errors.Is(err, vault.ErrCorrupt) {
					t.Fatalf("%s: err = %v, want ErrCorrupt", op, err)
				}
				if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
					t.Errorf("%s: message %q should name %s and say %q", op, err, path, tc.want)
				}
				if !strings.Contains(err.Error(), "left untouched") {
					t.Errorf("%s: message %q does not say the file was left untouched", op, err)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, damaged) {
				t.Fatal("the damaged vault file was overwritten")
			}
		})
	}
}

// S-32: the vault is 0600 in a 0700 directory, and so is its lock file; an
// existing looser directory is tightened.
func TestFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newFileStore(t, dir, testPass)
	if err := s.Set(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Join(dir, vault.FileVaultName), 0o600)
	checkMode(t, filepath.Join(dir, "vault.lock"), 0o600)
	if left := tempLeftovers(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left after a write: %q", left)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", path, got, want)
	}
}

// Opening asks for nothing; reading an absent vault asks for nothing either;
// the first write asks once and later calls reuse the passphrase.
func TestFilePassphraseAskedOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var asked atomic.Int32
	s, err := vault.NewFileStore(vault.FileOptions{
		Dir: dir, WorkFactor: testWorkFactor,
		Passphrase: func() (string, error) { asked.Add(1); return testPass, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Get(ctx, "k"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("Get on a new vault: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "k"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("Delete on a new vault: err = %v, want ErrNotFound", err)
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("passphrase asked %d times before anything was stored", n)
	}
	if _, err := os.Stat(filepath.Join(dir, vault.FileVaultName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a vault file exists before anything was stored")
	}
	for i := range 5 {
		if err := s.Set(ctx, fmt.Sprint("k", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "k0"); err != nil {
			t.Fatal(err)
		}
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("passphrase asked %d times, want once", n)
	}
}

// A passphrase source that fails, or gives nothing, is missing input (exit 3).
func TestFileMissingPassphrase(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]func() (string, error){
		"empty":   func() (string, error) { return "", nil },
		"no tty":  func() (string, error) { return "", fmt.Errorf("%w: no terminal", vault.ErrMissingInput) },
		"nil src": nil,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := vault.NewFileStore(vault.FileOptions{Dir: t.TempDir(), WorkFactor: testWorkFactor, Passphrase: src})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Set(context.Background(), "k", []byte("v"))
			if !errors.Is(err, vault.ErrMissingInput) || vault.IsStoreFailure(err) {
				t.Fatalf("err = %v, want ErrMissingInput (not a store failure)", err)
			}
		})
	}
}

// S-35: two processes writing the workspace at once (file catalog and file
// vault) both land: every secret of both is in the catalog and its value in
// the vault.
func TestTwoProcessesWriteWorkspace(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	gate := filepath.Join(t.TempDir(), "go")
	const perProcess = 12
	var cmds []*helperProc
	for _, prefix := range []string{"alpha", "beta"} {
		cmd, out := helper(t, "workspace-add", "HELPER_HOME="+home, "HELPER_PREFIX="+prefix,
			fmt.Sprintf("HELPER_COUNT=%d", perProcess), "HELPER_GO="+gate, "AUTHDECK_PASSPHRASE="+testPass)
		waitLine(t, out, "ready", 30*time.Second)
		cmds = append(cmds, &helperProc{cmd, out})
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, h := range cmds {
		rest := drain(h.out)
		if err := h.cmd.Wait(); err != nil {
			t.Fatalf("helper failed: %v\n%s", err, rest)
		}
	}
	v, err := local.Open(local.Options{
		Home: home, Backend: vault.BackendFile, FileWorkFactor: testWorkFactor,
		Passphrase: func() (string, error) { return testPass, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Secrets); n != 2*perProcess {
		t.Fatalf("catalog has %d secrets, want %d from both processes", n, 2*perProcess)
	}
	for _, s := range c.Secrets {
		val, err := v.SecretValue(context.Background(), s)
		if err != nil {
			t.Fatalf("value of %s: %v", s.Name, err)
		}
		if val.Key != string(helperValue(s.Name)) {
			t.Fatalf("value of %s is not the one its process stored", s.Name)
		}
	}
}

// S-32: killing a process at any moment of its writes leaves the vault file
// old or new, never partial: after each kill the file decrypts and parses.
func TestFileKillSafety(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	prevKeys := 0
	for round := range rounds {
		cmd, out := helper(t, "file-churn", "HELPER_HOME="+home, fmt.Sprintf("HELPER_PREFIX=r%d", round), "AUTHDECK_PASSPHRASE="+testPass)
		waitLine(t, out, "ready", 30*time.Second)
		time.Sleep(time.Duration(rand.IntN(20000)) * time.Microsecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s, err := vault.NewFileStore(vault.FileOptions{Dir: home, WorkFactor: 1, Passphrase: func() (string, error) { return testPass, nil }})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := s.Keys(context.Background())
		if err != nil {
			t.Fatalf("round %d: after killing the writer the vault does not read: %v", round, err)
		}
		if len(keys) < prevKeys+1 {
			t.Fatalf("round %d: vault holds %d keys, had %d before and the writer stored at least one more", round, len(keys), prevKeys)
		}
		prevKeys = len(keys)
		for _, tmp := range tempLeftovers(t, home) {
			checkMode(t, tmp, 0o600)
		}
	}
}

// S-35: asking for the passphrase of an existing vault (a prompt may wait on
// the user) happens before the cross-process lock is taken.
func TestFilePassphrasePromptDoesNotHoldTheLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	if err := newFileStore(t, dir, testPass).Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	var lockFree atomic.Int32
	s, err := vault.NewFileStore(vault.FileOptions{Dir: dir, WorkFactor: testWorkFactor, Passphrase: func() (string, error) {
		other := flock.New(filepath.Join(dir, "vault.lock"))
		if ok, err := other.TryLock(); err == nil && ok {
			lockFree.Add(1)
			_ = other.Unlock()
		}
		return testPass, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "k2", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if lockFree.Load() != 1 {
		t.Fatal("the passphrase was asked for while the vault lock was held")
	}
}

// The conformance suite against the memory backend (the playground's).
func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	vaulttest.Run(t, func(t *testing.T) vault.Store { return vault.NewMemoryStore() })
}
