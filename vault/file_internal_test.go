package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	if a.kdfs != 1 || b.kdfs != 1 {
		t.Fatalf("key derivations: %d and %d, want one per store (creating the identity, unwrapping it)", a.kdfs, b.kdfs)
	}
}

// A process pays one scrypt derivation, to unwrap the identity, however
// many values it reads and writes; every write is one encryption and one
// file replacement, and a batch of a thousand changes is one write.
func TestFileOneKDFPerProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := func() (string, error) { return "pw", nil }
	ctx := context.Background()
	first, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Set(ctx, "seed", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if first.kdfs != 1 {
		t.Fatalf("creating the vault took %d key derivations, want 1 (wrapping the new identity)", first.kdfs)
	}

	s, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "seed"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		key := fmt.Sprintf("secret/%d", i)
		if err := s.Set(ctx, key, []byte("value")); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
	}
	if s.writes != 30 {
		t.Fatalf("20 sets and 10 deletes wrote the vault %d times, want 30", s.writes)
	}
	batch := make([]Change, 0, 1000)
	for i := range 1000 {
		batch = append(batch, setChange(fmt.Sprintf("import/%04d", i), []byte("imported value")))
	}
	batch = append(batch, deleteChange("secret/1"), deleteChange("never-stored"))
	undo, err := s.Apply(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if s.writes != 31 {
		t.Fatalf("a batch of 1,002 changes wrote the vault %d times, want 1", s.writes-30)
	}
	if len(undo) != 1001 {
		t.Fatalf("the batch returned %d undo changes, want 1001 (the delete of a missing key changed nothing)", len(undo))
	}
	if s.kdfs != 1 {
		t.Fatalf("a process that read, wrote 31 times and applied a batch ran %d key derivations, want 1", s.kdfs)
	}
	// Applying the undo puts everything back, in one more write.
	if _, err := s.Apply(ctx, undo); err != nil {
		t.Fatal(err)
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 11 || s.writes != 32 {
		t.Fatalf("after the undo the vault holds %d keys (want 11) after %d writes (want 32)", len(keys), s.writes)
	}
	// A batch that changes nothing writes nothing.
	if _, err := s.Apply(ctx, []Change{deleteChange("never-stored")}); err != nil {
		t.Fatal(err)
	}
	if s.writes != 32 {
		t.Fatal("a batch that changed nothing rewrote the vault")
	}
}

// A vault of the earlier format costs one derivation to read and one more,
// once, to convert (wrapping the new identity).
func TestFileLegacyConversionKDFs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "legacy-scrypt", FileVaultName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileVaultName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := NewFileStore(FileOptions{Dir: dir, WorkFactor: 10, Passphrase: func() (string, error) { return "legacy vault passphrase", nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if _, err := s.Get(ctx, "secret/0011223344556677"); err != nil {
			t.Fatal(err)
		}
	}
	if s.kdfs != 1 {
		t.Fatalf("reading the earlier format took %d derivations, want 1", s.kdfs)
	}
	for i := range 5 {
		if err := s.Set(ctx, fmt.Sprint("k", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if s.kdfs != 2 {
		t.Fatalf("reading and converting took %d derivations, want 2", s.kdfs)
	}
}

// A write that would make the vault document larger than the file vault
// reads back is refused with ErrTooLarge before anything is written: the
// file on disk, and every value in it, stay as they were. The stores' limit
// is lowered to 1 MiB and the sizes scale with it, so the test does not push
// 64 MiB documents through the race detector; TestFileVaultLimitIs64MiB
// checks the real limit.
func TestFileVaultRefusesWritesPastItsReadLimit(t *testing.T) {
	const limit = 1 << 20
	dir := t.TempDir()
	pass := func() (string, error) { return "pw", nil }
	open := func() *FileStore {
		t.Helper()
		s, err := NewFileStore(FileOptions{Dir: dir, Passphrase: pass, WorkFactor: 10})
		if err != nil {
			t.Fatal(err)
		}
		s.docLimit = limit
		return s
	}
	s := open()
	ctx := context.Background()
	if err := s.Set(ctx, "kept", []byte("old value")); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// Values are base64 in the document: 3 bytes become 4, so values of
	// 49/64 of the limit make a document over it.
	big := make([]byte, limit/64*49)
	err = s.Set(ctx, "big", big)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Set of a value past the limit = %v, want ErrTooLarge", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "limit of 1 MiB") || !strings.Contains(msg, "nothing was written") {
		t.Fatalf("the error does not say the limit and that nothing changed: %s", msg)
	}
	// A batch past the limit is refused whole too.
	_, err = s.Apply(ctx, []Change{setChange("a", big[:limit/64*30]), setChange("b", big[:limit/64*30])})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Apply past the limit = %v, want ErrTooLarge", err)
	}
	after, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the refused write changed the vault file")
	}
	// Another process (a fresh store) still reads the vault.
	fresh := open()
	if got, err := fresh.Get(ctx, "kept"); err != nil || string(got) != "old value" {
		t.Fatalf("after the refused write: Get = %q, %v", got, err)
	}
	// Just under the limit still works and reads back.
	if err := s.Set(ctx, "big", big[:limit/64*47]); err != nil {
		t.Fatalf("a value under the limit: %v", err)
	}
	if got, err := fresh.Get(ctx, "big"); err != nil || len(got) != limit/64*47 {
		t.Fatalf("reading back a vault near the limit: %d bytes, %v", len(got), err)
	}
}

// The file vault's limit is 64 MiB: a store as NewFileStore makes it reads
// and writes documents of up to that, and refuses a write past it naming it
// (TestFileVaultRefusesWritesPastItsReadLimit proves what the limit does,
// with a lowered one).
func TestFileVaultLimitIs64MiB(t *testing.T) {
	s, err := NewFileStore(FileOptions{Dir: t.TempDir(), Passphrase: func() (string, error) { return "pw", nil }, WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if s.docLimit != 64<<20 {
		t.Fatalf("the file vault's limit is %d bytes, want 64 MiB", s.docLimit)
	}
}
