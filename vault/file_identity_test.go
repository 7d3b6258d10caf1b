package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/authdeck/authdeck/vault"
)

// The vault of the earlier format kept in testdata (see its README).
const legacyPass = "legacy vault passphrase"

var legacyValues = map[string]string{
	"secret/0011223344556677": `{"key":"legacy-api-key-0123456789"}`,
	"client/8899aabbccddeeff": `{"clientSecret":"legacy-client-secret"}`,
	"env/0123456789abcdef":    `{"DB_PASSWORD":"legacy-db-password"}`,
}

// legacyHome returns a directory holding a copy of the legacy vault.
func legacyHome(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "legacy-scrypt", vault.FileVaultName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, vault.FileVaultName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}

func checkLegacyValues(t testing.TB, s vault.Store) {
	t.Helper()
	for k, want := range legacyValues {
		got, err := s.Get(context.Background(), k)
		if err != nil {
			t.Fatalf("Get(%s): %v", k, err)
		}
		if string(got) != want {
			t.Fatalf("Get(%s) returned another value than the one stored", k)
		}
	}
}

// A vault written by the earlier format opens unchanged (reading writes
// nothing), and its next write converts it: an identity file wrapped with
// the same passphrase, and the vault encrypted to that identity with every
// value kept.
func TestFileLegacyVaultOpensAndConverts(t *testing.T) {
	t.Parallel()
	dir := legacyHome(t)
	vaultPath, idPath := filepath.Join(dir, vault.FileVaultName), filepath.Join(dir, vault.FileIdentityName)
	before := readFile(t, vaultPath)
	s := newFileStore(t, dir, legacyPass)
	checkLegacyValues(t, s)
	if !bytes.Equal(readFile(t, vaultPath), before) {
		t.Fatal("reading the legacy vault changed it")
	}
	if _, err := os.Stat(idPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("reading the legacy vault wrote an identity file")
	}

	if err := s.Set(context.Background(), "secret/new", []byte("after conversion")); err != nil {
		t.Fatal(err)
	}
	after := readFile(t, vaultPath)
	if !bytes.HasPrefix(after, []byte("age-encryption.org/v1\n-> X25519 ")) {
		t.Fatalf("after a write the vault is not encrypted to an identity: %q", after[:min(40, len(after))])
	}
	checkMode(t, idPath, 0o600)
	doc := decryptTestVault(t, after, unwrapTestIdentity(t, dir, legacyPass))
	if len(doc.Values) != len(legacyValues)+1 || string(doc.Values["secret/new"]) != "after conversion" {
		t.Fatalf("the converted vault holds %d values, want %d", len(doc.Values), len(legacyValues)+1)
	}
	// Another process opens the converted vault with the same passphrase.
	fresh := newFileStore(t, dir, legacyPass)
	checkLegacyValues(t, fresh)
	if left := tempLeftovers(t, dir); len(left) != 0 {
		t.Fatalf("temporary files left: %q", left)
	}
}

// A conversion interrupted after the identity file was written leaves the
// old vault readable with the passphrase; the next write encrypts it to that
// identity rather than making another one.
func TestFileLegacyInterruptedConversionResumes(t *testing.T) {
	t.Parallel()
	dir := legacyHome(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	wrapped := wrapTestIdentity(t, id, legacyPass)
	idPath := filepath.Join(dir, vault.FileIdentityName)
	if err := os.WriteFile(idPath, wrapped, 0o600); err != nil {
		t.Fatal(err)
	}
	s := newFileStore(t, dir, legacyPass)
	checkLegacyValues(t, s)
	if err := s.Set(context.Background(), "secret/new", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, idPath), wrapped) {
		t.Fatal("the identity file left by the interrupted conversion was replaced")
	}
	doc := decryptTestVault(t, readFile(t, filepath.Join(dir, vault.FileVaultName)), id)
	if len(doc.Values) != len(legacyValues)+1 {
		t.Fatalf("the vault encrypted to the existing identity holds %d values", len(doc.Values))
	}
}

// An identity file that the passphrase does not open, beside a legacy vault
// that it does, was not written for that vault: converting is refused with a
// clear error, and neither file changes.
func TestFileLegacyWithForeignIdentityIsNotConverted(t *testing.T) {
	t.Parallel()
	dir := legacyHome(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idPath, vaultPath := filepath.Join(dir, vault.FileIdentityName), filepath.Join(dir, vault.FileVaultName)
	if err := os.WriteFile(idPath, wrapTestIdentity(t, id, "another passphrase"), 0o600); err != nil {
		t.Fatal(err)
	}
	idBefore, vaultBefore := readFile(t, idPath), readFile(t, vaultPath)
	s := newFileStore(t, dir, legacyPass)
	checkLegacyValues(t, s)
	err = s.Set(context.Background(), "secret/new", []byte("v"))
	if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), "move "+idPath+" away") {
		t.Fatalf("err = %v, want ErrCorrupt saying to move %s away", err, idPath)
	}
	if !bytes.Equal(readFile(t, idPath), idBefore) || !bytes.Equal(readFile(t, vaultPath), vaultBefore) {
		t.Fatal("a refused conversion changed the files")
	}
}

