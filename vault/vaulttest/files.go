package vaulttest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// CheckSwept checks what a sweep of dir left: none of the files gone is
// there any more, and every file of kept still is.
func CheckSwept(t testing.TB, dir string, gone, kept []string) {
	t.Helper()
	for _, name := range gone {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there after the sweep (%v)", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s, not a file aside of authdeck's, was removed: %v", name, err)
		}
	}
}
