package main

import (
	"bufio"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authdeck/authdeck/vault/lazyre"
)

// initCost is one package's initialisation as GODEBUG=inittrace=1 reports it.
type initCost struct {
	pkg           string
	bytes, allocs int
}

// parseInitTrace reads the runtime's inittrace lines:
//
//	init PKG @T ms, C ms clock, B bytes, A allocs
func parseInitTrace(t *testing.T, text string) []initCost {
	t.Helper()
	var out []initCost
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		b, err1 := strconv.Atoi(f[7])
		a, err2 := strconv.Atoi(f[9])
		if err1 != nil || err2 != nil {
			t.Fatalf("an inittrace line that does not parse: %q", sc.Text())
		}
		out = append(out, initCost{pkg: f[1], bytes: b, allocs: a})
	}
	return out
}

// TestStartupPackageInitCost: what every authdeck process pays before main
// runs. Package initialisation is part of the time `authdeck token` is
// compared with curl for, and a dependency that does real work in init (as
// jsonschema's metaschema compilation did: 21,000 allocations and 1.7 MB,
// about a fifth of a forced token command's CPU) costs every command. The
// budget is on allocations, which are deterministic, not on time.
func TestStartupPackageInitCost(t *testing.T) {
	e := newE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "--version")
	cmd.Env = append(append([]string{}, e.env...), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("authdeck --version: %v\n%s", err, stderr.String())
	}
	costs := parseInitTrace(t, stderr.String())
	if len(costs) < 50 {
		t.Fatalf("inittrace reported %d packages; the runtime's format may have changed:\n%s", len(costs), stderr.String())
	}
	const (
		totalAllocs = 5_000
		totalBytes  = 640 << 10
		onePackage  = 256 << 10
		// authdeck's own packages build no tables and compile no
		// expressions in init (lazyre, sync.OnceValue)
		ownAllocs = 200
	)
	var allocs, bytes int
	for _, c := range costs {
		allocs += c.allocs
		bytes += c.bytes
		if c.bytes > onePackage {
			t.Errorf("package %s allocates %d bytes (%d allocations) in its init; at most %d, since every command pays it", c.pkg, c.bytes, c.allocs, onePackage)
		}
		if strings.HasPrefix(c.pkg, "github.com/authdeck/authdeck/") && c.allocs > ownAllocs {
			t.Errorf("package %s makes %d allocations in its init; at most %d: compile its expressions on first use (vault/lazyre) and build its tables when first needed", c.pkg, c.allocs, ownAllocs)
		}
	}
	t.Logf("package init: %d packages, %d allocations, %d bytes", len(costs), allocs, bytes)
	if allocs > totalAllocs || bytes > totalBytes {
		t.Errorf("package init makes %d allocations (%d bytes); budget %d (%d bytes)", allocs, bytes, totalAllocs, totalBytes)
	}
}

// TestLazyExpressionsCompile: the regular expressions authdeck compiles on
// first use (vault/lazyre) are all valid — an invalid one would
// otherwise panic only when a user first imports a file that needs it.
func TestLazyExpressionsCompile(t *testing.T) {
	if n := lazyre.MustCompileAll(); n < 30 {
		t.Errorf("%d expressions registered; the importers alone have more than 30", n)
	}
}
