package main

import (
	"fmt"
	"os"
	"testing"
)

// testReport logs a figure a test measured and, when AUTHDECK_TEST_REPORT
// names a file, appends it there as one line: go test shows a passing
// test's log only with -v, and CI prints that file after the suite.
func testReport(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	path := os.Getenv("AUTHDECK_TEST_REPORT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Errorf("AUTHDECK_TEST_REPORT: %v", err)
		return
	}
	defer f.Close()
	// One write per line: the lines of tests running in parallel do not mix.
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Errorf("AUTHDECK_TEST_REPORT: %v", err)
	}
}
