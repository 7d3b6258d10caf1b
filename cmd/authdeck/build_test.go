package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tag sets the tests build the binary with.
const (
	// tagsRelease is the binary as users get it.
	tagsRelease = ""
	// tagsTestKDF reads AUTHDECK_TEST_SCRYPT_WORK_FACTOR (kdf_testbuild.go),
	// so processes of a test do not each pay a second of scrypt.
	tagsTestKDF = "authdeck_testkdf"
	// tagsCrash also arms the crash points (AUTHDECK_TEST_CRASH_AT).
	tagsCrash = "authdeck_testkdf,authdeck_crashtest"
)

// binaries are the builds of this test run, one per tag set, in binDir;
// tests only run them, so one build serves every test that asks for it.
var (
	binDir   string
	binMu    sync.Mutex
	binaries = map[string]*sharedBinary{}
)

// sharedBinary is one build of the command, made on first use.
type sharedBinary struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "authdeck-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "making the directory for the test binaries:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildBinary returns the authdeck binary built with tags (a comma-separated
// tag set, "" for the release build), building it on the first call of the
// test run. A failed build fails every test that asks for it.
func buildBinary(tb testing.TB, tags string) string {
	tb.Helper()
	binMu.Lock()
	b, ok := binaries[tags]
	if !ok {
		b = &sharedBinary{}
		binaries[tags] = b
	}
	binMu.Unlock()
	b.once.Do(func() {
		name := "authdeck"
		if tags != "" {
			name += "-" + strings.ReplaceAll(tags, ",", "-")
		}
		path := filepath.Join(binDir, name)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		args := []string{"build"}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		build := exec.CommandContext(ctx, "go", append(args, "-o", path, ".")...)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build -tags %q: %v\n%s", tags, err, out)
			return
		}
		b.path = path
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.path
}
