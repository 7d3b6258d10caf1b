package docs

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/authdeck/authdeck/"

// layerRule is one rule of ARCHITECTURE.md's dependency direction: no
// package under from imports a package for which banned says yes.
type layerRule struct {
	from   string
	why    string
	banned func(imp string) bool
}

var layerRules = []layerRule{
	{"vault", "vault is the bottom layer", func(imp string) bool {
		return hasLayer(imp, "oauth", "ui", "cmd") || isTUI(imp)
	}},
	{"oauth", "oauth sits under ui and cmd and draws nothing", func(imp string) bool {
		return hasLayer(imp, "ui", "cmd") || isTUI(imp)
	}},
	{"ui", "ui reaches the network through oauth and the keychain through vault", func(imp string) bool {
		return hasLayer(imp, "cmd") || imp == "net/http" || strings.Contains(imp, "go-keyring")
	}},
	{"themes", "themes is data", func(imp string) bool {
		return strings.HasPrefix(imp, module) || isTUI(imp)
	}},
}

func hasLayer(imp string, layers ...string) bool {
	for _, l := range layers {
		if imp == module+l || strings.HasPrefix(imp, module+l+"/") {
			return true
		}
	}
	return false
}

func isTUI(imp string) bool { return strings.HasPrefix(imp, "charm.land/") }

// TestDependencyDirection keeps the direction ARCHITECTURE.md describes:
// cmd → ui → oauth → vault, with the TUI libraries in ui only, and the
// network and the keychain out of ui. It reads the non-test imports of every
// package with go list.
func TestDependencyDirection(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkgs++
		pkg := strings.TrimPrefix(f[0], module)
		for _, r := range layerRules {
			if pkg != r.from && !strings.HasPrefix(pkg, r.from+"/") {
				continue
			}
			for _, imp := range f[1:] {
				if r.banned(imp) {
					t.Errorf("%s imports %s: %s", pkg, imp, r.why)
				}
			}
		}
	}
	if pkgs < 20 {
		t.Fatalf("go list named %d packages; expected the whole module", pkgs)
	}
}

// TestLayerRulesCatchViolations checks that the rules above would see a
// wrong import, so TestDependencyDirection cannot pass by matching nothing.
func TestLayerRulesCatchViolations(t *testing.T) {
	cases := []struct{ from, imp string }{
		{"vault", module + "oauth"},
		{"vault", "charm.land/bubbletea/v2"},
		{"oauth", module + "ui/common"},
		{"ui", "net/http"},
		{"ui", "github.com/zalando/go-keyring"},
		{"themes", module + "ui/styles"},
	}
	for _, c := range cases {
		caught := false
		for _, r := range layerRules {
			if r.from == c.from && r.banned(c.imp) {
				caught = true
			}
		}
		if !caught {
			t.Errorf("a %s package importing %s is not caught", c.from, c.imp)
		}
	}
	for _, r := range layerRules {
		if r.banned(module+"vault") && r.from != "themes" {
			t.Errorf("rule for %s bans vault, which every layer may import", r.from)
		}
	}
}