// A wrong passphrase on a legacy vault is ErrLocked (exit 8) and changes nothing.
func TestFileLegacyWrongPassphrase(t *testing.T) {
	t.Parallel()
	dir := legacyHome(t)
	vaultPath := filepath.Join(dir, vault.FileVaultName)
	before := readFile(t, vaultPath)
	s := newFileStore(t, dir, "not the passphrase")
	ctx := context.Background()
	_, gerr := s.Get(ctx, "secret/0011223344556677")
	for op, err := range map[string]error{"get": gerr, "set": s.Set(ctx, "k", []byte("x"))} {
		if !errors.Is(err, vault.ErrLocked) || !vault.IsStoreFailure(err) || !strings.Contains(err.Error(), "wrong passphrase") {
			t.Fatalf("%s: err = %v, want a wrong-passphrase ErrLocked (a store failure)", op, err)
		}
	}
	if !bytes.Equal(readFile(t, vaultPath), before) {
		t.Fatal("the legacy vault changed")
	}
	if _, err := os.Stat(filepath.Join(dir, vault.FileIdentityName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a wrong passphrase wrote an identity file")
	}
}

// Changing the passphrase re-wraps only the identity: the vault file keeps
// its bytes, the old passphrase stops working and the new one opens every
// value. A wrong current passphrase changes nothing (exit 8).
func TestFileChangePassphrase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	s := newFileStore(t, dir, testPass)
	for i := range 5 {
		if err := s.Set(ctx, fmt.Sprint("secret/", i), []byte(fmt.Sprint("value ", i))); err != nil {
			t.Fatal(err)
		}
	}
	vaultPath, idPath := filepath.Join(dir, vault.FileVaultName), filepath.Join(dir, vault.FileIdentityName)
	vaultBefore, idBefore := readFile(t, vaultPath), readFile(t, idPath)

	wrong := newFileStore(t, dir, "not the passphrase")
	err := wrong.ChangePassphrase(ctx, "new passphrase")
	if !errors.Is(err, vault.ErrLocked) || !vault.IsStoreFailure(err) {
		t.Fatalf("with a wrong current passphrase: err = %v, want ErrLocked (a store failure)", err)
	}
	if !bytes.Equal(readFile(t, idPath), idBefore) || !bytes.Equal(readFile(t, vaultPath), vaultBefore) {
		t.Fatal("a refused passphrase change changed the files")
	}
	if err := newFileStore(t, dir, testPass).ChangePassphrase(ctx, ""); !errors.Is(err, vault.ErrMissingInput) {
		t.Fatalf("an empty new passphrase: err = %v, want ErrMissingInput", err)
	}

	if err := newFileStore(t, dir, testPass).ChangePassphrase(ctx, "new passphrase"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, vaultPath), vaultBefore) {
		t.Fatal("changing the passphrase rewrote the vault file")
	}
	if bytes.Equal(readFile(t, idPath), idBefore) {
		t.Fatal("changing the passphrase left the identity file as it was")
	}
	checkMode(t, idPath, 0o600)
	if _, err := newFileStore(t, dir, testPass).Get(ctx, "secret/1"); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("the old passphrase still opens the vault: %v", err)
	}
	fresh := newFileStore(t, dir, "new passphrase")
	for i := range 5 {
		got, err := fresh.Get(ctx, fmt.Sprint("secret/", i))
		if err != nil || string(got) != fmt.Sprint("value ", i) {
			t.Fatalf("with the new passphrase Get(secret/%d) = %v", i, err)
		}
	}
	// The store that changed it goes on working, and so does one that had
	// unwrapped the identity before the change.
	if err := s.Set(ctx, "secret/after", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := fresh.Get(ctx, "secret/after"); err != nil || string(got) != "v" {
		t.Fatalf("after the change: Get = %v", err)
	}

	if err := newFileStore(t, t.TempDir(), testPass).ChangePassphrase(ctx, "x"); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("with no vault: err = %v, want ErrNotFound", err)
	}
}

// Changing the passphrase of a legacy vault converts it (under the current
// passphrase) and then re-wraps the new identity.
func TestFileChangePassphraseConvertsLegacy(t *testing.T) {
	t.Parallel()
	dir := legacyHome(t)
	if err := newFileStore(t, dir, legacyPass).ChangePassphrase(context.Background(), "new passphrase"); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, vault.FileVaultName))
	if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> X25519 ")) {
		t.Fatal("the legacy vault was not converted")
	}
	checkLegacyValues(t, newFileStore(t, dir, "new passphrase"))
	if _, err := newFileStore(t, dir, legacyPass).Get(context.Background(), "env/0123456789abcdef"); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("the old passphrase still opens the vault: %v", err)
	}
}

