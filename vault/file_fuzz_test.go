package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
)

// asksTooMuchWork reports whether an age header asks for a scrypt work
// factor too costly to try many times (age allows up to 2^22: 4 GiB).
func asksTooMuchWork(data []byte) bool {
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "-> scrypt "); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				continue
			}
			if n, err := strconv.Atoi(f[len(f)-1]); err != nil || n > 12 {
				return true
			}
		}
	}
	return false
}

// FuzzFileOpen feeds arbitrary vault and identity files to the file store:
// opening either reads values or fails with a store error that says the
// vault is corrupt, locked or empty, and a vault that does not open is
// never overwritten.
func FuzzFileOpen(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	wrapped, err := wrapIdentity(id, "pw", 2)
	if err != nil {
		f.Fatal(err)
	}
	good, err := encryptVault("vault.age", map[string][]byte{"k": []byte("v"), "other": {0, 1}}, id.Recipient(), maxFileVaultDoc)
	if err != nil {
		f.Fatal(err)
	}
	legacy, err := os.ReadFile(filepath.Join("testdata", "legacy-scrypt", FileVaultName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, wrapped)
	f.Add(legacy, []byte(nil))
	f.Add(legacy, wrapped)
	f.Add(good, []byte(nil))
	f.Add(good[:len(good)/2], wrapped)
	f.Add(good, wrapped[:len(wrapped)-3])
	f.Add([]byte("age-encryption.org/v1\n-> X25519\n--- \n"), wrapped)
	f.Add([]byte("age-encryption.org/v1\n-> ssh-ed25519 abc def\nxyz\n--- AAAA\n"), wrapped)
	f.Fuzz(func(t *testing.T, vaultData, idData []byte) {
		if asksTooMuchWork(vaultData) || asksTooMuchWork(idData) {
			t.Skip("asks for a costly scrypt work factor")
		}
		dir := t.TempDir()
		vaultPath, idPath := filepath.Join(dir, FileVaultName), filepath.Join(dir, FileIdentityName)
		if err := os.WriteFile(vaultPath, vaultData, 0o600); err != nil {
			t.Fatal(err)
		}
		if idData != nil {
			if err := os.WriteFile(idPath, idData, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s, err := NewFileStore(FileOptions{Dir: dir, WorkFactor: 2, Passphrase: func() (string, error) { return "pw", nil }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, gerr := s.Get(ctx, "k")
		opened := gerr == nil || errors.Is(gerr, ErrNotFound)
		if !opened && !errors.Is(gerr, ErrCorrupt) && !errors.Is(gerr, ErrLocked) {
			t.Fatalf("Get: %v: neither a value, nor corrupt, nor locked", gerr)
		}
		var se *StoreError
		if gerr != nil && !errors.As(gerr, &se) {
			t.Fatalf("Get: %T is not a *StoreError", gerr)
		}
		serr := s.Set(ctx, "k", []byte("new"))
		if opened {
			if serr != nil && !errors.Is(serr, ErrCorrupt) && !errors.Is(serr, ErrLocked) {
				t.Fatalf("Set on a vault that opened: %v", serr)
			}
			return
		}
		if serr == nil {
			t.Fatalf("Set succeeded on a vault that does not open (%v)", gerr)
		}
		after, _ := os.ReadFile(vaultPath)
		if !bytes.Equal(after, vaultData) {
			t.Fatal("a vault that does not open was overwritten")
		}
	})
}
