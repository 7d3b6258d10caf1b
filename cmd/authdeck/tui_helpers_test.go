package main

import (
	"os"
	"os/exec"
	"testing"
)

// buildTUI returns the binary as users get it (built once for the test
// run, buildBinary) for tests and benchmarks that run it in a terminal.
func buildTUI(tb testing.TB) string {
	tb.Helper()
	return buildBinary(tb, tagsRelease)
}

// needTool finds a program the test needs: CI installs it, so there a
// missing one fails the test; locally the test is skipped with the reason.
func needTool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is required in CI (apt-get install -y %s)", name, pkg)
	}
	tb.Skipf("%s not installed (apt-get install -y %s)", name, pkg)
	return ""
}
