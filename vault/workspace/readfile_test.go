package workspace

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// readWhole reads what os.ReadFile reads: empty, small and large files
// whole, and says what is wrong with a missing file or a directory.
func TestReadWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097, 1 << 20} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("ab\n"), size/3+1)[:size]
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readWhole(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("size %d: %d bytes, %v", size, len(got), err)
		}
	}
	if _, err := readWhole(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := readWhole(dir); err == nil {
		t.Error("a directory reads")
	}
	if b, err := readWhole("/dev/null"); err != nil || len(b) != 0 {
		t.Errorf("a device: %q %v", b, err)
	}
}
