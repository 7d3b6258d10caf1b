package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authdeck/authdeck/oauth/playground"
	"github.com/authdeck/authdeck/vault"
	"github.com/authdeck/authdeck/vault/vaulttest"
)

// cliBench is the built binary and a workspace of its own.
type cliBench struct {
	bin string
	env []string
}

// newCLIBench builds the binary as users get it and prepares a workspace
// on backend (keychain: a Secret Service must answer, e.g. inside
// .ci/with-secret-service.sh; file: age's scrypt work factor, as users get).
func newCLIBench(b *testing.B, backend string) *cliBench {
	b.Helper()
	return newCLIBenchBuild(b, backend, tagsRelease)
}

// newCLIBenchBuild is newCLIBench with the binary built with tags (a tag
// set of build_test.go) and extra environment.
func newCLIBenchBuild(b *testing.B, backend string, tags string, env ...string) *cliBench {
	b.Helper()
	dir := b.TempDir()
	c := &cliBench{bin: buildBinary(b, tags)}
	c.env = append(os.Environ(), "AUTHDECK_HOME="+filepath.Join(dir, "home"), "AUTHDECK_VAULT="+backend,
		"AUTHDECK_PASSPHRASE=bench passphrase", "NO_COLOR=1", "AUTHDECK_ENV=")
	c.env = append(c.env, env...)
	return c
}

