package vault

import (
	"context"
	"testing"
)

// The decrypted vault is cached: reads after a write, and repeated reads,
// decrypt nothing; a change by another process is decrypted once.
func TestFileCacheDecryptsOnlyWhenTheFileChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := func() (string, error) { return "pw", nil }
	a, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.Set(ctx, "k", []byte("one")); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := a.Get(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if a.decrypts != 0 {
		t.Fatalf("%d decryptions after own write and reads, want 0", a.decrypts)
	}
	// Another store on the same file stands in for another process.
	b, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, "k", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b.decrypts != 1 {
		t.Fatalf("the second store decrypted %d times to write, want 1 (re-read under the lock)", b.decrypts)
	}
	for range 5 {
		got, err := a.Get(ctx, "k")
		if err != nil || string(got) != "two" {
			t.Fatalf("Get = %q, %v; want the other process's value", got, err)
		}
	}
	if a.decrypts != 1 {
		t.Fatalf("%d decryptions after the file changed once, want 1", a.decrypts)
	}
}
