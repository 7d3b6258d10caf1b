package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
)

// e2ePass is the file vault passphrase of the end-to-end tests.
const e2ePass = "correct horse battery staple"

// e2e runs the real binary against a file vault in a temporary home.
type e2e struct {
	t    *testing.T
	bin  string
	home string
	env  []string
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds and runs the binary; skipped with -short (never in CI)")
	}
	dir := t.TempDir()
	// The test build reads AUTHDECK_TEST_SCRYPT_WORK_FACTOR (kdf_testbuild.go),
	// so the processes below do not each pay a second of scrypt; a release
	// build has no such setting.
	bin := buildBinary(t, tagsTestKDF)
	home := filepath.Join(dir, "home")
	return &e2e{t: t, bin: bin, home: home, env: []string{
		"AUTHDECK_VAULT=file", "AUTHDECK_HOME=" + home, "AUTHDECK_PASSPHRASE=" + e2ePass,
		"AUTHDECK_TEST_SCRYPT_WORK_FACTOR=10",
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1", "LANG=C.UTF-8",
	}}
}

func (e *e2e) command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(append([]string{}, e.env...), env...)
	cmd.Dir = filepath.Dir(e.home)
	return cmd
}

func (e *e2e) run(stdin string, env []string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := e.command(ctx, env, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("running authdeck %s: %v", strings.Join(args, " "), err)
	}
	return result{out: out.String(), err: errb.String(), code: code}
}

