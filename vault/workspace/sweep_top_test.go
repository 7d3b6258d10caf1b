package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/authdeck/authdeck/vault/vaulttest"
)

// TestReadSweepsFilesAsideAtTheTop: a process killed while it wrote the
// change's journal, or the workspace file, leaves the file it wrote aside at
// the folder's top; the next read removes it (and only it: a README or the
// lock stays), as it removes those left beside items.
func TestReadSweepsFilesAsideAtTheTop(t *testing.T) {
	t.Parallel()
	root := newFolder(t)
	newDevVault(t, root)
	aside := []string{"." + journalFile + ".tmp-1234", "." + MarkerFile + ".tmp-5678"}
	kept := []string{"README.md"}
	for _, name := range append(aside, kept...) {
		if err := os.WriteFile(filepath.Join(root, name), []byte("{\"ops\": [\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Another process reads the folder, as the next command does.
	next, err := Open(root, Options{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := next.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Env("dev"); !ok {
		t.Fatal("the read lost the environment")
	}
	vaulttest.CheckSwept(t, root, aside, kept)
}