// A damaged or missing identity file is a clear error naming it, and the
// vault is never rewritten.
func TestFileDamagedIdentity(t *testing.T) {
	t.Parallel()
	otherID, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, good []byte) []byte
		want   string
		locked bool
	}{
		{"missing", nil, "is missing", false},
		{"truncated", func(_ *testing.T, g []byte) []byte { return g[:len(g)-10] }, "truncated or altered", false},
		{"not an age file", func(*testing.T, []byte) []byte { return []byte("AGE-SECRET-KEY-1QQQ\n") }, "not a readable age file", false},
		{"not passphrase-encrypted", func(t *testing.T, _ []byte) []byte {
			var buf bytes.Buffer
			w, _ := age.Encrypt(&buf, otherID.Recipient())
			_, _ = w.Write([]byte(otherID.String()))
			_ = w.Close()
			return buf.Bytes()
		}, "not encrypted with a passphrase", false},
		{"holds no identity", func(t *testing.T, _ []byte) []byte { return encryptToPass(t, "hello\n", testPass) }, "decrypts to no age identity", false},
		{"holds two identities", func(t *testing.T, _ []byte) []byte {
			id2, _ := age.GenerateX25519Identity()
			return encryptToPass(t, otherID.String()+"\n"+id2.String()+"\n", testPass)
		}, "holds 2 identities", false},
		{"another identity", func(t *testing.T, _ []byte) []byte { return wrapTestIdentity(t, otherID, testPass) }, "is not encrypted to the identity in", false},
		{"another passphrase", func(t *testing.T, _ []byte) []byte { return wrapTestIdentity(t, otherID, "other pass") }, "wrong passphrase", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx := context.Background()
			if err := newFileStore(t, dir, testPass).Set(ctx, "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			idPath, vaultPath := filepath.Join(dir, vault.FileIdentityName), filepath.Join(dir, vault.FileVaultName)
			if tc.damage == nil {
				if err := os.Remove(idPath); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(idPath, tc.damage(t, readFile(t, idPath)), 0o600); err != nil {
				t.Fatal(err)
			}
			idBefore, vaultBefore := readFile(t, idPath), readFile(t, vaultPath)
			s := newFileStore(t, dir, testPass)
			_, gerr := s.Get(ctx, "k")
			for op, err := range map[string]error{"get": gerr, "set": s.Set(ctx, "k", []byte("x")), "delete": s.Delete(ctx, "k")} {
				want := vault.ErrCorrupt
				if tc.locked {
					want = vault.ErrLocked
				}
				if !errors.Is(err, want) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("%s: err = %v, want %v saying %q", op, err, want, tc.want)
				}
				if !vault.IsStoreFailure(err) {
					t.Errorf("%s: %v is not a store failure", op, err)
				}
			}
			if !bytes.Equal(readFile(t, idPath), idBefore) || !bytes.Equal(readFile(t, vaultPath), vaultBefore) {
				t.Fatal("the files changed")
			}
		})
	}
}

func encryptToPass(t testing.TB, plain, pass string) []byte {
	t.Helper()
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(testWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(plain))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wrapTestIdentity makes an encrypted identity file the way `age-keygen | age -p` does.
func wrapTestIdentity(t testing.TB, id *age.X25519Identity, pass string) []byte {
	t.Helper()
	return encryptToPass(t, fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().Format(time.RFC3339), id.Recipient(), id), pass)
}

// S-32: killing a process at any moment while it converts a legacy vault
// leaves a vault that opens with the passphrase and holds every value:
// either the old file (perhaps beside a new identity) or the converted one.
func TestFileKillDuringConversion(t *testing.T) {
	t.Parallel()
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	converted := 0
	for round := range rounds {
		dir := legacyHome(t)
		cmd, out := helper(t, "file-convert", "HELPER_HOME="+dir, "HELPER_PREFIX=secret/round", "AUTHDECK_PASSPHRASE="+legacyPass)
		waitLine(t, out, "ready", 30*time.Second)
		time.Sleep(time.Duration(rand.IntN(15000)) * time.Microsecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s := newFileStore(t, dir, legacyPass)
		checkLegacyValues(t, s)
		if bytes.HasPrefix(readFile(t, filepath.Join(dir, vault.FileVaultName)), []byte("age-encryption.org/v1\n-> X25519 ")) {
			converted++
		}
		// Whatever state the kill left, the next write completes the conversion.
		if err := s.Set(context.Background(), "secret/next", []byte("v")); err != nil {
			t.Fatalf("round %d: writing after the kill: %v", round, err)
		}
		checkLegacyValues(t, newFileStore(t, dir, legacyPass))
	}
	t.Logf("%d of %d kills landed after the conversion", converted, rounds)
}
