package vault_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/local"
)

// Multi-process tests re-run this test binary as helper processes (the
// standard os/exec pattern): the helper mode comes in AUTHDECK_TEST_HELPER,
// its parameters in HELPER_* variables, the passphrase in
// AUTHDECK_PASSPHRASE — never in argv.
const helperEnv = "AUTHDECK_TEST_HELPER"

// testWorkFactor keeps scrypt cheap in tests (age's default is 18).
const testWorkFactor = 10

// helperValue is the value a helper stores under key, so the parent can
// check it without being told.
func helperValue(key string) []byte {
	return []byte("value-of-" + key + "-" + strings.Repeat("x", len(key)*7))
}

// TestHelperProcess is not a test: it is the body of the helper processes.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	home := os.Getenv("HELPER_HOME")
	prefix := os.Getenv("HELPER_PREFIX")
	count, _ := strconv.Atoi(os.Getenv("HELPER_COUNT"))
	ctx := context.Background()
	switch mode {
	case "workspace-add":
		// Adds count secrets to the workspace (file catalog + file vault),
		// starting when the parent creates HELPER_GO.
		v, err := local.Open(local.Options{
			Home: home, Backend: vault.BackendFile, FileWorkFactor: testWorkFactor,
			Passphrase: func() (string, error) { return os.Getenv("AUTHDECK_PASSPHRASE"), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("ready")
		waitForFile(t, os.Getenv("HELPER_GO"))
		for i := range count {
			name := fmt.Sprintf("%s-%02d", prefix, i)
			_, err := v.PutSecret(ctx, vault.Secret{Meta: vault.Meta{Name: name, Env: vault.DefaultEnv}, Type: vault.TypeAPIKey},
				&vault.SecretValue{Key: string(helperValue(name))})
			if err != nil {
				t.Fatalf("PutSecret(%s): %v", name, err)
			}
		}
	case "catalog-churn":
		// Rewrites the catalog as fast as it can until killed.
		cat, err := vault.OpenFileCatalog(home)
		if err != nil {
			t.Fatal(err)
		}
		v := vault.New(cat, vault.NewMemoryStore())
		for i := range 200000 {
			_, err := v.PutRequest(vault.Request{
				Name: fmt.Sprintf("%s-%d", prefix, i), Env: vault.DefaultEnv, Method: "GET",
				URL: "https://api.example.com/items", Description: strings.Repeat("d", 2000),
			})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				fmt.Println("ready")
			}
		}
	case "file-churn":
		// Rewrites the file vault as fast as it can until killed.
		s, err := vault.NewFileStore(vault.FileOptions{
			Dir: home, WorkFactor: 1,
			Passphrase: func() (string, error) { return os.Getenv("AUTHDECK_PASSPHRASE"), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200000 {
			key := fmt.Sprintf("%s-%d", prefix, i)
			if err := s.Set(ctx, key, helperValue(key)); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				fmt.Println("ready")
			}
		}
	case "file-convert":
		// Opens a vault of the earlier format and writes one value, which
		// converts it; the parent kills it somewhere along the way.
		s, err := vault.NewFileStore(vault.FileOptions{
			Dir: home, WorkFactor: testWorkFactor,
			Passphrase: func() (string, error) { return os.Getenv("AUTHDECK_PASSPHRASE"), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("ready")
		if err := s.Set(ctx, prefix, helperValue(prefix)); err != nil {
			t.Fatal(err)
		}
		fmt.Println("converted")
	case "keychain-system":
		// Reports how the OS keychain backend classifies the failure the
		// parent arranged (no bus, a locked collection).
		s := vault.NewKeychainStore(vault.KeychainOptions{Service: "authdeck-test-" + prefix, Timeout: 20 * time.Second})
		if os.Getenv("HELPER_LOCK") == "1" {
			if err := s.Set(ctx, "k", []byte("v")); err != nil {
				t.Fatalf("Set before locking: %v", err)
			}
			lockLoginCollection(t)
		}
		_, gerr := s.Get(ctx, "k")
		serr := s.Set(ctx, "k2", []byte("v"))
		for _, err := range []error{gerr, serr} {
			var se *vault.StoreError
			errors.As(err, &se)
			hint := ""
			if se != nil {
				hint = se.Hint
			}
			fmt.Printf("result|%s|%t|%s|%v\n", sentinelName(err), vault.IsStoreFailure(err), hint, err)
		}
	default:
		t.Fatalf("unknown helper mode %q", mode)
	}
}

func sentinelName(err error) string {
	for name, s := range map[string]error{
		"not found": vault.ErrNotFound, "locked": vault.ErrLocked, "unavailable": vault.ErrUnavailable,
		"timeout": vault.ErrTimeout, "too large": vault.ErrTooLarge, "corrupt": vault.ErrCorrupt,
	} {
		if errors.Is(err, s) {
			return name
		}
	}
	if err == nil {
		return "nil"
	}
	return "other"
}

func waitForFile(t *testing.T, path string) {
	for range 1000 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// helperProc is a running helper process and its output.
type helperProc struct {
	cmd *exec.Cmd
	out *bufio.Reader
}

// helper starts this test binary as a helper process in mode.
func helper(t *testing.T, mode string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode}, env...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, bufio.NewReader(out)
}

// waitLine reads lines from r until one equals want, or fails after timeout.
func waitLine(t *testing.T, r *bufio.Reader, want string, timeout time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for {
			line, err := r.ReadString('\n')
			if strings.TrimSpace(line) == want {
				done <- nil
				return
			}
			if err != nil {
				done <- fmt.Errorf("helper output ended before %q: %w", want, err)
				return
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(timeout):
		t.Fatalf("helper did not print %q within %v", want, timeout)
	}
}

// drain reads the rest of a helper's output.
func drain(r *bufio.Reader) string {
	b, _ := io.ReadAll(r)
	return string(b)
}

// tempLeftovers lists the temporary files an interrupted atomic write left in dir.
func tempLeftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
