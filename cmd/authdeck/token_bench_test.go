package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// cliBench is the built binary with a workspace holding auth client "api"
// (client credentials against a loopback token endpoint) and its token.
type cliBench struct {
	bin     string
	env     []string
	srv     *httptest.Server
	fetches atomic.Int64
}

// newCLIBench builds the binary and prepares the workspace. The backend is
// $AUTHDECK_BENCH_VAULT: "file" (default; every process pays the scrypt KDF
// of the age file, by design) or "keychain" (the budget's target; run inside
// a Secret Service, e.g. bash .ci/with-secret-service.sh).
func newCLIBench(b *testing.B) *cliBench {
	b.Helper()
	backend := os.Getenv("AUTHDECK_BENCH_VAULT")
	if backend == "" {
		backend = "file"
	}
	dir := b.TempDir()
	c := &cliBench{bin: filepath.Join(dir, "authdeck")}
	build := exec.Command("go", "build", "-o", c.bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); !ok || id != "bench-client" || secret != "bench-secret-value" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		n := c.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"bench-token-%d","token_type":"Bearer","expires_in":3600,"scope":"api:read"}`, n)
	}))
	b.Cleanup(c.srv.Close)
	c.env = append(os.Environ(), "AUTHDECK_HOME="+filepath.Join(dir, "home"), "AUTHDECK_VAULT="+backend,
		"AUTHDECK_PASSPHRASE=bench passphrase", "NO_COLOR=1", "AUTHDECK_ENV=")
	c.run(b, "bench-secret-value\n", "client", "add", "api", "--token-url", c.srv.URL+"/token", "--client-id", "bench-client",
		"--client-secret-stdin", "--auth-method", "client_secret_basic", "--grant", "client_credentials", "--scope", "api:read")
	c.run(b, "", "token", "api")
	return c
}

func (c *cliBench) run(b *testing.B, stdin string, args ...string) string {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out strings.Builder
	cmd.Stdout = &out
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("authdeck %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// The cached-token budget: `authdeck token` served from the vault, measured as process
// wall time per run (budget ≤ 15 ms on the keychain backend), and a one-shot
// `authdeck token --force` that fetches (and stores) a token next to curl
// doing the same POST (budget: not slower than curl).
//
//	go test -run '^$' -bench BenchmarkTokenCLI ./cmd/authdeck/
//	AUTHDECK_BENCH_VAULT=keychain bash .ci/with-secret-service.sh go test -run '^$' -bench BenchmarkTokenCLI ./cmd/authdeck/
func BenchmarkTokenCLI(b *testing.B) {
	c := newCLIBench(b)
	b.Run("token from the vault", func(b *testing.B) {
		before := c.fetches.Load()
		for b.Loop() {
			if out := c.run(b, "", "token", "api"); !strings.HasPrefix(out, "bench-token-") {
				b.Fatalf("unexpected output")
			}
		}
		if c.fetches.Load() != before {
			b.Fatalf("the cached runs fetched %d tokens", c.fetches.Load()-before)
		}
	})
	b.Run("token --force (fetch and store)", func(b *testing.B) {
		for b.Loop() {
			c.run(b, "", "token", "api", "--force")
		}
	})
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Log("curl is not installed; skipping the curl comparison")
		return
	}
	b.Run("curl POST", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command(curl, "-sS", "--fail", "-u", "bench-client:bench-secret-value", "-d", "grant_type=client_credentials", "-d", "scope=api:read", c.srv.URL+"/token")
			cmd.Stdout = io.Discard
			if err := cmd.Run(); err != nil {
				b.Fatalf("curl: %v", err)
			}
		}
	})
}