func (e *e2e) must(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, nil, args...)
	if r.code != 0 {
		e.t.Fatalf("authdeck %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

func TestEndToEndFileVault(t *testing.T) {
	e := newE2E(t)
	const key = "e2e-key-5f0c9a8b7d6e4f3a2b1c"
	e.must("", "env", "add", "dev", "--use")
	e.must(key+"\n", "secret", "add", "api", "--type", "API_KEY", "--value-stdin", "--description", "e2e")
	r := e.must("", "secret", "show", "api")
	noSecret(t, r, key)
	if !strings.Contains(r.out, "API_KEY ••••••••2b1c (28 chars)") {
		t.Fatalf("secret show:\n%s", r.out)
	}
	if r = e.must("", "secret", "show", "api", "--reveal"); !strings.Contains(r.out, key) {
		t.Fatal("secret show --reveal does not print the key")
	}
	e.must("cs-e2e-0123456789\n", "client", "add", "svc", "--token-url", "https://id.example.com/token", "--client-id", "svc",
		"--auth-method", "client_secret_basic", "--client-secret-stdin")
	r = e.must("", "doctor")
	if !strings.Contains(r.out, "vault      ok      encrypted file works") {
		t.Fatalf("doctor:\n%s", r.out)
	}

	// S-32: 0600 files in a 0700 directory; the catalog and the encrypted
	// vault file never hold a value in the clear.
	if fi, err := os.Stat(e.home); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("home: %v %v", fi.Mode(), err)
	}
	entries, err := os.ReadDir(e.home)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, ent := range entries {
		p := filepath.Join(e.home, ent.Name())
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, ent.Name())
		if fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", ent.Name(), fi.Mode().Perm())
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(key)) || bytes.Contains(b, []byte("cs-e2e-0123456789")) {
			t.Fatalf("%s holds a secret value in the clear", ent.Name())
		}
	}
	if !strings.Contains(strings.Join(files, " "), vault.CatalogFileName) {
		t.Fatalf("no catalog in %v", files)
	}

	t.Run("wrong passphrase", func(t *testing.T) {
		wrong := []string{"AUTHDECK_PASSPHRASE=not the passphrase"}
		r := e.run("", wrong, "secret", "show", "api")
		noSecret(t, r, key)
		if r.code != exitVault || !strings.Contains(r.err, "wrong passphrase") || !strings.Contains(r.err, "AUTHDECK_PASSPHRASE") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
			t.Fatalf("exit %d, stderr:\n%s", r.code, r.err)
		}
		if r := e.run("", wrong, "doctor"); r.code != exitVault || !strings.Contains(r.all(), "passphrase") {
			t.Fatalf("doctor with a wrong passphrase: exit %d\n%s%s", r.code, r.out, r.err)
		}
		// Listing reads the catalog only, so it works without unlocking the vault.
		if r := e.run("", wrong, "secret", "list"); r.code != 0 || !strings.Contains(r.out, "api") {
			t.Fatalf("secret list with a wrong passphrase: exit %d\n%s", r.code, r.err)
		}
		if r := e.run("", []string{"AUTHDECK_PASSPHRASE="}, "secret", "show", "api"); r.code != exitMissingInput || !strings.Contains(r.err, "AUTHDECK_PASSPHRASE") {
			t.Fatalf("no passphrase and no terminal: exit %d\n%s", r.code, r.err)
		}
	})

	t.Run("vault passwd", func(t *testing.T) {
		idPath, vaultPath := filepath.Join(e.home, vault.FileIdentityName), filepath.Join(e.home, vault.FileVaultName)
		vaultBefore, _ := os.ReadFile(vaultPath)
		idBefore, _ := os.ReadFile(idPath)
		wrong := []string{"AUTHDECK_PASSPHRASE=not the passphrase"}
		if r := e.run("new passphrase one\n", wrong, "vault", "passwd", "--new-passphrase-stdin"); r.code != exitVault || !strings.Contains(r.err, "wrong passphrase") {
			t.Fatalf("passwd with a wrong current passphrase: exit %d\n%s", r.code, r.err)
		}
		if r := e.run("\n", nil, "vault", "passwd", "--new-passphrase-stdin"); r.code != exitMissingInput {
			t.Fatalf("passwd with an empty new passphrase: exit %d\n%s", r.code, r.err)
		}
		if idAfter, _ := os.ReadFile(idPath); !bytes.Equal(idAfter, idBefore) {
			t.Fatal("a refused passphrase change rewrote identity.age")
		}
		r := e.must("new passphrase one\n", "vault", "passwd", "--new-passphrase-stdin")
		if !strings.Contains(r.out, "Changed the passphrase") {
			t.Fatalf("passwd output:\n%s", r.out)
		}
		if vaultAfter, _ := os.ReadFile(vaultPath); !bytes.Equal(vaultAfter, vaultBefore) {
			t.Fatal("changing the passphrase rewrote vault.age")
		}
		if r := e.run("", nil, "secret", "show", "api", "--reveal"); r.code != exitVault {
			t.Fatalf("the old passphrase still opens the vault: exit %d", r.code)
		}
		newPass := []string{"AUTHDECK_PASSPHRASE=new passphrase one"}
		if r := e.run("", newPass, "secret", "show", "api", "--reveal"); r.code != 0 || !strings.Contains(r.out, key) {
			t.Fatalf("the new passphrase does not open the vault: exit %d\n%s", r.code, r.err)
		}
		// Back to the first passphrase on a terminal: the current one from
		// the environment, the new one typed twice without echo.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out := e.ptyEnv(t, ctx, newPass, []string{"New vault passphrase: ", "Repeat the new passphrase: "}, []string{e2ePass, e2ePass}, "vault", "passwd")
		if strings.Contains(out, e2ePass) || !strings.Contains(out, "Changed the passphrase") {
			t.Fatalf("terminal output (the passphrase must not be echoed):\n%s", out)
		}
		if r := e.must("", "secret", "show", "api", "--reveal"); !strings.Contains(r.out, key) {
			t.Fatal("the first passphrase does not open the vault again")
		}
		if r := e.run("x\n", []string{"AUTHDECK_HOME=" + t.TempDir()}, "vault", "passwd", "--new-passphrase-stdin"); r.code != exitNotConfigured || !strings.Contains(r.err, "no file vault") {
			t.Fatalf("passwd with no vault: exit %d\n%s", r.code, r.err)
		}
	})

	t.Run("a vault of the earlier format", func(t *testing.T) {
		home := t.TempDir()
		legacy, err := os.ReadFile(filepath.Join("..", "..", "vault", "testdata", "legacy-scrypt", vault.FileVaultName))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, vault.FileVaultName), legacy, 0o600); err != nil {
			t.Fatal(err)
		}
		env := []string{"AUTHDECK_HOME=" + home, "AUTHDECK_PASSPHRASE=legacy vault passphrase"}
		if r := e.run("", append(env[:1:1], "AUTHDECK_PASSPHRASE=wrong"), "doctor"); r.code != exitVault {
			t.Fatalf("doctor on the legacy vault with a wrong passphrase: exit %d", r.code)
		}
		if after, _ := os.ReadFile(filepath.Join(home, vault.FileVaultName)); !bytes.Equal(after, legacy) {
			t.Fatal("a wrong passphrase changed the legacy vault")
		}
		// doctor's round trip writes, which converts the vault.
		if r := e.run("", env, "doctor"); r.code != 0 || !strings.Contains(r.out, "encrypted file works") {
			t.Fatalf("doctor on the legacy vault: exit %d\n%s%s", r.code, r.out, r.err)
		}
		after, _ := os.ReadFile(filepath.Join(home, vault.FileVaultName))
		if !bytes.HasPrefix(after, []byte("age-encryption.org/v1\n-> X25519 ")) {
			t.Fatal("the legacy vault was not converted by a write")
		}
		if _, err := os.Stat(filepath.Join(home, vault.FileIdentityName)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("test work factor bounds", func(t *testing.T) {
		for _, v := range []string{"0", "19", "ten"} {
			r := e.run("", []string{"AUTHDECK_TEST_SCRYPT_WORK_FACTOR=" + v}, "secret", "show", "api")
			if r.code == 0 || !strings.Contains(r.err, "AUTHDECK_TEST_SCRYPT_WORK_FACTOR") {
				t.Fatalf("work factor %q: exit %d\n%s", v, r.code, r.err)
			}
		}
	})

	t.Run("concurrent processes (S-35)", func(t *testing.T) {
		const n = 3
		var wg sync.WaitGroup
		results := make([]result, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = e.run(fmt.Sprintf("value-%d-0123456789\n", i), nil, "secret", "add", fmt.Sprintf("par%d", i), "--type", "API_KEY", "--value-stdin")
			}()
		}
		wg.Wait()
		for i, r := range results {
			if r.code != 0 {
				t.Fatalf("process %d: exit %d\n%s", i, r.code, r.err)
			}
		}
		list := e.must("", "secret", "list").out
		for i := range n {
			name := fmt.Sprintf("par%d", i)
			if !strings.Contains(list, name) {
				t.Fatalf("%s missing from the list:\n%s", name, list)
			}
			if r := e.must("", "secret", "show", name, "--reveal"); !strings.Contains(r.out, fmt.Sprintf("value-%d-0123456789", i)) {
				t.Fatalf("%s lost its value", name)
			}
		}
	})

	t.Run("import", func(t *testing.T) {
		ex := seedExamples(t)
		r := e.run(ex[2], nil, "secret", "import", "-")
		if r.code != 0 || !strings.Contains(r.out, "to the encrypted file vault: username, passphrase") {
			t.Fatalf("import: exit %d\n%s%s", r.code, r.out, r.err)
		}
		noSecret(t, r, "<password>")
		r = e.run(ex[0], nil, "secret", "import", "-")
		if r.code != exitOther || !strings.Contains(r.err, "line 6, column 5") {
			t.Fatalf("import of the API key example: exit %d\n%s", r.code, r.err)
		}
	})

	t.Run("no-echo prompt on a terminal", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no pty on Windows")
		}
		const secret = "typed-secret-9f8e7d6c5b4a"
		out := e.pty(t, []string{"client secret: "}, []string{secret}, "client", "add", "web", "--token-url", "https://id.example.com/token",
			"--client-id", "web", "--auth-method", "client_secret_post")
		if strings.Contains(out, secret) {
			t.Fatal("the client secret was echoed on the terminal")
		}
		if !strings.Contains(out, `Added auth client "web"`) {
			t.Fatalf("terminal output:\n%s", out)
		}
		if r := e.must("", "client", "show", "web", "--reveal"); !strings.Contains(r.out, secret) {
			t.Fatal("the typed secret was not stored")
		}
		// confirmation on a terminal: "n" keeps the environment
		e.must("k\n", "secret", "add", "x", "--type", "API_KEY", "--value-stdin", "--env", "default")
		out = e.pty(t, []string{"[y/N] "}, []string{"n"}, "env", "rm", "default")
		if !strings.Contains(out, `kept environment "default"`) {
			t.Fatalf("terminal output:\n%s", out)
		}
	})
}

