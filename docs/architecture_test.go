package docs

import (
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// TestArchitectureNamesEveryPackage: every package of the module is named in
// ARCHITECTURE.md's package table — by its path in backticks, by a parent
// written `parent/*`, or, below oauth/playground, as `…/name` — so a package
// added or renamed cannot leave the map behind.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	files := moduleFiles(t, func(p string) bool {
		return path.Base(p) == "go.mod" || strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") && !strings.Contains(p, "testdata/")
	})
	// A folder with a go.mod of its own (a patched copy of a library under
	// third_party) is another module, not a package of this one.
	var nested []string
	for f := range files {
		if path.Base(f) == "go.mod" && path.Dir(f) != "." {
			nested = append(nested, path.Dir(f)+"/")
		}
	}
	var pkgs []string
	for f := range files {
		dir := path.Dir(f)
		if path.Base(f) == "go.mod" || dir == "." || dir == "docs" || slices.Contains(pkgs, dir) ||
			slices.ContainsFunc(nested, func(m string) bool { return strings.HasPrefix(f, m) }) {
			continue
		}
		pkgs = append(pkgs, dir)
	}
	slices.Sort(pkgs)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages: %v", len(pkgs), pkgs)
	}
	for _, p := range pkgs {
		named := strings.Contains(text, "`"+p+"`") || strings.Contains(text, "`"+path.Dir(p)+"/*`") ||
			(path.Dir(p) == "oauth/playground" && strings.Contains(text, "`…/"+path.Base(p)+"`"))
		if !named {
			t.Errorf("package %s is not in ARCHITECTURE.md's package table", p)
		}
	}
}
