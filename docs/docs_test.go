// Package docs holds the project's own documents; its test keeps them in step
// with the code.
package docs

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	idRe   = regexp.MustCompile(`\bS-\d\d\b`)
	rowRe  = regexp.MustCompile(`(?m)^\| (S-\d\d) \| (.+) \| (.+) \|$`)
	funcRe = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark|Example)\w*)\(`)
)

// moduleFiles returns the module's files (relative paths) for which keep
// says yes, skipping version-control and generated screenshot folders.
func moduleFiles(t *testing.T, keep func(path string) bool) map[string][]byte {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", root, err)
	}
	out := map[string][]byte{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == ".git" || rel == filepath.Join("screenshots", ".work") {
				return filepath.SkipDir
			}
			return nil
		}
		if !keep(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type securityRow struct {
	id, behaviour string
	tests         []string
}

func securityRows(t *testing.T) []securityRow {
	t.Helper()
	b, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []securityRow
	for _, m := range rowRe.FindAllStringSubmatch(string(b), -1) {
		r := securityRow{id: m[1], behaviour: m[2]}
		if !strings.Contains(m[3], "not yet covered") {
			for _, name := range strings.Split(m[3], ",") {
				r.tests = append(r.tests, strings.TrimSpace(name))
			}
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("SECURITY.md has no behaviour rows")
	}
	return rows
}

// TestSecurityIDsResolve checks that every S-nn cited in the code is a row of
// SECURITY.md, that the rows are unique and in order, and that every test a
// row names exists.
func TestSecurityIDsResolve(t *testing.T) {
	rows := securityRows(t)
	listed := map[string]bool{}
	for i, r := range rows {
		if listed[r.id] {
			t.Errorf("SECURITY.md lists %s twice", r.id)
		}
		listed[r.id] = true
		if i > 0 && r.id < rows[i-1].id {
			t.Errorf("SECURITY.md: %s comes after %s", r.id, rows[i-1].id)
		}
	}

	goFiles := moduleFiles(t, func(p string) bool { return strings.HasSuffix(p, ".go") })
	defined := map[string]bool{}
	for path, src := range goFiles {
		if strings.HasSuffix(path, "_test.go") {
			for _, m := range funcRe.FindAllSubmatch(src, -1) {
				defined[string(m[1])] = true
			}
		}
		for _, id := range idRe.FindAll(src, -1) {
			if !listed[string(id)] {
				t.Errorf("%s cites %s, which docs/SECURITY.md does not list", path, id)
			}
		}
	}
	for _, r := range rows {
		for _, name := range r.tests {
			if !defined[name] {
				t.Errorf("docs/SECURITY.md: %s names %s, which no test file defines", r.id, name)
			}
		}
	}
}

// TestNothingCitesOutsideTheRepository checks that no file of the module
// reads or cites documents kept outside it: a clone must stand alone.
func TestNothingCitesOutsideTheRepository(t *testing.T) {
	// Built from parts so this file does not match itself.
	banned := [][]byte{[]byte("../" + "shared"), []byte("seed " + "00"), []byte("DESIGN " + "§")}
	files := moduleFiles(t, func(p string) bool {
		// .ci describes the CI machine, which may keep other folders beside
		// the clone; it is not part of what a contributor reads or runs.
		return !strings.HasPrefix(p, ".ci"+string(filepath.Separator)) && !isBinary(p)
	})
	var bad []string
	for path, b := range files {
		for _, s := range banned {
			if i := bytes.Index(b, s); i >= 0 {
				line := bytes.Count(b[:i], []byte("\n")) + 1
				bad = append(bad, fmt.Sprintf("%s:%d: cites %s", path, line, s))
			}
		}
	}
	slices.Sort(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

func isBinary(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".png", ".jpg", ".gif", ".age", ".gz", ".zip":
		return true
	}
	return false
}