// run runs the binary and returns its stdout, wall time and peak RSS (KiB).
func (c *cliBench) run(b *testing.B, stdin string, args ...string) (string, time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("authdeck %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), time.Since(t0), maxRSS(cmd)
}

// maxRSS is a finished process's peak resident set size in KiB.
func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

func median(ds []float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkTokenVsCurl: `authdeck token NAME` (served from the vault) and
// `authdeck token NAME --force` (a client credentials grant, stored) against
// curl doing the same token POST, all three against the playground provider
// and run in turn in each iteration, so a busy machine slows all of them
// alike. It reports each one's median wall time and the medians of the
// paired ratios (budgets: cached ≤ 1.0× curl, forced ≤ 1.3× curl, on the
// keychain). The backend is $AUTHDECK_BENCH_VAULT, keychain by default:
//
//	bash .ci/with-secret-service.sh go test -run '^$' -bench BenchmarkTokenVsCurl -benchtime 30x ./cmd/authdeck/
func BenchmarkTokenVsCurl(b *testing.B) {
	backend := os.Getenv("AUTHDECK_BENCH_VAULT")
	if backend == "" {
		backend = vault.BackendKeychain
	}
	if backend == vault.BackendKeychain {
		vaulttest.RequireSecretService(b)
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	srv, err := playground.Start(context.Background(), playground.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	dc, ok := srv.Client(playground.ClientServiceBasic)
	if !ok {
		b.Fatal("the playground has no basic client")
	}
	tokenURL := srv.Endpoints().Token
	c := newCLIBench(b, backend)
	c.run(b, dc.Secret+"\n", "client", "add", "api", "--token-url", tokenURL, "--client-id", dc.ClientID,
		"--client-secret-stdin", "--auth-method", "client_secret_basic", "--grant", "client_credentials", "--scope", "api:read")
	c.run(b, "", "token", "api")
	// curl reads the client's credentials from a config on stdin, as the
	// secret stays out of its arguments.
	curlCfg := fmt.Sprintf("user = \"%s:%s\"\n", dc.ClientID, dc.Secret)
	runCurl := func() time.Duration {
		cmd := exec.Command(curl, "-sS", "--fail", "-K", "-", "-d", "grant_type=client_credentials", "-d", "scope=api:read", tokenURL)
		cmd.Stdin = strings.NewReader(curlCfg)
		var out strings.Builder
		cmd.Stdout = &out
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("curl: %v", err)
		}
		d := time.Since(t0)
		if !strings.Contains(out.String(), `"access_token"`) {
			b.Fatal("curl got no token")
		}
		return d
	}
	var curlMS, cachedMS, forcedMS, cachedRatio, forcedRatio []float64
	for b.Loop() {
		dc := runCurl()
		out, dcached, _ := c.run(b, "", "token", "api")
		if strings.TrimSpace(out) == "" {
			b.Fatal("no token printed")
		}
		_, dforced, _ := c.run(b, "", "token", "api", "--force")
		curlMS, cachedMS, forcedMS = append(curlMS, ms(dc)), append(cachedMS, ms(dcached)), append(forcedMS, ms(dforced))
		cachedRatio, forcedRatio = append(cachedRatio, ms(dcached)/ms(dc)), append(forcedRatio, ms(dforced)/ms(dc))
	}
	b.ReportMetric(median(curlMS), "curl-ms")
	b.ReportMetric(median(cachedMS), "cached-ms")
	b.ReportMetric(median(forcedMS), "forced-ms")
	b.ReportMetric(median(cachedRatio), "cached/curl")
	b.ReportMetric(median(forcedRatio), "forced/curl")
	b.ReportMetric(0, "ns/op")
}

// importJSON is n API keys in the reference secret-service JSON.
func importJSON(prefix string, n int) string {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{
			"name": fmt.Sprintf("%s-%04d", prefix, i), "type": "API_KEY",
			"value": map[string]string{"key": fmt.Sprintf("k-%x", vaulttest.RandomBytes(16))},
		}
	}
	data, _ := json.Marshal(items)
	return string(data)
}

// BenchmarkFileVaultCLI: the file vault as users get it (age's scrypt work
// factor). Each iteration imports 1,000 API keys into a new vault in one
// `authdeck secret import` (budget ≤ 1 KDF + 1 s) and runs `authdeck token
// NAME` from a vault that holds an auth client, its token set and 1,000
// other secrets (budget ≤ 1 KDF + 15 ms). The same commands run on
// workspaces whose identity is wrapped at scrypt work factor 1 (a test
// build): their times are each command's cost beyond its one key
// derivation, and the difference is what that derivation costs here. It
// reports the peak RSS of every command on the real vaults (budget ≤ 300 MB).
//
//	go test -run '^$' -bench BenchmarkFileVaultCLI -benchtime 5x ./cmd/authdeck/
func BenchmarkFileVaultCLI(b *testing.B) {
	srv, err := playground.Start(context.Background(), playground.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	dc, _ := srv.Client(playground.ClientServiceBasic)
	real := newCLIBench(b, vault.BackendFile)
	cheap := newCLIBenchBuild(b, vault.BackendFile, tagsTestKDF, "AUTHDECK_TEST_SCRYPT_WORK_FACTOR=1")
	var peak int64
	for _, c := range []*cliBench{real, cheap} {
		_, _, rss := c.run(b, dc.Secret+"\n", "client", "add", "api", "--token-url", srv.Endpoints().Token, "--client-id", dc.ClientID,
			"--client-secret-stdin", "--auth-method", "client_secret_basic", "--grant", "client_credentials", "--scope", "api:read")
		peak = max(peak, rss)
		_, _, rss = c.run(b, importJSON("other", 1000), "secret", "import", "-")
		peak = max(peak, rss)
		_, _, rss = c.run(b, "", "token", "api")
		peak = max(peak, rss)
	}
	var importMS, tokenMS, importCheapMS, tokenCheapMS, kdfMS []float64
	round := 0
	for b.Loop() {
		data := importJSON(fmt.Sprintf("key-%d", round), 1000)
		round++
		var times [2][2]time.Duration
		for i, c := range []*cliBench{real, cheap} {
			// A new home each time: the import creates the vault.
			fresh := *c
			fresh.env = append(slices.Clone(c.env), "AUTHDECK_HOME="+b.TempDir())
			_, d, rss := fresh.run(b, data, "secret", "import", "-")
			if c == real {
				peak = max(peak, rss)
			}
			times[i][0] = d
			out, d, rss := c.run(b, "", "token", "api")
			if c == real {
				peak = max(peak, rss)
			}
			if strings.TrimSpace(out) == "" {
				b.Fatal("no token printed")
			}
			times[i][1] = d
			if list, _, _ := fresh.run(b, "", "secret", "list"); strings.Count(list, "API_KEY") != 1000 {
				b.Fatalf("the new vault lists %d API keys after the import", strings.Count(list, "API_KEY"))
			}
		}
		importMS, tokenMS = append(importMS, ms(times[0][0])), append(tokenMS, ms(times[0][1]))
		importCheapMS, tokenCheapMS = append(importCheapMS, ms(times[1][0])), append(tokenCheapMS, ms(times[1][1]))
		kdfMS = append(kdfMS, ms(times[0][1]-times[1][1]))
	}
	b.ReportMetric(median(importMS), "import1000-ms")
	b.ReportMetric(median(tokenMS), "token-ms")
	b.ReportMetric(median(kdfMS), "kdf-ms")
	b.ReportMetric(median(importCheapMS), "import1000-beyond-kdf-ms")
	b.ReportMetric(median(tokenCheapMS), "token-beyond-kdf-ms")
	b.ReportMetric(float64(peak)/1024, "peak-rss-MiB")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkFileVaultTokenUnlocked: `authdeck token NAME` from the file vault
// (age's scrypt work factor, an auth client, its token set and 1,000 other
// secrets) after `authdeck unlock`, with no passphrase in the environment:
// the identity comes from the agent, so no key is derived (budget ≤ 1 KDF +
// 15 ms; with the agent, no KDF). Each iteration also runs `authdeck
// --version`, the cost of starting the process at all, and `secret list`,
// which reads the catalog only, so the token's cost beyond them shows on a
// busy machine.
//
//	go test -run '^$' -bench BenchmarkFileVaultTokenUnlocked -benchtime 30x ./cmd/authdeck/
func BenchmarkFileVaultTokenUnlocked(b *testing.B) {
	srv, err := playground.Start(context.Background(), playground.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	dc, _ := srv.Client(playground.ClientServiceBasic)
	run, err := os.MkdirTemp("", "adbench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(run) })
	c := newCLIBenchBuild(b, vault.BackendFile, tagsRelease, "XDG_RUNTIME_DIR="+run)
	c.run(b, dc.Secret+"\n", "client", "add", "api", "--token-url", srv.Endpoints().Token, "--client-id", dc.ClientID,
		"--client-secret-stdin", "--auth-method", "client_secret_basic", "--grant", "client_credentials", "--scope", "api:read")
	c.run(b, importJSON("other", 1000), "secret", "import", "-")
	c.run(b, "", "token", "api")
	_, locked, _ := c.run(b, "", "token", "api")
	c.run(b, "", "unlock", "--for", "30m")
	b.Cleanup(func() { c.run(b, "", "lock") })
	unlocked := *c
	unlocked.env = append(slices.Clone(c.env), "AUTHDECK_PASSPHRASE=")
	var tokenMS, versionMS, listMS []float64
	for b.Loop() {
		out, d, _ := unlocked.run(b, "", "token", "api")
		if strings.TrimSpace(out) == "" {
			b.Fatal("no token printed")
		}
		_, dv, _ := unlocked.run(b, "", "--version")
		_, dl, _ := unlocked.run(b, "", "secret", "list")
		tokenMS, versionMS, listMS = append(tokenMS, ms(d)), append(versionMS, ms(dv)), append(listMS, ms(dl))
	}
	b.ReportMetric(ms(locked), "token-with-kdf-ms")
	b.ReportMetric(median(tokenMS), "token-unlocked-ms")
	b.ReportMetric(median(versionMS), "version-ms")
	b.ReportMetric(median(listMS), "list-ms")
	b.ReportMetric(0, "ns/op")
}
