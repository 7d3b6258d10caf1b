// Package seedtest reads the reference documents that sit beside the
// repository (../shared/seeds) for tests: the secret service's own JSON
// examples, which the importers and the CLI must take as they are.
package seedtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ExampleCount is how many JSON examples reference document 000 holds.
const ExampleCount = 7

// Dir finds ../shared/seeds beside the module root, wherever the test runs
// from.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	seeds := filepath.Join(dir, "..", "shared", "seeds")
	if _, err := os.Stat(seeds); err != nil {
		t.Fatalf("reference documents not found at %s (they sit beside the repository): %v", seeds, err)
	}
	return seeds
}

// Text returns the reference document whose file name starts with prefix.
func Text(t testing.TB, prefix string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(Dir(t), prefix+"_*.txt"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("seed %s: found %v (%v)", prefix, matches, err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Examples returns the JSON examples of reference document 000, in
// document order.
func Examples(t testing.TB) []string {
	t.Helper()
	blocks := JSONBlocks(Text(t, "000"))
	if len(blocks) != ExampleCount {
		t.Fatalf("seed 000 has %d JSON examples, want %d", len(blocks), ExampleCount)
	}
	return blocks
}

// JSONBlocks extracts the JSON examples of a document: every balanced {…}
// that starts a line, scanning strings so braces inside them do not count.
func JSONBlocks(text string) []string {
	var out []string
	lines := strings.SplitAfter(text, "\n")
	off := 0
	starts := []int{}
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), "{") {
			starts = append(starts, off+strings.Index(l, "{"))
		}
		off += len(l)
	}
	end := -1
	for _, s := range starts {
		if s < end {
			continue
		}
		depth, inStr, esc := 0, false, false
		for k := s; k < len(text); k++ {
			c := text[k]
			switch {
			case inStr && esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case inStr && c == '"':
				inStr = false
			case inStr:
			case c == '"':
				inStr = true
			case c == '{':
				depth++
			case c == '}':
				depth--
			}
			if depth == 0 {
				out = append(out, text[s:k+1])
				end = k + 1
				break
			}
		}
	}
	return out
}