// pty runs the binary on a pseudo-terminal, answering each prompt in turn,
// and returns everything the terminal showed.
func (e *e2e) pty(t *testing.T, prompts, answers []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return e.ptyEnv(t, ctx, nil, prompts, answers, args...)
}

// ptyEnv is pty with extra environment variables.
func (e *e2e) ptyEnv(t *testing.T, ctx context.Context, env, prompts, answers []string, args ...string) string {
	t.Helper()
	cmd := e.command(ctx, env, args...)
	f, tty, err := startOnPty(cmd)
	if err != nil {
		t.Fatalf("starting on a pty: %v", err)
	}
	defer f.Close()
	defer tty.Close()
	var mu sync.Mutex
	var shown bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			shown.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return // EIO once the child has exited
			}
		}
	}()
	seen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return shown.String()
	}
	offset := 0
	for i, p := range prompts {
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := seen()
			if j := strings.Index(s[offset:], p); j >= 0 {
				offset += j + len(p)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("prompt %q never appeared; terminal so far:\n%s", p, s)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// A secret prompt is printed just before echo goes off: typing
		// in between would echo the secret whatever the program does.
		// Confirmations ("[y/N] ") keep echo on.
		for !strings.HasSuffix(p, "[y/N] ") && echoing(tty) {
			if time.Now().After(deadline) {
				t.Fatalf("echo never went off after %q", p)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := io.WriteString(f, answers[i]+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	// Closed so that reading ends (EIO) once the program exits.
	tty.Close()
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("terminal output did not end")
	}
	return seen()
}
